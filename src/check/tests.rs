//! Checker unit tests; the diagnostics themselves are snapshotted in tests/.

use super::*;
use crate::syntax::parse;

fn codes(source: &str) -> Vec<&'static str> {
    let parsed = parse(source);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let checked = check(&parsed.playbook, source, SchemaSource::File);
    checked.diagnostics.iter().map(|d| d.code.name()).collect()
}

const SCHEMA: &str = "customer { id text key orders number complaint one of none, open, resolved opted_in bool last_order date? tags list of text }\n";

#[test]
fn clean_playbook_has_no_findings() {
    let src = format!("{SCHEMA}when orders > 3 and complaint resolved and opted_in then surprise");
    assert_eq!(codes(&src), Vec::<&str>::new());
}

#[test]
fn contradictions_are_found() {
    let src = format!("{SCHEMA}when orders > 5 and orders < 3 then a\nwhen complaint is open and complaint is resolved then b\nwhen last_order within 30 days and last_order more than 90 days ago then c");
    assert_eq!(
        codes(&src),
        vec!["never-fires", "never-fires", "never-fires"]
    );
}
