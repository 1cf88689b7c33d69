//! Exports in: CSV, JSON and Excel (.xlsx) readers, encodings, the rows they give, and data errors.

pub mod csv_in;
pub mod encoding;
pub mod error;
pub mod input;
pub mod json_array;
pub mod json_in;
pub mod rows;
pub mod split;
pub mod xlsx_in;
