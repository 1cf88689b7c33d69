//! What a fresh clone needs: the tests read only files of this repository, and the
//! `rust-version` in Cargo.toml is the oldest toolchain the locked dependencies accept.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A clone has no `../shared` beside it: no test may read it (the samples the tests need are
/// copied into tests/data with their provenance and licences).
#[test]
fn no_test_reads_outside_the_repository() {
    let needles = [
        ["..", "shared"].join("/"),
        ["", "work", ""].join("/"),
        ["\"", "shared", "\""].concat(),
    ];
    let mut offenders = Vec::new();
    let mut dirs = vec![
        root().join("tests"),
        root().join("src"),
        root().join("bench"),
        root().join("playbooks"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                if !path.ends_with("tests/data") {
                    dirs.push(path);
                }
                continue;
            }
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
                continue;
            };
            // This file spells the needles out itself.
            if !matches!(ext, "rs" | "py" | "sh") || path.ends_with("tests/fresh_clone.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("text");
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") || code.starts_with('#') {
                    continue;
                }
                if needles.iter().any(|n| line.contains(n.as_str())) {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "paths outside the repository:\n{}",
        offenders.join("\n")
    );
}

fn version(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().expect("a number")).collect()
}

/// `rust-version` is honest: the newest `rust-version` among the locked dependencies (build and
/// test), which is the oldest toolchain that can build them. (clippy's `incompatible_msrv`,
/// run with -D warnings in .ci/run, holds this crate's own code to the same version.)
#[test]
fn rust_version_is_the_oldest_the_locked_dependencies_accept() {
    // Only this platform's packages: the others (wasm's `js-sys` under `getrandom`) are never
    // downloaded by a build here, and `--offline` would fail on them in a fresh clone.
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc names its host");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(root())
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut ours = None;
    let mut newest: Option<(Vec<u64>, String)> = None;
    for p in meta["packages"].as_array().expect("packages") {
        let Some(rv) = p["rust_version"].as_str() else {
            continue;
        };
        let mut v = version(rv);
        v.resize(3, 0);
        if p["name"] == "playbook" {
            ours = Some(v);
        } else if newest.as_ref().is_none_or(|(n, _)| v > *n) {
            newest = Some((v, format!("{} {}", p["name"], p["version"])));
        }
    }
    let ours = ours.expect("Cargo.toml has a rust-version");
    let (newest, who) = newest.expect("dependencies");
    assert_eq!(
        ours, newest,
        "Cargo.toml's rust-version must be the one {who} needs"
    );
}

fn playbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

/// docs/workflow.md's CI runs `playbook fmt --check playbooks/`: the shipped examples are in
/// the canonical layout.
#[test]
fn the_shipped_examples_are_formatted() {
    let out = playbook(&["fmt", "--check", "playbooks/"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The block `playbook schema` prints for every shipped export and every real CSV export of
/// tests/data pastes in formatted.
#[test]
fn schema_blocks_are_formatted() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folders = [
        "playbooks/data",
        "tests/data/excel-nl",
        "tests/data/real/telco-customer-churn",
        "tests/data/real/customer-personality-analysis",
        "tests/data/real/online-retail",
        "tests/data/real/cdnow",
    ];
    let files = folders.iter().flat_map(|f| {
        std::fs::read_dir(root().join(f))
            .expect("a data folder")
            .map(|e| e.expect("an entry").path())
    });
    for path in files {
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let schema = playbook(&["schema", path.to_str().expect("utf-8")]);
        assert!(schema.status.success(), "schema {}", path.display());
        let file = dir.path().join("schema.playbook");
        std::fs::write(&file, &schema.stdout).expect("write");
        let out = playbook(&["fmt", "--check", file.to_str().expect("utf-8")]);
        assert!(
            out.status.success(),
            "schema of {} is not in fmt's layout:\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
