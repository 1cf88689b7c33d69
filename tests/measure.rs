//! `playbook measure` through the built binary: its statistics against SciPy / statsmodels
//! (tests/data/measure/reference.json, made by make_reference.py next to it), a pilot of the
//! example playbook run through `eval` and `measure`, and errors that point at file:line.
//!
//! Snapshots are in tests/snapshots/measure__*.snap; each was read before it was accepted.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn playbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Relative difference within `tol` (absolute near zero); both `None` (NaN in Python) is equal.
fn agrees(ours: &Value, theirs: &Value, tol: f64) -> bool {
    match (ours.as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= tol * b.abs().max(1e-6),
        _ => ours.is_null() && theirs.is_null(),
    }
}

/// Writes a pilot as decisions (rule `pilot`, action `bel`) and outcomes; returns the metric.
fn write_pilot(dir: &Path, pilot: &Value) -> &'static str {
    let conversion = pilot["kind"] == "conversion";
    // Conversions as counts [converted, customers], numbers as their cells.
    let cells = |group: &Value| -> Vec<String> {
        if conversion {
            let x = group[0].as_u64().expect("converted");
            let n = group[1].as_u64().expect("customers");
            (0..n)
                .map(|i| if i < x { "ja" } else { "nee" }.to_string())
                .collect()
        } else {
            let values = group.as_array().expect("values");
            values
                .iter()
                .map(|v| v.as_str().expect("a cell").to_string())
                .collect()
        }
    };
    let mut decisions = String::new();
    let mut outcomes = String::from("id,uitkomst\n");
    for (group, holdout) in [(&pilot["treated"], false), (&pilot["held_out"], true)] {
        for (i, cell) in cells(group).iter().enumerate() {
            let id = format!("{}{i}", if holdout { "H" } else { "T" });
            decisions.push_str(&format!(
                "{{\"customer\":\"{id}\",\"stages\":{{}},\"segments\":[],\"actions\":[{{\"action\":\"bel\",\"rule\":\"pilot\",\"argument\":null,\"channel\":null,\"holdout\":{holdout}}}],\"suppressed\":false}}\n"
            ));
            outcomes.push_str(&format!("{id},{cell}\n"));
        }
    }
    std::fs::write(dir.join("d.ndjson"), decisions).expect("decisions");
    std::fs::write(dir.join("o.csv"), outcomes).expect("outcomes");
    "uitkomst"
}

#[test]
fn statistics_match_scipy_and_statsmodels() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/measure/reference.json"))
            .expect("reference.json"),
    )
    .expect("reference JSON");
    let pilots = reference["pilots"].as_array().expect("pilots");
    assert!(pilots.len() >= 20);
    let dir = tempfile::tempdir().expect("a temporary folder");
    for pilot in pilots {
        let name = pilot["name"].as_str().expect("a name");
        let metric = write_pilot(dir.path(), pilot);
        let out = playbook(
            dir.path(),
            &[
                "measure", "d.ndjson", "o.csv", "--metric", metric, "--format", "json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let result: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(result["metrics"][0]["kind"], pilot["kind"], "{name}");
        let ours = result["metrics"][0]["comparisons"]
            .as_array()
            .expect("comparisons")
            .iter()
            .find(|c| c["scope"] == "rule" && c["name"] == "pilot")
            .expect("the rule pilot")
            .clone();
        for field in ["uplift", "relative_uplift", "ci_low", "ci_high", "p_value"] {
            assert!(
                agrees(&ours[field], &pilot[field], 1e-9),
                "{name}: {field} is {} here, {} in SciPy/statsmodels",
                ours[field],
                pilot[field]
            );
        }
        assert_eq!(
            ours["needed_per_group"], pilot["needed_per_group"],
            "{name}"
        );
    }
}

/// The example pilot: klantbeleving-pilot.playbook over a made-up export of 2000 customers
/// (make_pilot.py), then `measure` with and without the playbook.
fn pilot_decisions(dir: &Path, format: &str) -> PathBuf {
    let out_file = dir.join(format!("beslissingen.{format}"));
    let out = playbook(
        &root(),
        &[
            "eval",
            "playbooks/klantbeleving-pilot.playbook",
            "tests/data/measure/pilot-klanten.csv",
            "--as-of",
            "2026-11-23",
            "-q",
            "-o",
            out_file.to_str().expect("a UTF-8 path"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    out_file
}

fn measure_pilot(decisions: &Path, extra: &[&str]) -> Output {
    let decisions = decisions.to_str().expect("a UTF-8 path");
    let mut args = vec![
        "measure",
        decisions,
        "tests/data/measure/pilot-uitkomsten.csv",
        "--metric",
        "gekocht",
        "--metric",
        "omzet",
    ];
    args.extend(extra);
    playbook(&root(), &args)
}

fn shown(out: &Output, decisions: &Path) -> String {
    text(&out.stdout).replace(&decisions.display().to_string(), "beslissingen.ndjson")
}

// Read by hand: with the playbook, the policy's control group (64 with an outcome) is compared
// with everyone else sent something, and only the pilot rule (its own 10%) has a row; the
// pilot's +13.6 pp is significant, the whole playbook's +8.1 pp is not (needs 441 per group);
// 23 customers without an outcome row are counted, per group as "+N missing".
#[test]
fn the_example_pilot_with_its_playbook() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let decisions = pilot_decisions(dir.path(), "ndjson");
    let with_playbook = ["--playbook", "playbooks/klantbeleving-pilot.playbook"];
    let table = measure_pilot(&decisions, &with_playbook);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    insta::assert_snapshot!("pilot_table", shown(&table, &decisions));
    let mut args = with_playbook.to_vec();
    args.extend(["--format", "markdown"]);
    let markdown = measure_pilot(&decisions, &args);
    insta::assert_snapshot!("pilot_markdown", shown(&markdown, &decisions));
}

// Read by hand: from the flags alone every rule with a flagged action has a row (most only
// through the policy's 5%), and the playbook row compares customers sent something with
// customers sent nothing.
#[test]
fn the_example_pilot_from_the_flags_alone() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let decisions = pilot_decisions(dir.path(), "ndjson");
    let table = measure_pilot(&decisions, &[]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    insta::assert_snapshot!("pilot_flags_table", shown(&table, &decisions));
}

/// CSV decisions (one row per action) give the same groups as NDJSON; only the customers
/// without actions, absent from a CSV, move to "outcome and no decision".
#[test]
fn csv_decisions_measure_as_ndjson() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = |format: &str| -> Value {
        let decisions = pilot_decisions(dir.path(), format);
        let out = measure_pilot(
            &decisions,
            &[
                "--playbook",
                "playbooks/klantbeleving-pilot.playbook",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let (nd, csv) = (json("ndjson"), json("csv"));
    assert_eq!(nd["metrics"], csv["metrics"]);
    assert!(csv["outcomes_only"].as_u64() > nd["outcomes_only"].as_u64());
    assert_eq!(nd["decided"].as_u64(), Some(2000));
}

fn failure(dir: &Path, decisions: &str, outcomes: &str, extra: &[&str]) -> (i32, String) {
    std::fs::write(dir.join("d.csv"), decisions).expect("decisions");
    std::fs::write(dir.join("o.csv"), outcomes).expect("outcomes");
    let mut args = vec!["measure", "d.csv", "o.csv", "--metric", "omzet"];
    args.extend(extra);
    let out = playbook(dir, &args);
    (out.status.code().unwrap_or(-1), text(&out.stderr))
}

#[test]
fn bad_input_is_an_error_at_its_place() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let d = "customer,rule,action,holdout\nA,r,x,false\nB,r,x,true\n";
    let o = "id,omzet\nA,12.5\nB,3\n";
    assert_eq!(failure(dir.path(), d, o, &[]).0, 0);
    let cases = [
        (
            "customer,rule,action,holdout\nA,r,x,false\nB,r,x,true\nA,r,y,false\n",
            o,
            "error: d.csv:4: customer `A` has a second decision (the first is on line 2)",
        ),
        (
            d,
            "id,omzet\nA,12.5\nB,drie\n",
            "error: o.csv:3: column `omzet`: `drie` is not a number",
        ),
        (
            d,
            "id,omzet\nA,12.5\nA,3\n",
            "error: o.csv:3: customer `A` is here a second time",
        ),
        (
            d,
            "id,revenue\nA,12.5\n",
            "error: o.csv:1: there is no column `omzet`",
        ),
        (
            "customer,rule,action,holdout\nA,r,x,misschien\n",
            o,
            "error: d.csv:2: holdout is `misschien`",
        ),
        (
            d,
            "nummer,omzet\nA,1\n",
            "error: o.csv:1: no customer id column",
        ),
    ];
    for (decisions, outcomes, expected) in cases {
        let (code, err) = failure(dir.path(), decisions, outcomes, &[]);
        assert_eq!(code, 1, "{err}");
        assert!(err.starts_with(expected), "expected {expected}\ngot {err}");
    }
    // Decisions of another playbook: a rule it does not have.
    let (code, err) = failure(
        dir.path(),
        d,
        o,
        &[
            "--playbook",
            &root()
                .join("playbooks/klantbeleving-pilot.playbook")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("the rule `r` is not in the playbook"), "{err}");
    // The results are never written over an input.
    let (code, err) = failure(dir.path(), d, o, &["-o", "o.csv"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("refusing to write the results over o.csv"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("o.csv")).expect("o.csv"),
        o
    );
}
