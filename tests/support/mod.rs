//! Shared by the integration tests that include it (`mod support;`); not every test binary
//! uses every helper.
#![allow(dead_code)]

pub mod engines;
pub mod postgres;
