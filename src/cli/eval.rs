//! `playbook eval PLAYBOOK EXPORT…`: one decision per customer.

use super::choices::{CsvDialect, DecisionsFormat, DiagnosticsFormat, OnError};
use super::common::{as_of, report};
use super::config::{fill_input, ConfigArgs};
use super::files::{load, Loaded};
use super::inputs::{model_for, open_inputs, InputArgs};
use super::outfile::{commit_all, existing_file, output_identity, Identity, Target};
use super::{usage_error, Exit};
use crate::check::{self};
use crate::data::error::DataError;
use crate::data::input::InputFormat;
use crate::render::{self, Format};
use crate::runner::output::OutFormat;
use crate::runner::{self, Failure, Options, Sinks};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The playbook to run.
    pub playbook: PathBuf,
    /// Customer exports (CSV, JSON, NDJSON or an Excel .xlsx); `-` reads standard input. Several are one stream.
    #[arg(required = true)]
    pub exports: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format (default: a table on a terminal, else NDJSON; with -o, from the extension).
    #[arg(long, value_enum)]
    pub format: Option<DecisionsFormat>,
    /// Write decisions to this file (written whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV decisions for a Dutch Excel (`excel-nl`: `;`, decimal commas, CRLF, a byte order mark).
    #[arg(long, value_enum, value_name = "DIALECT")]
    pub csv_dialect: Option<CsvDialect>,
    /// What a bad row does: stop the run (default), or skip it (to --rejects).
    #[arg(long, value_enum, default_value_t = OnError::Stop)]
    pub on_error: OnError,
    /// With --on-error skip: write rejected rows here, with line number and reason.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Write the summary as JSON to this file instead of to standard error.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads (default: the number of cores; at most 256).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=MAX_THREADS))]
    pub threads: Option<u16>,
    /// How problems are printed: for people, as JSON lines, or as GitHub Actions annotations.
    #[arg(long = "diagnostics", value_name = "FORMAT", alias = "error-format", value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub diagnostics: DiagnosticsFormat,
    /// Report, per stage, segment and rule, how many customers made its condition
    /// true / false / unknown, and warn about rules that never fired on this data.
    #[arg(long)]
    pub coverage: bool,
}

pub fn run(mut args: EvalArgs) -> Exit {
    if let Err(e) = fill_input(&args.config, &args.playbook, &mut args.input) {
        return usage_error(e);
    }
    let as_of = match as_of(args.input.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = usage_checks(&args) {
        return usage_error(e);
    }
    let loaded = match load(&args.playbook) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let mut inputs = match open_inputs(&args.exports, &args.input) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };

    // Without a `customer` block, the schema comes from the first export.
    let format = Format::from(args.diagnostics);
    let Some(model) = model_for(&loaded, &mut inputs[0], &args.input, format) else {
        return Exit::Findings;
    };
    let progress_bytes = Arc::new(AtomicU64::new(0));
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    // A workbook's rows are counted as the bytes of their cells, not of the zip archive: its
    // size is no total to count them against.
    let workbook = |p: &PathBuf| {
        args.input
            .input_format
            .map(Into::into)
            .or_else(|| InputFormat::from_path(p))
            == Some(InputFormat::Xlsx)
    };
    let total_bytes: u64 = if args.exports.iter().any(workbook) {
        0
    } else {
        args.exports
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
            .sum()
    };
    let options = options(
        &args,
        as_of,
        show_progress.then(|| Arc::clone(&progress_bytes)),
    );
    let (mut target, mut rejects, summary_file) = match open_targets(&args) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    // Without a rejects file, every rejected row is named on standard error (even with -q):
    // nothing is dropped silently.
    let mut on_reject = |e: &DataError| eprintln!("rejected: {e}");
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let result = std::thread::scope(|scope| {
        if show_progress {
            let progress_bytes = &progress_bytes;
            scope.spawn(move || super::progress::show(progress_bytes, total_bytes, finished));
        }
        let result = runner::run(
            &model,
            inputs,
            &options,
            Sinks {
                decisions: target.writer(),
                rejects: rejects.as_mut().map(|r| r.writer()),
                on_reject: &mut on_reject,
            },
        );
        drop(done);
        result
    });
    // Columns that differ from a field's only by case, invisible characters or accents.
    if let Ok(mut warnings) = options.warnings.lock() {
        report(
            &std::mem::take(&mut *warnings),
            &loaded,
            Format::from(args.diagnostics),
        );
    }
    let outputs = Outputs {
        target,
        rejects,
        summary_file,
    };
    match result {
        Ok(summary) => finish(&args, &loaded, &model, summary, outputs),
        Err(failure) => {
            outputs.discard();
            match failure {
                Failure::Columns { file, diagnostics } => {
                    eprintln!("error: the export {file} does not fit the playbook");
                    report(&diagnostics, &loaded, Format::from(args.diagnostics));
                    Exit::Findings
                }
                Failure::Data(e) => data_error(&e),
                Failure::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
                // The error names the output (outfile::Labeled).
                Failure::Output(e) => usage_error(e),
            }
        }
    }
}

/// The files a run writes, each committed only when the run succeeds.
struct Outputs {
    target: Target,
    rejects: Option<Target>,
    summary_file: Option<Target>,
}

impl Outputs {
    fn discard(self) {
        [Some(self.target), self.rejects, self.summary_file]
            .into_iter()
            .flatten()
            .for_each(Target::discard);
    }
}

/// After a run that read every export: the summary written and shown, the files committed,
/// and what the run says about the playbook (rows all rejected, rules that never fired).
fn finish(
    args: &EvalArgs,
    loaded: &Loaded,
    model: &check::Model,
    summary: runner::Summary,
    outputs: Outputs,
) -> Exit {
    let Outputs {
        target,
        rejects,
        mut summary_file,
    } = outputs;
    {
        {
            if let Some(file) = &mut summary_file {
                let json = serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n";
                // A write error shows again, with its file named, when the files are committed.
                let _ = file.writer().write_all(json.as_bytes());
            }
            let outputs = [Some(target), rejects, summary_file];
            if let Err(e) = commit_all(outputs.into_iter().flatten().collect()) {
                return usage_error(e);
            }
            // The summary goes to standard error, or to the --summary file (language.md §9).
            if !args.quiet && args.summary.is_none() {
                eprint!("{}", summary.human());
            }
            if let Some(warning) = summary.duplicate_warning() {
                eprintln!("{warning}");
            }
            // More rejected than decided: most likely the export is read wrong (its delimiter,
            // decimal comma or encoding), not that most customers are bad. Said beside the
            // summary (not with -q, which asks for a silent run: the counts are in --summary).
            if !args.quiet && summary.rejected > summary.evaluated && summary.evaluated > 0 {
                eprintln!(
                    "warning: most rows were rejected ({} of {}): check how the export is read (--delimiter, --decimal-comma, --encoding) before using these decisions",
                    summary.rejected,
                    summary.rejected + summary.evaluated
                );
            }
            // `--on-error skip` that kept no row is no success: the export does not fit at all.
            if summary.rejected > 0 && summary.evaluated == 0 {
                eprintln!(
                    "error: every row of the export was rejected ({} rows): nothing was decided (the rejected rows say why)",
                    summary.rejected
                );
                return Exit::Findings;
            }
            if args.coverage {
                let never = summary.not_fired(model);
                report(&never, loaded, Format::from(args.diagnostics));
            }
            Exit::Ok
        }
    }
}

/// Usage errors found from the arguments alone, before anything is read.
fn usage_checks(args: &EvalArgs) -> Result<(), String> {
    let exports: Vec<&std::path::Path> = args.exports.iter().map(PathBuf::as_path).collect();
    super::common::swapped_arguments("eval", &args.playbook, &exports)?;
    if args.rejects.is_some() && args.on_error != OnError::Skip {
        return Err("--rejects needs --on-error skip".to_string());
    }
    check_outputs(args)?;
    // `-o beslissingen.xlsx` must not quietly write NDJSON into a file Excel cannot open.
    // A device, FIFO or folder has no extension to go by (`-o /dev/null` is NDJSON; a folder
    // gets its own error when written).
    let regular_or_new = |p: &std::path::Path| {
        !p.as_os_str().to_string_lossy().ends_with('/')
            && std::fs::metadata(p).map_or(true, |m| m.is_file())
    };
    if let (None, Some(path)) = (args.format, args.output.as_deref()) {
        if regular_or_new(path) && OutFormat::from_path(path).is_none() {
            return Err(format!(
                "-o {}: the format is chosen by the file's extension, and `{}` is not one \
                 playbook writes: use .csv, .json, .ndjson (or .jsonl), .txt (a table) or \
                 .xlsx (an Excel workbook), or give --format",
                path.display(),
                path.extension().map_or("(none)".to_string(), |e| format!(
                    ".{}",
                    e.to_string_lossy()
                ))
            ));
        }
    }
    let format = out_format(args, std::io::stdout().is_terminal());
    if format == OutFormat::Xlsx {
        // A workbook is a file of its own: not for a terminal, a pipe or a device.
        match args.output.as_deref() {
            None => {
                return Err(
                    "an Excel workbook is not written to standard output: give the file, \
                     -o beslissingen.xlsx"
                        .to_string(),
                )
            }
            Some(path) if !regular_or_new(path) => {
                return Err(format!(
                    "-o {}: an Excel workbook is written to a file of its own, not to a device \
                     or a folder",
                    path.display()
                ))
            }
            Some(_) => {}
        }
    }
    if args.csv_dialect.is_some() && format != OutFormat::Csv {
        return Err(
            "--csv-dialect is for CSV decisions: give -o FILE.csv or --format csv".to_string(),
        );
    }
    Ok(())
}

/// The decisions' format: --format, else the -o file's extension, else a table on a
/// terminal and NDJSON elsewhere.
fn out_format(args: &EvalArgs, terminal: bool) -> OutFormat {
    args.format
        .map(OutFormat::from)
        .or_else(|| args.output.as_deref().and_then(OutFormat::from_path))
        .unwrap_or(if terminal && args.output.is_none() {
            OutFormat::Table
        } else {
            OutFormat::Ndjson
        })
}

/// The run's configuration from the arguments.
fn options(args: &EvalArgs, as_of: i32, progress: Option<Arc<AtomicU64>>) -> Options {
    let out_format = out_format(args, std::io::stdout().is_terminal());
    Options {
        as_of,
        threads: args
            .threads
            .map_or(Options::default().threads, usize::from)
            .max(1),
        on_error: args.on_error.into(),
        out_format,
        csv_dialect: args.csv_dialect.map(Into::into).unwrap_or_default(),
        decimal_comma: args.input.decimal_comma,
        delimiter: args.input.delimiter.map(|d| d as u8),
        max_cell_lines: args.input.max_cell_lines,
        progress,
        coverage: args.coverage,
        ..Options::default()
    }
}

/// Opens the decisions, rejects and summary outputs (nothing is replaced until the run
/// succeeds); on an error the ones already opened are discarded.
fn open_targets(args: &EvalArgs) -> Result<(Target, Option<Target>, Option<Target>), String> {
    let target = Target::open(args.output.as_deref(), "the decisions")?;
    let rejects = match args
        .rejects
        .as_deref()
        .map(|p| Target::open_file(p, "the rejects"))
        .transpose()
    {
        Ok(r) => r,
        Err(e) => {
            target.discard();
            return Err(e);
        }
    };
    match args
        .summary
        .as_deref()
        .map(|p| Target::open_file(p, "the summary"))
        .transpose()
    {
        Ok(s) => Ok((target, rejects, s)),
        Err(e) => {
            target.discard();
            rejects.into_iter().for_each(Target::discard);
            Err(e)
        }
    }
}

fn data_error(e: &DataError) -> Exit {
    let color = render::use_color(std::io::stderr().is_terminal());
    eprint!("{}", e.render(color));
    Exit::Findings
}

/// At most this many worker threads: more only costs memory (each holds chunks).
const MAX_THREADS: i64 = 256;

/// Refuses, before anything is read, to write an output over an input (the same file by
/// device and inode, so hard links and bind mounts count) or two outputs to one file.
fn check_outputs(args: &EvalArgs) -> Result<(), String> {
    let written = [
        ("decisions", &args.output),
        ("rejected rows", &args.rejects),
        ("the summary", &args.summary),
    ];
    let mut seen: Vec<(&str, Identity)> = Vec::new();
    for (what, path) in written {
        let Some(out) = path.as_deref() else { continue };
        let Some(id) = output_identity(out) else {
            continue;
        };
        for export in &args.exports {
            if existing_file(export).as_ref() == Some(&id) {
                return Err(format!(
                    "refusing to write {what} over the export {}",
                    export.display()
                ));
            }
        }
        if existing_file(&args.playbook).as_ref() == Some(&id) {
            return Err(format!("refusing to write {what} over the playbook"));
        }
        if let Some((other, _)) = seen.iter().find(|(_, seen)| *seen == id) {
            return Err(format!(
                "{other} and {what} would both be written to {}: give each its own file",
                out.display()
            ));
        }
        seen.push((what, id));
    }
    Ok(())
}
