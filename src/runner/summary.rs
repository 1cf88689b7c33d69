//! Counting what a run did: every row is accounted for (read = evaluated + rejected).

use crate::eval::program::Program;
use crate::eval::Outcome;
use serde::Serialize;

/// Counters kept per chunk and added up in order.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub read: u64,
    pub evaluated: u64,
    pub rejected: u64,
    pub suppressed: u64,
    /// Per journey: customers per stage, then those in no stage.
    pub stages: Vec<Vec<u64>>,
    pub segments: Vec<u64>,
    pub rules_fired: Vec<u64>,
    pub rules_held_out: Vec<u64>,
    /// Per rule: customers who lost one of its actions to a per-action `suppress`, or to `max`.
    pub rules_suppressed: Vec<u64>,
    pub rules_cut: Vec<u64>,
    pub actions: Vec<u64>,
    pub actions_held_out: Vec<u64>,
    /// Per condition node: customers for whom it was true, false, unknown (`--coverage`).
    pub coverage: Vec<[u64; 3]>,
    /// Per slot: customers whose value was missing (`--coverage`).
    pub missing: Vec<u64>,
}

impl Stats {
    pub fn new(program: &Program) -> Stats {
        Stats {
            stages: program
                .journeys
                .iter()
                .map(|j| vec![0; j.stages.len() + 1])
                .collect(),
            segments: vec![0; program.segments.len()],
            rules_fired: vec![0; program.rules.len()],
            rules_held_out: vec![0; program.rules.len()],
            rules_suppressed: vec![0; program.rules.len()],
            rules_cut: vec![0; program.rules.len()],
            actions: vec![0; program.actions.len()],
            actions_held_out: vec![0; program.actions.len()],
            ..Stats::default()
        }
    }

    pub fn count(&mut self, program: &Program, o: &Outcome) {
        self.evaluated += 1;
        if o.suppressed {
            self.suppressed += 1;
        }
        for (j, stage) in o.stages.iter().enumerate() {
            let at = stage.map(usize::from).unwrap_or(self.stages[j].len() - 1);
            self.stages[j][at] += 1;
        }
        for (s, holds) in o.segments.iter().enumerate() {
            self.segments[s] += u64::from(*holds);
        }
        for r in &o.rules_fired {
            self.rules_fired[*r as usize] += 1;
        }
        // Each rule once per customer and reason (a rule may lose several actions).
        let mut lost: Vec<(u32, bool)> = Vec::new();
        for (f, why) in &o.dropped {
            let cut = matches!(why, crate::eval::run::Dropped::OverMax);
            if !lost.contains(&(f.rule, cut)) {
                lost.push((f.rule, cut));
                let counts = if cut {
                    &mut self.rules_cut
                } else {
                    &mut self.rules_suppressed
                };
                if let Some(n) = counts.get_mut(f.rule as usize) {
                    *n += 1;
                }
            }
        }
        let mut last_rule = u32::MAX;
        for f in &o.actions {
            let a = program.action_of(f) as usize;
            self.actions[a] += 1;
            if f.holdout {
                self.actions_held_out[a] += 1;
                if f.rule != last_rule {
                    self.rules_held_out[f.rule as usize] += 1;
                    last_rule = f.rule;
                }
            }
        }
    }

    pub fn add(&mut self, other: &Stats) {
        self.read += other.read;
        self.evaluated += other.evaluated;
        self.rejected += other.rejected;
        self.suppressed += other.suppressed;
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        };
        if self.stages.len() < other.stages.len() {
            self.stages.resize(other.stages.len(), Vec::new());
        }
        for (a, b) in self.stages.iter_mut().zip(&other.stages) {
            add(a, b);
        }
        add(&mut self.segments, &other.segments);
        add(&mut self.rules_fired, &other.rules_fired);
        add(&mut self.rules_held_out, &other.rules_held_out);
        add(&mut self.rules_suppressed, &other.rules_suppressed);
        add(&mut self.rules_cut, &other.rules_cut);
        add(&mut self.actions, &other.actions);
        add(&mut self.actions_held_out, &other.actions_held_out);
        add(&mut self.missing, &other.missing);
        if self.coverage.len() < other.coverage.len() {
            self.coverage.resize(other.coverage.len(), [0; 3]);
        }
        for (a, b) in self.coverage.iter_mut().zip(&other.coverage) {
            for i in 0..3 {
                a[i] += b[i];
            }
        }
    }
}

/// The summary of a run, as printed and as written with `--summary FILE`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub as_of: String,
    pub files: Vec<String>,
    pub read: u64,
    pub evaluated: u64,
    pub rejected: u64,
    pub suppressed: u64,
    pub duplicate_ids: u64,
    pub journeys: Vec<JourneySummary>,
    pub segments: Vec<Count>,
    pub rules: Vec<RuleSummary>,
    pub actions: Vec<ActionSummary>,
    /// With `--coverage`: how each condition came out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Vec<Coverage>>,
    /// With `--coverage`, per rule that never fired: the comparison in its condition that was
    /// false or unknown most often (for `playbook report`; not in the JSON summary).
    #[serde(skip)]
    pub blockers: Vec<Blocker>,
    /// With `--coverage`, per field: customers whose value was missing (for `playbook report`;
    /// not in the JSON summary).
    #[serde(skip)]
    pub missing: Vec<Count>,
}

/// The comparison that kept a rule from firing most often.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocker {
    pub rule: String,
    /// Where the comparison is in the playbook.
    pub span: crate::ast::Span,
    pub true_: u64,
    pub false_: u64,
    pub unknown: u64,
}

/// How one stage, segment, rule or `unless` condition came out over the export.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Coverage {
    /// `stage`, `segment`, `rule` or `unless`.
    pub kind: &'static str,
    /// `journey.stage`, the segment's or the rule's name.
    pub name: String,
    #[serde(rename = "true")]
    pub true_: u64,
    #[serde(rename = "false")]
    pub false_: u64,
    pub unknown: u64,
    /// Customers for whom it was not needed (an earlier part decided, or they were suppressed).
    pub not_evaluated: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JourneySummary {
    pub journey: String,
    pub stages: Vec<Count>,
    pub no_stage: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Count {
    pub name: String,
    pub customers: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RuleSummary {
    pub rule: String,
    pub fired: u64,
    pub held_out: u64,
    /// Customers who lost one of the rule's actions to a per-action `suppress` (for
    /// `playbook report`; not in the JSON summary, whose shape tools rely on).
    #[serde(skip)]
    pub suppressed: u64,
    /// Customers who lost one of the rule's actions to `max N` (as `suppressed`).
    #[serde(skip)]
    pub cut_by_max: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ActionSummary {
    pub action: String,
    pub customers: u64,
    pub held_out: u64,
}

impl Summary {
    /// `not-fired` warnings: the rules of `model` (the one this run decided by) that fired
    /// for no customer of the export (`eval --coverage`).
    pub fn not_fired(&self, model: &crate::check::Model) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::{Code, Diagnostic};
        (model.rules.iter().zip(&self.rules))
            .filter(|(_, s)| s.fired == 0)
            .map(|(rule, _)| {
                Diagnostic::new(
                    Code::NotFired,
                    rule.condition.span,
                    format!("the rule `{}` fired for no customer in this export", rule.name),
                )
                .label("never true here")
                .help("check the condition against the data: `playbook explain … --customer ID` shows why for one customer")
            })
            .collect()
    }

    pub fn new(
        program: &Program,
        stats: &Stats,
        files: Vec<String>,
        as_of: i32,
        duplicate_ids: u64,
    ) -> Summary {
        Summary {
            as_of: crate::dates::iso(as_of),
            files,
            read: stats.read,
            evaluated: stats.evaluated,
            rejected: stats.rejected,
            suppressed: stats.suppressed,
            duplicate_ids,
            journeys: program
                .journeys
                .iter()
                .zip(&stats.stages)
                .map(|(j, counts)| JourneySummary {
                    journey: j.name.clone(),
                    stages: j
                        .stages
                        .iter()
                        .zip(counts)
                        .map(|(s, n)| Count {
                            name: s.clone(),
                            customers: *n,
                        })
                        .collect(),
                    no_stage: counts.last().copied().unwrap_or(0),
                })
                .collect(),
            segments: program
                .segments
                .iter()
                .zip(&stats.segments)
                .map(|(s, n)| Count {
                    name: s.name.clone(),
                    customers: *n,
                })
                .collect(),
            rules: program
                .rules
                .iter()
                .enumerate()
                .map(|(r, rule)| RuleSummary {
                    rule: rule.name.clone(),
                    fired: stats.rules_fired.get(r).copied().unwrap_or(0),
                    held_out: stats.rules_held_out.get(r).copied().unwrap_or(0),
                    suppressed: stats.rules_suppressed.get(r).copied().unwrap_or(0),
                    cut_by_max: stats.rules_cut.get(r).copied().unwrap_or(0),
                })
                .collect(),
            actions: program
                .actions
                .iter()
                .enumerate()
                .map(|(a, name)| ActionSummary {
                    action: name.clone(),
                    customers: stats.actions.get(a).copied().unwrap_or(0),
                    held_out: stats.actions_held_out.get(a).copied().unwrap_or(0),
                })
                .collect(),
            coverage: (!stats.coverage.is_empty()).then(|| coverage(program, stats)),
            missing: program
                .slots
                .iter()
                .zip(&stats.missing)
                .map(|(slot, n)| Count {
                    name: slot.name.clone(),
                    customers: *n,
                })
                .collect(),
            blockers: if stats.coverage.is_empty() {
                Vec::new()
            } else {
                blockers(program, stats)
            },
        }
    }

    /// The warning about repeated customer ids, if any.
    pub fn duplicate_warning(&self) -> Option<String> {
        (self.duplicate_ids > 0).then(|| {
            format!(
                "warning: {} row(s) repeat a customer id seen earlier in the export (each gets its own decision)",
                self.duplicate_ids
            )
        })
    }

    /// The summary for people (standard error).
    pub fn human(&self) -> String {
        let mut out = format!(
            "{} customers read: {} evaluated, {} rejected, {} suppressed (as of {})\n",
            self.read, self.evaluated, self.rejected, self.suppressed, self.as_of
        );

        for j in &self.journeys {
            let parts: Vec<String> = j
                .stages
                .iter()
                .map(|s| format!("{} {}", s.name, s.customers))
                .chain(std::iter::once(format!("no stage {}", j.no_stage)))
                .collect();
            out.push_str(&format!("journey {}: {}\n", j.journey, parts.join(", ")));
        }
        for s in &self.segments {
            out.push_str(&format!("segment {}: {}\n", s.name, s.customers));
        }
        for r in &self.rules {
            out.push_str(&format!(
                "rule {}: fired {}, held out {}\n",
                r.rule, r.fired, r.held_out
            ));
        }
        for a in &self.actions {
            out.push_str(&format!(
                "action {}: {} ({} held out)\n",
                a.action, a.customers, a.held_out
            ));
        }
        if let Some(cov) = &self.coverage {
            out.push_str("coverage (customers for whom the condition was true / false / unknown / not evaluated):\n");
            for c in cov {
                out.push_str(&format!(
                    "  {} {}: {} / {} / {} / {}\n",
                    c.kind, c.name, c.true_, c.false_, c.unknown, c.not_evaluated
                ));
            }
        }
        out
    }
}

/// Per rule that never fired, its comparison (a condition that is no `and` / `or`; a `not X`
/// counts as one) that was false or unknown for the most customers; the first on a tie.
fn blockers(program: &Program, stats: &Stats) -> Vec<Blocker> {
    use crate::eval::program::{CKind, C};
    fn leaves<'c>(c: &'c C, out: &mut Vec<&'c C>) {
        match &c.kind {
            CKind::And(parts) | CKind::Or(parts) => parts.iter().for_each(|p| leaves(p, out)),
            _ => out.push(c),
        }
    }
    let mut out = Vec::new();
    for (r, rule) in program.rules.iter().enumerate() {
        if stats.rules_fired.get(r).copied().unwrap_or(0) > 0 {
            continue;
        }
        let mut found = Vec::new();
        leaves(&rule.condition, &mut found);
        let counts = |c: &C| stats.coverage.get(c.id as usize).copied().unwrap_or([0; 3]);
        let mut worst: Option<(&C, u64)> = None;
        for c in found {
            let [_, f, u] = counts(c);
            if worst.is_none_or(|(_, w)| f + u > w) {
                worst = Some((c, f + u));
            }
        }
        if let Some((c, _)) = worst {
            let [t, f, u] = counts(c);
            out.push(Blocker {
                rule: rule.name.clone(),
                span: c.span,
                true_: t,
                false_: f,
                unknown: u,
            });
        }
    }
    out
}

fn coverage(program: &Program, stats: &Stats) -> Vec<Coverage> {
    use crate::eval::program::{JourneySource, C};
    let entry = |kind: &'static str, name: String, c: &C| {
        let [t, f, u] = stats.coverage.get(c.id as usize).copied().unwrap_or([0; 3]);
        Coverage {
            kind,
            name,
            true_: t,
            false_: f,
            unknown: u,
            not_evaluated: stats.evaluated.saturating_sub(t + f + u),
        }
    };
    let mut out = Vec::new();
    for j in &program.journeys {
        if let JourneySource::Conditions(conds) = &j.source {
            for (s, c) in conds.iter().enumerate() {
                out.push(entry("stage", format!("{}.{}", j.name, j.stages[s]), c));
            }
        }
    }
    for s in &program.segments {
        out.push(entry("segment", s.name.clone(), &s.condition));
    }
    for r in &program.rules {
        out.push(entry("rule", r.name.clone(), &r.condition));
        if let Some(u) = &r.unless {
            out.push(entry("unless", r.name.clone(), u));
        }
    }
    out
}
