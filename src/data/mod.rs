//! Data in and out: export readers, cell values, decision writers.

pub mod cells;
pub mod csv_in;
pub mod encoding;
pub mod error;
pub mod infer;
pub mod json_array;
pub mod json_in;
pub mod output;
pub mod rows;
pub mod split;
pub mod values;
