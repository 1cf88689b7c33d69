//! Where the report's numbers come from: the runner, run as `eval --coverage` runs it, with
//! the decisions thrown away. This is the one file of `report` that calls into the crate's
//! internals (`runner::run`, `runner::Options`, `runner::Sinks`, `check::Model`'s title and
//! rule priorities): re-point those here when they move.

use super::Report;
use crate::check::Model;
use crate::data::error::DataError;
use crate::runner::{self, Failure, Input, OnError, Options, Sinks};

/// How to read the export, as `eval`'s flags say.
pub struct Reading {
    pub as_of: i32,
    pub threads: usize,
    pub decimal_comma: bool,
    pub delimiter: Option<u8>,
    pub max_cell_lines: u64,
}

/// Runs the playbook over the export and gathers the report's numbers.
pub fn gather(
    model: &Model,
    playbook: &str,
    inputs: Vec<Input>,
    reading: &Reading,
) -> Result<Report, Failure> {
    let options = Options {
        as_of: reading.as_of,
        threads: reading.threads.max(1),
        on_error: OnError::Stop,
        decimal_comma: reading.decimal_comma,
        delimiter: reading.delimiter,
        max_cell_lines: reading.max_cell_lines,
        coverage: true,
        ..Options::default()
    };
    // A bad row stops the run (`--on-error stop`): nothing is rejected on the way.
    let mut on_reject = |_: &DataError| {};
    let summary = runner::run(
        model,
        inputs,
        &options,
        Sinks {
            decisions: &mut std::io::sink(),
            rejects: None,
            on_reject: &mut on_reject,
        },
    )?;
    Ok(Report {
        title: model.title.clone().unwrap_or_else(|| playbook.to_string()),
        playbook: playbook.to_string(),
        summary,
        priorities: model.rules.iter().map(|r| r.priority).collect(),
    })
}
