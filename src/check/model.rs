//! The checked playbook: every name resolved to an index, every value typed.
//! The evaluator compiles this; nothing here refers back to source text except spans.

use crate::ast::{ArithOp, CompareOp, Span, TextOp};
use crate::dates::DateFormat;

#[derive(Clone, Debug)]
pub struct Model {
    /// The playbook's title (`playbook "…"`), the salt of a policy holdout.
    pub title: Option<String>,
    pub fields: Vec<FieldDef>,
    /// The field marked `key`, if any; otherwise the key is the column `id`, else `customer_id`.
    pub key_field: Option<usize>,
    pub journeys: Vec<JourneyDef>,
    pub segments: Vec<SegmentDef>,
    /// Journeys and segments in an order where each comes after what it uses.
    pub order: Vec<Node>,
    pub rules: Vec<RuleDef>,
    pub policy: PolicyDef,
    pub tests: Vec<TestDef>,
    /// Every action name that can appear in a decision, in declaration (or first use) order.
    pub actions: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Journey(usize),
    Segment(usize),
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    /// The export column it is read from (its name unless `from "…"`).
    pub column: String,
    pub format: Option<DateFormat>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Text,
    Number,
    Bool,
    Date,
    /// The words as declared; values match case-insensitively and are stored as the index.
    OneOf(Vec<String>),
    ListOfText,
}

impl Type {
    pub fn describe(&self) -> &'static str {
        match self {
            Type::Text => "text",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Date => "date",
            Type::OneOf(_) => "one of",
            Type::ListOfText => "list of text",
        }
    }
}

#[derive(Clone, Debug)]
pub struct JourneyDef {
    pub name: String,
    pub stages: Vec<StageDef>,
    /// `from column COL`: the stage is read from this export column.
    pub column: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct StageDef {
    pub name: String,
    /// `None` for a journey read from a column.
    pub condition: Option<Cond>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SegmentDef {
    pub name: String,
    pub condition: Cond,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct RuleDef {
    /// The name as reported in decisions: the given name or `rule@LINE`.
    pub name: String,
    pub condition: Cond,
    pub unless: Option<Cond>,
    pub actions: Vec<ActionDef>,
    pub priority: f64,
    pub holdout: Option<HoldoutDef>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ActionDef {
    /// Index into `Model::actions`.
    pub action: usize,
    pub argument: Option<String>,
    pub channel: Channel,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Channel {
    None,
    Word(String),
    /// The customer's value of a `one of` field.
    Field(usize),
}

#[derive(Clone, Debug)]
pub struct HoldoutDef {
    /// P × 100, exactly: the customer is held out when bucket < this.
    pub basis_points: u32,
    pub salt: String,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct PolicyDef {
    pub suppress: Vec<SuppressDef>,
    pub max_actions: Option<usize>,
    pub holdout: Option<HoldoutDef>,
    pub decimal_comma: bool,
}

#[derive(Clone, Debug)]
pub struct SuppressDef {
    /// Empty: the whole customer.
    pub actions: Vec<usize>,
    pub condition: Cond,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TestDef {
    pub name: String,
    pub as_of: Option<i32>,
    /// Values by field index; absent fields are missing.
    pub given: Vec<(usize, GivenCell)>,
    /// Values for columns that are not fields (e.g. a `from column` journey's stage).
    pub columns: Vec<(String, String)>,
    pub expectations: Vec<Expect>,
    pub span: Span,
}

/// A test's value for one field, already typed.
#[derive(Clone, Debug, PartialEq)]
pub enum GivenCell {
    Missing,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(i32),
    Word(u32),
    List(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Expect {
    pub kind: ExpectDef,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectDef {
    Stage { journey: usize, stage: usize },
    NoStage(Option<usize>),
    Action(usize),
    NoAction(usize),
    NoActions,
    Suppressed(bool),
    Segment(usize, bool),
    Holdout(usize),
}

// ───────────────────────────── conditions ─────────────────────────────

/// A typed condition. Evaluates to true, false or unknown.
#[derive(Clone, Debug)]
pub struct Cond {
    pub kind: CondKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum CondKind {
    /// `true` / `false` written as a condition.
    Const(bool),
    /// The placeholder after an error (a model with errors is never evaluated).
    Invalid,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// `customer in STAGE` (never unknown)
    InStage {
        journey: usize,
        stage: usize,
    },
    /// `customer reached STAGE` (never unknown)
    Reached {
        journey: usize,
        stage: usize,
    },
    /// `customer in SEGMENT` (never unknown)
    InSegment(usize),
    /// A bool value.
    IsTrue(Value),
    Compare {
        op: CompareOp,
        left: Value,
        right: Value,
    },
    /// `F [not] in [..]`; items are constants of F's type.
    InList {
        value: Value,
        items: Vec<Value>,
        negated: bool,
    },
    /// `F has "x"`; `item` is lower-cased.
    Has {
        list: Value,
        item: String,
    },
    /// `contains` and friends; `pattern` is lower-cased.
    Text {
        op: TextOp,
        value: Value,
        pattern: String,
    },
    /// `F is missing` (`negated`: `is present`). Never unknown.
    Missing {
        value: Value,
        negated: bool,
    },
    /// `D within N days` (future: `within next`)
    Within {
        date: Value,
        days: f64,
        future: bool,
    },
    MoreThanAgo {
        date: Value,
        days: f64,
    },
    Anniversary {
        date: Value,
        days: f64,
    },
}

/// A typed value.
#[derive(Clone, Debug)]
pub struct Value {
    pub kind: ValueKind,
    pub ty: ValueType,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Number,
    Text,
    Bool,
    Date,
    /// A word of the `one of` field with this index.
    Word(usize),
    List,
    /// Unknown after an error; accepted everywhere so one mistake gives one message.
    Error,
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    Field(usize),
    Number(f64),
    /// Text constants are kept as written; comparisons lower-case them.
    Text(String),
    Bool(bool),
    /// A day number.
    Date(i32),
    /// A word index of the field in `ValueType::Word`.
    Word(u32),
    Neg(Box<Value>),
    Arith {
        op: ArithOp,
        left: Box<Value>,
        right: Box<Value>,
    },
    DaysSince(Box<Value>),
    DaysUntil(Box<Value>),
    /// The placeholder after an error.
    Error,
}

impl Value {
    pub fn is_constant(&self) -> bool {
        match &self.kind {
            // An error placeholder may stand for a field (a name in a playbook without a
            // `customer` block): never call it fixed.
            ValueKind::Field(_)
            | ValueKind::DaysSince(_)
            | ValueKind::DaysUntil(_)
            | ValueKind::Error => false,
            ValueKind::Neg(v) => v.is_constant(),
            ValueKind::Arith { left, right, .. } => left.is_constant() && right.is_constant(),
            _ => true,
        }
    }
}

impl Model {
    /// Every stage name of a journey, for messages.
    pub fn stage_name(&self, journey: usize, stage: usize) -> &str {
        &self.journeys[journey].stages[stage].name
    }
}
