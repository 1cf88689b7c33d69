//! The authoring tools through the built binary: `diff` (also from git), `--coverage`,
//! `init`, completions and the man page. Every expected count below was worked out by
//! hand from the playbooks and the export in this file.

use std::path::Path;
use std::process::{Command, Output};

fn playbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

const OLD: &str = "customer {
  id       text key
  orders   number
  opted_in bool
}
journey fase {
  stage nieuw when orders >= 1
  stage vast  when orders >= 5
}
actions bedankje, korting
policy { suppress when not opted_in }
rule r1 when customer in vast then bedankje
";

/// `vast` from 3 orders on, and a discount from 10 orders; r3 never fires on the export.
const NEW: &str = "customer {
  id       text key
  orders   number
  opted_in bool
}
journey fase {
  stage nieuw when orders >= 1
  stage vast  when orders >= 3
}
actions bedankje, korting
policy { suppress when not opted_in }
rule r1 when customer in vast then bedankje
rule r2 when orders >= 10 then korting
rule r3 when orders > 100 then korting
";

/// A: no orders. B: 2. C, D: 3 and 4 (become `vast`). E: 6. F: 12 (gets korting).
/// G: 12 but no consent (suppressed before and after).
const EXPORT: &str =
    "id,orders,opted_in\nA,0,ja\nB,2,ja\nC,3,ja\nD,4,ja\nE,6,ja\nF,12,ja\nG,12,nee\n";

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("old.playbook"), OLD).expect("writes");
    std::fs::write(dir.path().join("new.playbook"), NEW).expect("writes");
    std::fs::write(dir.path().join("klanten.csv"), EXPORT).expect("writes");
    dir
}

/// C and D move from nieuw to vast and gain bedankje; F gains korting; nobody else changes.
fn assert_hand_checked(report: &serde_json::Value) {
    assert_eq!(report["customers"], 7);
    assert_eq!(report["changed"], 3);
    let journeys = report["journeys"].as_array().expect("journeys");
    assert_eq!(journeys.len(), 1);
    assert_eq!(journeys[0]["journey"], "fase");
    let t = journeys[0]["transitions"].as_array().expect("transitions");
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0]["from"].as_str(), t[0]["to"].as_str()),
        (Some("nieuw"), Some("vast"))
    );
    assert_eq!(t[0]["customers"], 2);
    assert_eq!(t[0]["examples"], serde_json::json!(["C", "D"]));
    let actions = report["actions"].as_array().expect("actions");
    let find = |name: &str| {
        actions
            .iter()
            .find(|a| a["action"] == name)
            .expect("action listed")
    };
    assert_eq!(
        (
            find("bedankje")["gained"].as_u64(),
            find("bedankje")["lost"].as_u64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(find("korting")["gained_examples"], serde_json::json!(["F"]));
    assert_eq!(report["suppression"]["started"], 0);
    assert_eq!(report["suppression"]["stopped"], 0);
}

#[test]
fn diff_reports_transitions_and_actions() {
    let dir = folder();
    let out = playbook(
        dir.path(),
        &[
            "diff",
            "old.playbook",
            "new.playbook",
            "klanten.csv",
            "--format",
            "json",
            "--as-of",
            "2026-11-23",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_hand_checked(&report);

    let table = playbook(
        dir.path(),
        &["diff", "old.playbook", "new.playbook", "klanten.csv"],
    );
    insta::assert_snapshot!("diff_table", text(&table.stdout));
    let markdown = playbook(
        dir.path(),
        &[
            "diff",
            "old.playbook",
            "new.playbook",
            "klanten.csv",
            "--format",
            "markdown",
        ],
    );
    insta::assert_snapshot!("diff_markdown", text(&markdown.stdout));
}

#[test]
fn diff_fails_on_change_only_when_asked_and_when_something_changes() {
    let dir = folder();
    let changed = playbook(
        dir.path(),
        &[
            "diff",
            "old.playbook",
            "new.playbook",
            "klanten.csv",
            "--fail-on-change",
        ],
    );
    assert_eq!(code(&changed), 1);
    let same = playbook(
        dir.path(),
        &[
            "diff",
            "old.playbook",
            "old.playbook",
            "klanten.csv",
            "--fail-on-change",
        ],
    );
    assert_eq!(code(&same), 0);
    assert!(
        text(&same.stdout).starts_with("0 of 7 customers change"),
        "{}",
        text(&same.stdout)
    );
}

#[test]
fn diff_reads_the_old_version_from_git() {
    let dir = folder();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git runs");
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            text(&status.stderr)
        );
    };
    std::fs::write(dir.path().join("p.playbook"), OLD).expect("writes");
    git(&["init", "-q"]);
    git(&["add", "p.playbook"]);
    git(&["commit", "-q", "-m", "old"]);
    std::fs::write(dir.path().join("p.playbook"), NEW).expect("writes");
    let out = playbook(
        dir.path(),
        &[
            "diff",
            "git:HEAD:p.playbook",
            "p.playbook",
            "klanten.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_hand_checked(&serde_json::from_slice(&out.stdout).expect("JSON"));
    let missing = playbook(
        dir.path(),
        &[
            "diff",
            "git:HEAD:nope.playbook",
            "p.playbook",
            "klanten.csv",
        ],
    );
    assert_eq!(code(&missing), 2);
    assert!(
        text(&missing.stderr).contains("git cannot show HEAD:nope.playbook"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn eval_coverage_counts_each_condition() {
    let dir = folder();
    let out = playbook(
        dir.path(),
        &[
            "eval",
            "new.playbook",
            "klanten.csv",
            "--coverage",
            "--summary",
            "s.json",
            "-o",
            "out.csv",
            "--as-of",
            "2026-11-23",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).expect("summary"))
            .expect("JSON");
    let row = |kind: &str, name: &str| {
        let c = summary["coverage"]
            .as_array()
            .expect("coverage")
            .iter()
            .find(|c| c["kind"] == kind && c["name"] == name)
            .expect("listed")
            .clone();
        [&c["true"], &c["false"], &c["unknown"], &c["not_evaluated"]]
            .map(|v| v.as_u64().unwrap_or(99))
    };
    // nieuw: only A has no orders. vast: asked only of the six in nieuw; B has 2.
    assert_eq!(row("stage", "fase.nieuw"), [6, 1, 0, 0]);
    assert_eq!(row("stage", "fase.vast"), [5, 1, 0, 1]);
    // Rules are not asked for G (suppressed): r1 true for C–F; r2 for F; r3 for nobody.
    assert_eq!(row("rule", "r1"), [4, 2, 0, 1]);
    assert_eq!(row("rule", "r2"), [1, 5, 0, 1]);
    assert_eq!(row("rule", "r3"), [0, 6, 0, 1]);
    let err = text(&out.stderr);
    assert!(err.contains("playbook::not-fired"), "{err}");
    assert!(err.contains("the rule `r3` fired for no customer"), "{err}");
    assert!(
        !err.contains("the rule `r2` fired for no customer"),
        "{err}"
    );
}

#[test]
fn test_coverage_lists_what_no_test_exercises() {
    let dir = folder();
    let with_test = format!(
        "{NEW}test \"vast krijgt bedankje\" as of 2026-11-23 {{\n  given {{ id: \"T\", orders: 4, opted_in: true }}\n  expect stage vast\n  expect action bedankje\n}}\n"
    );
    std::fs::write(dir.path().join("t.playbook"), with_test).expect("writes");
    let out = playbook(dir.path(), &["test", "t.playbook", "--coverage"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("rule r2 fires in no test"), "{report}");
    assert!(report.contains("rule r3 fires in no test"), "{report}");
    assert!(!report.contains("rule r1 fires in no test"), "{report}");
    assert!(
        report.contains("stage fase.nieuw: no test's customer is in it"),
        "{report}"
    );
    assert!(!report.contains("stage fase.vast:"), "{report}");
    assert!(report.contains("1 passed, 0 failed"), "{report}");
}

/// Issue 18: `test --coverage --diagnostics json` (or `--format json`) prints JSON lines only:
/// one object per file naming, for each rule and stage, the tests that exercise it; `-v`'s lines
/// and the summary are JSON too.
#[test]
fn test_coverage_as_json() {
    let dir = folder();
    let with_test = format!(
        "{NEW}test \"vast krijgt bedankje\" as of 2026-11-23 {{\n  given {{ id: \"T\", orders: 4, opted_in: true }}\n  expect stage vast\n  expect action bedankje\n}}\n"
    );
    std::fs::write(dir.path().join("t.playbook"), with_test).expect("writes");
    let out = playbook(
        dir.path(),
        &["test", "t.playbook", "--coverage", "--format", "json", "-v"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        lines[0],
        serde_json::json!({"file": "t.playbook", "test": "vast krijgt bedankje", "result": "ok"})
    );
    let coverage = &lines[1];
    assert_eq!(coverage["file"], "t.playbook");
    let tests_of = |kind: &str, key: &str, name: &str| -> Vec<String> {
        let item = coverage[kind]
            .as_array()
            .and_then(|a| a.iter().find(|i| i[key] == name))
            .unwrap_or_else(|| panic!("no {kind} {name} in {coverage}"));
        item["tests"]
            .as_array()
            .map(|t| {
                t.iter()
                    .map(|n| n.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(tests_of("rules", "rule", "r1"), ["vast krijgt bedankje"]);
    assert!(tests_of("rules", "rule", "r2").is_empty());
    assert!(tests_of("rules", "rule", "r3").is_empty());
    assert_eq!(
        tests_of("stages", "stage", "vast"),
        ["vast krijgt bedankje"]
    );
    assert!(tests_of("stages", "stage", "nieuw").is_empty());
    assert_eq!(
        coverage["covered"],
        serde_json::json!({"rules": {"covered": 1, "total": 3}, "stages": {"covered": 1, "total": 2}})
    );
    assert_eq!(
        lines[2],
        serde_json::json!({"passed": 1, "failed": 0, "broken": 0})
    );
}

#[test]
fn init_makes_a_playbook_that_checks_tests_and_runs() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let made = playbook(dir.path(), &["init", "start"]);
    assert_eq!(code(&made), 0, "{}", text(&made.stderr));
    let start = dir.path().join("start");
    assert_eq!(
        code(&playbook(
            &start,
            &["check", "--deny", "warnings", "mijn-eerste.playbook"]
        )),
        0
    );
    // What init writes is already in `playbook fmt`'s layout (a CI's `fmt --check` passes).
    let formatted = playbook(&start, &["fmt", "--check", "mijn-eerste.playbook"]);
    assert_eq!(code(&formatted), 0, "{}", text(&formatted.stdout));
    let tested = playbook(&start, &["test", "mijn-eerste.playbook"]);
    assert_eq!(code(&tested), 0, "{}", text(&tested.stderr));
    assert!(text(&tested.stdout).contains("2 passed, 0 failed"));
    let run = playbook(
        &start,
        &[
            "eval",
            "mijn-eerste.playbook",
            "data/klanten.csv",
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code(&run), 0, "{}", text(&run.stderr));
    // K003 has 4 orders and a resolved complaint: trust, so a thank-you first (priority 5).
    assert!(
        text(&run.stdout).contains("K003,vertrouwen,bedank na opgeloste klacht,bedankje"),
        "{}",
        text(&run.stdout)
    );
    // A second init does not overwrite.
    let again = playbook(dir.path(), &["init", "start"]);
    assert_eq!(code(&again), 2);
    assert!(text(&again.stderr).contains("already exists"));
}

#[test]
fn completions_and_man_page_are_generated() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for shell in ["bash", "zsh", "fish"] {
        let out = playbook(dir.path(), &["completions", shell]);
        assert_eq!(code(&out), 0);
        let script = text(&out.stdout);
        assert!(
            script.contains("playbook") && script.contains("eval") && script.contains("explain"),
            "{shell}"
        );
    }
    let man = playbook(dir.path(), &["man"]);
    assert_eq!(code(&man), 0);
    let page = text(&man.stdout);
    assert!(page.contains(".TH playbook 1"));

    // `--dir` writes every page the main page's SUBCOMMANDS section names.
    let pages = dir.path().join("man1");
    std::fs::create_dir(&pages).expect("a folder");
    let written = playbook(dir.path(), &["man", "--dir", "man1"]);
    assert_eq!(code(&written), 0, "{}", text(&written.stderr));
    for sub in [
        "check", "eval", "explain", "test", "fmt", "diff", "schema", "sql", "init",
    ] {
        assert!(
            page.contains(&format!("playbook\\-{sub}(1)")),
            "{sub} is named"
        );
        let sub_page = std::fs::read_to_string(pages.join(format!("playbook-{sub}.1")))
            .unwrap_or_else(|e| panic!("playbook-{sub}.1: {e}"));
        assert!(sub_page.contains(&format!(".TH playbook-{sub} 1")), "{sub}");
    }
    assert!(pages.join("playbook.1").exists());
}

/// Issue 18: `test --filter TEXT` runs only the tests whose name contains it (any case), `-v`
/// names each with `ok` or `FAILED`, and a filter that matches nothing is no pass.
#[test]
fn test_filter_and_verbose() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = playbook(
        root,
        &[
            "test",
            "playbooks/klantbeleving-pilot.playbook",
            "--filter",
            "PILOT",
            "-v",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ok: playbooks/klantbeleving-pilot.playbook: twijfelaar in de pilot\n\
         ok: playbooks/klantbeleving-pilot.playbook: twijfelaar in de controlegroep van de pilot\n\
         2 passed, 0 failed\n"
    );
    let out = playbook(root, &["test", "playbooks", "--filter", "zzz"]);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("no test's name contains `zzz`"));
}

/// Issue 18: a `given` key that is no field but close to one (`ordres` for `orders`) is named by
/// `playbook test` too, not only by `check`: the test's customer lacks the value its author gave.
#[test]
fn test_names_a_misspelt_given_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("p.playbook"),
        "customer {\n  id text key\n  orders number?\n}\nactions a\nwhen orders is missing then a\n\
         test \"loyal\" as of 2026-11-23 {\n  given { id: \"C1\", ordres: 5 }\n  expect no action a\n}\n",
    )
    .expect("write");
    let out = playbook(dir.path(), &["test", "p.playbook"]);
    let err = text(&out.stderr);
    assert!(err.contains("playbook::given-column"), "{err}");
    assert!(err.contains("did you mean `orders`?"), "{err}");
    // The test itself ran: `orders` stayed missing, so the action was given and it failed.
    assert_eq!(code(&out), 1, "{err}");
}
