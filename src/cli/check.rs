//! `playbook check FILES|DIRS…`: errors and warnings, for marketers and CI.

use super::files::{find_playbooks, load};
use super::{usage_error, Exit};
use crate::check::check_parsed;
use crate::diagnostic::Severity;
use crate::render::{self, Format};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Playbook files, or folders to search for `*.playbook` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// How to print problems: for people, as JSON lines, or as GitHub Actions annotations.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    Warnings,
}

pub fn run(args: CheckArgs) -> Exit {
    let files = match find_playbooks(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let color = render::use_color(std::io::stdout().is_terminal());
    let mut out = std::io::stdout().lock();
    let (mut errors, mut warnings) = (0usize, 0usize);
    for path in &files {
        let loaded = match load(path) {
            Ok(l) => l,
            Err(e) => return usage_error(e),
        };
        let diagnostics = check_parsed(&loaded.parsed, &loaded.file.text);
        for diag in &diagnostics {
            match diag.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            if write!(out, "{}", render::render(diag, &loaded.file, args.format, color)).is_err() {
                return Exit::Findings;
            }
        }
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    eprintln!(
        "checked {}: {}, {}",
        plural(files.len(), "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if errors > 0 || (args.deny == Some(Deny::Warnings) && warnings > 0) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
