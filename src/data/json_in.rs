//! One JSON object → the values of the columns a program reads, borrowed from
//! the input where possible. Keys nobody reads are skipped without building them.

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
) -> Result<(), String> {
    out.clear();
    out.resize(len, JsonCell::Absent);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    ObjectSeed { index, out }
        .deserialize(&mut de)
        .and_then(|_| de.end())
        .map_err(|e| e.to_string())
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
        Ok(JsonCell::Number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<JsonCell<'de>, E> {
        Ok(JsonCell::Number(n as f64))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_escapes_are_found_too() {
        let index: ColumnIndex = [("id".to_string(), 0), ("tags".to_string(), 1)]
            .into_iter()
            .collect();
        let mut out = Vec::new();
        parse_object(br#"{"\u0069d":"A","ta\u0067s":"x"}"#, &index, 2, &mut out)
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
        parse_object(line, &index, 4, &mut out).expect("an object");
        assert_eq!(out[0], JsonCell::Text(Cow::Owned("Cé".into())));
        assert_eq!(out[1], JsonCell::List(vec!["vip".into(), "3".into()]));
        assert_eq!(out[2], JsonCell::Number(9.5));
        assert_eq!(out[3], JsonCell::Absent);
        assert!(parse_object(b"[1,2]", &index, 4, &mut out).is_err());
        assert!(parse_object(br#"{"id":"a"} x"#, &index, 4, &mut out).is_err());
    }
}
