//! Data in and out: export readers, cell values, decision writers.

pub mod values;
