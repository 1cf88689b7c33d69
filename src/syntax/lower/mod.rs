//! pest pairs → AST: one function per grammar rule, children taken in a fixed order.
//!
//! A mismatch between the grammar and this file is reported as an internal
//! syntax error with the span, never as a panic.

mod conditions;
mod items;
mod tokens;

pub(super) use conditions::expr;
pub(super) use items::item;
use tokens::*;

use super::{Rule, MAX_EXPR_DEPTH, MAX_PREFIX_RUN};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Fact};
use pest::iterators::{Pair, Pairs};
use std::iter::Peekable;

type Result<T> = std::result::Result<T, Diagnostic>;

/// How an operator binds: prefix, infix (all left-associative) or postfix, and how tightly.
/// Levels, loosest first: `or`; `and`; `not`; comparisons and the postfix tests (`is missing`,
/// `between`, `has`, `within`, …); `+ -`; `* /`; unary `- +`.
#[derive(Clone, Copy)]
enum Fix {
    Prefix,
    Infix,
    Postfix,
}

fn binding(rule: Rule) -> Option<(Fix, u8)> {
    use Rule::*;
    Some(match rule {
        or_op => (Fix::Infix, 1),
        and_op => (Fix::Infix, 2),
        not_op => (Fix::Prefix, 3),
        eq | ne | lt | le | gt | ge => (Fix::Infix, 4),
        is_missing | is_present | is_word | between | in_list | has | contains | starts_with
        | ends_with | within_next | within | more_than_ago | word_test => (Fix::Postfix, 4),
        add | sub => (Fix::Infix, 5),
        mul | div => (Fix::Infix, 6),
        neg_op | pos_op => (Fix::Prefix, 7),
        _ => return None,
    })
}

thread_local! {
    /// Where the text being parsed starts in the whole file (a large file is parsed in parts).
    static OFFSET: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `f` with spans counted from `offset`.
pub(super) fn with_offset<T>(offset: usize, f: impl FnOnce() -> T) -> T {
    let before = OFFSET.with(|o| o.replace(offset));
    let result = f();
    OFFSET.with(|o| o.set(before));
    result
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let offset = OFFSET.with(|o| o.get());
    Span::new(offset + pair.as_span().start(), offset + end_of(pair))
}

/// Where a pair's last token ends. pest counts the white space and comments before
/// an absent optional part at the end of a rule (`holdout 5%` without `salt`) as part
/// of the rule; a span stops at its last token instead.
fn end_of(pair: &Pair<'_, Rule>) -> usize {
    let span = pair.as_span();
    let end = span.end();
    // Without a `#` in the pair, what follows its last token can only be white space (the
    // grammar's: ' ', '\t'..'\r' and the BOM). With one, it may be a comment: ask the children.
    let text = span.as_str();
    if memchr::memchr(b'#', text.as_bytes()).is_none() {
        let token_end =
            text.trim_end_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{feff}']);
        return span.start() + token_end.len();
    }
    match pair.clone().into_inner().next_back() {
        Some(last) if is_blank(&pair.get_input()[last.as_span().end()..end]) => end_of(&last),
        _ => end,
    }
}

/// Only white space and comments.
fn is_blank(mut text: &str) -> bool {
    loop {
        text = text.trim_start();
        match text.strip_prefix('#') {
            Some(comment) => text = comment.find('\n').map_or("", |i| &comment[i..]),
            None => return text.is_empty(),
        }
    }
}

fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SyntaxError,
        span,
        format!("internal error: the parser did not produce {what} here"),
    )
    .help("this is a bug in playbook; please report it with this file")
}

/// Keywords and punctuation: needed to parse, not to build the tree.
fn is_noise(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::comma
            | Rule::colon
            | Rule::assign
            | Rule::kw_playbook
            | Rule::kw_customer
            | Rule::kw_journey
            | Rule::kw_stage
            | Rule::kw_segment
            | Rule::kw_actions
            | Rule::kw_action
            | Rule::kw_policy
            | Rule::kw_rule
            | Rule::kw_when
            | Rule::kw_unless
            | Rule::kw_then
            | Rule::kw_priority
            | Rule::kw_holdout
            | Rule::kw_salt
            | Rule::kw_via
            | Rule::kw_test
            | Rule::kw_as
            | Rule::kw_of
            | Rule::kw_given
            | Rule::kw_expect
            | Rule::kw_no
            | Rule::kw_suppressed
            | Rule::kw_null
            | Rule::kw_text
            | Rule::kw_number
            | Rule::kw_bool
            | Rule::kw_date
            | Rule::kw_one
            | Rule::kw_list
            | Rule::kw_key
            | Rule::kw_from
            | Rule::kw_column
            | Rule::kw_format
            | Rule::kw_suppress
            | Rule::kw_max
            | Rule::kw_per
            | Rule::kw_decimal
            | Rule::kw_comma
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_in
            | Rule::kw_is
            | Rule::kw_reached
            | Rule::kw_missing
            | Rule::kw_present
            | Rule::kw_between
            | Rule::kw_has
            | Rule::kw_contains
            | Rule::kw_starts
            | Rule::kw_ends
            | Rule::kw_with
            | Rule::kw_within
            | Rule::kw_next
            | Rule::kw_more
            | Rule::kw_than
            | Rule::kw_ago
            | Rule::kw_anniversary
            | Rule::kw_days
            | Rule::kw_day
            | Rule::kw_weeks
            | Rule::kw_week
    )
}

/// A pair's children without keywords and punctuation.
type Meaningful<'i> = std::iter::Filter<Pairs<'i, Rule>, fn(&Pair<'i, Rule>) -> bool>;

/// The meaningful children of a pair, taken in order.
struct Children<'i> {
    inner: Peekable<Meaningful<'i>>,
    span: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Children<'i> {
        let span = span_of(&pair);
        let keep: fn(&Pair<'i, Rule>) -> bool = |p| !is_noise(p.as_rule());
        Children {
            inner: pair.into_inner().filter(keep).peekable(),
            span,
        }
    }

    fn next(&mut self, rule: Rule) -> Result<Pair<'i, Rule>> {
        match self.inner.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(internal(span_of(&p), &format!("{rule:?}"))),
            None => Err(internal(self.span, &format!("{rule:?}"))),
        }
    }

    fn any(&mut self) -> Result<Pair<'i, Rule>> {
        self.inner
            .next()
            .ok_or_else(|| internal(self.span, "a value"))
    }

    fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek() == Some(rule) {
            self.inner.next()
        } else {
            None
        }
    }

    fn peek(&mut self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }

    fn rest(self) -> impl Iterator<Item = Pair<'i, Rule>> {
        self.inner
    }
}

fn has_keyword(pair: &Pair<'_, Rule>, keyword: Rule) -> bool {
    pair.clone().into_inner().any(|p| p.as_rule() == keyword)
}
