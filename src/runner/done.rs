//! What a worker has decided of a chunk (decisions, rejects, counts), and rejecting a row.

use super::{Found, OnError, Options, Stats};
use crate::data::error::DataError;
use crate::eval::program::Program;
use crate::row::Row;
use std::io::Write;

/// What a worker made of one chunk.
pub(super) struct Done {
    pub(super) output: Vec<u8>,
    pub(super) rejects: Vec<u8>,
    pub(super) rejected: Vec<DataError>,
    pub(super) stats: Stats,
    pub(super) error: Option<DataError>,
    pub(super) hashes: Vec<u64>,
    pub(super) any: bool,
    pub(super) found: Vec<Found>,
}

impl Done {
    pub(super) fn new(program: &Program) -> Done {
        Done {
            output: Vec::new(),
            rejects: Vec::new(),
            rejected: Vec::new(),
            stats: Stats::new(program),
            error: None,
            hashes: Vec::new(),
            any: false,
            found: Vec::new(),
        }
    }

    /// Whether this part holds enough to be handed on ([`Options::part_bytes`]).
    pub(super) fn is_full(&self, options: &Options) -> bool {
        self.output.len() + self.rejects.len() >= options.part_bytes
    }

    /// For `explain`: explains the row when it is the customer asked for.
    pub(super) fn explain(
        &mut self,
        program: &Program,
        options: &Options,
        row: &Row<'_>,
        place: impl Fn() -> String,
    ) {
        if let Some(x) = &options.explain {
            if row.id == x.id {
                let text =
                    crate::eval::explain::explain(program, &x.source, row, options.as_of, &place());
                self.found.push(Found::Explained(text));
            }
        }
    }

    /// For `explain`: keeps a bad row's error when its id cell is the customer asked for.
    pub(super) fn explain_rejected(
        &mut self,
        options: &Options,
        id: Option<&[u8]>,
        error: &DataError,
    ) {
        if let (Some(x), Some(id)) = (&options.explain, id) {
            if String::from_utf8_lossy(id).trim() == x.id {
                self.found.push(Found::Rejected(error.clone()));
            }
        }
    }
}

pub(super) fn reject(done: &mut Done, error: DataError, raw: &[u8], options: &Options) {
    match options.on_error {
        OnError::Stop => done.error = Some(error),
        OnError::Skip => {
            done.stats.rejected += 1;
            write_reject(
                &mut done.rejects,
                &error.file,
                error.line.unwrap_or(0),
                &error.reason(),
                raw,
            );
            done.rejected.push(error);
        }
    }
}

pub(super) fn write_reject(out: &mut Vec<u8>, file: &str, line: u64, reason: &str, raw: &[u8]) {
    crate::runner::output::csv_field(out, file);
    let _ = write!(out, ",{line},");
    crate::runner::output::csv_field(out, reason);
    out.push(b',');
    let raw = String::from_utf8_lossy(raw);
    crate::runner::output::csv_field(out, raw.trim_end_matches(['\r', '\n']));
    out.push(b'\n');
}
