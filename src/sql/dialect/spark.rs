//! Spark SQL (3.4 or later): `spark-sql -f script.sql` runs the script shape.

use super::bigquery::escape;
use super::{CsvFiles, Dialect, Script, Ty, WHITESPACE};

pub struct Spark;

impl Dialect for Spark {
    /// Backticks, a backtick doubled.
    fn ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    /// Backslashes are escapes in Spark literals: every one is doubled.
    fn text(&self, value: &str) -> String {
        format!("'{}'", escape(value, '\''))
    }

    fn ty(&self, ty: Ty) -> &'static str {
        match ty {
            Ty::Double => "DOUBLE",
            Ty::Bool => "BOOLEAN",
            Ty::Date => "DATE",
            Ty::Int => "INT",
            Ty::BigInt => "BIGINT",
            Ty::Text => "STRING",
        }
    }

    fn days_between(&self, later: &str, earlier: &str) -> String {
        format!("datediff({later}, {earlier})")
    }

    fn trim(&self, text: &str) -> String {
        format!("trim(BOTH {} FROM {text})", self.text(WHITESPACE))
    }

    fn md5_prefix(&self, text: &str) -> String {
        // `conv` reads the hex digits most significant first.
        format!("CAST(conv(substr(md5({text}), 1, 8), 16, 10) AS BIGINT)")
    }

    fn starts_with(&self, text: &str, pattern: &str) -> String {
        format!("startswith({text}, {pattern})")
    }

    fn ends_with(&self, text: &str, pattern: &str) -> String {
        format!("endswith({text}, {pattern})")
    }

    fn contains(&self, text: &str, pattern: &str) -> String {
        format!("contains({text}, {pattern})")
    }

    fn list_has(&self, list: &str, item: &str) -> String {
        format!(
            "array_contains(transform(split({list}, ';'), pb_item -> {}), {item})",
            self.lower(&self.trim("pb_item"))
        )
    }

    /// ROW_NUMBER needs an order in Spark; a table has none, so the key gives one.
    fn table_source(&self, table: &str, key: &str) -> String {
        format!(
            "SELECT *, row_number() OVER (ORDER BY {key}) AS pb_rn FROM {}",
            self.table_name(table)
        )
    }

    fn script_shape(&self) -> Option<&dyn Script> {
        Some(self)
    }
}

impl Script for Spark {
    fn reads_local_header(&self) -> bool {
        true
    }

    fn sorts_when_writing(&self) -> bool {
        true
    }

    fn full_match(&self, text: &str, regex: &str) -> String {
        format!("({text} RLIKE {})", self.text(&format!("^(?:{regex})$")))
    }

    fn capture(&self, text: &str, regex: &str) -> String {
        format!("TRY_CAST({} AS INT)", self.capture_text(text, regex))
    }

    fn capture_text(&self, text: &str, regex: &str) -> String {
        format!("regexp_extract({text}, {}, 1)", self.text(regex))
    }

    fn fail(&self, message: &str, ty: Ty) -> String {
        format!("CAST(raise_error({message}) AS {})", self.ty(ty))
    }

    fn script(&self, files: &CsvFiles<'_>, query: &str) -> Result<String, String> {
        let columns: Vec<String> = files.output_columns.iter().map(|c| self.ident(c)).collect();
        let delimiter = files.delimiter.to_string();
        Ok(format!(
            "-- Run with: spark-sql -f THIS_FILE (Spark 3.4 or later).\n\
             SET spark.sql.ansi.enabled = true;\n\
             CREATE OR REPLACE TEMPORARY VIEW pb_load USING csv OPTIONS (path {input}, header 'true', \
             mode 'FAILFAST', multiLine 'true', inferSchema 'false', sep {delimiter}, quote '\"', escape '\"', \
             encoding 'UTF-8', ignoreLeadingWhiteSpace 'false', ignoreTrailingWhiteSpace 'false');\n\
             CREATE OR REPLACE TEMPORARY VIEW pb_src AS SELECT *, monotonically_increasing_id() AS pb_rn FROM pb_load;\n\
             CREATE OR REPLACE TEMPORARY VIEW pb_decisions AS\n{query};\n\
             INSERT OVERWRITE DIRECTORY {output} USING csv OPTIONS (header 'true', quote '\"', escape '\"', \
             nullValue '', emptyValue '', ignoreLeadingWhiteSpace 'false', ignoreTrailingWhiteSpace 'false', lineSep '\\n')\n\
             SELECT /*+ COALESCE(1) */ {cols} FROM pb_decisions ORDER BY pb_o1, pb_o2, pb_o3;\n",
            input = self.text(files.input),
            delimiter = self.text(&delimiter),
            output = self.text(files.output),
            cols = columns.join(", "),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_in_literals_are_escaped() {
        assert_eq!(Spark.text("a\\b'c"), "'a\\\\b\\'c'");
        assert_eq!(Spark.ident("odd`name"), "`odd``name`");
        assert_eq!(
            Spark.md5_prefix("x"),
            "CAST(conv(substr(md5(x), 1, 8), 16, 10) AS BIGINT)"
        );
    }
}
