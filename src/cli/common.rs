//! Pieces shared by the subcommands: the evaluation date, loading a checked playbook.

use super::files::{load, Loaded};
use crate::check::{self, Model, SchemaSource};
use crate::dates::{checked_days, days_from_civil};
use crate::diagnostic::Diagnostic;
use crate::render::{self, Format};
use std::io::IsTerminal;
use std::path::Path;

/// `--as-of DATE` (YYYY-MM-DD), default today in local time.
pub fn as_of(arg: Option<&str>) -> Result<i32, String> {
    match arg {
        Some(text) => crate::dates::parse_iso(text).ok_or_else(|| {
            format!("--as-of `{text}` is not a date: write YYYY-MM-DD, e.g. --as-of 2026-11-23")
        }),
        None => {
            let today = jiff::Zoned::now().date();
            let (y, m, d) = (
                i32::from(today.year()),
                today.month() as u32,
                today.day() as u32,
            );
            Ok(checked_days(y, m, d).unwrap_or_else(|| days_from_civil(y, m, d)))
        }
    }
}

/// Prints diagnostics to standard error in the chosen format.
pub fn report(diagnostics: &[Diagnostic], loaded: &Loaded, format: Format) {
    let color = render::use_color(std::io::stderr().is_terminal());
    for d in diagnostics {
        eprint!("{}", render::render(d, &loaded.file, format, color));
    }
}

/// A playbook read, parsed and checked. Problems are printed; `None` when there are errors.
pub fn load_checked(
    path: &Path,
    schema: SchemaSource<'_>,
    format: Format,
) -> Result<Option<(Loaded, Model)>, String> {
    let loaded = load(path)?;
    Ok(checked(&loaded, schema, format).map(|m| (loaded, m)))
}

/// Checks the playbook; prints errors; the model when there are none.
pub fn checked(loaded: &Loaded, schema: SchemaSource<'_>, format: Format) -> Option<Model> {
    let checked = check::check_for_use(&loaded.parsed, &loaded.file.text, schema);
    report(&checked.diagnostics, loaded, format);
    checked.model
}

/// `playbook eval klanten.csv regels.playbook`: the arguments the wrong way round. Said before
/// the export is parsed as a playbook (which would give a page of syntax errors).
/// A file name that ends like an export's (`.csv`, `.json`, `.xlsx`, …).
pub fn export_like(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| {
            matches!(
                e.as_str(),
                "csv" | "tsv" | "txt" | "json" | "ndjson" | "jsonl" | "xlsx" | "xls"
            )
        })
}

/// A file name that ends in `.playbook`.
pub fn playbook_like(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("playbook"))
}

pub fn swapped_arguments(
    command: &str,
    playbook: &std::path::Path,
    exports: &[&std::path::Path],
) -> Result<(), String> {
    let ext = |p: &std::path::Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
    };
    let export_like = matches!(
        ext(playbook).as_deref(),
        Some("csv" | "tsv" | "txt" | "json" | "ndjson" | "jsonl" | "xlsx" | "xls")
    );
    match exports
        .iter()
        .find(|e| ext(e).as_deref() == Some("playbook"))
    {
        Some(pb) if export_like => Err(format!(
            "the first argument is the playbook, then the export: `playbook {command} {} {}`",
            pb.display(),
            playbook.display()
        )),
        _ => Ok(()),
    }
}
