//! Go to definition, find references, rename, the outline and folding ranges.

use super::analysis::{Analysis, Kind, Symbol};
use super::completion::written;
use super::document::Document;
use lsp_types::{
    DocumentSymbol, FoldingRange, Location, PrepareRenameResponse, SymbolKind, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;

fn location(uri: &str, doc: &Document, span: std::ops::Range<usize>) -> Option<Location> {
    let uri: Uri = uri.parse().ok()?;
    Some(Location::new(uri, doc.range(span)))
}

pub fn definition(
    uri: &str,
    doc: &Document,
    analysis: &Analysis,
    offset: usize,
) -> Option<Location> {
    let here = analysis.occurrence_at(offset)?;
    let def = analysis
        .same(here.kind, &here.name)
        .into_iter()
        .find(|o| o.is_def)?;
    location(uri, doc, def.span.clone())
}

pub fn references(
    uri: &str,
    doc: &Document,
    analysis: &Analysis,
    offset: usize,
    with_definition: bool,
) -> Vec<Location> {
    let Some(here) = analysis.occurrence_at(offset) else {
        return Vec::new();
    };
    analysis
        .same(here.kind, &here.name)
        .into_iter()
        .filter(|o| with_definition || !o.is_def)
        .filter_map(|o| location(uri, doc, o.span.clone()))
        .collect()
}

pub fn prepare_rename(
    doc: &Document,
    analysis: &Analysis,
    offset: usize,
) -> Option<PrepareRenameResponse> {
    let here = analysis.occurrence_at(offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.range(here.span.clone()),
        placeholder: here.name.clone(),
    })
}

/// Every occurrence of the name under the cursor renamed: definition, uses, `given` keys and
/// `expect` lines. The new name is quoted when it must be (or when the old one was).
pub fn rename(
    uri: &str,
    doc: &Document,
    analysis: &Analysis,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let here = analysis
        .occurrence_at(offset)
        .ok_or("there is no name to rename here")?;
    if new_name.is_empty() || new_name.contains(['\n', '\r']) {
        return Err("a name cannot be empty or span lines".to_string());
    }
    let clash = analysis.names(here.kind).contains(&new_name) && new_name != here.name;
    if clash {
        return Err(format!(
            "there is already a {} `{new_name}`",
            here.kind.noun()
        ));
    }
    let edits: Vec<TextEdit> = analysis
        .same(here.kind, &here.name)
        .into_iter()
        .map(|o| {
            let quoted = doc
                .text
                .get(o.span.clone())
                .is_some_and(|t| t.starts_with('"'));
            let text = match written(new_name) {
                plain if quoted && !plain.starts_with('"') => format!("\"{plain}\""),
                w => w,
            };
            TextEdit::new(doc.range(o.span.clone()), text)
        })
        .collect();
    let uri: Uri = uri
        .parse()
        .map_err(|_| "the document's address is not valid".to_string())?;
    Ok(WorkspaceEdit::new(HashMap::from([(uri, edits)])))
}

pub fn symbols(doc: &Document, analysis: &Analysis) -> Vec<DocumentSymbol> {
    analysis.outline.iter().map(|s| symbol(doc, s)).collect()
}

#[allow(deprecated)] // `deprecated` is a required field of the struct.
fn symbol(doc: &Document, s: &Symbol) -> DocumentSymbol {
    let range = doc.range(s.span.clone());
    // The selection must lie inside the range.
    let name_span = if s.span.start <= s.name_span.start && s.name_span.end <= s.span.end {
        s.name_span.clone()
    } else {
        s.span.clone()
    };
    DocumentSymbol {
        name: if s.name.is_empty() {
            "\"\"".to_string()
        } else {
            s.name.clone()
        },
        detail: s.detail.as_ref().map(|d| one_line(d)),
        kind: match s.kind {
            Kind::Field => SymbolKind::FIELD,
            Kind::Journey => SymbolKind::ENUM,
            Kind::Stage => SymbolKind::ENUM_MEMBER,
            Kind::Segment => SymbolKind::CLASS,
            Kind::Action => SymbolKind::FUNCTION,
            Kind::Rule => SymbolKind::METHOD,
            Kind::Test => SymbolKind::EVENT,
        },
        tags: None,
        deprecated: None,
        range,
        selection_range: doc.range(name_span),
        children: (!s.children.is_empty())
            .then(|| s.children.iter().map(|c| symbol(doc, c)).collect()),
    }
}

/// A condition over several lines, shown on one.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn folding(doc: &Document, analysis: &Analysis) -> Vec<FoldingRange> {
    analysis
        .blocks
        .iter()
        .map(|span| {
            let range = doc.range(span.clone());
            FoldingRange {
                start_line: range.start.line,
                end_line: range.end.line,
                ..FoldingRange::default()
            }
        })
        .filter(|f| f.end_line > f.start_line)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "journey j {\n  stage \"eerste keer\" when x >= 1\n  stage vast when x >= 9\n}\n\
        rule r when customer reached vast then a\n";

    fn edits(offset: usize, new_name: &str) -> Result<Vec<String>, String> {
        let doc = Document::new(TEXT.to_string(), 1);
        let analysis = Analysis::new(TEXT, None);
        let edit = rename("file:///p.playbook", &doc, &analysis, offset, new_name)?;
        Ok(edit
            .changes
            .iter()
            .flat_map(|c| c.values().flatten())
            .map(|e| e.new_text.clone())
            .collect())
    }

    #[test]
    fn renames_quote_where_they_must() {
        let vast = TEXT.find("vast").unwrap_or(0);
        assert_eq!(
            edits(vast, "vaste klant"),
            Ok(vec!["\"vaste klant\"".to_string(); 2])
        );
        assert_eq!(edits(vast, "trouw"), Ok(vec!["trouw".to_string(); 2]));
        // A quoted name stays quoted.
        let first = TEXT.find("eerste").unwrap_or(0);
        assert_eq!(edits(first, "nieuw"), Ok(vec!["\"nieuw\"".to_string()]));
        assert!(edits(vast, "eerste keer").is_err(), "a name already taken");
        assert!(edits(0, "x").is_err(), "no name at the cursor");
    }

    #[test]
    fn the_outline_nests_stages_in_their_journey() {
        let doc = Document::new(TEXT.to_string(), 1);
        let symbols = symbols(&doc, &Analysis::new(TEXT, None));
        let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["j", "r"]);
        let stages: Vec<String> = symbols[0]
            .children
            .iter()
            .flatten()
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(stages, ["eerste keer", "vast"]);
    }
}
