//! cargo-fuzz target: the property (`holds`) in `fuzz/properties/eval_csv_quotes.rs` (also run on the saved
//! regression inputs by `tests/fuzz_regressions.rs`).
#![no_main]

#[path = "../properties/eval_csv_quotes.rs"]
mod property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| property::holds(data));
