//! BigQuery (GoogleSQL): the table shape only, over a table loaded with `bq load`.

use super::{Dialect, Ty};

pub struct BigQuery;

impl Dialect for BigQuery {
    /// Backticks; a backtick or backslash inside is escaped with a backslash.
    fn ident(&self, name: &str) -> String {
        format!("`{}`", escape(name, '`'))
    }

    /// Backslashes are escapes in GoogleSQL literals: every one is doubled.
    fn text(&self, value: &str) -> String {
        format!("'{}'", escape(value, '\''))
    }

    fn ty(&self, ty: Ty) -> &'static str {
        match ty {
            Ty::Double => "FLOAT64",
            Ty::Bool => "BOOL",
            Ty::Date => "DATE",
            Ty::Int | Ty::BigInt => "INT64",
            Ty::Text => "STRING",
        }
    }

    fn number(&self, n: f64) -> String {
        if n.is_infinite() {
            let sign = if n > 0.0 { "" } else { "-" };
            return format!("CAST('{sign}inf' AS FLOAT64)");
        }
        if n.is_nan() {
            return self.null(Ty::Double);
        }
        format!("CAST({n:?} AS FLOAT64)")
    }

    /// GoogleSQL has no `%` operator.
    fn modulo(&self, a: &str, b: u32) -> String {
        format!("MOD({a}, {b})")
    }

    fn days_between(&self, later: &str, earlier: &str) -> String {
        format!("DATE_DIFF({later}, {earlier}, DAY)")
    }

    fn month(&self, date: &str) -> String {
        format!("EXTRACT(MONTH FROM {date})")
    }

    fn day(&self, date: &str) -> String {
        format!("EXTRACT(DAY FROM {date})")
    }

    fn make_date_of(&self, year: &str, month: &str, day: &str) -> String {
        format!("DATE({year}, {month}, {day})")
    }

    fn md5_prefix(&self, text: &str) -> String {
        // MD5 gives bytes; a `0x` hex literal casts to INT64 as written (big-endian).
        format!("CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5({text})), 1, 8)) AS INT64)")
    }

    fn starts_with(&self, text: &str, pattern: &str) -> String {
        format!("STARTS_WITH({text}, {pattern})")
    }

    fn ends_with(&self, text: &str, pattern: &str) -> String {
        format!("ENDS_WITH({text}, {pattern})")
    }

    fn contains(&self, text: &str, pattern: &str) -> String {
        format!("(STRPOS({text}, {pattern}) > 0)")
    }

    fn list_has(&self, list: &str, item: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM UNNEST(SPLIT({list}, ';')) AS pb_item WHERE LOWER(TRIM(pb_item)) = {item})"
        )
    }

    fn no_script_shape(&self) -> String {
        "BigQuery runs the table shape only: load the export with `bq load` (every column as STRING or typed) and pass --table DATASET.TABLE".to_string()
    }
}

/// Backslash-escapes `\`, the quote, and line breaks (not allowed raw in a
/// quoted GoogleSQL string).
pub(super) fn escape(value: &str, quote: char) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_and_quotes_are_escaped() {
        assert_eq!(BigQuery.text("it's a\\b"), "'it\\'s a\\\\b'");
        assert_eq!(BigQuery.ident("odd`name"), "`odd\\`name`");
        assert_eq!(BigQuery.number(1.0), "CAST(1.0 AS FLOAT64)");
    }
}
