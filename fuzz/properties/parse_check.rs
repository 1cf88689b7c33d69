//! Arbitrary bytes → parse → check → render every diagnostic; a checked model is also
//! compiled against its own columns. Nothing here may panic, whatever the input.

use playbook::check::{check, check_parsed, SchemaSource};
use playbook::render::{render, Format, SourceFile};
use playbook::syntax::parse_bytes;

/// Renders diagnostics in every format: the first 20 and the last (rendering hundreds of
/// them per input would only slow the fuzzer down; they are all made the same way).
fn show(diagnostics: &[playbook::diagnostic::Diagnostic], file: &SourceFile) {
    let last = diagnostics.len().saturating_sub(1);
    for (i, d) in diagnostics.iter().enumerate() {
        if i >= 20 && i != last {
            continue;
        }
        for format in [Format::Human, Format::Json, Format::Github] {
            std::hint::black_box(render(d, file, format, false));
        }
    }
}

/// The property, for one input: panics when it does not hold.
pub fn holds(data: &[u8]) {
    match parse_bytes(data) {
        Err((lossy, diagnostic)) => {
            let file = SourceFile::new("fuzz.playbook", lossy);
            show(&[diagnostic], &file);
        }
        Ok(parsed) => {
            let Ok(text) = std::str::from_utf8(data) else {
                panic!("parse_bytes accepted bytes that are not UTF-8");
            };
            let file = SourceFile::new("fuzz.playbook", text);
            // What `playbook check` reports.
            show(&check_parsed(&parsed, text), &file);
            if !parsed.diagnostics.is_empty() {
                return;
            }
            // What `eval` and `test` check before running.
            for schema in [SchemaSource::File, SchemaSource::FromTests] {
                let checked = check(&parsed.playbook, text, schema);
                show(&checked.diagnostics, &file);
                if let Some(model) = checked.model {
                    let columns: Vec<String> =
                        model.fields.iter().map(|f| f.column.clone()).collect();
                    if let Err(problems) = playbook::eval::compile(&model, &columns) {
                        show(&problems, &file);
                    }
                    // And against an export that lacks every column.
                    if let Err(problems) = playbook::eval::compile(&model, &[]) {
                        show(&problems, &file);
                    }
                }
            }
        }
    }
}
