//! Arbitrary text → `fmt::format`. When it formats, the result must parse without problems
//! to the same tree (spans aside), keep every comment, and be its own canonical layout.

use playbook::fmt::{comment_texts, format};
use playbook::syntax::parse;

/// The property, for one input: panics when it does not hold.
pub fn holds(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(formatted) = format(source) else {
        return;
    };
    let before = parse(source);
    let after = parse(&formatted);
    assert!(
        after.diagnostics.is_empty(),
        "the formatted file does not parse: {:?}\n--- formatted ---\n{formatted}",
        after.diagnostics.first().map(|d| d.message.clone())
    );
    assert!(
        before.playbook == after.playbook,
        "formatting changed the tree\n--- formatted ---\n{formatted}"
    );
    assert_eq!(
        comment_texts(source),
        comment_texts(&formatted),
        "formatting lost or changed a comment\n--- formatted ---\n{formatted}"
    );
    match format(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting is not idempotent"),
        Err(d) => panic!(
            "the formatted file is refused: {:?}",
            d.first().map(|d| d.message.clone())
        ),
    }
}
