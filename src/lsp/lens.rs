//! Counts as you write: code lenses above each stage, segment and rule with how many customers
//! of the sample export it holds. Counting runs `eval` over the export, so it runs on a worker
//! thread, on open, on save and when the sample export changes; the editor keeps typing.

use super::analysis::{self, Analysis, Lens, Symbol};
use super::document::Document;
use lsp_types::{CodeLens, Command};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};

/// A text to count, for a document.
pub struct Job {
    pub uri: String,
    pub text: String,
    pub export: PathBuf,
}

/// The counts of a document, or why there are none.
pub struct Done {
    pub uri: String,
    pub counts: Result<Vec<Lens>, String>,
}

/// Starts the worker: jobs in, counts out. Of several jobs for one document waiting, only
/// the last is counted.
pub fn worker() -> (Sender<Job>, Receiver<Done>) {
    let (jobs, inbox) = channel::<Job>();
    let (outbox, done) = channel::<Done>();
    std::thread::spawn(move || {
        while let Ok(first) = inbox.recv() {
            let mut latest: HashMap<String, Job> = HashMap::new();
            for job in std::iter::once(first).chain(inbox.try_iter()) {
                latest.insert(job.uri.clone(), job);
            }
            for (uri, job) in latest {
                let counts = catch_unwind(AssertUnwindSafe(|| {
                    analysis::counts(&job.text, &job.export)
                }))
                .unwrap_or_else(|_| Err("counting failed".to_string()));
                if outbox.send(Done { uri, counts }).is_err() {
                    return;
                }
            }
        }
    });
    (jobs, done)
}

/// A lens above each stage, segment and rule that has a count, placed by its name in the
/// current text (the counts may be of the text as last saved).
pub fn code_lenses(doc: &Document, analysis: &Analysis, lenses: &[Lens]) -> Vec<CodeLens> {
    let mut out = Vec::new();
    let mut visit = |s: &Symbol| {
        if let Some(lens) = lenses.iter().find(|l| l.kind == s.kind && l.name == s.name) {
            out.push(CodeLens {
                range: doc.range(s.name_span.clone()),
                // No command to run: the lens only shows the count.
                command: Some(Command::new(lens.title.clone(), String::new(), None)),
                data: None,
            });
        }
    };
    for symbol in &analysis.outline {
        visit(symbol);
        symbol.children.iter().for_each(&mut visit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use analysis::Kind;

    #[test]
    fn lenses_stand_on_the_names_they_count() {
        let text = "journey j {\n  stage a when x >= 1\n}\n\nrule r when customer in a then b\n";
        let doc = Document::new(text.to_string(), 1);
        let analysis = Analysis::new(text, None);
        let counts = [
            Lens {
                kind: Kind::Rule,
                name: "r".into(),
                title: "fired".into(),
            },
            Lens {
                kind: Kind::Stage,
                name: "a".into(),
                title: "in a".into(),
            },
            Lens {
                kind: Kind::Segment,
                name: "gone".into(),
                title: "stale".into(),
            },
        ];
        let lenses = code_lenses(&doc, &analysis, &counts);
        let placed: Vec<(u32, String)> = lenses
            .iter()
            .map(|l| {
                (
                    l.range.start.line,
                    l.command
                        .as_ref()
                        .map(|c| c.title.clone())
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(placed, [(1, "in a".to_string()), (4, "fired".to_string())]);
    }
}
