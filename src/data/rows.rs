//! One record → the customer id and a typed cell per program slot.

use crate::row::parse::{parse_cell, Numbers};
use crate::row::{Binding, Cell, ListCell, SlotKind};

/// A cell that could not be read: which column, and why.
#[derive(Debug)]
pub struct CellError {
    /// The column's index in the header (None: the row as a whole).
    pub column: Option<usize>,
    pub message: String,
}

/// Reads a CSV record's fields into `cells`; returns the customer id.
pub fn csv_row<'r>(
    binding: &Binding,
    fields: &[&'r [u8]],
    columns: usize,
    numbers: Numbers,
    cells: &mut Vec<Cell<'r>>,
) -> Result<&'r str, CellError> {
    if fields.len() != columns {
        return Err(CellError {
            column: None,
            message: format!(
                "this row has {} cell{}, and the header has {columns} column{}",
                fields.len(),
                if fields.len() == 1 { "" } else { "s" },
                if columns == 1 { "" } else { "s" }
            ),
        });
    }
    cells.clear();
    for (slot, column) in binding.bound() {
        let cell = match column {
            None => match slot.kind {
                SlotKind::List if !slot.optional => Cell::List(ListCell::Joined("")),
                _ => Cell::Missing,
            },
            Some(c) => parse_cell(slot, fields[c], numbers).map_err(|message| CellError {
                column: Some(c),
                message,
            })?,
        };
        cells.push(cell);
    }
    row_id(binding, fields, cells)
}

/// Reads a sheet's row (`xlsx_in`) as [`csv_row`] reads a record, but for date cells: a
/// field of type date takes a date cell's day, whatever format its text is read in.
/// `days`: per column, the day of a date cell.
pub fn xlsx_row<'r>(
    binding: &Binding,
    fields: &[&'r [u8]],
    days: &[Option<i32>],
    numbers: Numbers,
    cells: &mut Vec<Cell<'r>>,
) -> Result<&'r str, CellError> {
    cells.clear();
    for (slot, column) in binding.bound() {
        let cell = match column {
            None => match slot.kind {
                SlotKind::List if !slot.optional => Cell::List(ListCell::Joined("")),
                _ => Cell::Missing,
            },
            Some(c) => match (&slot.kind, days.get(c).copied().flatten()) {
                (SlotKind::Date(_), Some(day)) => Cell::Date(day),
                _ => parse_cell(slot, fields.get(c).copied().unwrap_or(b""), numbers).map_err(
                    |message| CellError {
                        column: Some(c),
                        message,
                    },
                )?,
            },
        };
        cells.push(cell);
    }
    row_id(binding, fields, cells)
}

/// The customer id of a row read into `cells`.
fn row_id<'r>(
    binding: &Binding,
    fields: &[&'r [u8]],
    cells: &[Cell<'r>],
) -> Result<&'r str, CellError> {
    // The key's text as its slot read it (checked UTF-8, trimmed but for a vertical tab).
    let key_text = binding.key_slot.and_then(|k| match cells[k] {
        Cell::Text(t) => Some(t),
        _ => None,
    });
    let id = match key_text {
        Some(t) => t.trim(),
        None => std::str::from_utf8(fields.get(binding.key_column).copied().unwrap_or(b""))
            .map_err(|e| CellError {
                column: Some(binding.key_column),
                message: format!(
                    "the customer id is not valid UTF-8 (byte {}); the export may be in Windows-1252: save it as UTF-8",
                    e.valid_up_to() + 1
                ),
            })?
            .trim(),
    };
    if id.is_empty() {
        return Err(CellError {
            column: Some(binding.key_column),
            message: "the customer id is empty".to_string(),
        });
    }
    Ok(id)
}

/// The byte range of field `index` in a raw CSV record (for pointing at a bad cell).
pub fn field_range(raw: &[u8], delimiter: u8, index: usize) -> Option<std::ops::Range<usize>> {
    let mut field = 0;
    let mut start = 0;
    let mut inside = false;
    let mut at_start = true;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if inside {
            if b == b'"' {
                if raw.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                inside = false;
            }
            i += 1;
            continue;
        }
        if b == b'"' && at_start {
            inside = true;
            at_start = false;
            i += 1;
            continue;
        }
        at_start = false;
        if b == delimiter || b == b'\n' || b == b'\r' {
            if field == index {
                return Some(start..i);
            }
            if b != delimiter {
                return None;
            }
            field += 1;
            start = i + 1;
            at_start = true;
        }
        i += 1;
    }
    (field == index).then_some(start..raw.len())
}

/// The columns a program reads from JSON records: name → header position.
pub fn json_index(binding: &Binding, header: &[String]) -> super::json_in::ColumnIndex {
    binding
        .read_columns()
        .filter_map(|c| header.get(c).map(|h| (h.clone(), c)))
        .collect()
}

/// Integers beyond this are not exact in an f64: read as text they would lose digits.
const EXACT: f64 = 9_007_199_254_740_992.0;

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Turns values that a slot reads as text (a number in a text field, a numeric id) into text,
/// so that cells can borrow them.
pub fn json_prepare(binding: &Binding, values: &mut [super::json_in::JsonCell<'_>]) {
    use super::json_in::JsonCell as J;
    let as_text = |values: &mut [J<'_>], c: usize| {
        if let Some(v) = values.get_mut(c) {
            match v {
                // A larger one stays a number: its digits are not known (see `json_cells`).
                J::Number(n) if n.abs() < EXACT => {
                    *v = J::Text(std::borrow::Cow::Owned(number_text(*n)))
                }
                J::Bool(b) => {
                    *v = J::Text(std::borrow::Cow::Borrowed(if *b {
                        "true"
                    } else {
                        "false"
                    }))
                }
                _ => {}
            }
        }
    };
    for (slot, column) in binding.bound() {
        if let Some(c) = column {
            // Numbers stay numbers for number fields; 0/1 for a bool is decided later.
            if !matches!(slot.kind, SlotKind::Number | SlotKind::Bool) {
                as_text(values, c);
            }
        }
    }
    as_text(values, binding.key_column);
}

/// Reads a prepared JSON record into `cells`; returns the customer id.
pub fn json_cells<'r>(
    binding: &Binding,
    values: &'r [super::json_in::JsonCell<'r>],
    decimal_comma: bool,
    cells: &mut Vec<Cell<'r>>,
) -> Result<&'r str, CellError> {
    use super::json_in::JsonCell as J;
    // JSON has no delimiter: `2.500` there is 2.5.
    let numbers = Numbers::new(decimal_comma, b',');
    cells.clear();
    for (slot, column) in binding.bound() {
        let fail = |message: String| CellError { column, message };
        let value = column.and_then(|c| values.get(c)).unwrap_or(&J::Absent);
        let cell = match value {
            // JSON can write `[]`: no value for a required list is an error (§11 "Empty lists").
            J::Absent | J::Null if matches!(slot.kind, SlotKind::List) && !slot.optional => {
                return Err(fail(format!(
                    "`{}` is a required list, and this record has {}; write `[]` for the empty list",
                    slot.name,
                    if matches!(value, J::Null) { "null" } else { "no such key" }
                )))
            }
            J::Absent | J::Null => parse_cell(slot, b"", numbers).map_err(fail)?,
            J::Bool(b) => match slot.kind {
                SlotKind::Bool => Cell::Bool(*b),
                _ => parse_cell(slot, if *b { b"true" } else { b"false" }, numbers)
                    .map_err(fail)?,
            },
            J::Number(n) => match slot.kind {
                SlotKind::Number => Cell::Number(*n),
                SlotKind::Bool if *n == 0.0 || *n == 1.0 => Cell::Bool(*n == 1.0),
                // Read as text it would lose digits (json_prepare left it a number).
                _ if n.abs() >= EXACT => {
                    return Err(fail(format!(
                        "`{}` is read as text, and this number is too long to keep its digits exactly: write it as a JSON string",
                        slot.name
                    )))
                }
                _ => {
                    return Err(fail(format!(
                        "`{}` cannot be read from the number {n}",
                        slot.name
                    )))
                }
            },
            J::Text(t) => parse_cell(slot, t.as_bytes(), numbers).map_err(fail)?,
            J::List(items) => match slot.kind {
                SlotKind::List => Cell::List(ListCell::Items(items)),
                _ => {
                    return Err(fail(format!(
                        "`{}` is not a list field, and this value is a list",
                        slot.name
                    )))
                }
            },
            J::Object => {
                return Err(fail(format!(
                    "`{}` cannot be read from a JSON object",
                    slot.name
                )))
            }
        };
        cells.push(cell);
    }
    let id = match values.get(binding.key_column) {
        Some(J::Text(t)) => t.trim(),
        Some(J::Number(_)) => {
            return Err(CellError {
                column: Some(binding.key_column),
                message: "the customer id is a number too long to keep its digits exactly: write it as a JSON string".to_string(),
            })
        }
        _ => "",
    };
    if id.is_empty() {
        return Err(CellError {
            column: Some(binding.key_column),
            message: "the customer id is empty or absent".to_string(),
        });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ranges_skip_quoted_delimiters() {
        let raw = b"a,\"b,c\",d\r\n";
        assert_eq!(field_range(raw, b',', 0), Some(0..1));
        assert_eq!(field_range(raw, b',', 1), Some(2..7));
        assert_eq!(field_range(raw, b',', 2), Some(8..9));
        assert_eq!(field_range(raw, b',', 3), None);
    }
}
