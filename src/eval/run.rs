//! Deciding for one customer: journeys, segments, rules, policy.
//!
//! Works on borrowed cells and reuses the caller's [`Outcome`], so a run over
//! millions of rows allocates nothing per row (except lower-casing non-ASCII
//! text, which is rare).

use super::program::*;
use crate::ast::{ArithOp, CompareOp, TextOp};
use crate::dates::Anniversaries;
use crate::row::{Cell, ListCell, Row};
use md5::{Digest, Md5};

/// An action in a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fired {
    pub rule: u32,
    /// Index into the rule's actions.
    pub action: u32,
    pub holdout: bool,
}

/// Why an action that fired is not in the decision (for explain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    Suppressed,
    OverMax,
}

/// The decision for one customer, as indices into the program.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub stages: Vec<Option<u16>>,
    pub segments: Vec<bool>,
    pub suppressed: bool,
    /// Kept actions in firing order.
    pub actions: Vec<Fired>,
    /// Actions that fired but were dropped (suppressed per action, or cut by `max`).
    pub dropped: Vec<(Fired, Dropped)>,
    /// Rules whose condition held (and `unless` did not): the summary counts them.
    pub rules_fired: Vec<u32>,
    /// Per rule: not ruled out by its guard (scratch space, reused per row).
    screen: Vec<bool>,
    /// Anniversaries as of the last row's date (kept across rows).
    anniversaries: Option<Anniversaries>,
}

/// Receives the value of every condition node evaluated (explain); the default does nothing.
pub trait Tracer {
    /// Whether it sees every node: then no test may be skipped.
    const SEES_NODES: bool = true;
    #[inline]
    fn node(&mut self, _id: u32, _value: Tri) {}
}

/// No tracing: compiles away.
pub struct NoTrace;
impl Tracer for NoTrace {
    const SEES_NODES: bool = false;
}

/// A value during evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val<'r> {
    Missing,
    Number(f64),
    Bool(bool),
    Date(i32),
    Word(u32),
    Text(&'r str),
    Const(&'r str, &'r str),
    List(ListCell<'r>),
}

/// The run's fixed inputs.
pub struct Ctx<'p, 'r> {
    pub program: &'p Program,
    pub row: &'r Row<'r>,
    pub as_of: i32,
    pub stages: &'r [Option<u16>],
    pub segments: &'r [bool],
    pub anniversaries: &'r Anniversaries,
}

impl Program {
    /// Decides for one customer into `out` (cleared first).
    pub fn decide<T: Tracer>(&self, row: &Row<'_>, as_of: i32, out: &mut Outcome, tracer: &mut T) {
        out.stages.clear();
        out.stages.resize(self.journeys.len(), None);
        out.segments.clear();
        out.segments.resize(self.segments.len(), false);
        out.actions.clear();
        out.dropped.clear();
        out.rules_fired.clear();
        out.suppressed = false;
        let anniversaries: &Anniversaries = match &mut out.anniversaries {
            Some(a) if a.today() == as_of => a,
            slot => slot.insert(Anniversaries::new(as_of)),
        };
        for step in &self.order {
            let ctx = Ctx {
                program: self,
                row,
                as_of,
                stages: &out.stages,
                segments: &out.segments,
                anniversaries,
            };
            match *step {
                Step::Journey(j) => out.stages[j as usize] = self.stage(j, &ctx, tracer),
                Step::Segment(s) => {
                    let holds =
                        eval(&self.segments[s as usize].condition, &ctx, tracer) == Tri::True;
                    out.segments[s as usize] = holds;
                }
            }
        }
        let ctx = Ctx {
            program: self,
            row,
            as_of,
            stages: &out.stages,
            segments: &out.segments,
            anniversaries,
        };
        // Suppression is fail-safe: unknown counts as true.
        let mut whole = self.suppress.iter().filter(|s| s.actions.is_empty());
        if whole.any(|s| eval(&s.condition, &ctx, tracer) != Tri::False) {
            out.suppressed = true;
            return;
        }
        let mut fired: Vec<Fired> = std::mem::take(&mut out.actions);
        self.fire(
            &ctx,
            &mut out.screen,
            &mut out.rules_fired,
            &mut fired,
            tracer,
        );
        self.suppress_actions(&ctx, &mut fired, &mut out.dropped, tracer);
        self.cut_to_max(&mut fired, &mut out.dropped);
        self.flag_holdouts(row.id, &mut fired);
        out.actions = fired;
    }

    /// A journey's stage: read from its column, or the last of the leading conditions of its
    /// funnel that hold.
    #[inline]
    fn stage<T: Tracer>(&self, j: u16, ctx: &Ctx<'_, '_>, tracer: &mut T) -> Option<u16> {
        match &self.journeys[j as usize].source {
            JourneySource::Slot(slot) => match ctx.row.cells[*slot as usize] {
                Cell::Stage(s) => s,
                _ => None,
            },
            JourneySource::Conditions(conds) => {
                let held = conds
                    .iter()
                    .take_while(|c| eval(c, ctx, tracer) == Tri::True)
                    .count();
                held.checked_sub(1).map(|s| s as u16)
            }
        }
    }

    /// The rules that fire, in order, each with all its actions.
    #[inline]
    fn fire<T: Tracer>(
        &self,
        ctx: &Ctx<'_, '_>,
        screen: &mut Vec<bool>,
        rules_fired: &mut Vec<u32>,
        fired: &mut Vec<Fired>,
        tracer: &mut T,
    ) {
        // Guards first, when no tracer needs to see every node: most rules
        // of a large playbook fail on one compact test.
        let screened = !T::SEES_NODES && !self.guards.is_empty();
        if screened {
            screen.clear();
            screen.resize(self.rules.len(), true);
            for g in &self.guards {
                // A rule fires only when all its `and`-ed tests are true; once one is not,
                // its other tests are not looked at.
                let r = g.rule as usize;
                if screen[r] {
                    screen[r] = leaf(&g.test, ctx) == Some(Tri::True);
                }
            }
        }
        for (r, rule) in self.rules.iter().enumerate() {
            if screened && !screen[r] {
                continue;
            }
            // A rule whose guards are its whole condition holds when they all hold.
            let decided = screened && self.guarded[r];
            if !decided && eval(&rule.condition, ctx, tracer) != Tri::True {
                continue;
            }
            if let Some(unless) = &rule.unless {
                if eval(unless, ctx, tracer) == Tri::True {
                    continue;
                }
            }
            rules_fired.push(r as u32);
            for a in 0..rule.actions.len() {
                fired.push(Fired {
                    rule: r as u32,
                    action: a as u32,
                    holdout: false,
                });
            }
        }
    }

    /// Per-action suppression, before `max`: unknown suppresses.
    #[inline]
    fn suppress_actions<T: Tracer>(
        &self,
        ctx: &Ctx<'_, '_>,
        fired: &mut Vec<Fired>,
        dropped: &mut Vec<(Fired, Dropped)>,
        tracer: &mut T,
    ) {
        let per_action = self.suppress.iter().filter(|s| !s.actions.is_empty());
        if fired.is_empty() {
            return;
        }
        let mut blocked: Vec<u32> = Vec::new();
        for s in per_action {
            if s.actions
                .iter()
                .any(|a| fired.iter().any(|f| self.action_of(f) == *a))
                && eval(&s.condition, ctx, tracer) != Tri::False
            {
                blocked.extend(&s.actions);
            }
        }
        if !blocked.is_empty() {
            fired.retain(|f| {
                let keep = !blocked.contains(&self.action_of(f));
                if !keep {
                    dropped.push((*f, Dropped::Suppressed));
                }
                keep
            });
        }
    }

    /// `max N`: keep the N of highest priority; ties to firing order.
    #[inline]
    fn cut_to_max(&self, fired: &mut Vec<Fired>, dropped: &mut Vec<(Fired, Dropped)>) {
        let Some(max) = self.max_actions else {
            return;
        };
        if fired.len() <= max {
            return;
        }
        let mut ranked: Vec<usize> = (0..fired.len()).collect();
        ranked.sort_by(|&a, &b| {
            let pa = self.rules[fired[a].rule as usize].priority;
            let pb = self.rules[fired[b].rule as usize].priority;
            pb.total_cmp(&pa).then(a.cmp(&b))
        });
        let mut keep = vec![false; fired.len()];
        for &i in ranked.iter().take(max) {
            keep[i] = true;
        }
        let mut i = 0;
        fired.retain(|f| {
            let k = keep[i];
            i += 1;
            if !k {
                dropped.push((*f, Dropped::OverMax));
            }
            k
        });
    }

    /// Holdouts flag kept actions only.
    #[inline]
    fn flag_holdouts(&self, id: &str, fired: &mut [Fired]) {
        if fired.is_empty() {
            return;
        }
        let policy_held = self
            .policy_holdout
            .as_ref()
            .is_some_and(|h| held_out(&h.salt, id, h.basis_points));
        let mut rule_cache: Option<(u32, bool)> = None;
        for f in fired.iter_mut() {
            let rule = &self.rules[f.rule as usize];
            let by_rule = match &rule.holdout {
                None => false,
                Some(h) => match rule_cache {
                    Some((r, held)) if r == f.rule => held,
                    _ => {
                        let held = held_out(&h.salt, id, h.basis_points);
                        rule_cache = Some((f.rule, held));
                        held
                    }
                },
            };
            f.holdout = policy_held || by_rule;
        }
    }

    /// The index into `actions` of a fired action.
    pub fn action_of(&self, f: &Fired) -> u32 {
        self.rules[f.rule as usize].actions[f.action as usize].action
    }
}

/// The holdout bucket: first 4 bytes of MD5(`SALT/ID`), big-endian, mod 10000.
pub fn bucket(salt: &str, id: &str) -> u32 {
    let digest = Md5::new()
        .chain_update(salt.as_bytes())
        .chain_update(b"/")
        .chain_update(id.as_bytes())
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 10_000
}

pub fn held_out(salt: &str, id: &str, basis_points: u32) -> bool {
    bucket(salt, id) < basis_points
}

/// Evaluates a condition in three-valued logic.
#[inline]
pub fn eval<T: Tracer>(c: &C, ctx: &Ctx<'_, '_>, tracer: &mut T) -> Tri {
    // Simple comparisons are decided inline; only composite nodes make a call.
    if let Some(t) = leaf(&c.kind, ctx) {
        tracer.node(c.id, t);
        return t;
    }
    // `not x` of a leaf (`suppress when not opted_in`): inline too, tracing both nodes.
    if let CKind::Not(inner) = &c.kind {
        if let Some(t) = leaf(&inner.kind, ctx) {
            tracer.node(inner.id, t);
            let result = t.negate();
            tracer.node(c.id, result);
            return result;
        }
    }
    // Most rule conditions are `a and b and …` of simple comparisons: loop here, no call.
    if let CKind::And(items) = &c.kind {
        let mut result = Tri::True;
        for item in items.iter() {
            let t = match leaf(&item.kind, ctx) {
                Some(t) => {
                    tracer.node(item.id, t);
                    t
                }
                None => eval_composite(item, ctx, tracer),
            };
            match t {
                Tri::False => {
                    result = Tri::False;
                    break;
                }
                Tri::Unknown => result = Tri::Unknown,
                Tri::True => {}
            }
        }
        tracer.node(c.id, result);
        return result;
    }
    eval_composite(c, ctx, tracer)
}

/// The fast-path nodes: one cell against a constant.
#[inline(always)]
pub(super) fn leaf(c: &CKind, ctx: &Ctx<'_, '_>) -> Option<Tri> {
    Some(match c {
        CKind::NumberField { slot, op, value } => match ctx.row.cells[*slot as usize] {
            Cell::Number(x) => ordered_f64(*op, x, *value),
            _ => Tri::Unknown,
        },
        CKind::DateField { slot, op, value } => match ctx.row.cells[*slot as usize] {
            Cell::Date(d) => ordered(*op, d.cmp(value)),
            _ => Tri::Unknown,
        },
        CKind::WordField {
            slot,
            word,
            negated,
        } => match ctx.row.cells[*slot as usize] {
            Cell::Word(w) => Tri::from_bool((w == *word) != *negated),
            _ => Tri::Unknown,
        },
        CKind::AgoField {
            slot,
            low,
            high,
            low_open,
        } => match ctx.row.cells[*slot as usize] {
            Cell::Date(d) => {
                let ago = f64::from(ctx.as_of - d);
                let above = if *low_open { ago > *low } else { ago >= *low };
                Tri::from_bool(above && ago <= *high)
            }
            _ => Tri::Unknown,
        },
        CKind::BoolField(slot) => match ctx.row.cells[*slot as usize] {
            Cell::Bool(b) => Tri::from_bool(b),
            _ => Tri::Unknown,
        },
        CKind::InStage { journey, stage } => {
            Tri::from_bool(ctx.stages[*journey as usize] == Some(*stage))
        }
        CKind::Reached { journey, stage } => {
            Tri::from_bool(ctx.stages[*journey as usize].is_some_and(|s| s >= *stage))
        }
        CKind::InSegment(s) => Tri::from_bool(ctx.segments[*s as usize]),
        CKind::Anniversary {
            date: V {
                kind: VKind::Slot(slot),
                ..
            },
            days,
        } => match ctx.row.cells[*slot as usize] {
            Cell::Date(d) => Tri::from_bool(f64::from(ctx.anniversaries.days_to(d)) <= *days),
            _ => Tri::Unknown,
        },
        _ => return None,
    })
}

/// Kleene `and` (`wins` = false) and `or` (`wins` = true): the first item that is `wins`
/// decides; else unknown when any item is, else the other value.
#[inline]
fn kleene<T: Tracer>(items: &[C], wins: Tri, ctx: &Ctx<'_, '_>, tracer: &mut T) -> Tri {
    let mut result = wins.negate();
    for item in items {
        match eval(item, ctx, tracer) {
            t if t == wins => return wins,
            Tri::Unknown => result = Tri::Unknown,
            _ => {}
        }
    }
    result
}

/// `x in [a, b]` is `x = a or x = b`; a missing `x` is unknown.
#[inline]
fn in_list(v: Val<'_>, items: &[V], kind: CmpKind, negated: bool, ctx: &Ctx<'_, '_>) -> Tri {
    if v == Val::Missing {
        return Tri::Unknown;
    }
    let mut result = Tri::False;
    for item in items {
        match compare(CompareOp::Eq, kind, v, value(item, ctx)) {
            Tri::True => {
                result = Tri::True;
                break;
            }
            Tri::Unknown => result = Tri::Unknown,
            Tri::False => {}
        }
    }
    if negated {
        result.negate()
    } else {
        result
    }
}

#[inline(never)]
fn eval_composite<T: Tracer>(c: &C, ctx: &Ctx<'_, '_>, tracer: &mut T) -> Tri {
    let result = match &c.kind {
        CKind::Const(t) => *t,
        // INVARIANT: `eval` decides these in `leaf` before calling here.
        CKind::NumberField { .. }
        | CKind::DateField { .. }
        | CKind::WordField { .. }
        | CKind::AgoField { .. }
        | CKind::BoolField(_)
        | CKind::InStage { .. }
        | CKind::Reached { .. }
        | CKind::InSegment(_) => leaf(&c.kind, ctx).unwrap_or(Tri::Unknown),
        CKind::And(items) => kleene(items, Tri::False, ctx, tracer),
        CKind::Or(items) => kleene(items, Tri::True, ctx, tracer),
        CKind::Not(inner) => eval(inner, ctx, tracer).negate(),
        CKind::IsTrue(v) => match value(v, ctx) {
            Val::Bool(b) => Tri::from_bool(b),
            _ => Tri::Unknown,
        },
        CKind::Compare {
            op,
            left,
            right,
            kind,
        } => compare(*op, *kind, value(left, ctx), value(right, ctx)),
        CKind::InList {
            value: v,
            items,
            kind,
            negated,
        } => in_list(value(v, ctx), items, *kind, *negated, ctx),
        CKind::Has { list, item } => match value(list, ctx) {
            Val::List(l) => Tri::from_bool(l.for_each_item(|x| lower_eq(x, item))),
            _ => Tri::Unknown,
        },
        CKind::Text {
            op: TextOp::Contains,
            value: v,
            pattern,
            finder,
        } => match text_of(value(v, ctx)) {
            Some(text) => Tri::from_bool(text_contains(text, pattern, finder)),
            None => Tri::Unknown,
        },
        CKind::Text {
            op,
            value: v,
            pattern,
            ..
        } => match text_of(value(v, ctx)) {
            Some(text) => Tri::from_bool(text_test(*op, text, pattern)),
            None => Tri::Unknown,
        },
        CKind::WordIn { value: v, set } => match value(v, ctx) {
            Val::Word(w) => Tri::from_bool(set.get(w as usize).copied().unwrap_or(false)),
            _ => Tri::Unknown,
        },
        CKind::Missing { value: v, negated } => {
            Tri::from_bool((value(v, ctx) == Val::Missing) != *negated)
        }
        CKind::DaysAgo { date, low, high } => match value(date, ctx) {
            Val::Date(d) => {
                let ago = f64::from(ctx.as_of - d);
                Tri::from_bool(*low <= ago && ago <= *high)
            }
            _ => Tri::Unknown,
        },
        CKind::DaysAhead { date, days } => match value(date, ctx) {
            Val::Date(d) => {
                let ahead = f64::from(d - ctx.as_of);
                Tri::from_bool((0.0..=*days).contains(&ahead))
            }
            _ => Tri::Unknown,
        },
        CKind::MoreThanAgo { date, days } => match value(date, ctx) {
            Val::Date(d) => Tri::from_bool(f64::from(ctx.as_of - d) > *days),
            _ => Tri::Unknown,
        },
        CKind::Anniversary { date, days } => match value(date, ctx) {
            Val::Date(d) => Tri::from_bool(f64::from(ctx.anniversaries.days_to(d)) <= *days),
            _ => Tri::Unknown,
        },
    };
    tracer.node(c.id, result);
    result
}

/// Evaluates a value.
pub fn value<'r>(v: &'r V, ctx: &Ctx<'_, 'r>) -> Val<'r> {
    match &v.kind {
        VKind::Slot(s) => match ctx.row.cells[*s as usize] {
            Cell::Missing | Cell::Stage(_) => Val::Missing,
            Cell::Number(n) => Val::Number(n),
            Cell::Bool(b) => Val::Bool(b),
            Cell::Date(d) => Val::Date(d),
            Cell::Word(w) => Val::Word(w),
            Cell::Text(t) => Val::Text(t),
            Cell::List(l) => Val::List(l),
        },
        VKind::Number(n) if n.is_nan() => Val::Missing,
        VKind::Number(n) => Val::Number(*n),
        VKind::Text { written, lower } => Val::Const(written, lower),
        VKind::Bool(b) => Val::Bool(*b),
        VKind::Date(d) => Val::Date(*d),
        VKind::Word(w) => Val::Word(*w),
        VKind::Neg(inner) => match value(inner, ctx) {
            Val::Number(n) => Val::Number(-n),
            _ => Val::Missing,
        },
        VKind::Arith { op, left, right } => match (value(left, ctx), value(right, ctx)) {
            (Val::Number(a), Val::Number(b)) => {
                let r = match op {
                    ArithOp::Add => a + b,
                    ArithOp::Sub => a - b,
                    ArithOp::Mul => a * b,
                    // Division by zero is missing.
                    ArithOp::Div if b == 0.0 => return Val::Missing,
                    ArithOp::Div => a / b,
                };
                if r.is_finite() {
                    Val::Number(r)
                } else {
                    Val::Missing
                }
            }
            _ => Val::Missing,
        },
        VKind::DaysSince(d) => match value(d, ctx) {
            Val::Date(d) => Val::Number(f64::from(ctx.as_of - d)),
            _ => Val::Missing,
        },
        VKind::DaysUntil(d) => match value(d, ctx) {
            Val::Date(d) => Val::Number(f64::from(d - ctx.as_of)),
            _ => Val::Missing,
        },
    }
}

/// The text of a value for text tests.
fn text_of(v: Val<'_>) -> Option<&str> {
    match v {
        Val::Text(t) => Some(t),
        Val::Const(written, _) => Some(written),
        _ => None,
    }
}

fn compare(op: CompareOp, kind: CmpKind, a: Val<'_>, b: Val<'_>) -> Tri {
    use std::cmp::Ordering;
    if a == Val::Missing || b == Val::Missing {
        return Tri::Unknown;
    }
    let ordering: Option<Ordering> = match kind {
        CmpKind::Number => match (a, b) {
            (Val::Number(x), Val::Number(y)) => x.partial_cmp(&y),
            _ => None,
        },
        CmpKind::Date => match (a, b) {
            (Val::Date(x), Val::Date(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        CmpKind::Bool => match (a, b) {
            (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        CmpKind::Word => match (a, b) {
            (Val::Word(x), Val::Word(y)) => Some(if x == y {
                Ordering::Equal
            } else {
                Ordering::Less
            }),
            _ => None,
        },
        CmpKind::Text => {
            return match op {
                CompareOp::Eq | CompareOp::Ne => {
                    let eq = text_eq(a, b);
                    match eq {
                        Some(e) => Tri::from_bool(e == (op == CompareOp::Eq)),
                        None => Tri::Unknown,
                    }
                }
                _ => match (written(a), written(b)) {
                    (Some(x), Some(y)) => ordered(op, x.cmp(y)),
                    _ => Tri::Unknown,
                },
            };
        }
    };
    match ordering {
        Some(o) => ordered(op, o),
        None => Tri::Unknown,
    }
}

#[inline]
fn ordered_f64(op: CompareOp, x: f64, y: f64) -> Tri {
    Tri::from_bool(match op {
        CompareOp::Eq => x == y,
        CompareOp::Ne => x != y,
        CompareOp::Lt => x < y,
        CompareOp::Le => x <= y,
        CompareOp::Gt => x > y,
        CompareOp::Ge => x >= y,
    })
}

fn ordered(op: CompareOp, o: std::cmp::Ordering) -> Tri {
    use std::cmp::Ordering::*;
    Tri::from_bool(match op {
        CompareOp::Eq => o == Equal,
        CompareOp::Ne => o != Equal,
        CompareOp::Lt => o == Less,
        CompareOp::Le => o != Greater,
        CompareOp::Gt => o == Greater,
        CompareOp::Ge => o != Less,
    })
}

fn written<'a>(v: Val<'a>) -> Option<&'a str> {
    match v {
        Val::Text(t) | Val::Const(t, _) => Some(t),
        _ => None,
    }
}

/// Case-insensitive equality (full Unicode lower-casing, as `str::to_lowercase`).
fn text_eq(a: Val<'_>, b: Val<'_>) -> Option<bool> {
    match (a, b) {
        (Val::Text(x), Val::Const(_, lower)) | (Val::Const(_, lower), Val::Text(x)) => {
            Some(lower_eq(x, lower))
        }
        (Val::Const(_, x), Val::Const(_, y)) => Some(x == y),
        (Val::Text(x), Val::Text(y)) => Some(if x.is_ascii() && y.is_ascii() {
            x.eq_ignore_ascii_case(y)
        } else {
            x.to_lowercase() == y.to_lowercase()
        }),
        _ => None,
    }
}

/// Whether `text` lower-cased equals `lower` (already lower-cased).
pub fn lower_eq(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.len() == lower.len()
            && text
                .bytes()
                .zip(lower.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        text.to_lowercase() == lower
    }
}

/// `text contains pattern`, ignoring case as [`text_test`] does, in time linear in the text:
/// the text is lower-cased once and searched with `finder` (made from the lower-cased
/// `pattern`). Comparing the pattern at every offset cost cell × pattern: a 1 MB cell and a
/// 10 KB pattern took seconds per row.
pub(super) fn text_contains(
    text: &str,
    pattern: &str,
    finder: &memchr::memmem::Finder<'_>,
) -> bool {
    if pattern.is_empty() {
        return true;
    }
    if !text.is_ascii() {
        return finder.find(text.to_lowercase().as_bytes()).is_some();
    }
    if !pattern.is_ascii() {
        return false;
    }
    let t = text.as_bytes();
    if !t.iter().any(u8::is_ascii_uppercase) {
        return finder.find(t).is_some();
    }
    let mut small = [0u8; 256];
    if let Some(buf) = small.get_mut(..t.len()) {
        buf.copy_from_slice(t);
        buf.make_ascii_lowercase();
        return finder.find(buf).is_some();
    }
    finder.find(&t.to_ascii_lowercase()).is_some()
}

pub(super) fn text_test(op: TextOp, text: &str, pattern: &str) -> bool {
    if text.is_ascii() {
        if !pattern.is_ascii() {
            return false;
        }
        let (t, p) = (text.as_bytes(), pattern.as_bytes());
        let eq = |a: &[u8]| a.iter().zip(p).all(|(x, y)| x.to_ascii_lowercase() == *y);
        return match op {
            TextOp::StartsWith => t.len() >= p.len() && eq(&t[..p.len()]),
            TextOp::EndsWith => t.len() >= p.len() && eq(&t[t.len() - p.len()..]),
            TextOp::Contains => memchr::memmem::find(&t.to_ascii_lowercase(), p).is_some(),
        };
    }
    let lower = text.to_lowercase();
    match op {
        TextOp::StartsWith => lower.starts_with(pattern),
        TextOp::EndsWith => lower.ends_with(pattern),
        TextOp::Contains => lower.contains(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::{text_contains, text_test};
    use crate::ast::TextOp;
    use memchr::memmem::Finder;

    fn contains(text: &str, pattern: &str) -> bool {
        let lower = pattern.to_lowercase();
        let finder = Finder::new(lower.as_bytes()).into_owned();
        let fast = text_contains(text, &lower, &finder);
        let naive = text.to_lowercase().contains(&lower);
        assert_eq!(fast, naive, "{text:?} {pattern:?}");
        assert_eq!(text_test(TextOp::Contains, text, &lower), naive);
        fast
    }

    #[test]
    fn contains_ignores_case_as_the_language_says() {
        assert!(contains("Gold Member", "gold"));
        assert!(contains("GOLD", "old"));
        assert!(contains("x", ""));
        assert!(contains("", ""));
        assert!(!contains("", "a"));
        assert!(!contains("gol", "gold"));
        // Non-ASCII cells are lower-cased with the full Unicode mapping.
        assert!(contains("STRASSE ÄRGER", "äRG"));
        assert!(contains("İstanbul", "i\u{307}st"));
        assert!(contains("ΟΔΟΣ", "ς"));
        assert!(!contains("plain", "é"));
        // Cells longer than the stack buffer are folded on the heap.
        let long = format!("{}NeEdLe{}", "x".repeat(300), "y".repeat(300));
        assert!(contains(&long, "needle"));
        assert!(!contains(&long, "needles"));
    }

    /// A cell of 1 MB of `a` and a 10 KB pattern of `a…ab`: comparing the pattern at every
    /// offset made 10^10 byte comparisons (tens of seconds in a debug build); the search
    /// is linear in the cell.
    #[test]
    fn contains_is_linear_in_the_cell() {
        let cell = "A".repeat(1 << 20);
        let pattern = format!("{}b", "a".repeat(10 * 1024 - 1));
        let finder = Finder::new(pattern.as_bytes()).into_owned();
        let start = std::time::Instant::now();
        for _ in 0..3 {
            assert!(!text_contains(&cell, &pattern, &finder));
        }
        let mut hit = cell.clone();
        hit.push('B');
        assert!(text_contains(&hit, &pattern, &finder));
        let took = start.elapsed();
        assert!(took.as_secs_f64() < 2.0, "4 searches took {took:?}");
    }
}
