//! The export readers through the built binary (issues 15 and 16): what an export's cells,
//! quotes, numbers, ids, headers and line ends mean, and that `explain` reads an export as
//! `eval` does. Each test names the defect it holds fixed.

use std::path::Path;
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-23";

/// Writes `files` into a fresh folder and runs `playbook ARGS` there.
fn run(files: &[(&str, &[u8])], args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("writes a fixture");
    }
    run_in(dir.path(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code, not a signal")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `eval` to NDJSON: the decisions, one JSON value per customer.
fn eval(files: &[(&str, &[u8])], export: &str, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut args = vec!["eval", "p.playbook", export, "--as-of", AS_OF, "--format", "ndjson", "-q"];
    args.extend_from_slice(extra);
    let o = run(files, &args);
    let decisions = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("an NDJSON decision"))
        .collect();
    (code(&o), decisions, err(&o))
}

/// The action names of a decision.
fn actions(d: &serde_json::Value) -> Vec<String> {
    d["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["action"].as_str().expect("an action name").to_string())
        .collect()
}

// --- issue 15 defect 1: an empty optional list is missing, not [] ---------------------------

const TAGS: &str = "customer { id text key  tags list of text? }
rule m when tags is missing then a
rule n when not (tags has \"x\") then b
";

#[test]
fn an_empty_optional_list_cell_is_missing() {
    for export in ["id,tags\nA,\n", "id,tags\nA,   \n", "id,tags\nA,\"\"\n"] {
        let files: &[(&str, &[u8])] = &[("p.playbook", TAGS.as_bytes()), ("e.csv", export.as_bytes())];
        let (code, d, e) = eval(files, "e.csv", &[]);
        assert_eq!(code, 0, "{e}");
        assert_eq!(actions(&d[0]), vec!["a"], "{export:?}");
    }
    // `;` is the empty list: present, without "x".
    let files: &[(&str, &[u8])] = &[("p.playbook", TAGS.as_bytes()), ("e.csv", b"id,tags\nA,;\n")];
    let (_, d, _) = eval(files, "e.csv", &[]);
    assert_eq!(actions(&d[0]), vec!["b"]);
}

#[test]
fn an_empty_optional_list_in_json_is_missing() {
    let cases = [
        (r#"{"id":"A","tags":null}"#, vec!["a"]),
        (r#"{"id":"A"}"#, vec!["a"]),
        (r#"{"id":"A","tags":""}"#, vec!["a"]),
        (r#"{"id":"A","tags":"  "}"#, vec!["a"]),
        (r#"{"id":"A","tags":[]}"#, vec!["b"]),
    ];
    for (record, want) in cases {
        for (name, text) in [("e.ndjson", format!("{record}\n")), ("e.json", format!("[{record}]"))] {
            let files: &[(&str, &[u8])] = &[("p.playbook", TAGS.as_bytes()), (name, text.as_bytes())];
            let (code, d, e) = eval(files, name, &[]);
            assert_eq!(code, 0, "{e}");
            assert_eq!(actions(&d[0]), want, "{name}: {record}");
        }
    }
}

#[test]
fn a_missing_list_is_suppressed_fail_safe_and_not_present() {
    let playbook = "customer { id text key  tags list of text? }
journey j { stage s when tags is present }
rule r when true then a
policy { suppress when tags has \"x\" }
";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", b"id,tags\nA,\nB,y\n")];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(d[0]["suppressed"], true);
    assert_eq!(d[0]["stages"]["j"], serde_json::Value::Null);
    assert_eq!(d[1]["suppressed"], false);
    assert_eq!(d[1]["stages"]["j"], "s");
}

#[test]
fn an_inferred_list_field_reads_an_empty_cell_as_missing() {
    let playbook = "rule m when tags is missing then a\nrule n when not (tags has \"x\") then b\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", b"id,tags\nA,\nB,y;z\n")];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(actions(&d[0]), vec!["a"]);
    assert_eq!(actions(&d[1]), vec!["b"]);
}

#[test]
fn a_required_list_is_empty_in_csv_and_an_error_without_a_json_value() {
    let playbook = "customer { id text key  tags list of text }\nrule n when not (tags has \"x\") then b\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", b"id,tags\nA,\n")];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(actions(&d[0]), vec!["b"]);
    for record in [r#"{"id":"A","tags":[]}"#, r#"{"id":"A","tags":""}"#] {
        let text = format!("{record}\n");
        let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.ndjson", text.as_bytes())];
        let (code, d, e) = eval(files, "e.ndjson", &[]);
        assert_eq!(code, 0, "{record}: {e}");
        assert_eq!(actions(&d[0]), vec!["b"], "{record}");
    }
    let text = "{\"id\":\"A\",\"tags\":[]}\n{\"id\":\"B\",\"tags\":null}\n{\"id\":\"C\"}\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.ndjson", text.as_bytes())];
    let (code, _, e) = eval(files, "e.ndjson", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("required list") && e.contains("null") && e.contains("e.ndjson:2"), "{e}");
    let (code, _, e) = eval(files, "e.ndjson", &["--on-error", "skip"]);
    assert_eq!(code, 0, "{e}");
    assert!(e.contains("e.ndjson:2") && e.contains("e.ndjson:3") && e.contains("no such key"), "{e}");
}

#[test]
fn explain_shows_an_empty_optional_list_as_missing() {
    let files: &[(&str, &[u8])] = &[("p.playbook", TAGS.as_bytes()), ("e.csv", b"id,tags\nA,\n")];
    let o = run(files, &["explain", "p.playbook", "e.csv", "--customer", "A", "--as-of", AS_OF]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("[tags = missing]"), "{text}");
    assert!(!text.contains("[tags = []]"), "{text}");
}
