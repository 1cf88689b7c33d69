//! Quoting identifiers and literals (DuckDB / PostgreSQL rules: `"…"` and `'…'`,
//! doubled quotes, backslashes taken literally).

/// A quoted identifier.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A quoted text literal.
pub fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A number literal, always typed as a double; NaN is NULL.
pub fn number(n: f64) -> String {
    if n.is_nan() {
        "CAST(NULL AS DOUBLE)".to_string()
    } else if n.is_infinite() {
        let sign = if n > 0.0 { "" } else { "-" };
        format!("CAST('{sign}Infinity' AS DOUBLE)")
    } else {
        format!("CAST({n:?} AS DOUBLE)")
    }
}

/// A date literal from a day number.
pub fn date(days: i32) -> String {
    format!("DATE '{}'", crate::dates::iso(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_backslashes_kept() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(text("it's \\n"), "'it''s \\n'");
    }

    #[test]
    fn numbers_are_doubles() {
        assert_eq!(number(1.0), "CAST(1.0 AS DOUBLE)");
        assert_eq!(number(-0.5), "CAST(-0.5 AS DOUBLE)");
        assert_eq!(number(f64::NAN), "CAST(NULL AS DOUBLE)");
        assert_eq!(number(f64::INFINITY), "CAST('Infinity' AS DOUBLE)");
    }
}
