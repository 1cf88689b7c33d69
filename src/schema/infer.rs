//! Inferring a schema from an export's header and first rows, for playbooks
//! without a `customer { … }` block and for `playbook schema`.

use crate::ast::Span;
use crate::check::model::{FieldDef, Type};
use crate::dates::{parse_iso, DateFormat};
use crate::row::words::{parse_bool, parse_number};

/// How many rows are looked at.
pub const SAMPLE_ROWS: usize = 1000;

/// One column's evidence.
#[derive(Default, Clone)]
struct Seen {
    values: usize,
    numbers: usize,
    comma_numbers: usize,
    bool_words: usize,
    iso_dates: usize,
    dmy_dash: usize,
    dmy_slash: usize,
    lists: usize,
}

/// Infers fields for the columns. `usage`: the type the playbook's conditions give a name
/// (lists always win; the others count only for a column without values in the sample).
pub fn infer(
    header: &[String],
    rows: &[Vec<String>],
    decimal_comma: bool,
    usage: &[(String, Type)],
) -> Vec<FieldDef> {
    let dash = DateFormat::parse("%d-%m-%Y").ok();
    let slash = DateFormat::parse("%d/%m/%Y").ok();
    let mut seen = vec![Seen::default(); header.len()];
    for row in rows {
        for (c, cell) in row.iter().enumerate().take(header.len()) {
            let t = cell.trim();
            if t.is_empty() {
                continue;
            }
            let s = &mut seen[c];
            s.values += 1;
            if parse_number(t, false).is_some() {
                s.numbers += 1;
            }
            if decimal_comma && parse_number(t, true).is_some() {
                s.comma_numbers += 1;
            }
            if parse_bool(t).is_some() && !matches!(t, "0" | "1") {
                s.bool_words += 1;
            }
            if parse_iso(t).is_some() {
                s.iso_dates += 1;
            }
            if dash.as_ref().and_then(|f| f.parse_date(t)).is_some() {
                s.dmy_dash += 1;
            }
            if slash.as_ref().and_then(|f| f.parse_date(t)).is_some() {
                s.dmy_slash += 1;
            }
            if t.contains(';') {
                s.lists += 1;
            }
        }
    }
    header
        .iter()
        .zip(&seen)
        .map(|(name, s)| {
            let all = |n: usize| s.values > 0 && n == s.values;
            let mut format = None;
            let used_as = usage
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.clone());
            let ty = if used_as == Some(Type::ListOfText) {
                Type::ListOfText
            } else if name == "id" || name == "customer_id" || s.values == 0 {
                Type::Text
            } else if all(s.numbers) || (decimal_comma && all(s.comma_numbers)) {
                Type::Number
            } else if all(s.bool_words) {
                Type::Bool
            } else if all(s.iso_dates) {
                Type::Date
            } else if all(s.dmy_dash) {
                format = dash.clone();
                Type::Date
            } else if all(s.dmy_slash) {
                format = slash.clone();
                Type::Date
            } else {
                Type::Text
            };
            // Where the playbook uses a column as a number, date or bool, that decides: a
            // header-only export still runs, and a stray value (`N/A` in a number column)
            // becomes a pointed data error in its row rather than a type error. The sample
            // still gives a date its format.
            let ty = match used_as {
                Some(t) if t != Type::Text && t != ty && !(t == Type::Date && format.is_some()) => {
                    if t != Type::Date {
                        format = None;
                    }
                    t
                }
                _ => ty,
            };
            FieldDef {
                name: name.clone(),
                ty,
                optional: true,
                column: name.clone(),
                format,
                span: Span::default(),
            }
        })
        .collect()
}

/// A date column read day first whose every value also reads month first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmbiguousDates {
    pub column: String,
    /// A value that means two different days (`01/05/2024`).
    pub example: String,
    /// The field's format, day first (`%d/%m/%Y`), and the same month first (`%m/%d/%Y`).
    pub day_first: String,
    pub month_first: String,
}

/// The inferred date fields whose sampled values all read both day first and month first, with
/// at least one that means two different days (`01/05/2024`; `01/01/2024` means one day
/// either way). A value that fits only one order (`13/05/2024`) settles the column.
pub fn ambiguous_dates(
    header: &[String],
    rows: &[Vec<String>],
    fields: &[FieldDef],
) -> Vec<AmbiguousDates> {
    let mut out = Vec::new();
    for (c, field) in fields.iter().enumerate().take(header.len()) {
        let Some(format) = field.format.as_ref().filter(|_| field.ty == Type::Date) else {
            continue;
        };
        let day_first = format.pattern().to_string();
        if !day_first.starts_with("%d") {
            continue;
        }
        let month_first = day_first
            .replacen("%d", "\u{0}", 1)
            .replacen("%m", "%d", 1)
            .replacen("\u{0}", "%m", 1);
        let Ok(swapped) = DateFormat::parse(&month_first) else {
            continue;
        };
        let mut example = None;
        let mut both = true;
        for cell in rows.iter().filter_map(|r| r.get(c)) {
            let t = cell.trim();
            if t.is_empty() {
                continue;
            }
            match (format.parse_date(t), swapped.parse_date(t)) {
                (Some(a), Some(b)) => {
                    if a != b && example.is_none() {
                        example = Some(t.to_string());
                    }
                }
                _ => {
                    both = false;
                    break;
                }
            }
        }
        if let (true, Some(example)) = (both, example) {
            out.push(AmbiguousDates {
                column: header[c].clone(),
                example,
                day_first,
                month_first,
            });
        }
    }
    out
}

/// The column that identifies customers, for `playbook schema` to mark `key`: `id` or
/// `customer_id` as `eval` picks them; else the first column named like a customer's id
/// (`CustomerID`, `Klantnummer`, `klant_nr`) whose sampled values are mostly present; else the
/// first column named like an id (`ID`, `relatienummer`) whose values are all different.
pub fn key_column(header: &[String], rows: &[Vec<String>]) -> Option<usize> {
    if let Some(exact) = (header.iter()).position(|h| h.trim() == "id" || h.trim() == "customer_id")
    {
        return Some(exact);
    }
    let id_like = |name: &str| {
        let n: String = (name.chars())
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        n == "id" || n == "key" || n.ends_with("id") || n.ends_with("nummer") || n.ends_with("nr")
    };
    let unique = |c: usize| {
        let mut seen = std::collections::HashSet::new();
        !rows.is_empty()
            && rows.iter().all(|r| {
                let v = r.get(c).map_or("", |v| v.trim());
                !v.is_empty() && seen.insert(v)
            })
    };
    // Mostly present: a transaction export may hold anonymous rows, which eval then names.
    let present = |c: usize| {
        let filled = (rows.iter())
            .filter(|r| r.get(c).is_some_and(|v| !v.trim().is_empty()))
            .count();
        filled > 0 && filled * 2 >= rows.len()
    };
    // A column that names the customer (`CustomerID`, `klant_id`) is the key even where ids
    // repeat (a transaction export: each row gets its decision, and eval counts the repeats)
    // or some are empty (eval reports those rows: an id cannot be guessed).
    let customer = |name: &str| {
        let n = name.to_lowercase();
        ["customer", "klant", "client", "member", "lid"]
            .iter()
            .any(|w| n.contains(w))
    };
    (0..header.len())
        .find(|&c| id_like(&header[c]) && customer(&header[c]) && present(c))
        .or_else(|| (0..header.len()).find(|&c| id_like(&header[c]) && unique(c)))
}

/// Whether the export writes decimal commas: some column's values are all numbers with a
/// decimal comma (`12,50`), at least one of them with a comma, and they are not all numbers
/// with a point. `playbook schema` then adds `policy { decimal comma }`.
pub fn writes_decimal_comma(header: &[String], rows: &[Vec<String>]) -> bool {
    (0..header.len()).any(|c| {
        let values: Vec<&str> = (rows.iter())
            .filter_map(|r| r.get(c).map(|v| v.trim()))
            .filter(|v| !v.is_empty())
            .collect();
        !values.is_empty()
            && values.iter().any(|v| v.contains(','))
            && values.iter().all(|v| parse_number(v, true).is_some())
            && !values.iter().all(|v| parse_number(v, false).is_some())
    })
}

/// The inferred block, ready to paste into a playbook: `key` on the field at `key` (as text,
/// so that ids keep their leading zeros), and a `policy { decimal comma }` when the export
/// writes them.
pub fn schema_block(fields: &[FieldDef], key: Option<usize>, decimal_comma: bool) -> String {
    let names: Vec<String> = fields.iter().map(|f| display_name(&f.name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let mut out = String::from("customer {\n");
    for (i, (f, name)) in fields.iter().zip(&names).enumerate() {
        let is_key = key == Some(i);
        let ty = match &f.ty {
            _ if is_key => "text".to_string(),
            Type::Text => "text".to_string(),
            Type::Number => "number".to_string(),
            Type::Bool => "bool".to_string(),
            Type::Date => "date".to_string(),
            Type::OneOf(w) => format!("one of {}", w.join(", ")),
            Type::ListOfText => "list of text".to_string(),
        };
        let mut line = format!("  {}  {ty}", crate::fmt::padded(name, width));
        if is_key {
            line.push_str(" key");
        } else if f.optional {
            line.push('?');
        }
        if let Some(fmt) = &f.format {
            line.push_str(&format!(" format \"{}\"", fmt.pattern()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("}\n");
    if decimal_comma {
        out.push_str("\npolicy {\n  decimal comma\n}\n");
    }
    out
}

/// A name as it must be written: plain when it is an identifier that is not a keyword.
pub fn display_name(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !crate::syntax::RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// One-of words are not inferred: a `text` field already supports `F V` and `F is V`.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_types_from_values() {
        let header: Vec<String> = [
            "id",
            "orders",
            "opted_in",
            "last_order",
            "birthday",
            "city",
            "tags",
            "Datum",
        ]
        .map(String::from)
        .to_vec();
        let rows = vec![
            [
                "C1",
                "3",
                "ja",
                "2026-01-02",
                "",
                "Utrecht",
                "vip;b2b",
                "23-11-2026",
            ]
            .map(String::from)
            .to_vec(),
            [
                "C2",
                "-1.5",
                "false",
                "2025-12-31",
                "1990-02-28",
                "Gouda",
                "",
                "01-01-2020",
            ]
            .map(String::from)
            .to_vec(),
        ];
        let f = infer(
            &header,
            &rows,
            false,
            &[("tags".to_string(), Type::ListOfText)],
        );
        let types: Vec<Type> = f.iter().map(|f| f.ty.clone()).collect();
        assert_eq!(
            types,
            vec![
                Type::Text,
                Type::Number,
                Type::Bool,
                Type::Date,
                Type::Date,
                Type::Text,
                Type::ListOfText,
                Type::Date
            ]
        );
        assert!(ambiguous_dates(&header, &rows, &f).is_empty());
        let block = schema_block(&f, key_column(&header, &rows), false);
        assert!(block.contains("id          text key"), "{block}");
        assert!(
            block.contains("Datum       date? format \"%d-%m-%Y\""),
            "{block}"
        );
    }

    #[test]
    fn an_id_like_column_with_unique_values_is_the_key() {
        let header: Vec<String> = ["Naam", "Klantnummer", "customerID"]
            .map(String::from)
            .to_vec();
        let rows = vec![
            vec!["An".to_string(), "0012".into(), "x".into()],
            vec!["An".to_string(), "0013".into(), "x".into()],
        ];
        // `Klantnummer` names the customer and is present in every row.
        assert_eq!(key_column(&header, &rows), Some(1));
        let f = infer(&header, &rows, false, &[]);
        let block = schema_block(&f, Some(1), false);
        assert!(block.contains("Klantnummer  text key\n"), "{block}");
        // A customer's id that repeats (a transaction export) is still the key; an id of
        // something else must be unique.
        let header: Vec<String> = ["Naam", "InvoiceNo", "CustomerID"]
            .map(String::from)
            .to_vec();
        assert_eq!(key_column(&header, &rows), Some(2));
        let header: Vec<String> = ["Naam", "InvoiceNo", "Land"].map(String::from).to_vec();
        assert_eq!(
            key_column(&header, &rows),
            None,
            "InvoiceNo: not an id-like name"
        );
        let header: Vec<String> = ["Naam", "ordernr", "Land"].map(String::from).to_vec();
        assert_eq!(key_column(&header, &rows), Some(1));
        // `id` as eval picks it wins, whatever its values.
        let header: Vec<String> = ["nr", "id"].map(String::from).to_vec();
        assert_eq!(key_column(&header, &rows), Some(1));
        // Nothing id-like and unique: no key.
        let header: Vec<String> = ["Naam", "Stad", "Land"].map(String::from).to_vec();
        assert_eq!(key_column(&header, &rows), None);
    }

    #[test]
    fn decimal_commas_are_found_only_where_every_value_reads_so() {
        let header: Vec<String> = ["id", "bedrag", "aantal"].map(String::from).to_vec();
        let row = |b: &str, a: &str| vec!["C".to_string(), b.to_string(), a.to_string()];
        assert!(writes_decimal_comma(
            &header,
            &[row("12,50", "3"), row("7", "4")]
        ));
        // Whole numbers alone say nothing; a point decides it is not a comma export.
        assert!(!writes_decimal_comma(
            &header,
            &[row("12", "3"), row("7", "4")]
        ));
        assert!(!writes_decimal_comma(
            &header,
            &[row("12.50", "3"), row("7,5", "4")]
        ));
        // A comma list of words is no number.
        assert!(!writes_decimal_comma(&header, &[row("a,b", "3")]));
        let f = infer(&header, &[row("12,50", "3")], true, &[]);
        let block = schema_block(&f, Some(0), true);
        assert!(block.contains("bedrag  number?"), "{block}");
        assert!(block.ends_with("policy {\n  decimal comma\n}\n"), "{block}");
    }

    #[test]
    fn dates_that_read_both_ways_are_named() {
        let header: Vec<String> = ["id", "signup", "seen", "same"].map(String::from).to_vec();
        let row = |a: &str, b: &str, c: &str| vec!["C".to_string(), a.into(), b.into(), c.into()];
        let rows = vec![
            row("01/05/2024", "01/05/2024", "01/01/2024"),
            row("03/04/2024", "13/05/2024", "02/02/2024"),
            row("", "", "12/12/2024"),
        ];
        let f = infer(&header, &rows, false, &[]);
        assert!(f[1..].iter().all(|f| f.ty == Type::Date), "{f:?}");
        let found = ambiguous_dates(&header, &rows, &f);
        assert_eq!(
            found,
            vec![AmbiguousDates {
                column: "signup".into(),
                example: "01/05/2024".into(),
                day_first: "%d/%m/%Y".into(),
                month_first: "%m/%d/%Y".into(),
            }]
        );
    }
}
