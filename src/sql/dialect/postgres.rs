//! PostgreSQL (15 or later): `psql -v ON_ERROR_STOP=1 -f script.sql` runs the script shape.

use super::{CsvFiles, Dialect, Script, Ty, WHITESPACE};

pub struct Postgres;

impl Dialect for Postgres {
    fn ty(&self, ty: Ty) -> &'static str {
        match ty {
            Ty::Double => "DOUBLE PRECISION",
            Ty::Bool => "BOOLEAN",
            Ty::Date => "DATE",
            Ty::Int => "INTEGER",
            Ty::BigInt => "BIGINT",
            Ty::Text => "TEXT",
        }
    }

    fn month(&self, date: &str) -> String {
        format!("CAST(EXTRACT(MONTH FROM {date}) AS INTEGER)")
    }

    fn day(&self, date: &str) -> String {
        format!("CAST(EXTRACT(DAY FROM {date}) AS INTEGER)")
    }

    fn trim(&self, text: &str) -> String {
        format!("btrim({text}, {})", self.text(WHITESPACE))
    }

    fn lower(&self, text: &str) -> String {
        // ICU's lower case is Unicode's full mapping, as Rust's `to_lowercase`.
        format!("lower({text} COLLATE \"und-x-icu\")")
    }

    fn code_point_order(&self, text: &str) -> String {
        format!("({text} COLLATE \"C\")")
    }

    fn md5_prefix(&self, text: &str) -> String {
        // Eight hex digits behind eight zeros: a 64-bit pattern that reads as a
        // non-negative BIGINT.
        format!("CAST(CAST('x00000000' || substr(md5({text}), 1, 8) AS BIT(64)) AS BIGINT)")
    }

    fn starts_with(&self, text: &str, pattern: &str) -> String {
        format!("starts_with({text}, {pattern})")
    }

    fn ends_with(&self, text: &str, pattern: &str) -> String {
        format!("(right({text}, char_length({pattern})) = {pattern})")
    }

    fn contains(&self, text: &str, pattern: &str) -> String {
        format!("(strpos({text}, {pattern}) > 0)")
    }

    fn list_has(&self, list: &str, item: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM unnest(string_to_array({list}, ';')) AS pb_item(v) WHERE {} = {item})",
            self.lower(&self.trim("pb_item.v"))
        )
    }

    fn script_shape(&self) -> Option<&dyn Script> {
        Some(self)
    }
}

impl Script for Postgres {
    fn capture_text(&self, text: &str, regex: &str) -> String {
        format!("substring({text} from {})", self.text(regex))
    }

    fn capture(&self, text: &str, regex: &str) -> String {
        // `substring(t from re)` is the text of the pattern's one group.
        format!(
            "CAST(substring({text} from {}) AS INTEGER)",
            self.text(regex)
        )
    }
    fn to_number(&self, text: &str) -> String {
        // PostgreSQL refuses a number too small for a double (`1e-400`),
        // which Rust reads as 0: only a text with a negative exponent is
        // read exactly, as a NUMERIC, to see.
        format!(
            "CASE WHEN (strpos({text}, 'e-') > 0 OR strpos({text}, 'E-') > 0) AND abs(CAST({text} AS NUMERIC)) <= 2.4703282292062327e-324 THEN {} ELSE {} END",
            self.number(0.0),
            self.cast(text, Ty::Double)
        )
    }

    fn full_match(&self, text: &str, regex: &str) -> String {
        format!("({text} ~ {})", self.text(&format!("^(?:{regex})$")))
    }
    fn fail(&self, message: &str, ty: Ty) -> String {
        format!("pg_temp.pb_fail({message}, {})", self.null(ty))
    }
    fn needs_file_header(&self) -> bool {
        true
    }
    fn sorts_when_writing(&self) -> bool {
        true
    }
    fn script(&self, files: &CsvFiles<'_>, query: &str) -> Result<String, String> {
        let Some(header) = files.file_columns else {
            return Err("PostgreSQL's COPY needs the export's header to load it".to_string());
        };
        // Each column the playbook reads, found as `eval` finds it (the name, or
        // the name trimmed; a byte-order mark is not part of the first name).
        let plain = |h: &String| h.strip_prefix('\u{feff}').unwrap_or(h).to_string();
        let mut sources = Vec::new();
        for c in files.columns {
            let found = header
                .iter()
                .find(|h| plain(h) == *c)
                .or_else(|| header.iter().find(|h| plain(h).trim() == c.trim()));
            match found {
                Some(h) => sources.push(format!("{} AS {}", self.ident(h), self.ident(c))),
                // COPY would fail later with less to go on: name the missing column now.
                None => {
                    return Err(format!(
                        "{} has no column `{c}`, which the playbook reads (its header: {})",
                        files.input,
                        header.iter().map(plain).collect::<Vec<_>>().join(", ")
                    ))
                }
            }
        }
        let columns: Vec<String> = header.iter().map(|c| self.ident(c)).collect();
        let delimiter = files.delimiter.to_string();
        let mut script = String::new();
        script.push_str("\\set ON_ERROR_STOP on\n\\set QUIET on\nSET client_encoding = 'UTF8';\nSET client_min_messages = warning;\n");
        // A bad cell stops the query with its message (psql prints it and exits 3).
        script.push_str("CREATE OR REPLACE FUNCTION pg_temp.pb_fail(message TEXT, sample ANYELEMENT) RETURNS ANYELEMENT LANGUAGE plpgsql AS $pb$ BEGIN RAISE EXCEPTION '%', message; END $pb$;\n");
        script.push_str("DROP TABLE IF EXISTS pb_decisions;\nDROP VIEW IF EXISTS pb_src;\nDROP TABLE IF EXISTS pb_load;\n");
        // Every column of the file as text, in file order; `pb_rn` numbers the rows as COPY reads them.
        script.push_str(&format!(
            "CREATE TEMP TABLE pb_load (pb_rn BIGINT GENERATED ALWAYS AS IDENTITY (MINVALUE 0 START WITH 0), {});\n",
            columns
                .iter()
                .map(|c| format!("{c} TEXT"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // `\copy` is one line: psql reads the file on this machine. HEADER MATCH
        // fails when the export's columns are not the ones compiled against.
        script.push_str(&format!(
            "\\copy pb_load ({}) FROM {} WITH (FORMAT csv, HEADER MATCH, DELIMITER {}, QUOTE '\"', ESCAPE '\"')\n",
            columns.join(", "),
            self.text(files.input),
            self.text(&delimiter)
        ));
        script.push_str(&format!(
            "CREATE TEMP VIEW pb_src AS SELECT pb_rn, {} FROM pb_load;\n",
            sources.join(", ")
        ));
        // Decided whole before the output is opened: a bad row leaves no file.
        script.push_str(&format!("CREATE TEMP TABLE pb_decisions AS\n{query};\n"));
        let out_columns: Vec<String> = files.output_columns.iter().map(|c| self.ident(c)).collect();
        script.push_str(&format!(
            "\\copy (SELECT {} FROM pb_decisions ORDER BY pb_o1, pb_o2, pb_o3) TO {} WITH (FORMAT csv, HEADER)\n",
            out_columns.join(", "),
            self.text(files.output)
        ));
        Ok(script)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::DateFormat;

    #[test]
    fn literals_are_standard_sql_and_numbers_double_precision() {
        assert_eq!(Postgres.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Postgres.text("it's \\n"), "'it''s \\n'");
        assert_eq!(Postgres.number(2.5), "CAST(2.5 AS DOUBLE PRECISION)");
        assert_eq!(Postgres.number(f64::NAN), "CAST(NULL AS DOUBLE PRECISION)");
    }

    #[test]
    fn the_md5_prefix_is_eight_hex_digits_read_as_a_positive_bigint() {
        let e = Postgres.md5_prefix("'s/' || pb_id");
        assert!(e.contains("substr(md5('s/' || pb_id), 1, 8)"));
        // Zero-padded to 64 bits: ffffffff reads as 4294967295, not -1.
        assert!(e.contains("'x00000000' ||") && e.contains("BIT(64)"));
    }

    #[test]
    fn dates_are_checked_without_a_cast_that_can_fail() {
        let iso = Postgres.parse_date("t", None);
        assert!(
            iso.contains("(t ~ '^(?:[0-9]{4}-[0-9]{2}-[0-9]{2})$')"),
            "{iso}"
        );
        assert!(iso.contains("% 400 = 0") && iso.contains("make_date("));
        assert!(!iso.contains("::date") && !iso.contains("AS DATE)"));
        let f = DateFormat::parse("%d/%m/%y").expect("a format");
        let e = Postgres.parse_date("t", Some(&f));
        // One or two digits for the day, greedily; the two-digit year pivots at 69.
        assert!(e.contains("'^([0-9]{2}|[0-9](?![0-9]))'"), "{e}");
        assert!(e.contains(">= 69 THEN 1900 +"));
    }

    #[test]
    fn text_tests_are_never_like_patterns() {
        let p = Postgres.text("50%_off");
        for e in [
            Postgres.starts_with("x", &p),
            Postgres.ends_with("x", &p),
            Postgres.contains("x", &p),
        ] {
            assert!(!e.to_lowercase().contains("like"), "{e}");
        }
    }
}
