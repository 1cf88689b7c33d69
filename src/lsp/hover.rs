//! Hover: what a name is (from the analysis), or a one-line reminder of a keyword.

use super::analysis::Analysis;
use super::document::Document;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

pub fn hover(doc: &Document, analysis: &Analysis, offset: usize) -> Option<Hover> {
    let (text, span) = match analysis.occurrence_at(offset) {
        Some(o) => (analysis.about(o.kind, &o.name)?.to_string(), o.span.clone()),
        None => {
            let span = word_at(&doc.text, offset)?;
            let reminder = keyword(doc.text.get(span.clone())?)?;
            (reminder.to_string(), span)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(span)),
    })
}

/// The word (letters, digits, `_`) around a byte offset.
pub fn word_at(text: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then_some(start..end)
}

/// A one-line reminder of a keyword (docs/language.md has the whole story).
pub fn keyword(word: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|(k, _)| *k == word).map(|(_, r)| *r)
}

/// Each keyword with its reminder, after docs/language.md.
pub const KEYWORDS: &[(&str, &str)] = &[
    ("playbook", "`playbook \"Title\"`: the playbook's title (§2)"),
    ("customer", "`customer { … }`: the fields of a customer (§5); in a condition, `customer in X` / `customer reached S`"),
    ("key", "`key`: the field that identifies a customer (§5)"),
    ("from", "`from \"Column\"`: the export column a field reads (§5); `journey J from column C` (§6)"),
    ("format", "`format \"…\"`: how a date column is written (§5)"),
    ("journey", "`journey NAME { stage … }`: ordered stages; a customer is in the last stage whose condition holds (§6)"),
    ("stage", "`stage NAME when CONDITION`: a step of a journey (§6)"),
    ("segment", "`segment NAME = CONDITION`: a named group of customers (§9)"),
    ("actions", "`actions a, b, c`: the actions rules may give; any other is an error (§10)"),
    ("policy", "`policy { suppress … / max N actions per customer / holdout P% }` (§12)"),
    ("suppress", "`suppress [a, b] when CONDITION`: give these actions (or none) to such customers (§12)"),
    ("max", "`max N actions per customer`: the highest-priority actions are kept (§12)"),
    ("holdout", "`holdout P% salt \"S\"`: a random share of customers gets nothing, to measure effect (§12)"),
    ("rule", "`rule NAME when … then …`: gives actions to the customers a condition holds for (§11)"),
    ("when", "`when CONDITION`: when a rule or stage applies (§11)"),
    ("then", "`then ACTION [\"argument\"] [via FIELD], …`: the actions a rule gives (§11)"),
    ("unless", "`unless CONDITION`: a rule does not apply when this holds (§11)"),
    ("priority", "`priority N`: higher first when `max` keeps only some actions (§11)"),
    ("via", "`via FIELD`: the channel an action is sent through (§10)"),
    ("test", "`test \"NAME\" [as of DATE] { given { … } expect … }`: an example customer and what must happen (§13)"),
    ("given", "`given { field: value, … }`: the test customer's values (§13)"),
    ("expect", "`expect stage S / action A / no action A / segment G / suppressed …` (§13)"),
    ("in", "`customer in X`: in the stage, segment or journey X; `F in [a, b]`: one of these values (§7)"),
    ("reached", "`customer reached S`: in stage S or a later one of its journey (§7)"),
    ("between", "`F between LOW and HIGH`: both ends included (§7)"),
    ("has", "`LIST has \"x\"`: the list field holds x (§7)"),
    ("contains", "`F contains \"x\"`: case is ignored (§7)"),
    ("starts", "`F starts with \"x\"`: case is ignored (§7)"),
    ("ends", "`F ends with \"x\"`: case is ignored (§7)"),
    ("within", "`D within N days` (past) / `within next N days` (future), from today (§7)"),
    ("more", "`D more than N days ago` (§7)"),
    ("anniversary", "`anniversary of D within next N days`: a birthday and the like (§7)"),
    ("missing", "`F is missing`: no value in the export (§8)"),
    ("present", "`F is present`: a value in the export (§8)"),
    ("is", "`F is WORD`, `F is missing`, `F is not …` (§7)"),
    ("not", "`not C`: the condition does not hold (unknown stays unknown, §8)"),
    ("and", "`A and B`: both hold; binds tighter than `or` (§7)"),
    ("or", "`A or B`: either holds (§7)"),
    ("days_since", "`days_since(D)`: whole days from D to today (§7)"),
    ("days_until", "`days_until(D)`: whole days from today to D (§7)"),
    ("decimal", "`decimal comma`: the export writes numbers as `12,5` (§12)"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_around_the_cursor() {
        let text = "rule oriëntatie when";
        assert_eq!(word_at(text, 7), Some(5..16));
        assert_eq!(word_at(text, 16), Some(5..16));
        assert_eq!(word_at(text, 4), Some(0..4));
        assert_eq!(word_at("  ", 1), None);
        assert!(keyword("reached").is_some());
    }
}
