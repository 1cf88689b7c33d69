//! What the language server knows about one text. THE ONLY FILE OF `lsp` THAT CALLS THE
//! CRATE'S INTERNALS (`syntax`, `check`, `ast`, `diagnostic`, `fmt`): everything else in
//! `lsp` works on the plain facts gathered here, byte offsets into the text.
//!
//! Calls into the crate: `syntax::parse`, `syntax::RESERVED`, `check::check_parsed`,
//! `fmt::format`, `cli::check::export_diagnostics` (`check --data`'s diagnostics),
//! `cli::check::export_summary` (`eval --coverage`'s counts, for code lenses),
//! `cli::check::explain_customer` (`playbook explain`'s text), the `ast` types,
//! `diagnostic::{Code, Diagnostic, Severity}`.

use crate::ast::{self, ExpectKind, ExprKind, FieldType, Item, PolicyItem};
use crate::diagnostic::{Code, Diagnostic, Severity};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Field,
    Journey,
    Stage,
    Segment,
    Action,
    Rule,
    Test,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Field => "field",
            Kind::Journey => "journey",
            Kind::Stage => "stage",
            Kind::Segment => "segment",
            Kind::Action => "action",
            Kind::Rule => "rule",
            Kind::Test => "test",
        }
    }
}

/// A name written in the text: its definition, or a use.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    pub kind: Kind,
    pub name: String,
    /// The name as written, quotes included.
    pub span: Range<usize>,
    pub is_def: bool,
}

/// A problem, as `playbook check` reports it (the same code, message and help).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// `playbook::unknown-field`.
    pub code: String,
    pub error: bool,
    /// Worth knowing, no mistake (shown as a hint, greyed out).
    pub note: bool,
    pub message: String,
    pub help: Option<String>,
    pub span: Range<usize>,
    /// The other labelled places (e.g. the first definition of a duplicate).
    pub related: Vec<(Range<usize>, String)>,
    /// The name a `did you mean` help suggests.
    pub suggestion: Option<String>,
    /// The unknown action an `unknown-action` error names.
    pub unknown_action: Option<String>,
}

/// An entry of the outline: a block or a name, with what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub kind: Kind,
    pub name: String,
    pub detail: Option<String>,
    pub span: Range<usize>,
    pub name_span: Range<usize>,
    pub children: Vec<Symbol>,
}

/// A field of the `customer` block.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldFacts {
    pub name: String,
    /// `number`, `one of a, b`, `list of text`…
    pub ty: String,
    pub optional: bool,
    pub key: bool,
    pub column: String,
    /// The words of a `one of` field.
    pub words: Vec<String>,
}

/// Everything the server answers from, for one version of a text.
#[derive(Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub occurrences: Vec<Occurrence>,
    pub outline: Vec<Symbol>,
    pub fields: Vec<FieldFacts>,
    /// Hover text (Markdown) of each defined name.
    pub about: Vec<(Kind, String, String)>,
    /// Multi-line blocks (folding ranges).
    pub blocks: Vec<Range<usize>>,
    /// Where a new action name goes: just after the last name of the `actions` list.
    pub actions_end: Option<usize>,
    /// Why the sample export could not be read.
    pub export_error: Option<String>,
}

impl Analysis {
    /// The facts of a text; with a sample export, also what `check --data EXPORT` finds
    /// (missing columns), as long as the text has no errors of its own.
    pub fn new(text: &str, export: Option<&Path>) -> Analysis {
        let parsed = crate::syntax::parse(text);
        let mut findings: Vec<Finding> = crate::check::check_parsed(&parsed, text)
            .iter()
            .map(|d| finding(d, text))
            .collect();
        let mut export_error = None;
        if let Some(export) = export.filter(|_| !findings.iter().any(|f| f.error)) {
            match crate::cli::check::export_diagnostics(text, export) {
                Ok(more) => findings.extend(more.iter().map(|d| finding(d, text))),
                Err(e) => export_error = Some(e),
            }
        }
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let mut facts = Facts {
            text,
            line_starts,
            out: Analysis {
                findings,
                export_error,
                ..Analysis::default()
            },
        };
        facts.gather(&parsed.playbook);
        facts.out
    }

    /// The names of a kind, each once, in the order first written.
    pub fn names(&self, kind: Kind) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.occurrences
            .iter()
            .filter(|o| o.kind == kind && seen.insert(o.name.as_str()))
            .map(|o| o.name.as_str())
            .collect()
    }

    /// The name written at a byte offset (its end included, where the cursor stands after it).
    pub fn occurrence_at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset <= o.span.end)
    }

    /// Every occurrence of the same name and kind, definitions first.
    pub fn same(&self, kind: Kind, name: &str) -> Vec<&Occurrence> {
        let mut out: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| o.kind == kind && o.name == name)
            .collect();
        out.sort_by_key(|o| (!o.is_def, o.span.start));
        out
    }

    pub fn about(&self, kind: Kind, name: &str) -> Option<&str> {
        self.about
            .iter()
            .find(|(k, n, _)| *k == kind && n == name)
            .map(|(_, _, text)| text.as_str())
    }
}

/// A count over the sample export, shown above a stage, segment or rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Lens {
    pub kind: Kind,
    pub name: String,
    pub title: String,
}

/// What `eval --coverage` counts over the sample export, today: customers per stage and
/// segment, rules fired and held out, and how many of each condition came out unknown.
pub fn counts(text: &str, export: &Path) -> Result<Vec<Lens>, String> {
    let summary = crate::cli::check::export_summary(text, export)?;
    let unknown = |kind: &str, name: &str| {
        summary
            .coverage
            .iter()
            .flatten()
            .find(|c| c.kind == kind && c.name == name)
            .map_or(0, |c| c.unknown)
    };
    let all = summary.evaluated;
    let mut out = Vec::new();
    for journey in &summary.journeys {
        for stage in &journey.stages {
            let unknown = unknown("stage", &format!("{}.{}", journey.journey, stage.name));
            out.push(Lens {
                kind: Kind::Stage,
                name: stage.name.clone(),
                title: format!("{} of {all} customers · {unknown} unknown", stage.customers),
            });
        }
    }
    for segment in &summary.segments {
        let unknown = unknown("segment", &segment.name);
        out.push(Lens {
            kind: Kind::Segment,
            name: segment.name.clone(),
            title: format!(
                "{} of {all} customers · {unknown} unknown",
                segment.customers
            ),
        });
    }
    for rule in &summary.rules {
        let unknown = unknown("rule", &rule.rule);
        out.push(Lens {
            kind: Kind::Rule,
            name: rule.rule.clone(),
            title: format!(
                "fired for {} of {all} customers · {} held out · {unknown} unknown",
                rule.fired, rule.held_out
            ),
        });
    }
    Ok(out)
}

/// `playbook explain`'s text for one customer of the sample export.
pub fn explain(text: &str, export: &Path, customer: &str) -> Result<String, String> {
    crate::cli::check::explain_customer(text, export, customer)
}

/// The canonical layout of a text (`playbook fmt`); `None` when it does not parse.
pub fn format(text: &str) -> Option<String> {
    crate::fmt::format(text).ok()
}

/// The name of a finding's suggestion in `did you mean `X`?` (`X` is written as the language
/// needs it, so a quoted one is unquoted here).
fn suggestion(help: Option<&str>) -> Option<String> {
    let rest = help?.strip_prefix("did you mean `")?;
    let end = rest.find("`?")?;
    let written = &rest[..end];
    match written.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        Some(quoted) => Some(quoted.replace("\\\"", "\"").replace("\\\\", "\\")),
        None => Some(written.to_string()),
    }
}

fn finding(d: &Diagnostic, text: &str) -> Finding {
    let span = d.span().range();
    let unknown_action = (d.code == Code::UnknownAction)
        .then(|| text.get(span.clone()))
        .flatten()
        .map(|t| t.trim_matches('"').to_string());
    Finding {
        code: d.code.to_string(),
        error: d.severity == Severity::Error,
        note: d.severity == Severity::Note,
        message: d.message.clone(),
        help: d.help.clone(),
        span,
        related: d
            .labels
            .iter()
            .skip(1)
            .map(|l| (l.span.range(), l.text.clone().unwrap_or_default()))
            .collect(),
        // A column's suggestion is for the export (or a `from`), not a name to replace.
        suggestion: suggestion(d.help.as_deref())
            .filter(|_| !matches!(d.code, Code::MissingColumn | Code::NearColumn)),
        unknown_action,
    }
}

/// Gathers names, outline and hover texts from the syntax tree.
struct Facts<'t> {
    text: &'t str,
    /// Where each line starts.
    line_starts: Vec<usize>,
    out: Analysis,
}

impl Facts<'_> {
    fn gather(&mut self, playbook: &ast::Playbook) {
        // Definitions first, so that uses can tell a field from a word.
        for item in &playbook.items {
            self.define(item);
        }
        let stages: Vec<String> = self
            .out
            .names(Kind::Stage)
            .iter()
            .map(|s| s.to_string())
            .collect();
        let segments: Vec<String> = self
            .out
            .names(Kind::Segment)
            .iter()
            .map(|s| s.to_string())
            .collect();
        let open_schema = playbook.schemas().next().is_none();
        let uses = Uses {
            fields: self.out.fields.iter().map(|f| f.name.clone()).collect(),
            open_schema,
            stages,
            segments,
        };
        for item in &playbook.items {
            self.uses_in(item, &uses);
        }
        self.actions_about(playbook);
        for item in &playbook.items {
            let span = item.span().range();
            if self
                .text
                .get(span.clone())
                .is_some_and(|t| t.contains('\n'))
            {
                self.out.blocks.push(span);
            }
        }
    }

    fn snippet(&self, span: ast::Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    fn occur(&mut self, kind: Kind, name: &ast::Name, is_def: bool) {
        self.out.occurrences.push(Occurrence {
            kind,
            name: name.text.clone(),
            span: name.span.range(),
            is_def,
        });
    }

    fn symbol(kind: Kind, name: &ast::Name, span: ast::Span, detail: Option<String>) -> Symbol {
        Symbol {
            kind,
            name: name.text.clone(),
            detail,
            span: span.range(),
            name_span: name.span.range(),
            children: Vec::new(),
        }
    }

    fn define(&mut self, item: &Item) {
        match item {
            Item::Schema(schema) => self.schema(schema),
            Item::Journey(j) => self.journey(j),
            Item::Segment(s) => {
                self.occur(Kind::Segment, &s.name, true);
                let about = format!(
                    "**segment** `{}`\n\n```playbook\n{}\n```",
                    s.name.text,
                    self.snippet(s.span)
                );
                self.out
                    .about
                    .push((Kind::Segment, s.name.text.clone(), about));
                let detail = Some(self.snippet(s.condition.span).to_string());
                self.out
                    .outline
                    .push(Self::symbol(Kind::Segment, &s.name, s.span, detail));
            }
            Item::Actions(decl) => {
                for name in &decl.names {
                    self.occur(Kind::Action, name, true);
                }
                if self.out.actions_end.is_none() {
                    self.out.actions_end = decl.names.last().map(|n| n.span.end as usize);
                }
            }
            Item::Rule(rule) => self.rule(rule),
            Item::Test(test) => {
                self.occur(Kind::Test, &test.name, true);
                self.out
                    .outline
                    .push(Self::symbol(Kind::Test, &test.name, test.span, None));
            }
            Item::Title(_) | Item::Policy(_) => {}
        }
    }

    fn schema(&mut self, schema: &ast::Schema) {
        let mut block = Symbol {
            kind: Kind::Field,
            name: "customer".to_string(),
            detail: None,
            span: schema.span.range(),
            name_span: schema.span.start as usize..schema.span.start as usize + 8,
            children: Vec::new(),
        };
        for field in &schema.fields {
            self.occur(Kind::Field, &field.name, true);
            let words = match &field.ty {
                FieldType::OneOf(words) => words.iter().map(|w| w.text.clone()).collect(),
                _ => Vec::new(),
            };
            let ty = match &field.ty {
                FieldType::Text => "text".to_string(),
                FieldType::Number => "number".to_string(),
                FieldType::Bool => "bool".to_string(),
                FieldType::Date => "date".to_string(),
                FieldType::ListOfText => "list of text".to_string(),
                FieldType::OneOf(_) => format!("one of {}", words.join(", ")),
            };
            let facts = FieldFacts {
                name: field.name.text.clone(),
                ty: ty.clone(),
                optional: !field.optional.is_empty(),
                key: !field.key.is_empty(),
                column: field
                    .column
                    .first()
                    .map_or_else(|| field.name.text.clone(), |c| c.0.clone()),
                words,
            };
            let about = format!(
                "**field** `{}`: {}, {}{}\n\nread from the column `{}`",
                facts.name,
                facts.ty,
                if facts.optional {
                    "optional (may be missing)"
                } else {
                    "required"
                },
                if facts.key { ", the key" } else { "" },
                facts.column
            );
            self.out
                .about
                .push((Kind::Field, facts.name.clone(), about));
            block
                .children
                .push(Self::symbol(Kind::Field, &field.name, field.span, Some(ty)));
            self.out.fields.push(facts);
        }
        self.out.outline.push(block);
    }

    fn journey(&mut self, j: &ast::Journey) {
        self.occur(Kind::Journey, &j.name, true);
        let mut symbol = Self::symbol(Kind::Journey, &j.name, j.span, None);
        let names: Vec<String> = j
            .stages
            .iter()
            .map(|s| format!("`{}`", s.name.text))
            .collect();
        let about = format!(
            "**journey** `{}`: stages {}",
            j.name.text,
            names.join(" → ")
        );
        self.out
            .about
            .push((Kind::Journey, j.name.text.clone(), about));
        for stage in &j.stages {
            self.occur(Kind::Stage, &stage.name, true);
            let condition = stage
                .condition
                .as_ref()
                .map(|c| self.snippet(c.span).to_string());
            let when = match (&condition, &j.column) {
                (Some(c), _) => format!("\n\n```playbook\nwhen {c}\n```"),
                (None, Some(col)) => format!("\n\nread from the column `{}`", col.text),
                (None, None) => String::new(),
            };
            let about = format!(
                "**stage** `{}` of the journey `{}`{when}",
                stage.name.text, j.name.text
            );
            self.out
                .about
                .push((Kind::Stage, stage.name.text.clone(), about));
            symbol.children.push(Self::symbol(
                Kind::Stage,
                &stage.name,
                stage.span,
                condition,
            ));
        }
        self.out.outline.push(symbol);
    }

    fn rule(&mut self, rule: &ast::Rule) {
        let priority = rule
            .priority
            .first()
            .map(|p| self.snippet(p.span).to_string());
        let holdout = rule.holdout.first().map(|h| format!("{}%", h.percent));
        let facts = format!(
            "priority {}, holdout {}",
            priority.as_deref().unwrap_or("none"),
            holdout.as_deref().unwrap_or("none")
        );
        match &rule.name {
            Some(name) => {
                self.occur(Kind::Rule, name, true);
                let about = format!("**rule** `{}`: {facts}", name.text);
                self.out.about.push((Kind::Rule, name.text.clone(), about));
                self.out
                    .outline
                    .push(Self::symbol(Kind::Rule, name, rule.span, Some(facts)));
            }
            None => {
                let line = self.line(rule.when_span.start);
                let name = ast::Name {
                    text: format!("rule@{line}"),
                    quoted: false,
                    span: rule.when_span,
                };
                self.out
                    .outline
                    .push(Self::symbol(Kind::Rule, &name, rule.span, Some(facts)));
            }
        }
    }

    /// Hover of each action: the rules that give it.
    fn actions_about(&mut self, playbook: &ast::Playbook) {
        let mut givers: HashMap<&str, Vec<String>> = HashMap::new();
        for rule in playbook.rules() {
            let rule_name = match &rule.name {
                Some(n) => format!("`{}` (line {})", n.text, self.line(rule.span.start)),
                None => format!("`rule@{}`", self.line(rule.when_span.start)),
            };
            for call in &rule.actions {
                givers
                    .entry(call.name.text.as_str())
                    .or_default()
                    .push(rule_name.clone());
            }
        }
        let actions: Vec<String> = self
            .out
            .names(Kind::Action)
            .iter()
            .map(|a| a.to_string())
            .collect();
        for action in actions {
            let about = match givers.get(action.as_str()) {
                Some(rules) => format!("**action** `{action}`, given by {}", rules.join(", ")),
                None => format!("**action** `{action}`: no rule gives it"),
            };
            self.out.about.push((Kind::Action, action, about));
        }
    }

    /// The 1-based line of a byte offset, as `check::line_of` counts (it names `rule@LINE`),
    /// from an index: scanning the text for each of 5,000 rules would take seconds.
    fn line(&self, offset: u32) -> usize {
        self.line_starts.partition_point(|&s| s <= offset as usize)
    }

    fn uses_in(&mut self, item: &Item, uses: &Uses) {
        match item {
            Item::Journey(j) => {
                for c in j.stages.iter().filter_map(|s| s.condition.as_ref()) {
                    self.expr(c, uses);
                }
            }
            Item::Segment(s) => self.expr(&s.condition, uses),
            Item::Policy(p) => {
                for entry in &p.items {
                    if let PolicyItem::Suppress {
                        actions, condition, ..
                    } = entry
                    {
                        for a in actions {
                            self.occur(Kind::Action, a, false);
                        }
                        self.expr(condition, uses);
                    }
                }
            }
            Item::Rule(r) => {
                self.expr(&r.condition, uses);
                if let Some(u) = &r.unless {
                    self.expr(u, uses);
                }
                for call in &r.actions {
                    self.occur(Kind::Action, &call.name, false);
                    if let Some(via) = &call.via {
                        self.occur(Kind::Field, via, false);
                    }
                }
            }
            Item::Test(t) => self.test(t),
            Item::Title(_) | Item::Schema(_) | Item::Actions(_) => {}
        }
    }

    fn test(&mut self, t: &ast::Test) {
        for given in &t.given {
            self.occur(Kind::Field, &given.key, false);
        }
        for e in &t.expectations {
            let (kind, name) = match &e.kind {
                ExpectKind::Stage(n) => (Kind::Stage, n),
                ExpectKind::NoStage(Some(n)) => (Kind::Journey, n),
                ExpectKind::Action(n) | ExpectKind::NoAction(n) | ExpectKind::Holdout(n) => {
                    (Kind::Action, n)
                }
                ExpectKind::Segment(n) | ExpectKind::NoSegment(n) => (Kind::Segment, n),
                _ => continue,
            };
            self.occur(kind, name, false);
        }
    }

    fn expr(&mut self, expr: &ast::Expr, uses: &Uses) {
        let mut found: Vec<(Kind, ast::Name)> = Vec::new();
        expr.walk(&mut |e| match &e.kind {
            ExprKind::Name(n) if uses.open_schema || uses.fields.contains(&n.text) => {
                found.push((Kind::Field, n.clone()))
            }
            ExprKind::CustomerIn { target, .. } => {
                let kind = if uses.stages.contains(&target.text) {
                    Kind::Stage
                } else if uses.segments.contains(&target.text) {
                    Kind::Segment
                } else {
                    Kind::Journey
                };
                found.push((kind, target.clone()));
            }
            ExprKind::Reached(n) => found.push((Kind::Stage, n.clone())),
            _ => {}
        });
        for (kind, name) in found {
            self.occur(kind, &name, false);
        }
    }
}

/// The names a use may refer to.
struct Uses {
    fields: Vec<String>,
    open_schema: bool,
    stages: Vec<String>,
    segments: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "customer {\n  orders number\n  tier one of gold, silver\n}\n\
        journey j {\n  stage new when orders >= 1\n}\n\
        segment vip = tier = gold\n\
        actions welcome, thanks\n\
        rule \"hello\"\n  when customer in vip and customer reached new\n  then welcom\n  priority 2\n";

    #[test]
    fn names_are_found_with_their_kind() {
        let a = Analysis::new(TEXT, None);
        assert_eq!(a.names(Kind::Field), ["orders", "tier"]);
        assert_eq!(a.names(Kind::Stage), ["new"]);
        assert_eq!(a.names(Kind::Segment), ["vip"]);
        assert_eq!(a.names(Kind::Action), ["welcome", "thanks", "welcom"]);
        let uses = a.same(Kind::Field, "orders");
        assert_eq!(uses.len(), 2);
        assert!(uses[0].is_def);
        assert!(a
            .about(Kind::Rule, "hello")
            .is_some_and(|t| t.contains("priority 2")));
        assert_eq!(a.fields[1].words, ["gold", "silver"]);
    }

    #[test]
    fn findings_carry_did_you_mean_and_the_unknown_action() {
        let a = Analysis::new(TEXT, None);
        let f = a
            .findings
            .iter()
            .find(|f| f.code == "playbook::unknown-action")
            .expect("the misspelt action");
        assert_eq!(f.suggestion.as_deref(), Some("welcome"));
        assert_eq!(f.unknown_action.as_deref(), Some("welcom"));
        assert_eq!(
            &TEXT[a.actions_end.unwrap_or(0) - 6..a.actions_end.unwrap_or(0)],
            "thanks"
        );
    }
}
