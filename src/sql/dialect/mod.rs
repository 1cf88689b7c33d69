//! What differs between SQL engines: quoting, type names, date arithmetic,
//! text tests, failing a row, and how a CSV export is loaded and written.
//!
//! The query itself (`super::script`, `super::expr`) is written once against
//! this trait; each engine overrides only what it spells differently. The
//! defaults are standard SQL as DuckDB and PostgreSQL read it.

mod bigquery;
mod duckdb;
mod postgres;
mod snowflake;
mod spark;

use crate::dates::DateFormat;

pub use bigquery::BigQuery;
pub use duckdb::DuckDb;
pub use postgres::Postgres;
pub use snowflake::Snowflake;
pub use spark::Spark;

/// What Rust's `str::trim` strips: Unicode White_Space.
pub const WHITESPACE: &str = "\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// The column a script that reads the header when it runs gives the key
/// (`id`, else `customer_id`) when the playbook has no `key` field.
pub const KEY_COLUMN: &str = "pb_key_column";

/// The SQL types the compiled query uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Double,
    Bool,
    Date,
    /// A small integer: a word's or stage's index.
    Int,
    /// A row number.
    BigInt,
    Text,
}

/// A CSV export to read and the decisions file to write (the script shape).
pub struct CsvFiles<'a> {
    pub input: &'a str,
    pub output: &'a str,
    pub delimiter: char,
    /// The export's columns the query reads, each once.
    pub columns: &'a [String],
    /// Statements run before the query: reading and checking the export's
    /// header (see [`Script::header_at_run_time`]), storing steps of a long chain.
    pub prelude: &'a str,
    /// The export's own header as in the file (a byte-order mark before the
    /// first name), when the dialect asked for it.
    pub file_columns: Option<&'a [String]>,
    /// The decisions' columns (as `eval --format csv`), in order.
    pub output_columns: &'a [String],
    /// For an engine that keeps file order: the SELECT over `pb_decisions`
    /// (the query's rows, stored) that gives the decisions' columns.
    pub present: Option<&'a str>,
}

pub trait Dialect {
    /// A quoted identifier.
    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// A quoted text literal (standard SQL: quotes doubled, backslashes literal).
    fn text(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    fn ty(&self, ty: Ty) -> &'static str;

    /// `x` is TRUE (not FALSE, not unknown).
    fn is_true(&self, x: &str) -> String {
        format!("COALESCE({x}, FALSE)")
    }

    /// `x` is FALSE or unknown.
    fn is_not_true(&self, x: &str) -> String {
        format!("NOT COALESCE({x}, FALSE)")
    }

    /// `x` is TRUE or unknown (a fail-safe suppression).
    fn is_not_false(&self, x: &str) -> String {
        format!("COALESCE({x}, TRUE)")
    }

    /// A typed NULL.
    fn null(&self, ty: Ty) -> String {
        format!("CAST(NULL AS {})", self.ty(ty))
    }

    /// `CAST(e AS ty)`.
    fn cast(&self, e: &str, ty: Ty) -> String {
        format!("CAST({e} AS {})", self.ty(ty))
    }

    /// A number literal, always typed as a double; NaN is NULL.
    fn number(&self, n: f64) -> String {
        if n.is_nan() {
            self.null(Ty::Double)
        } else if n.is_infinite() {
            let sign = if n > 0.0 { "" } else { "-" };
            self.cast(&format!("'{sign}Infinity'"), Ty::Double)
        } else {
            self.cast(&format!("{n:?}"), Ty::Double)
        }
    }

    /// A date literal from a day number.
    fn date(&self, days: i32) -> String {
        format!("DATE '{}'", crate::dates::iso(days))
    }

    /// Whole days from `earlier` to `later` (two DATE expressions), as an integer.
    fn days_between(&self, later: &str, earlier: &str) -> String {
        format!("({later} - {earlier})")
    }

    fn month(&self, date: &str) -> String {
        format!("month({date})")
    }

    fn day(&self, date: &str) -> String {
        format!("day({date})")
    }

    /// Trims white space from both ends of a text.
    fn trim(&self, text: &str) -> String {
        format!("trim({text})")
    }

    /// Lower-cases a text the way Rust's `to_lowercase` does, as far as the engine can.
    fn lower(&self, text: &str) -> String {
        format!("lower({text})")
    }

    /// A text that `<` and `>` compare by code points (as the language does).
    fn code_point_order(&self, text: &str) -> String {
        text.to_string()
    }

    /// A DATE from a constant year and integer month and day expressions.
    fn make_date(&self, year: i32, month: &str, day: &str) -> String {
        self.make_date_of(&year.to_string(), month, day)
    }

    /// A DATE from integer year, month and day expressions.
    fn make_date_of(&self, year: &str, month: &str, day: &str) -> String {
        format!("make_date({year}, {month}, {day})")
    }

    /// The first four bytes of MD5(`text`) read as a big-endian unsigned
    /// integer (0 ..= 4294967295), as a BIGINT.
    fn md5_prefix(&self, text: &str) -> String;

    /// Does `text` (lower-cased already) start with, end with or contain
    /// `pattern` (a literal, lower-cased already)? Never a LIKE: `%` and `_`
    /// are plain characters in a playbook.
    fn starts_with(&self, text: &str, pattern: &str) -> String;
    fn ends_with(&self, text: &str, pattern: &str) -> String;
    fn contains(&self, text: &str, pattern: &str) -> String;

    /// Does the `;` list `list` have an item that, trimmed and lower-cased,
    /// equals `item` (a literal, lower-cased already, not empty)?
    fn list_has(&self, list: &str, item: &str) -> String;

    /// A table name, each of its dot-separated parts (`schema.table`) quoted.
    fn table_name(&self, table: &str) -> String {
        table
            .split('.')
            .map(|part| self.ident(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// `a % b`, the remainder of integers.
    fn modulo(&self, a: &str, b: u32) -> String {
        format!("(({a}) % {b})")
    }

    /// An existing table as the source, with `pb_rn` numbering its rows
    /// (`key`, the quoted key column, for engines that must order to number).
    fn table_source(&self, table: &str, _key: &str) -> String {
        format!(
            "SELECT *, row_number() OVER () AS pb_rn FROM {}",
            self.table_name(table)
        )
    }

    /// The CSV script shape, for an engine whose own client can run it.
    fn script_shape(&self) -> Option<&dyn Script> {
        None
    }

    /// Why there is no script shape (a usage error).
    fn no_script_shape(&self) -> String {
        "this engine runs the table shape only: load the export into a table and pass --table"
            .to_string()
    }
}

/// What the script shape needs besides the query: checking cells as they are
/// read, failing on a bad one, and loading and writing files.
pub trait Script: Dialect {
    /// Whether the script needs the export's header when compiling (to load
    /// every column of the file).
    fn needs_file_header(&self) -> bool {
        false
    }

    /// Whether the script reads the export's header when compiling if the
    /// export is a local file (Spark's path may name a cluster's storage,
    /// which `playbook sql` cannot open: then the columns are read by name
    /// and the key is `id`).
    fn reads_local_header(&self) -> bool {
        self.needs_file_header()
    }

    /// Whether the script sorts the decisions when writing them: the query
    /// then leaves out its ORDER BY and adds the keys `pb_o1`, `pb_o2`, `pb_o3`.
    fn sorts_when_writing(&self) -> bool {
        false
    }

    /// Whether the engine keeps the file's row order through the query (DuckDB
    /// with its default `preserve_insertion_order`). Then rows are not
    /// numbered (numbering a parallel scan costs more than the playbook), a
    /// bad cell is named by its customer rather than its line, each
    /// customer's decisions are unnested in order instead of sorted, and a
    /// cell already in plain form (no white space around it, a word as
    /// declared) is cast directly: only the others are trimmed and checked.
    /// The query then uses DuckDB's list functions and lambdas.
    fn keeps_file_order(&self) -> bool {
        false
    }

    /// A test that a text (not NULL) is a number of the language's grammar
    /// as written, cheaper than the grammar's regular expression, and its
    /// value; None: the regular expression is the test. It may turn down a
    /// number (the grammar then decides), never accept a text that is not one.
    fn plain_number(&self, _text: &str, _decimal_comma: bool) -> Option<(String, String)> {
        None
    }

    /// The SELECT that reads the export (`columns` as text) inside the
    /// query, for an engine that reads a file there; None: the script loads
    /// it into `pb_src` first. `may_lack`: columns the export may not have
    /// (read as NULL); `key_from`: the key's columns, the first the export
    /// has read as [`KEY_COLUMN`] (both empty unless the header is read at
    /// run time).
    fn read_inline(
        &self,
        _input: &str,
        _delimiter: char,
        _columns: &[String],
        _may_lack: &[String],
        _key_from: &[String],
    ) -> Option<String> {
        None
    }

    /// A text of the number grammar (checked already) as a DOUBLE, as
    /// Rust's parse reads it.
    fn to_number(&self, text: &str) -> String {
        self.cast(text, Ty::Double)
    }

    /// Whether the script reads the export's header when it runs: then the
    /// query is compiled for the model's columns (no file needed when
    /// compiling), an optional field's absent column reads as missing, a
    /// required one stops the script with `eval`'s message, and without a
    /// `key` field the key is `id`, else `customer_id`, as in `eval`.
    fn header_at_run_time(&self) -> bool {
        false
    }

    /// SQL true when the export's header, read when the script runs, has `column`.
    fn header_has(&self, _column: &str) -> String {
        "FALSE".to_string()
    }

    /// The statements that read the export's header and stop the script
    /// when it lacks a `required` column (with what needs it) or, without a
    /// `key` field, every column of `key_from`.
    fn header_checks(
        &self,
        _input: &str,
        _delimiter: char,
        _required: &[(String, String)],
        _key_from: &[String],
    ) -> String {
        String::new()
    }

    /// `body` with `name` standing for `value`, computed once: engines
    /// hoist an expression written twice out of the CASE branch it is in,
    /// computing it on every row. Without a way to bind, it is written out.
    fn bind(&self, value: &str, name: &str, body: &str) -> String {
        body.replace(name, &format!("({value})"))
    }

    /// Does `text` have white space at either end (a test cheaper than trimming)?
    fn edge_space(&self, text: &str) -> String {
        format!("({text} <> {})", self.trim(text))
    }

    /// Does all of `text` match `regex` (a POSIX-style pattern without backslashes)?
    fn full_match(&self, text: &str, regex: &str) -> String;

    /// The one group of `regex` (anchored at the start of `text`, which it
    /// matches) as an INTEGER.
    fn capture(&self, text: &str, regex: &str) -> String;

    /// A text expression (trimmed, not empty) as a DATE, NULL when it is not
    /// one: ISO `YYYY-MM-DD` without a format, else as the `format` says.
    /// Checked with regular expressions and the calendar in SQL, so no cast
    /// can fail halfway.
    fn parse_date(&self, text: &str, format: Option<&DateFormat>) -> String {
        script_date(self, text, format)
    }

    /// The one group of `regex` as text (see [`Script::capture`]).
    fn capture_text(&self, text: &str, regex: &str) -> String;

    /// The DATE of year/month/day integer expressions when they name a real
    /// day (years 1–9999, as `eval`), else NULL.
    fn checked_date(&self, y: &str, m: &str, d: &str) -> String {
        format!(
            "CASE WHEN {y} BETWEEN 1 AND 9999 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND \
             CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN \
             CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 THEN 29 ELSE 28 END \
             ELSE 31 END THEN {} END",
            self.make_date_of(y, m, d)
        )
    }

    /// Stops the query with `message` (a text expression); typed as `ty` where
    /// the engine needs a type for it.
    fn fail(&self, message: &str, ty: Ty) -> String;

    /// The script shape: statements that load `files.input` into a relation
    /// `pb_src` (the model's columns as text, plus `pb_rn`, the 0-based file
    /// order; unless the query reads it itself, see [`Script::read_inline`]),
    /// then `query` (which reads `pb_src`), then write its rows to
    /// `files.output` as CSV with a header. Err: this engine has no script shape.
    fn script(&self, files: &CsvFiles<'_>, query: &str) -> Result<String, String>;
}

/// [`Script::parse_date`]'s reading: regular expressions and the calendar in SQL.
pub fn script_date<S: Script + ?Sized>(s: &S, text: &str, format: Option<&DateFormat>) -> String {
    let Some(f) = format else {
        return format!(
            "CASE WHEN {} THEN {} END",
            s.full_match(text, "[0-9]{4}-[0-9]{2}-[0-9]{2}"),
            // Fixed places once the shape matched: no more regular expressions.
            s.checked_date(
                &s.cast(&format!("substr({text}, 1, 4)"), Ty::Int),
                &s.cast(&format!("substr({text}, 6, 2)"), Ty::Int),
                &s.cast(&format!("substr({text}, 9, 2)"), Ty::Int),
            )
        );
    };
    let shape = f.regex();
    let year = s.capture(text, &format!("^{}", shape.year));
    let year = if shape.two_digit_year {
        format!("(CASE WHEN {year} >= 69 THEN 1900 + {year} ELSE 2000 + {year} END)")
    } else {
        year
    };
    let month = match &shape.month_name {
        Some(re) => {
            let name = s.lower(&s.capture_text(text, &format!("^{re}")));
            let mut case = format!("CASE {name}");
            for (n, m) in crate::dates::MONTH_NAMES {
                case.push_str(&format!(" WHEN '{n}' THEN {m}"));
            }
            case + " END"
        }
        None => s.capture(text, &format!("^{}", shape.month)),
    };
    let day = s.capture(text, &format!("^{}", shape.day));
    format!(
        "CASE WHEN {} THEN {} END",
        s.full_match(text, &shape.whole),
        s.checked_date(&year, &month, &day)
    )
}

#[cfg(test)]
mod tests {
    use super::WHITESPACE;

    #[test]
    fn whitespace_is_what_rust_trims() {
        let rust: String = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(WHITESPACE, rust);
    }
}
