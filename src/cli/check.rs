//! `playbook check FILES|DIRS…`: errors and warnings, for marketers and CI.

use super::choices::CheckFormat;
use super::config::{Codes, ConfigArgs, Settings};
use super::files::Loaded;
use super::files::{find_playbooks, load};
use super::inputs::{open_inputs, sample_for_inference, InputArgs};
use super::{usage_error, Exit};
use crate::check::{check, check_parsed, SchemaSource};
use crate::diagnostic::Severity;
use crate::diagnostic::{Code, Diagnostic};
use crate::render::{self, sarif::Sarif};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Playbook files, or folders to search for `*.playbook` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// How problems are printed: for people, as JSON lines, as GitHub Actions annotations, or
    /// as one SARIF 2.1.0 log for code scanning.
    #[arg(long = "diagnostics", value_name = "FORMAT", alias = "format", value_enum, default_value_t = CheckFormat::Human)]
    pub diagnostics: CheckFormat,
    /// Fail (exit 1) on warnings too (`--deny warnings`), or make one code's warnings errors
    /// (`--deny never-fires`). Repeatable.
    #[arg(long, value_name = "warnings|CODE")]
    pub deny: Vec<String>,
    /// Do not show one code's warnings (`--allow unused-segment`); errors cannot be allowed.
    /// Repeatable. One item's warnings: `# playbook: allow(CODE)` on the line before it.
    #[arg(long, value_name = "CODE")]
    pub allow: Vec<String>,
    /// Also check the playbook against this export: its header (missing columns), then every
    /// cell as `eval` reads it, without deciding (each row that does not fit is an error).
    #[arg(long, value_name = "EXPORT")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: CheckArgs) -> Exit {
    let flags = match Codes::from_flags(&args.deny, &args.allow) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let mut settings = Settings::new(&args.config);
    let files = match find_playbooks(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let color = render::use_color(std::io::stdout().is_terminal());
    let mut sarif = Sarif::new();
    let (mut errors, mut warnings, mut notes) = (0usize, 0usize, 0usize);
    // Warnings fail the run when a playbook's settings or the flags deny them.
    let mut warnings_denied = 0usize;
    for path in &files {
        let config = match settings.for_playbook(path) {
            Ok(c) => c,
            Err(e) => return usage_error(e),
        };
        let codes = flags.under(&config);
        let mut input = args.input.clone();
        config.fill(&mut input);
        // A test without `as of` is dated all the same when playbook.toml gives the day.
        let dated = input.as_of.is_some();
        let loaded = match load(path) {
            Ok(l) => l,
            Err(e) => return usage_error(e),
        };
        let mut diagnostics = check_parsed(&loaded.parsed, &loaded.file.text);
        let mut bad_rows = Vec::new();
        if let Some(export) = &args.data {
            if !diagnostics.iter().any(|d| d.is_error()) {
                match against_export(&loaded, export, &input) {
                    Ok((more, rows)) => {
                        diagnostics.extend(more);
                        bad_rows = rows;
                    }
                    Err(e) => return usage_error(e),
                }
            }
        }
        if dated {
            diagnostics.retain(|d| d.code != Code::UndatedTest);
        }
        codes.apply(&mut diagnostics);
        for diag in &diagnostics {
            match diag.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Note => notes += 1,
            }
            if codes.deny_warnings && diag.severity == Severity::Warning {
                warnings_denied += 1;
            }
            match args.diagnostics.each() {
                Some(format) => {
                    if !print!("{}", render::render(diag, &loaded.file, format, color)) {
                        return Exit::Findings;
                    }
                }
                None => sarif.add(diag, &loaded.file),
            }
        }
        // Every cell of the export was read as `eval` reads it: each bad row is an error.
        errors += bad_rows.len();
        for (n, e) in bad_rows.iter().enumerate() {
            if n == MAX_BAD_ROWS_SHOWN {
                eprintln!(
                    "… and {} more rows that do not fit",
                    bad_rows.len() - MAX_BAD_ROWS_SHOWN
                );
                break;
            }
            eprintln!("error: {e}");
        }
    }
    if args.diagnostics == CheckFormat::Sarif && !print!("{}", sarif.finish()) {
        return Exit::Findings;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    // Notes are counted only when there are some: they are no mistakes.
    let notes = match notes {
        0 => String::new(),
        n => format!(", {}", plural(n, "note")),
    };
    eprintln!(
        "checked {}: {}, {}{notes}",
        plural(files.len(), "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if errors > 0 || warnings_denied > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// The bad rows `check --data` names one by one; the rest are counted.
const MAX_BAD_ROWS_SHOWN: usize = 20;

/// Missing columns (with did-you-mean on the header), found from the header alone when
/// the playbook declares its fields (otherwise types are inferred from the first rows); then
/// every cell, read as `eval` reads it without deciding: the rows that do not fit.
fn against_export(
    loaded: &Loaded,
    export: &std::path::Path,
    input: &InputArgs,
) -> Result<(Vec<Diagnostic>, Vec<crate::data::error::DataError>), String> {
    let (out, fitting) = against_header(loaded, export, input)?;
    let bad_rows = match fitting {
        Some(model) => every_cell(&model, export, input)?,
        None => Vec::new(),
    };
    Ok((out, bad_rows))
}

/// `check --data EXPORT`'s diagnostics for a text (the language server's sample export),
/// from the export's header and first rows, not every cell. Call it only for a text without
/// errors: `check --data` does not look at the export otherwise.
pub(crate) fn export_diagnostics(
    text: &str,
    export: &std::path::Path,
) -> Result<Vec<Diagnostic>, String> {
    let loaded = super::files::load_bytes(String::new(), text.as_bytes().to_vec());
    Ok(against_header(&loaded, export, &default_input())?.0)
}

/// What `eval --coverage` counts over an export, today, for a text without errors (the
/// language server's code lenses): stages, segments and rules, with how their conditions came
/// out. Bad rows are skipped, as `--on-error skip` does; one thread, to stay out of the way.
pub(crate) fn export_summary(
    text: &str,
    export: &std::path::Path,
) -> Result<crate::runner::summary::Summary, String> {
    use crate::runner::{run, Failure, OnError, Options, Sinks};
    let loaded = super::files::load_bytes(String::new(), text.as_bytes().to_vec());
    let input = default_input();
    let Some(model) = against_header(&loaded, export, &input)?.1 else {
        return Err("the export lacks columns the playbook needs".to_string());
    };
    let inputs = open_inputs(std::slice::from_ref(&export.to_path_buf()), &input)?;
    let options = Options {
        as_of: super::common::as_of(None)?,
        threads: 1,
        on_error: OnError::Skip,
        coverage: true,
        ..Options::default()
    };
    let sinks = Sinks {
        decisions: &mut std::io::sink(),
        rejects: None,
        on_reject: &mut |_| {},
    };
    run(&model, inputs, &options, sinks).map_err(|e| match e {
        Failure::Data(e) => e.to_string(),
        Failure::Columns { file, .. } => format!("{file}: the export does not fit"),
        Failure::Output(e) => e.to_string(),
    })
}

/// `playbook explain`'s text for one customer of an export, today, for a text without errors
/// (the language server's explain command).
pub(crate) fn explain_customer(
    text: &str,
    export: &std::path::Path,
    id: &str,
) -> Result<String, String> {
    use crate::runner::{explain, Explain, Failure, Found, OnError, Options};
    let loaded = super::files::load_bytes(String::new(), text.as_bytes().to_vec());
    let input = default_input();
    let Some(model) = against_header(&loaded, export, &input)?.1 else {
        return Err("the export lacks columns the playbook needs".to_string());
    };
    let inputs = open_inputs(std::slice::from_ref(&export.to_path_buf()), &input)?;
    let wanted = id.trim().to_string();
    let options = Options {
        as_of: super::common::as_of(None)?,
        on_error: OnError::Skip,
        explain: Some(Explain {
            id: wanted.clone(),
            source: text.to_string(),
        }),
        ..Options::default()
    };
    let found = explain(&model, inputs, &options).map_err(|e| match e {
        Failure::Data(e) => e.to_string(),
        Failure::Columns { file, .. } => format!("{file}: the export does not fit"),
        Failure::Output(e) => e.to_string(),
    })?;
    match found.0.into_iter().next() {
        Some(Found::Explained(text)) => Ok(text),
        Some(Found::Rejected(e)) => Err(e.to_string()),
        None => Err(format!(
            "no customer with id `{wanted}` in {}",
            export.display()
        )),
    }
}

/// How an export is read when no flags say otherwise.
fn default_input() -> InputArgs {
    InputArgs {
        as_of: None,
        input_format: None,
        decimal_comma: false,
        delimiter: None,
        encoding: None,
        max_cell_lines: crate::data::split::MAX_CELL_LINES,
        sheet: None,
    }
}

/// The diagnostics of the export's header (and, without a `customer` block, of the types
/// inferred from its first rows), and the model when the export has every column it needs.
fn against_header(
    loaded: &Loaded,
    export: &std::path::Path,
    input: &InputArgs,
) -> Result<(Vec<Diagnostic>, Option<crate::check::model::Model>), String> {
    let mut inputs = open_inputs(std::slice::from_ref(&export.to_path_buf()), input)?;
    // A JSON record's keys are no header: an absent key is an optional field's null.
    let complete_header = !matches!(
        inputs[0].format,
        crate::data::input::InputFormat::Json | crate::data::input::InputFormat::Ndjson
    );
    let playbook = &loaded.parsed.playbook;
    let mut fields = sample_for_inference(&mut inputs[0], playbook, input, false)
        .map_err(|e| e.to_string())?
        .fields;
    // As `eval` infers them: a column the playbook does not name is text.
    crate::schema::sample::untype_unread(&mut fields, playbook);
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
    let mut fitting = None;
    if let Some(model) = checked.model {
        let fits = match crate::eval::compile(&model, &header) {
            Err(missing) => {
                out.extend(missing);
                false
            }
            Ok(_) => true,
        };
        out.extend(crate::eval::near_columns(&model, &header));
        if complete_header {
            out.extend(crate::eval::absent_columns(&model, &header));
        }
        if fits {
            fitting = Some(model);
        }
    }
    Ok((out, fitting))
}

/// Reads every row of the export through `eval`'s reader and program, deciding into nothing,
/// and returns the rows that do not fit (an error that stops the reading, such as an unclosed
/// quote, is the last).
fn every_cell(
    model: &crate::check::model::Model,
    export: &std::path::Path,
    input: &InputArgs,
) -> Result<Vec<crate::data::error::DataError>, String> {
    use crate::runner::{run, Failure, OnError, Options, Sinks};
    let inputs = open_inputs(std::slice::from_ref(&export.to_path_buf()), input)?;
    let options = Options {
        on_error: OnError::Skip,
        decimal_comma: input.decimal_comma,
        delimiter: input.delimiter.map(|d| d as u8),
        max_cell_lines: input.max_cell_lines,
        ..Options::default()
    };
    let mut bad = Vec::new();
    let result = run(
        model,
        inputs,
        &options,
        Sinks {
            decisions: &mut std::io::sink(),
            rejects: None,
            on_reject: &mut |e| bad.push(e.clone()),
        },
    );
    match result {
        Ok(_) => Ok(bad),
        Err(Failure::Data(e)) => {
            bad.push(*e);
            Ok(bad)
        }
        Err(Failure::Columns { file, .. }) => Err(format!("{file}: the export does not fit")),
        Err(Failure::Output(e)) => Err(e.to_string()),
    }
}
