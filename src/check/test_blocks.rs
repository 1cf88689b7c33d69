//! `test` blocks: the `given` customer's cells and the `expect` lines.

use super::model::*;
use super::problems::suggestion_help;
use super::problems::{NameKind, Problem};
use super::{Checker, Named};
use crate::ast::{self, Playbook, Span};
use crate::dates::checked_days;
use crate::diagnostic::{Code, Diagnostic};

impl Checker<'_> {
    pub(super) fn tests(&mut self, playbook: &Playbook) -> Vec<TestDef> {
        let mut tests = Vec::new();
        for test in playbook.tests() {
            let as_of = test.as_of.and_then(|(d, span)| self.date_literal(d, span));
            let mut given = Vec::new();
            let mut columns = Vec::new();
            for entry in &test.given {
                let field = self
                    .lookup_field(&entry.key.text)
                    .or_else(|| self.fields.iter().position(|f| f.column == entry.key.text));
                match field {
                    Some(i) => {
                        if let Some(cell) = self.given_cell(i, &entry.value, entry.span) {
                            given.push((i, cell));
                        }
                    }
                    None => match given_text(&entry.value) {
                        Some(text) => {
                            self.given_column(&entry.key, &text, entry.span);
                            columns.push((entry.key.text.clone(), text));
                        }
                        None if !self.open_schema => {
                            let known = self.field_names();
                            let mut diag = Diagnostic::new(
                                Code::TestValue,
                                entry.span,
                                format!("`{}` is not a field, and a column value must be a single word or text", entry.key.text),
                            );
                            if let Some(help) = suggestion_help(&entry.key.text, "field", &known) {
                                diag = diag.help(help);
                            }
                            self.error(diag);
                        }
                        None => {}
                    },
                }
            }
            let expectations = test
                .expectations
                .iter()
                .filter_map(|e| {
                    Some(Expect {
                        kind: self.expectation(&e.kind)?,
                        span: e.span,
                    })
                })
                .collect();
            tests.push(TestDef {
                name: test.name.text.clone(),
                as_of,
                given,
                columns,
                expectations,
                span: test.span,
            });
        }
        tests
    }

    fn given_cell(
        &mut self,
        field: usize,
        value: &ast::GivenValue,
        span: Span,
    ) -> Option<GivenCell> {
        use ast::GivenValue as G;
        let ty = self.fields[field].ty.clone();
        let cell = match (&ty, value) {
            (_, G::Null) => Some(GivenCell::Missing),
            (Type::Text, G::Text(t) | G::Word(t)) => Some(GivenCell::Text(t.clone())),
            (Type::Text, G::Number(n)) => Some(GivenCell::Text(n.to_string())),
            (Type::Number, G::Number(n)) => Some(GivenCell::Number(*n)),
            (Type::Bool, G::Bool(b)) => Some(GivenCell::Bool(*b)),
            (Type::Bool, G::Number(n)) if *n == 0.0 || *n == 1.0 => {
                Some(GivenCell::Bool(*n == 1.0))
            }
            (Type::Bool, G::Word(w) | G::Text(w)) => {
                crate::row::words::parse_bool(w).map(GivenCell::Bool)
            }
            (Type::Date, G::Date(d)) => self.date_literal(*d, span).map(GivenCell::Date),
            (Type::Date, G::Text(t)) => match &self.fields[field].format {
                Some(f) => f.parse_date(t),
                None => crate::dates::parse_iso(t),
            }
            .map(GivenCell::Date),
            (Type::OneOf(words), G::Word(w) | G::Text(w)) => {
                let lower = w.to_lowercase();
                match words.iter().position(|x| x.to_lowercase() == lower) {
                    Some(i) => Some(GivenCell::Word(i as u32)),
                    None => {
                        let known: Vec<&str> = words.iter().map(String::as_str).collect();
                        let mut diag = Diagnostic::new(
                            Code::UnknownWord,
                            span,
                            format!(
                                "`{w}` is not one of the words of `{}`",
                                self.fields[field].name
                            ),
                        );
                        if let Some(help) = crate::diagnostic::suggestion_help(w, "word", &known) {
                            diag = diag.help(help);
                        }
                        self.error(diag);
                        return None;
                    }
                }
            }
            (Type::ListOfText, G::List(items)) => items
                .iter()
                .map(|i| match i {
                    G::Text(t) | G::Word(t) => Some(t.clone()),
                    G::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(GivenCell::List),
            (Type::ListOfText, G::Text(t) | G::Word(t)) => {
                Some(GivenCell::List(crate::row::words::split_list(t)))
            }
            _ => None,
        };
        if cell.is_none() {
            let f = &self.fields[field];
            let example = match &f.ty {
                Type::Text => "\"text\"".to_string(),
                Type::Number => "12".to_string(),
                Type::Bool => "true".to_string(),
                Type::Date => "2026-11-23".to_string(),
                Type::OneOf(w) => w.first().cloned().unwrap_or_default(),
                Type::ListOfText => "[\"a\", \"b\"]".to_string(),
            };
            let name = f.name.clone();
            let ty = f.ty.describe();
            if !self
                .diags
                .iter()
                .any(|d| d.span() == span && d.code == Code::InvalidDate)
            {
                self.error(
                    Diagnostic::new(
                        Code::TestValue,
                        span,
                        format!("`{name}` is a {ty} field; this value does not fit"),
                    )
                    .label("wrong type")
                    .help(format!(
                        "write a {ty} value, e.g. `{}: {example}`",
                        crate::syntax::keywords::written(&name)
                    )),
                );
            }
        }
        cell
    }

    /// A test value for a column that is not a field: a `from column` journey's stage is
    /// checked against its stages; a key close to a field's name is probably misspelt.
    fn given_column(&mut self, key: &ast::Name, value: &str, span: Span) {
        if let Some(journey) = self
            .journeys
            .iter()
            .find(|j| j.column.as_deref() == Some(key.text.as_str()))
        {
            let lower = value.trim().to_lowercase();
            if !lower.is_empty()
                && !journey
                    .stages
                    .iter()
                    .any(|s| s.name.to_lowercase() == lower)
            {
                let known: Vec<&str> = journey.stages.iter().map(|s| s.name.as_str()).collect();
                let mut diag = Diagnostic::new(
                    Code::TestValue,
                    span,
                    format!("`{value}` is not a stage of the journey `{}`", journey.name),
                );
                if let Some(help) = suggestion_help(value, "stage", &known) {
                    diag = diag.help(help);
                }
                self.error(diag);
            }
            return;
        }
        if self.open_schema || matches!(key.text.as_str(), "id" | "customer_id") {
            return;
        }
        let known = self.field_names();
        // Near a field: probably misspelt. Far from every field: still nothing reads it (issue
        // 18: a `given` key that is neither a field nor a column a journey reads is a warning).
        let help = match crate::diagnostic::did_you_mean(&key.text, known.iter().copied()) {
            Some(close) => {
                let close = crate::syntax::keywords::written(close);
                format!("did you mean `{close}`? (as written, `{close}` stays missing in this test)")
            }
            None => match known.len() {
                0 => "a `given` key names a field of the `customer` block".to_string(),
                1..=8 => format!(
                    "a `given` key names a field: {}",
                    known
                        .iter()
                        .map(|k| format!("`{}`", crate::syntax::keywords::written(k)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => "a `given` key names a field of the `customer` block, or the column of a `from column` journey".to_string(),
            },
        };
        self.error(
            Diagnostic::new(
                Code::GivenColumn,
                key.span,
                format!(
                    "`{}` is not a field, so it is read as a column that nothing uses",
                    key.text
                ),
            )
            .label("not a field")
            .help(help),
        );
    }

    pub(super) fn date_literal(&mut self, d: ast::DateLit, span: Span) -> Option<i32> {
        let days = checked_days(d.year, d.month, d.day);
        if days.is_none() {
            // `2013-23-11`: the day and the month the other way round.
            let swapped = (d.month > 12 && checked_days(d.year, d.day, d.month).is_some())
                .then(|| format!("{:04}-{:02}-{:02}", d.year, d.day, d.month));
            let help = match swapped {
                Some(iso) => {
                    format!("the month comes before the day (year-month-day): write `{iso}`")
                }
                None => "write a real date as YYYY-MM-DD".to_string(),
            };
            self.error(
                Diagnostic::new(
                    Code::InvalidDate,
                    span,
                    format!("{d} is not a date in the calendar"),
                )
                .label("no such date")
                .help(help),
            );
        }
        days
    }

    fn expectation(&mut self, kind: &ast::ExpectKind) -> Option<ExpectDef> {
        use ast::ExpectKind as E;
        Some(match kind {
            E::Stage(name) => match self.lookup_named(&name.text) {
                Some(Named::Stage { journey, stage }) => ExpectDef::Stage { journey, stage },
                _ => {
                    self.unknown_named(name, NameKind::Stage, |n| matches!(n, Named::Stage { .. }));
                    return None;
                }
            },
            E::NoStage(None) => ExpectDef::NoStage(None),
            E::NoStage(Some(name)) => match self.lookup_named(&name.text) {
                Some(Named::Journey(j)) => ExpectDef::NoStage(Some(j)),
                _ => {
                    self.unknown_named(name, NameKind::Journey, |n| matches!(n, Named::Journey(_)));
                    return None;
                }
            },
            E::Action(name) | E::NoAction(name) | E::Holdout(name) => {
                let known = self.actions.iter().position(|a| *a == name.text);
                let Some(action) = known else {
                    let problem = Problem::NoRuleGives {
                        name: name.text.clone(),
                        span: name.span,
                        given: self.actions.clone(),
                    };
                    self.error(problem.diagnostic());
                    return None;
                };
                match kind {
                    E::Action(_) => ExpectDef::Action(action),
                    E::NoAction(_) => ExpectDef::NoAction(action),
                    _ => ExpectDef::Holdout(action),
                }
            }
            E::NoActions => ExpectDef::NoActions,
            E::Suppressed => ExpectDef::Suppressed(true),
            E::NotSuppressed => ExpectDef::Suppressed(false),
            E::Segment(name) | E::NoSegment(name) => match self.lookup_named(&name.text) {
                Some(Named::Segment(s)) => {
                    if let Some(u) = self.segment_uses.get_mut(s) {
                        *u += 1;
                    }
                    ExpectDef::Segment(s, matches!(kind, E::Segment(_)))
                }
                _ => {
                    self.unknown_named(name, NameKind::Segment, |n| matches!(n, Named::Segment(_)));
                    return None;
                }
            },
        })
    }
}

/// A given value for a column that is not a field: a word or a text.
fn given_text(value: &ast::GivenValue) -> Option<String> {
    match value {
        ast::GivenValue::Text(t) | ast::GivenValue::Word(t) => Some(t.clone()),
        ast::GivenValue::Number(n) => Some(n.to_string()),
        ast::GivenValue::Bool(b) => Some(b.to_string()),
        ast::GivenValue::Date(d) => Some(d.to_string()),
        ast::GivenValue::Null => Some(String::new()),
        ast::GivenValue::List(_) => None,
    }
}
