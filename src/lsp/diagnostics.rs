//! `playbook check`'s findings as LSP diagnostics: the same code and message; the help on a
//! line of its own after the message (as `check --format github` writes it), and also in
//! `data.help`; the other labelled places as related information.

use super::analysis::{Analysis, Finding};
use super::document::Document;
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, PublishDiagnosticsParams, Uri,
};

pub fn publish(uri: &str, doc: &Document, analysis: &Analysis) -> Option<PublishDiagnosticsParams> {
    let uri: Uri = uri.parse().ok()?;
    let diagnostics = analysis
        .findings
        .iter()
        .map(|f| diagnostic(&uri, doc, f))
        .collect();
    Some(PublishDiagnosticsParams::new(
        uri,
        diagnostics,
        Some(doc.version),
    ))
}

pub fn clear(uri: &str) -> serde_json::Value {
    serde_json::json!({ "uri": uri, "diagnostics": [] })
}

pub fn diagnostic(uri: &Uri, doc: &Document, f: &Finding) -> Diagnostic {
    let message = match &f.help {
        Some(help) => format!("{}\nhelp: {help}", f.message),
        None => f.message.clone(),
    };
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|(span, text)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), doc.range(span.clone())),
            message: text.clone(),
        })
        .collect();
    Diagnostic {
        range: doc.range(f.span.clone()),
        severity: Some(if f.error {
            DiagnosticSeverity::ERROR
        } else if f.note {
            DiagnosticSeverity::HINT
        } else {
            DiagnosticSeverity::WARNING
        }),
        tags: f.note.then(|| vec![DiagnosticTag::UNNECESSARY]),
        code: Some(NumberOrString::String(f.code.clone())),
        source: Some("playbook".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: Some(serde_json::json!({ "message": f.message, "help": f.help })),
        ..Diagnostic::default()
    }
}
