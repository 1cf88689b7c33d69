//! Writing to standard output and standard error without panicking: `print!`, `eprint!`
//! and friends in `cli` are the macros of `cli/mod.rs`, which end here. A write error is
//! remembered, and `cli::main` turns it into exit 2 with a message (a full disk under
//! `playbook sql > script.sql` must not look like success); a closed pipe (`| head`) is
//! not an error and stays quiet.

use std::io::{self, Write};
use std::sync::Mutex;

static FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Writes to standard output; `false` when it failed (or the pipe is closed): stop writing.
pub fn out(args: std::fmt::Arguments<'_>) -> bool {
    let mut stdout = io::stdout().lock();
    let result = stdout.write_fmt(args).and_then(|()| stdout.flush());
    noted(result, "standard output")
}

/// Writes bytes to standard output, as [`out`].
pub fn out_bytes(bytes: &[u8]) -> bool {
    let mut stdout = io::stdout().lock();
    let result = stdout.write_all(bytes).and_then(|()| stdout.flush());
    noted(result, "standard output")
}

/// Writes to standard error; a failure is remembered for the exit code.
pub fn err(args: std::fmt::Arguments<'_>) {
    noted(io::stderr().lock().write_fmt(args), "standard error");
}

/// Remembers the first failed write, except a closed pipe.
pub fn noted(result: io::Result<()>, place: &str) -> bool {
    match result {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => false,
        Err(e) => {
            if let Ok(mut first) = FAILURE.lock() {
                first.get_or_insert_with(|| format!("cannot write to {place}: {e}"));
            }
            false
        }
    }
}

/// The first write error of the run, if any.
pub fn failure() -> Option<String> {
    FAILURE.lock().ok().and_then(|f| f.clone())
}
