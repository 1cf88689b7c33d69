//! Arbitrary bytes as a CSV export, evaluated by three fixed playbooks through
//! `playbook::runner::run`, as `playbook eval` runs them:
//!
//! - `--on-error skip`, one thread, the whole input in one chunk (as a small export is in
//!   production, where chunks are 1 MiB); then again with two threads, 7-byte chunks and
//!   16-byte parts: the decisions, rejects and summary must be the same bytes, and
//!   every row read is either evaluated or rejected;
//! - `--on-error stop`, the same two ways: both succeed alike, or both stop at the same
//!   bad row with the same error.
//!
//! Any outcome is fine except a panic, a hang, or the two ways disagreeing.

use playbook::check::{check, Model, SchemaSource, Type};
use playbook::data::csv_in::{last_record_end, read_header};
use playbook::data::error::DataError;
use playbook::runner::output::OutFormat;
use playbook::runner::{run, Failure, Input, InputFormat, OnError, Options, Sinks, Summary};
use playbook::schema::infer::{infer, SAMPLE_ROWS};
use std::sync::OnceLock;

const BENCHMARK: &str = include_str!("../../playbooks/benchmark.playbook");
const INFERRED: &str = include_str!("../playbooks/inferred.playbook");
const DUTCH: &str = include_str!("../playbooks/dutch.playbook");

/// 2026-11-23.
fn as_of() -> i32 {
    playbook::dates::days_from_civil(2026, 11, 23)
}

/// A playbook with its own `customer` block, checked once.
fn fixed(source: &'static str) -> Model {
    let parsed = playbook::syntax::parse(source);
    assert!(
        parsed.diagnostics.is_empty(),
        "the embedded playbook parses"
    );
    check(&parsed.playbook, source, SchemaSource::File)
        .model
        .expect("the embedded playbook checks")
}

/// Without a `customer` block the fields are inferred from the export's header and first
/// rows, as `playbook eval` does (cli/inputs.rs `sample_for_inference`).
fn inferred(export: &[u8]) -> Option<Model> {
    static PARSED: OnceLock<playbook::syntax::Parsed> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| playbook::syntax::parse(INFERRED));
    let mut cursor = export;
    let header = read_header(&mut cursor, None).ok()?;
    let complete = last_record_end(&header.rest, header.delimiter).unwrap_or(0);
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(header.delimiter)
        .from_reader(&header.rest[..complete])
        .byte_records()
        .take(SAMPLE_ROWS)
        .filter_map(Result::ok)
        .map(|r| {
            r.iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        })
        .collect();
    // What cli/inputs.rs `usage_types` makes of the embedded playbook's conditions.
    let usage = [
        ("orders".to_string(), Type::Number),
        ("last_order".to_string(), Type::Date),
        ("tags".to_string(), Type::ListOfText),
    ];
    let fields = infer(&header.columns, &rows, false, &usage);
    check(&parsed.playbook, INFERRED, SchemaSource::Inferred(&fields)).model
}

/// How a run ended: its summary, or the failure (columns missing, or the data error).
#[derive(Debug, PartialEq)]
enum Ended {
    Ok(Summary),
    Columns(Vec<String>),
    Data(DataError),
}

struct Outcome {
    ended: Ended,
    failure: Option<Failure>,
    decisions: Vec<u8>,
    rejects: Vec<u8>,
}

/// Chunk sizes: one chunk for any input libFuzzer makes (as in production, where a chunk is
/// 1 MiB), and 7 bytes, a cut after almost every record.
const ONE_CHUNK: usize = 1 << 16;
const TINY_CHUNKS: usize = 7;

fn eval(
    model: &Model,
    export: &[u8],
    on_error: OnError,
    threads: usize,
    chunk_bytes: usize,
    out_format: OutFormat,
) -> Outcome {
    let mut decisions = Vec::new();
    let mut rejects = Vec::new();
    let mut on_reject = |_: &DataError| panic!("with a rejects file, no row is reported elsewhere");
    let options = Options {
        as_of: as_of(),
        threads,
        chunk_bytes,
        // Decisions handed on in parts of 16 bytes when the chunks are tiny.
        part_bytes: if chunk_bytes == TINY_CHUNKS {
            16
        } else {
            playbook::runner::PART_BYTES
        },
        on_error,
        out_format,
        coverage: true,
        decimal_comma: false,
        delimiter: None,
        progress: None,
        ..Options::default()
    };
    let input = Input {
        name: "fuzz.csv".to_string(),
        format: InputFormat::Csv,
        reader: Box::new(std::io::Cursor::new(export.to_vec())),
    };
    let result = run(
        model,
        vec![input],
        &options,
        Sinks {
            decisions: &mut decisions,
            rejects: (on_error == OnError::Skip)
                .then_some(&mut rejects as &mut (dyn std::io::Write + Send)),
            on_reject: &mut on_reject,
        },
    );
    let (ended, failure) = match result {
        Ok(summary) => (Ended::Ok(summary), None),
        Err(Failure::Data(e)) => (Ended::Data((*e).clone()), Some(Failure::Data(e))),
        Err(Failure::Columns { file, diagnostics }) => (
            Ended::Columns(diagnostics.iter().map(|d| d.message.clone()).collect()),
            Some(Failure::Columns { file, diagnostics }),
        ),
        Err(Failure::Output(e)) => panic!("writing to memory failed: {e}"),
    };
    Outcome {
        ended,
        failure,
        decisions,
        rejects,
    }
}

/// Renders a failure as the command line prints it.
fn render(failure: &Failure, playbook_source: &str) {
    match failure {
        Failure::Data(e) => {
            std::hint::black_box(e.render(false));
            std::hint::black_box(e.reason());
        }
        Failure::Columns { diagnostics, .. } => {
            let source = playbook::render::SourceFile::new("fuzz.playbook", playbook_source);
            for d in diagnostics {
                std::hint::black_box(playbook::render::human(d, &source, false));
            }
        }
        Failure::Output(_) => {}
    }
}

fn exercise(model: &Model, source: &str, export: &[u8], out_format: OutFormat) {
    // --on-error skip: the same bytes out whatever the threads and chunks.
    let a = eval(model, export, OnError::Skip, 1, ONE_CHUNK, out_format);
    if let Some(f) = &a.failure {
        render(f, source);
    }
    if let Ended::Columns(_) = a.ended {
        return; // decided from the header alone: the other runs end the same way
    }
    let b = eval(model, export, OnError::Skip, 2, TINY_CHUNKS, out_format);
    assert_eq!(
        a.ended, b.ended,
        "skip: the outcome depends on threads/chunks"
    );
    if let Ended::Ok(summary) = &a.ended {
        assert_eq!(
            summary.read,
            summary.evaluated + summary.rejected,
            "a row was lost: {summary:?}"
        );
        assert!(
            a.decisions == b.decisions,
            "the decisions depend on threads/chunks"
        );
        assert!(
            a.rejects == b.rejects,
            "the rejects depend on threads/chunks"
        );
    }
    // --on-error stop: both succeed alike, or stop at the same row with the same error.
    let c = eval(model, export, OnError::Stop, 1, ONE_CHUNK, out_format);
    if let Some(f) = &c.failure {
        render(f, source);
    }
    let d = eval(model, export, OnError::Stop, 2, TINY_CHUNKS, out_format);
    assert_eq!(
        c.ended, d.ended,
        "stop: the outcome depends on threads/chunks"
    );
    match (&a.ended, &c.ended) {
        (Ended::Ok(skip), Ended::Ok(stop)) => {
            assert_eq!(skip.rejected, 0, "stop ran through rows that skip rejected");
            assert_eq!(skip, stop);
            assert!(
                a.decisions == c.decisions,
                "stop and skip decide differently"
            );
        }
        (Ended::Ok(skip), Ended::Data(_)) => {
            assert!(
                skip.rejected > 0,
                "stop failed on a row that skip read: {:?}",
                c.ended
            )
        }
        _ => {}
    }
}

/// The property, for one input: panics when it does not hold.
pub fn holds(data: &[u8]) {
    static MODELS: OnceLock<(Model, Model)> = OnceLock::new();
    let (benchmark, dutch) = MODELS.get_or_init(|| (fixed(BENCHMARK), fixed(DUTCH)));
    let out_format = match data.len() % 4 {
        0 => OutFormat::Ndjson,
        1 => OutFormat::Csv,
        2 => OutFormat::Json,
        _ => OutFormat::Table,
    };
    exercise(benchmark, BENCHMARK, data, out_format);
    exercise(dutch, DUTCH, data, out_format);
    if let Some(model) = inferred(data) {
        exercise(&model, INFERRED, data, out_format);
    }
}
