//! One JSON object → the values of the columns a program reads, borrowed from
//! the input where possible. Keys nobody reads are skipped without building them.

use crate::row::{Slot, SlotKind};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON value, as far as a cell needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonCell<'a> {
    Absent,
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    List(Vec<String>),
    /// An object: no cell can hold one.
    Object,
}

/// Column name → position, for the columns a program reads. A program reads a few
/// columns, so a short list searched in order beats hashing every key of every record.
#[derive(Clone, Debug, Default)]
pub struct ColumnIndex {
    columns: Vec<(String, usize)>,
}

impl ColumnIndex {
    pub fn get(&self, key: &str) -> Option<&usize> {
        self.columns
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, at)| at)
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// The columns of the keys of the last record, by their place in it: exports write every
/// record's keys in one order, so a key is found by one comparison.
#[derive(Debug, Default)]
pub struct KeyOrder {
    /// Per place: the key seen there and its column.
    seen: Vec<(Box<str>, Option<usize>)>,
}

impl KeyOrder {
    fn column(&mut self, place: usize, key: &str, index: &ColumnIndex) -> Option<usize> {
        match self.seen.get(place) {
            Some((k, column)) if **k == *key => *column,
            _ => {
                let column = index.get(key).copied();
                // Places are asked for in order, so `seen` is never shorter than `place`.
                // Records of hundreds of keys are looked up each time rather than remembered.
                if place < 256 && place <= self.seen.len() {
                    self.seen.truncate(place);
                    self.seen.push((Box::from(key), column));
                }
                column
            }
        }
    }
}

impl FromIterator<(String, usize)> for ColumnIndex {
    fn from_iter<I: IntoIterator<Item = (String, usize)>>(iter: I) -> ColumnIndex {
        let mut columns: Vec<(String, usize)> = Vec::new();
        for (k, at) in iter {
            if !columns.iter().any(|(c, _)| *c == k) {
                columns.push((k, at));
            }
        }
        ColumnIndex { columns }
    }
}

/// Parses one object into `out`: `out[i]` is the value of the column that `index` maps to `i`
/// (`Absent` when the object lacks it). `len` is one more than the largest position.
pub fn parse_object<'a>(
    bytes: &'a [u8],
    index: &ColumnIndex,
    len: usize,
    out: &mut Vec<JsonCell<'a>>,
    order: &mut KeyOrder,
) -> Result<(), String> {
    out.clear();
    out.resize(len, JsonCell::Absent);
    if flat_object(bytes, index, out, order).is_some() {
        return Ok(());
    }
    // Anything else (escapes, arrays, fractions, errors) is serde_json's to read or describe.
    serde_object(bytes, index, len, out)
}

fn serde_object<'a>(
    bytes: &'a [u8],
    index: &ColumnIndex,
    len: usize,
    out: &mut Vec<JsonCell<'a>>,
) -> Result<(), String> {
    out.clear();
    out.resize(len, JsonCell::Absent);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    ObjectSeed { index, out }
        .deserialize(&mut de)
        .and_then(|_| de.end())
        .map_err(|e| e.to_string())
}

/// The shape nearly every exported record has, read without serde: one object whose values
/// are strings without escapes, `null`, `true`, `false` or small non-negative integers.
/// `None` (with `out` partly filled) for anything else, which then goes to serde_json; for
/// every line it reads, it reads what serde_json reads.
fn flat_object<'a>(
    line: &'a [u8],
    index: &ColumnIndex,
    out: &mut [JsonCell<'a>],
    order: &mut KeyOrder,
) -> Option<()> {
    // Escapes are serde_json's; without them every string ends at the next quote.
    if memchr::memchr(b'\\', line).is_some() {
        return None;
    }
    // UTF-8 checked once for the line, not per string; strings are cut at ASCII quotes, so
    // their ends are character boundaries.
    let text = std::str::from_utf8(line).ok()?;
    let mut flat = Flat {
        text,
        bytes: line,
        quotes: memchr::memchr_iter(b'"', line),
        // Without control characters (the usual case) no string needs a look for them.
        controls: line.iter().fold(false, |any, &b| any | (b < 0x20)),
    };
    let bytes = flat.bytes;
    let mut at = flat.space(0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = flat.space(at + 1);
    if bytes.get(at) == Some(&b'}') {
        return (flat.space(at + 1) == bytes.len()).then_some(());
    }
    for place in 0.. {
        let (key, next) = flat.string(at)?;
        at = flat.space(next);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = flat.space(at + 1);
        let (value, next) = flat.value(at)?;
        if let Some(column) = order.column(place, key, index) {
            // A key read twice is serde_json's path to report (see `ObjectSeed`).
            if !matches!(out[column], JsonCell::Absent) {
                return None;
            }
            out[column] = value;
        }
        at = flat.space(next);
        match bytes.get(at) {
            Some(b',') => at = flat.space(at + 1),
            Some(b'}') => return (flat.space(at + 1) == bytes.len()).then_some(()),
            _ => return None,
        }
    }
    None
}

/// A line that is valid UTF-8, as text and as bytes.
struct Flat<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// The line's quotes in order: strings are read in order, each from one to the next.
    quotes: memchr::Memchr<'a>,
    controls: bool,
}

impl<'a> Flat<'a> {
    /// Past JSON's white space.
    fn space(&self, mut at: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(at) {
            at += 1;
        }
        at
    }

    /// A string starting at `at` with no escapes and no control characters; the index after it.
    fn string(&mut self, at: usize) -> Option<(&'a str, usize)> {
        // A quote anywhere else than where a string starts is not this shape.
        if self.quotes.next() != Some(at) {
            return None;
        }
        let end = self.quotes.next()?;
        let text = self.text.get(at + 1..end)?;
        if self.controls && text.bytes().any(|b| b < 0x20) {
            return None;
        }
        Some((text, end + 1))
    }

    /// A string, `null`, `true`, `false` or an integer of at most 15 digits (exact in an f64).
    fn value(&mut self, at: usize) -> Option<(JsonCell<'a>, usize)> {
        let bytes = self.bytes;
        let word = |w: &[u8], cell: JsonCell<'static>| {
            bytes[at..].starts_with(w).then_some((cell, at + w.len()))
        };
        match *bytes.get(at)? {
            b'"' => self
                .string(at)
                .map(|(t, next)| (JsonCell::Text(Cow::Borrowed(t)), next)),
            b'n' => word(b"null", JsonCell::Null),
            b't' => word(b"true", JsonCell::Bool(true)),
            b'f' => word(b"false", JsonCell::Bool(false)),
            b'0'..=b'9' => {
                let digits = bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                // A leading zero is a number only alone; a fraction or exponent goes to serde_json.
                let next = at + digits;
                if digits > 15
                    || (digits > 1 && bytes[at] == b'0')
                    || matches!(bytes.get(next), Some(b'.' | b'e' | b'E'))
                {
                    return None;
                }
                let n = bytes[at..next]
                    .iter()
                    .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
                Some((JsonCell::Number(n as f64), next))
            }
            _ => None,
        }
    }
}

struct ObjectSeed<'i, 'o, 'a> {
    index: &'i ColumnIndex,
    out: &'o mut Vec<JsonCell<'a>>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for ObjectSeed<'_, '_, 'a> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for ObjectSeed<'_, '_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with one customer's values")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        // Keys through a seed of their own: `Cow<str>` would copy every key of every record.
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match self.index.get(key.as_ref()) {
                // Which of two values is meant cannot be told (issue 16.4).
                Some(&at) if !matches!(self.out[at], JsonCell::Absent) => {
                    return Err(de::Error::custom(format!(
                        "the key `{key}` appears twice in this object"
                    )))
                }
                Some(&at) => self.out[at] = map.next_value_seed(CellSeed)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key, borrowed from the record unless it has escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a column name")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = JsonCell<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<JsonCell<'de>, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

/// An integer; one beyond 2^53, which an f64 would round (a long numeric id), as its digits.
/// A number field reads the text as a number all the same.
fn integer(magnitude: u64, negative: bool) -> JsonCell<'static> {
    if magnitude <= 1 << 53 {
        let n = magnitude as f64;
        JsonCell::Number(if negative { -n } else { n })
    } else {
        let sign = if negative { "-" } else { "" };
        JsonCell::Text(Cow::Owned(format!("{sign}{magnitude}")))
    }
}

impl<'de> Visitor<'de> for CellVisitor {
    type Value = JsonCell<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E>(self) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Null)
    }
    fn visit_none<E>(self) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<JsonCell<'de>, E> {
        Ok(integer(n.unsigned_abs(), n < 0))
    }
    fn visit_u64<E>(self, n: u64) -> Result<JsonCell<'de>, E> {
        Ok(integer(n, false))
    }
    fn visit_f64<E>(self, n: f64) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Number(n))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Text(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Text(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Text(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonCell<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<serde_json::Value>()? {
            match item {
                serde_json::Value::String(s) => items.push(s),
                serde_json::Value::Null => {}
                other => items.push(other.to_string()),
            }
        }
        Ok(JsonCell::List(items))
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<JsonCell<'de>, M::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(JsonCell::Object)
    }
}

/// The columns of a JSON export. Cells are looked up by key, so the "header" is the first
/// record's keys plus the column of every optional field and `from column` journey: a key
/// that only a later record has is still read. A required field's key absent from the first
/// record is a missing column (or, when the first record has no keys at all, every column is
/// in the header and a record without it is a bad row).
pub fn json_header(first_keys: Vec<String>, slots: &[Slot]) -> Vec<String> {
    let everything = first_keys.is_empty();
    let mut header = first_keys;
    let later = slots
        .iter()
        .filter(|s| s.optional || everything || matches!(s.kind, SlotKind::Stage(_)));
    for slot in later {
        if !header.contains(&slot.column) {
            header.push(slot.column.clone());
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_records_read_as_serde_json_reads_them() {
        let index: ColumnIndex = [("id", 0), ("n", 1), ("tags", 2), ("x\u{e9}", 3), ("", 4)]
            .into_iter()
            .map(|(k, at)| (k.to_string(), at))
            .collect();
        let keys = ["id", "n", "tags", "skip", "xé", "x\\u00e9", "", "i\td"];
        let values = [
            "\"C1\"",
            "\"\"",
            "\"é ü\"",
            "\"a\\\"b\"",
            "\"tab\there\"",
            "null",
            "true",
            "false",
            "0",
            "00",
            "01",
            "12",
            "-3",
            "1.5",
            "1e3",
            "123456789012345",
            "1234567890123456",
            "[1,\"a\"]",
            "{}",
            "nul",
            "tru",
            "\"\\u00e9\"",
            "\"x",
            "\u{7f}",
        ];
        // A small generator, so the cases are the same on every run.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let spaces = ["", " ", "\t", "\r", " \n "];
        let (mut flat, mut order) = (0, KeyOrder::default());
        for case in 0..20_000 {
            let mut line = String::from(spaces[next(5)]) + "{";
            for m in 0..next(6) {
                if m > 0 {
                    line += ",";
                }
                line += &format!(
                    "{}\"{}\"{}:{}{}{}",
                    spaces[next(5)],
                    keys[next(keys.len())],
                    spaces[next(5)],
                    spaces[next(5)],
                    values[next(values.len())],
                    spaces[next(5)]
                );
            }
            line += "}";
            line += spaces[next(5)];
            let mut bytes = line.into_bytes();
            // Now and then a byte changed: broken syntax, invalid UTF-8, a stray quote.
            if case % 4 == 0 && !bytes.is_empty() {
                let at = next(bytes.len());
                bytes[at] = [b'"', b',', 0xff, b'}', b':', 0x01][next(6)];
            }
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let got = parse_object(&bytes, &index, 5, &mut fast, &mut order);
            let want = serde_object(&bytes, &index, 5, &mut slow);
            let shown = String::from_utf8_lossy(&bytes);
            assert_eq!(got, want, "{shown}");
            if want.is_ok() {
                assert_eq!(fast, slow, "{shown}");
            }
            let mut unused = vec![JsonCell::Absent; 5];
            if flat_object(&bytes, &index, &mut unused, &mut KeyOrder::default()).is_some() {
                flat += 1;
            }
        }
        // Both ways were taken often.
        assert!(flat > 2_000 && flat < 18_000, "{flat}");
    }

    #[test]
    fn keys_with_escapes_are_found_too() {
        let index: ColumnIndex = [("id".to_string(), 0), ("tags".to_string(), 1)]
            .into_iter()
            .collect();
        let mut out = Vec::new();
        parse_object(
            br#"{"\u0069d":"A","ta\u0067s":"x"}"#,
            &index,
            2,
            &mut out,
            &mut KeyOrder::default(),
        )
        .expect("an object");
        assert_eq!(out[0], JsonCell::Text(Cow::Borrowed("A")));
        assert_eq!(out[1], JsonCell::Text(Cow::Borrowed("x")));
    }

    #[test]
    fn reads_only_the_columns_asked_for() {
        let index: ColumnIndex = [
            ("id".to_string(), 0),
            ("tags".to_string(), 1),
            ("nps".to_string(), 2),
            ("x".to_string(), 3),
        ]
        .into_iter()
        .collect();
        let mut out = Vec::new();
        let line = br#"{"id":"C\u00e9","skip":{"a":[1,2]},"tags":["vip",null,3],"nps":9.5}"#;
        let order = &mut KeyOrder::default();
        parse_object(line, &index, 4, &mut out, order).expect("an object");
        assert_eq!(out[0], JsonCell::Text(Cow::Owned("Cé".into())));
        assert_eq!(out[1], JsonCell::List(vec!["vip".into(), "3".into()]));
        assert_eq!(out[2], JsonCell::Number(9.5));
        assert_eq!(out[3], JsonCell::Absent);
        assert!(parse_object(b"[1,2]", &index, 4, &mut out, order).is_err());
        assert!(parse_object(br#"{"id":"a"} x"#, &index, 4, &mut out, order).is_err());
    }
}
