//! The evaluation semantics of language.md §3–§7 and §11, through the built binary.
//!
//! * Every playbook in tests/fixtures/eval/ holds `test` blocks whose expectations were derived
//!   by hand from language.md (each fixture says how); `playbook test` must pass all of them.
//! * tests/fixtures/eval/failing/ holds deliberately wrong expectations: the runner must report
//!   exactly those lines, so it is shown to be able to fail.
//! * Three-valued logic: a generated truth table of `not`/`and`/`or`/`unless` and fail-safe
//!   `suppress`, run with `eval` over a CSV with missing cells, against an independent Kleene
//!   implementation in this file.
//! * What `test` blocks cannot see: the other side of holdout boundaries, the order of kept
//!   actions under `max N`, channels (`via`), the shape of a suppressed customer's decision.
//! * The benchmark workload (bench/README.md) on a 20,000-row generated export,
//!   against the same logic written by hand in Rust.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-23";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/eval")
}

fn playbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code, not a signal")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn both(output: &Output) -> String {
    format!("{}{}", text(&output.stdout), text(&output.stderr))
}

/// A temporary folder with the given files.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("a file");
    }
    dir
}

/// `playbook eval PLAYBOOK EXPORT --format ndjson` in `dir`: the decisions, one per line.
fn eval_ndjson(dir: &Path, playbook_path: &str, export: &str, as_of: &str) -> Vec<Value> {
    let out = playbook(
        dir,
        &[
            "eval",
            playbook_path,
            export,
            "--as-of",
            as_of,
            "--format",
            "ndjson",
            "-q",
        ],
    );
    assert_eq!(code(&out), 0, "eval failed:\n{}", both(&out));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn by_customer(decisions: &[Value]) -> BTreeMap<String, Value> {
    decisions
        .iter()
        .map(|d| {
            (
                d["customer"].as_str().expect("a customer id").to_string(),
                d.clone(),
            )
        })
        .collect()
}

/// The (rule, action, holdout) of a decision's actions, in the order listed.
fn actions(decision: &Value) -> Vec<(String, String, bool)> {
    decision["actions"]
        .as_array()
        .expect("an actions array")
        .iter()
        .map(|a| {
            (
                a["rule"].as_str().expect("a rule").to_string(),
                a["action"].as_str().expect("an action").to_string(),
                a["holdout"].as_bool().expect("a holdout flag"),
            )
        })
        .collect()
}

fn segments(decision: &Value) -> Vec<String> {
    decision["segments"]
        .as_array()
        .expect("a segments array")
        .iter()
        .map(|s| s.as_str().expect("a segment name").to_string())
        .collect()
}

fn owned(items: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    items
        .iter()
        .map(|(r, a, h)| (r.to_string(), a.to_string(), *h))
        .collect()
}

// ───────────────────────────── the fixtures ─────────────────────────────

/// The `*.playbook` files directly in a folder, sorted.
fn playbooks_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the fixtures folder")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "playbook"))
        .collect();
    files.sort();
    files
}

/// The number of `test "…"` blocks in a playbook's text (each starts a line in the fixtures).
fn count_tests(source: &str) -> usize {
    source.lines().filter(|l| l.starts_with("test \"")).count()
}

#[test]
fn every_fixture_passes_its_tests() {
    let files = playbooks_in(&fixtures());
    assert!(
        files.len() >= 15,
        "expected the fixtures in {}",
        fixtures().display()
    );
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .to_string();
        let source = std::fs::read_to_string(file).expect("a fixture");
        let tests = count_tests(&source);
        assert!(tests > 0, "{name} has no tests");
        let out = playbook(&fixtures(), &["test", &name]);
        let all = both(&out);
        let summary = format!("{tests} passed, 0 failed");
        if code(&out) != 0 || !all.contains(&summary) {
            failures.push(format!(
                "── {name} (expected `{summary}`, exit 0; got exit {}):\n{all}",
                code(&out)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures failed:\n{}",
        failures.join("\n")
    );
}

/// The runner can fail: every line marked `# WRONG:` is reported, and no other line.
#[test]
fn wrong_expectations_are_reported_one_by_one() {
    let dir = fixtures().join("failing");
    let name = "wrong-expectations.playbook";
    let source = std::fs::read_to_string(dir.join(name)).expect("the failing fixture");
    let marked: Vec<u64> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("# WRONG:"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert!(marked.len() >= 10);

    let out = playbook(&dir, &["test", "--format", "json", name]);
    let all = both(&out);
    assert_eq!(
        code(&out),
        1,
        "wrong expectations must fail the run:\n{all}"
    );
    let tests = count_tests(&source);
    assert!(
        all.contains(&format!(r#"{{"passed":0,"failed":{tests},"broken":0}}"#)),
        "every test has a wrong expectation:\n{all}"
    );
    let mut reported: Vec<u64> = all
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .filter(|d| d["code"] == "playbook::test-failed")
        .map(|d| d["line"].as_u64().expect("a line"))
        .collect();
    reported.sort_unstable();
    assert_eq!(
        reported, marked,
        "the failing expectations are exactly the ones marked WRONG:\n{all}"
    );

    // The human format points at the failing `expect` too, and the exit code is the same.
    let out = playbook(&dir, &["test", name]);
    assert_eq!(code(&out), 1);
    assert!(both(&out).contains("this expectation does not hold"));
}

// ───────────────────────────── three-valued logic ─────────────────────────────

/// A condition over four atoms, evaluated independently with Kleene's logic (SQL's).
#[derive(Clone, Debug)]
enum E {
    Atom(usize),
    Not(Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
}

/// The atoms as written, and their value for a row (`None` is unknown).
///   0: `p`             a bool field (true / false / missing)
///   1: `q`             a bool field
///   2: `n > 0`         n = 1 / −1 / missing
///   3: `m is missing`  m = 5 / missing: never unknown
const ATOMS: [&str; 4] = ["p", "q", "n > 0", "m is missing"];

#[derive(Clone, Copy, Debug)]
struct Row3 {
    p: Option<bool>,
    q: Option<bool>,
    n: Option<i32>,
    m: Option<i32>,
}

impl Row3 {
    fn id(&self) -> String {
        let b = |v: Option<bool>| match v {
            Some(true) => "T",
            Some(false) => "F",
            None => "U",
        };
        let i = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_else(|| "U".into());
        format!("p{}q{}n{}m{}", b(self.p), b(self.q), i(self.n), i(self.m))
    }

    fn atom(&self, a: usize) -> Option<bool> {
        match a {
            0 => self.p,
            1 => self.q,
            2 => self.n.map(|n| n > 0),
            _ => Some(self.m.is_none()),
        }
    }

    fn csv(&self) -> String {
        let b = |v: Option<bool>| v.map(|x| x.to_string()).unwrap_or_default();
        let i = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
        format!(
            "{},{},{},{},{}",
            self.id(),
            b(self.p),
            b(self.q),
            i(self.n),
            i(self.m)
        )
    }
}

fn kleene(e: &E, row: &Row3) -> Option<bool> {
    match e {
        E::Atom(a) => row.atom(*a),
        E::Not(x) => kleene(x, row).map(|v| !v),
        E::And(x, y) => match (kleene(x, row), kleene(y, row)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        E::Or(x, y) => match (kleene(x, row), kleene(y, row)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    }
}

/// Binding strength: or 1, and 2, not 3, a comparison or test 4 (§4: loosest first).
fn strength(e: &E) -> u8 {
    match e {
        E::Or(..) => 1,
        E::And(..) => 2,
        E::Not(_) => 3,
        E::Atom(_) => 4,
    }
}

/// Written with as few parentheses as the precedence of §4 allows.
fn minimal(e: &E) -> String {
    let wrap = |child: &E, need: u8| {
        if strength(child) < need {
            format!("({})", minimal(child))
        } else {
            minimal(child)
        }
    };
    match e {
        E::Atom(a) => ATOMS[*a].to_string(),
        E::Not(x) => format!("not {}", wrap(x, 3)),
        E::And(x, y) => format!("{} and {}", wrap(x, 2), wrap(y, 2)),
        E::Or(x, y) => format!("{} or {}", wrap(x, 1), wrap(y, 1)),
    }
}

/// Written with parentheses around every compound part.
fn full(e: &E) -> String {
    match e {
        E::Atom(a) => format!("({})", ATOMS[*a]),
        E::Not(x) => format!("(not {})", full(x)),
        E::And(x, y) => format!("({} and {})", full(x), full(y)),
        E::Or(x, y) => format!("({} or {})", full(x), full(y)),
    }
}

fn expressions() -> Vec<E> {
    let atom = |a| E::Atom(a);
    let not = |e: E| E::Not(Box::new(e));
    let and = |x: E, y: E| E::And(Box::new(x), Box::new(y));
    let or = |x: E, y: E| E::Or(Box::new(x), Box::new(y));
    let mut leaves: Vec<E> = (0..4).map(atom).collect();
    leaves.extend((0..4).map(|a| not(atom(a))));
    let mut all = leaves.clone();
    all.push(not(not(atom(0))));
    all.push(not(not(atom(2))));
    for x in &leaves {
        for y in &leaves {
            all.push(and(x.clone(), y.clone()));
            all.push(or(x.clone(), y.clone()));
        }
    }
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                let (x, y, z) = (atom(a), atom(b), atom(c));
                all.push(or(and(x.clone(), y.clone()), z.clone()));
                all.push(and(or(x.clone(), y.clone()), z.clone()));
                all.push(and(x.clone(), or(y.clone(), not(z.clone()))));
                all.push(not(and(x.clone(), or(y.clone(), z.clone()))));
                all.push(or(not(x.clone()), and(not(y.clone()), z.clone())));
                all.push(not(or(x.clone(), not(and(y.clone(), z.clone())))));
            }
        }
    }
    all
}

fn rows3() -> Vec<Row3> {
    let bools = [Some(true), Some(false), None];
    let mut rows = Vec::new();
    for p in bools {
        for q in bools {
            for n in [Some(1), Some(-1), None] {
                for m in [Some(5), None] {
                    rows.push(Row3 { p, q, n, m });
                }
            }
        }
    }
    rows
}

const SCHEMA3: &str =
    "customer {\n  id text key\n  p bool?\n  q bool?\n  n number?\n  m number?\n}\n";

#[test]
fn three_valued_logic_truth_table() {
    let exprs = expressions();
    let rows = rows3();

    // Segments: each expression written minimally and fully parenthesised.
    // Rules: `when X unless Y` for pairs of expressions.
    // Per-action suppression: action sK is suppressed when expression K is true or unknown.
    let mut source = String::from("playbook \"Waarheidstabel\"\n");
    source.push_str(SCHEMA3);
    for (i, e) in exprs.iter().enumerate() {
        source.push_str(&format!(
            "segment min{i} = {}\nsegment vol{i} = {}\n",
            minimal(e),
            full(e)
        ));
    }
    let pairs: Vec<(usize, usize)> = (0..exprs.len())
        .step_by(7)
        .map(|i| (i, (i * 13 + 5) % exprs.len()))
        .collect();
    for (k, (c, u)) in pairs.iter().enumerate() {
        source.push_str(&format!(
            "rule u{k} when {} unless {} then x\n",
            minimal(&exprs[*c]),
            minimal(&exprs[*u])
        ));
    }
    let suppressing: Vec<usize> = (0..exprs.len()).step_by(11).collect();
    let names: Vec<String> = (0..suppressing.len()).map(|k| format!("s{k}")).collect();
    source.push_str(&format!("actions x, {}\n", names.join(", ")));
    source.push_str("policy {\n");
    for (k, e) in suppressing.iter().enumerate() {
        source.push_str(&format!("  suppress s{k} when {}\n", minimal(&exprs[*e])));
    }
    source.push_str("}\n");
    source.push_str(&format!(
        "rule alle when m is missing or m is present then {}\n",
        names.join(", ")
    ));

    let mut csv = String::from("id,p,q,n,m\n");
    for r in &rows {
        csv.push_str(&r.csv());
        csv.push('\n');
    }
    let dir = folder(&[("logic.playbook", &source), ("rows.csv", &csv)]);
    let decisions = eval_ndjson(dir.path(), "logic.playbook", "rows.csv", AS_OF);
    assert_eq!(decisions.len(), rows.len());

    let mut wrong = Vec::new();
    for (row, decision) in rows.iter().zip(&decisions) {
        assert_eq!(
            decision["customer"],
            row.id().as_str(),
            "output in input order"
        );
        let segs = segments(decision);
        for (i, e) in exprs.iter().enumerate() {
            let expected = kleene(e, row) == Some(true);
            for name in [format!("min{i}"), format!("vol{i}")] {
                if segs.contains(&name) != expected {
                    let written = if name.starts_with("min") {
                        minimal(e)
                    } else {
                        full(e)
                    };
                    wrong.push(format!(
                        "{}: segment {name} = {written}: expected {expected}",
                        row.id()
                    ));
                }
            }
        }
        let acts = actions(decision);
        for (k, (c, u)) in pairs.iter().enumerate() {
            // §6: the rule fires when its condition is true and `unless` is not true.
            let expected =
                kleene(&exprs[*c], row) == Some(true) && kleene(&exprs[*u], row) != Some(true);
            let fired = acts.iter().any(|(r, _, _)| *r == format!("u{k}"));
            if fired != expected {
                wrong.push(format!(
                    "{}: rule u{k} when {} unless {}: expected fired = {expected}",
                    row.id(),
                    minimal(&exprs[*c]),
                    minimal(&exprs[*u])
                ));
            }
        }
        for (k, e) in suppressing.iter().enumerate() {
            // §11: a suppress line applies when its condition is true or unknown.
            let expected = kleene(&exprs[*e], row) == Some(false);
            let kept = acts.iter().any(|(_, a, _)| *a == format!("s{k}"));
            if kept != expected {
                wrong.push(format!(
                    "{}: suppress s{k} when {}: expected kept = {expected}",
                    row.id(),
                    minimal(&exprs[*e])
                ));
            }
        }
        assert_eq!(decision["suppressed"], false);
    }
    assert!(
        wrong.is_empty(),
        "{} wrong of {} rows:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

/// A whole-customer `suppress when C` suppresses when C is true or unknown; stages and
/// segments are still reported; actions are empty.
#[test]
fn whole_customer_suppression_is_fail_safe() {
    let exprs = expressions();
    let rows = rows3();
    let mut csv = String::from("id,p,q,n,m\n");
    for r in &rows {
        csv.push_str(&r.csv());
        csv.push('\n');
    }
    let mut wrong = Vec::new();
    for (i, e) in exprs.iter().enumerate().step_by(5) {
        let source = format!(
            "playbook \"Onderdrukt\"\n{SCHEMA3}journey j {{ stage s when n > 0 }}\nsegment g = p\n\
             policy {{ suppress when {} }}\nrule r when m is missing or m is present then x holdout 50%\n",
            minimal(e)
        );
        let dir = folder(&[("s.playbook", &source), ("rows.csv", &csv)]);
        let decisions = eval_ndjson(dir.path(), "s.playbook", "rows.csv", AS_OF);
        for (row, d) in rows.iter().zip(&decisions) {
            let expected = kleene(e, row) != Some(false);
            if d["suppressed"] != expected {
                wrong.push(format!(
                    "{}: suppress when {} (#{i}): expected {expected}",
                    row.id(),
                    minimal(e)
                ));
            }
            let stage = if row.n == Some(1) {
                Value::from("s")
            } else {
                Value::Null
            };
            assert_eq!(d["stages"]["j"], stage, "stages are kept: {d}");
            assert_eq!(
                segments(d).contains(&"g".to_string()),
                row.p == Some(true),
                "segments are kept: {d}"
            );
            assert_eq!(
                actions(d).is_empty(),
                expected,
                "a suppressed customer has no actions: {d}"
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// ───────────────────────────── holdouts ─────────────────────────────

/// Both sides of every boundary in the holdout fixtures. Buckets were computed with Python's
/// hashlib (see the fixtures' headers):
///   python3 -c "import hashlib; s,i='proef','K013585'; \
///     print(int.from_bytes(hashlib.md5(f'{s}/{i}'.encode()).digest()[:4],'big') % 10000)"
#[test]
fn holdout_buckets_on_both_sides_of_the_boundary() {
    // 13-holdout-rule: a (rule proef, 7%), b (rule tweede, 7% salt "q4-pilot"),
    // c (unnamed, 7% salt "proef", named rule@LINE), all priority 1; e (rest, 99.99%, 0) is cut
    // by max 3; d (vast) only at orders >= 2.
    let csv = "id,orders\nK012798,1\nK013585,1\nK008327,1\nK022317,1\nK006053,1\nK021399,1\n";
    let dir = folder(&[("ids.csv", csv)]);
    let fixture = fixtures().join("13-holdout-rule.playbook");
    let source = std::fs::read_to_string(&fixture).expect("the fixture");
    let unnamed_line = source
        .lines()
        .position(|l| l.starts_with("when orders >= 1 then c"))
        .expect("the unnamed rule")
        + 1;
    let unnamed = format!("rule@{unnamed_line}");
    let decisions = by_customer(&eval_ndjson(
        dir.path(),
        fixture.to_str().expect("a path"),
        "ids.csv",
        AS_OF,
    ));
    //            id        proef  q4-pilot   a held, b held, c held
    let expected = [
        ("K012798", true, false, true),   //     0    8815
        ("K013585", true, false, true),   //   699    5595
        ("K008327", false, false, false), //   700    6058
        ("K022317", false, true, false),  //  9999      23
        ("K006053", false, true, false),  //  2767     699
        ("K021399", false, false, false), //  6190     700  (the name tweede would give 69)
    ];
    for (id, a, b, c) in expected {
        assert_eq!(
            actions(&decisions[id]),
            owned(&[("proef", "a", a), ("tweede", "b", b), (&unnamed, "c", c)]),
            "{id}"
        );
    }

    // 14-holdout-policy: 12.34% with the title "Holdout grenzen" as salt: buckets 0–1233.
    let csv = "id,orders\nK003938,1\nK001692,1\nK014455,1\nK013755,1\nK022348,1\n";
    let dir = folder(&[("ids.csv", csv)]);
    let fixture = fixtures().join("14-holdout-policy.playbook");
    let decisions = by_customer(&eval_ndjson(
        dir.path(),
        fixture.to_str().expect("a path"),
        "ids.csv",
        AS_OF,
    ));
    for (id, held) in [
        ("K003938", true),
        ("K001692", true),
        ("K014455", true),
        ("K013755", true),
        ("K022348", false),
    ] {
        assert_eq!(
            actions(&decisions[id]),
            owned(&[("een", "a", held), ("twee", "b", held)]),
            "{id}"
        );
    }

    // 15-holdout-policy-salt: 7% salt "q4-pilot"; the title would give the opposite answers.
    let csv = "id,orders\nK006053,1\nK021399,1\n";
    let dir = folder(&[("ids.csv", csv)]);
    let fixture = fixtures().join("15-holdout-policy-salt.playbook");
    let decisions = by_customer(&eval_ndjson(
        dir.path(),
        fixture.to_str().expect("a path"),
        "ids.csv",
        AS_OF,
    ));
    assert_eq!(actions(&decisions["K006053"]), owned(&[("een", "a", true)]));
    assert_eq!(
        actions(&decisions["K021399"]),
        owned(&[("een", "a", false)])
    );
}

/// The extremes: 99.99% holds out buckets 0–9998, 0.01% only bucket 0.
///   bucket("hoog/R007889") = 9998, bucket("hoog/R003503") = 9999,
///   bucket("laag/R012779") = 0,    bucket("laag/R019882") = 1   (Python hashlib, as above)
#[test]
fn holdout_extremes() {
    let source = "playbook \"Randen\"\ncustomer { id text key }\n\
                  rule hoog when id is present then x holdout 99.99%\n\
                  rule laag when id is present then y holdout 0.01%\n";
    let csv = "id\nR007889\nR003503\nR012779\nR019882\n";
    let dir = folder(&[("r.playbook", source), ("ids.csv", csv)]);
    let d = by_customer(&eval_ndjson(dir.path(), "r.playbook", "ids.csv", AS_OF));
    // the laag buckets of R007889 and R003503 are 7131 and 6930; the hoog buckets of
    // R012779 and R019882 are 8049 and 8292
    assert_eq!(
        actions(&d["R007889"]),
        owned(&[("hoog", "x", true), ("laag", "y", false)])
    );
    assert_eq!(
        actions(&d["R003503"]),
        owned(&[("hoog", "x", false), ("laag", "y", false)])
    );
    assert_eq!(
        actions(&d["R012779"]),
        owned(&[("hoog", "x", true), ("laag", "y", true)])
    );
    assert_eq!(
        actions(&d["R019882"]),
        owned(&[("hoog", "x", true), ("laag", "y", false)])
    );
}

/// §11: P has at most two decimals and the boundary is computed exactly, also where
/// P × 100 is not exact in binary floating point (14.35 × 100 = 1434.9999999999998).
///   bucket("fijn/H022277") = 1434, bucket("fijn/H013631") = 1435,
///   bucket("acht/H000675") = 819,  bucket("acht/H004880") = 820,
///   bucket("half/H007696") = 49,   bucket("half/H006380") = 50    (Python hashlib, as above)
#[test]
fn holdout_percentages_are_exact() {
    let source = "playbook \"Precies\"\ncustomer { id text key }\n\
                  rule fijn when id is present then x holdout 14.35%\n\
                  rule acht when id is present then y holdout 8.2%\n\
                  rule half when id is present then z holdout 0.5%\n";
    let csv = "id\nH022277\nH013631\nH000675\nH004880\nH007696\nH006380\n";
    let dir = folder(&[("p.playbook", source), ("ids.csv", csv)]);
    let d = by_customer(&eval_ndjson(dir.path(), "p.playbook", "ids.csv", AS_OF));
    let held = |id: &str, rule: &str| -> bool {
        actions(&d[id])
            .into_iter()
            .find(|(r, _, _)| r == rule)
            .unwrap_or_else(|| panic!("{id} has no action of {rule}"))
            .2
    };
    assert!(held("H022277", "fijn"), "bucket 1434 < 1435");
    assert!(!held("H013631", "fijn"), "bucket 1435 is not < 1435");
    assert!(held("H000675", "acht"), "bucket 819 < 820");
    assert!(!held("H004880", "acht"), "bucket 820 is not < 820");
    assert!(held("H007696", "half"), "bucket 49 < 50");
    assert!(!held("H006380", "half"), "bucket 50 is not < 50");
}

/// §11: a rule with a holdout needs a name or a salt; a policy holdout needs a salt or a
/// title; more than two decimals is an error.
#[test]
fn holdout_salts_are_required() {
    let cases = [
        ("customer { id text key }\nwhen id is present then x holdout 5%\n", 1),
        ("customer { id text key }\nwhen id is present then x holdout 5% salt \"s\"\n", 0),
        ("customer { id text key }\npolicy { holdout 5% }\nrule r when id is present then x\n", 1),
        ("customer { id text key }\npolicy { holdout 5% salt \"s\" }\nrule r when id is present then x\n", 0),
        ("playbook \"T\"\ncustomer { id text key }\npolicy { holdout 5% }\nrule r when id is present then x\n", 0),
        ("customer { id text key }\nrule r when id is present then x holdout 5.125%\n", 1),
    ];
    for (source, expected) in cases {
        let dir = folder(&[("h.playbook", source)]);
        let out = playbook(dir.path(), &["check", "h.playbook"]);
        assert_eq!(code(&out), expected, "{source}\n{}", both(&out));
    }
}

/// §11: a suppressed customer is not subject to holdouts; a per-action suppressed action
/// is gone before holdout; the policy holdout flags every kept action.
#[test]
fn suppressed_customers_have_no_holdouts() {
    // bucket("Holdout grenzen/K003938") = 0 (held out at 7%), K014455 → 700 (not)
    let source = "playbook \"Holdout grenzen\"\n\
                  customer { id text key\n opted_in bool?\n consent bool? }\n\
                  actions a, b\n\
                  policy { suppress when not opted_in\n suppress b when not consent\n holdout 7% }\n\
                  rule r when id is present then a, b\n";
    let csv = "id,opted_in,consent\nK003938,false,true\nK003938x,,true\nK003938,true,\nK014455,true,true\n";
    let dir = folder(&[("s.playbook", source), ("ids.csv", csv)]);
    let d = eval_ndjson(dir.path(), "s.playbook", "ids.csv", AS_OF);
    assert_eq!(d.len(), 4);
    assert_eq!(d[0]["suppressed"], true);
    assert_eq!(d[0]["actions"], serde_json::json!([]));
    assert_eq!(
        d[1]["suppressed"], true,
        "missing consent suppresses: {}",
        d[1]
    );
    assert_eq!(d[2]["suppressed"], false);
    assert_eq!(
        actions(&d[2]),
        owned(&[("r", "a", true)]),
        "b suppressed (consent missing), a held out"
    );
    assert_eq!(
        actions(&d[3]),
        owned(&[("r", "a", false), ("r", "b", false)])
    );
}

// ───────────────────────────── max N, via, decision shape ─────────────────────────────

/// §11: kept actions are listed in firing order (file order), not by priority; ties go to
/// file order, then to the order within a rule; the same action twice counts twice.
#[test]
fn max_n_keeps_by_priority_and_lists_in_file_order() {
    let csv = "id,f1,f2,f3,f4,f5,f6,f7\n\
               X1,,,true,,,,true\n\
               X1b,,,true,true,,,true\n\
               X2,,true,true,true,,,\n\
               X3,true,true,,,true,,\n\
               X4,,true,,,true,true,\n\
               X5,true,true,,,,,\n\
               X7,,true,,true,true,true,\n\
               X8,true,,,,,,true\n\
               X9,false,,,,,,\n";
    let dir = folder(&[("flags.csv", csv)]);
    let fixture = fixtures().join("12-max.playbook");
    let d = by_customer(&eval_ndjson(
        dir.path(),
        fixture.to_str().expect("a path"),
        "flags.csv",
        AS_OF,
    ));
    let list = |id: &str| -> Vec<(String, String)> {
        actions(&d[id])
            .into_iter()
            .map(|(r, a, _)| (r, a))
            .collect()
    };
    let expect = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect()
    };
    // fired c (5), d (5), h (9): keep h and c; listed in file order
    assert_eq!(list("X1"), expect(&[("vijf twee", "c"), ("hoog", "h")]));
    assert_eq!(list("X1b"), expect(&[("vijf twee", "c"), ("hoog", "h")]));
    // b (0), c, d, e (5): the tie at 5 goes to file order
    assert_eq!(
        list("X2"),
        expect(&[("vijf twee", "c"), ("vijf twee", "d")])
    );
    // a (−1), b (0), g (3): keep b, g
    assert_eq!(list("X3"), expect(&[("nul", "b"), ("dubbel1", "g")]));
    // b (0), g (3), g (3): the same action twice, kept twice
    assert_eq!(list("X4"), expect(&[("dubbel1", "g"), ("dubbel2", "g")]));
    assert_eq!(list("X5"), expect(&[("laag", "a"), ("nul", "b")]));
    // b (0), e (5), g (3, dubbel1), g (3, dubbel2): e, then the first g by file order
    assert_eq!(list("X7"), expect(&[("vijf een", "e"), ("dubbel1", "g")]));
    // a (−1) and h (9): both kept, listed in file order, not by priority
    assert_eq!(list("X8"), expect(&[("laag", "a"), ("hoog", "h")]));
    assert_eq!(list("X9"), expect(&[]));
}

/// §11 `via X`: a `one of` field gives the customer's value, printed as declared (missing →
/// null); a word or a quoted word is the channel itself. Arguments are printed; none is null.
#[test]
fn via_channels() {
    let source = "playbook \"Kanalen\"\n\
                  customer { id text key\n kanaal one of email, SMS, post ?\n orders number }\n\
                  rule eerste when orders >= 1 then winback \"terug\" via kanaal, bedank via email, groet via \"brief\"\n";
    let csv = "id,kanaal,orders\nA,sms,1\nB,,1\n C ,POST,1\nD,email,0\n";
    let dir = folder(&[("v.playbook", source), ("v.csv", csv)]);
    let d = eval_ndjson(dir.path(), "v.playbook", "v.csv", AS_OF);
    let channels = |i: usize| -> Vec<Value> {
        d[i]["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a["channel"].clone())
            .collect()
    };
    assert_eq!(
        channels(0),
        vec![
            Value::from("SMS"),
            Value::from("email"),
            Value::from("brief")
        ]
    );
    assert_eq!(
        channels(1),
        vec![Value::Null, Value::from("email"), Value::from("brief")]
    );
    assert_eq!(
        channels(2),
        vec![
            Value::from("post"),
            Value::from("email"),
            Value::from("brief")
        ]
    );
    assert_eq!(
        d[2]["customer"], "C",
        "the id is the trimmed cell (§11 Keys)"
    );
    assert_eq!(d[0]["actions"][0]["argument"], "terug");
    assert_eq!(d[0]["actions"][1]["argument"], Value::Null);
    assert_eq!(d[3]["actions"], serde_json::json!([]));

    // CSV: one row per action, an empty cell for a null channel.
    let out = playbook(
        dir.path(),
        &[
            "eval",
            "v.playbook",
            "v.csv",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "-q",
        ],
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
    let lines: Vec<String> = text(&out.stdout).lines().map(String::from).collect();
    assert_eq!(lines[0], "customer,rule,action,argument,channel,holdout");
    assert!(
        lines.contains(&"B,eerste,winback,terug,,false".to_string()),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 1 + 9);
}

/// §9: `stages` maps every journey to the stage or null, segments are listed, and a
/// suppressed customer keeps both (11-suppress, 09-funnel).
#[test]
fn decision_shape() {
    let csv = "id,orders,opted_in,marketing,nps\nP1,1,false,true,9\nP2,1,,true,9\nP3,1,true,true,9\nP4,,true,,\n";
    let dir = folder(&[("p.csv", csv)]);
    let fixture = fixtures().join("11-suppress.playbook");
    let d = eval_ndjson(
        dir.path(),
        fixture.to_str().expect("a path"),
        "p.csv",
        AS_OF,
    );
    let expected = serde_json::json!([
        {"customer":"P1","stages":{"fase":"klant"},"segments":["fan"],"actions":[],"suppressed":true},
        {"customer":"P2","stages":{"fase":"klant"},"segments":["fan"],"actions":[],"suppressed":true},
        {"customer":"P3","stages":{"fase":"klant"},"segments":["fan"],"actions":[
            {"action":"upsell","rule":"meer","argument":null,"channel":null,"holdout":false},
            {"action":"referral","rule":"vriend werft vriend","argument":null,"channel":null,"holdout":false}],
         "suppressed":false},
        {"customer":"P4","stages":{"fase":null},"segments":[],"actions":[],"suppressed":false}
    ]);
    assert_eq!(Value::Array(d), expected);

    // Several journeys, one read from a column: every journey is a key.
    let csv = "id,orders,complaint,nps,Fase\nJ1,12,none,9,Vast\nJ2,12,open,9,\nJ3,,none,,nieuw\n";
    let dir = folder(&[("j.csv", csv)]);
    let fixture = fixtures().join("09-funnel.playbook");
    let d = eval_ndjson(
        dir.path(),
        fixture.to_str().expect("a path"),
        "j.csv",
        AS_OF,
    );
    assert_eq!(
        d[0]["stages"],
        serde_json::json!({"fase":"loyaal","tweede":"gezien","kolom":"vast"})
    );
    assert_eq!(
        d[1]["stages"],
        serde_json::json!({"fase":"meerwaarde","tweede":"gezien","kolom":null})
    );
    assert_eq!(
        d[2]["stages"],
        serde_json::json!({"fase":null,"tweede":null,"kolom":"nieuw"})
    );
}

// ───────────────────────────── the benchmark workload ─────────────────────────────

/// Days since 0001-01-01 (day 1), counted year by year and month by month — a different
/// method from the implementation's (src/dates.rs uses Hinnant's era arithmetic).
fn day_number(date: &str) -> i64 {
    let parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().expect("a date part"))
        .collect();
    let (y, m, d) = (parts[0], parts[1], parts[2]);
    assert!(
        date.len() == 10 && (1..=12).contains(&m) && d >= 1 && d <= month_len(y, m),
        "{date}"
    );
    let before = y - 1;
    let mut days = before * 365 + before / 4 - before / 100 + before / 400;
    for month in 1..m {
        days += month_len(y, month);
    }
    days + d
}

fn leap(y: i64) -> bool {
    y % 400 == 0 || (y % 4 == 0 && y % 100 != 0)
}

fn month_len(y: i64, m: i64) -> i64 {
    [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize]
}

/// Days from `today` to the next 'month-day' of `date`, 29 February on 28 February in
/// common years (§4).
fn days_to_birthday(date: &str, today: &str) -> i64 {
    let m: i64 = date[5..7].parse().expect("a month");
    let d: i64 = date[8..10].parse().expect("a day");
    let year: i64 = today[..4].parse().expect("a year");
    let t = day_number(today);
    let on = |y: i64| {
        let day = if m == 2 && d == 29 && !leap(y) { 28 } else { d };
        day_number(&format!("{y:04}-{m:02}-{day:02}"))
    };
    if on(year) >= t {
        on(year) - t
    } else {
        on(year + 1) - t
    }
}

/// The benchmark's logic (bench/README.md) applied by hand: the rows of
/// `eval --format csv` (customer, stage, rule, action, channel, holdout), in order.
fn benchmark_by_hand(export: &Path, as_of: &str) -> Vec<[String; 5]> {
    let today = day_number(as_of);
    let mut reader = csv::Reader::from_path(export).expect("the generated export");
    let header = reader.headers().expect("a header").clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (id, orders, ltv, first, last, nps, complaint, opted, bday, chan, tags) = (
        col("id"),
        col("orders"),
        col("lifetime_value"),
        col("first_order"),
        col("last_order"),
        col("nps"),
        col("complaint"),
        col("opted_in"),
        col("birthday"),
        col("channel_pref"),
        col("tags"),
    );
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.expect("a record");
        let num = |i: usize| -> Option<f64> {
            (!r[i].is_empty()).then(|| r[i].parse().expect("a number"))
        };
        let date = |i: usize| -> Option<i64> { (!r[i].is_empty()).then(|| day_number(&r[i])) };
        let orders = num(orders).expect("orders is always there");
        let nps = num(nps);
        let complaint = r[complaint].to_string();
        let last = date(last);
        // Tri-state helpers: None is unknown.
        let ge = |v: Option<f64>, k: f64| v.map(|v| v >= k);
        let and = |a: Option<bool>, b: Option<bool>| match (a, b) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        };
        // The funnel: stage k when C1..Ck are true and C(k+1) is not.
        let conditions = [
            Some(orders >= 1.0),
            Some(orders >= 2.0 && complaint != "open"),
            ge(nps, 8.0),
            and(
                Some(orders >= 10.0),
                last.map(|l| (0..=180).contains(&(today - l))),
            ),
        ];
        let held = conditions.iter().take_while(|c| **c == Some(true)).count();
        let stage = ["", "meerwaarde", "vertrouwen", "relatie", "loyaal"][held];
        // suppress when not opted_in
        let opted_in = match &r[opted] {
            "true" => true,
            "false" => false,
            other => panic!("opted_in {other}"),
        };
        if !opted_in {
            continue;
        }
        let mut fire = |rule: &str, action: &str, channel: &str| {
            rows.push([
                r[id].to_string(),
                stage.to_string(),
                rule.to_string(),
                action.to_string(),
                channel.to_string(),
            ]);
        };
        if stage == "vertrouwen" && complaint == "resolved" {
            fire("surprise_after_complaint", "surprise", "");
        }
        if orders >= 3.0 && last.is_some_and(|l| today - l > 90) {
            fire("winback_sleepers", "winback", &r[chan]);
        }
        if !r[bday].is_empty() && days_to_birthday(&r[bday], as_of) <= 7 {
            fire("birthday", "birthday_gift", "");
        }
        let no_upsell = r[tags]
            .split(';')
            .map(str::trim)
            .any(|t| t.eq_ignore_ascii_case("no-upsell"));
        if stage == "relatie" && num(ltv).is_some_and(|v| v > 500.0) && !no_upsell {
            fire("upsell_relationship", "upsell", "");
        }
        if orders == 1.0 && date(first).is_some_and(|f| (0..=14).contains(&(today - f))) {
            fire("welcome_new", "welcome", "");
        }
        if stage == "loyaal" && ge(nps, 9.0) == Some(true) {
            fire("referral_loyal", "referral", "");
        }
    }
    rows
}

fn generate_customers(n: usize, dir: &Path) -> PathBuf {
    // The generator is the benchmark's own (bench/gen_customers.py); Python 3 is a
    // requirement of the test suite (README), so its absence is a failure, not a skip.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_customers.py");
    let out = dir.join("customers.csv");
    let o = Command::new("python3")
        .arg(&script)
        .arg(n.to_string())
        .arg(&out)
        .arg("--jobs")
        .arg("1")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "python3 {} (the tests need Python 3): {e}",
                script.display()
            )
        });
    assert!(
        o.status.success(),
        "gen_customers.py failed: {}",
        text(&o.stderr)
    );
    out
}

fn check_benchmark(n: usize, expected_counts: Option<&[(&str, usize)]>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let export = generate_customers(n, dir.path());
    let playbook_path = root().join("playbooks/benchmark.playbook");
    let out = playbook(
        dir.path(),
        &[
            "eval",
            playbook_path.to_str().expect("a path"),
            export.to_str().expect("a path"),
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "-q",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader
            .headers()
            .expect("a header")
            .iter()
            .collect::<Vec<_>>(),
        [
            "customer",
            "relatie_fase",
            "rule",
            "action",
            "argument",
            "channel",
            "holdout"
        ]
    );
    let got: Vec<[String; 5]> = reader
        .records()
        .map(|r| {
            let r = r.expect("an output row");
            assert_eq!(&r[4], "", "no arguments in the benchmark");
            assert_eq!(&r[6], "false", "no holdouts in the benchmark");
            [
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[5].to_string(),
            ]
        })
        .collect();
    let expected = benchmark_by_hand(&export, AS_OF);

    let count = |rows: &[[String; 5]]| -> BTreeMap<String, usize> {
        let mut c = BTreeMap::new();
        for r in rows {
            *c.entry(r[3].clone()).or_insert(0) += 1;
        }
        c
    };
    let (got_counts, expected_counts_by_hand) = (count(&got), count(&expected));
    println!(
        "{n} customers: {} action rows, per action {got_counts:?}",
        got.len()
    );
    assert_eq!(got_counts, expected_counts_by_hand, "per-action counts");
    if got != expected {
        let first = got
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(expected.len()));
        panic!(
            "the decisions differ from the hand-written logic at row {first}: got {:?}, expected {:?}",
            got.get(first),
            expected.get(first)
        );
    }
    if let Some(counts) = expected_counts {
        for (action, c) in counts {
            assert_eq!(
                got_counts.get(*action).copied().unwrap_or(0),
                *c,
                "{action}"
            );
        }
    }
}

#[test]
fn benchmark_workload_matches_hand_written_logic() {
    check_benchmark(20_000, None);
}

/// The 1M-row figures of bench/README.md, exactly (about 15 s).
#[test]
fn benchmark_workload_readme_counts() {
    check_benchmark(
        1_000_000,
        Some(&[
            ("surprise", 33_029),
            ("winback", 202_837),
            ("birthday_gift", 13_040),
            ("upsell", 14_168),
            ("welcome", 12_403),
            ("referral", 22_378),
        ]),
    );
}

// ───────────────────────────── cells of an export ─────────────────────────────

/// §2 and §11 Columns: an empty cell of an optional field is missing (so comparisons are
/// unknown); an empty cell of a required `list of text` is the empty list (so `has` is false,
/// not unknown); list cells are split on `;`, items trimmed, empty items dropped; an optional
/// field whose column is absent is missing everywhere; in NDJSON `null` and an absent key are
/// missing.
#[test]
fn export_cells_missing_values_and_lists() {
    let source = "playbook \"Cellen\"\n\
                  customer { id text key\n n number?\n tags list of text\n extra text? }\n\
                  segment heeft = tags has \"vip\"\n\
                  segment niet_heeft = not (tags has \"vip\")\n\
                  segment leeg_item = tags has \"\"\n\
                  segment n_pos = n > 0\n\
                  segment niet_n_pos = not (n > 0)\n\
                  segment extra_weg = extra is missing\n\
                  segment extra_niet = not (extra = \"x\")\n";
    let csv = "id,n,tags\nA,1, vip ; ;b2b\nB,,\nC,-1,VIP\n";
    let ndjson = "{\"id\":\"A\",\"n\":null,\"tags\":[\" vip \",\"\"]}\n{\"id\":\"B\",\"tags\":[]}\n{\"id\":\"C\",\"n\":-1,\"tags\":[\"b2b\"],\"extra\":\"X\"}\n";
    let dir = folder(&[("c.playbook", source), ("c.csv", csv), ("c.ndjson", ndjson)]);
    let seg = |d: &Value| segments(d).join(" ");
    let d = eval_ndjson(dir.path(), "c.playbook", "c.csv", AS_OF);
    assert_eq!(seg(&d[0]), "heeft n_pos extra_weg");
    assert_eq!(
        seg(&d[1]),
        "niet_heeft extra_weg",
        "empty required list: has is false; empty optional number: unknown"
    );
    assert_eq!(seg(&d[2]), "heeft niet_n_pos extra_weg");
    let d = eval_ndjson(dir.path(), "c.playbook", "c.ndjson", AS_OF);
    assert_eq!(seg(&d[0]), "heeft extra_weg", "null is missing");
    assert_eq!(
        seg(&d[1]),
        "niet_heeft extra_weg",
        "an absent key is missing"
    );
    assert_eq!(
        seg(&d[2]),
        "niet_heeft niet_n_pos",
        "\"X\" = \"x\" ignores case"
    );
}

// ───────────────────────────── in-lists and types ─────────────────────────────

/// §4: `F in [a, b, c]` is membership, i.e. `F = a or F = b or F = c` (the implementation says
/// so too, src/eval/run.rs); §11 Literals: "comparing different types is a playbook error".
/// `n = "x"`, `c = 5` and `d = 3` are rejected by `check`; the same comparisons inside a list
/// must not be accepted and then be silently unknown for every customer.
#[test]
fn in_list_items_of_another_type_are_an_error() {
    let schema = "customer { id text key\n n number?\n c text?\n d date? }\n";
    for (condition, equality) in [
        ("n in [\"x\", 3]", "n = \"x\""),
        ("d in [3]", "d = 3"),
        ("d in [\"2026-01-01\"]", "d = \"2026-01-01\""),
    ] {
        let dir = folder(&[
            (
                "in.playbook",
                &format!("{schema}rule r when {condition} then a\n"),
            ),
            (
                "eq.playbook",
                &format!("{schema}rule r when {equality} then a\n"),
            ),
        ]);
        let eq = playbook(dir.path(), &["check", "eq.playbook"]);
        assert_eq!(code(&eq), 1, "`{equality}` is a type error:\n{}", both(&eq));
        let out = playbook(dir.path(), &["check", "in.playbook"]);
        assert_eq!(
            code(&out),
            1,
            "`{condition}` compares different types like `{equality}`, so it is a playbook error too \
             (it is accepted, and never true):\n{}",
            both(&out)
        );
    }
}

/// A number in a list on a text field: either a type error (as `c = 5` is), or the text "5";
/// not accepted and then never true.
#[test]
fn in_list_number_on_a_text_field_is_not_silently_unknown() {
    let source = "customer { id text key\n c text? }\nsegment vijf = c in [5, \"6\"]\n\
                  segment niet_vijf = not (c in [5, \"6\"])\n";
    let dir = folder(&[("t.playbook", source), ("t.csv", "id,c\nA,5\nB,7\n")]);
    let check = playbook(dir.path(), &["check", "t.playbook"]);
    if code(&check) == 1 {
        return; // rejected as a type error, like `c = 5`
    }
    let d = eval_ndjson(dir.path(), "t.playbook", "t.csv", AS_OF);
    assert_eq!(
        segments(&d[0]),
        ["vijf"],
        "c = \"5\" is in [5, \"6\"]: {}",
        d[0]
    );
    assert_eq!(
        segments(&d[1]),
        ["niet_vijf"],
        "c = \"7\" is not in [5, \"6\"]: {}",
        d[1]
    );
}

/// §11: "Where a bare name could be both a field and a word (`F = w`), the field wins."
/// A bare name in a list is such a name: `c in [h, "x"]` with a field h compares with h.
#[test]
fn in_list_bare_names_that_are_fields_are_fields() {
    let source = "customer { id text key\n c text?\n h text? }\n\
                  segment erin = c in [h, \"x\"]\n\
                  segment niet_erin = not (c in [h, \"x\"])\n\
                  segment gelijk = c = h\n";
    // A: c = h (case ignored) → true; B: c = "h", h = "z" → false (the word "h" would match);
    // C: h missing, c not "x" → unknown (false or unknown); D: c = "x" → true.
    let csv = "id,c,h\nA,y,Y\nB,h,z\nC,y,\nD,X,\n";
    let dir = folder(&[("f.playbook", source), ("f.csv", csv)]);
    let d = eval_ndjson(dir.path(), "f.playbook", "f.csv", AS_OF);
    let got: Vec<Vec<String>> = d.iter().map(segments).collect();
    assert_eq!(
        got,
        vec![
            vec!["erin".to_string(), "gelijk".to_string()],
            vec!["niet_erin".to_string()],
            vec![],
            vec!["erin".to_string()],
        ],
        "`c = h` compares with the field h; so must `c in [h, …]`"
    );
}
