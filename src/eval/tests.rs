//! Evaluator unit tests: a playbook and rows given as text.

use super::program::{CKind, C};
use super::run::{leaf, Ctx, NoTrace, Outcome, Tracer};
use crate::check::{check, SchemaSource};
use crate::data::rows::csv_row;
use crate::row::Row;
use crate::syntax::parse;

/// Sees every node, so `decide` walks every condition without guards.
struct Walk;
impl Tracer for Walk {}

const PLAYBOOK: &str = "customer {
  id text key
  n number?
  d date?
  k one of a, b
  ok bool?
}
rule r1 when n >= 3 and k is a then x
rule r2 when n between 2 and 4 and d more than 10 days ago then y
rule r3 when not ok and n < 5 then z
rule r4 when (k is b and ok) or n = 1 then w
rule r5 when d within 5 days and ok and n > 0 then v
journey fase {
  stage een when n >= 1
  stage twee when n >= 2 and k is not b
  stage drie when ok
}
segment vers = d within 30 days
rule r6 when customer in twee and k is a then s1
rule r7 when customer reached twee and not ok then s2
rule r8 when customer in vers and anniversary of d within next 7 days then s3
rule r9 when customer not in drie and n >= 1 unless ok then s4
";

#[test]
fn guards_decide_what_walking_every_condition_decides() {
    let parsed = parse(PLAYBOOK);
    let checked = check(&parsed.playbook, PLAYBOOK, SchemaSource::File);
    let model = checked.model.expect("the playbook checks");
    let header: Vec<String> = ["id", "n", "d", "k", "ok"].map(String::from).to_vec();
    let (program, binding) = super::compile(&model, &header).expect("compiles");
    assert!(!program.guards.is_empty());
    // `not ok` (r3, r7), `or` (r4) and `not in` (r9) need a walk; the others are their guards
    // (`between` is two comparisons).
    assert_eq!(
        program.guarded,
        [true, true, false, false, true, true, false, true, false]
    );
    let as_of = crate::dates::parse_iso("2026-11-23").expect("date");
    let values: [&[&str]; 4] = [
        &["", "0", "1", "2", "3", "4", "5"],
        &[
            "",
            "2026-11-23",
            "2026-11-20",
            "2026-11-01",
            "2025-01-01",
            "2020-11-27",
        ],
        &["a", "b"],
        &["", "true", "false"],
    ];
    let mut rows = 0;
    let mut fired = std::collections::BTreeSet::new();
    for n in values[0] {
        for d in values[1] {
            for k in values[2] {
                for ok in values[3] {
                    let fields: Vec<&[u8]> = ["c1", n, d, k, ok].map(str::as_bytes).to_vec();
                    let mut cells = Vec::new();
                    let id = csv_row(
                        &binding,
                        &fields,
                        5,
                        crate::row::parse::Numbers::Point,
                        &mut cells,
                    )
                    .expect("a good row");
                    let row = Row { id, cells: &cells };
                    let (mut fast, mut walked) = (Outcome::default(), Outcome::default());
                    program.decide(&row, as_of, &mut fast, &mut NoTrace);
                    program.decide(&row, as_of, &mut walked, &mut Walk);
                    assert_eq!(fast.actions, walked.actions, "n={n} d={d} k={k} ok={ok}");
                    assert_eq!(fast.rules_fired, walked.rules_fired);
                    assert_eq!(fast.stages, walked.stages);
                    fired.extend(fast.rules_fired.iter().copied());
                    rows += 1;
                }
            }
        }
    }
    assert_eq!(rows, 7 * 6 * 2 * 3);
    // Every rule fired on some row, so none is compared only on its never firing.
    assert_eq!(fired.len(), program.rules.len());
}

#[test]
fn leaf_kinds_are_the_ones_leaf_decides() {
    fn walk<'c>(c: &'c C, all: &mut Vec<&'c C>) {
        all.push(c);
        match &c.kind {
            CKind::And(items) | CKind::Or(items) => items.iter().for_each(|i| walk(i, all)),
            CKind::Not(inner) => walk(inner, all),
            _ => {}
        }
    }
    let parsed = parse(PLAYBOOK);
    let checked = check(&parsed.playbook, PLAYBOOK, SchemaSource::File);
    let model = checked.model.expect("the playbook checks");
    let header: Vec<String> = ["id", "n", "d", "k", "ok"].map(String::from).to_vec();
    let (program, binding) = super::compile(&model, &header).expect("compiles");
    let mut nodes = Vec::new();
    for rule in &program.rules {
        walk(&rule.condition, &mut nodes);
        if let Some(u) = &rule.unless {
            walk(u, &mut nodes);
        }
    }
    for s in &program.segments {
        walk(&s.condition, &mut nodes);
    }
    let fields: Vec<&[u8]> = ["c1", "3", "2026-11-20", "a", "true"]
        .map(str::as_bytes)
        .to_vec();
    let mut cells = Vec::new();
    let id = csv_row(
        &binding,
        &fields,
        5,
        crate::row::parse::Numbers::Point,
        &mut cells,
    )
    .expect("a good row");
    let row = Row { id, cells: &cells };
    let as_of = crate::dates::parse_iso("2026-11-23").expect("date");
    let anniversaries = crate::dates::Anniversaries::new(as_of);
    let ctx = Ctx {
        program: &program,
        row: &row,
        as_of,
        stages: &[Some(1)],
        segments: &[true],
        anniversaries: &anniversaries,
    };
    let leaves = nodes.iter().filter(|c| c.kind.is_leaf()).count();
    assert!(
        leaves > 10 && leaves < nodes.len(),
        "{leaves} of {}",
        nodes.len()
    );
    for c in nodes {
        assert_eq!(
            c.kind.is_leaf(),
            leaf(&c.kind, &ctx).is_some(),
            "{:?}",
            c.kind
        );
    }
}
