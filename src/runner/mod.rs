//! Running a checked playbook over exports: read → decide → write, in parallel.
//!
//! The reader cuts each export into chunks of whole records; workers parse and
//! decide a chunk each; the writer puts their output back in input order. So the
//! output is byte-identical whatever the number of threads or the chunk size.

pub mod output;
pub mod summary;
pub mod xlsx_out;

mod csv;
mod done;
mod ids;
mod json;
mod rows;
mod schedule;
mod xlsx;

use crate::check::model::Model;
use crate::data::csv_in::CHUNK_BYTES;
use crate::data::error::DataError;
pub use crate::data::input::{Input, InputFormat};
use crate::diagnostic::Diagnostic;
use crate::runner::output::{CsvDialect, OutFormat, Writer};
use std::io::Write;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
pub use summary::{Stats, Summary};

use csv::run_csv;
use ids::count_duplicates;
use json::run_json;
use xlsx::run_xlsx;

/// A worker hands on what it has decided of a chunk whenever its decisions and rejects reach
/// this many bytes, rather than at the chunk's end: a chunk's decisions grow with rules × rows
/// (25,000 rules that all fire write about 1.5 MB per customer), its parts do not.
pub const PART_BYTES: usize = 1 << 20;

/// Parts of later chunks, decided while an earlier chunk is still being worked on, are held
/// for the writer up to this many bytes; a worker with more waits for the writer. With
/// [`PART_BYTES`], this bounds the decisions in memory whatever the rules and rows.
pub const HELD_BYTES: usize = 32 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// The first bad row stops the run (exit 1).
    Stop,
    /// Bad rows are written to the rejects file and the run goes on.
    Skip,
}

pub struct Options {
    pub as_of: i32,
    pub threads: usize,
    pub chunk_bytes: usize,
    pub on_error: OnError,
    pub out_format: OutFormat,
    /// How CSV decisions are written (`--csv-dialect`).
    pub csv_dialect: CsvDialect,
    /// `--decimal-comma` (the playbook's `decimal comma` also turns it on).
    pub decimal_comma: bool,
    pub delimiter: Option<u8>,
    /// Bytes read so far, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
    /// Count true / false / unknown per condition (`--coverage`).
    pub coverage: bool,
    /// `explain`: the customer to explain as the run meets them (see [`explain`]).
    pub explain: Option<Explain>,
    /// The most line breaks one quoted CSV cell may hold (`--max-cell-lines`).
    pub max_cell_lines: u64,
    /// A worker hands its decisions on in parts of about this many bytes ([`PART_BYTES`];
    /// tests make it tiny). The output does not depend on it.
    pub part_bytes: usize,
    /// Warnings about the exports' columns, for the caller to show (`near-column`).
    pub warnings: Mutex<Vec<Diagnostic>>,
}

/// The customer `explain` asks for, and the playbook's text (explanations quote it).
pub struct Explain {
    pub id: String,
    pub source: String,
}

/// What a run found for the customer `explain` asks for: one per record with that id.
#[derive(Debug)]
pub enum Found {
    Explained(String),
    /// The record with that id could not be read.
    Rejected(DataError),
}

impl Default for Options {
    fn default() -> Options {
        Options {
            as_of: 0,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            chunk_bytes: CHUNK_BYTES,
            on_error: OnError::Stop,
            out_format: OutFormat::Ndjson,
            csv_dialect: CsvDialect::Standard,
            decimal_comma: false,
            delimiter: None,
            progress: None,
            coverage: false,
            explain: None,
            max_cell_lines: crate::data::split::MAX_CELL_LINES,
            part_bytes: PART_BYTES,
            warnings: Mutex::default(),
        }
    }
}

/// Why a run stopped.
#[derive(Debug)]
pub enum Failure {
    /// The export lacks columns the playbook needs (reported against the playbook).
    Columns {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// A bad row (with `--on-error stop`) or an unreadable export.
    Data(Box<DataError>),
    /// Writing the output failed.
    Output(std::io::Error),
}

/// Where decisions and rejected rows go.
pub struct Sinks<'a> {
    pub decisions: &'a mut (dyn Write + Send),
    pub rejects: Option<&'a mut (dyn Write + Send)>,
    /// Called per rejected row when there is no rejects file (so none is lost silently).
    pub on_reject: &'a mut (dyn FnMut(&DataError) + Send),
}

/// Runs the model over the inputs, one stream; returns the summary.
pub fn run(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
    sinks: Sinks<'_>,
) -> Result<Summary, Failure> {
    if options.out_format == OutFormat::Xlsx {
        return run_to_workbook(model, inputs, options, sinks);
    }
    let mut out = Out {
        decisions: sinks.decisions,
        rejects: sinks.rejects,
        on_reject: sinks.on_reject,
        wrote_start: false,
        any: false,
        hashes: Vec::new(),
        found: Vec::new(),
    };
    let summary = run_into(model, inputs, options, &mut out)?;
    Ok(summary)
}

/// A workbook is written whole at the end: the decisions are gathered as CSV rows (the
/// columns of `-o decisions.csv`) and turned into a workbook once the run has succeeded.
fn run_to_workbook(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
    sinks: Sinks<'_>,
) -> Result<Summary, Failure> {
    let Sinks {
        decisions,
        rejects,
        on_reject,
    } = sinks;
    let mut rows: Vec<u8> = Vec::new();
    let mut out = Out {
        decisions: &mut rows,
        // The same rejects file, for as long as `rows` lives.
        rejects: rejects.map(|r| r as &mut (dyn Write + Send)),
        on_reject: &mut *on_reject,
        wrote_start: false,
        any: false,
        hashes: Vec::new(),
        found: Vec::new(),
    };
    let summary = run_into(model, inputs, options, &mut out);
    drop(out);
    let summary = summary?;
    let book = xlsx_out::workbook(&rows).map_err(|e| Failure::Output(std::io::Error::other(e)))?;
    decisions.write_all(&book).map_err(Failure::Output)?;
    decisions.flush().map_err(Failure::Output)?;
    Ok(summary)
}

/// Reads the inputs as [`run`] does (the same reader, program and checks) and returns, in
/// input order, the explanation of every record whose id is `options.explain`'s. Bad rows
/// of other customers are skipped; a broken export is still a failure.
pub fn explain(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
) -> Result<(Vec<Found>, Summary), Failure> {
    let mut sink = std::io::sink();
    let mut ignore = |_: &DataError| {};
    let mut out = Out {
        decisions: &mut sink,
        rejects: None,
        on_reject: &mut ignore,
        wrote_start: false,
        any: false,
        hashes: Vec::new(),
        found: Vec::new(),
    };
    let summary = run_into(model, inputs, options, &mut out)?;
    Ok((out.found, summary))
}

fn run_into(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Summary, Failure> {
    // Lowered once for every export; each export's header is bound to it.
    let mut program = crate::eval::lower(model);
    program.decimal_comma |= options.decimal_comma;
    let mut total: Option<Stats> = None;
    let mut files = Vec::new();
    if let Some(r) = out.rejects.as_deref_mut() {
        r.write_all(b"file,line,reason,record\n")
            .map_err(Failure::Output)?;
    }
    for input in inputs {
        files.push(input.name.clone());
        let stats = match input.format {
            InputFormat::Csv => run_csv(&program, input, options, out)?,
            InputFormat::Ndjson | InputFormat::Json => run_json(&program, input, options, out)?,
            InputFormat::Xlsx => run_xlsx(&program, input, options, out)?,
        };
        match &mut total {
            Some(t) => t.add(&stats),
            None => total = Some(stats),
        }
    }
    let Some(stats) = total else {
        return Err(Failure::Data(Box::new(DataError::new(
            "<none>",
            "no export to read",
        ))));
    };
    let writer = Writer::new(&program, options.out_format, options.csv_dialect);
    if !out.wrote_start {
        out.decisions
            .write_all(&writer.start())
            .map_err(Failure::Output)?;
    }
    out.decisions
        .write_all(&writer.end(out.any))
        .map_err(Failure::Output)?;
    out.decisions.flush().map_err(Failure::Output)?;
    if let Some(r) = out.rejects.as_deref_mut() {
        r.flush().map_err(Failure::Output)?;
    }
    let duplicates = count_duplicates(std::mem::take(&mut out.hashes));
    Ok(Summary::new(
        &program,
        &stats,
        files,
        options.as_of,
        duplicates,
    ))
}

/// The output state shared across inputs.
pub(super) struct Out<'a> {
    pub(super) decisions: &'a mut (dyn Write + Send),
    pub(super) rejects: Option<&'a mut (dyn Write + Send)>,
    pub(super) on_reject: &'a mut (dyn FnMut(&DataError) + Send),
    pub(super) wrote_start: bool,
    pub(super) any: bool,
    /// Sorted runs of id hashes, one per chunk, kept at their exact size.
    pub(super) hashes: Vec<Vec<u64>>,
    /// For `explain`: the records of the customer asked for, in input order.
    pub(super) found: Vec<Found>,
}

pub(super) fn write_start(out: &mut Out<'_>, writer: &Writer) -> Result<(), Failure> {
    if !out.wrote_start {
        out.decisions
            .write_all(&writer.start())
            .map_err(Failure::Output)?;
        out.wrote_start = true;
    }
    Ok(())
}
