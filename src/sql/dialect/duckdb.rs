//! DuckDB: the CLI from PyPI's `duckdb-cli` runs the script shape.

use super::{CsvFiles, Dialect, Script, Ty, KEY_COLUMN, WHITESPACE};
use crate::dates::DateFormat;

pub struct DuckDb;

impl Dialect for DuckDb {
    fn ty(&self, ty: Ty) -> &'static str {
        match ty {
            Ty::Double => "DOUBLE",
            Ty::Bool => "BOOLEAN",
            Ty::Date => "DATE",
            Ty::Int => "INTEGER",
            Ty::BigInt => "BIGINT",
            Ty::Text => "VARCHAR",
        }
    }

    // One test instead of a COALESCE and a NOT.
    fn is_true(&self, x: &str) -> String {
        format!("(({x}) IS TRUE)")
    }

    fn is_not_true(&self, x: &str) -> String {
        format!("(({x}) IS NOT TRUE)")
    }

    fn is_not_false(&self, x: &str) -> String {
        format!("(({x}) IS NOT FALSE)")
    }

    fn md5_prefix(&self, text: &str) -> String {
        // Hex digit by hex digit: DuckDB has no base-16 parse of a string.
        let hex = format!("md5({text})");
        let digits: Vec<String> = (0..8)
            .map(|i| {
                format!(
                    "CAST(strpos('0123456789abcdef', substr({hex}, {}, 1)) - 1 AS BIGINT) * {}",
                    i + 1,
                    16u64.pow(7 - i)
                )
            })
            .collect();
        format!("({})", digits.join(" + "))
    }

    fn starts_with(&self, text: &str, pattern: &str) -> String {
        format!("starts_with({text}, {pattern})")
    }

    fn ends_with(&self, text: &str, pattern: &str) -> String {
        format!("suffix({text}, {pattern})")
    }

    fn contains(&self, text: &str, pattern: &str) -> String {
        format!("contains({text}, {pattern})")
    }

    fn trim(&self, text: &str) -> String {
        // DuckDB's one-argument trim strips spaces only.
        format!("trim({text}, {})", self.text(WHITESPACE))
    }

    fn list_has(&self, list: &str, item: &str) -> String {
        // Splitting is costly; an item can only be there if the whole text has it.
        format!(
            "CASE WHEN contains({}, {item}) THEN list_contains(list_transform(string_split({list}, ';'), lambda x: {}), {item}) ELSE FALSE END",
            self.lower(list),
            self.lower(&self.trim("x"))
        )
    }

    fn script_shape(&self) -> Option<&dyn Script> {
        Some(self)
    }
}

impl Script for DuckDb {
    fn capture(&self, text: &str, regex: &str) -> String {
        format!("TRY_CAST({} AS INTEGER)", self.capture_text(text, regex))
    }

    fn capture_text(&self, text: &str, regex: &str) -> String {
        format!("regexp_extract({text}, {}, 1)", self.text(regex))
    }

    fn full_match(&self, text: &str, regex: &str) -> String {
        format!("regexp_full_match({text}, {})", self.text(regex))
    }
    fn parse_date(&self, text: &str, format: Option<&DateFormat>) -> String {
        match format {
            // The cast reads year 0 (1 BC), which the language has not: such a
            // text sorts before '0001'.
            // A GLOB of fixed length is the regular expression's shape, cheaper.
            None => format!(
                "CASE WHEN {text} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND {text} >= '0001' THEN TRY_CAST({text} AS DATE) END"
            ),
            // As `eval`, one-digit days and months are read; year 0 is not.
            Some(f) => {
                let parsed = format!(
                    "CAST(try_strptime({text}, {}) AS DATE)",
                    self.text(f.pattern())
                );
                format!("CASE WHEN {parsed} >= DATE '0001-01-01' THEN {parsed} END")
            }
        }
    }

    fn keeps_file_order(&self) -> bool {
        true
    }

    fn bind(&self, value: &str, name: &str, body: &str) -> String {
        format!("list_transform([{value}], lambda {name}: {body})[1]")
    }

    fn edge_space(&self, text: &str) -> String {
        let class = format!("[{WHITESPACE}]");
        format!(
            "regexp_matches({text}, {})",
            self.text(&format!("^{class}|{class}$"))
        )
    }

    fn fail(&self, message: &str, _ty: Ty) -> String {
        format!("error({message})")
    }
    fn plain_number(&self, text: &str, decimal_comma: bool) -> Option<(String, String)> {
        // DuckDB's cast reads the grammar's numbers and, besides, `inf` and
        // `nan` (not finite), `1_000` and `+-1`, and white space around a
        // number (as the language trims it). Those go the long way: a test in
        // tests/sql_duckdb.rs holds the cast to this on generated texts.
        let (number, no_point) = if decimal_comma {
            (
                format!("replace({text}, ',', '.')"),
                format!(" AND NOT contains({text}, '.')"),
            )
        } else {
            (text.to_string(), String::new())
        };
        let value = format!("TRY_CAST({number} AS DOUBLE)");
        Some((
            format!(
                "isfinite({value}) AND NOT contains({text}, '_') AND NOT contains({text}, '+-'){no_point}"
            ),
            value,
        ))
    }

    fn read_inline(
        &self,
        input: &str,
        delimiter: char,
        columns: &[String],
        may_lack: &[String],
        key_from: &[String],
    ) -> Option<String> {
        let mut read: Vec<String> = columns
            .iter()
            .filter(|c| *c != KEY_COLUMN)
            .map(|c| self.ident(c))
            .collect();
        if !key_from.is_empty() {
            let mut key = "CASE".to_string();
            for k in key_from {
                key.push_str(&format!(
                    " WHEN {} THEN {}",
                    self.header_has(k),
                    self.ident(k)
                ));
            }
            read.push(format!("{key} END AS {}", self.ident(KEY_COLUMN)));
        }
        let mut from = self.read_csv(input, delimiter);
        if !may_lack.is_empty() {
            // A column the export lacks is added, empty, by name: the query
            // binds, and an absent optional field is missing for everyone.
            let empty: Vec<String> = may_lack
                .iter()
                .map(|c| format!("CAST(NULL AS VARCHAR) AS {}", self.ident(c)))
                .collect();
            from = format!(
                "(SELECT * FROM {from} UNION ALL BY NAME SELECT {} WHERE FALSE)",
                empty.join(", ")
            );
        }
        Some(format!("SELECT {} FROM {from}", read.join(", ")))
    }

    fn header_at_run_time(&self) -> bool {
        true
    }

    fn header_has(&self, column: &str) -> String {
        format!(
            "list_contains(getvariable('pb_header'), {})",
            self.text(column)
        )
    }

    fn header_checks(
        &self,
        input: &str,
        delimiter: char,
        required: &[(String, String)],
        key_from: &[String],
    ) -> String {
        let mut sql = format!(
            "SET VARIABLE pb_header = (SELECT list(column_name) FROM (DESCRIBE SELECT * FROM {}));\n",
            self.read_csv(input, delimiter)
        );
        // A statement that prints nothing when the header is fine.
        let stop = |test: &str, message: &str| {
            format!("SET VARIABLE pb_ok = (SELECT error({message}) FROM (SELECT getvariable('pb_header') AS h) WHERE {test});\n")
        };
        for (column, what) in required {
            let message = format!(
                "{} || {}",
                self.text(&format!(
                    "playbook::missing-column: the export has no column `{column}` ({what})\n  help: "
                )),
                missing_help(self, column)
            );
            sql.push_str(&stop(&format!("NOT {}", self.header_has(column)), &message));
        }
        if !key_from.is_empty() {
            let none: Vec<String> = key_from
                .iter()
                .map(|k| format!("NOT {}", self.header_has(k)))
                .collect();
            let message = self.text("playbook::missing-column: the export has no customer id column: without a `key` field the key is the column `id`, else `customer_id`\n  help: mark the field that identifies customers with `key` in the `customer { … }` block, e.g. `klantnummer text key`");
            sql.push_str(&stop(&none.join(" AND "), &message));
        }
        sql
    }

    fn script(&self, files: &CsvFiles<'_>, query: &str) -> Result<String, String> {
        // Read in parallel, in file order; decided whole into a table before
        // the output is opened, so a bad row leaves no file.
        Ok(format!(
            ".bail on\n{}CREATE OR REPLACE TEMP TABLE pb_decisions AS\n{query};\nCOPY ({}) TO {} (HEADER, DELIMITER ',');\n",
            files.prelude,
            files.present.unwrap_or("SELECT * FROM pb_decisions"),
            self.text(files.output)
        ))
    }
}

impl DuckDb {
    /// The export as every cell text, strict, with its delimiter.
    // Buffers of 4 MB rather than 16 share a file among the threads more
    // evenly (the benchmark export, 117 MB on 2 cores: 0.72 s → 0.65 s).
    fn read_csv(&self, input: &str, delimiter: char) -> String {
        format!(
            "read_csv({}, header = true, all_varchar = true, delim = {}, quote = '\"', escape = '\"', strict_mode = true, null_padding = false, buffer_size = 4194304)",
            self.text(input),
            self.text(&delimiter.to_string()),
        )
    }
}

/// `eval`'s help for a missing column, over the header `h` read when the
/// script runs: a name that differs in case, else the nearest within
/// max(len/3, 1) edits (the first of equals), else the header itself.
fn missing_help(d: &DuckDb, column: &str) -> String {
    let lower = d.text(&column.to_lowercase());
    let name = d.text(column);
    let limit = (column.chars().count() / 3).max(1);
    let case = format!("list_filter(h, lambda c: c <> {name} AND lower(c) = {lower})[1]");
    let near = format!(
        "struct_extract(list_sort(list_filter(list_transform(h, lambda c, i: {{'d': damerau_levenshtein({lower}, lower(c)), 'i': i, 'c': c}}), lambda x: x.c <> {name} AND x.d <= {limit}))[1], 'c')"
    );
    let listed =
        |h: &str| format!("array_to_string(list_transform({h}, lambda c: '`' || c || '`'), ', ')");
    let from = " (map a field to another column with `from \"Column\"`)";
    format!(
        "CASE WHEN COALESCE({case}, {near}) IS NOT NULL THEN 'did you mean `' || COALESCE({case}, {near}) || {} \
         WHEN len(h) BETWEEN 1 AND 8 THEN 'the known columns are ' || {} || {} \
         ELSE 'the export''s columns are: ' || {} END",
        d.text(&format!("`?{from}")),
        listed("h"),
        d.text(from),
        listed("h[1:30]")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_backslashes_kept() {
        assert_eq!(DuckDb.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(DuckDb.text("it's \\n"), "'it''s \\n'");
    }

    #[test]
    fn numbers_are_doubles() {
        assert_eq!(DuckDb.number(1.0), "CAST(1.0 AS DOUBLE)");
        assert_eq!(DuckDb.number(-0.5), "CAST(-0.5 AS DOUBLE)");
        assert_eq!(DuckDb.number(f64::NAN), "CAST(NULL AS DOUBLE)");
        assert_eq!(DuckDb.number(f64::INFINITY), "CAST('Infinity' AS DOUBLE)");
    }
}
