//! Interrupted runs leave nothing behind: temporary output files are removed on SIGINT/SIGTERM.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

/// Remembers a temporary file to delete if the run is interrupted.
pub fn register_temp(path: &Path) {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if let Ok(temps) = TEMPS.lock() {
                for t in temps.iter() {
                    let _ = std::fs::remove_file(t);
                }
            }
            // 130: ended by a signal, as shells report Ctrl-C.
            std::process::exit(130);
        });
    });
    if let Ok(mut temps) = TEMPS.lock() {
        temps.push(path.to_path_buf());
    }
}

/// The file was renamed into place or removed.
pub fn forget_temp(path: &Path) {
    if let Ok(mut temps) = TEMPS.lock() {
        temps.retain(|t| t != path);
    }
}
