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
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/design/language.md");
    let text = std::fs::read_to_string(path)
        .expect("tests/data/design/language.md, the language contract");
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

// ───────────────────────── the fast and the full parser ─────────────────────────

/// Every pair of a parse, in order, as (rule name, start, end); the fast grammar's own
/// `cond_end` leaves no pairs.
fn pairs_of<R: pest::RuleType>(
    pairs: pest::iterators::Pairs<'_, R>,
) -> Vec<(String, usize, usize)> {
    pairs
        .flatten()
        .map(|p| {
            let span = p.as_span();
            (format!("{:?}", p.as_rule()), span.start(), span.end())
        })
        .collect()
}

/// Each example playbook, with one word after another replaced by a reserved word (or by a
/// plain one): the fast parser must build exactly the full parser's tree whenever the full
/// parser finds no broken item, and `parse` must report a problem whenever it does.
#[test]
fn fast_and_full_parsers_agree() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/playbooks");
    let mut sources = vec![contract_example()];
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("playbooks/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "playbook"))
        .collect();
    files.sort();
    for f in files {
        sources.push(std::fs::read_to_string(f).expect("a playbook"));
    }
    let replacements: Vec<&str> = RESERVED.iter().copied().chain(["x", "42", "("]).collect();
    let (mut same_tree, mut both_broken) = (0, 0);
    for source in &sources {
        let words: Vec<(usize, usize)> = source
            .char_indices()
            .filter(|&(i, c)| {
                c.is_alphabetic()
                    && !source[..i].ends_with(|p: char| p.is_alphanumeric() || p == '_')
            })
            .map(|(i, _)| {
                let len = source[i..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(source.len() - i);
                (i, i + len)
            })
            .collect();
        for (k, (start, end)) in words.iter().enumerate().step_by(3) {
            let with = replacements[k % replacements.len()];
            let text = format!("{}{}{}", &source[..*start], with, &source[*end..]);
            let full =
                full::PlaybookParser::parse(full::Rule::file, &text).expect("`file` recovers");
            let full = pairs_of(full);
            if full.iter().any(|(rule, _, _)| rule == "bad_item") {
                assert!(
                    !parse(&text).diagnostics.is_empty(),
                    "accepted, but broken:\n{text}"
                );
                both_broken += 1;
            } else {
                let fast = fast::PlaybookParser::parse(Rule::file, &text).expect("`file` recovers");
                assert_eq!(pairs_of(fast), full, "different trees:\n{text}");
                same_tree += 1;
            }
        }
    }
    assert!(
        same_tree > 100 && both_broken > 100,
        "{same_tree} / {both_broken}"
    );
}
