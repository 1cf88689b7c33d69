//! The inputs fuzzing found (tests/regressions/<target>/), run through the same properties the
//! fuzz targets check (fuzz/properties/, shared with fuzz/fuzz_targets/). A file added there is
//! run from then on.
//!
//! * `eval_csv/leak-thread-local-*.csv`: LeakSanitizer reported memory of the runner's worker
//!   threads (their thread-locals) as lost: `std::thread::scope` returns once the threads'
//!   closures have returned, while a thread may still be freeing its thread-locals. The runner
//!   now joins each thread before it returns. (That race cannot be shown reliably here; the
//!   input is kept for the property itself.)
//! * `eval_csv/overflow-long-number-*.csv`: a number cell of 40 digits overflowed the fast
//!   number path's u64 (a panic with overflow checks on; a silent wrap, then the slow path,
//!   without). The fast path now stops at 15 digits.

use std::path::{Path, PathBuf};

#[path = "../fuzz/properties/eval_csv.rs"]
mod eval_csv;
#[path = "../fuzz/properties/eval_csv_quotes.rs"]
mod eval_csv_quotes;
#[path = "../fuzz/properties/fmt_roundtrip.rs"]
mod fmt_roundtrip;
#[path = "../fuzz/properties/parse_check.rs"]
mod parse_check;
#[path = "../fuzz/properties/paths_outputs.rs"]
mod paths_outputs;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.expect("a directory entry").path())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn run_all(target: &str, property: fn(&[u8])) -> usize {
    let files = inputs(target);
    for file in &files {
        let data = std::fs::read(file).expect("a regression input");
        let outcome = std::panic::catch_unwind(|| property(&data));
        assert!(outcome.is_ok(), "{} fails again", file.display());
    }
    files.len()
}

#[test]
fn fuzzing_finds_stay_fixed() {
    let total = run_all("parse_check", parse_check::holds)
        + run_all("eval_csv", eval_csv::holds)
        + run_all("fmt_roundtrip", fmt_roundtrip::holds)
        + run_all("eval_csv_quotes", eval_csv_quotes::holds)
        + run_all("paths_outputs", paths_outputs::holds);
    assert!(total > 0, "the saved inputs are found");
}
