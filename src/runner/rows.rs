//! Binding the program to an export's header, and deciding one row.

use super::{Failure, Options, Stats};
use crate::eval::program::Program;
use crate::eval::run::{NoTrace, Tracer};
use crate::eval::Tri;
use crate::eval::{bind, Outcome};
use crate::row::{Binding, Cell, Row};

/// Binds the program to this export's header, or says which columns are missing.
pub(super) fn bind_to(
    program: &Program,
    file: &str,
    columns: &[String],
) -> Result<Binding, Failure> {
    bind(program, columns).map_err(|diagnostics| Failure::Columns {
        file: file.to_string(),
        diagnostics,
    })
}

/// Keeps the `near-column` warnings for this header (issue 16.5).
/// With a complete header (a CSV's, a sheet's), also the `absent-column` ones: a JSON record's
/// keys are no header, an absent key is an optional field's null.
pub(super) fn warn_near_columns(
    program: &Program,
    columns: &[String],
    complete: bool,
    options: &Options,
) {
    let mut near = crate::eval::near_columns(&program.model, columns);
    if complete {
        near.extend(crate::eval::absent_columns(&program.model, columns));
    }
    if let Ok(mut warnings) = options.warnings.lock() {
        warnings.extend(near);
    }
}

/// Decides one row, counting condition values when coverage is asked for.
pub(super) fn decide(
    program: &Program,
    row: &Row<'_>,
    options: &Options,
    outcome: &mut Outcome,
    stats: &mut Stats,
) {
    if options.coverage {
        if stats.coverage.is_empty() {
            stats.coverage = vec![[0; 3]; program.nodes as usize];
        }
        // Per slot, the customers without a value (the report's data quality).
        if stats.missing.is_empty() {
            stats.missing = vec![0; program.slots.len()];
        }
        for (n, cell) in stats.missing.iter_mut().zip(row.cells) {
            *n += u64::from(matches!(cell, Cell::Missing));
        }
        let mut counter = Counter(&mut stats.coverage);
        program.decide(row, options.as_of, outcome, &mut counter);
    } else {
        program.decide(row, options.as_of, outcome, &mut NoTrace);
    }
}

/// Counts each condition node's values: [true, false, unknown].
pub(super) struct Counter<'a>(&'a mut Vec<[u64; 3]>);

impl Tracer for Counter<'_> {
    fn node(&mut self, id: u32, value: Tri) {
        if let Some(c) = self.0.get_mut(id as usize) {
            c[match value {
                Tri::True => 0,
                Tri::False => 1,
                Tri::Unknown => 2,
            }] += 1;
        }
    }
}

/// Reuses a vector's allocation for cells of another lifetime (it is emptied first).
pub(super) fn recycle<'a, 'b>(mut v: Vec<Cell<'a>>) -> Vec<Cell<'b>> {
    v.clear();
    v.into_iter().map(|_| Cell::Missing).collect()
}
