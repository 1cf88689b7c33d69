//! cargo-fuzz target: the property (`holds`) in `fuzz/properties/paths_outputs.rs` (also run on the saved
//! regression inputs by `tests/fuzz_regressions.rs`).
#![no_main]

#[path = "../properties/paths_outputs.rs"]
mod property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| property::holds(data));
