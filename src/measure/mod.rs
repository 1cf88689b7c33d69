//! `playbook measure`: did a pilot work? The decisions `eval` wrote (with their holdout
//! flags) joined with an outcomes export, treated against held out per rule, per action and
//! for the playbook as a whole.

pub mod output;
pub mod read;
pub mod stats;

pub use read::MeasureError;
pub use read::Plan;
use read::{Decision, Outcomes};
use serde::Serialize;
use stats::{Conversions, Effect, Moments};

/// What was measured, as printed and as written with `--format json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Measurement {
    pub decisions_file: String,
    pub outcomes_file: String,
    /// Customers in the decisions.
    pub decided: u64,
    /// Customers in the outcomes export.
    pub with_outcomes: u64,
    /// In both files.
    pub matched: u64,
    /// Decided, with no row in the outcomes: left out of every group.
    pub decisions_only: u64,
    /// In the outcomes, not decided (with CSV decisions: also every customer without actions).
    pub outcomes_only: u64,
    /// `playbook`: groups from the playbook's holdouts (`--playbook`); `flags`: from the
    /// decisions' holdout flags alone.
    pub groups_from: &'static str,
    pub metrics: Vec<Metric>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Metric {
    pub metric: String,
    /// `conversion` (yes/no) or `number`.
    pub kind: &'static str,
    pub comparisons: Vec<Comparison>,
}

/// Treated against held out for one rule, one action, or the playbook.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Comparison {
    /// `playbook`, `rule` or `action`.
    pub scope: &'static str,
    pub name: String,
    pub treated: Group,
    pub held_out: Group,
    #[serde(flatten)]
    pub effect: Effect,
}

/// One side of a comparison.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Group {
    /// Customers with a value.
    pub customers: u64,
    /// Customers of the group with no outcome row or an empty cell: not in the numbers.
    pub missing: u64,
    /// Conversions: how many converted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted: Option<u64>,
    /// The conversion rate or the mean.
    pub value: Option<f64>,
    /// Numbers: the standard deviation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

/// Who is treated and who is held out: by rule, by action, or for every action.
#[derive(Clone, Copy)]
enum By {
    Playbook,
    Rule,
    Action,
}

impl By {
    fn scope(self) -> &'static str {
        match self {
            By::Playbook => "playbook",
            By::Rule => "rule",
            By::Action => "action",
        }
    }
}

/// A group's members by index into the decisions.
struct Split {
    name: String,
    treated: Vec<usize>,
    held_out: Vec<usize>,
}

/// Joins decisions and outcomes and measures every metric.
pub fn measure(
    decisions_file: &str,
    decisions: &[Decision],
    outcomes_file: &str,
    outcomes: &Outcomes,
    metrics: &[String],
    plan: Option<&Plan>,
) -> Measurement {
    let matched = decisions
        .iter()
        .filter(|d| outcomes.values.contains_key(&d.id))
        .count() as u64;
    let splits = splits(decisions, plan);
    let metrics = metrics
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let conversion = outcomes.conversion.get(m).copied().unwrap_or(false);
            let values = |members: &[usize]| -> (Vec<f64>, u64) {
                let mut out = Vec::with_capacity(members.len());
                for &i in members {
                    let value = outcomes
                        .values
                        .get(&decisions[i].id)
                        .and_then(|row| row.get(m).copied().flatten());
                    out.extend(value);
                }
                let missing = (members.len() - out.len()) as u64;
                (out, missing)
            };
            let comparisons = splits
                .iter()
                .map(|(by, split)| {
                    let (t, tm) = values(&split.treated);
                    let (h, hm) = values(&split.held_out);
                    compare(*by, &split.name, conversion, (&t, tm), (&h, hm))
                })
                .collect();
            Metric {
                metric: name.clone(),
                kind: if conversion { "conversion" } else { "number" },
                comparisons,
            }
        })
        .collect();
    Measurement {
        decisions_file: decisions_file.to_string(),
        outcomes_file: outcomes_file.to_string(),
        decided: decisions.len() as u64,
        with_outcomes: outcomes.values.len() as u64,
        matched,
        decisions_only: decisions.len() as u64 - matched,
        outcomes_only: outcomes.values.len() as u64 - matched,
        groups_from: if plan.is_some() { "playbook" } else { "flags" },
        metrics,
    }
}

fn compare(
    by: By,
    name: &str,
    conversion: bool,
    (treated, treated_missing): (&[f64], u64),
    (held_out, held_out_missing): (&[f64], u64),
) -> Comparison {
    let group = |values: &[f64], missing: u64| {
        let m = Moments::of(values);
        Group {
            customers: m.n,
            missing,
            converted: conversion.then(|| values.iter().filter(|v| **v > 0.0).count() as u64),
            value: (m.n > 0).then_some(m.mean),
            sd: (!conversion && m.n > 1).then(|| m.variance.sqrt()),
        }
    };
    let (t, h) = (
        group(treated, treated_missing),
        group(held_out, held_out_missing),
    );
    let effect = if conversion {
        let c = |g: &Group| Conversions {
            converted: g.converted.unwrap_or(0),
            customers: g.customers,
        };
        stats::proportions(c(&t), c(&h))
    } else {
        stats::means(Moments::of(treated), Moments::of(held_out))
    };
    Comparison {
        scope: by.scope(),
        name: name.to_string(),
        treated: t,
        held_out: h,
        effect,
    }
}

/// The groups to compare: the playbook as a whole, then every rule and every action with a
/// control group, in order of first appearance.
///
/// With the playbook (`plan`) the groups are exact: the policy's control group (customers
/// with actions, held out by the policy's bucket) against the rest, and per rule with its own
/// holdout, among the customers outside the policy's control group, those held out by the
/// rule against those sent its actions — so they differ in that one rule only.
///
/// From the flags alone a customer is held out for a rule when its actions are flagged
/// `holdout`, by the rule's own holdout or by the policy's (the decisions do not say which),
/// and the playbook row compares customers sent anything with customers sent nothing.
fn splits(decisions: &[Decision], plan: Option<&Plan>) -> Vec<(By, Split)> {
    let mut out = Vec::new();
    let policy_held: Vec<bool> = decisions
        .iter()
        .map(|d| plan.is_some_and(|p| p.policy_held(&d.id)))
        .collect();
    if plan.is_none_or(|p| p.policy.is_some()) {
        let mut split = Split {
            name: if plan.is_some() {
                "(policy holdout)"
            } else {
                "(all actions)"
            }
            .to_string(),
            treated: Vec::new(),
            held_out: Vec::new(),
        };
        for (i, d) in decisions.iter().enumerate() {
            if d.actions.is_empty() {
                continue;
            }
            let held = match plan {
                Some(_) => policy_held[i],
                None => d.actions.iter().all(|a| a.holdout),
            };
            if held {
                split.held_out.push(i);
            } else {
                split.treated.push(i);
            }
        }
        out.push((By::Playbook, split));
    }
    for by in [By::Rule, By::Action] {
        let mut named: Vec<Split> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = Default::default();
        for (i, d) in decisions.iter().enumerate() {
            if policy_held[i] {
                continue;
            }
            // Per customer: each name once, treated when any of its actions was sent.
            let mut mine: Vec<(&str, bool)> = Vec::new();
            for a in &d.actions {
                if plan.is_some_and(|p| !p.has_holdout(&a.rule)) {
                    continue;
                }
                let name = match by {
                    By::Action => a.action.as_str(),
                    _ => a.rule.as_str(),
                };
                match mine.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, held)) => *held &= a.holdout,
                    None => mine.push((name, a.holdout)),
                }
            }
            for (name, held) in mine {
                let at = *index.entry(name).or_insert_with(|| {
                    named.push(Split {
                        name: name.to_string(),
                        treated: Vec::new(),
                        held_out: Vec::new(),
                    });
                    named.len() - 1
                });
                if held {
                    named[at].held_out.push(i);
                } else {
                    named[at].treated.push(i);
                }
            }
        }
        // From the flags alone, a rule without held-out customers has no control group.
        out.extend(
            named
                .into_iter()
                .filter(|s| plan.is_some() || !s.held_out.is_empty())
                .map(|s| (by, s)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::read::Given;
    use super::*;

    fn decision(id: &str, actions: &[(&str, &str, bool)]) -> Decision {
        Decision {
            id: id.to_string(),
            line: 1,
            actions: actions
                .iter()
                .map(|(rule, action, holdout)| Given {
                    rule: rule.to_string(),
                    action: action.to_string(),
                    holdout: *holdout,
                })
                .collect(),
        }
    }

    #[test]
    fn groups_follow_the_holdout_flags() {
        let d = vec![
            decision("A", &[("pilot", "bel", false), ("w", "welkom", false)]),
            decision("B", &[("pilot", "bel", true), ("w", "welkom", false)]),
            decision("C", &[("pilot", "bel", true), ("w", "welkom", true)]),
            decision("D", &[]),
        ];
        let s = splits(&d, None);
        let names: Vec<(&str, &str, Vec<usize>, Vec<usize>)> = s
            .iter()
            .map(|(b, s)| {
                (
                    b.scope(),
                    s.name.as_str(),
                    s.treated.clone(),
                    s.held_out.clone(),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("playbook", "(all actions)", vec![0, 1], vec![2]),
                ("rule", "pilot", vec![0], vec![1, 2]),
                ("rule", "w", vec![0, 1], vec![2]),
                ("action", "bel", vec![0], vec![1, 2]),
                ("action", "welkom", vec![0, 1], vec![2]),
            ]
        );
    }

    #[test]
    fn with_the_playbook_the_policy_group_is_its_own() {
        // Buckets (language.md §11, §12): klantbeleving-2026-q4/KB-T09 is 460 (< 5%),
        // pilot/KB-T20 is 156 (< 10%); KB-T01 is in neither control group.
        let plan = Plan {
            policy: Some(("klantbeleving-2026-q4".into(), 500)),
            rules: [
                (
                    "pilot".to_string(),
                    Some(("pilot proactief contact".into(), 1000)),
                ),
                ("w".to_string(), None),
            ]
            .into_iter()
            .collect(),
        };
        let d = vec![
            decision("KB-T09", &[("pilot", "bel", true), ("w", "welkom", true)]),
            decision("KB-T20", &[("pilot", "bel", true), ("w", "welkom", false)]),
            decision("KB-T01", &[("pilot", "bel", false), ("w", "welkom", false)]),
        ];
        assert!(!plan.policy_held("KB-T01"));
        assert_eq!(plan.check("d", &d), Ok(()));
        let s = splits(&d, Some(&plan));
        let names: Vec<(&str, Vec<usize>, Vec<usize>)> = s
            .iter()
            .map(|(_, s)| (s.name.as_str(), s.treated.clone(), s.held_out.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("(policy holdout)", vec![1, 2], vec![0]),
                ("pilot", vec![2], vec![1]),
                ("bel", vec![2], vec![1]),
            ]
        );
        // The policy's control group sent something: not this playbook's decisions.
        let wrong = vec![decision("KB-T09", &[("w", "welkom", false)])];
        assert!(plan.check("d", &wrong).is_err());
    }

    #[test]
    fn customers_without_outcomes_are_counted() {
        let d = vec![
            decision("A", &[("pilot", "bel", false)]),
            decision("B", &[("pilot", "bel", true)]),
        ];
        let o = Outcomes {
            conversion: vec![true],
            values: [
                ("A".to_string(), vec![Some(1.0)]),
                ("Z".to_string(), vec![None]),
            ]
            .into_iter()
            .collect(),
        };
        let m = measure("d", &d, "o", &o, &["x".to_string()], None);
        assert_eq!((m.matched, m.decisions_only, m.outcomes_only), (1, 1, 1));
        let c = &m.metrics[0].comparisons[1];
        assert_eq!((c.treated.customers, c.held_out.missing), (1, 1));
    }
}
