//! Binding the program to an export's header, and deciding one row.

use super::{Failure, Options, Stats};
use crate::check::model::Model;
use crate::eval::program::Program;
use crate::eval::run::{NoTrace, Tracer};
use crate::eval::Tri;
use crate::eval::{compile, Outcome};
use crate::row::{Binding, Cell, Row};

/// Compiles for this export's header, or says which columns are missing.
pub(super) fn program_for(
    model: &Model,
    file: &str,
    columns: &[String],
    options: &Options,
) -> Result<(Program, Binding), Failure> {
    let (mut program, binding) =
        compile(model, columns).map_err(|diagnostics| Failure::Columns {
            file: file.to_string(),
            diagnostics,
        })?;
    program.decimal_comma |= options.decimal_comma;
    Ok((program, binding))
}

/// Keeps the `near-column` warnings for this header (issue 16.5).
pub(super) fn warn_near_columns(model: &Model, columns: &[String], options: &Options) {
    let near = crate::eval::near_columns(model, columns);
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
