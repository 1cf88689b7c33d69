//! The canonical layout of playbook files (`playbook fmt`).
//!
//! A file is printed again from its syntax tree, so the layout does not depend on how it
//! was written: two-space indentation; schema fields, stage conditions and the `=` of
//! segments aligned; one clause per line in rules (an unnamed rule with only `when … then
//! …` stays on one line when it fits); single spaces around operators; parentheses only
//! where written. Lists and long conditions are filled into lines of at most [`WIDTH`]
//! columns. Quoted names stay quoted and `weeks` stay weeks, so the file parses back to
//! the same tree.
//!
//! Comments are not in the tree: they are found in the text (`comments`) and put back
//! by position (`layout`), each before, or at the end of, the line it belonged to.
//! Blank lines between items and between the lines of a block are kept (at most one);
//! block items (`customer`, `journey`, `policy`, `test`, rules over several lines)
//! always have one around them.

mod comments;
pub mod diff;
mod expr;
mod items;
mod layout;

use crate::diagnostic::Diagnostic;
use crate::syntax;
use std::borrow::Cow;

/// The widest a line is made when it can be broken (a long comment or name may be wider).
pub const WIDTH: usize = 100;

/// The canonical layout of a playbook. A file with syntax errors is refused: its
/// diagnostics come back instead, with spans into `source`.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = syntax::parse(source);
    if !parsed.diagnostics.is_empty() {
        return Err(parsed.diagnostics);
    }
    // `\r` only ever stands in white space and comments, so with plain `\n` line ends
    // the file parses to the same tree, and lines are simply split at `\n`.
    let (text, playbook) = if source.contains('\r') {
        let text = Cow::Owned(source.replace("\r\n", "\n").replace('\r', "\n"));
        let parsed = syntax::parse(&text);
        if !parsed.diagnostics.is_empty() {
            return Err(parsed.diagnostics);
        }
        (text, parsed.playbook)
    } else {
        (Cow::Borrowed(source), parsed.playbook)
    };
    let mut items = items::Items {
        src: &text,
        exprs: expr::Printer { src: &text },
        out: layout::Layout::new(&text, comments::scan(&text)),
    };
    items.playbook(&playbook);
    let newline = if uses_crlf(source) { "\r\n" } else { "\n" };
    Ok(items.out.finish(newline))
}

/// Whether the file's first line ends with `\r\n` (a file saved on Windows keeps them).
fn uses_crlf(source: &str) -> bool {
    source
        .find('\n')
        .is_some_and(|i| source[..i].ends_with('\r'))
}

/// The text of every comment in a playbook, in order (for tests: formatting keeps them all).
pub fn comment_texts(source: &str) -> Vec<String> {
    let text = source.replace("\r\n", "\n").replace('\r', "\n");
    comments::scan(&text).into_iter().map(|c| c.text).collect()
}
