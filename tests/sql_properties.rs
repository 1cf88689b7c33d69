//! Property test: a few hundred generated playbooks (every condition form,
//! missing values, ties, holdouts, suppressions) over boundary-heavy data.
//! `eval --format csv` and the compiled script must write identical bytes, on
//! DuckDB and on PostgreSQL. All cases run in one engine process (one `duckdb`,
//! one `psql` session). Seeded: PLAYBOOK_SQL_SEED, default fixed.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SCHEMA: &str = "customer {
  id    text key
  qty   number?
  cnt   number?
  name  text?
  born  date? format \"%d-%m-%Y\"
  seen  date?
  ok    bool?
  kind  one of Gold, silver, brons
  tags  list of text
  chan  one of Email, SMS
}
";

const NUMS: &[&str] = &["0", "1", "2", "-1", "0.5", "3", "10", "2.5"];
const TEXTS: &[&str] = &[
    "\"ab\"",
    "\"AB\"",
    "\"École\"",
    "\"straße\"",
    "\"x\"",
    "\"\"",
    "\"m\"",
];

fn leaf(r: &mut Rng) -> String {
    let op = r.pick(&["=", "!=", "<", "<=", ">", ">="]);
    let n = r.pick(NUMS);
    match r.below(24) {
        0 => format!("qty {op} {n}"),
        1 => format!("cnt {op} qty"),
        2 => format!("qty / cnt {op} {n}"),
        3 => format!("qty + cnt * 2 {op} {n}"),
        4 => {
            let (a, b) = (r.below(NUMS.len()), r.below(NUMS.len()));
            let (x, y): (f64, f64) = (
                NUMS[a].parse().expect("test setup"),
                NUMS[b].parse().expect("test setup"),
            );
            let (lo, hi) = if x <= y {
                (NUMS[a], NUMS[b])
            } else {
                (NUMS[b], NUMS[a])
            };
            format!("qty between {lo} and {hi}")
        }
        5 => format!(
            "qty {}in [{}, {}]",
            if r.chance(50) { "not " } else { "" },
            r.pick(NUMS),
            r.pick(NUMS)
        ),
        6 => format!("name {} {}", r.pick(&["=", "!=", "<", ">="]), r.pick(TEXTS)),
        7 => format!(
            "name {} {}",
            r.pick(&["contains", "starts with", "ends with"]),
            r.pick(TEXTS)
        ),
        8 => format!("name in [{}, {}]", r.pick(TEXTS), r.pick(TEXTS)),
        9 => format!(
            "{} is {}",
            r.pick(&["name", "qty", "born", "ok", "kind"]),
            r.pick(&["missing", "present"])
        ),
        10 => format!(
            "{} within {} days",
            r.pick(&["born", "seen"]),
            r.pick(&["0", "1", "30", "365"])
        ),
        11 => format!(
            "seen more than {} days ago",
            r.pick(&["0", "1", "59", "365"])
        ),
        12 => format!("seen within next {} days", r.pick(&["0", "1", "2", "366"])),
        13 => format!(
            "anniversary of {} within next {} days",
            r.pick(&["born", "seen"]),
            r.pick(&["0", "1", "2", "7", "365"])
        ),
        14 => format!("days_since(seen) {op} {}", r.pick(&["0", "1", "30", "-1"])),
        15 => format!("days_until(born) {op} {}", r.pick(&["0", "-1", "-10000"])),
        16 => format!(
            "seen {op} {}",
            r.pick(&["2028-02-29", "2026-12-31", "2027-01-01", "2026-02-28"])
        ),
        17 => r
            .pick(&["ok", "not ok", "ok = true", "ok != false"])
            .to_string(),
        18 => format!(
            "kind {}",
            r.pick(&[
                "gold",
                "is not silver",
                "= brons",
                "!= gold",
                "in [gold, brons]",
                "not in [silver]"
            ])
        ),
        19 => format!(
            "tags has {}",
            r.pick(&["\"vip\"", "\"VIP\"", "\"no-upsell\"", "\"\""])
        ),
        20 => "customer in big".to_string(),
        21 => format!(
            "customer {} {}",
            r.pick(&["in", "reached"]),
            r.pick(&["s1", "s2", "s3"])
        ),
        22 => format!("chan {}", r.pick(&["email", "is sms"])),
        _ => format!("cnt {op} {n}"),
    }
}

fn condition(r: &mut Rng, depth: usize) -> String {
    if depth == 0 || r.chance(40) {
        return leaf(r);
    }
    match r.below(3) {
        0 => format!(
            "({} and {})",
            condition(r, depth - 1),
            condition(r, depth - 1)
        ),
        1 => format!(
            "({} or {})",
            condition(r, depth - 1),
            condition(r, depth - 1)
        ),
        _ => format!("not ({})", condition(r, depth - 1)),
    }
}

/// A condition for stages and segments: no stage or segment references (no cycles).
fn plain(r: &mut Rng) -> String {
    loop {
        let c = condition(r, 1);
        if !c.contains("customer") {
            return c;
        }
    }
}

fn playbook(r: &mut Rng) -> String {
    let mut p = String::from("playbook \"generated\"\n");
    p.push_str(SCHEMA);
    let _ = writeln!(
        p,
        "journey fase {{\n  stage s1 when {}\n  stage s2 when {}\n  stage s3 when {}\n}}",
        plain(r),
        plain(r),
        plain(r)
    );
    let _ = writeln!(p, "segment big = {}", plain(r));
    p.push_str("actions a, b, c, d\npolicy {\n");
    if r.chance(30) {
        let _ = writeln!(p, "  suppress when {}", plain(r));
    }
    if r.chance(40) {
        let _ = writeln!(
            p,
            "  suppress {} when {}",
            r.pick(&["a", "b", "c, d"]),
            plain(r)
        );
    }
    if r.chance(50) {
        let _ = writeln!(p, "  max {} actions per customer", 1 + r.below(3));
    }
    if r.chance(25) {
        let _ = writeln!(
            p,
            "  holdout {}% salt \"{}\"",
            r.pick(&["10", "50", "1"]),
            r.pick(&["s", "q4"])
        );
    }
    p.push_str("}\n");
    // Up to 9 rules of one or two actions: both ways the DuckDB script picks
    // the fired list (a bit mask up to 8 actions, a filtered list beyond).
    for i in 0..(2 + r.below(8)) {
        let _ = write!(p, "rule r{i} when {}", condition(r, 2));
        if r.chance(30) {
            let _ = write!(p, " unless {}", condition(r, 1));
        }
        let _ = write!(p, " then {}", r.pick(&["a", "b", "c", "d"]));
        if r.chance(30) {
            let _ = write!(p, " \"arg,{i}\" via chan");
        }
        if r.chance(30) {
            let _ = write!(p, ", {} via sms", r.pick(&["a", "b", "c", "d"]));
        }
        if r.chance(50) {
            let _ = write!(p, " priority {}", r.pick(&["1", "2", "-1", "0", "2.5"]));
        }
        if r.chance(20) {
            let _ = write!(p, " holdout {}%", r.pick(&["30", "50", "90"]));
        }
        p.push('\n');
    }
    p
}

fn data(r: &mut Rng) -> String {
    let mut d = String::from("id,qty,cnt,name,born,seen,ok,kind,tags,chan\n");
    for i in 0..40 {
        let cell = |r: &mut Rng, pool: &[&str]| r.pick(pool).to_string();
        let row = [
            format!("C{i}"),
            cell(
                r,
                &[
                    "", "0", "1", "2", "-1", "0.5", "3", "10", "2.5", "1e1", "+2", " 1 ",
                ],
            ),
            cell(r, &["", "0", "1", "2", "-0", "0.25", "4"]),
            cell(
                r,
                &[
                    "", "ab", "AB", "Abel", "école", "ÉCOLE", "Straße", "x", "m", "\"a,b\"", "zz",
                ],
            ),
            cell(
                r,
                &[
                    "",
                    "29-02-1992",
                    "28-02-1990",
                    "01-03-2000",
                    "31-12-1980",
                    "01-01-2001",
                    "23-11-1990",
                ],
            ),
            cell(
                r,
                &[
                    "",
                    "2026-11-23",
                    "2026-11-22",
                    "2026-12-31",
                    "2027-01-01",
                    "2028-02-29",
                    "2026-02-28",
                    "2025-11-23",
                    "2028-03-01",
                ],
            ),
            cell(
                r,
                &["", "true", "false", "ja", "nee", "1", "0", "YES", "No"],
            ),
            cell(r, &["gold", "Gold", "SILVER", "brons", " brons "]),
            cell(r, &["", "vip", "VIP;x", " no-upsell ; vip", ";;", "a;b"]),
            cell(r, &["email", "SMS", "Email"]),
        ];
        d.push_str(&row.join(","));
        d.push('\n');
    }
    d
}

fn run(bin: &str, args: &[&str]) -> std::process::Output {
    Command::new(bin).args(args).output().expect("run")
}

/// Generates the cases, compiles them for `dialect`, runs them all at once
/// with `engine(script, folder)`, and compares every decisions file with eval's.
fn differential(dialect: &str, engine: impl FnOnce(&str, &Path) -> std::process::Output) {
    let seed: u64 = std::env::var("PLAYBOOK_SQL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261123);
    let cases: usize = std::env::var("PLAYBOOK_SQL_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let bin = env!("CARGO_BIN_EXE_playbook");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = Rng(seed);
    let mut script = String::new();
    let mut compared = Vec::new();
    let mut rejected = 0;
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    for case in 0..cases {
        let pb_text = playbook(&mut r);
        let csv = data(&mut r);
        let as_of = r.pick(&[
            "2026-11-23",
            "2028-02-28",
            "2028-02-29",
            "2027-02-28",
            "2026-12-31",
            "2027-01-01",
        ]);
        let pb = dir.path().join(format!("c{case}.playbook"));
        let input = dir.path().join(format!("c{case}.csv"));
        std::fs::write(&pb, &pb_text).expect("test setup");
        std::fs::write(&input, &csv).expect("test setup");
        let (pb_s, in_s) = (
            pb.to_str().expect("test setup"),
            input.to_str().expect("test setup"),
        );
        let eval = run(
            bin,
            &[
                "eval", pb_s, in_s, "--as-of", as_of, "--format", "csv", "-q",
            ],
        );
        if !eval.status.success() {
            // A generated playbook the checker rejects (a lint that is an error): not comparable.
            rejected += 1;
            let err = String::from_utf8_lossy(&eval.stderr).into_owned();
            let code = err
                .lines()
                .find(|l| l.contains("playbook::"))
                .unwrap_or("?")
                .trim()
                .to_string();
            *reasons.entry(code).or_default() += 1;
            continue;
        }
        let out = dir.path().join(format!("c{case}.sql.csv"));
        let sql = run(
            bin,
            &[
                "sql",
                pb_s,
                "--dialect",
                dialect,
                "--as-of",
                as_of,
                "--input",
                in_s,
                "--output",
                out.to_str().expect("test setup"),
            ],
        );
        assert!(
            sql.status.success(),
            "case {case}: sql failed: {}",
            String::from_utf8_lossy(&sql.stderr)
        );
        script.push_str(&String::from_utf8(sql.stdout).expect("test setup"));
        compared.push((case, out, eval.stdout, pb_text, csv, as_of));
    }
    assert!(
        rejected * 20 < cases,
        "{rejected} of {cases} generated playbooks were rejected by the checker: the generator needs fixing: {reasons:?}"
    );
    let done = engine(&script, dir.path());
    assert!(
        done.status.success(),
        "{dialect}: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let mut rows = 0;
    for (case, out, want, pb_text, csv, as_of) in compared {
        let got = std::fs::read(&out).unwrap_or_default();
        assert!(
            got == want,
            "case {case} (seed {seed}) as of {as_of} differs on {dialect}\n--- playbook\n{pb_text}\n--- data\n{csv}\n--- eval\n{}\n--- {dialect}\n{}",
            String::from_utf8_lossy(&want),
            String::from_utf8_lossy(&got)
        );
        rows += want.iter().filter(|b| **b == b'\n').count() - 1;
    }
    assert!(rows > cases, "too few decisions ({rows}) to prove anything");
}

#[test]
fn generated_playbooks_decide_as_eval_on_duckdb() {
    differential("duckdb", |script, _| {
        let mut child = support::engines::duckdb()
            .args(["-batch", ":memory:"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("the DuckDB CLI (provisioned from PyPI): {e}"));
        {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("test setup")
                .write_all(script.as_bytes())
                .expect("test setup");
        }
        child.wait_with_output().expect("test setup")
    });
}

#[test]
fn generated_playbooks_decide_as_eval_on_postgres() {
    let pg = support::postgres::Server::start();
    differential("postgres", |script, dir| {
        let path = dir.join("all.sql");
        std::fs::write(&path, script).expect("test setup");
        pg.psql(&path)
    });
}
