//! The typed syntax tree of a playbook file, with a byte span on every node.
//!
//! Equality ignores spans, so tests can compare structure. Names are not
//! resolved here: a bare name in a condition may be a field or a word, and
//! only the checker (which knows the schema) can tell.

use std::fmt;

/// A byte range in the source file.
#[derive(Clone, Copy, Debug, Default, Eq, serde::Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        // INVARIANT: sources are limited to far less than 4 GiB (syntax::MAX_SOURCE_BYTES).
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Spans never take part in equality: two trees are equal when their structure is.
impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> miette::SourceSpan {
        miette::SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// A name as written: a plain identifier, or text in double quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A whole playbook file: its items in source order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Playbook {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Title(Name),
    Schema(Schema),
    Journey(Journey),
    Segment(Segment),
    Actions(ActionsDecl),
    Policy(Policy),
    Rule(Rule),
    Test(Test),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Title(n) => n.span,
            Item::Schema(s) => s.span,
            Item::Journey(j) => j.span,
            Item::Segment(s) => s.span,
            Item::Actions(a) => a.span,
            Item::Policy(p) => p.span,
            Item::Rule(r) => r.span,
            Item::Test(t) => t.span,
        }
    }
}

// ───────────────────────────── schema ─────────────────────────────

#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: Name,
    pub ty: FieldType,
    pub ty_span: Span,
    /// Each `?` written (more than one is reported by the checker).
    pub optional: Vec<Span>,
    pub key: Vec<Span>,
    pub column: Vec<(String, Span)>,
    pub format: Vec<(String, Span)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    Text,
    Number,
    Bool,
    Date,
    OneOf(Vec<Name>),
    ListOfText,
}

// ───────────────────────────── journeys, segments, actions ─────────────────────────────

#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    pub name: Name,
    /// `from column COL`: the stage is read from the export.
    pub column: Option<Name>,
    pub stages: Vec<Stage>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: Name,
    pub condition: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub name: Name,
    pub condition: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionsDecl {
    pub names: Vec<Name>,
    pub span: Span,
}

// ───────────────────────────── policy ─────────────────────────────

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub items: Vec<PolicyItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PolicyItem {
    /// `suppress [a, b] when C`; no actions means the whole customer.
    Suppress {
        actions: Vec<Name>,
        condition: Expr,
        span: Span,
    },
    /// `max N actions per customer`
    MaxActions {
        max: Number,
        span: Span,
    },
    Holdout(Holdout),
    DecimalComma {
        span: Span,
    },
}

/// `holdout P% [salt "S"]`
#[derive(Clone, Debug, PartialEq)]
pub struct Holdout {
    /// P as written, e.g. `12.5`.
    pub percent: String,
    pub percent_span: Span,
    pub salt: Option<(String, Span)>,
    pub span: Span,
}

/// A number with the text it was written as.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub value: f64,
    pub span: Span,
}

// ───────────────────────────── rules ─────────────────────────────

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: Option<Name>,
    /// The span of the `when` keyword; an unnamed rule is named after its line.
    pub when_span: Span,
    pub condition: Expr,
    pub unless: Option<Expr>,
    pub actions: Vec<ActionCall>,
    pub priority: Vec<Number>,
    pub holdout: Vec<Holdout>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionCall {
    pub name: Name,
    pub argument: Option<(String, Span)>,
    pub via: Option<Name>,
    pub span: Span,
}

// ───────────────────────────── tests ─────────────────────────────

#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub name: Name,
    pub as_of: Option<(DateLit, Span)>,
    pub given: Vec<GivenEntry>,
    pub expectations: Vec<Expectation>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GivenEntry {
    pub key: Name,
    pub value: GivenValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GivenValue {
    Number(f64),
    Text(String),
    Word(String),
    Date(DateLit),
    Bool(bool),
    Null,
    List(Vec<GivenValue>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub kind: ExpectKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    Stage(Name),
    NoStage(Option<Name>),
    Action(Name),
    NoAction(Name),
    NoActions,
    Suppressed,
    NotSuppressed,
    Segment(Name),
    NoSegment(Name),
    Holdout(Name),
}

// ───────────────────────────── conditions and values ─────────────────────────────

/// A calendar date as written (not yet validated: `2026-02-30` parses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateLit {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl fmt::Display for DateLit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A condition or a value. Which one an expression must be follows from where it stands;
/// the checker reports a value used as a condition and the other way round.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    // Logic.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `customer [not] in X`
    CustomerIn {
        negated: bool,
        target: Name,
    },
    /// `customer reached S`
    Reached(Name),
    /// `a < b` and friends.
    Compare {
        op: CompareOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `F between lo and hi`
    Between {
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `F [not] in [a, b]`
    InList {
        value: Box<Expr>,
        negated: bool,
        items: Vec<Expr>,
    },
    /// `F has "x"`
    Has {
        list: Box<Expr>,
        item: Box<Expr>,
    },
    /// `F contains / starts with / ends with "x"`
    TextTest {
        op: TextOp,
        value: Box<Expr>,
        pattern: Box<Expr>,
    },
    /// `F is missing` (negated: `is present`, `is not missing`)
    IsMissing {
        value: Box<Expr>,
        negated: bool,
    },
    /// `F V`, `F is V`, `F is not V`
    IsWord {
        value: Box<Expr>,
        negated: bool,
        word: Box<Expr>,
    },
    /// `D within N days` (`future`: `within next`)
    Within {
        date: Box<Expr>,
        days: Number,
        future: bool,
    },
    /// `D more than N days ago`
    MoreThanAgo {
        date: Box<Expr>,
        days: Number,
    },
    /// `anniversary of D within next N days`
    Anniversary {
        date: Box<Expr>,
        days: Number,
    },

    // Values.
    /// A bare name: a field, or a word when no field has that name.
    Name(Name),
    Number(f64),
    Text(String),
    /// A word that can only be a word (after `is`, in lists): keywords allowed.
    Word(String),
    Date(DateLit),
    Bool(bool),
    Neg(Box<Expr>),
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `days_since(D)` / `days_until(D)` / an unknown function (reported by the checker).
    Call {
        function: Name,
        argument: Box<Expr>,
    },
    /// `( … )`, kept so the formatter and diagnostics can show it.
    Paren(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

impl TextOp {
    pub fn keyword(self) -> &'static str {
        match self {
            TextOp::Contains => "contains",
            TextOp::StartsWith => "starts with",
            TextOp::EndsWith => "ends with",
        }
    }
}

impl Playbook {
    pub fn title(&self) -> Option<&Name> {
        self.items.iter().find_map(|i| match i {
            Item::Title(n) => Some(n),
            _ => None,
        })
    }
    pub fn schemas(&self) -> impl Iterator<Item = &Schema> {
        self.items.iter().filter_map(|i| match i {
            Item::Schema(s) => Some(s),
            _ => None,
        })
    }
    pub fn journeys(&self) -> impl Iterator<Item = &Journey> {
        self.items.iter().filter_map(|i| match i {
            Item::Journey(j) => Some(j),
            _ => None,
        })
    }
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.items.iter().filter_map(|i| match i {
            Item::Segment(s) => Some(s),
            _ => None,
        })
    }
    pub fn action_decls(&self) -> impl Iterator<Item = &ActionsDecl> {
        self.items.iter().filter_map(|i| match i {
            Item::Actions(a) => Some(a),
            _ => None,
        })
    }
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.items.iter().filter_map(|i| match i {
            Item::Policy(p) => Some(p),
            _ => None,
        })
    }
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|i| match i {
            Item::Rule(r) => Some(r),
            _ => None,
        })
    }
    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        self.items.iter().filter_map(|i| match i {
            Item::Test(t) => Some(t),
            _ => None,
        })
    }
}

impl Expr {
    /// Visits this expression and every expression inside it.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::And(items) | ExprKind::Or(items) => items.iter().for_each(|i| i.walk(f)),
            ExprKind::Not(e) | ExprKind::Neg(e) | ExprKind::Paren(e) => e.walk(f),
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                left.walk(f);
                right.walk(f);
            }
            ExprKind::Between { value, low, high } => {
                value.walk(f);
                low.walk(f);
                high.walk(f);
            }
            ExprKind::InList { value, items, .. } => {
                value.walk(f);
                items.iter().for_each(|i| i.walk(f));
            }
            ExprKind::Has { list, item } => {
                list.walk(f);
                item.walk(f);
            }
            ExprKind::TextTest { value, pattern, .. } => {
                value.walk(f);
                pattern.walk(f);
            }
            ExprKind::IsMissing { value, .. } => value.walk(f),
            ExprKind::IsWord { value, word, .. } => {
                value.walk(f);
                word.walk(f);
            }
            ExprKind::Within { date, .. }
            | ExprKind::MoreThanAgo { date, .. }
            | ExprKind::Anniversary { date, .. } => date.walk(f),
            ExprKind::Call { argument, .. } => argument.walk(f),
            _ => {}
        }
    }
}

impl Playbook {
    /// Every top-level condition: stages, segments, suppressions, rules.
    pub fn conditions(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        for item in &self.items {
            match item {
                Item::Journey(j) => {
                    out.extend(j.stages.iter().filter_map(|s| s.condition.as_ref()))
                }
                Item::Segment(s) => out.push(&s.condition),
                Item::Policy(p) => out.extend(p.items.iter().filter_map(|i| match i {
                    PolicyItem::Suppress { condition, .. } => Some(condition),
                    _ => None,
                })),
                Item::Rule(r) => {
                    out.push(&r.condition);
                    out.extend(r.unless.as_ref());
                }
                _ => {}
            }
        }
        out
    }
}
