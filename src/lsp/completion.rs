//! Completion in context, read from the text before the cursor on its line: stage and segment
//! names after `customer in`, stages after `reached`, the words of a `one of` field after
//! `FIELD =`, actions after `then` and in `suppress [`, otherwise fields, keywords and
//! snippets of whole blocks.

use super::analysis::{Analysis, Kind};
use super::document::Document;
/// A name as it must be written: plain when it can be, else in quotes.
pub use crate::syntax::keywords::written;
use lsp_types::{CompletionItem, CompletionItemKind, InsertTextFormat};

pub fn complete(doc: &Document, analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let offset = offset.min(doc.text.len());
    let line_start = doc.text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &doc.text[line_start..offset];
    // The word being typed is the client's to filter by: the context is what stands before it.
    let before = line
        .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '"')
        .trim_end();
    let names = |kinds: &[Kind]| -> Vec<CompletionItem> {
        kinds
            .iter()
            .flat_map(|&k| {
                analysis
                    .names(k)
                    .into_iter()
                    .filter(move |n| !only_here(analysis, k, n, offset))
                    .map(move |n| name_item(k, n, analysis))
            })
            .collect()
    };
    if let Some(kinds) = after_words(before) {
        return names(kinds);
    }
    if let Some(words) = one_of_words(before, analysis) {
        return words;
    }
    if in_action_list(before) {
        return names(&[Kind::Action]);
    }
    let mut items = names(&[Kind::Field]);
    items.extend(keywords());
    items.extend(snippets());
    items
}

/// Whether the only place a name is written is the word being typed (not a name to offer).
fn only_here(analysis: &Analysis, kind: Kind, name: &str, offset: usize) -> bool {
    analysis
        .same(kind, name)
        .iter()
        .all(|o| o.span.start <= offset && offset <= o.span.end)
}

/// The kinds of name that follow the last words before the cursor.
fn after_words(before: &str) -> Option<&'static [Kind]> {
    const AFTER: &[(&str, &[Kind])] = &[
        ("customer in", &[Kind::Stage, Kind::Segment, Kind::Journey]),
        (
            "customer not in",
            &[Kind::Stage, Kind::Segment, Kind::Journey],
        ),
        ("reached", &[Kind::Stage]),
        ("expect stage", &[Kind::Stage]),
        ("expect no stage", &[Kind::Journey]),
        ("expect segment", &[Kind::Segment]),
        ("expect no segment", &[Kind::Segment]),
        ("expect action", &[Kind::Action]),
        ("expect no action", &[Kind::Action]),
        ("expect holdout", &[Kind::Action]),
        ("via", &[Kind::Field]),
        ("then", &[Kind::Action]),
    ];
    let words: Vec<&str> = before.split_whitespace().collect();
    AFTER.iter().find_map(|(phrase, kinds)| {
        let phrase: Vec<&str> = phrase.split(' ').collect();
        words.ends_with(&phrase).then_some(*kinds)
    })
}

/// After `FIELD =`, `FIELD !=`, `FIELD is` or `FIELD is not` of a `one of` field: its words.
fn one_of_words(before: &str, analysis: &Analysis) -> Option<Vec<CompletionItem>> {
    let mut rest = before;
    for op in ["is not", "is", "!=", "="] {
        if let Some(r) = rest.strip_suffix(op) {
            rest = r.trim_end();
            break;
        }
    }
    if rest.len() == before.len() {
        return None;
    }
    let field = rest
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    let facts = analysis.fields.iter().find(|f| f.name == field)?;
    if facts.words.is_empty() {
        return None;
    }
    Some(
        facts
            .words
            .iter()
            .map(|w| CompletionItem {
                label: w.clone(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(format!("a word of `{field}`")),
                ..CompletionItem::default()
            })
            .collect(),
    )
}

/// In the list after `then` (`then a, `) or in `suppress [a, `.
fn in_action_list(before: &str) -> bool {
    let trimmed = before.trim_end();
    if let Some(open) = trimmed.rfind("suppress [") {
        return !trimmed[open..].contains(']');
    }
    trimmed.ends_with(',') && before.split_whitespace().any(|w| w == "then")
}

fn name_item(kind: Kind, name: &str, analysis: &Analysis) -> CompletionItem {
    let detail = match kind {
        Kind::Field => analysis
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.ty.clone()),
        _ => Some(kind.noun().to_string()),
    };
    CompletionItem {
        label: name.to_string(),
        kind: Some(match kind {
            Kind::Field => CompletionItemKind::FIELD,
            Kind::Stage | Kind::Journey => CompletionItemKind::ENUM,
            Kind::Segment => CompletionItemKind::CLASS,
            Kind::Action => CompletionItemKind::FUNCTION,
            Kind::Rule | Kind::Test => CompletionItemKind::REFERENCE,
        }),
        detail,
        insert_text: Some(written(name)),
        ..CompletionItem::default()
    }
}

fn keywords() -> impl Iterator<Item = CompletionItem> {
    super::hover::KEYWORDS
        .iter()
        .map(|(k, reminder)| CompletionItem {
            label: k.to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            detail: Some(reminder.to_string()),
            ..CompletionItem::default()
        })
}

/// Whole blocks, with tab stops.
const SNIPPETS: &[(&str, &str)] = &[
    (
        "rule",
        "rule \"${1:name}\"\n  when ${2:condition}\n  then ${3:action}",
    ),
    (
        "journey",
        "journey ${1:name} {\n  stage ${2:first} when ${3:condition}\n}",
    ),
    ("segment", "segment ${1:name} = ${2:condition}"),
    ("policy", "policy {\n  max ${1:3} actions per customer\n}"),
    (
        "test",
        "test \"${1:name}\" {\n  given { ${2:field}: ${3:value} }\n  expect action ${4:action}\n}",
    ),
];

fn snippets() -> impl Iterator<Item = CompletionItem> {
    SNIPPETS.iter().map(|(label, body)| CompletionItem {
        label: format!("{label} block"),
        kind: Some(CompletionItemKind::SNIPPET),
        filter_text: Some(label.to_string()),
        insert_text: Some(body.to_string()),
        insert_text_format: Some(InsertTextFormat::SNIPPET),
        ..CompletionItem::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "customer {\n  tier one of gold, silver\n}\n\
        journey j {\n  stage new when tier = gold\n}\n\
        segment vip = tier = gold\nactions welcome, thanks\n";

    fn labels(line: &str) -> Vec<String> {
        let text = format!("{TEXT}{line}");
        let doc = Document::new(text.clone(), 0);
        let analysis = Analysis::new(&text, None);
        complete(&doc, &analysis, text.len())
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn completes_by_context() {
        assert_eq!(labels("rule r when customer in "), ["new", "vip", "j"]);
        assert_eq!(labels("rule r when customer reached n"), ["new"]);
        assert_eq!(labels("rule r when tier = "), ["gold", "silver"]);
        assert_eq!(labels("rule r when tier is not s"), ["gold", "silver"]);
        assert_eq!(labels("rule r when x then "), ["welcome", "thanks"]);
        assert_eq!(
            labels("rule r when x then welcome, th"),
            ["welcome", "thanks"]
        );
        assert_eq!(
            labels("policy {\n  suppress [welcome, "),
            ["welcome", "thanks"]
        );
        let anywhere = labels("rule r when ");
        assert!(anywhere.contains(&"tier".to_string()));
        assert!(anywhere.contains(&"reached".to_string()));
        assert!(anywhere.contains(&"journey block".to_string()));
    }

    #[test]
    fn names_are_quoted_when_they_must_be() {
        assert_eq!(written("vip"), "vip");
        assert_eq!(written("vaste klant"), "\"vaste klant\"");
        assert_eq!(written("stage"), "\"stage\"");
        assert_eq!(written("oriëntatie"), "oriëntatie");
    }
}
