//! Property test of the evaluator's three-valued logic (language.md §4 and §11): random
//! conditions of `not`/`and`/`or` over atoms that can be unknown, used as a rule's `when`, its
//! `unless`, a per-action `suppress` and the whole-customer `suppress`, evaluated by the library
//! over every combination of values, against a tiny independent Kleene truth table here.
//!
//! What must hold for each customer:
//! * a rule fires only when its condition is TRUE (unknown does not fire);
//! * `unless` blocks only when TRUE;
//! * `suppress` (whole customer or one action) applies when NOT FALSE (fail-safe): a suppressed
//!   customer has `suppressed: true` and no actions; a suppressed action is dropped.

use playbook::check::{check, SchemaSource};
use playbook::data::error::DataError;
use playbook::runner::output::OutFormat;
use playbook::runner::{run, Input, InputFormat, Options, Sinks};
use proptest::prelude::*;

/// A condition, kept as a tree so it can be both printed and evaluated.
#[derive(Clone, Debug)]
enum Cond {
    Atom(usize),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// The atoms as written. Each row gives p, q ∈ {true, false, missing}, n ∈ {−1, 1, missing}
/// and m ∈ {1, 5, missing}.
const ATOMS: [&str; 6] = [
    "p",
    "q",
    "n > 0",
    "m is missing",
    "n = m",
    "m between 1 and 4",
];

#[derive(Clone, Copy, Debug)]
struct Row {
    p: Option<bool>,
    q: Option<bool>,
    n: Option<i32>,
    m: Option<i32>,
}

impl Row {
    /// The atom's value by its own definition: `None` is unknown.
    fn atom(&self, a: usize) -> Option<bool> {
        match a {
            0 => self.p,
            1 => self.q,
            2 => self.n.map(|n| n > 0),
            3 => Some(self.m.is_none()),
            4 => Some(self.n? == self.m?),
            _ => self.m.map(|m| (1..=4).contains(&m)),
        }
    }

    fn id(&self, k: usize) -> String {
        format!("c{k:02}")
    }

    fn csv(&self, k: usize) -> String {
        let b = |v: Option<bool>| v.map(|x| x.to_string()).unwrap_or_default();
        let i = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
        format!(
            "{},{},{},{},{}",
            self.id(k),
            b(self.p),
            b(self.q),
            i(self.n),
            i(self.m)
        )
    }
}

/// Kleene's logic, written out as truth tables.
fn kleene(c: &Cond, row: &Row) -> Option<bool> {
    match c {
        Cond::Atom(a) => row.atom(*a),
        Cond::Not(x) => match kleene(x, row) {
            Some(true) => Some(false),
            Some(false) => Some(true),
            None => None,
        },
        Cond::And(x, y) => match (kleene(x, row), kleene(y, row)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Cond::Or(x, y) => match (kleene(x, row), kleene(y, row)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    }
}

/// Fully parenthesised, so the printed text means exactly the tree.
fn text(c: &Cond) -> String {
    match c {
        Cond::Atom(a) => ATOMS[*a].to_string(),
        Cond::Not(x) => format!("not ({})", text(x)),
        Cond::And(x, y) => format!("({}) and ({})", text(x), text(y)),
        Cond::Or(x, y) => format!("({}) or ({})", text(x), text(y)),
    }
}

fn cond() -> impl Strategy<Value = Cond> {
    let leaf = (0..ATOMS.len()).prop_map(Cond::Atom);
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| Cond::Not(Box::new(x))),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| Cond::And(Box::new(x), Box::new(y))),
            (inner.clone(), inner).prop_map(|(x, y)| Cond::Or(Box::new(x), Box::new(y))),
        ]
    })
}

/// Every combination of the four fields' values: 81 customers.
fn rows() -> Vec<Row> {
    let bools = [Some(true), Some(false), None];
    let mut rows = Vec::new();
    for p in bools {
        for q in bools {
            for n in [Some(-1), Some(1), None] {
                for m in [Some(1), Some(5), None] {
                    rows.push(Row { p, q, n, m });
                }
            }
        }
    }
    rows
}

/// Runs the playbook over the rows with the library; one NDJSON decision per row.
fn decide(source: &str, rows: &[Row]) -> Vec<serde_json::Value> {
    let parsed = playbook::syntax::parse(source);
    assert!(
        parsed.diagnostics.is_empty(),
        "{source}\n{:?}",
        parsed.diagnostics
    );
    let checked = check(&parsed.playbook, source, SchemaSource::File);
    let model = checked
        .model
        .unwrap_or_else(|| panic!("{source}\n{:?}", checked.diagnostics));
    let mut csv = String::from("id,p,q,n,m\n");
    for (k, r) in rows.iter().enumerate() {
        csv.push_str(&r.csv(k));
        csv.push('\n');
    }
    let options = Options {
        as_of: playbook::dates::parse_iso("2026-11-23").expect("a date"),
        threads: 1,
        out_format: OutFormat::Ndjson,
        ..Options::default()
    };
    let mut out: Vec<u8> = Vec::new();
    let mut on_reject = |e: &DataError| panic!("no row is bad: {e}");
    let input = Input {
        name: "rows.csv".to_string(),
        format: InputFormat::Csv,
        reader: Box::new(std::io::Cursor::new(csv.into_bytes())),
    };
    run(
        &model,
        vec![input],
        &options,
        Sinks {
            decisions: &mut out,
            rejects: None,
            on_reject: &mut on_reject,
        },
    )
    .unwrap_or_else(|e| panic!("the run fails: {e:?}"));
    String::from_utf8(out)
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON decision"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn rules_unless_and_suppress_follow_kleene(
        when in cond(),
        unless in cond(),
        suppress_b in cond(),
        suppress_all in cond(),
    ) {
        let source = format!(
            "playbook \"Logica\"\n\
             customer {{\n  id text key\n  p bool?\n  q bool?\n  n number?\n  m number?\n}}\n\
             actions a, b\n\
             policy {{\n  suppress when {all}\n  suppress b when {sb}\n}}\n\
             rule ra when {w} then a\n\
             rule rb when {w} unless {u} then b\n",
            all = text(&suppress_all),
            sb = text(&suppress_b),
            w = text(&when),
            u = text(&unless),
        );
        let rows = rows();
        let decisions = decide(&source, &rows);
        prop_assert_eq!(decisions.len(), rows.len());
        for (k, (row, d)) in rows.iter().zip(&decisions).enumerate() {
            let id = row.id(k);
            prop_assert_eq!(d["customer"].as_str(), Some(id.as_str()));
            let suppressed = kleene(&suppress_all, row) != Some(false);
            let mut expected: Vec<&str> = Vec::new();
            if !suppressed && kleene(&when, row) == Some(true) {
                expected.push("a");
                if kleene(&unless, row) != Some(true) && kleene(&suppress_b, row) == Some(false) {
                    expected.push("b");
                }
            }
            let got: Vec<&str> = d["actions"]
                .as_array()
                .expect("an actions array")
                .iter()
                .map(|a| a["action"].as_str().expect("an action name"))
                .collect();
            prop_assert_eq!(d["suppressed"].as_bool(), Some(suppressed), "{:?}\n{}", row, source);
            prop_assert_eq!(got, expected, "{:?}\n{}", row, source);
        }
    }
}
