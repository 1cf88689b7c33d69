//! The compiled form of a checked playbook: slots instead of names, word
//! indices instead of words, day numbers instead of dates, lower-cased text
//! constants. Built once per run; evaluated per customer without allocation.

use crate::ast::{ArithOp, CompareOp, Span, TextOp};
use crate::check::model::Model;
use crate::row::Slot;

/// Three-valued logic, as SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    False,
    True,
    Unknown,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
    pub fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        }
    }
}

/// A compiled condition; `id` numbers it for explain traces.
#[derive(Clone, Debug)]
pub struct C {
    pub kind: CKind,
    pub span: Span,
    pub id: u32,
}

#[derive(Clone, Debug)]
pub enum CKind {
    Const(Tri),
    // Fast paths for the most common shapes: a field against a constant.
    /// `number-field op constant`
    NumberField {
        slot: u16,
        op: CompareOp,
        value: f64,
    },
    /// `date-field op constant`
    DateField {
        slot: u16,
        op: CompareOp,
        value: i32,
    },
    /// `one-of-field = word` (negated: `!=`)
    WordField {
        slot: u16,
        word: u32,
        negated: bool,
    },
    /// `date-field within …` / `more than … ago`: `low <= as_of - D <= high`
    AgoField {
        slot: u16,
        low: f64,
        high: f64,
        low_open: bool,
    },
    /// `bool-field`
    BoolField(u16),
    And(Box<[C]>),
    Or(Box<[C]>),
    Not(Box<C>),
    InStage {
        journey: u16,
        stage: u16,
    },
    Reached {
        journey: u16,
        stage: u16,
    },
    InSegment(u16),
    IsTrue(V),
    Compare {
        op: CompareOp,
        left: V,
        right: V,
        kind: CmpKind,
    },
    InList {
        value: V,
        items: Box<[V]>,
        kind: CmpKind,
        negated: bool,
    },
    Has {
        list: V,
        item: Box<str>,
    },
    Text {
        op: TextOp,
        value: V,
        /// Lower-cased, as written in the playbook.
        pattern: Box<str>,
        /// `pattern` prepared once for a search linear in the cell (`contains`).
        finder: Box<memchr::memmem::Finder<'static>>,
    },
    Missing {
        value: V,
        negated: bool,
    },
    /// A text test on a `one of` value, decided per word at compile time.
    WordIn {
        value: V,
        set: Box<[bool]>,
    },
    /// `low <= as_of - D <= high` (days).
    DaysAgo {
        date: V,
        low: f64,
        high: f64,
    },
    /// `D - as_of` in `[0, days]`.
    DaysAhead {
        date: V,
        days: f64,
    },
    /// `as_of - D > days`
    MoreThanAgo {
        date: V,
        days: f64,
    },
    Anniversary {
        date: V,
        days: f64,
    },
}

/// How two values of one type are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpKind {
    Number,
    Date,
    Bool,
    Word,
    Text,
}

/// A compiled value.
#[derive(Clone, Debug)]
pub struct V {
    pub kind: VKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum VKind {
    Slot(u16),
    Number(f64),
    /// Text as written and lower-cased, for `<` and for `=`.
    Text {
        written: Box<str>,
        lower: Box<str>,
    },
    Bool(bool),
    Date(i32),
    Word(u32),
    Neg(Box<V>),
    Arith {
        op: ArithOp,
        left: Box<V>,
        right: Box<V>,
    },
    DaysSince(Box<V>),
    DaysUntil(Box<V>),
}

#[derive(Clone, Debug)]
pub struct Journey {
    pub name: String,
    pub stages: Vec<String>,
    pub source: JourneySource,
}

#[derive(Clone, Debug)]
pub enum JourneySource {
    Conditions(Vec<C>),
    Slot(u16),
}

#[derive(Clone, Debug)]
pub struct Segment {
    pub name: String,
    pub condition: C,
}

#[derive(Clone, Copy, Debug)]
pub enum Step {
    Journey(u16),
    Segment(u16),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    pub condition: C,
    pub unless: Option<C>,
    pub actions: Vec<Action>,
    pub priority: f64,
    pub holdout: Option<Holdout>,
}

#[derive(Clone, Debug)]
pub struct Action {
    /// Index into `Program::actions`.
    pub action: u32,
    pub argument: Option<String>,
    pub channel: Channel,
}

#[derive(Clone, Debug)]
pub enum Channel {
    None,
    Word(String),
    /// A `one of` slot: the customer's word, printed as declared.
    Slot {
        slot: u16,
        words: Vec<String>,
    },
}

#[derive(Clone, Debug)]
pub struct Holdout {
    pub basis_points: u32,
    pub salt: String,
}

#[derive(Clone, Debug)]
pub struct Suppress {
    /// Empty: the whole customer.
    pub actions: Vec<u32>,
    pub condition: C,
}

impl CKind {
    /// A test decided from one cell, a stage or a segment, without walking anything: the
    /// kinds `run::leaf` decides (`leaf_kinds_are_the_ones_leaf_decides` holds the two
    /// together; a guard `leaf` did not decide would rule its rule out).
    pub fn is_leaf(&self) -> bool {
        match self {
            CKind::NumberField { .. }
            | CKind::DateField { .. }
            | CKind::WordField { .. }
            | CKind::AgoField { .. }
            | CKind::BoolField(_)
            | CKind::InStage { .. }
            | CKind::Reached { .. }
            | CKind::InSegment(_) => true,
            CKind::Anniversary { date, .. } => matches!(date.kind, VKind::Slot(_)),
            _ => false,
        }
    }
}

/// The simple tests that must hold for `c` to be true: `c` itself when it
/// is a leaf test, else those `and`-ed into it. When one is
/// not true (false or unknown) neither is `c` (Kleene `and`), so the rule
/// cannot fire, whatever the order of its tests: it is ruled out on compact
/// checks. Returns whether they are all of `c`: then `c` is true when they all are.
fn guard<'c>(c: &'c C, found: &mut Vec<&'c CKind>) -> bool {
    match &c.kind {
        kind if kind.is_leaf() => {
            found.push(kind);
            true
        }
        CKind::And(items) => {
            // Every item's guards are collected, whether or not an earlier item was whole.
            let mut whole = true;
            for item in items.iter() {
                whole &= guard(item, found);
            }
            whole
        }
        _ => false,
    }
}

/// A test that must hold for a rule to fire (see `guard`).
#[derive(Clone, Debug)]
pub struct Guard {
    pub rule: u32,
    pub test: CKind,
}

/// The guards of all rules, sorted by the kind of test and operator, so that
/// checking them one after another takes the same branches; and per rule, whether its
/// guards are its whole condition (then it needs no walk once they hold).
pub fn guards(rules: &[Rule]) -> (Vec<Guard>, Vec<bool>) {
    let mut guards = Vec::new();
    let mut whole = Vec::with_capacity(rules.len());
    let mut found = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        found.clear();
        whole.push(guard(&rule.condition, &mut found));
        guards.extend(found.iter().map(|test| Guard {
            rule: r as u32,
            test: (*test).clone(),
        }));
    }
    guards.sort_by_key(|g| match &g.test {
        CKind::NumberField { op, .. } => (0, *op as u8),
        CKind::DateField { op, .. } => (1, *op as u8),
        CKind::WordField { negated, .. } => (2, u8::from(*negated)),
        CKind::AgoField { low_open, .. } => (3, u8::from(*low_open)),
        _ => (4, 0),
    });
    (guards, whole)
}

/// Everything needed to decide for one customer.
#[derive(Clone, Debug)]
pub struct Program {
    /// What it reads from a row, fields first, then `from column` journeys' stages.
    pub slots: Vec<Slot>,
    pub journeys: Vec<Journey>,
    pub segments: Vec<Segment>,
    pub order: Vec<Step>,
    pub rules: Vec<Rule>,
    pub actions: Vec<String>,
    pub suppress: Vec<Suppress>,
    pub max_actions: Option<usize>,
    pub policy_holdout: Option<Holdout>,
    pub decimal_comma: bool,
    /// The number of condition nodes (for explain traces).
    pub nodes: u32,
    /// Simple tests that rule out rules before their conditions are walked.
    pub guards: Vec<Guard>,
    /// Per rule: its guards are its whole condition.
    pub guarded: Vec<bool>,
    /// The checked model it was compiled from.
    pub model: Model,
}
