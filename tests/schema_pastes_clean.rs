//! `playbook schema EXPORT` gives a block that pastes clean (issue 18): on every export in the
//! repository, the printed block passes `check`, and `eval` of it over the same export decides
//! every customer — but for the two exports whose rows are damaged or anonymous, where `eval`
//! names the first bad row and `--on-error skip` decides the rest.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn playbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("playbook runs")
}

/// Every CSV export shipped with the repository.
fn exports() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["playbooks/data", "tests/data/real", "tests/data/excel-nl"] {
        let mut stack = vec![root().join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("a data folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "csv") {
                    let rel = path.strip_prefix(root()).unwrap_or(&path);
                    out.push(rel.display().to_string());
                }
            }
        }
    }
    out.sort();
    out
}

/// The exports `eval` must stop on: a row a spreadsheet wrapped whole in quotes, and
/// purchases without a customer id.
const DAMAGED: [&str; 2] = [
    "tests/data/real/online-retail/online_retail_first8373_mangled.csv",
    "tests/data/excel-nl/online_retail_sample_nl.csv",
];

#[test]
fn the_schema_of_every_shipped_export_checks_and_decides() {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let exports = exports();
    assert!(exports.len() >= 15, "only {} exports found", exports.len());
    for export in &exports {
        let schema = playbook(&["schema", export]);
        assert!(schema.status.success(), "schema {export}: {schema:?}");
        let block = String::from_utf8(schema.stdout).expect("UTF-8");
        assert!(
            block.contains(" key\n"),
            "{export}: no key marked:\n{block}"
        );
        let file = scratch.path().join("pasted.playbook");
        std::fs::write(&file, &block).expect("written");
        let file = file.to_str().expect("a UTF-8 path");
        let check = playbook(&["check", "--deny", "warnings", file]);
        assert!(
            check.status.success(),
            "{export}: the block does not check:\n{block}\n{check:?}"
        );
        let out = scratch.path().join("decisions.ndjson");
        let out = out.to_str().expect("a UTF-8 path");
        let eval = playbook(&[
            "eval",
            file,
            export,
            "--as-of",
            "2026-11-23",
            "-q",
            "-o",
            out,
        ]);
        let stderr = String::from_utf8_lossy(&eval.stderr);
        if DAMAGED.contains(&export.as_str()) {
            assert_eq!(eval.status.code(), Some(1), "{export}: {stderr}");
            assert!(stderr.contains("playbook::bad-data"), "{export}: {stderr}");
            let rejects = scratch.path().join("rejects.csv");
            let skip = playbook(&[
                "eval",
                file,
                export,
                "--as-of",
                "2026-11-23",
                "-q",
                "-o",
                out,
                "--on-error",
                "skip",
                "--rejects",
                rejects.to_str().expect("UTF-8"),
            ]);
            assert!(skip.status.success(), "{export}: {skip:?}");
        } else {
            assert!(
                eval.status.success(),
                "{export}: eval of the pasted block fails:\n{block}\n{stderr}"
            );
        }
        assert!(
            Path::new(out).metadata().is_ok_and(|m| m.len() > 0),
            "{export}: no decisions"
        );
    }
}

#[test]
fn a_decimal_comma_export_gets_its_policy_line() {
    let schema = playbook(&["schema", "tests/data/excel-nl/telco_customer_churn_nl.csv"]);
    let block = String::from_utf8(schema.stdout).expect("UTF-8");
    assert!(block.contains("policy {\n  decimal comma\n}"), "{block}");
    assert!(block.contains("customerID        text key"), "{block}");
}
