//! The canonical layout of playbook files (`playbook fmt`).
//!
//! A file is printed again from its syntax tree, so the layout does not depend on how it
//! was written: two-space indentation; schema fields, stage conditions and the `=` of
//! segments aligned; one clause per line in rules (an unnamed rule with only `when … then
//! …` stays on one line when it fits); single spaces around operators; parentheses only
//! where written. Lists and long conditions are filled into lines of at most `WIDTH`
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

use crate::ast::Playbook;
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
    Ok(format_playbook(source, &parsed.playbook))
}

/// The canonical layout of `playbook`, parsed without syntax errors from `source` (the
/// comments and a few spellings are read from the text).
pub fn format_playbook(source: &str, playbook: &Playbook) -> String {
    // `\r` only ever stands in white space and comments, so with plain `\n` line ends
    // the file parses to the same tree, and lines are simply split at `\n`.
    let reparsed;
    let (text, playbook) = if source.contains('\r') {
        let text = Cow::Owned(source.replace("\r\n", "\n").replace('\r', "\n"));
        reparsed = syntax::parse(&text);
        if !reparsed.diagnostics.is_empty() {
            // INVARIANT: unreachable (see above); leaving the file as it is is safe.
            return source.to_string();
        }
        (text, &reparsed.playbook)
    } else {
        (Cow::Borrowed(source), playbook)
    };
    let mut items = items::Items {
        src: &text,
        exprs: expr::Printer { src: &text },
        out: layout::Layout::new(&text, comments::scan(&text)),
    };
    items.playbook(playbook);
    let newline = if uses_crlf(source) { "\r\n" } else { "\n" };
    items.out.finish(newline)
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

/// `text` followed by spaces up to `width` characters. Not `{:<width$}`: std's formatting
/// panics on a width above 65,535, and a name can be longer than that.
pub(crate) fn padded(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(width.max(text.len()));
    out.push_str(text);
    let count = text.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(count)));
    out
}
