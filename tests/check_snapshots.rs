//! Snapshots of `playbook check` diagnostics, one per broken playbook.
//!
//! Each `fixtures/check/err/<code>[-N].playbook` is parsed and checked through the
//! library; its snapshot holds the source, the human rendering (no colour) and the
//! JSON lines. The file name says which code the case is about, and the test holds
//! it to that. Each `fixtures/check/ok/*.playbook` must give no diagnostic at all.

use playbook::check::check_parsed;
use playbook::diagnostic::{Diagnostic, Severity};
use playbook::render::{human, json, SourceFile};
use playbook::syntax::parse;
use std::fmt::Write;
use std::path::Path;

fn diagnose(path: &Path) -> (SourceFile, Vec<Diagnostic>) {
    let text = std::fs::read_to_string(path).expect("a fixture is UTF-8");
    let name = path
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let parsed = parse(&text);
    let diagnostics = check_parsed(&parsed, &text);
    (SourceFile::new(name, text), diagnostics)
}

/// `unknown-field-2` → `unknown-field`; `multiple-errors` names no single code.
fn expected_code(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let code = match stem.rsplit_once('-') {
        Some((code, n)) if n.chars().all(|c| c.is_ascii_digit()) => code,
        _ => stem,
    };
    (code != "multiple-errors").then(|| code.to_string())
}

#[test]
fn broken_playbooks() {
    insta::glob!("fixtures/check/err/*.playbook", |path| {
        let (file, diagnostics) = diagnose(path);
        assert!(!diagnostics.is_empty(), "{}: no diagnostic", file.name);
        if let Some(code) = expected_code(path) {
            assert!(
                diagnostics.iter().any(|d| d.code.name() == code),
                "{}: expected a `{code}` diagnostic, got {:?}",
                file.name,
                diagnostics
                    .iter()
                    .map(|d| d.code.name())
                    .collect::<Vec<_>>()
            );
        }
        let mut snapshot = String::new();
        for (n, line) in file.text.lines().enumerate() {
            let _ = writeln!(snapshot, "{:>3} │ {line}", n + 1);
        }
        snapshot.push_str("\n──────── human ────────\n");
        for d in &diagnostics {
            snapshot.push_str(&human(d, &file, false));
        }
        snapshot.push_str("\n──────── json ────────\n");
        for d in &diagnostics {
            snapshot.push_str(&json(d, &file));
            snapshot.push('\n');
        }
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn clean_playbooks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/ok");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the ok fixtures")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "playbook"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 5, "too few clean fixtures: {paths:?}");
    for path in paths {
        let (file, diagnostics) = diagnose(&path);
        let rendered: String = diagnostics.iter().map(|d| human(d, &file, false)).collect();
        // Clean: no error, no warning. A note (§1's actions for rules still to come) is no fault.
        assert!(
            diagnostics.iter().all(|d| d.severity == Severity::Note),
            "{} should be clean:\n{rendered}",
            file.name
        );
    }
}

/// The code table and the docs' list of codes hold each other: every code has its section
/// (`### playbook::NAME`, linked as `#playbookNAME`), and every section is a code.
#[test]
fn every_code_has_its_section_in_the_language_docs() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md"))
            .expect("docs/language.md");
    let sections: Vec<&str> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("### playbook::"))
        .map(str::trim)
        .collect();
    for code in playbook::diagnostic::Code::ALL {
        assert!(
            sections.contains(&code.name()),
            "docs/language.md has no section `### playbook::{}`",
            code.name()
        );
        assert_eq!(code.docs_anchor(), format!("playbook{}", code.name()));
    }
    for section in &sections {
        assert!(
            playbook::diagnostic::Code::ALL
                .iter()
                .any(|c| c.name() == *section),
            "docs/language.md describes `playbook::{section}`, which is no code"
        );
    }
}

#[test]
fn every_error_fixture_is_named_by_a_code() {
    let codes: Vec<&str> = playbook::diagnostic::Code::ALL
        .iter()
        .map(|c| c.name())
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/err");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("the err fixtures") {
        let path = entry.expect("a directory entry").path();
        if let Some(code) = expected_code(&path) {
            assert!(
                codes.contains(&code.as_str()),
                "{}: no code named `{code}`",
                path.display()
            );
        }
        count += 1;
    }
    assert!(count >= 35, "only {count} broken playbooks");
}
