//! Diagnostics as one SARIF 2.1.0 log (`--diagnostics sarif`), the format code-scanning
//! services read: every file's problems gathered, then written once at the end of the run.

use super::SourceFile;
use crate::diagnostic::{Code, Diagnostic, Severity};
use serde_json::{json, Value};

/// The problems of a whole run, in the order they were found.
#[derive(Default)]
pub struct Sarif {
    results: Vec<(Code, Value)>,
}

impl Sarif {
    pub fn new() -> Sarif {
        Sarif::default()
    }

    /// Adds one problem of a file.
    pub fn add(&mut self, diag: &Diagnostic, file: &SourceFile) {
        let span = diag.span();
        let (start_line, start_column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        let mut text = diag.message.clone();
        if let Some(help) = &diag.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        let result = json!({
            "ruleId": diag.code.to_string(),
            "level": level(diag.severity),
            "message": { "text": text },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&file.name) },
                    "region": {
                        "startLine": start_line,
                        "startColumn": start_column,
                        "endLine": end_line,
                        "endColumn": end_column,
                    },
                },
            }],
        });
        self.results.push((diag.code, result));
    }

    /// The log: one run of the tool `playbook`, with a rule for each code that occurs (in the
    /// order of the code table), each result pointing at its rule by index.
    pub fn finish(self) -> String {
        let mut codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| self.results.iter().any(|(r, _)| r == c))
            .collect();
        codes.dedup();
        let rules: Vec<Value> = codes.iter().map(|c| rule(*c)).collect();
        let results: Vec<Value> = self
            .results
            .into_iter()
            .map(|(code, mut result)| {
                let index = codes.iter().position(|c| *c == code).unwrap_or_default();
                result["ruleIndex"] = json!(index);
                result
            })
            .collect();
        let log = json!({
            "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "playbook",
                        "version": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    },
                },
                // Columns count characters, as in every other format (`é` is one column).
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A code as a SARIF rule: one sentence, its default level, and where it is
/// explained. The docs live in the repository, not at an address of their own, and SARIF's
/// `helpUri` must be absolute: so the link is in the rule's help, and under `properties.docs`
/// as the JSON format's `docs` key has it.
fn rule(code: Code) -> Value {
    let docs = code.docs_link();
    json!({
        "id": code.to_string(),
        "shortDescription": { "text": code.summary() },
        "help": {
            "text": format!("{} See {docs}.", code.summary()),
            "markdown": format!("{} See [{code}]({docs}).", code.summary()),
        },
        "defaultConfiguration": { "level": level(code.severity()) },
        "properties": { "docs": docs },
    })
}

/// A file's path as a relative URI reference: `/` between folders, no leading `./`, and every
/// byte outside the unreserved characters percent-encoded (a space is `%20`). An absolute
/// path becomes a `file://` URI.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    let mut out = String::with_capacity(rest.len());
    if rest.starts_with('/') {
        out.push_str("file://");
    }
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Span;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri("./playbooks/a.playbook"), "playbooks/a.playbook");
        assert_eq!(uri("mijn regels.playbook"), "mijn%20regels.playbook");
        assert_eq!(uri("c\u{e9}.playbook"), "c%C3%A9.playbook");
        assert_eq!(uri("a\\b.playbook"), "a/b.playbook");
        assert_eq!(uri("/tmp/a#1.playbook"), "file:///tmp/a%231.playbook");
    }

    #[test]
    fn one_rule_per_code_and_results_point_at_it() {
        let file = SourceFile::new("a.playbook", "segment x = orders > 1\n");
        let mut sarif = Sarif::new();
        let unused = Diagnostic::new(Code::UnusedSegment, Span::new(8, 9), "unused");
        let field = Diagnostic::new(Code::UnknownField, Span::new(12, 18), "no such field");
        sarif.add(&unused, &file);
        sarif.add(&field, &file);
        sarif.add(&unused, &file);
        let log: Value = serde_json::from_str(&sarif.finish()).expect("JSON");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        // In the order of the code table: unknown-field before unused-segment.
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["id"], "playbook::unknown-field");
        assert_eq!(rules[1]["id"], "playbook::unused-segment");
        let indices: Vec<_> = run["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["ruleIndex"].as_u64())
            .collect();
        assert_eq!(indices, [Some(1), Some(0), Some(1)]);
        assert_eq!(run["results"][1]["level"], "error");
        let region = &run["results"][1]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startColumn"].as_u64(), region["endColumn"].as_u64()),
            (Some(13), Some(19))
        );
    }
}
