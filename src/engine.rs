//! The library's face: a playbook parsed, checked and lowered once ([`Engine`]), deciding for
//! one customer or for a whole export along the very path `playbook eval` takes.

use crate::check::{check_parsed, Model, SchemaSource};
use crate::data::input::Input;
use crate::diagnostic::Diagnostic;
use crate::eval::decision::Decision;
use crate::eval::run::NoTrace;
use crate::eval::{bind, lower, Outcome, Program};
use crate::row::{Cell, Numbers, Row};
use crate::runner::{Failure, Options, Sinks, Summary};

/// A checked playbook, ready to decide.
pub struct Engine {
    model: Model,
    program: Program,
    warnings: Vec<Diagnostic>,
}

/// Why one customer could not be decided.
#[derive(Debug)]
pub enum DecideError {
    /// The record lacks a column the playbook needs (as a diagnostic on the playbook).
    Columns(Vec<Diagnostic>),
    /// A value cannot be read as its field's type (`eval` would reject the row).
    Cell {
        column: Option<String>,
        message: String,
    },
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecideError::Columns(diags) => {
                let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
                write!(f, "{}", messages.join("; "))
            }
            DecideError::Cell {
                column: Some(c),
                message,
            } => write!(f, "column `{c}`: {message}"),
            DecideError::Cell { message, .. } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for DecideError {}

impl Engine {
    /// Parses and checks a playbook. Err: every diagnostic, when any is an error.
    pub fn new(source: &str) -> Result<Engine, Vec<Diagnostic>> {
        let parsed = crate::syntax::parse(source);
        if !parsed.diagnostics.is_empty() {
            return Err(check_parsed(&parsed, source));
        }
        let checked = crate::check::check(&parsed.playbook, source, SchemaSource::File);
        match checked.model {
            Some(model) if !checked.diagnostics.iter().any(Diagnostic::is_error) => {
                let program = lower(&model);
                Ok(Engine {
                    model,
                    program,
                    warnings: checked.diagnostics,
                })
            }
            _ => Err(checked.diagnostics),
        }
    }

    /// The checked model: fields, journeys, segments, rules, policy.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The warnings `playbook check` shows for this playbook.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decides for one customer, given as column → value pairs written as in an export (the
    /// value grammar of language.md §2 and §11; `as_of` in days, see
    /// [`crate::dates::parse_iso`]). The same binding, cell reader and decision as `eval`; the
    /// record's columns are bound on each call, so for many customers [`Engine::run`] is the
    /// faster way.
    pub fn decide(&self, record: &[(&str, &str)], as_of: i32) -> Result<Decision, DecideError> {
        let header: Vec<String> = record.iter().map(|(k, _)| k.to_string()).collect();
        let binding = bind(&self.program, &header).map_err(DecideError::Columns)?;
        let fields: Vec<&[u8]> = record.iter().map(|(_, v)| v.as_bytes()).collect();
        let numbers = Numbers::new(self.program.decimal_comma, b',');
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(self.program.slots.len());
        let id = crate::data::rows::csv_row(&binding, &fields, fields.len(), numbers, &mut cells)
            .map_err(|e| DecideError::Cell {
            column: e.column.and_then(|c| header.get(c).cloned()),
            message: e.message,
        })?;
        let row = Row { id, cells: &cells };
        let mut outcome = Outcome::default();
        self.program.decide(&row, as_of, &mut outcome, &mut NoTrace);
        Ok(self.program.decision(&row, &outcome))
    }

    /// Decides for every customer of the exports, as `playbook eval` does, writing the
    /// decisions to `decisions` in `options.out_format`; returns the summary. Rejected rows
    /// (with `OnError::Skip`) are passed to `on_reject`.
    pub fn run(
        &self,
        exports: Vec<Input>,
        options: &Options,
        decisions: &mut (dyn std::io::Write + Send),
        on_reject: &mut (dyn FnMut(&crate::data::error::DataError) + Send),
    ) -> Result<Summary, Failure> {
        crate::runner::run(
            &self.model,
            exports,
            options,
            Sinks {
                decisions,
                rejects: None,
                on_reject,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYBOOK: &str = "customer {\n  id text key\n  orders number\n  opted_in bool\n}\nrule loyal when orders >= 10 then surprise\npolicy {\n  suppress when not opted_in\n}\n";

    #[test]
    fn one_record_is_decided_as_eval_decides_it() {
        let engine = Engine::new(PLAYBOOK).expect("checks");
        let as_of = crate::dates::parse_iso("2026-11-23").expect("a date");
        let d = engine
            .decide(
                &[("id", " C1 "), ("orders", "12"), ("opted_in", "ja")],
                as_of,
            )
            .expect("decided");
        assert_eq!(d.customer, "C1");
        assert_eq!(d.actions.len(), 1);
        assert_eq!(d.actions[0].action, "surprise");
        let d = engine
            .decide(
                &[("id", "C2"), ("orders", "12"), ("opted_in", "nee")],
                as_of,
            )
            .expect("decided");
        assert!(d.suppressed && d.actions.is_empty());
    }

    #[test]
    fn a_bad_cell_and_a_missing_column_are_errors() {
        let engine = Engine::new(PLAYBOOK).expect("checks");
        let bad = engine.decide(&[("id", "C1"), ("orders", "12,5"), ("opted_in", "ja")], 0);
        assert!(
            matches!(&bad, Err(DecideError::Cell { column: Some(c), .. }) if c == "orders"),
            "{bad:?}"
        );
        let missing = engine.decide(&[("id", "C1"), ("orders", "1")], 0);
        assert!(matches!(missing, Err(DecideError::Columns(_))));
    }

    #[test]
    fn a_playbook_with_an_error_is_refused() {
        let errors = Engine::new("rule r when x > then y\n")
            .err()
            .expect("refused");
        assert!(errors.iter().any(Diagnostic::is_error));
    }
}
