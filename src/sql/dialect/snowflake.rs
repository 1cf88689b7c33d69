//! Snowflake: the table shape only, over a table loaded with `COPY INTO`.

use super::{Dialect, Ty};

pub struct Snowflake;

impl Dialect for Snowflake {
    /// Backslashes are escapes in Snowflake literals: every one is doubled,
    /// and a quote is doubled.
    fn text(&self, value: &str) -> String {
        format!(
            "'{}'",
            value
                .replace('\\', "\\\\")
                .replace('\'', "''")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
        )
    }

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

    fn number(&self, n: f64) -> String {
        if n.is_infinite() {
            let sign = if n > 0.0 { "" } else { "-" };
            return format!("CAST('{sign}inf' AS DOUBLE)");
        }
        if n.is_nan() {
            return self.null(Ty::Double);
        }
        format!("CAST({n:?} AS DOUBLE)")
    }

    /// ROW_NUMBER needs an order in Snowflake; a table has none, so the key gives one.
    fn table_source(&self, table: &str, key: &str) -> String {
        format!(
            "SELECT *, row_number() OVER (ORDER BY {key}) AS pb_rn FROM {}",
            self.table_name(table)
        )
    }

    fn days_between(&self, later: &str, earlier: &str) -> String {
        format!("DATEDIFF(day, {earlier}, {later})")
    }

    fn month(&self, date: &str) -> String {
        format!("MONTH({date})")
    }

    fn day(&self, date: &str) -> String {
        format!("DAY({date})")
    }

    fn make_date_of(&self, year: &str, month: &str, day: &str) -> String {
        format!("DATE_FROM_PARTS({year}, {month}, {day})")
    }

    fn md5_prefix(&self, text: &str) -> String {
        // The hex digits read as a number, most significant first.
        format!("TO_NUMBER(SUBSTR(MD5({text}), 1, 8), 'XXXXXXXX')")
    }

    fn starts_with(&self, text: &str, pattern: &str) -> String {
        format!("STARTSWITH({text}, {pattern})")
    }

    fn ends_with(&self, text: &str, pattern: &str) -> String {
        format!("ENDSWITH({text}, {pattern})")
    }

    fn contains(&self, text: &str, pattern: &str) -> String {
        format!("CONTAINS({text}, {pattern})")
    }

    fn list_has(&self, list: &str, item: &str) -> String {
        // `;a;b;` with the white space around each `;` removed: the item is one
        // of them when `;item;` is inside (an item holds no `;`).
        format!(
            "CONTAINS(';' || REGEXP_REPLACE(LOWER(TRIM({list})), {}, ';') || ';', ';' || {item} || ';')",
            self.text("\\s*;\\s*")
        )
    }

    fn no_script_shape(&self) -> String {
        "Snowflake runs the table shape only: load the export with COPY INTO (a stage and a CSV file format) and pass --table".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_are_escaped_and_quotes_doubled() {
        assert_eq!(Snowflake.text("it's a\\b"), "'it''s a\\\\b'");
        assert_eq!(Snowflake.ident("Odd\"Name"), "\"Odd\"\"Name\"");
        assert_eq!(
            Snowflake.md5_prefix("x"),
            "TO_NUMBER(SUBSTR(MD5(x), 1, 8), 'XXXXXXXX')"
        );
    }
}
