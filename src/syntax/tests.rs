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

/// A large file parsed in two parts gives the same items, spans and diagnostics as in one.
#[test]
fn a_large_file_parses_the_same_in_two_parts() {
    let mut source = String::from("customer { id text key\n orders number }\n");
    for i in 0..6000 {
        source.push_str(&format!(
            "rule r{i}\n  when orders > {i} and orders < 99999\n  then a\n"
        ));
        if i % 1000 == 7 {
            source.push_str("rule kapot when orders > then a\n");
        }
    }
    assert!(source.len() > SPLIT_BYTES);
    let at = split_point(&source).expect("a place to split");
    assert!(source[at..].starts_with("rule "));
    let split = parse(&source);
    let (items, mut diagnostics, skipped) = parse_part(&source, 0, source.len());
    diagnostics.sort_by_key(|d| d.span().start);
    assert_eq!(split.playbook.items, items);
    let spans = |items: &[crate::ast::Item]| {
        items
            .iter()
            .map(|i| i.span())
            .map(|s| (s.start, s.end))
            .collect::<Vec<_>>()
    };
    assert_eq!(spans(&split.playbook.items), spans(&items));
    assert_eq!(split.diagnostics.len(), 6);
    assert_eq!(split.diagnostics, diagnostics);
    let starts = |d: &[Diagnostic]| d.iter().map(|d| d.span().start).collect::<Vec<_>>();
    assert_eq!(starts(&split.diagnostics), starts(&diagnostics));
    assert_eq!(split.skipped.len(), skipped.len());
}
