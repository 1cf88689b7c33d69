//! `playbook check FILES|DIRS…`: errors and warnings, for marketers and CI.

use super::files::Loaded;
use super::files::{find_playbooks, load};
use super::inputs::{open_inputs, sample_for_inference, InputArgs};
use super::{usage_error, Exit};
use crate::check::{check, check_parsed, SchemaSource};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Severity;
use crate::render::{self, Format};
use std::io::IsTerminal;
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
    /// Also check the playbook against this export's header (its rows are not read,
    /// unless the playbook has no `customer` block and types must be inferred).
    #[arg(long, value_name = "EXPORT")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
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
    let (mut errors, mut warnings) = (0usize, 0usize);
    for path in &files {
        let loaded = match load(path) {
            Ok(l) => l,
            Err(e) => return usage_error(e),
        };
        let mut diagnostics = check_parsed(&loaded.parsed, &loaded.file.text);
        if let Some(export) = &args.data {
            if !diagnostics.iter().any(|d| d.is_error()) {
                match against_export(&loaded, export, &args.input) {
                    Ok(more) => diagnostics.extend(more),
                    Err(e) => return usage_error(e),
                }
            }
        }
        for diag in &diagnostics {
            match diag.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            if !print!("{}", render::render(diag, &loaded.file, args.format, color)) {
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

/// Missing columns (with did-you-mean on the header), found from the header alone when
/// the playbook declares its fields; otherwise types are inferred from the first rows.
fn against_export(
    loaded: &Loaded,
    export: &std::path::Path,
    input: &InputArgs,
) -> Result<Vec<Diagnostic>, String> {
    let mut inputs = open_inputs(std::slice::from_ref(&export.to_path_buf()), input)?;
    let playbook = &loaded.parsed.playbook;
    let fields =
        sample_for_inference(&mut inputs[0], playbook, input).map_err(|e| e.to_string())?;
    let header: Vec<String> = fields.iter().map(|f| f.column.clone()).collect();
    if header.is_empty() {
        return Err(format!(
            "{}: the export has no header row",
            export.display()
        ));
    }
    let schema = if playbook.schemas().next().is_some() {
        SchemaSource::File
    } else {
        SchemaSource::Inferred(&fields)
    };
    let checked = check(playbook, &loaded.file.text, schema);
    let mut out: Vec<Diagnostic> = Vec::new();
    if playbook.schemas().next().is_none() {
        out.extend(checked.diagnostics.into_iter().filter(|d| d.is_error()));
    }
    if let Some(model) = checked.model {
        if let Err(missing) = crate::eval::compile(&model, &header) {
            out.extend(missing);
        }
        out.extend(crate::eval::compile::near_columns(&model, &header));
    }
    Ok(out)
}
