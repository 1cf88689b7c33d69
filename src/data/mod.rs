//! Exports in: CSV and JSON readers, encodings, the rows they give, and data errors.

pub mod csv_in;
pub mod encoding;
pub mod error;
pub mod input;
pub mod json_array;
pub mod json_in;
pub mod rows;
pub mod split;
