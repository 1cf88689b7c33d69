//! A progress bar on standard error for runs longer than a second.

use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// Shows bytes read against `total` (0: unknown) until `done` is closed (its sender dropped);
/// nothing for short runs. Waiting on the channel, not sleeping, lets the run end the moment
/// it is done rather than when a sleep ends.
pub fn show(read: &AtomicU64, total: u64, done: Receiver<()>) {
    let finished = |wait: Duration| done.recv_timeout(wait) != Err(RecvTimeoutError::Timeout);
    if finished(Duration::from_secs(1)) {
        return;
    }
    let bar = if total > 0 {
        ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    } else {
        ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} read")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        )
    };
    loop {
        bar.set_position(read.load(Ordering::Relaxed));
        if finished(Duration::from_millis(100)) {
            break;
        }
    }
    bar.finish_and_clear();
}
