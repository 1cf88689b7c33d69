//! Checking: names, types and lints. Turns the AST into a resolved [`Model`](crate::check::Model).
//!
//! The checker never stops at the first problem: an unknown name becomes a
//! placeholder of type `Error`, which every later check accepts, so each
//! mistake is reported once and the rest of the file is still checked.

pub mod allow;
mod lints;
pub mod model;
mod names;
mod problems;
mod resolve;
mod rules;
mod schema;
mod test_blocks;
#[cfg(test)]
mod tests;
mod text;

use crate::ast::{self, Playbook, Span};
use crate::diagnostic::{Code, Diagnostic};
pub use model::*;
use problems::Problem;
use std::collections::HashMap;

/// The outcome of checking one playbook.
pub struct Checked {
    /// Present when there are no errors (warnings allowed).
    pub model: Option<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Where field names and types come from when the file has no `customer { … }` block.
pub enum SchemaSource<'a> {
    /// The file's own block (or none: names are then fields of unknown type).
    File,
    /// Inferred from an export's header and values.
    Inferred(&'a [FieldDef]),
    /// For running `test` blocks without a `customer` block: the fields the tests give,
    /// typed by their values; any other name is a field that is always missing.
    FromTests,
}

/// Checks a parsed playbook. `source` is the file's text (for `rule@LINE` names).
pub fn check(playbook: &Playbook, source: &str, schema: SchemaSource<'_>) -> Checked {
    let mut checker = Checker::new(source);
    let model = checker.run(playbook, schema);
    let mut diagnostics = checker.diags;
    diagnostics.extend(crate::syntax::thousands::warnings(source));
    // A warning about a condition that already has an error, or a reversed
    // `between` (`never-fires` for it), says nothing new.
    let covers = |d: &Diagnostic| d.is_error() || d.code == Code::ReversedBetween;
    let errors: Vec<Span> = diagnostics
        .iter()
        .filter(|d| covers(d))
        .map(Diagnostic::span)
        .collect();
    diagnostics.retain(|d| {
        covers(d)
            || !errors
                .iter()
                .any(|e| d.span().start <= e.start && e.end <= d.span().end)
    });
    diagnostics.extend(text::run(source));
    crate::syntax::habits::refine(source, playbook, &mut diagnostics);
    crate::syntax::habits::null_comparisons(source, playbook, &mut diagnostics);
    crate::syntax::habits::padded_texts(playbook, &mut diagnostics);
    allow::apply(source, playbook, &mut diagnostics);
    notes_only_when_clean(&mut diagnostics);
    diagnostics.sort_by_key(|d| (d.span().start, d.severity));
    let model = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        Some(model)
    };
    Checked { model, diagnostics }
}

/// A parsed file checked as every command but `check` checks it: the model when the file
/// has no syntax errors and checks clean, and the diagnostics such a command shows (errors,
/// and the warnings that say the playbook may mean something else than meant).
pub fn check_for_use(
    parsed: &crate::syntax::Parsed,
    source: &str,
    schema: SchemaSource<'_>,
) -> Checked {
    let (model, all) = if parsed.diagnostics.is_empty() {
        let checked = check(&parsed.playbook, source, schema);
        (checked.model, checked.diagnostics)
    } else {
        (None, check_parsed(parsed, source))
    };
    Checked {
        model,
        diagnostics: all
            .into_iter()
            .filter(Diagnostic::shown_outside_check)
            .collect(),
    }
}

/// Every problem in a parsed file: syntax errors, then what checking the items
/// that did parse finds. A finding that a skipped (broken) item may have caused,
/// such as an unknown name that the broken item mentions, is left out.
pub fn check_parsed(parsed: &crate::syntax::Parsed, source: &str) -> Vec<Diagnostic> {
    let mut all = parsed.diagnostics.clone();
    if parsed.playbook.items.is_empty() && !all.is_empty() {
        return all;
    }
    let checked = check(&parsed.playbook, source, SchemaSource::File);
    let skipped: Vec<&str> = parsed
        .skipped
        .iter()
        .filter_map(|s| source.get(s.range()))
        .collect();
    let mentioned = |d: &Diagnostic| {
        let name = source.get(d.span().range()).unwrap_or("").trim_matches('"');
        !name.is_empty() && skipped.iter().any(|text| text.contains(name))
    };
    all.extend(checked.diagnostics.into_iter().filter(|d| {
        match d.code {
            Code::UnknownSegment
            | Code::UnknownStage
            | Code::UnknownJourney
            | Code::UnknownAction
            | Code::UnknownField
            | Code::UnusedSegment => !mentioned(d),
            Code::HoldoutNeedsSalt => !skipped
                .iter()
                .any(|t| t.trim_start().starts_with("playbook")),
            _ => true,
        }
    }));
    let reported = parsed.diagnostics.clone();
    crate::syntax::habits::drop_dashed_uses(source, &reported, &mut all);
    notes_only_when_clean(&mut all);
    all.sort_by_key(|d| (d.span().start, d.severity));
    all
}

/// Notes are for a file without errors: beside an error they are noise, and often wrong (the
/// rule that gives a declared action may be the one that did not parse).
fn notes_only_when_clean(diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.retain(|d| d.severity != crate::diagnostic::Severity::Note);
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(source: &str, offset: u32) -> usize {
    let end = (offset as usize).min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// What a name in the shared namespace of stages, segments and journeys refers to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Named {
    Stage { journey: usize, stage: usize },
    Segment(usize),
    Journey(usize),
}

struct Checker<'s> {
    source: &'s str,
    diags: Vec<Diagnostic>,
    fields: Vec<FieldDef>,
    field_index: HashMap<String, usize>,
    /// Fields whose names were written in quotes: `"Klant type" = "vip"` refers to them.
    quoted_fields: HashMap<String, usize>,
    /// No schema at all: any name is a field of unknown type.
    open_schema: bool,
    names: HashMap<String, (Named, Span)>,
    journeys: Vec<JourneyDef>,
    segments: Vec<SegmentDef>,
    segment_uses: Vec<usize>,
    /// The item being resolved (for cycle detection) and what it uses.
    current: Option<ast_node::Current>,
    deps: Vec<model::Node>,
    journey_deps: Vec<Vec<model::Node>>,
    segment_deps: Vec<Vec<model::Node>>,
    actions: Vec<String>,
    actions_declared: bool,
}

mod ast_node {
    /// The journey or segment whose condition is being resolved.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Current {
        Journey(usize),
        Segment(usize),
    }
}

impl<'s> Checker<'s> {
    fn new(source: &'s str) -> Checker<'s> {
        Checker {
            source,
            diags: Vec::new(),
            fields: Vec::new(),
            field_index: HashMap::new(),
            quoted_fields: HashMap::new(),
            open_schema: false,
            names: HashMap::new(),
            journeys: Vec::new(),
            segments: Vec::new(),
            segment_uses: Vec::new(),
            current: None,
            deps: Vec::new(),
            journey_deps: Vec::new(),
            segment_deps: Vec::new(),
            actions: Vec::new(),
            actions_declared: false,
        }
    }

    fn error(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    fn run(&mut self, playbook: &Playbook, schema: SchemaSource<'_>) -> Model {
        let title = self.title(playbook);
        let key_field = self.schema(playbook, schema);
        self.declare_actions(playbook);
        self.declare_names(playbook);
        self.resolve_journeys(playbook);
        self.resolve_segments(playbook);
        let order = self.order();
        let rules = self.rules(playbook);
        let policy = self.policy(playbook, title.as_deref());
        let tests = self.tests(playbook);
        let model = Model {
            title,
            fields: std::mem::take(&mut self.fields),
            key_field,
            journeys: std::mem::take(&mut self.journeys),
            segments: std::mem::take(&mut self.segments),
            order,
            rules,
            policy,
            tests,
            actions: std::mem::take(&mut self.actions),
        };
        let lints = lints::run(playbook, &model, &self.segment_uses);
        self.diags.extend(lints);
        model
    }

    fn title(&mut self, playbook: &Playbook) -> Option<String> {
        let mut title: Option<&ast::Name> = None;
        for item in &playbook.items {
            if let ast::Item::Title(name) = item {
                match title {
                    Some(first) => self.error(
                        Diagnostic::new(
                            Code::DuplicateItem,
                            name.span,
                            "this playbook has two titles",
                        )
                        .label("second title")
                        .also(first.span, "first title")
                        .help("keep one `playbook \"…\"` line"),
                    ),
                    None => title = Some(name),
                }
            }
        }
        title.map(|t| t.text.clone())
    }

    // ───────────────────────────── names ─────────────────────────────

    fn lookup_field(&self, name: &str) -> Option<usize> {
        self.field_index.get(name).copied()
    }

    fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    fn unknown_field(&self, name: &ast::Name) -> Diagnostic {
        let stage_or_segment = self
            .names
            .get(&name.text)
            .is_some_and(|(n, _)| !matches!(n, Named::Journey(_)));
        Problem::UnknownField {
            name: name.text.clone(),
            span: name.span,
            known: self.field_names().into_iter().map(String::from).collect(),
            stage_or_segment,
        }
        .diagnostic()
    }

    fn lookup_named(&self, name: &str) -> Option<Named> {
        self.names.get(name).map(|(n, _)| *n)
    }

    fn names_of(&self, want: fn(&Named) -> bool) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .names
            .iter()
            .filter(|(_, (n, _))| want(n))
            .map(|(k, _)| k.as_str())
            .collect();
        v.sort();
        v
    }

    /// Records a use of a stage or segment in the condition being resolved.
    fn use_named(&mut self, named: Named, span: Span) {
        match named {
            Named::Segment(i) => {
                if let Some(u) = self.segment_uses.get_mut(i) {
                    *u += 1;
                }
                self.deps.push(model::Node::Segment(i));
            }
            Named::Stage { journey, .. } => {
                if self.current == Some(ast_node::Current::Journey(journey)) {
                    let name = self.journeys[journey].name.clone();
                    self.error(
                        Diagnostic::new(
                            Code::JourneyCycle,
                            span,
                            format!("a stage of journey `{name}` cannot depend on a stage of the same journey"),
                        )
                        .label("refers to its own journey")
                        .help("a funnel stage already requires the stages before it: remove this reference"),
                    );
                } else {
                    self.deps.push(model::Node::Journey(journey));
                }
            }
            Named::Journey(_) => {}
        }
    }

    fn lookup_action(&mut self, name: &ast::Name) -> Option<usize> {
        if let Some(i) = self.actions.iter().position(|a| *a == name.text) {
            return Some(i);
        }
        if self.actions_declared {
            let problem = Problem::UndeclaredAction {
                name: name.text.clone(),
                span: name.span,
                declared: self.actions.clone(),
            };
            self.error(problem.diagnostic());
            return None;
        }
        self.actions.push(name.text.clone());
        Some(self.actions.len() - 1)
    }
}
