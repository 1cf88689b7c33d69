//! DuckDB: the CLI from PyPI's `duckdb-cli` runs the script shape.

use super::{CsvFiles, Dialect, Script, Ty, WHITESPACE};
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
            "CASE WHEN contains(lower({list}), {item}) THEN list_contains(list_transform(string_split({list}, ';'), lambda x: {}), {item}) ELSE FALSE END",
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
            None => format!(
                "CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({text} AS DATE) END"
            ),
            Some(f) => format!(
                "CAST(try_strptime({text}, {}) AS DATE)",
                self.text(f.pattern())
            ),
        }
    }
    fn keeps_file_order(&self) -> bool {
        true
    }

    fn fast_cells(&self) -> bool {
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
    fn script(&self, files: &CsvFiles<'_>, query: &str) -> Result<String, String> {
        let columns = files
            .columns
            .iter()
            .map(|c| self.ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        // Read in parallel, in file order; decided whole into a table before
        // the output is opened, so a bad row leaves no file.
        Ok(format!(
            ".bail on\nCREATE OR REPLACE TEMP VIEW pb_src AS SELECT {columns} FROM read_csv({}, header = true, all_varchar = true, delim = {}, quote = '\"', escape = '\"', strict_mode = true, null_padding = false);\nCREATE OR REPLACE TEMP TABLE pb_decisions AS\n{query};\nCOPY pb_decisions TO {} (HEADER, DELIMITER ',');\n",
            self.text(files.input),
            self.text(&files.delimiter.to_string()),
            self.text(files.output)
        ))
    }
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
