//! What a change to a playbook does to customers: two decision streams over the
//! same export, compared customer by customer (they are in the same order).

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// How many example ids are kept per transition.
pub const EXAMPLES: usize = 5;

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct DiffReport {
    pub customers: u64,
    /// Customers whose decision differs in any way.
    pub changed: u64,
    pub journeys: Vec<JourneyDiff>,
    /// Customers who enter or leave each segment.
    pub segments: Vec<SegmentDiff>,
    pub actions: Vec<ActionDiff>,
    pub suppression: Change,
    pub holdout: Change,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct JourneyDiff {
    pub journey: String,
    pub transitions: Vec<Transition>,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Transition {
    pub from: Option<String>,
    pub to: Option<String>,
    pub customers: u64,
    pub examples: Vec<String>,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct SegmentDiff {
    pub segment: String,
    pub entered: u64,
    pub left: u64,
    pub entered_examples: Vec<String>,
    pub left_examples: Vec<String>,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct ActionDiff {
    pub action: String,
    pub gained: u64,
    pub lost: u64,
    pub gained_examples: Vec<String>,
    pub lost_examples: Vec<String>,
}

/// Customers who started or stopped being suppressed (or held out).
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Change {
    pub started: u64,
    pub stopped: u64,
    pub started_examples: Vec<String>,
    pub stopped_examples: Vec<String>,
}

impl Change {
    fn add(&mut self, before: bool, after: bool, id: &str) {
        match (before, after) {
            (false, true) => {
                self.started += 1;
                push_example(&mut self.started_examples, id);
            }
            (true, false) => {
                self.stopped += 1;
                push_example(&mut self.stopped_examples, id);
            }
            _ => {}
        }
    }
}

fn push_example(list: &mut Vec<String>, id: &str) {
    if list.len() < EXAMPLES {
        list.push(id.to_string());
    }
}

/// One decision, as read back from NDJSON.
struct Read {
    customer: String,
    segments: Vec<String>,
    /// The whole decision but the id: any difference here is a change.
    rest: Value,
    stages: Vec<(String, Option<String>)>,
    actions: BTreeMap<String, (u64, u64)>,
    suppressed: bool,
}

fn read(line: &str) -> Result<Read, String> {
    let mut v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let customer = v["customer"].as_str().unwrap_or_default().to_string();
    let segments = v["segments"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let stages = v["stages"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, s)| (k.clone(), s.as_str().map(str::to_string)))
                .collect()
        })
        .unwrap_or_default();
    let mut actions: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for a in v["actions"].as_array().into_iter().flatten() {
        let entry = actions
            .entry(a["action"].as_str().unwrap_or_default().to_string())
            .or_default();
        entry.0 += 1;
        if a["holdout"].as_bool() == Some(true) {
            entry.1 += 1;
        }
    }
    let suppressed = v["suppressed"].as_bool() == Some(true);
    if let Some(o) = v.as_object_mut() {
        o.remove("customer");
    }
    Ok(Read {
        customer,
        segments,
        rest: v,
        stages,
        actions,
        suppressed,
    })
}

/// (journey, from, to)
type TransitionKey = (String, Option<String>, Option<String>);

/// Accumulates the comparison.
#[derive(Default)]
pub struct Differ {
    report: DiffReport,
    transitions: BTreeMap<TransitionKey, (u64, Vec<String>)>,
    segments: BTreeMap<String, SegmentDiff>,
    actions: BTreeMap<String, ActionDiff>,
}

impl Differ {
    /// Compares one customer's old and new decision lines.
    pub fn add(&mut self, old: &str, new: &str) -> Result<(), String> {
        let (old, new) = (read(old)?, read(new)?);
        if old.customer != new.customer {
            return Err(format!(
                "the runs disagree on the order of customers ({} vs {})",
                old.customer, new.customer
            ));
        }
        let id = &old.customer;
        self.report.customers += 1;
        // Channels, arguments and the rule behind an action count too.
        let mut changed = old.rest != new.rest;
        let entered = new
            .segments
            .iter()
            .filter(|g| !old.segments.contains(g))
            .map(|g| (g, true));
        let left = old
            .segments
            .iter()
            .filter(|g| !new.segments.contains(g))
            .map(|g| (g, false));
        for (name, entering) in entered.chain(left) {
            let entry = self
                .segments
                .entry(name.clone())
                .or_insert_with(|| SegmentDiff {
                    segment: name.clone(),
                    ..SegmentDiff::default()
                });
            if entering {
                entry.entered += 1;
                push_example(&mut entry.entered_examples, id);
            } else {
                entry.left += 1;
                push_example(&mut entry.left_examples, id);
            }
        }
        let mut journeys: Vec<&String> = old.stages.iter().map(|(j, _)| j).collect();
        for (j, _) in &new.stages {
            if !journeys.contains(&j) {
                journeys.push(j);
            }
        }
        for journey in journeys {
            let before = old
                .stages
                .iter()
                .find(|(j, _)| j == journey)
                .and_then(|(_, s)| s.clone());
            let after = new
                .stages
                .iter()
                .find(|(j, _)| j == journey)
                .and_then(|(_, s)| s.clone());
            if before != after {
                changed = true;
                let entry = self
                    .transitions
                    .entry((journey.clone(), before, after))
                    .or_default();
                entry.0 += 1;
                push_example(&mut entry.1, id);
            }
        }
        let mut names: Vec<&String> = old.actions.keys().chain(new.actions.keys()).collect();
        names.sort();
        names.dedup();
        let mut held_before = false;
        let mut held_after = false;
        for name in names {
            let (b, bh) = old.actions.get(name).copied().unwrap_or_default();
            let (a, ah) = new.actions.get(name).copied().unwrap_or_default();
            held_before |= bh > 0;
            held_after |= ah > 0;
            if a == b && ah == bh {
                continue;
            }
            changed = true;
            let entry = self
                .actions
                .entry(name.clone())
                .or_insert_with(|| ActionDiff {
                    action: name.clone(),
                    ..ActionDiff::default()
                });
            if a > b {
                entry.gained += 1;
                push_example(&mut entry.gained_examples, id);
            } else if a < b {
                entry.lost += 1;
                push_example(&mut entry.lost_examples, id);
            }
        }
        if old.suppressed != new.suppressed || held_before != held_after {
            changed = true;
        }
        self.report
            .suppression
            .add(old.suppressed, new.suppressed, id);
        self.report.holdout.add(held_before, held_after, id);
        if changed {
            self.report.changed += 1;
        }
        Ok(())
    }

    pub fn finish(mut self) -> DiffReport {
        for ((journey, from, to), (customers, examples)) in self.transitions {
            let transition = Transition {
                from,
                to,
                customers,
                examples,
            };
            match self
                .report
                .journeys
                .iter_mut()
                .find(|j| j.journey == journey)
            {
                Some(j) => j.transitions.push(transition),
                None => self.report.journeys.push(JourneyDiff {
                    journey,
                    transitions: vec![transition],
                }),
            }
        }
        self.report.actions = self.actions.into_values().collect();
        self.report.segments = self.segments.into_values().collect();
        self.report
    }
}

fn stage(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("(no stage)")
}

impl DiffReport {
    /// For a terminal.
    pub fn table(&self) -> String {
        let mut out = format!("{} of {} customers change\n", self.changed, self.customers);
        for j in &self.journeys {
            out.push_str(&format!("\njourney {}:\n", j.journey));
            for t in &j.transitions {
                out.push_str(&format!(
                    "  {} → {}: {} (e.g. {})\n",
                    stage(&t.from),
                    stage(&t.to),
                    t.customers,
                    t.examples.join(", ")
                ));
            }
        }
        if !self.segments.is_empty() {
            out.push_str("\nsegments:\n");
            for g in &self.segments {
                out.push_str(&format!("  {}: +{} −{}", g.segment, g.entered, g.left));
                if !g.entered_examples.is_empty() {
                    out.push_str(&format!("  entered e.g. {}", g.entered_examples.join(", ")));
                }
                if !g.left_examples.is_empty() {
                    out.push_str(&format!("  left e.g. {}", g.left_examples.join(", ")));
                }
                out.push('\n');
            }
        }
        if !self.actions.is_empty() {
            out.push_str("\nactions:\n");
            for a in &self.actions {
                out.push_str(&format!("  {}: +{} −{}", a.action, a.gained, a.lost));
                if !a.gained_examples.is_empty() {
                    out.push_str(&format!("  gained e.g. {}", a.gained_examples.join(", ")));
                }
                if !a.lost_examples.is_empty() {
                    out.push_str(&format!("  lost e.g. {}", a.lost_examples.join(", ")));
                }
                out.push('\n');
            }
        }
        for (what, c) in [
            ("suppressed", &self.suppression),
            ("held out", &self.holdout),
        ] {
            if c.started + c.stopped > 0 {
                out.push_str(&format!(
                    "\n{what}: {} start, {} stop\n",
                    c.started, c.stopped
                ));
            }
        }
        out
    }

    /// Ready to paste as a pull-request comment.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### Playbook change: {} of {} customers change\n",
            self.changed, self.customers
        );
        for j in &self.journeys {
            out.push_str(&format!(
                "\n**Journey `{}`**\n\n| from | to | customers | examples |\n|---|---|---:|---|\n",
                j.journey
            ));
            for t in &j.transitions {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    stage(&t.from),
                    stage(&t.to),
                    t.customers,
                    t.examples.join(", ")
                ));
            }
        }
        if !self.segments.is_empty() {
            out.push_str(
                "\n**Segments**\n\n| segment | entered | left | examples |\n|---|---:|---:|---|\n",
            );
            for g in &self.segments {
                let ex: Vec<String> = g
                    .entered_examples
                    .iter()
                    .map(|e| format!("+{e}"))
                    .chain(g.left_examples.iter().map(|e| format!("−{e}")))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    g.segment,
                    g.entered,
                    g.left,
                    ex.join(", ")
                ));
            }
        }
        if !self.actions.is_empty() {
            out.push_str(
                "\n**Actions**\n\n| action | gained | lost | examples |\n|---|---:|---:|---|\n",
            );
            for a in &self.actions {
                let ex: Vec<String> = a
                    .gained_examples
                    .iter()
                    .map(|e| format!("+{e}"))
                    .chain(a.lost_examples.iter().map(|e| format!("−{e}")))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    a.action,
                    a.gained,
                    a.lost,
                    ex.join(", ")
                ));
            }
        }
        for (what, c) in [
            ("Suppressed", &self.suppression),
            ("Held out", &self.holdout),
        ] {
            if c.started + c.stopped > 0 {
                out.push_str(&format!(
                    "\n**{what}**: {} start ({}), {} stop ({})\n",
                    c.started,
                    c.started_examples.join(", "),
                    c.stopped,
                    c.stopped_examples.join(", ")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_and_actions_are_counted() {
        let mut d = Differ::default();
        let line = |id: &str, stage: &str, actions: &str, sup: bool| {
            format!(
                r#"{{"customer":"{id}","stages":{{"j":{stage}}},"segments":[],"actions":[{actions}],"suppressed":{sup}}}"#
            )
        };
        let a = |name: &str, held: bool| {
            format!(
                r#"{{"action":"{name}","rule":"r","argument":null,"channel":null,"holdout":{held}}}"#
            )
        };
        d.add(
            &line("C1", "\"x\"", &a("surprise", false), false),
            &line("C1", "\"y\"", "", false),
        )
        .expect("same customer");
        d.add(
            &line("C2", "null", "", false),
            &line("C2", "null", &a("surprise", true), false),
        )
        .expect("same customer");
        d.add(
            &line("C3", "\"x\"", "", false),
            &line("C3", "\"x\"", "", true),
        )
        .expect("same customer");
        d.add(
            &line("C4", "\"x\"", "", false),
            &line("C4", "\"x\"", "", false),
        )
        .expect("same customer");
        let r = d.finish();
        assert_eq!((r.customers, r.changed), (4, 3));
        assert_eq!(r.journeys[0].transitions[0].from.as_deref(), Some("x"));
        assert_eq!(r.journeys[0].transitions[0].to.as_deref(), Some("y"));
        assert_eq!((r.actions[0].gained, r.actions[0].lost), (1, 1));
        assert_eq!((r.suppression.started, r.holdout.started), (1, 1));
        assert!(d_err());
    }

    #[test]
    fn a_new_channel_or_segment_is_a_change() {
        let mut d = Differ::default();
        let line = |seg: &str, ch: &str| {
            format!(
                r#"{{"customer":"C1","stages":{{}},"segments":[{seg}],"actions":[{{"action":"a","rule":"r","argument":null,"channel":{ch},"holdout":false}}],"suppressed":false}}"#
            )
        };
        d.add(&line("", "\"email\""), &line("", "\"sms\""))
            .expect("same customer");
        d.add(&line("\"vip\"", "null"), &line("", "null"))
            .expect("same customer");
        let r = d.finish();
        assert_eq!(r.changed, 2);
        assert!(r.actions.is_empty());
        assert_eq!(
            (r.segments[0].segment.as_str(), r.segments[0].left),
            ("vip", 1)
        );
    }

    fn d_err() -> bool {
        let mut d = Differ::default();
        d.add(r#"{"customer":"A"}"#, r#"{"customer":"B"}"#).is_err()
    }
}
