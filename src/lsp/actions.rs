//! Formatting (`playbook fmt`) and quick fixes: each `did you mean` applied, and an unknown
//! action added to the `actions` list.

use super::analysis::{self, Analysis, Finding};
use super::completion::written;
use super::diagnostics::diagnostic;
use super::document::Document;
use lsp_types::{CodeAction, CodeActionKind, Range, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// The whole text in its canonical layout; `None` (nothing to do) when it does not parse:
/// its syntax errors are already shown as diagnostics.
pub fn format(doc: &Document) -> Option<Vec<TextEdit>> {
    let formatted = analysis::format(&doc.text)?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(doc.range(0..doc.text.len()), formatted)])
}

pub fn code_actions(
    uri: &str,
    doc: &Document,
    analysis: &Analysis,
    range: Range,
) -> Vec<CodeAction> {
    let Ok(uri) = uri.parse::<Uri>() else {
        return Vec::new();
    };
    let (from, to) = (doc.offset(range.start), doc.offset(range.end));
    let mut out = Vec::new();
    for f in analysis
        .findings
        .iter()
        .filter(|f| f.span.start <= to && from <= f.span.end)
    {
        if let Some(edit) = suggestion_edit(doc, f) {
            let title = format!("Change to `{}`", f.suggestion.as_deref().unwrap_or(""));
            out.push(fix(&uri, doc, f, title, edit, true));
        }
        if let (Some(action), Some(end)) = (&f.unknown_action, analysis.actions_end) {
            let edit = TextEdit::new(doc.range(end..end), format!(", {}", written(action)));
            let title = format!("Add `{action}` to the actions list");
            // Preferred only when there is no suggestion: the typo is the likelier mistake.
            let preferred = f.suggestion.is_none();
            out.push(fix(&uri, doc, f, title, edit, preferred));
        }
    }
    out
}

/// The name under the finding replaced by the suggested one (quoted where the old one was).
fn suggestion_edit(doc: &Document, f: &Finding) -> Option<TextEdit> {
    let suggested = f.suggestion.as_deref()?;
    let old = doc.text.get(f.span.clone())?;
    // Only a name is replaced: a span over several words is a place, not a name.
    if old.is_empty() || (!old.starts_with('"') && old.contains(char::is_whitespace)) {
        return None;
    }
    let new = match written(suggested) {
        plain if old.starts_with('"') && !plain.starts_with('"') => format!("\"{plain}\""),
        w => w,
    };
    Some(TextEdit::new(doc.range(f.span.clone()), new))
}

fn fix(
    uri: &Uri,
    doc: &Document,
    f: &Finding,
    title: String,
    edit: TextEdit,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(uri, doc, f)]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(
            uri.clone(),
            vec![edit],
        )]))),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Position;

    #[test]
    fn fixes_replace_the_name_and_extend_the_actions_list() {
        let text = "customer {\n  klanttype text\n}\nactions welkom\n\
            rule r when klanttyp = \"x\" then welkm\n";
        let doc = Document::new(text.to_string(), 1);
        let analysis = Analysis::new(text, None);
        let everything = Range::new(Position::new(0, 0), Position::new(9, 0));
        let fixes = code_actions("file:///p.playbook", &doc, &analysis, everything);
        let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Change to `klanttype`",
                "Change to `welkom`",
                "Add `welkm` to the actions list"
            ]
        );
        let new_texts: Vec<String> = fixes
            .iter()
            .flat_map(|f| f.edit.iter().flat_map(|e| e.changes.iter().flatten()))
            .flat_map(|(_, edits)| edits.iter().map(|e| e.new_text.clone()))
            .collect();
        assert_eq!(new_texts, ["klanttype", "welkom", ", welkm"]);
    }
}
