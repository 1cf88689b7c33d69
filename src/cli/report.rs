//! `playbook report PLAYBOOK EXPORT… -o report.html`: one self-contained HTML page.

use super::config::{fill_input, ConfigArgs};
use super::files::{load, Loaded};
use super::inputs::{model_for, open_inputs, InputArgs};
use super::outfile::{commit_all, existing_file, output_identity, Target};
use super::{usage_error, Exit};
use crate::render::{self, Format};
use crate::report::source::GatherError;
use crate::report::{html, source, PilotOutcomes};
use crate::runner::Failure;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The playbook to run.
    pub playbook: PathBuf,
    /// Customer exports (CSV, JSON or NDJSON); `-` reads standard input. Several are one stream.
    #[arg(required = true)]
    pub exports: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Write the page to this file (written whole or not at all; default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// An outcomes export (CSV, as for `playbook measure`): adds the pilot's results.
    #[arg(long, value_name = "FILE", requires = "metric")]
    pub outcomes: Option<PathBuf>,
    /// With --outcomes: an outcome column (yes/no or a number). Repeatable.
    #[arg(long, value_name = "COLUMN", requires = "outcomes")]
    pub metric: Vec<String>,
    /// With --outcomes: its customer id column (default: id, customer_id, customer, klant_id
    /// or klantnummer).
    #[arg(long, value_name = "COLUMN", requires = "outcomes")]
    pub id: Option<String>,
    /// The playbook before a change (a file, or `git:REV:path`): adds what the change does to
    /// these customers, as `playbook diff` shows it.
    #[arg(long, value_name = "OLD")]
    pub baseline: Option<String>,
    /// Worker threads (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

pub fn run(mut args: ReportArgs) -> Exit {
    if let Err(e) = fill_input(&args.config, &args.playbook, &mut args.input) {
        return usage_error(e);
    }
    let as_of = match super::common::as_of(args.input.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    if let Some(out) = args.output.as_deref().and_then(output_identity) {
        for input in args
            .exports
            .iter()
            .chain([&args.playbook])
            .chain(&args.outcomes)
        {
            if existing_file(input).as_ref() == Some(&out) {
                return usage_error(format!(
                    "refusing to write the report over {}",
                    input.display()
                ));
            }
        }
    }
    let loaded = match load(&args.playbook) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let mut inputs = match open_inputs(&args.exports, &args.input) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    // Without a `customer` block, the schema comes from the first export (as in `eval`).
    let Some(model) = model_for(&loaded, &mut inputs[0], &args.input, Format::Human) else {
        return Exit::Findings;
    };
    let reading = source::Reading {
        as_of,
        threads: args.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            usize::from,
        ),
        decimal_comma: args.input.decimal_comma,
        delimiter: args.input.delimiter.map(|d| d as u8),
        max_cell_lines: args.input.max_cell_lines,
    };
    let outcomes_file = args.outcomes.as_ref().map(|p| p.display().to_string());
    let outcomes_bytes = match args.outcomes.as_deref().map(std::fs::read).transpose() {
        Ok(b) => b,
        Err(e) => return usage_error(format!("cannot read the outcomes: {e}")),
    };
    let outcomes = match (&outcomes_file, &outcomes_bytes) {
        (Some(file), Some(bytes)) => Some(PilotOutcomes {
            file,
            bytes,
            id: args.id.as_deref(),
            metrics: &args.metric,
            decimal_comma: args.input.decimal_comma,
        }),
        _ => None,
    };
    let old = match args
        .baseline
        .as_deref()
        .map(|b| baseline(b, &args))
        .transpose()
    {
        Ok(old) => old,
        Err(exit) => return exit,
    };
    let baseline_run = match (&old, args.baseline.as_deref()) {
        (Some((_, model)), Some(name)) => match open_inputs(&args.exports, &args.input) {
            Ok(inputs) => Some(source::Baseline {
                model,
                name: name.to_string(),
                inputs,
            }),
            Err(e) => return usage_error(e),
        },
        _ => None,
    };
    let playbook = args.playbook.display().to_string();
    let gathered = source::gather(
        &model,
        &playbook,
        &loaded.file.text,
        inputs,
        &reading,
        outcomes.as_ref(),
        baseline_run,
    );
    let report = match gathered {
        Ok(r) => r,
        Err(e) => return failed(e, &loaded),
    };
    let mut target = match Target::open(args.output.as_deref(), "the report") {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = target.writer().write_all(html::render(&report).as_bytes()) {
        target.discard();
        return usage_error(e);
    }
    match commit_all(vec![target]) {
        Ok(()) => Exit::Ok,
        Err(e) => usage_error(e),
    }
}

/// Says why the report could not be made.
fn failed(e: GatherError, loaded: &Loaded) -> Exit {
    match e {
        GatherError::Run(Failure::Columns { file, diagnostics }) => {
            eprintln!("error: the export {file} does not fit the playbook");
            super::common::report(&diagnostics, loaded, Format::Human);
            Exit::Findings
        }
        GatherError::Baseline(Failure::Columns { file, .. }) => {
            eprintln!("error: the export {file} does not fit the baseline playbook");
            Exit::Findings
        }
        GatherError::Run(Failure::Data(e)) | GatherError::Baseline(Failure::Data(e)) => {
            data_error(&e)
        }
        GatherError::Run(Failure::Output(e)) | GatherError::Baseline(Failure::Output(e)) => {
            usage_error(e)
        }
        GatherError::Temp(e) => usage_error(format!("the comparison with the baseline: {e}")),
        GatherError::Outcomes(e) => {
            eprintln!("error: {e}");
            Exit::Findings
        }
    }
}

/// Loads and checks the baseline playbook (its schema, if it has none, from the export).
fn baseline(name: &str, args: &ReportArgs) -> Result<(Loaded, crate::check::Model), Exit> {
    if args.exports.iter().any(|e| e.as_os_str() == "-") {
        return Err(usage_error(
            "--baseline reads the export twice: give it as a file, not `-`",
        ));
    }
    let loaded = super::diff::load_old(name).map_err(usage_error)?;
    let mut inputs = open_inputs(&args.exports, &args.input).map_err(usage_error)?;
    let model =
        model_for(&loaded, &mut inputs[0], &args.input, Format::Human).ok_or(Exit::Findings)?;
    Ok((loaded, model))
}

fn data_error(e: &crate::data::error::DataError) -> Exit {
    eprint!(
        "{}",
        e.render(render::use_color(std::io::stderr().is_terminal()))
    );
    Exit::Findings
}
