//! Running a playbook's `test` blocks: one customer each, expectations checked.

use super::program::Program;
use super::run::{NoTrace, Outcome};
use crate::check::model::{ExpectDef, GivenCell, TestDef};
use crate::diagnostic::{Code, Diagnostic};
use crate::row::parse::match_word;
use crate::row::SlotKind;
use crate::row::{Cell, ListCell, Row};

/// The result of one test block.
pub struct TestResult {
    pub name: String,
    pub failures: Vec<Diagnostic>,
    /// What the test's customer exercised (for `playbook test --coverage`).
    pub rules_fired: Vec<u32>,
    pub stages: Vec<Option<u16>>,
    /// For a failed test: its customer's decision explained, every condition with its values
    /// (`playbook explain`'s text), so that the failure says why.
    pub why: Option<String>,
}

/// Runs every test of a lowered program: test customers are given by slot, no export is read.
/// `source` is the playbook's text, quoted when a failed test is explained.
pub fn run_tests(program: &Program, source: &str, default_as_of: i32) -> Vec<TestResult> {
    program
        .model
        .tests
        .iter()
        .map(|t| run_test(program, source, t, default_as_of))
        .collect()
}

fn run_test(program: &Program, source: &str, test: &TestDef, default_as_of: i32) -> TestResult {
    let lists: Vec<Vec<String>> = test
        .given
        .iter()
        .map(|(_, c)| match c {
            GivenCell::List(items) => items.clone(),
            _ => Vec::new(),
        })
        .collect();
    let mut cells: Vec<Cell<'_>> = vec![Cell::Missing; program.slots.len()];
    for (n, (field, given)) in test.given.iter().enumerate() {
        cells[*field] = match given {
            GivenCell::Missing => Cell::Missing,
            GivenCell::Text(t) => Cell::Text(t),
            GivenCell::Number(x) => Cell::Number(*x),
            GivenCell::Bool(b) => Cell::Bool(*b),
            GivenCell::Date(d) => Cell::Date(*d),
            GivenCell::Word(w) => Cell::Word(*w),
            GivenCell::List(_) => Cell::List(ListCell::Items(&lists[n])),
        };
    }
    let mut failures = Vec::new();
    for (slot_index, slot) in program.slots.iter().enumerate() {
        if let SlotKind::Stage(stages) = &slot.kind {
            let given = test.columns.iter().find(|(c, _)| *c == slot.name);
            cells[slot_index] = match given {
                None => Cell::Stage(None),
                Some((_, v)) if v.trim().is_empty() => Cell::Stage(None),
                Some((_, v)) => match match_word(stages, v.trim()) {
                    Some(s) => Cell::Stage(Some(s as u16)),
                    None => {
                        failures.push(Diagnostic::new(
                            Code::TestValue,
                            test.span,
                            format!(
                                "`{v}` is not a stage of the journey read from `{}`",
                                slot.name
                            ),
                        ));
                        Cell::Stage(None)
                    }
                },
            };
        }
    }
    // The customer id (for holdouts): the key's value if given, else the test's name.
    let id = match program.model.key_field {
        Some(k) => test
            .given
            .iter()
            .find(|(f, _)| *f == k)
            .and_then(|(_, c)| match c {
                GivenCell::Text(t) => Some(t.clone()),
                GivenCell::Number(n) => Some(n.to_string()),
                _ => None,
            }),
        None => test
            .columns
            .iter()
            .find(|(c, _)| c == "id" || c == "customer_id")
            .map(|(_, v)| v.clone()),
    }
    .unwrap_or_else(|| test.name.clone());
    let row = Row {
        id: &id,
        cells: &cells,
    };
    let mut outcome = Outcome::default();
    let as_of = test.as_of.unwrap_or(default_as_of);
    program.decide(&row, as_of, &mut outcome, &mut NoTrace);
    for e in &test.expectations {
        if let Some(problem) = check_expectation(program, &row, &outcome, &e.kind) {
            failures.push(
                Diagnostic::new(
                    Code::TestFailed,
                    e.span,
                    format!("test \"{}\" failed: {problem}", test.name),
                )
                .label("this expectation does not hold"),
            );
        }
    }
    let place = format!("the customer of test \"{}\"", test.name);
    let why = (!failures.is_empty())
        .then(|| super::explain::explain(program, source, &row, as_of, &place));
    TestResult {
        name: test.name.clone(),
        failures,
        why,
        rules_fired: outcome.rules_fired.clone(),
        stages: outcome.stages.clone(),
    }
}

/// `None` when the expectation holds; otherwise what was expected vs what happened.
fn check_expectation(p: &Program, row: &Row<'_>, o: &Outcome, e: &ExpectDef) -> Option<String> {
    let action_names = |o: &Outcome| -> String {
        let names: Vec<String> = o
            .actions
            .iter()
            .map(|f| p.actions[p.action_of(f) as usize].clone())
            .collect();
        if names.is_empty() {
            "no actions".to_string()
        } else {
            format!("the actions are {}", names.join(", "))
        }
    };
    let stage_of = |j: usize| {
        p.stage_name(o, j)
            .map(|s| format!("`{s}`"))
            .unwrap_or_else(|| "no stage".to_string())
    };
    let has_action = |a: usize| o.actions.iter().any(|f| p.action_of(f) as usize == a);
    let _ = row;
    match *e {
        ExpectDef::Stage { journey, stage } => (o.stages[journey] != Some(stage as u16)).then(|| {
            format!(
                "expected stage `{}`, but the customer is in {} of `{}`",
                p.journeys[journey].stages[stage],
                stage_of(journey),
                p.journeys[journey].name
            )
        }),
        ExpectDef::NoStage(Some(j)) => {
            o.stages[j].is_some().then(|| format!("expected no stage in `{}`, but the customer is in {}", p.journeys[j].name, stage_of(j)))
        }
        ExpectDef::NoStage(None) => o.stages.iter().position(Option::is_some).map(|j| {
            format!("expected no stage, but the customer is in {} of `{}`", stage_of(j), p.journeys[j].name)
        }),
        ExpectDef::Action(a) => (!has_action(a)).then(|| {
            let why = if o.suppressed { " (the customer is suppressed)" } else { "" };
            format!("expected action `{}`, but {}{why}", p.actions[a], action_names(o))
        }),
        ExpectDef::NoAction(a) => has_action(a).then(|| format!("expected no action `{}`, but {}", p.actions[a], action_names(o))),
        ExpectDef::NoActions => (!o.actions.is_empty()).then(|| format!("expected no actions, but {}", action_names(o))),
        ExpectDef::Suppressed(want) => (o.suppressed != want).then(|| {
            if want {
                "expected the customer to be suppressed, but no `suppress` line holds".to_string()
            } else {
                "expected the customer not to be suppressed, but a `suppress` line holds (true or unknown)".to_string()
            }
        }),
        ExpectDef::Segment(s, want) => (o.segments[s] != want).then(|| {
            let name = &p.segments[s].name;
            if want {
                format!("expected the customer in segment `{name}`, but they are not")
            } else {
                format!("expected the customer not in segment `{name}`, but they are")
            }
        }),
        ExpectDef::Holdout(a) => {
            let held = o.actions.iter().any(|f| p.action_of(f) as usize == a && f.holdout);
            (!held).then(|| {
                if has_action(a) {
                    format!("expected action `{}` to be held out, but it is not", p.actions[a])
                } else {
                    format!("expected action `{}` held out, but {}", p.actions[a], action_names(o))
                }
            })
        }
    }
}
