//! Shared by the integration tests that include it (`mod support;`).

pub mod postgres;
