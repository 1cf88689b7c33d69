//! Bytes of a cell → a typed [`Cell`], by the slot's type (language.md §2, §11).
//!
//! Numbers, dates and bools are read from the bytes directly; only cells kept as
//! text (text, words, lists, the key) are checked to be UTF-8.

use super::cell::{Cell, ListCell};
use super::slot::{Slot, SlotKind};
use super::words::{parse_bool_bytes, parse_number};
use crate::dates::{checked_days, parse_iso};

/// How an export writes numbers (language.md §11 "Numbers").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbers {
    /// `12.50`.
    Point,
    /// `12,50`; a `.` in a number is a thousands separator, an error.
    Comma,
    /// `12.50` in a `;`-separated export: there `2.500` is most likely Dutch for 2500, so
    /// a value of that shape is an error that suggests the decimal comma.
    PointBesideSemicolons,
}

impl Numbers {
    pub fn new(decimal_comma: bool, delimiter: u8) -> Numbers {
        match (decimal_comma, delimiter) {
            (true, _) => Numbers::Comma,
            (false, b';') => Numbers::PointBesideSemicolons,
            (false, _) => Numbers::Point,
        }
    }

    fn comma(self) -> bool {
        self == Numbers::Comma
    }
}

/// Parses one cell. `Err` holds the reason, for a data error.
///
/// Most cells are read inline by `plain_cell`; only the others take the full reader with
/// its trimming and messages.
#[inline(always)]
pub fn parse_cell<'r>(slot: &Slot, raw: &'r [u8], numbers: Numbers) -> Result<Cell<'r>, String> {
    match plain_cell(slot, raw, numbers) {
        Some(cell) => Ok(cell),
        None => full_cell(slot, raw, numbers),
    }
}

/// The plain forms most cells take — no white space at either end, a value of the slot's type
/// — read without trimming or building messages. `None` does not mean the cell is bad, only
/// that [`full_cell`] must read it: for every cell this returns `Some` for, `full_cell`
/// returns the same cell.
#[inline(always)]
fn plain_cell<'r>(slot: &Slot, raw: &'r [u8], numbers: Numbers) -> Option<Cell<'r>> {
    let (Some(&first), Some(&last)) = (raw.first(), raw.last()) else {
        return match slot.kind {
            SlotKind::Stage(_) => Some(Cell::Stage(None)),
            _ if slot.optional => Some(Cell::Missing),
            // An empty required list is the empty list (§11 "Empty lists").
            SlotKind::List => Some(Cell::List(ListCell::Joined(""))),
            _ => None,
        };
    };
    // Control characters, spaces and non-ASCII bytes at the ends may be white space to trim.
    if first <= b' ' || last <= b' ' || first >= 0x80 || last >= 0x80 {
        return None;
    }
    match &slot.kind {
        SlotKind::Number => number(raw, numbers).map(Cell::Number),
        SlotKind::Date(None) => iso_bytes(raw).map(Cell::Date),
        SlotKind::Bool => parse_bool_bytes(raw).map(Cell::Bool),
        SlotKind::Words(words) if raw.is_ascii() => {
            ascii_word(words, raw).map(|w| Cell::Word(w as u32))
        }
        SlotKind::Text => ascii(raw).map(Cell::Text),
        SlotKind::List => ascii(raw).map(|t| Cell::List(ListCell::Joined(t))),
        SlotKind::Words(_) | SlotKind::Date(Some(_)) | SlotKind::Stage(_) => None,
    }
}

/// An ASCII cell as text. Most ids and lists are short ASCII, where `str::from_utf8` spends
/// a hundred instructions on its set-up; others go to `parse_cell`.
#[inline(always)]
fn ascii(raw: &[u8]) -> Option<&str> {
    if raw.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(raw) })
    } else {
        None
    }
}

/// Any cell, trimmed as `str::trim`; the reason when it cannot be read.
#[inline(never)]
fn full_cell<'r>(slot: &Slot, raw: &'r [u8], numbers: Numbers) -> Result<Cell<'r>, String> {
    let mut bytes = raw.trim_ascii();
    // Unicode white space (e.g. a no-break space) at either end: trim as `str::trim`.
    if bytes.first().is_some_and(|b| *b >= 0x80) || bytes.last().is_some_and(|b| *b >= 0x80) {
        if let Ok(s) = std::str::from_utf8(bytes) {
            bytes = s.trim().as_bytes();
        }
    }
    if bytes.is_empty() {
        return match slot.kind {
            SlotKind::Stage(_) => Ok(Cell::Stage(None)),
            // An empty optional list is missing, like any optional field (§11 "Empty lists").
            _ if slot.optional => Ok(Cell::Missing),
            // An empty required list is the empty list.
            SlotKind::List => Ok(Cell::List(ListCell::Joined(""))),
            _ => Err(format!(
                "`{}` is required, and this cell is empty",
                slot.name
            )),
        };
    }
    // A cell quoted in a message is cut short: a 10 MB cell must not make a 10 MB message.
    let shown = || excerpt(&String::from_utf8_lossy(bytes)).into_owned();
    match &slot.kind {
        SlotKind::Text => text(bytes).map(Cell::Text),
        SlotKind::Number => number(bytes, numbers)
            .map(Cell::Number)
            .ok_or_else(|| not_a_number(&String::from_utf8_lossy(bytes), numbers)),
        SlotKind::Bool => parse_bool_bytes(bytes).map(Cell::Bool).ok_or_else(|| {
            // A Dutch Excel writes its TRUE and FALSE as WAAR and ONWAAR.
            let excel = match String::from_utf8_lossy(bytes)
                .trim()
                .to_lowercase()
                .as_str()
            {
                "waar" => " (`WAAR` is a Dutch Excel's TRUE: write `true` or `ja`)",
                "onwaar" => " (`ONWAAR` is a Dutch Excel's FALSE: write `false` or `nee`)",
                _ => "",
            };
            format!(
                "`{}` is not a yes/no value (true/false, yes/no, ja/nee, 1/0){excel}",
                shown()
            )
        }),
        SlotKind::Date(format) => {
            let parsed = match format {
                None => iso_bytes(bytes),
                Some(f) => std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|t| f.parse_date(t)),
            };
            parsed.map(Cell::Date).ok_or_else(|| {
                let full = String::from_utf8_lossy(bytes);
                let t = excerpt(&full);
                match format {
                    Some(f) => format!("`{t}` is not a date in the field's format `{}`", f.pattern()),
                    None if looks_day_first(&full) => format!(
                        "`{t}` is not an ISO date (YYYY-MM-DD); for day-first dates add `format \"%d-%m-%Y\"` to the field"
                    ),
                    None if parse_iso_shape(&full) => format!("`{t}` is not a date in the calendar"),
                    None => format!("`{t}` is not a date (YYYY-MM-DD)"),
                }
            })
        }
        SlotKind::Words(words) => {
            let found = if bytes.is_ascii() {
                ascii_word(words, bytes)
            } else {
                match_word(words, text(bytes)?)
            };
            found.map(|w| Cell::Word(w as u32)).ok_or_else(|| {
                format!(
                    "`{}` is not one of the words of `{}` ({})",
                    shown(),
                    slot.name,
                    words.join(", ")
                )
            })
        }
        SlotKind::List => text(raw).map(|t| Cell::List(ListCell::Joined(t))),
        SlotKind::Stage(stages) => {
            let t = text(bytes)?;
            match match_word(stages, t) {
                Some(s) => Ok(Cell::Stage(Some(s as u16))),
                None => Err(format!(
                    "`{}` is not a stage of this journey ({})",
                    excerpt(t),
                    stages.join(", ")
                )),
            }
        }
    }
}

/// Why a cell is not a number, with what it most likely is.
fn not_a_number(full: &str, numbers: Numbers) -> String {
    let t = full;
    let without_dots = t.replace('.', "");
    // `1.250` and `1.250,50` group thousands; `29.85` or `12.5` is a decimal point.
    let integer_part = t.split(',').next().unwrap_or(t);
    if numbers == Numbers::Comma
        && t.contains('.')
        && !thousands_shaped(integer_part.as_bytes())
        && parse_number(t, false).is_some()
    {
        return format!(
            "`{}` has a decimal point, but this export is read with decimal commas (`decimal comma` in the policy, or --decimal-comma): if the export writes decimals with a point, leave that out; else write `{}`",
            excerpt(t),
            excerpt(&t.replace('.', ","))
        );
    }
    if numbers == Numbers::Comma && t.contains('.') && parse_number(&without_dots, true).is_some() {
        return format!(
            "`{}` has a `.` as a thousands separator, which exports must not use: write `{}`",
            excerpt(t),
            excerpt(&without_dots)
        );
    }
    if numbers != Numbers::Comma && thousands_shaped(full.as_bytes()) {
        return format!(
            "`{}` looks like a number with `.` as a thousands separator (Dutch notation): if the export writes decimals with a comma, add `decimal comma` to the policy or pass --decimal-comma, and write numbers without thousands separators",
            excerpt(full)
        );
    }
    let example = if numbers.comma() { "12,50" } else { "12.50" };
    let hint = if !numbers.comma() && full.contains(',') && parse_number(full, true).is_some() {
        " (it has a decimal comma: add `decimal comma` to the policy or pass --decimal-comma)"
    } else {
        ""
    };
    let t = excerpt(full);
    format!("`{t}` is not a number (like `{example}`){hint}")
}

/// One to three digits, then groups of a `.` and exactly three digits (`2.500`, `1.250.000`),
/// after an optional sign.
fn thousands_shaped(b: &[u8]) -> bool {
    let b = b
        .strip_prefix(b"-")
        .or_else(|| b.strip_prefix(b"+"))
        .unwrap_or(b);
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let groups = &b[lead..];
    (1..=3).contains(&lead)
        && !groups.is_empty()
        && groups.len().is_multiple_of(4)
        && groups
            .chunks(4)
            .all(|g| g[0] == b'.' && g[1..].iter().all(u8::is_ascii_digit))
}

fn text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "this cell is not valid UTF-8 (byte {} of the cell); the export may be in Windows-1252 or Latin-1: save it as UTF-8 or pass --encoding windows-1252",
            e.valid_up_to() + 1
        )
    })
}

/// A number; plain decimals take an exact fast path (mantissa / 10^k rounds correctly).
#[inline]
pub fn number(bytes: &[u8], numbers: Numbers) -> Option<f64> {
    let sep = if numbers.comma() { b',' } else { b'.' };
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    // At most 15 digits (and one separator) is exact in an f64's mantissa.
    if digits.len() <= 16 {
        let mut mantissa: u64 = 0;
        let mut point = usize::MAX;
        let mut plain = true;
        for (i, &b) in digits.iter().enumerate() {
            let d = b.wrapping_sub(b'0');
            if d < 10 {
                mantissa = mantissa * 10 + u64::from(d);
            } else if b == sep && point == usize::MAX {
                point = i;
            } else {
                plain = false;
                break;
            }
        }
        let count = digits.len() - usize::from(point != usize::MAX);
        if plain && count > 0 && count <= 15 {
            const POW10: [f64; 16] = [
                1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                1e15,
            ];
            // Whole numbers need no division (the slowest step here).
            let value = if point == usize::MAX {
                mantissa as f64
            } else {
                mantissa as f64 / POW10[digits.len() - point - 1]
            };
            // `2.500` beside `;`: one to three digits and three decimals (checked only then).
            if numbers == Numbers::PointBesideSemicolons
                && point != usize::MAX
                && (1..=3).contains(&point)
                && digits.len() - point == 4
            {
                return None;
            }
            return Some(if negative { -value } else { value });
        }
    }
    number_slow(bytes, numbers)
}

/// Exponents, long mantissas: the standard parser.
#[cold]
#[inline(never)]
fn number_slow(bytes: &[u8], numbers: Numbers) -> Option<f64> {
    parse_number(std::str::from_utf8(bytes).ok()?, numbers.comma())
}

#[inline]
fn iso_bytes(b: &[u8]) -> Option<i32> {
    let b: &[u8; 10] = b.try_into().ok()?;
    let d = b.map(|x| u32::from(x.wrapping_sub(b'0')));
    let digits = [d[0], d[1], d[2], d[3], d[5], d[6], d[8], d[9]];
    if b[4] != b'-' || b[7] != b'-' || digits.iter().any(|&x| x > 9) {
        return None;
    }
    let year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
    checked_days(year as i32, d[5] * 10 + d[6], d[8] * 10 + d[9])
}

fn parse_iso_shape(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && parse_iso(t).is_none()
}

fn looks_day_first(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 8
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && matches!(b[2], b'-' | b'/' | b'.')
}

/// Finds a word among lower-cased words, without regard to case.
pub fn match_word(lower_words: &[String], text: &str) -> Option<usize> {
    if text.is_ascii() {
        ascii_word(lower_words, text.as_bytes())
    } else {
        let lower = text.to_lowercase();
        lower_words.iter().position(|w| *w == lower)
    }
}

/// Finds ASCII `text` among lower-cased words, without regard to case.
fn ascii_word(lower_words: &[String], text: &[u8]) -> Option<usize> {
    lower_words.iter().position(|w| {
        w.len() == text.len()
            && w.bytes()
                .zip(text)
                .all(|(a, b)| a == b.to_ascii_lowercase())
    })
}

/// The most bytes of a cell quoted in a message.
pub const QUOTED_BYTES: usize = 60;

/// A cell's text for a message: whole when short, else its start and how long it is.
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= QUOTED_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut cut = QUOTED_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} bytes in all)", &text[..cut], text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_numbers_equal_the_standard_parser() {
        for t in [
            "0",
            "12",
            "-3.5",
            "+3",
            ".5",
            "232.66",
            "1102.09",
            "0.1",
            "999999999999999",
            "5.",
            "123456.789012345",
            "1234567890123456",
            // Found by fuzzing: more digits than a u64 holds overflowed the fast path.
            "77777777777777777777777777777777777777777777",
            "-0.000000000000000000001",
        ] {
            assert_eq!(
                number(t.as_bytes(), Numbers::Point),
                parse_number(t, false),
                "{t}"
            );
        }
        assert_eq!(number(b"12,50", Numbers::Comma), Some(12.5));
        assert_eq!(number(b"1e3", Numbers::Point), Some(1000.0));
        assert_eq!(number(b"1,000", Numbers::Point), None);
        assert_eq!(number(b"-", Numbers::Point), None);
        assert_eq!(number(b".", Numbers::Point), None);
    }

    /// Issue 16.2: `1.000` beside `;` was read as 1; `1.250,50` with a decimal comma was
    /// refused without naming the thousands separator.
    #[test]
    fn dutch_thousands_are_data_errors_where_they_are_likely() {
        let beside = Numbers::PointBesideSemicolons;
        for t in ["2.500", "12.000", "-1.000", "+999.999", "100.250"] {
            assert_eq!(number(t.as_bytes(), beside), None, "{t}");
            assert_eq!(
                number(t.as_bytes(), Numbers::Point),
                parse_number(t, false),
                "{t}"
            );
            assert!(not_a_number(t, beside).contains("decimal comma"), "{t}");
        }
        // Other shapes stay numbers beside `;`.
        for (t, want) in [
            ("2.5", 2.5),
            ("2.50", 2.5),
            ("1000.500", 1000.5),
            ("0.1234", 0.1234),
            ("12", 12.0),
        ] {
            assert_eq!(number(t.as_bytes(), beside), Some(want), "{t}");
        }
        assert!(not_a_number("1.250.000", beside).contains("thousands separator"));
        assert_eq!(number(b"1.250,50", Numbers::Comma), None);
        assert!(not_a_number("1.250,50", Numbers::Comma).contains("`.` as a thousands separator"));
        assert!(not_a_number("1.250,50", Numbers::Comma).contains("`1250,50`"));
        // A decimal point is no thousands separator: `29.85` must not be told to become 2985.
        for (t, want) in [
            ("29.85", "`29,85`"),
            ("12.5", "`12,5`"),
            ("12.50", "`12,50`"),
        ] {
            let why = not_a_number(t, Numbers::Comma);
            assert!(
                why.contains("decimal point") && why.contains(want),
                "{t}: {why}"
            );
        }
        assert!(not_a_number("1.250", Numbers::Comma).contains("`1250`"));
        assert_eq!(Numbers::new(false, b';'), beside);
        assert_eq!(Numbers::new(false, b','), Numbers::Point);
        assert_eq!(Numbers::new(true, b';'), Numbers::Comma);
    }

    /// A Dutch Excel's WAAR/ONWAAR are not read (the language's words are fixed), but named.
    #[test]
    fn dutch_excel_bools_are_named() {
        let slot = Slot {
            name: "opted_in".into(),
            column: "opted_in".into(),
            kind: SlotKind::Bool,
            optional: true,
        };
        let why = full_cell(&slot, b"WAAR", Numbers::Point).expect_err("not read");
        assert!(why.contains("Dutch Excel's TRUE"), "{why}");
        let why = full_cell(&slot, b"onwaar", Numbers::Point).expect_err("not read");
        assert!(why.contains("write `false` or `nee`"), "{why}");
    }

    #[test]
    fn plain_cells_read_as_the_full_reader_reads_them() {
        let kinds = [
            SlotKind::Text,
            SlotKind::Number,
            SlotKind::Bool,
            SlotKind::Date(None),
            SlotKind::Words(vec!["none".into(), "open".into(), "één".into()]),
            SlotKind::List,
            SlotKind::Stage(vec!["a".into(), "b".into()]),
        ];
        let cells = [
            "",
            " ",
            "12",
            " 12",
            "12 ",
            "\u{a0}12",
            "-3.5",
            "+.5",
            "1e3",
            "1_000",
            "12,5",
            "inf",
            "0000000000000001",
            "1234567890123456",
            "123456789012345.",
            "2026-11-23",
            "2026-02-29",
            "2026-1-23",
            "0000-01-01",
            "2026-11-23\u{b}",
            "true",
            "JA",
            "nee",
            "2",
            "none",
            "OPEN",
            "één",
            "ÉÉN",
            "open\t",
            "vip;b2b",
            " vip ; b2b ",
            "caf\u{e9}",
            "a",
            "B",
            "\u{b}x",
            "x\u{85}",
        ];
        let mut compared = 0;
        for kind in &kinds {
            for optional in [false, true] {
                let slot = Slot {
                    name: "f".into(),
                    column: "f".into(),
                    kind: kind.clone(),
                    optional,
                };
                for text in cells
                    .iter()
                    .map(|t| t.as_bytes())
                    .chain([&b"\xff"[..], b"a\xe9"])
                {
                    for numbers in [
                        Numbers::Point,
                        Numbers::Comma,
                        Numbers::PointBesideSemicolons,
                    ] {
                        if let Some(plain) = plain_cell(&slot, text, numbers) {
                            assert_eq!(
                                Ok(plain),
                                full_cell(&slot, text, numbers),
                                "{kind:?} {text:?}"
                            );
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert!(compared > 150, "{compared}");
    }

    #[test]
    fn iso_dates_from_bytes() {
        assert_eq!(iso_bytes(b"2026-11-23"), parse_iso("2026-11-23"));
        assert_eq!(iso_bytes(b"2026-02-29"), None);
        assert_eq!(iso_bytes(b"2026-1-23x"), None);
    }
}
