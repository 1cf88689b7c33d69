//! Source text → typed AST. The only module that sees pest's types.

mod error;
pub mod habits;
pub mod keywords;
mod lower;
pub mod thousands;

use crate::ast::{Item, Playbook, Span};
use crate::diagnostic::{Code, Diagnostic, Fact};
use pest::Parser;

pub use keywords::RESERVED;

/// The parser every playbook goes through. Its `Rule` enum stays inside this module.
mod fast {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/playbook.pest"]
    #[grammar = "../grammar/expr-fast.pest"]
    pub(super) struct PlaybookParser;
}

/// The same language, parsed trying every alternative: used only to describe a syntax error.
mod full {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/playbook.pest"]
    #[grammar = "../grammar/expr-full.pest"]
    pub(super) struct PlaybookParser;
}

use fast::{PlaybookParser, Rule};

/// The largest playbook file read, in bytes.
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;
/// The deepest nesting of `(`, `[` and `{`.
pub const MAX_NESTING: usize = 64;
/// The most `not` / `-` in a row before an operand.
pub const MAX_PREFIX_RUN: usize = 32;
/// The deepest expression tree (after `and`/`or` chains are flattened).
pub const MAX_EXPR_DEPTH: u32 = 128;
/// The most rules in one playbook.
pub const MAX_RULES: usize = 25_000;
/// The most diagnostics reported for one file; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 500;

/// The result of parsing: the items that parsed, and every syntax problem.
pub struct Parsed {
    pub playbook: Playbook,
    pub diagnostics: Vec<Diagnostic>,
    /// Items that did not parse and were skipped.
    pub skipped: Vec<Span>,
}

/// Parses raw bytes: checks encoding first.
pub fn parse_bytes(bytes: &[u8]) -> Result<Parsed, (String, Diagnostic)> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(parse(text)),
        Err(e) => {
            let at = e.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            // The lossy text keeps every valid byte before `at` in place.
            let diag = Diagnostic::new(
                Code::InvalidUtf8,
                Span::new(at, (at + 1).min(lossy.len())),
                format!("this file is not valid UTF-8 (byte {at})"),
            )
            .label("not UTF-8")
            .help("save the playbook as UTF-8 (in most editors: Save As → Encoding → UTF-8)");
            Err((lossy, diag))
        }
    }
}

/// Parses a playbook. Never panics; problems come back as diagnostics, in source order.
pub fn parse(source: &str) -> Parsed {
    if source.len() > MAX_SOURCE_BYTES {
        let diag = Diagnostic::new(
            Code::TooLarge,
            Span::new(0, 0),
            format!(
                "this playbook is {} bytes; the largest that is read is {} bytes",
                source.len(),
                MAX_SOURCE_BYTES
            ),
        )
        .help("split it into several playbook files");
        return Parsed {
            playbook: Playbook::default(),
            diagnostics: vec![diag],
            skipped: Vec::new(),
        };
    }
    if let Some(diag) = check_nesting(source) {
        return Parsed {
            playbook: Playbook::default(),
            diagnostics: vec![diag],
            skipped: Vec::new(),
        };
    }
    // A large file is parsed in two parts, split where an item starts, on two threads.
    let (mut items, mut diagnostics, mut skipped) = match split_point(source) {
        Some(at) => std::thread::scope(|scope| {
            let second = std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn_scoped(scope, || parse_part(source, at, source.len()));
            let (mut items, mut diagnostics, mut skipped) = parse_part(source, 0, at);
            match second.map(|h| h.join()) {
                Ok(Ok((i, d, k))) => {
                    items.extend(i);
                    diagnostics.extend(d);
                    skipped.extend(k);
                    (items, diagnostics, skipped)
                }
                // No second thread could be had: parse the rest here.
                _ => {
                    let (i, d, k) = parse_part(source, at, source.len());
                    items.extend(i);
                    diagnostics.extend(d);
                    skipped.extend(k);
                    (items, diagnostics, skipped)
                }
            }
        }),
        None => parse_part(source, 0, source.len()),
    };
    items.shrink_to_fit();
    // Too many rules: that alone is reported, and nothing is checked.
    let rules = items.iter().filter(|i| matches!(i, Item::Rule(_)));
    if let Some(first_extra) = rules.clone().nth(MAX_RULES) {
        let start = first_extra.span().start as usize;
        let rest = source.get(start..).unwrap_or("");
        let diag = Diagnostic::new(
            Code::TooLarge,
            Span::new(start, start + first_word_len(rest)),
            format!(
                "this playbook has {} rules; at most {MAX_RULES} are read",
                rules.count()
            ),
        )
        .label(format!("rule {} starts here", MAX_RULES + 1))
        .help("split it into several playbook files");
        return Parsed {
            playbook: Playbook::default(),
            diagnostics: vec![diag],
            skipped: Vec::new(),
        };
    }
    skipped.sort_by_key(|s| s.start);
    if diagnostics.len() > MAX_DIAGNOSTICS {
        diagnostics.truncate(MAX_DIAGNOSTICS);
    }
    diagnostics.sort_by_key(|d| d.span().start);
    let playbook = Playbook { items };
    habits::refine(source, &playbook, &mut diagnostics);
    Parsed {
        playbook,
        diagnostics,
        skipped,
    }
}

type Part = (Vec<crate::ast::Item>, Vec<Diagnostic>, Vec<Span>);

/// Parses `whole[start..end]`, a run of whole items; spans are counted in `whole`.
fn parse_part(whole: &str, start: usize, end: usize) -> Part {
    let offset = start;
    lower::with_offset(offset, || {
        let mut diagnostics = Vec::new();
        let mut items = Vec::new();
        let mut skipped = Vec::new();
        let source = &whole[start..end];
        match PlaybookParser::parse(Rule::file, source) {
            Ok(mut pairs) => {
                let file = pairs.next();
                // The item just before, when it may have stopped early: (start, lowered).
                let mut open_item: Option<(usize, bool)> = None;
                for pair in file.into_iter().flat_map(|f| f.into_inner()) {
                    match pair.as_rule() {
                        Rule::EOI => {}
                        Rule::bad_item => {
                            let span = pair.as_span();
                            // `segment s = a and d more than 90 dayz ago` parses as far as `d`:
                            // the rest is the tail of that item, so the two are re-parsed
                            // together, and the truncated item is not checked.
                            let start = match open_item.take() {
                                Some((start, lowered))
                                    if !starts_with_item_keyword(span.as_str()) =>
                                {
                                    if lowered {
                                        items.pop();
                                    }
                                    start
                                }
                                _ => span.start(),
                            };
                            skipped.push(Span::new(offset + start, offset + span.end()));
                            diagnostics.push(shift(reparse_bad_item(source, start, span), offset));
                        }
                        _ => {
                            let start = pair.as_span().start();
                            // Items in braces end at their `}`; the others may stop early.
                            let open = !pair.as_str().ends_with('}');
                            let span = pair.as_span();
                            let lowered = match lower::item(pair) {
                                Ok(item) => {
                                    items.push(item);
                                    true
                                }
                                // Not valid after all: the full parser says why.
                                Err(diag) if diag.fact == Fact::ReservedAsName => {
                                    skipped.push(Span::new(offset + start, offset + span.end()));
                                    diagnostics
                                        .push(shift(reparse_bad_item(source, start, span), offset));
                                    false
                                }
                                Err(diag) => {
                                    diagnostics.push(diag);
                                    false
                                }
                            };
                            open_item = open.then_some((start, lowered));
                        }
                    }
                }
            }
            Err(_) => diagnostics.push(shift(describe_error(source), offset)),
        }
        (items, diagnostics, skipped)
    })
}

/// Moves a diagnostic found in a part of the file to its place in the whole file.
fn shift(mut diag: Diagnostic, offset: usize) -> Diagnostic {
    for label in &mut diag.labels {
        label.span = Span::new(
            label.span.start as usize + offset,
            label.span.end as usize + offset,
        );
    }
    diag
}

/// Files larger than this are parsed in two parts.
const SPLIT_BYTES: usize = 256 * 1024;

/// Where a large file can be cut in two: the start of a line, near the middle, that begins
/// (in column 0) an item that cannot be the rest of the one before (`when` can follow
/// `rule NAME`, and `customer in …` can continue a condition, so neither is used).
fn split_point(source: &str) -> Option<usize> {
    if source.len() < SPLIT_BYTES {
        return None;
    }
    const STARTS: &[&str] = &[
        "rule ",
        "rule\"",
        "test ",
        "segment ",
        "journey ",
        "policy ",
        "policy{",
        "playbook ",
    ];
    let middle = source.len() / 2;
    let after = memchr::memchr_iter(b'\n', &source.as_bytes()[middle..]).map(|i| middle + i + 1);
    after
        .take(10_000)
        .find(|&at| STARTS.iter().any(|s| source[at..].starts_with(s)))
        .filter(|&at| at < source.len())
}

/// The keywords that start a top-level item (as `item_keyword` in the grammar).
const ITEM_KEYWORDS: &[&str] = &[
    "playbook", "customer", "journey", "segment", "actions", "policy", "rule", "when", "test",
];

fn starts_with_item_keyword(text: &str) -> bool {
    let word_end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    ITEM_KEYWORDS.contains(&&text[..word_end])
}

/// Parses the text from `start` to the end of a bad item (the item's own text,
/// or the item before it and its tail) on its own, for a precise message.
fn reparse_bad_item(source: &str, start: usize, span: pest::Span<'_>) -> Diagnostic {
    let text = &source[start..span.end()];
    match full::PlaybookParser::parse(full::Rule::single_item, text) {
        Err(e) => error::from_pest(source, start, e),
        // The item parses alone but not where it stands: describe it generally.
        Ok(_) => Diagnostic::new(
            Code::SyntaxError,
            Span::new(span.start(), span.start() + first_word_len(span.as_str())),
            "this item is not understood here",
        ),
    }
}

/// Describes why `source` does not parse, with the parser that tries every alternative, so the
/// message lists all that could have come.
fn describe_error(source: &str) -> Diagnostic {
    match full::PlaybookParser::parse(full::Rule::file, source) {
        Err(e) => error::from_pest(source, 0, e),
        Ok(_) => Diagnostic::new(
            Code::SyntaxError,
            Span::new(0, first_word_len(source)),
            "this is not understood here",
        ),
    }
}

fn first_word_len(text: &str) -> usize {
    text.find(char::is_whitespace)
        .unwrap_or(text.len())
        .max(1)
        .min(text.len())
}

/// Rejects nesting deeper than `MAX_NESTING` before pest sees it, so deep input
/// cannot exhaust the stack.
fn check_nesting(source: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (at, c) in source.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::new(
                            Code::TooDeep,
                            Span::new(at, at + 1),
                            format!("brackets are nested more than {MAX_NESTING} deep here"),
                        )
                        .label("too deep")
                        .help("split the condition into named segments"),
                    );
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
