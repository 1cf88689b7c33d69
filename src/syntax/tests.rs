//! Parser tests: structure, recovery and limits.

use super::*;

fn ok(source: &str) -> Playbook {
    let parsed = parse(source);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    parsed.playbook
}

#[test]
fn one_line_rule() {
    let p = ok("when customer in vertrouwen and complaint resolved then surprise");
    assert_eq!(p.rules().count(), 1);
}

/// The first code block of the language contract: the whole §1 example.
fn contract_example() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/design/language.md");
    let text = std::fs::read_to_string(path).expect("shared/design/language.md beside the repo");
    let start = text.find("```\n").expect("a code block") + 4;
    let end = start + text[start..].find("```").expect("end of block");
    text[start..end].to_string()
}

#[test]
fn contract_example_parses() {
    let p = ok(&contract_example());
    assert_eq!(p.rules().count(), 4);
    assert_eq!(p.journeys().count(), 1);
    assert_eq!(p.tests().count(), 1);
}
