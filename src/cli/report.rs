//! `playbook report PLAYBOOK EXPORT… -o report.html`: one self-contained HTML page.

use super::eval::checked;
use super::files::load;
use super::inputs::{open_inputs, sample_for_inference, InputArgs};
use super::outfile::{commit_all, existing_file, output_identity, Target};
use super::{usage_error, Exit};
use crate::check::SchemaSource;
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
    /// Worker threads (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

pub fn run(args: ReportArgs) -> Exit {
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
    let has_schema = loaded.parsed.playbook.schemas().next().is_some();
    let inferred = if has_schema || !loaded.parsed.diagnostics.is_empty() {
        None
    } else {
        match sample_for_inference(&mut inputs[0], &loaded.parsed.playbook, &args.input) {
            Ok(fields) => Some(fields),
            Err(e) => return data_error(&e),
        }
    };
    let schema = match &inferred {
        Some(fields) => SchemaSource::Inferred(fields),
        None => SchemaSource::File,
    };
    let Some(model) = checked(&loaded, schema, Format::Human) else {
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
    let playbook = args.playbook.display().to_string();
    let report = match source::gather(
        &model,
        &playbook,
        &loaded.file.text,
        inputs,
        &reading,
        outcomes.as_ref(),
    ) {
        Ok(r) => r,
        Err(GatherError::Run(Failure::Columns { file, diagnostics })) => {
            eprintln!("error: the export {file} does not fit the playbook");
            super::common::report(&diagnostics, &loaded, Format::Human);
            return Exit::Findings;
        }
        Err(GatherError::Run(Failure::Data(e))) => return data_error(&e),
        Err(GatherError::Run(Failure::Output(e))) => return usage_error(e),
        Err(GatherError::Outcomes(e)) => {
            eprintln!("error: {e}");
            return Exit::Findings;
        }
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

fn data_error(e: &crate::data::error::DataError) -> Exit {
    eprint!(
        "{}",
        e.render(render::use_color(std::io::stderr().is_terminal()))
    );
    Exit::Findings
}
