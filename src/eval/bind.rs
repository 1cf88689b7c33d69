//! A lowered [`Program`] + an export's header → a [`Binding`]: which column each slot reads.
//!
//! Column problems (a required field's column absent, no key column) are
//! reported here, before any row is read, as playbook diagnostics.

use super::program::{JourneySource, Program};
use crate::ast::Span;
use crate::check::model::Model;
use crate::diagnostic::{suggestion_help, Code, Diagnostic};
use crate::row::{Binding, SlotKind};

/// Finds a column by its header: exactly, else ignoring surrounding spaces.
fn find_column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.trim() == name.trim()))
}

fn missing_column(header: &[String], name: &str, span: Span, what: &str) -> Diagnostic {
    let known: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut diag = Diagnostic::new(
        Code::MissingColumn,
        span,
        format!("the export has no column `{name}` ({what})"),
    )
    .label("column not in the export");
    diag = match suggestion_help(name, "column", &known) {
        Some(help) => diag.help(format!(
            "{help} (map a field to another column with `from \"Column\"`)"
        )),
        None => diag.help(format!(
            "the export's columns are: {}",
            known
                .iter()
                .take(30)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    diag
}

/// Optional fields whose column is absent while the header has one that differs from it only
/// by case, zero-width or NUL characters, or accents written apart (NFD `cafe\u{301}` against
/// NFC `café`). Such a field is missing for every customer, which is rarely what was meant.
pub fn near_columns(model: &Model, header: &[String]) -> Vec<Diagnostic> {
    let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
    let mut out = Vec::new();
    for field in model.fields.iter().filter(|f| f.optional) {
        if find_column(header, &field.column).is_some() {
            continue;
        }
        let want = fold(&field.column);
        let Some(at) = folded.iter().position(|f| *f == want) else {
            continue;
        };
        let found = header[at].escape_debug().to_string();
        out.push(
            Diagnostic::new(
                Code::NearColumn,
                field.span,
                format!(
                    "the export has no column `{}`, but has `{found}`: as written, the optional field `{}` is missing for every customer",
                    field.column.escape_debug(),
                    field.name
                ),
            )
            .label("no column with exactly this name")
            .help(format!(
                "did you mean `{found}`? They differ only in case, invisible characters or how accents are written; write `from \"{found}\"` or rename the column"
            )),
        );
    }
    out
}

/// Optional fields whose column a complete header (a CSV's or a sheet's, not a JSON record's
/// keys) lacks, with no near one either: as written, the field is missing for every customer
/// (language.md §11 "Columns"), which is worth a word: a renamed CRM column or a misspelt
/// `from "…"` would otherwise switch rules off without a sound.
pub fn absent_columns(model: &Model, header: &[String]) -> Vec<Diagnostic> {
    let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
    let known: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for field in model.fields.iter().filter(|f| f.optional) {
        if find_column(header, &field.column).is_some() || folded.contains(&fold(&field.column)) {
            continue;
        }
        let help = match suggestion_help(&field.column, "column", &known) {
            Some(help) => format!("{help} (map the field to it with `from \"Column\"`)"),
            None => format!(
                "if this export has the values under another name, write `from \"Column\"`; its columns are: {}",
                known
                    .iter()
                    .take(12)
                    .map(|k| format!("`{}`", k.escape_debug()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(
            Diagnostic::new(
                Code::AbsentColumn,
                field.span,
                format!(
                    "the export has no column `{}`: as written, the optional field `{}` is missing for every customer",
                    field.column.escape_debug(),
                    field.name
                ),
            )
            .label("no such column in the export")
            .help(help),
        );
    }
    out
}

/// A name as people read it: lower case, without zero-width or NUL characters, accents
/// neither composed nor apart (only the Latin-1 letters are decomposed: no normalisation
/// tables are at hand).
fn fold(name: &str) -> String {
    name.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !matches!(c, '\0' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{300}'..='\u{36f}'))
        .map(base_letter)
        .collect()
}

/// The letter under a Latin-1 accented lower-case letter (`é` → `e`).
fn base_letter(c: char) -> char {
    match c {
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => c,
    }
}

/// Binds a program's slots to the columns of an export with this header.
pub fn bind(program: &Program, header: &[String]) -> Result<Binding, Vec<Diagnostic>> {
    let model = &program.model;
    let mut problems = Vec::new();
    let columns: Vec<Option<usize>> = program
        .slots
        .iter()
        .map(|slot| find_column(header, &slot.column))
        .collect();
    for (field, column) in model.fields.iter().zip(&columns) {
        if column.is_none() && !field.optional {
            problems.push(missing_column(
                header,
                &field.column,
                field.span,
                &format!("needed by the field `{}`", field.name),
            ));
        }
    }
    let (key_column, key_name) = match model.key_field {
        Some(k) => (columns[k], model.fields[k].column.clone()),
        None => match find_column(header, "id") {
            Some(c) => (Some(c), "id".to_string()),
            None => (
                find_column(header, "customer_id"),
                "customer_id".to_string(),
            ),
        },
    };
    let key_column = match key_column {
        Some(c) => c,
        None => {
            if model.key_field.is_none() {
                let mut diag = Diagnostic::new(
                    Code::MissingColumn,
                    Span::default(),
                    "the export has no customer id column: without a `key` field the key is the column `id`, else `customer_id`",
                );
                diag = diag.help("mark the field that identifies customers with `key` in the `customer { … }` block, e.g. `klantnummer text key`");
                problems.push(diag);
            }
            0
        }
    };
    for (journey, def) in program.journeys.iter().zip(&model.journeys) {
        if let JourneySource::Slot(s) = journey.source {
            let slot = &program.slots[s as usize];
            if columns[s as usize].is_none() {
                problems.push(missing_column(
                    header,
                    &slot.column,
                    def.span,
                    &format!("the stage of the journey `{}`", journey.name),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let key_slot = (program.slots.iter().zip(&columns))
        .position(|(s, c)| *c == Some(key_column) && matches!(s.kind, SlotKind::Text));
    Ok(Binding {
        slots: program.slots.clone(),
        columns,
        key_column,
        key_slot,
        key_name,
    })
}
