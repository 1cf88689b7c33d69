//! Text of a cell → a typed [`Cell`], by the slot's type (language.md §2, §11).

use super::values::{parse_bool, parse_number};
use crate::dates::parse_iso;
use crate::eval::program::{Slot, SlotKind};
use crate::eval::{Cell, ListCell};

/// Parses one cell. `Err` holds the reason, for a data error.
pub fn parse_cell<'r>(slot: &Slot, text: &'r str, decimal_comma: bool) -> Result<Cell<'r>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return match slot.kind {
            // An empty required list is the empty list.
            SlotKind::List => Ok(Cell::List(ListCell::Joined(""))),
            SlotKind::Stage(_) => Ok(Cell::Stage(None)),
            _ if slot.optional => Ok(Cell::Missing),
            _ => Err(format!("`{}` is required, and this cell is empty", slot.name)),
        };
    }
    match &slot.kind {
        SlotKind::Text => Ok(Cell::Text(text)),
        SlotKind::Number => parse_number(trimmed, decimal_comma).map(Cell::Number).ok_or_else(|| {
            let example = if decimal_comma { "12,50" } else { "12.50" };
            let hint = if !decimal_comma && trimmed.contains(',') && parse_number(trimmed, true).is_some() {
                " (it has a decimal comma: add `decimal comma` to the policy or pass --decimal-comma)"
            } else {
                ""
            };
            format!("`{trimmed}` is not a number (like `{example}`){hint}")
        }),
        SlotKind::Bool => parse_bool(trimmed)
            .map(Cell::Bool)
            .ok_or_else(|| format!("`{trimmed}` is not a yes/no value (true/false, yes/no, ja/nee, 1/0)")),
        SlotKind::Date(format) => {
            let parsed = match format {
                Some(f) => f.parse_date(trimmed),
                None => parse_iso(trimmed),
            };
            parsed.map(Cell::Date).ok_or_else(|| match format {
                Some(_) => format!("`{trimmed}` is not a date in the field's format"),
                None if looks_day_first(trimmed) => format!(
                    "`{trimmed}` is not an ISO date (YYYY-MM-DD); for day-first dates add `format \"%d-%m-%Y\"` to the field"
                ),
                None => format!("`{trimmed}` is not a date (YYYY-MM-DD)"),
            })
        }
        SlotKind::Words(words) => match_word(words, trimmed).map(|w| Cell::Word(w as u32)).ok_or_else(|| {
            format!(
                "`{trimmed}` is not one of the words of `{}` ({})",
                slot.name,
                words.join(", ")
            )
        }),
        SlotKind::List => Ok(Cell::List(ListCell::Joined(text))),
        SlotKind::Stage(stages) => match match_word(stages, trimmed) {
            Some(s) => Ok(Cell::Stage(Some(s as u16))),
            None => Err(format!("`{trimmed}` is not a stage of this journey ({})", stages.join(", "))),
        },
    }
}

fn looks_day_first(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 8 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && matches!(b[2], b'-' | b'/' | b'.')
}

/// Finds a word among lower-cased words, without regard to case.
pub fn match_word(lower_words: &[String], text: &str) -> Option<usize> {
    if text.is_ascii() {
        lower_words.iter().position(|w| w.len() == text.len() && w.bytes().zip(text.bytes()).all(|(a, b)| a == b.to_ascii_lowercase()))
    } else {
        let lower = text.to_lowercase();
        lower_words.iter().position(|w| *w == lower)
    }
}
