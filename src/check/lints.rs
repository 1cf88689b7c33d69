//! Warnings: things that are allowed but almost certainly not meant.
//!
//! Contradictions are found by interval reasoning on numbers and dates
//! (absolute, and relative to the evaluation date for `within`/`ago`) and set
//! reasoning on `one of` words and bools, over the `and`-parts of a condition.

use super::model::*;
use crate::ast::{self, CompareOp, Playbook, PolicyItem};
use crate::diagnostic::{Code, Diagnostic};
use std::collections::HashMap;

pub(super) fn run(playbook: &Playbook, model: &Model, segment_uses: &[usize]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (segment, uses) in model.segments.iter().zip(segment_uses) {
        if *uses == 0 {
            out.push(
                Diagnostic::new(
                    Code::UnusedSegment,
                    segment.span,
                    format!("the segment `{}` is never used", segment.name),
                )
                .label("not used by any rule, stage, policy or test")
                .help(format!(
                    "use it (`when customer in {} then …`) or remove it",
                    crate::syntax::keywords::written(&segment.name)
                )),
            );
        }
    }
    for rule in &model.rules {
        let mut facts = Facts::default();
        if facts.add(&rule.condition, model, 0).is_err() {
            out.push(
                Diagnostic::new(
                    Code::NeverFires,
                    rule.condition.span,
                    format!("the rule `{}` can never fire", rule.name),
                )
                .label("these conditions contradict each other")
                .help("no customer can meet all of them at once: check the numbers and words"),
            );
        }
    }
    for journey in &model.journeys {
        let mut facts = Facts::default();
        for (k, stage) in journey.stages.iter().enumerate() {
            let Some(cond) = &stage.condition else { break };
            if facts.add(cond, model, 0).is_err() {
                let mut diag = Diagnostic::new(
                    Code::UnreachableStage,
                    stage.span,
                    format!("no customer can reach the stage `{}`", stage.name),
                )
                .label("its condition contradicts an earlier stage's");
                if k > 0 {
                    diag = diag.also(
                        journey.stages[k - 1].span,
                        "a customer must meet this stage's condition first",
                    );
                }
                out.push(
                    diag.help("a journey is a funnel: each stage requires every stage before it"),
                );
                break;
            }
        }
    }
    duplicate_rules(playbook, model, &mut out);
    declared_never_given(playbook, model, &mut out);
    undated_tests(playbook, &mut out);
    // A per-action `suppress` naming an action that no rule gives suppresses nothing.
    for policy in playbook.policies() {
        for item in &policy.items {
            if let PolicyItem::Suppress { actions, .. } = item {
                for name in actions {
                    let given = model.rules.iter().any(|r| {
                        r.actions
                            .iter()
                            .any(|a| model.actions[a.action] == name.text)
                    });
                    if !given {
                        let known: Vec<&str> = model
                            .actions
                            .iter()
                            .map(String::as_str)
                            .filter(|a| *a != name.text)
                            .collect();
                        let mut diag = Diagnostic::new(
                            Code::UnusedAction,
                            name.span,
                            format!(
                                "no rule gives the action `{}`, so suppressing it changes nothing",
                                name.text
                            ),
                        )
                        .label("no rule gives this action");
                        diag = match crate::diagnostic::did_you_mean(&name.text, known) {
                            Some(s) => diag.help(format!(
                                "did you mean `{}`?",
                                crate::syntax::keywords::written(s)
                            )),
                            None => diag
                                .help("check the spelling, or remove it from the `suppress` line"),
                        };
                        out.push(diag);
                    }
                }
            }
        }
    }
    for policy in playbook.policies() {
        for item in &policy.items {
            if let PolicyItem::MaxActions { max, span } = item {
                if max.value == 0.0 {
                    out.push(
                        Diagnostic::new(
                            Code::MaxZero,
                            *span,
                            "`max 0 actions` means no customer gets any action",
                        )
                        .label("blocks every action")
                        .help(
                            "to pause all actions, remove the rules; otherwise use `max 1` or more",
                        ),
                    );
                }
            }
        }
    }
    out
}

/// Two rules with the same condition (and `unless`) that give the same action.
/// Rules are bucketed by a fingerprint of their condition first, so this stays fast for thousands.
fn duplicate_rules(playbook: &Playbook, model: &Model, out: &mut Vec<Diagnostic>) {
    let rules: Vec<&ast::Rule> = playbook.rules().collect();
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    for (j, later) in rules.iter().enumerate() {
        let key = fingerprint(&later.condition)
            ^ later
                .unless
                .as_ref()
                .map(fingerprint)
                .unwrap_or(0)
                .rotate_left(1);
        let bucket = buckets.entry(key).or_default();
        for &i in bucket.iter() {
            let earlier = rules[i];
            if earlier.condition != later.condition || earlier.unless != later.unless {
                continue;
            }
            let shared = later
                .actions
                .iter()
                .find(|a| earlier.actions.iter().any(|b| b.name.text == a.name.text));
            if let Some(action) = shared {
                let (first, second) = (&model.rules[i].name, &model.rules[j].name);
                out.push(
                    Diagnostic::new(
                        Code::DuplicateLogic,
                        later.condition.span,
                        format!("the rules `{first}` and `{second}` have the same condition and both give `{}`", action.name.text),
                    )
                    .label("same condition as an earlier rule")
                    .also(earlier.condition.span, "first here")
                    .help("customers would get the action twice: remove one rule or merge them"),
                );
                break;
            }
        }
        bucket.push(j);
    }
}

/// A hash of an expression's structure, ignoring spans (equal expressions hash equal).
fn fingerprint(e: &ast::Expr) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.walk(&mut |node| {
        std::mem::discriminant(&node.kind).hash(&mut h);
        match &node.kind {
            ast::ExprKind::Name(n) => n.text.hash(&mut h),
            ast::ExprKind::Text(t) | ast::ExprKind::Word(t) => t.hash(&mut h),
            ast::ExprKind::Number(n) => n.to_bits().hash(&mut h),
            ast::ExprKind::CustomerIn { target, negated } => {
                target.text.hash(&mut h);
                negated.hash(&mut h);
            }
            ast::ExprKind::Reached(n) => n.text.hash(&mut h),
            ast::ExprKind::Compare { op, .. } => op.hash(&mut h),
            _ => {}
        }
    });
    h.finish()
}

/// A bound on a number or date: value and whether it is included.
#[derive(Clone, Copy, Debug)]
struct Bound {
    value: f64,
    inclusive: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Interval {
    low: Option<Bound>,
    high: Option<Bound>,
}

impl Interval {
    fn add(&mut self, op: CompareOp, value: f64) -> Result<(), ()> {
        let b = |inclusive| Bound { value, inclusive };
        match op {
            CompareOp::Gt => self.raise(b(false)),
            CompareOp::Ge => self.raise(b(true)),
            CompareOp::Lt => self.lower(b(false)),
            CompareOp::Le => self.lower(b(true)),
            CompareOp::Eq => {
                self.raise(b(true));
                self.lower(b(true));
            }
            CompareOp::Ne => {}
        }
        match (self.low, self.high) {
            (Some(l), Some(h)) if l.value > h.value => Err(()),
            (Some(l), Some(h)) if l.value == h.value && !(l.inclusive && h.inclusive) => Err(()),
            _ => Ok(()),
        }
    }

    fn raise(&mut self, b: Bound) {
        match self.low {
            Some(l) if l.value > b.value || (l.value == b.value && !l.inclusive) => {}
            _ => self.low = Some(b),
        }
    }

    fn lower(&mut self, b: Bound) {
        match self.high {
            Some(h) if h.value < b.value || (h.value == b.value && !h.inclusive) => {}
            _ => self.high = Some(b),
        }
    }
}

/// What must hold of each field for a conjunction to be true.
#[derive(Default)]
struct Facts {
    absolute: HashMap<usize, Interval>,
    /// Dates relative to the evaluation date: value = date − as_of, in days.
    relative: HashMap<usize, Interval>,
    /// For `one of` fields (word indices) and bools (0 = false, 1 = true): the values still possible.
    allowed: HashMap<usize, Vec<u32>>,
    missing: HashMap<usize, bool>,
}

type Contradiction = Result<(), ()>;

impl Facts {
    fn add(&mut self, cond: &Cond, model: &Model, depth: u32) -> Contradiction {
        if depth > 8 {
            return Ok(());
        }
        match &cond.kind {
            CondKind::Const(false) => Err(()),
            CondKind::And(items) => items.iter().try_for_each(|c| self.add(c, model, depth)),
            CondKind::InSegment(s) => self.add(&model.segments[*s].condition, model, depth + 1),
            CondKind::InStage { journey, stage } | CondKind::Reached { journey, stage } => {
                for s in &model.journeys[*journey].stages[..=*stage] {
                    if let Some(c) = &s.condition {
                        self.add(c, model, depth + 1)?;
                    }
                }
                Ok(())
            }
            CondKind::Compare { op, left, right } => self.compare(*op, left, right, model),
            CondKind::Not(inner) => match &inner.kind {
                CondKind::Compare { op, left, right } => {
                    self.compare(negate(*op), left, right, model)
                }
                CondKind::IsTrue(v) => self.bool_field(v, false),
                CondKind::Missing { value, negated } => self.missing(value, *negated),
                _ => Ok(()),
            },
            CondKind::IsTrue(v) => self.bool_field(v, true),
            CondKind::Missing { value, negated } => self.missing(value, !*negated),
            CondKind::InList {
                value,
                items,
                negated,
            } => {
                let (ValueKind::Field(f), ValueType::Word(_)) = (&value.kind, value.ty) else {
                    return Ok(());
                };
                let words: Vec<u32> = items
                    .iter()
                    .filter_map(|i| match i.kind {
                        ValueKind::Word(w) => Some(w),
                        _ => None,
                    })
                    .collect();
                self.present(*f)?;
                let all = word_count(model, *f);
                self.restrict(*f, all, |w| words.contains(&w) != *negated)
            }
            CondKind::Within { date, days, future } => {
                let ValueKind::Field(f) = date.kind else {
                    return Ok(());
                };
                self.present(f)?;
                let iv = self.relative.entry(f).or_default();
                if *future {
                    iv.add(CompareOp::Ge, 0.0)?;
                    iv.add(CompareOp::Le, *days)
                } else {
                    iv.add(CompareOp::Le, 0.0)?;
                    iv.add(CompareOp::Ge, -days)
                }
            }
            CondKind::MoreThanAgo { date, days } => {
                let ValueKind::Field(f) = date.kind else {
                    return Ok(());
                };
                self.present(f)?;
                self.relative
                    .entry(f)
                    .or_default()
                    .add(CompareOp::Lt, -days)
            }
            _ => Ok(()),
        }
    }

    fn compare(
        &mut self,
        op: CompareOp,
        left: &Value,
        right: &Value,
        model: &Model,
    ) -> Contradiction {
        let (field, op, constant) = match (&left.kind, &right.kind) {
            (ValueKind::Field(f), _) if right.is_constant() => (*f, op, right),
            (_, ValueKind::Field(f)) if left.is_constant() => (*f, flip(op), left),
            _ => return Ok(()),
        };
        self.present(field)?;
        match &constant.kind {
            ValueKind::Number(n) => self.absolute.entry(field).or_default().add(op, *n),
            ValueKind::Neg(inner) => match inner.kind {
                ValueKind::Number(n) => self.absolute.entry(field).or_default().add(op, -n),
                _ => Ok(()),
            },
            ValueKind::Date(d) => self
                .absolute
                .entry(field)
                .or_default()
                .add(op, f64::from(*d)),
            ValueKind::Word(w) => {
                let w = *w;
                let all = word_count(model, field);
                match op {
                    CompareOp::Eq => self.restrict(field, all, |x| x == w),
                    CompareOp::Ne => self.restrict(field, all, |x| x != w),
                    _ => Ok(()),
                }
            }
            ValueKind::Bool(b) => match op {
                CompareOp::Eq => self.restrict(field, 2, |x| (x == 1) == *b),
                CompareOp::Ne => self.restrict(field, 2, |x| (x == 1) != *b),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn bool_field(&mut self, v: &Value, expected: bool) -> Contradiction {
        let ValueKind::Field(f) = v.kind else {
            return Ok(());
        };
        self.present(f)?;
        self.restrict(f, 2, |x| (x == 1) == expected)
    }

    fn restrict(&mut self, field: usize, all: u32, keep: impl Fn(u32) -> bool) -> Contradiction {
        let allowed = self
            .allowed
            .entry(field)
            .or_insert_with(|| (0..all).collect());
        allowed.retain(|&w| keep(w));
        if allowed.is_empty() {
            Err(())
        } else {
            Ok(())
        }
    }

    fn present(&mut self, field: usize) -> Contradiction {
        self.set_missing(field, false)
    }

    fn missing(&mut self, value: &Value, is_missing: bool) -> Contradiction {
        match value.kind {
            ValueKind::Field(f) => self.set_missing(f, is_missing),
            _ => Ok(()),
        }
    }

    fn set_missing(&mut self, field: usize, is_missing: bool) -> Contradiction {
        match self.missing.insert(field, is_missing) {
            Some(before) if before != is_missing => Err(()),
            _ => Ok(()),
        }
    }
}

fn word_count(model: &Model, field: usize) -> u32 {
    match &model.fields[field].ty {
        Type::OneOf(words) => words.len() as u32,
        Type::Bool => 2,
        _ => 0,
    }
}

/// `a op b` ⇔ `b flip(op) a`
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// `not (a op b)` for present values.
fn negate(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
    }
}

/// An action on an `actions` line that no rule gives: mostly the leftover of a rule that was
/// removed or now gives another action (a misspelling in a rule is `unknown-action` already).
fn declared_never_given(playbook: &Playbook, model: &Model, out: &mut Vec<Diagnostic>) {
    let given = |name: &str| {
        model
            .rules
            .iter()
            .any(|r| r.actions.iter().any(|a| model.actions[a.action] == name))
    };
    let mut seen = std::collections::HashSet::new();
    for decl in playbook.action_decls() {
        for name in &decl.names {
            if !seen.insert(name.text.as_str()) || given(&name.text) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::UnusedDeclaredAction,
                    name.span,
                    format!("no rule gives the declared action `{}`", name.text),
                )
                .label("declared, but no rule gives it")
                .help(format!(
                    "add a rule that gives it (`… then {}`), or remove it from the `actions` line",
                    crate::syntax::keywords::written(&name.text)
                )),
            );
        }
    }
}

/// A test without `as of` in a playbook that reads dates relative to the evaluation date
/// (`within`, `ago`, `anniversary`, `days_since`): it runs as of today, so it may pass today and
/// fail next month, in CI, without any change.
fn undated_tests(playbook: &Playbook, out: &mut Vec<Diagnostic>) {
    let mut relative = false;
    for condition in playbook.conditions() {
        condition.walk(&mut |e| {
            relative |= matches!(
                e.kind,
                ast::ExprKind::Within { .. }
                    | ast::ExprKind::MoreThanAgo { .. }
                    | ast::ExprKind::Anniversary { .. }
                    | ast::ExprKind::Call { .. }
            );
        });
    }
    if !relative {
        return;
    }
    for test in playbook.tests().filter(|t| t.as_of.is_none()) {
        out.push(
            Diagnostic::new(
                Code::UndatedTest,
                test.name.span,
                format!(
                    "the test `{}` has no `as of`, and the playbook reads dates relative to the day it runs",
                    test.name.text
                ),
            )
            .label("runs as of today")
            .help(format!(
                "give it the day its expectations hold: `test \"{}\" as of 2026-11-23 {{ … }}`; as it is, it may pass today and fail next month",
                test.name.text
            )),
        );
    }
}
