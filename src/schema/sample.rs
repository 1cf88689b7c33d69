//! Sampling the start of an export to infer a schema, through the export readers of `data`.

use super::infer::{infer, AmbiguousDates, SAMPLE_ROWS};
use crate::ast::{Expr, ExprKind, Playbook};
use crate::check::model::{FieldDef, Type};
use crate::data::error::DataError;
use crate::data::input::{Input, InputFormat};
use std::io::Read;

/// How the sample is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct SampleOptions {
    /// `--decimal-comma` (the playbook's `decimal comma` also turns it on).
    pub decimal_comma: bool,
    /// The CSV delimiter, when not detected.
    pub delimiter: Option<u8>,
    /// Find out whether numbers are written with a decimal comma (`playbook schema`, whose
    /// block then says so; elsewhere only the flag or the playbook turns it on).
    pub detect_decimal_comma: bool,
}

/// What a sample tells.
pub struct Inferred {
    pub fields: Vec<FieldDef>,
    /// The field that identifies customers (see [`super::infer::key_column`]).
    pub key: Option<usize>,
    /// The export writes decimal commas (found, or said by the options or the playbook).
    pub decimal_comma: bool,
    /// Date columns read day first where every date also reads month first.
    pub ambiguous: Vec<AmbiguousDates>,
}

impl AmbiguousDates {
    /// The warning and its help, for an export named `input`.
    pub fn warning(&self, input: &str) -> (String, String) {
        let name = super::infer::display_name(&self.column);
        let warning = format!(
            "warning: {input}: every date in the column `{}` reads both day first and month first (`{}`: day first {}, month first {}); it is read day first",
            self.column,
            self.example,
            iso_or(&self.example, &self.day_first),
            iso_or(&self.example, &self.month_first),
        );
        let help = format!(
            "  help: say which in a `customer` block: `{name} date? format \"{}\"` (day first) or `{name} date? format \"{}\"` (month first); `playbook schema {input}` prints a block to start from",
            self.day_first, self.month_first,
        );
        (warning, help)
    }
}

/// Reads the start of an export (and puts it back) to infer the fields: those the playbook
/// uses (typed by how it uses them) or, for an empty playbook, every column.
pub fn sample(
    input: &mut Input,
    playbook: &Playbook,
    options: SampleOptions,
) -> Result<Inferred, Box<DataError>> {
    const PREFIX: u64 = 1 << 20;
    let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
    let mut prefix = Vec::new();
    // The first megabyte: a JSON array's items in it, as a CSV's rows.
    let mut limited = reader.take(PREFIX);
    limited.read_to_end(&mut prefix).map_err(|e| {
        Box::new(DataError::new(
            &input.name,
            format!("cannot read the export: {e}"),
        ))
    })?;
    let mut reader = limited.into_inner();
    let usage = usage_types(playbook);
    let decimal_comma = options.decimal_comma
        || playbook.policies().any(|p| {
            p.items
                .iter()
                .any(|i| matches!(i, crate::ast::PolicyItem::DecimalComma { .. }))
        });
    let (header, rows) = match input.format {
        InputFormat::Csv => csv_sample(&prefix, options.delimiter),
        InputFormat::Ndjson => json_sample(
            prefix
                .split(|&b| b == b'\n')
                .filter_map(|l| serde_json::from_slice(l).ok())
                .collect(),
        ),
        InputFormat::Xlsx => xlsx_sample(&prefix, decimal_comma),
        InputFormat::Json => {
            use crate::data::json_array::{items, scan, Between};
            let whole = scan(Between::Start, &prefix, 1, prefix.len() < PREFIX as usize)
                .ok()
                .and_then(|s| s.cut)
                .map_or(0, |(cut, _, _)| cut);
            json_sample(
                items(&prefix[..whole], 1)
                    .filter_map(|(_, item)| serde_json::from_slice(item).ok())
                    .collect(),
            )
        }
    };
    let decimal_comma = decimal_comma
        || (options.detect_decimal_comma && super::infer::writes_decimal_comma(&header, &rows));
    let fields = infer(&header, &rows, decimal_comma, &usage);
    let key = super::infer::key_column(&header, &rows);
    // Day first is a guess where every date also reads month first: the caller says so.
    let ambiguous = super::infer::ambiguous_dates(&header, &rows, &fields);
    let rest = std::mem::replace(&mut reader, Box::new(std::io::empty()));
    input.reader = Box::new(std::io::Cursor::new(prefix).chain(rest));
    Ok(Inferred {
        fields,
        key,
        decimal_comma,
        ambiguous,
    })
}

/// Columns the playbook never names are read as text: a column no rule reads must not stop a
/// run because a row after the sample does not fit the type guessed from the sample
/// (`3511 AB` in a `postcode` column of numbers).
pub fn untype_unread(fields: &mut [FieldDef], playbook: &Playbook) {
    let mut named = std::collections::HashSet::new();
    for condition in playbook.conditions() {
        condition.walk(&mut |e| {
            if let ExprKind::Name(n) = &e.kind {
                named.insert(n.text.clone());
            }
        });
    }
    for rule in playbook.rules() {
        named.extend(
            rule.actions
                .iter()
                .filter_map(|a| a.via.as_ref())
                .map(|v| v.text.clone()),
        );
    }
    for field in fields {
        if !named.contains(&field.name) && field.ty != Type::ListOfText {
            field.ty = Type::Text;
            field.format = None;
        }
    }
}

/// The header and first rows of a sheet (`data::xlsx_in`'s stream, of which `prefix` may
/// hold only the start): number cells as an export with decimal commas writes them.
fn xlsx_sample(prefix: &[u8], decimal_comma: bool) -> (Vec<String>, Vec<Vec<String>>) {
    use crate::data::xlsx_in::{Records, XlsxCell};
    let Some((_, mut records)) = Records::new(prefix) else {
        return (Vec::new(), Vec::new());
    };
    let text = |c: &XlsxCell<'_>| match c {
        XlsxCell::Number(t) if decimal_comma => String::from_utf8_lossy(t).replace('.', ","),
        // An error cell tells nothing of its column's type.
        XlsxCell::Error(_) => String::new(),
        _ => String::from_utf8_lossy(c.text()).into_owned(),
    };
    let mut cells = Vec::new();
    if records.next_row(&mut cells).is_none() {
        return (Vec::new(), Vec::new());
    }
    let header: Vec<String> = cells.iter().map(text).collect();
    let mut rows = Vec::new();
    while rows.len() < SAMPLE_ROWS {
        if records.next_row(&mut cells).is_none() {
            break;
        }
        let mut row: Vec<String> = cells.iter().take(header.len()).map(text).collect();
        row.resize(header.len(), String::new());
        rows.push(row);
    }
    (header, rows)
}

fn csv_sample(prefix: &[u8], delimiter: Option<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    let mut cursor = prefix;
    let Ok(header) = crate::data::csv_in::read_header(&mut cursor, delimiter) else {
        return (Vec::new(), Vec::new());
    };
    let complete =
        crate::data::csv_in::last_record_end(&header.rest, header.delimiter).unwrap_or(0);
    // Records as `eval` splits them; a row that is not CSV tells nothing of the types.
    let mut records = crate::data::split::Records::new(
        &header.rest[..complete],
        header.next_line,
        header.delimiter,
    );
    let mut rows: Vec<Vec<String>> = Vec::new();
    while rows.len() < SAMPLE_ROWS {
        let mut fields = Vec::new();
        match records.next(&mut fields) {
            crate::data::split::Next::Record(_) => rows.push(
                fields
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect(),
            ),
            crate::data::split::Next::Broken(..) => continue,
            crate::data::split::Next::End | crate::data::split::Next::Runaway(..) => break,
        }
    }
    (header.columns, rows)
}

fn json_sample(
    objects: Vec<serde_json::Map<String, serde_json::Value>>,
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = Vec::new();
    for o in objects.iter().take(SAMPLE_ROWS) {
        for k in o.keys() {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    let rows = objects
        .iter()
        .take(SAMPLE_ROWS)
        .map(|o| {
            header
                .iter()
                .map(|k| match o.get(k) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Array(items)) => items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| i.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(";"),
                    Some(v) => v.to_string(),
                })
                .collect()
        })
        .collect();
    (header, rows)
}

/// The type each bare name gets from how conditions use it: `has` makes a list; a comparison
/// with a number, date or text literal (or a list of them), that literal's type; unary minus a
/// number; `within`/`ago`/`anniversary`/
/// `days_since` a date; a name standing alone as a condition a bool.
fn usage_types(playbook: &Playbook) -> Vec<(String, Type)> {
    let mut out: Vec<(String, Type)> = Vec::new();
    let mut note = |name: &Expr, ty: Type| {
        if let ExprKind::Name(n) = &name.kind {
            if !out.iter().any(|(k, _)| *k == n.text) || ty == Type::ListOfText {
                out.retain(|(k, _)| *k != n.text);
                out.push((n.text.clone(), ty));
            }
        }
    };
    let literal = |e: &Expr| match &e.kind {
        ExprKind::Number(_) | ExprKind::Neg(_) => Some(Type::Number),
        ExprKind::Date(_) => Some(Type::Date),
        ExprKind::Text(_) => Some(Type::Text),
        ExprKind::Bool(_) => Some(Type::Bool),
        _ => None,
    };
    let mut visit = |e: &Expr| match &e.kind {
        ExprKind::Has { list, .. } => note(list, Type::ListOfText),
        ExprKind::Compare { left, right, .. } => {
            if let Some(t) = literal(right) {
                note(left, t);
            }
            if let Some(t) = literal(left) {
                note(right, t);
            }
        }
        ExprKind::Between { value, low, .. } => {
            if let Some(t) = literal(low) {
                note(value, t);
            }
        }
        ExprKind::Within { date, .. }
        | ExprKind::MoreThanAgo { date, .. }
        | ExprKind::Anniversary { date, .. } => note(date, Type::Date),
        ExprKind::Call { argument, .. } => note(argument, Type::Date),
        ExprKind::Arith { left, right, .. } => {
            note(left, Type::Number);
            note(right, Type::Number);
        }
        ExprKind::Neg(inner) => note(inner, Type::Number),
        ExprKind::InList { value, items, .. } => {
            if let Some(t) = items.iter().find_map(literal) {
                note(value, t);
            }
        }
        ExprKind::And(items) | ExprKind::Or(items) => {
            items.iter().for_each(|i| note(i, Type::Bool))
        }
        ExprKind::Not(inner) => note(inner, Type::Bool),
        _ => {}
    };
    for e in playbook.conditions() {
        visit(e);
        e.walk(&mut visit);
    }
    // A whole condition that is a bare name is a bool test.
    for e in playbook.conditions() {
        if let ExprKind::Name(_) = &e.kind {
            note(e, Type::Bool);
        }
    }
    out
}

/// `text` read with the date pattern, as an ISO date.
fn iso_or(text: &str, pattern: &str) -> String {
    crate::dates::DateFormat::parse(pattern)
        .ok()
        .and_then(|f| f.parse_date(text.trim()))
        .map_or_else(|| text.to_string(), crate::dates::iso)
}
