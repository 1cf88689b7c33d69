//! Why a customer got their decision: every stage, segment, suppression and rule
//! with the value of each part of its condition and the field values behind it.
//!
//! It runs the same program as `eval`, with a tracer that records each node's value.

use super::program::*;
use super::run::{bucket, eval as eval_cond, value, Ctx, Dropped, Outcome, Tracer, Val};
use crate::dates::{iso, Anniversaries};
use crate::row::{Cell, Row, SlotKind};
use std::fmt::Write;

/// Records the value of every condition node evaluated.
pub struct Recorder {
    values: Vec<Option<Tri>>,
}

impl Recorder {
    pub fn new(program: &Program) -> Recorder {
        Recorder {
            values: vec![None; program.nodes as usize],
        }
    }
}

impl Tracer for Recorder {
    fn node(&mut self, id: u32, value: Tri) {
        if let Some(slot) = self.values.get_mut(id as usize) {
            *slot = Some(value);
        }
    }
}

/// The explanation, as text for people.
pub fn explain(program: &Program, source: &str, row: &Row<'_>, as_of: i32, place: &str) -> String {
    let mut recorder = Recorder::new(program);
    let mut outcome = Outcome::default();
    program.decide(row, as_of, &mut outcome, &mut recorder);
    // Rules are not evaluated for a suppressed customer; evaluate them anyway to show what
    // would have happened.
    let ctx = Ctx {
        program,
        row,
        as_of,
        stages: &outcome.stages,
        segments: &outcome.segments,
        anniversaries: &Anniversaries::new(as_of),
    };
    if outcome.suppressed {
        for rule in &program.rules {
            eval_cond(&rule.condition, &ctx, &mut recorder);
            if let Some(u) = &rule.unless {
                eval_cond(u, &ctx, &mut recorder);
            }
        }
    }
    let mut e = Explainer {
        program,
        source,
        ctx,
        values: &recorder.values,
        out: String::new(),
    };
    e.report(&outcome, place);
    e.out
}

struct Explainer<'a, 'r> {
    program: &'a Program,
    source: &'a str,
    ctx: Ctx<'a, 'r>,
    values: &'a [Option<Tri>],
    out: String,
}

fn mark(t: Option<Tri>) -> &'static str {
    match t {
        Some(Tri::True) => "✓",
        Some(Tri::False) => "✗",
        Some(Tri::Unknown) => "?",
        None => "·",
    }
}

fn word(t: Option<Tri>) -> &'static str {
    match t {
        Some(t) => t.name(),
        None => "not evaluated",
    }
}

impl<'a, 'r> Explainer<'a, 'r> {
    fn text(&self, c: &C) -> String {
        let raw = self.source.get(c.span.range()).unwrap_or("");
        let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 90 {
            let cut: String = one_line.chars().take(88).collect();
            format!("{cut}…")
        } else {
            one_line
        }
    }

    fn report(&mut self, outcome: &Outcome, place: &str) {
        let _ = writeln!(
            self.out,
            "Customer {} ({place}), as of {}",
            self.ctx.row.id,
            iso(self.ctx.as_of)
        );
        self.report_journeys(outcome);
        self.report_segments_and_policy();
        self.report_rules(outcome);
        self.report_decision(outcome);
    }

    /// Each journey's stage, and why: its column, or its funnel's conditions.
    fn report_journeys(&mut self, outcome: &Outcome) {
        let p = self.program;
        for (j, journey) in p.journeys.iter().enumerate() {
            let stage = p.stage_name(outcome, j).unwrap_or("no stage");
            let _ = writeln!(self.out, "\nJourney {}: {stage}", journey.name);
            match &journey.source {
                JourneySource::Slot(slot) => {
                    let column = &p.slots[*slot as usize].name;
                    let _ = writeln!(self.out, "  read from the column `{column}`");
                }
                JourneySource::Conditions(conds) => {
                    let _ = writeln!(
                        self.out,
                        "  (a funnel: a customer is in the last stage of the unbroken run of stages whose condition is true)"
                    );
                    for (s, c) in conds.iter().enumerate() {
                        let name = &journey.stages[s];
                        if self.values[c.id as usize].is_none() {
                            let _ = writeln!(
                                self.out,
                                "  · {name}: not reached (an earlier stage does not hold)"
                            );
                            continue;
                        }
                        self.line(1, &format!("{name}: "), c);
                    }
                }
            }
        }
    }

    /// The segments' conditions, and the policy's suppressions.
    fn report_segments_and_policy(&mut self) {
        let p = self.program;
        if !p.segments.is_empty() {
            let _ = writeln!(self.out, "\nSegments");
            for s in &p.segments {
                self.line(1, &format!("{}: ", s.name), &s.condition);
            }
        }
        if !p.suppress.is_empty() {
            let _ = writeln!(
                self.out,
                "\nPolicy (a `suppress` applies when its condition is true or unknown)"
            );
            for s in &p.suppress {
                let what = if s.actions.is_empty() {
                    "suppress the customer".to_string()
                } else {
                    let names: Vec<&str> = s
                        .actions
                        .iter()
                        .map(|a| p.actions[*a as usize].as_str())
                        .collect();
                    format!("suppress {}", names.join(", "))
                };
                if self.values[s.condition.id as usize].is_none() {
                    let _ = writeln!(self.out, "  · {what}: not needed");
                    continue;
                }
                self.line(1, &format!("{what} when "), &s.condition);
            }
        }
    }

    /// Every rule in file order: fired or not, and its conditions' values.
    fn report_rules(&mut self, outcome: &Outcome) {
        let p = self.program;
        let _ = writeln!(self.out, "\nRules, in file order");
        if outcome.suppressed {
            let _ = writeln!(self.out, "  (the customer is suppressed: no rule gives an action; shown is what they would have done)");
        }
        for rule in &p.rules {
            let fired = self.values[rule.condition.id as usize] == Some(Tri::True)
                && rule
                    .unless
                    .as_ref()
                    .is_none_or(|u| self.values[u.id as usize] != Some(Tri::True));
            let actions: Vec<&str> = rule
                .actions
                .iter()
                .map(|a| p.actions[a.action as usize].as_str())
                .collect();
            let verdict = if fired {
                format!("fires → {}", actions.join(", "))
            } else {
                "does not fire".to_string()
            };
            let priority = if rule.priority != 0.0 {
                format!(" (priority {})", rule.priority)
            } else {
                String::new()
            };
            let _ = writeln!(
                self.out,
                "  {} rule {}{priority}: {verdict}",
                if fired { "✓" } else { "✗" },
                rule.name
            );
            self.line(2, "when ", &rule.condition);
            if let Some(u) = &rule.unless {
                self.line(2, "unless ", u);
                if self.values[u.id as usize] == Some(Tri::True) {
                    let _ = writeln!(
                        self.out,
                        "      (the `unless` is true, so the rule is blocked)"
                    );
                }
            }
        }
    }

    /// The actions given, held out, and not given (suppressed or cut by `max`).
    fn report_decision(&mut self, outcome: &Outcome) {
        let p = self.program;
        let _ = writeln!(self.out, "\nDecision");
        if outcome.suppressed {
            let _ = writeln!(self.out, "  suppressed: no actions");
        } else if outcome.actions.is_empty() {
            let _ = writeln!(self.out, "  no actions");
        }
        for f in &outcome.actions {
            let rule = &p.rules[f.rule as usize];
            let action = &p.actions[p.action_of(f) as usize];
            let channel = p
                .channel(f.rule, f.action, self.ctx.row)
                .map(|c| format!(" via {c}"))
                .unwrap_or_default();
            let _ = write!(self.out, "  {action} (rule {}){channel}", rule.name);
            if f.holdout {
                let _ = write!(
                    self.out,
                    " — held out (control group: {})",
                    self.holdout_reason(f.rule)
                );
            }
            let _ = writeln!(self.out);
        }
        for (f, why) in &outcome.dropped {
            let rule = &p.rules[f.rule as usize];
            let action = &p.actions[p.action_of(f) as usize];
            let why = match why {
                Dropped::Suppressed => "suppressed for this action by the policy".to_string(),
                Dropped::OverMax => format!(
                    "cut by `max {} actions per customer` (priority {}; higher priorities, then file order, are kept)",
                    p.max_actions.unwrap_or(0),
                    rule.priority
                ),
            };
            let _ = writeln!(
                self.out,
                "  not given: {action} (rule {}) — {why}",
                rule.name
            );
        }
    }

    fn holdout_reason(&self, rule: u32) -> String {
        let p = self.program;
        let id = self.ctx.row.id;
        let mut parts = Vec::new();
        if let Some(h) = &p.policy_holdout {
            let b = bucket(&h.salt, id);
            if b < h.basis_points {
                parts.push(format!(
                    "policy holdout, bucket {b} < {} with salt \"{}\"",
                    h.basis_points, h.salt
                ));
            }
        }
        if let Some(h) = &p.rules[rule as usize].holdout {
            let b = bucket(&h.salt, id);
            if b < h.basis_points {
                parts.push(format!(
                    "rule holdout, bucket {b} < {} with salt \"{}\"",
                    h.basis_points, h.salt
                ));
            }
        }
        parts.join("; ")
    }

    /// One condition and, below it, its parts.
    fn line(&mut self, depth: usize, prefix: &str, c: &C) {
        let value = self.values[c.id as usize];
        let indent = "  ".repeat(depth);
        let facts = self.facts(c);
        let facts = if facts.is_empty() {
            String::new()
        } else {
            format!("  [{facts}]")
        };
        let _ = writeln!(
            self.out,
            "{indent}{} {prefix}{} → {}{facts}",
            mark(value),
            self.text(c),
            word(value)
        );
        match &c.kind {
            CKind::And(items) | CKind::Or(items) => {
                for item in items.iter() {
                    self.line(depth + 1, "", item);
                }
            }
            CKind::Not(inner)
                if !matches!(inner.kind, CKind::InStage { .. } | CKind::InSegment(_)) =>
            {
                self.line(depth + 1, "", inner)
            }
            _ => {}
        }
    }

    /// The field values a leaf condition looked at.
    fn facts(&self, c: &C) -> String {
        let mut slots = Vec::new();
        let collect = |v: &V, slots: &mut Vec<u16>| collect_slots(v, slots);
        match &c.kind {
            CKind::NumberField { slot, .. }
            | CKind::DateField { slot, .. }
            | CKind::WordField { slot, .. }
            | CKind::AgoField { slot, .. }
            | CKind::BoolField(slot) => slots.push(*slot),
            CKind::IsTrue(v) | CKind::Missing { value: v, .. } | CKind::WordIn { value: v, .. } => {
                collect(v, &mut slots)
            }
            CKind::Compare { left, right, .. } => {
                collect(left, &mut slots);
                collect(right, &mut slots);
            }
            CKind::InList { value: v, .. } | CKind::Text { value: v, .. } => collect(v, &mut slots),
            CKind::Has { list, .. } => collect(list, &mut slots),
            CKind::DaysAgo { date, .. }
            | CKind::DaysAhead { date, .. }
            | CKind::MoreThanAgo { date, .. }
            | CKind::Anniversary { date, .. } => collect(date, &mut slots),
            CKind::InStage { journey, .. } | CKind::Reached { journey, .. } => {
                let j = *journey as usize;
                let stage = self.ctx.stages[j]
                    .map(|s| self.program.journeys[j].stages[s as usize].as_str())
                    .unwrap_or("no stage");
                return format!("{} is in {stage}", self.program.journeys[j].name);
            }
            _ => {}
        }
        slots.dedup();
        slots
            .iter()
            .map(|s| {
                let slot = &self.program.slots[*s as usize];
                format!("{} = {}", slot.name, self.show(*s))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn show(&self, slot: u16) -> String {
        let v = V {
            kind: VKind::Slot(slot),
            span: Default::default(),
        };
        let shown = match value(&v, &self.ctx) {
            Val::Missing => "missing".to_string(),
            Val::Number(n) => format_number(n),
            Val::Bool(b) => b.to_string(),
            Val::Date(d) => iso(d),
            Val::Word(w) => match &self.program.slots[slot as usize].kind {
                SlotKind::Words(words) => self
                    .declared_word(slot, w)
                    .unwrap_or_else(|| words.get(w as usize).cloned().unwrap_or_default()),
                _ => w.to_string(),
            },
            Val::Text(t) | Val::Const(t, _) => format!("\"{t}\""),
            Val::List(l) => {
                let mut items = Vec::new();
                l.for_each_item(|i| {
                    items.push(format!("\"{i}\""));
                    false
                });
                format!("[{}]", items.join(", "))
            }
        };
        if let Cell::Missing = self.ctx.row.cells[slot as usize] {
            return "missing".to_string();
        }
        shown
    }

    fn declared_word(&self, slot: u16, w: u32) -> Option<String> {
        match &self.program.model.fields.get(slot as usize)?.ty {
            crate::check::model::Type::OneOf(words) => words.get(w as usize).cloned(),
            _ => None,
        }
    }
}

fn collect_slots(v: &V, out: &mut Vec<u16>) {
    match &v.kind {
        VKind::Slot(s) if !out.contains(s) => out.push(*s),
        VKind::Neg(i) | VKind::DaysSince(i) | VKind::DaysUntil(i) => collect_slots(i, out),
        VKind::Arith { left, right, .. } => {
            collect_slots(left, out);
            collect_slots(right, out);
        }
        _ => {}
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
