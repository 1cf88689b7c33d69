//! `playbook sql`: a checked playbook compiled to one SQL query.
//!
//! The model is lowered to a [`Program`](crate::eval::Program) (no header needed) whose slots are then bound to
//! the columns the script reads: the export's own header when it is known when compiling,
//! else the columns the model names. The program's resolved conditions are written as SQL
//! (see `expr`), spelled for one engine by a [`Dialect`](crate::sql::dialect::Dialect).

mod cells;
pub mod dialect;
mod expr;
mod script;
mod tail;

use crate::check::model::Model;
use crate::diagnostic::Diagnostic;
use crate::eval::program::Program;
use crate::row::Binding;
use dialect::Dialect;
use script::script;

/// Where the customers come from.
pub enum Source<'a> {
    /// An existing table with the export's columns (typed by the engine);
    /// `key`: its id column when the playbook has no `key` field (default `id`).
    Table { name: &'a str, key: Option<&'a str> },
    /// A CSV export, read as text and validated cell by cell; decisions written to `output`.
    Csv {
        input: &'a str,
        output: &'a str,
        delimiter: char,
        /// The export's header, for dialects that load every column of the file.
        file_columns: Option<&'a [String]>,
    },
}

/// The columns a script reads, and where each slot and the key read from.
struct Columns {
    /// Column names; a slot's column and the key are positions here (`pb_tN` numbers them).
    names: Vec<String>,
    binding: Binding,
}

/// The columns a script reads when the export's header is not known when compiling: every
/// column the program's slots name (once), and without a `key` field the columns the key may
/// be read from. Bound as `eval` binds a header: a slot reads the column of its name.
fn named_columns(
    program: &Program,
    model: &Model,
    keys: &[&str],
) -> Result<Columns, Vec<Diagnostic>> {
    let mut names: Vec<String> = Vec::new();
    for slot in &program.slots {
        if !names.contains(&slot.column) {
            names.push(slot.column.clone());
        }
    }
    if model.key_field.is_none() {
        for k in keys {
            if !names.iter().any(|h| h == k) {
                names.push(k.to_string());
            }
        }
    }
    let binding = crate::eval::bind(program, &names)?;
    Ok(Columns { names, binding })
}

/// What a script that reads the export's header when it runs must check
/// there (see [`dialect::Script::header_at_run_time`]).
struct RunTimeHeader {
    /// Each column the export must have, and what needs it (`eval`'s words).
    required: Vec<(String, String)>,
    /// Columns the export may lack: read as missing.
    may_lack: Vec<String>,
    /// Without a `key` field: `id`, else `customer_id`.
    key_from: Vec<String>,
}

impl RunTimeHeader {
    /// What the export's header must hold; without a `key` field, the key is
    /// chosen when the script runs, and `cols` gets a column of its own for it.
    fn new(model: &Model, cols: &mut Columns) -> Self {
        let key_from: Vec<String> = match model.key_field {
            Some(_) => Vec::new(),
            None => vec!["id".to_string(), "customer_id".to_string()],
        };
        if !key_from.is_empty() {
            // The key is chosen when the script runs: a column of its own.
            cols.names.push(dialect::KEY_COLUMN.to_string());
            cols.binding.key_column = cols.names.len() - 1;
        }
        let mut required = Vec::new();
        let mut may_lack = Vec::new();
        for f in &model.fields {
            if f.optional {
                may_lack.push(f.column.clone());
            } else {
                required.push((
                    f.column.clone(),
                    format!("needed by the field `{}`", f.name),
                ));
            }
        }
        for j in &model.journeys {
            if let Some(c) = &j.column {
                required.push((c.clone(), format!("the stage of the journey `{}`", j.name)));
            }
        }
        may_lack.extend(key_from.iter().cloned());
        may_lack.retain(|c| !required.iter().any(|(r, _)| r == c));
        let mut seen = Vec::new();
        may_lack.retain(|c| {
            let new = !seen.contains(c);
            seen.push(c.clone());
            new
        });
        RunTimeHeader {
            required,
            may_lack,
            key_from,
        }
    }
}

/// Compiles a checked model to SQL for one engine. Err(message): the
/// engine cannot run this shape (a usage error, not a playbook problem).
pub fn compile(
    model: &Model,
    as_of: i32,
    source: &Source<'_>,
    dialect: &dyn Dialect,
) -> Result<Result<String, String>, Vec<Diagnostic>> {
    let at_run_time = matches!(source, Source::Csv { .. })
        && dialect
            .script_shape()
            .is_some_and(|s| s.header_at_run_time());
    let program = crate::eval::lower(model);
    let mut cols = match source {
        // The export's header read when compiling: column problems are
        // `eval`'s own diagnostics, and the key is chosen as `eval` does.
        Source::Csv {
            file_columns: Some(columns),
            ..
        } => {
            let names: Vec<String> = columns
                .iter()
                .map(|c| c.strip_prefix('\u{feff}').unwrap_or(c).to_string())
                .collect();
            let binding = crate::eval::bind(&program, &names)?;
            Columns { names, binding }
        }
        Source::Csv { .. } if at_run_time => {
            named_columns(&program, model, &["id", "customer_id"])?
        }
        Source::Table { key, .. } => named_columns(&program, model, &[key.unwrap_or("id")])?,
        Source::Csv { .. } => named_columns(&program, model, &["id"])?,
    };
    // A table's id column named by --key is the key, even where a field is named `id`.
    if let (Source::Table { key: Some(k), .. }, None) = (source, model.key_field) {
        if let Some(i) = cols.names.iter().position(|h| h == k) {
            cols.binding.key_column = i;
        }
    }
    let run_time = at_run_time.then(|| RunTimeHeader::new(model, &mut cols));
    Ok(script(
        &program,
        &cols,
        as_of,
        source,
        dialect,
        run_time.as_ref(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, SchemaSource};
    use crate::syntax::parse;

    fn sql(source: &str, as_of: &str) -> String {
        let parsed = parse(source);
        let checked = check(&parsed.playbook, source, SchemaSource::File);
        let model = checked.model.expect("the playbook checks");
        let day = crate::dates::parse_iso(as_of).expect("date");
        compile(
            &model,
            day,
            &Source::Table {
                name: "klanten",
                key: None,
            },
            &dialect::DuckDb,
        )
        .expect("compiles")
        .expect("a table query")
    }

    const PLAYBOOK: &str = "customer {\n  id text key\n  n number?\n  d date?\n  k one of a, b\n}\nrule r when k in [] or d more than 3 days ago then x\nrule s when n / 0 > 1 and anniversary of d within next 2 days then y holdout 10%\n";

    #[test]
    fn as_of_is_a_literal_and_no_empty_in_list() {
        let text = sql(PLAYBOOK, "2027-03-01");
        // `d more than 3 days ago`, as of 2027-03-01: on or before 25 February.
        assert!(text.contains("DATE '2027-02-25'"));
        assert!(!text.to_lowercase().contains("current_date"));
        assert!(!text.contains("IN ()"));
        assert!(text.contains("FROM \"klanten\""));
        assert!(text.contains("NULLIF("));
    }

    #[test]
    fn the_29_february_rule_is_decided_by_the_year_of_as_of() {
        // 2027 is not a leap year: 29 February falls on the 28th, inside
        // the two days after 26 February; in 2028 it is a day of its own.
        let key = "(month(s2) * 100 + day(s2))";
        let text = sql(PLAYBOOK, "2027-02-26");
        assert!(text.contains(&format!("{key} BETWEEN 226 AND 229")));
        let text = sql(PLAYBOOK, "2028-02-26");
        assert!(text.contains(&format!("{key} BETWEEN 226 AND 228")));
    }

    #[test]
    fn the_holdout_bucket_reads_md5_hex_big_endian() {
        let text = sql(PLAYBOOK, "2027-03-01");
        assert!(text.contains("substr(md5('s/' || pb_id), 1, 1)"));
        assert!(
            text.contains(" * 268435456"),
            "the first hex digit weighs 16^7"
        );
    }
}
