//! `playbook fmt [--check] FILES|DIRS…` and `playbook fmt -`: the canonical layout.

use super::common::report;
use super::files::{find_playbooks, load};
use super::{usage_error, Exit};
use crate::fmt::{diff::unified, format_playbook};
use crate::render::Format;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Playbook files, or folders to search for `*.playbook` files; `-` formats standard
    /// input to standard output (for editors).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change no file: print what would change as a unified diff, and exit 1 if anything would.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: FmtArgs) -> Exit {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return usage_error("`-` (standard input) cannot be combined with files or folders");
    }
    let files = match find_playbooks(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let (mut changed, mut broken) = (0usize, 0usize);
    for path in &files {
        let loaded = match load(path) {
            Ok(l) => l,
            Err(e) => return usage_error(e),
        };
        if !loaded.parsed.diagnostics.is_empty() {
            report(&loaded.parsed.diagnostics, &loaded, Format::Human);
            broken += 1;
            continue;
        }
        let formatted = format_playbook(&loaded.file.text, &loaded.parsed.playbook);
        let same = formatted == loaded.file.text;
        if !same {
            changed += 1;
        }
        let written = if args.check {
            let name = loaded
                .file
                .name
                .strip_prefix("./")
                .unwrap_or(&loaded.file.name);
            print!("{}", unified(&loaded.file.text, &formatted, name))
        } else if stdin {
            print!("{formatted}")
        } else if same {
            true
        } else {
            match replace_file(path, &formatted) {
                Ok(()) => true,
                Err(e) => return usage_error(format_args!("cannot write {}: {e}", path.display())),
            }
        };
        if !written {
            // Standard output was closed (`| head`): nothing more can be shown.
            return Exit::Findings;
        }
    }
    if !stdin {
        summary(files.len(), changed, broken, args.check);
    }
    if broken > 0 || (args.check && changed > 0) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

fn summary(files: usize, changed: usize, broken: usize, check: bool) {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = if check && changed > 0 {
        format!(
            "{} of {} not formatted; `playbook fmt` rewrites {}",
            changed,
            plural(files, "file"),
            if changed == 1 { "it" } else { "them" }
        )
    } else if check {
        format!("{} already formatted", plural(files - broken, "file"))
    } else {
        format!(
            "formatted {}: {changed} changed",
            plural(files - broken, "file")
        )
    };
    if broken > 0 {
        line.push_str(&format!(
            "; {} with syntax errors left as they are",
            plural(broken, "file")
        ));
    }
    eprintln!("{line}");
}

/// Writes `text` to a new file beside `path` and renames it over `path`, so that the
/// file is never seen half written. The file keeps its permissions; a symbolic link
/// keeps pointing at it.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let path = std::fs::canonicalize(path)?;
    // A device or FIFO is not a playbook to replace (renaming over it would remove it).
    if !std::fs::metadata(&path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = folder.join(format!(".{name}.fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&temp, std::fs::metadata(&path)?.permissions())?;
        std::fs::rename(&temp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
