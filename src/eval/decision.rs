//! The decision for one customer, as the library returns it and `eval` prints it (language.md §9).

use super::program::{Channel, Program};
use super::run::Outcome;
use crate::row::{Cell, Row};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// One customer's decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub customer: String,
    /// Every journey, in file order, with the customer's stage or `null`.
    #[serde(serialize_with = "ordered_map")]
    pub stages: Vec<(String, Option<String>)>,
    pub segments: Vec<String>,
    pub actions: Vec<ActionDecision>,
    pub suppressed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionDecision {
    pub action: String,
    pub rule: String,
    pub argument: Option<String>,
    pub channel: Option<String>,
    pub holdout: bool,
}

fn ordered_map<S: Serializer>(
    entries: &[(String, Option<String>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(entries.len()))?;
    for (k, v) in entries {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl Program {
    /// The stage name of journey `j` in an outcome.
    pub fn stage_name(&self, outcome: &Outcome, j: usize) -> Option<&str> {
        outcome.stages[j].map(|s| self.journeys[j].stages[s as usize].as_str())
    }

    /// The channel of a fired action for this row.
    pub fn channel<'a>(&'a self, rule: u32, action: u32, row: &Row<'_>) -> Option<&'a str> {
        match &self.rules[rule as usize].actions[action as usize].channel {
            Channel::None => None,
            Channel::Word(w) => Some(w),
            Channel::Slot { slot, words } => match row.cells[*slot as usize] {
                Cell::Word(w) => words.get(w as usize).map(String::as_str),
                _ => None,
            },
        }
    }

    /// Turns an outcome into the serde decision.
    pub fn decision(&self, row: &Row<'_>, outcome: &Outcome) -> Decision {
        Decision {
            customer: row.id.to_string(),
            stages: self
                .journeys
                .iter()
                .enumerate()
                .map(|(j, journey)| {
                    (
                        journey.name.clone(),
                        self.stage_name(outcome, j).map(str::to_string),
                    )
                })
                .collect(),
            segments: self
                .segments
                .iter()
                .zip(&outcome.segments)
                .filter(|(_, &holds)| holds)
                .map(|(s, _)| s.name.clone())
                .collect(),
            actions: outcome
                .actions
                .iter()
                .map(|f| {
                    let rule = &self.rules[f.rule as usize];
                    let action = &rule.actions[f.action as usize];
                    ActionDecision {
                        action: self.actions[action.action as usize].clone(),
                        rule: rule.name.clone(),
                        argument: action.argument.clone(),
                        channel: self.channel(f.rule, f.action, row).map(str::to_string),
                        holdout: f.holdout,
                    }
                })
                .collect(),
            suppressed: outcome.suppressed,
        }
    }
}
