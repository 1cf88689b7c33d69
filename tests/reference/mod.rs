//! A reference evaluator, written straight from the language design (language.md §2–§9 and
//! the settled details of §11), for the differential tests. It is deliberately naive: a
//! tree-walk over the checked model and the raw cell strings, one customer at a time, three-
//! valued logic as `Option<bool>`, no fast paths, no chunking, no shared code with `src/eval`
//! or `src/data` (only the parser and checker are used, to get the typed model). Every rule
//! cites the section it comes from, so it can be checked by reading it against the design.
//!
//! It lives with the tests and is never part of the shipped binary.

#![allow(dead_code)]

use md5::{Digest, Md5};
use playbook::ast::{ArithOp, CompareOp, TextOp};
use playbook::check::model::{Channel, Cond, CondKind, FieldDef, Model, Type, Value, ValueKind};
use std::collections::BTreeMap;

/// A raw cell as an export holds it. CSV gives only `Str` (or `Absent` when the header has no
/// such column); JSON also gives `Null`, numbers, booleans and arrays, and `Absent` for a key
/// the record lacks.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    Absent,
    Null,
    Str(String),
    Num(f64),
    Bool(bool),
    List(Vec<String>),
}

/// The shape of the export the cells come from (§2, §11 "Numbers").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Csv { semicolon: bool },
    Json,
}

/// A typed value; `Missing` is SQL's NULL (§4 "Missing values").
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Missing,
    Num(f64),
    Text(String),
    Bool(bool),
    Date(i64),
    Word(usize),
    List(Vec<String>),
}

/// Where a field's value came from, for the coverage table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Present,
    /// Empty cell, spaces, `null`, absent key.
    Missing,
    /// The column is not in the export at all (CSV header).
    AbsentColumn,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionOut {
    pub action: String,
    pub rule: String,
    pub argument: Option<String>,
    pub channel: Option<String>,
    pub holdout: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dropped {
    Suppressed,
    OverMax,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub customer: String,
    /// Every journey, in declaration order, with the customer's stage or `None` (§9).
    pub stages: Vec<(String, Option<String>)>,
    /// The segments that hold, in declaration order.
    pub segments: Vec<String>,
    pub actions: Vec<ActionOut>,
    pub suppressed: bool,
    /// Fired actions that were not given, and why (for `explain`).
    pub dropped: Vec<(String, String, Dropped)>,
}

/// What one customer exercised: (form, field type, required?, state) per leaf evaluated, and
/// the policy / decision features that came into play.
#[derive(Default, Debug)]
pub struct Seen {
    pub leaves: Vec<(&'static str, &'static str, bool, State)>,
    pub features: Vec<&'static str>,
}

// ───────────────────────────── dates (§2) ─────────────────────────────

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: i64, m: i64) -> i64 {
    [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize]
}

/// §11: impossible dates are data errors.
fn checked(y: i64, m: i64, d: i64) -> Option<i64> {
    ((1..=12).contains(&m) && d >= 1 && d <= month_len(y, m)).then(|| days(y, m, d))
}

/// A date by a pattern of `%Y`, `%m`, `%d` and literal characters (§2 `format`); ISO is
/// `%Y-%m-%d`. Digits are exactly 4 / 2 / 2.
pub fn parse_date(t: &str, pattern: &str) -> Option<i64> {
    let (mut y, mut m, mut d) = (None, None, None);
    let mut rest = t;
    let mut p = pattern.chars();
    while let Some(c) = p.next() {
        if c == '%' {
            let (slot, n) = match p.next()? {
                'Y' => (&mut y, 4),
                'm' => (&mut m, 2),
                'd' => (&mut d, 2),
                _ => return None,
            };
            let digits = rest.get(..n)?;
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = Some(digits.parse::<i64>().ok()?);
            rest = &rest[n..];
        } else {
            rest = rest.strip_prefix(c)?;
        }
    }
    if !rest.is_empty() {
        return None;
    }
    checked(y?, m?, d?)
}

pub fn iso(z: i64) -> String {
    let (y, m, d) = civil(z);
    format!("{y:04}-{m:02}-{d:02}")
}

// ───────────────────────────── cells (§2, §11) ─────────────────────────────

/// §11 "Numbers": `12`, `-3.5`, `+3`, `.5`, `1e3`; the decimal separator is `,` with a
/// decimal comma, where a `.` is then a (rejected) thousands separator.
fn number(t: &str, comma: bool) -> Option<f64> {
    let sep = if comma { ',' } else { '.' };
    let b: Vec<char> = t.chars().collect();
    let mut i = 0;
    if i < b.len() && (b[i] == '+' || b[i] == '-') {
        i += 1;
    }
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == sep {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == 'e' || b[i] == 'E') {
        i += 1;
        if i < b.len() && (b[i] == '+' || b[i] == '-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    t.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// §11: in a `;`-separated export without a decimal comma, `2.500` / `12.000.000` is an error.
fn dutch_thousands(t: &str) -> bool {
    let mut groups = t.split('.');
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty()
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// §2 bool words, any case (§11).
fn boolean(t: &str) -> Option<bool> {
    match t.to_lowercase().as_str() {
        "true" | "yes" | "ja" | "1" => Some(true),
        "false" | "no" | "nee" | "0" => Some(false),
        _ => None,
    }
}

/// One field's value from its raw cell (§2 table, `?`, §11 "Empty lists", "Numbers", "Columns").
pub fn read_field(f: &FieldDef, raw: &Raw, src: Source, comma: bool) -> Result<(V, State), String> {
    let name = &f.name;
    let empty = |state: State| -> Result<(V, State), String> {
        if f.optional {
            Ok((V::Missing, state)) // §2: `?` — an empty cell / null / absent key is missing
        } else if f.ty == Type::ListOfText && src != Source::Json {
            Ok((V::List(vec![]), State::Present)) // §2: a required list's empty cell is []
        } else {
            Err(format!("`{name}` is required and empty"))
        }
    };
    let text = match raw {
        Raw::Absent if matches!(src, Source::Csv { .. }) => {
            // §11 "Columns": an optional field whose column is absent is missing everywhere.
            return if f.optional {
                Ok((V::Missing, State::AbsentColumn))
            } else {
                Err(format!("column `{}` is missing", f.column))
            };
        }
        // §11 "Empty lists": JSON null or an absent key; for a required list a data error.
        Raw::Absent | Raw::Null => {
            return if f.optional {
                Ok((V::Missing, State::Missing))
            } else {
                Err(format!("`{name}` is null or absent"))
            }
        }
        Raw::List(items) => {
            return if f.ty == Type::ListOfText {
                Ok((V::List(items.clone()), State::Present))
            } else {
                Err(format!("`{name}` is not a list field"))
            }
        }
        Raw::Num(x) => match f.ty {
            Type::Number => return Ok((V::Num(*x), State::Present)),
            Type::Bool if *x == 0.0 || *x == 1.0 => {
                return Ok((V::Bool(*x == 1.0), State::Present))
            }
            _ => return Err(format!("`{name}` cannot be a JSON number")),
        },
        Raw::Bool(b) => match f.ty {
            Type::Bool => return Ok((V::Bool(*b), State::Present)),
            _ => (if *b { "true" } else { "false" }).to_string(),
        },
        Raw::Str(s) => s.clone(),
    };
    // §11: "Trimmed" is `str::trim`.
    let t = text.trim();
    if t.is_empty() {
        // §11 "Empty lists": an optional list's empty / all-white-space cell is missing.
        return empty(State::Missing);
    }
    let v = match &f.ty {
        Type::Text => V::Text(t.to_string()),
        Type::Number => {
            if comma && t.contains('.') {
                return Err(format!("`{t}`: a `.` is a thousands separator")); // §11
            }
            if src == (Source::Csv { semicolon: true }) && !comma && dutch_thousands(t) {
                return Err(format!("`{t}` looks like a Dutch thousands separator"));
                // §11
            }
            V::Num(number(t, comma).ok_or(format!("`{t}` is not a number"))?)
        }
        Type::Bool => V::Bool(boolean(t).ok_or(format!("`{t}` is not a bool"))?),
        Type::Date => {
            let pattern = f.format.as_ref().map_or("%Y-%m-%d", |p| p.pattern());
            V::Date(parse_date(t, pattern).ok_or(format!("`{t}` is not a date"))?)
        }
        // §2: one of the listed words, case-insensitive.
        Type::OneOf(words) => V::Word(
            words
                .iter()
                .position(|w| w.to_lowercase() == t.to_lowercase())
                .ok_or(format!("`{t}` is not one of {words:?}"))?,
        ),
        // §2: split on `;`, items trimmed, empty items dropped.
        Type::ListOfText => V::List(
            t.split(';')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(str::to_string)
                .collect(),
        ),
    };
    Ok((v, State::Present))
}

// ───────────────────────────── evaluation ─────────────────────────────

/// One customer's record: column → raw cell.
pub type Record = BTreeMap<String, Raw>;

pub struct Customer<'m> {
    model: &'m Model,
    values: Vec<V>,
    states: Vec<State>,
    stage_cells: Vec<Option<usize>>,
    as_of: i64,
    stages: Vec<Option<Option<usize>>>,
    segments: Vec<Option<bool>>,
    pub seen: Seen,
}

/// §11 "Keys": the `key` field's column, else `id`, else `customer_id`.
pub fn key_column(model: &Model, columns: &[String]) -> String {
    match model.key_field {
        Some(k) => model.fields[k].column.clone(),
        None if columns.iter().any(|c| c == "id") => "id".to_string(),
        None => "customer_id".to_string(),
    }
}

/// Reads a record per §2 / §3 / §11. `columns`: the export's header (CSV) or every key of the
/// JSON records.
pub fn read<'m>(
    model: &'m Model,
    rec: &Record,
    columns: &[String],
    src: Source,
    comma: bool,
    as_of: i64,
) -> Result<(String, Customer<'m>), String> {
    let key = key_column(model, columns);
    let id = match rec.get(&key) {
        Some(Raw::Str(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    if id.is_empty() {
        return Err("empty id".to_string()); // §11 "Keys"
    }
    let mut values = Vec::new();
    let mut states = Vec::new();
    for f in &model.fields {
        let raw = rec.get(&f.column).cloned().unwrap_or(Raw::Absent);
        let (v, s) = read_field(f, &raw, src, comma)?;
        values.push(v);
        states.push(s);
    }
    let mut stage_cells = Vec::new();
    for j in &model.journeys {
        let stage = match &j.column {
            None => None,
            // §3 `from column`: case-insensitive stage names; empty = no stage; else an error.
            Some(col) => {
                let t = match rec.get(col) {
                    Some(Raw::Str(s)) => s.trim().to_string(),
                    Some(Raw::Absent | Raw::Null) | None if src == Source::Json => String::new(),
                    Some(Raw::Absent | Raw::Null) | None => {
                        return Err(format!("column `{col}` is missing"))
                    }
                    _ => return Err("not a stage".to_string()),
                };
                if t.is_empty() {
                    None
                } else {
                    Some(
                        j.stages
                            .iter()
                            .position(|s| s.name.to_lowercase() == t.to_lowercase())
                            .ok_or(format!("`{t}` is not a stage"))?,
                    )
                }
            }
        };
        stage_cells.push(stage);
    }
    let c = Customer {
        model,
        values,
        states,
        stage_cells,
        as_of,
        stages: vec![None; model.journeys.len()],
        segments: vec![None; model.segments.len()],
        seen: Seen::default(),
    };
    Ok((id, c))
}

type Tri = Option<bool>;

fn and(a: Tri, b: Tri) -> Tri {
    // §4: false and unknown is false.
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: Tri, b: Tri) -> Tri {
    // §4: true or unknown is true.
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn type_name(t: &Type) -> &'static str {
    match t {
        Type::Text => "text",
        Type::Number => "number",
        Type::Bool => "bool",
        Type::Date => "date",
        Type::OneOf(_) => "one of",
        Type::ListOfText => "list of text",
    }
}

/// §11: text comparisons use `str::to_lowercase`.
fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// §4 anniversary: the next recurrence of D's month and day, counted from as_of (day 0 today);
/// §4 / §11: 29 February falls on 28 February in other years.
fn days_to_anniversary(d: i64, as_of: i64) -> i64 {
    let (_, m, day) = civil(d);
    let (y, _, _) = civil(as_of);
    let on = |y: i64| {
        let day = if m == 2 && day == 29 && !leap(y) {
            28
        } else {
            day
        };
        days(y, m, day)
    };
    let this = on(y);
    if this >= as_of {
        this - as_of
    } else {
        on(y + 1) - as_of
    }
}

impl Customer<'_> {
    /// The typed values, by field index.
    pub fn values(&self) -> &[V] {
        &self.values
    }

    /// Where each field's value came from.
    pub fn states(&self) -> &[State] {
        &self.states
    }

    fn note(&mut self, form: &'static str, v: &Value) {
        if let ValueKind::Field(i) = &v.kind {
            let f = &self.model.fields[*i];
            self.seen
                .leaves
                .push((form, type_name(&f.ty), !f.optional, self.states[*i]));
        }
    }

    /// §4 values: fields, literals, unary minus, `+ - * /` (÷0 is missing), days_since/until.
    fn value(&mut self, v: &Value) -> V {
        match &v.kind {
            ValueKind::Field(i) => self.values[*i].clone(),
            ValueKind::Number(x) => V::Num(*x),
            ValueKind::Text(t) => V::Text(t.clone()),
            ValueKind::Bool(b) => V::Bool(*b),
            ValueKind::Date(d) => V::Date(*d as i64),
            ValueKind::Word(w) => V::Word(*w as usize),
            ValueKind::Neg(inner) => {
                self.note("arithmetic", inner);
                match self.value(inner) {
                    V::Num(x) => V::Num(-x),
                    _ => V::Missing,
                }
            }
            ValueKind::Arith { op, left, right } => {
                self.note("arithmetic", left);
                self.note("arithmetic", right);
                match (self.value(left), self.value(right)) {
                    (V::Num(a), V::Num(b)) => match op {
                        ArithOp::Add => V::Num(a + b),
                        ArithOp::Sub => V::Num(a - b),
                        ArithOp::Mul => V::Num(a * b),
                        ArithOp::Div if b == 0.0 => V::Missing,
                        ArithOp::Div => V::Num(a / b),
                    },
                    _ => V::Missing,
                }
            }
            ValueKind::DaysSince(d) => {
                self.note("days_since/days_until", d);
                match self.value(d) {
                    V::Date(d) => V::Num((self.as_of - d) as f64),
                    _ => V::Missing,
                }
            }
            ValueKind::DaysUntil(d) => {
                self.note("days_since/days_until", d);
                match self.value(d) {
                    V::Date(d) => V::Num((d - self.as_of) as f64),
                    _ => V::Missing,
                }
            }
            ValueKind::Error => panic!("a checked model has no errors"),
        }
    }

    /// Equality of two present values (§4, §11: text ignores case).
    fn equal(a: &V, b: &V) -> bool {
        match (a, b) {
            (V::Text(a), V::Text(b)) => lower(a) == lower(b),
            _ => a == b,
        }
    }

    /// `<` on present values: numbers, dates, text by code points as written (§11).
    fn order(a: &V, b: &V) -> Option<std::cmp::Ordering> {
        match (a, b) {
            (V::Num(a), V::Num(b)) => a.partial_cmp(b),
            (V::Date(a), V::Date(b)) => Some(a.cmp(b)),
            (V::Text(a), V::Text(b)) => Some(a.chars().cmp(b.chars())),
            (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    fn compare(op: CompareOp, a: &V, b: &V) -> Tri {
        if *a == V::Missing || *b == V::Missing {
            return None; // §4: a comparison with a missing operand is unknown
        }
        use std::cmp::Ordering::*;
        Some(match op {
            CompareOp::Eq => Self::equal(a, b),
            CompareOp::Ne => !Self::equal(a, b),
            CompareOp::Lt => Self::order(a, b)? == Less,
            CompareOp::Le => Self::order(a, b)? != Greater,
            CompareOp::Gt => Self::order(a, b)? == Greater,
            CompareOp::Ge => Self::order(a, b)? != Less,
        })
    }

    /// The value-reading leaf, for the coverage table: which form.
    fn cond(&mut self, c: &Cond) -> Tri {
        match &c.kind {
            CondKind::Const(b) => Some(*b),
            CondKind::Invalid => panic!("a checked model has no errors"),
            CondKind::And(items) => {
                let mut acc = Some(true);
                for i in items {
                    let v = self.cond(i);
                    acc = and(acc, v);
                }
                acc
            }
            CondKind::Or(items) => {
                let mut acc = Some(false);
                for i in items {
                    let v = self.cond(i);
                    acc = or(acc, v);
                }
                acc
            }
            CondKind::Not(inner) => self.cond(inner).map(|b| !b), // §4: not unknown is unknown
            // §4: `customer in S` — that exact stage; never unknown.
            CondKind::InStage { journey, stage } => Some(self.stage(*journey) == Some(*stage)),
            // §4: `customer reached S` — S or a later stage of its journey.
            CondKind::Reached { journey, stage } => {
                Some(self.stage(*journey).is_some_and(|s| s >= *stage))
            }
            // §5: a segment holds only when its condition is true.
            CondKind::InSegment(s) => Some(self.segment(*s)),
            // §4 `F` / `not F`.
            CondKind::IsTrue(v) => {
                self.note("F (bool)", v);
                match self.value(v) {
                    V::Bool(b) => Some(b),
                    _ => None,
                }
            }
            CondKind::Compare { op, left, right } => {
                let form = match (&left.kind, &right.kind) {
                    (_, ValueKind::Word(_)) | (ValueKind::Word(_), _) => "F V / F is V (word)",
                    (ValueKind::Field(_), ValueKind::Field(_)) => "compare field with field",
                    (_, ValueKind::Bool(_)) => "F is true/false",
                    _ if *op == CompareOp::Eq || *op == CompareOp::Ne => "= / != literal",
                    _ => "< <= > >= literal",
                };
                self.note(form, left);
                self.note(form, right);
                let (a, b) = (self.value(left), self.value(right));
                Self::compare(*op, &a, &b)
            }
            // §4 / §11: `F in []` is false, `F not in []` true; unknown when F is missing.
            CondKind::InList {
                value,
                items,
                negated,
            } => {
                self.note(if *negated { "not in [..]" } else { "in [..]" }, value);
                let v = self.value(value);
                if v == V::Missing {
                    return None;
                }
                let mut hit = false;
                for i in items {
                    let i = self.value(i);
                    hit |= Self::equal(&v, &i);
                }
                Some(hit != *negated)
            }
            // §4 `has`; §11 case-insensitive.
            CondKind::Has { list, item } => {
                self.note("has", list);
                match self.value(list) {
                    V::List(items) => Some(items.iter().any(|i| lower(i) == lower(item))),
                    _ => None,
                }
            }
            // §4 text tests; §11 case-insensitive by `to_lowercase`.
            CondKind::Text { op, value, pattern } => {
                let form = match op {
                    TextOp::Contains => "contains",
                    TextOp::StartsWith => "starts with",
                    TextOp::EndsWith => "ends with",
                };
                self.note(form, value);
                let (t, p) = match self.value(value) {
                    V::Text(t) => (lower(&t), lower(pattern)),
                    _ => return None,
                };
                Some(match op {
                    TextOp::Contains => t.contains(&p),
                    TextOp::StartsWith => t.starts_with(&p),
                    TextOp::EndsWith => t.ends_with(&p),
                })
            }
            // §4: `is missing` / `is present` are never unknown.
            CondKind::Missing { value, negated } => {
                self.note("is missing / is present", value);
                Some((self.value(value) == V::Missing) != *negated)
            }
            CondKind::Within { date, days, future } => {
                self.note(
                    if *future {
                        "within next N days"
                    } else {
                        "within N days"
                    },
                    date,
                );
                let V::Date(d) = self.value(date) else {
                    return None;
                };
                // §4: 0 ≤ as_of − D ≤ N (past) / 0 ≤ D − as_of ≤ N (future).
                let delta = if *future {
                    d - self.as_of
                } else {
                    self.as_of - d
                } as f64;
                Some(0.0 <= delta && delta <= *days)
            }
            CondKind::MoreThanAgo { date, days } => {
                self.note("more than N days ago", date);
                let V::Date(d) = self.value(date) else {
                    return None;
                };
                Some((self.as_of - d) as f64 > *days) // §4
            }
            CondKind::Anniversary { date, days } => {
                self.note("anniversary within next", date);
                let V::Date(d) = self.value(date) else {
                    return None;
                };
                Some(days_to_anniversary(d, self.as_of) as f64 <= *days)
            }
        }
    }

    /// §3: the funnel, or the stage read from a column.
    fn stage(&mut self, j: usize) -> Option<usize> {
        if let Some(s) = self.stages[j] {
            return s;
        }
        let journey = &self.model.journeys[j];
        let s = if journey.column.is_some() {
            self.stage_cells[j]
        } else {
            // In stage k when C1 … Ck hold and C(k+1) does not; in none when C1 does not hold.
            let mut at = None;
            for (k, st) in journey.stages.iter().enumerate() {
                let c = st.condition.as_ref().expect("a condition journey");
                if self.cond(c) == Some(true) {
                    at = Some(k);
                } else {
                    break;
                }
            }
            at
        };
        self.stages[j] = Some(s);
        s
    }

    fn segment(&mut self, s: usize) -> bool {
        if let Some(b) = self.segments[s] {
            return b;
        }
        let b = self.cond(&self.model.segments[s].condition) == Some(true);
        self.segments[s] = Some(b);
        b
    }
}

/// §6: bucket = first 4 bytes of MD5(`SALT/ID`), big-endian, mod 10000.
pub fn bucket(salt: &str, id: &str) -> u32 {
    let digest = Md5::digest(format!("{salt}/{id}").as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 10000
}

/// Decides one customer (§3–§7, §9, §11).
pub fn decide(model: &Model, id: &str, c: &mut Customer<'_>) -> Decision {
    let stages: Vec<(String, Option<String>)> = (0..model.journeys.len())
        .map(|j| {
            let s = c.stage(j);
            let journey = &model.journeys[j];
            (
                journey.name.clone(),
                s.map(|s| journey.stages[s].name.clone()),
            )
        })
        .collect();
    let segments: Vec<String> = (0..model.segments.len())
        .filter(|s| c.segment(*s))
        .map(|s| model.segments[s].name.clone())
        .collect();
    // §6: every rule whose condition is true fires, in file order; `unless` blocks only
    // where it is true.
    struct Fired {
        rule: usize,
        order: usize,
        index: usize,
        action: usize,
    }
    let mut fired = Vec::new();
    for (r, rule) in model.rules.iter().enumerate() {
        let when = c.cond(&rule.condition);
        let unless = rule.unless.as_ref().map(|u| c.cond(u));
        if unless.is_some() {
            c.seen.features.push(match unless {
                Some(Some(true)) => "unless: blocks",
                Some(None) => "unless: unknown (does not block)",
                _ => "unless: false",
            });
        }
        if when == Some(true) && unless != Some(Some(true)) {
            for (k, a) in rule.actions.iter().enumerate() {
                fired.push(Fired {
                    rule: r,
                    order: fired.len(),
                    index: k,
                    action: a.action,
                });
            }
        }
    }
    // §11: a suppress applies when its condition is true or unknown (fail-safe).
    let mut suppressed = false;
    let mut blocked = vec![false; model.actions.len()];
    for s in &model.policy.suppress {
        let v = c.cond(&s.condition);
        let applies = v != Some(false);
        if s.actions.is_empty() {
            c.seen.features.push(match v {
                Some(true) => "suppress customer: true",
                None => "suppress customer: unknown",
                Some(false) => "suppress customer: false",
            });
            suppressed |= applies;
        } else {
            c.seen.features.push(match v {
                Some(true) => "suppress actions: true",
                None => "suppress actions: unknown",
                Some(false) => "suppress actions: false",
            });
            if applies {
                for a in &s.actions {
                    blocked[*a] = true;
                }
            }
        }
    }
    let mut dropped = Vec::new();
    let mut actions = Vec::new();
    if !suppressed {
        // §7: a suppressed action is dropped before `max N`.
        let mut kept: Vec<&Fired> = Vec::new();
        for f in &fired {
            if blocked[f.action] {
                dropped.push((f.rule, f.action, Dropped::Suppressed));
            } else {
                kept.push(f);
            }
        }
        // §11: keep the N of highest priority, ties to file order then action order; list in
        // firing order.
        if let Some(n) = model.policy.max_actions {
            let mut by_priority: Vec<&Fired> = kept.clone();
            by_priority.sort_by(|a, b| {
                model.rules[b.rule]
                    .priority
                    .partial_cmp(&model.rules[a.rule].priority)
                    .expect("priorities are numbers")
                    .then(a.order.cmp(&b.order))
            });
            if by_priority.len() > n {
                let tie = model.rules[by_priority[n - 1].rule].priority
                    == model.rules[by_priority[n].rule].priority;
                c.seen.features.push(if tie {
                    "max N: cut at a priority tie"
                } else {
                    "max N: cut"
                });
            }
            let keep: Vec<usize> = by_priority.iter().take(n).map(|f| f.order).collect();
            for f in &kept {
                if !keep.contains(&f.order) {
                    dropped.push((f.rule, f.action, Dropped::OverMax));
                }
            }
            kept.retain(|f| keep.contains(&f.order));
        }
        // §6 / §11: holdout flags kept actions only; policy holdout flags all of them.
        let policy_held = model
            .policy
            .holdout
            .as_ref()
            .map(|h| bucket(&h.salt, id) < h.basis_points);
        match policy_held {
            Some(true) => c.seen.features.push("policy holdout: held out"),
            Some(false) => c.seen.features.push("policy holdout: treated"),
            None => {}
        }
        for f in kept {
            let rule = &model.rules[f.rule];
            let def = &rule.actions[f.index];
            let rule_held = rule
                .holdout
                .as_ref()
                .map(|h| bucket(&h.salt, id) < h.basis_points);
            match rule_held {
                Some(true) => c.seen.features.push("rule holdout: held out"),
                Some(false) => c.seen.features.push("rule holdout: treated"),
                None => {}
            }
            // §11 `via`: a `one of` field gives the customer's word (missing → null).
            let channel = match &def.channel {
                Channel::None => None,
                Channel::Word(w) => Some(w.clone()),
                Channel::Field(i) => match (&c.values[*i], &model.fields[*i].ty) {
                    (V::Word(w), Type::OneOf(words)) => Some(words[*w].clone()),
                    _ => None,
                },
            };
            actions.push(ActionOut {
                action: model.actions[f.action].clone(),
                rule: rule.name.clone(),
                argument: def.argument.clone(),
                channel,
                holdout: policy_held == Some(true) || rule_held == Some(true),
            });
        }
    } else {
        // §11: a suppressed customer has no actions and no holdouts.
        c.seen.features.push("customer suppressed");
    }
    let dropped = dropped
        .into_iter()
        .map(|(r, a, why)| (model.actions[a].clone(), model.rules[r].name.clone(), why))
        .collect();
    Decision {
        customer: id.to_string(),
        stages,
        segments,
        actions,
        suppressed,
        dropped,
    }
}
