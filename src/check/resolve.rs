//! Conditions and values: names resolved, types checked, words turned into indices.

use super::model::*;
use super::problems::NameKind;
use super::{Checker, Named};
use crate::ast::{CompareOp, Expr, ExprKind, Name, Span, TextOp};
use crate::diagnostic::{suggestion_help, Code, Diagnostic};
use crate::syntax::keywords::written;

fn cond_at(kind: CondKind, span: Span) -> Cond {
    Cond { kind, span }
}

fn error_value(span: Span) -> Value {
    Value {
        kind: ValueKind::Error,
        ty: ValueType::Error,
        span,
    }
}

impl Checker<'_> {
    fn type_name(&self, ty: ValueType) -> String {
        match ty {
            ValueType::Number => "a number".into(),
            ValueType::Text => "text".into(),
            ValueType::Bool => "a bool".into(),
            ValueType::Date => "a date".into(),
            ValueType::Word(f) => format!("a word of `{}`", self.fields[f].name),
            ValueType::List => "a list".into(),
            ValueType::Error => "unknown".into(),
        }
    }

    fn field_value(&self, index: usize, span: Span) -> Value {
        let ty = match &self.fields[index].ty {
            Type::Text => ValueType::Text,
            Type::Number => ValueType::Number,
            Type::Bool => ValueType::Bool,
            Type::Date => ValueType::Date,
            Type::OneOf(_) => ValueType::Word(index),
            Type::ListOfText => ValueType::List,
        };
        Value {
            kind: ValueKind::Field(index),
            ty,
            span,
        }
    }

    // ───────────────────────────── conditions ─────────────────────────────

    pub(super) fn cond(&mut self, e: &Expr) -> Cond {
        let span = e.span;
        let kind = match &e.kind {
            ExprKind::And(items) => CondKind::And(items.iter().map(|i| self.cond(i)).collect()),
            ExprKind::Or(items) => CondKind::Or(items.iter().map(|i| self.cond(i)).collect()),
            ExprKind::Not(inner) => CondKind::Not(Box::new(self.cond(inner))),
            ExprKind::Paren(inner) => return self.cond(inner),
            ExprKind::CustomerIn { negated, target } => self.customer_in(*negated, target, span),
            ExprKind::Reached(name) => self.reached(name),
            ExprKind::Compare { op, left, right } => self.compare(*op, left, right, span),
            ExprKind::Between { value, low, high } => {
                let v = self.value(value);
                let lo = self.operand_like(low, &v);
                let hi = self.operand_like(high, &v);
                self.check_between(&lo, &hi);
                let a = self.typed_compare(CompareOp::Le, lo, v.clone(), span);
                let b = self.typed_compare(CompareOp::Le, v, hi, span);
                CondKind::And(vec![cond_at(a, span), cond_at(b, span)])
            }
            ExprKind::InList {
                value,
                negated,
                items,
            } => self.in_list(value, *negated, items),
            ExprKind::Has { list, item } => self.has(list, item),
            ExprKind::TextTest { op, value, pattern } => self.text_test(*op, value, pattern),
            ExprKind::IsMissing { value, negated } => CondKind::Missing {
                value: self.value(value),
                negated: *negated,
            },
            ExprKind::IsWord {
                value,
                negated,
                word,
            } => self.is_word(value, *negated, word, span),
            ExprKind::Within { date, days, future } => CondKind::Within {
                date: self.date_value(date, "within"),
                days: self.days(days),
                future: *future,
            },
            ExprKind::MoreThanAgo { date, days } => CondKind::MoreThanAgo {
                date: self.date_value(date, "more than … ago"),
                days: self.days(days),
            },
            ExprKind::Anniversary { date, days } => CondKind::Anniversary {
                date: self.date_value(date, "anniversary of"),
                days: self.days(days),
            },
            ExprKind::Bool(b) => CondKind::Const(*b),
            ExprKind::Name(name) => self.bare_name_condition(name, span),
            _ => self.value_as_condition(e, span),
        };
        cond_at(kind, span)
    }

    /// `customer in STAGE-OR-SEGMENT` (negated: `customer not in`).
    fn customer_in(&mut self, negated: bool, target: &Name, span: Span) -> CondKind {
        let kind = match self.lookup_named(&target.text) {
            Some(named @ Named::Stage { journey, stage }) => {
                self.use_named(named, target.span);
                CondKind::InStage { journey, stage }
            }
            Some(named @ Named::Segment(s)) => {
                self.use_named(named, target.span);
                CondKind::InSegment(s)
            }
            Some(Named::Journey(_)) => {
                self.error(
                    Diagnostic::new(
                        Code::UnknownSegment,
                        target.span,
                        format!(
                            "`{}` is a journey; `customer in` takes a stage or a segment",
                            target.text
                        ),
                    )
                    .help(
                        "name one of its stages: `customer in STAGE`, or `customer reached STAGE`",
                    ),
                );
                CondKind::Invalid
            }
            None => {
                self.unknown_named(target, NameKind::StageOrSegment, |n| {
                    !matches!(n, Named::Journey(_))
                });
                CondKind::Invalid
            }
        };
        if negated {
            CondKind::Not(Box::new(cond_at(kind, span)))
        } else {
            kind
        }
    }

    /// `customer reached STAGE`.
    fn reached(&mut self, name: &Name) -> CondKind {
        match self.lookup_named(&name.text) {
            Some(named @ Named::Stage { journey, stage }) => {
                self.use_named(named, name.span);
                CondKind::Reached { journey, stage }
            }
            Some(Named::Segment(s)) => {
                // Meant as a use: no "never used" warning on top of this error.
                if let Some(u) = self.segment_uses.get_mut(s) {
                    *u += 1;
                }
                self.error(
                    Diagnostic::new(
                        Code::UnknownStage,
                        name.span,
                        format!("`{}` is a segment; `reached` takes a stage", name.text),
                    )
                    .help(format!("write `customer in {}`", written(&name.text))),
                );
                CondKind::Invalid
            }
            _ => {
                self.unknown_named(name, NameKind::Stage, |n| matches!(n, Named::Stage { .. }));
                CondKind::Invalid
            }
        }
    }

    /// `x in [a, b]` (negated: `not in`).
    fn in_list(&mut self, value: &Expr, negated: bool, items: &[Expr]) -> CondKind {
        let v = self.value(value);
        if v.ty == ValueType::List {
            self.error(
                Diagnostic::new(
                    Code::TypeMismatch,
                    value.span,
                    "a list cannot be compared with `in`",
                )
                .help("to test one item of a list, write `F has \"x\"`"),
            );
        }
        let items = items.iter().map(|i| self.list_item(i, &v)).collect();
        CondKind::InList {
            value: v,
            items,
            negated,
        }
    }

    /// `LIST has "x"`.
    fn has(&mut self, list: &Expr, item: &Expr) -> CondKind {
        let v = self.value(list);
        if !matches!(v.ty, ValueType::List | ValueType::Error) {
            let ty = self.type_name(v.ty);
            self.error(
                Diagnostic::new(Code::NotAList, list.span, format!("`has` needs a list, and this is {ty}"))
                    .label("not a list")
                    .help("`has` tests a `list of text` field; for text use `contains`, for one word `is`"),
            );
        }
        CondKind::Has {
            list: v,
            item: self.pattern(item),
        }
    }

    /// `contains`, `starts with`, `ends with`.
    fn text_test(&mut self, op: TextOp, value: &Expr, pattern: &Expr) -> CondKind {
        let v = self.value(value);
        if !matches!(
            v.ty,
            ValueType::Text | ValueType::Word(_) | ValueType::Error
        ) {
            let ty = self.type_name(v.ty);
            self.error(
                Diagnostic::new(
                    Code::NotText,
                    value.span,
                    format!("`{}` needs text, and this is {ty}", op.keyword()),
                )
                .label("not text")
                .help("`contains`, `starts with` and `ends with` test a text field; compare numbers with `=`, `<`, `>`"),
            );
        }
        CondKind::Text {
            op,
            value: v,
            pattern: self.pattern(pattern),
        }
    }

    /// `F is WORD` (negated: `is not`).
    fn is_word(&mut self, value: &Expr, negated: bool, word: &Expr, span: Span) -> CondKind {
        let v = self.value(value);
        let w = self.literal_like(word, &v);
        let op = if negated {
            CompareOp::Ne
        } else {
            CompareOp::Eq
        };
        if v.ty == ValueType::List {
            self.error(
                Diagnostic::new(
                    Code::TypeMismatch,
                    value.span,
                    "a list cannot be compared with one word",
                )
                .help("to test one item of a list, write `F has \"x\"`"),
            );
            CondKind::Invalid
        } else {
            self.typed_compare(op, v, w, span)
        }
    }

    /// Any other expression standing as a condition: a bool value, or an error.
    fn value_as_condition(&mut self, e: &Expr, span: Span) -> CondKind {
        let v = self.value(e);
        match v.ty {
            ValueType::Bool => CondKind::IsTrue(v),
            ValueType::Error => CondKind::Invalid,
            ty => {
                let ty = self.type_name(ty);
                self.error(
                    Diagnostic::new(
                        Code::NotACondition,
                        span,
                        format!("this is {ty}, not a condition"),
                    )
                    .label("not true or false")
                    .help("compare it with something, e.g. `… > 3`"),
                );
                CondKind::Invalid
            }
        }
    }

    fn days(&mut self, days: &crate::ast::Number) -> f64 {
        if days.value < 0.0 {
            self.error(Diagnostic::new(
                Code::TypeMismatch,
                days.span,
                "a number of days cannot be negative",
            ));
        }
        days.value
    }

    /// A bare name used as a whole condition: a bool field.
    fn bare_name_condition(&mut self, name: &crate::ast::Name, span: Span) -> CondKind {
        if let Some(i) = self.lookup_field(&name.text) {
            let v = self.field_value(i, span);
            return match &self.fields[i].ty {
                Type::Bool => CondKind::IsTrue(v),
                ty => {
                    let help = match ty {
                        Type::OneOf(words) => format!(
                            "test one of its words: `{} is {}`",
                            name.text,
                            words.first().map(String::as_str).unwrap_or("…")
                        ),
                        Type::Date => format!("e.g. `{} within 30 days`", name.text),
                        Type::ListOfText => format!("e.g. `{} has \"vip\"`", name.text),
                        _ => format!(
                            "compare it: `{} is present`, `{} = …`",
                            name.text, name.text
                        ),
                    };
                    self.error(
                        Diagnostic::new(
                            Code::NotACondition,
                            name.span,
                            format!(
                                "`{}` is a {} field, not a condition",
                                name.text,
                                ty.describe()
                            ),
                        )
                        .label("not true or false")
                        .help(help),
                    );
                    CondKind::Invalid
                }
            };
        }
        match self.lookup_named(&name.text) {
            Some(named @ (Named::Segment(_) | Named::Stage { .. })) => {
                // Meant as a use: no "never used" warning on top of this error.
                if let Named::Segment(s) = named {
                    if let Some(u) = self.segment_uses.get_mut(s) {
                        *u += 1;
                    }
                }
                self.error(
                    Diagnostic::new(
                        Code::NotACondition,
                        name.span,
                        format!("`{}` is a stage or segment, not a field", name.text),
                    )
                    .label("needs `customer in`")
                    .help(format!("write `customer in {}`", written(&name.text))),
                );
                CondKind::Invalid
            }
            _ if self.open_schema => CondKind::IsTrue(error_value(span)),
            _ => {
                let diag = self.unknown_field(name);
                self.error(diag);
                CondKind::Invalid
            }
        }
    }

    /// `F op G`, where a bare name that is not a field is a word typed by the other side.
    fn compare(&mut self, op: CompareOp, left: &Expr, right: &Expr, span: Span) -> CondKind {
        let is_word = |c: &Self, e: &Expr| matches!(&e.kind, ExprKind::Name(n) if c.lookup_field(&n.text).is_none() && !c.open_schema);
        let (l, r) = match (is_word(self, left), is_word(self, right)) {
            (true, false) => {
                let r = self.value(right);
                (self.operand_like(left, &r), r)
            }
            (false, true) => {
                let l = self.value(left);
                let r = self.operand_like(right, &l);
                (l, r)
            }
            // Neither names a field: the first is a misspelt field; say it once.
            (true, true) => {
                let l = self.value(left);
                (l, error_value(right.span))
            }
            _ => (self.value(left), self.value(right)),
        };
        self.typed_compare(op, l, r, span)
    }

    /// Checks the types of a comparison of two resolved values.
    fn typed_compare(&mut self, op: CompareOp, left: Value, right: Value, span: Span) -> CondKind {
        let ok = CondKind::Compare {
            op,
            left: left.clone(),
            right: right.clone(),
        };
        if left.ty == ValueType::Error || right.ty == ValueType::Error {
            return ok;
        }
        if left.is_constant() && right.is_constant() {
            self.error(
                Diagnostic::new(
                    Code::LiteralComparison,
                    span,
                    "this compares two fixed values, so it is always the same",
                )
                .label("no field here")
                .help("compare a field with a value, e.g. `orders >= 3`"),
            );
            return CondKind::Invalid;
        }
        let same = match (left.ty, right.ty) {
            (ValueType::Word(a), ValueType::Word(b)) => {
                a == b || self.fields[a].ty == self.fields[b].ty
            }
            (a, b) => a == b,
        };
        if !same {
            let (lt, rt) = (self.type_name(left.ty), self.type_name(right.ty));
            self.error(
                Diagnostic::new(
                    Code::TypeMismatch,
                    left.span,
                    format!("this compares {lt} with {rt}"),
                )
                .label(lt.clone())
                .also(right.span, rt.clone())
                .help("both sides of a comparison must have the same type"),
            );
            return CondKind::Invalid;
        }
        let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        match left.ty {
            ValueType::Word(f) if ordering => {
                self.error(
                    Diagnostic::new(
                        Code::OrderedWords,
                        span,
                        format!(
                            "the words of `{}` have no order, so `{}` cannot compare them",
                            self.fields[f].name,
                            op.symbol()
                        ),
                    )
                    .help("use `=`, `!=`, `is` or `in [ … ]`"),
                );
                CondKind::Invalid
            }
            ValueType::Bool | ValueType::List if ordering || left.ty == ValueType::List => {
                let ty = self.type_name(left.ty);
                self.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("`{}` cannot compare {ty}", op.symbol()),
                    )
                    .help(if left.ty == ValueType::List {
                        "to test a list, use `has \"x\"`"
                    } else {
                        "a bool is only equal or not equal"
                    }),
                );
                CondKind::Invalid
            }
            _ => ok,
        }
    }

    /// Literal bounds the wrong way round: never true (§11), so a warning,
    /// never an error (`-5` is a literal too, written as a negation).
    fn check_between(&mut self, lo: &Value, hi: &Value) {
        fn number(v: &Value) -> Option<f64> {
            match &v.kind {
                ValueKind::Number(n) => Some(*n),
                ValueKind::Neg(inner) => number(inner).map(|n| -n),
                _ => None,
            }
        }
        let reversed = match (&lo.kind, &hi.kind) {
            (ValueKind::Date(a), ValueKind::Date(b)) => a > b,
            (ValueKind::Text(a), ValueKind::Text(b)) => a > b,
            _ => matches!((number(lo), number(hi)), (Some(a), Some(b)) if a > b),
        };
        if reversed {
            self.error(
                Diagnostic::new(
                    Code::ReversedBetween,
                    lo.span.to(hi.span),
                    "the lower bound is above the upper bound, so this is never true",
                )
                .label("reversed bounds")
                .help("write the smaller value first: `between LOW and HIGH`"),
            );
        }
    }

    /// The text after `has`, `contains`, …: lower-cased once here.
    fn pattern(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Text(t) | ExprKind::Word(t) => t.to_lowercase(),
            ExprKind::Name(n) => n.text.to_lowercase(),
            ExprKind::Number(n) => n.to_string(),
            _ => {
                self.error(Diagnostic::new(
                    Code::TypeMismatch,
                    e.span,
                    "expected a text here, like `\"vip\"`",
                ));
                String::new()
            }
        }
    }

    fn date_value(&mut self, e: &Expr, what: &str) -> Value {
        let v = self.value(e);
        if !matches!(v.ty, ValueType::Date | ValueType::Error) {
            let ty = self.type_name(v.ty);
            self.error(
                Diagnostic::new(
                    Code::NotADate,
                    e.span,
                    format!("`{what}` needs a date, and this is {ty}"),
                )
                .label("not a date")
                .help("use a `date` field, e.g. `last_order within 30 days`"),
            );
            return error_value(v.span);
        }
        v
    }

    // ───────────────────────────── values ─────────────────────────────

    /// An operand that may be a bare word: typed by the value it is compared with.
    fn operand_like(&mut self, e: &Expr, other: &Value) -> Value {
        match &e.kind {
            // Compared with a field, a bare name is one of its words; compared with a fixed
            // value, it can only be a misspelt field.
            ExprKind::Name(n)
                if self.lookup_field(&n.text).is_none()
                    && !self.open_schema
                    && other.is_constant()
                    && other.ty != ValueType::Error =>
            {
                let diag = self.unknown_field(n);
                self.error(diag);
                error_value(e.span)
            }
            ExprKind::Name(n) if self.lookup_field(&n.text).is_none() && !self.open_schema => {
                match other.ty {
                    ValueType::Word(_) | ValueType::Text | ValueType::Error | ValueType::Bool => {
                        self.literal_like(e, other)
                    }
                    _ => {
                        let diag = self.unknown_field(n);
                        self.error(diag);
                        error_value(e.span)
                    }
                }
            }
            _ => self.value(e),
        }
    }

    /// An item of `F in [ … ]`: a field when a bare name is one (the field wins, as in
    /// `F = w`), else a literal typed by F; of F's type, or an error as `F = item` would be.
    fn list_item(&mut self, e: &Expr, value: &Value) -> Value {
        let item = match &e.kind {
            ExprKind::Word(w) if self.lookup_field(w).is_some() => {
                let name = crate::ast::Name {
                    text: w.clone(),
                    quoted: false,
                    span: e.span,
                };
                self.value(&Expr {
                    kind: ExprKind::Name(name),
                    span: e.span,
                })
            }
            _ => self.literal_like(e, value),
        };
        let same = match (value.ty, item.ty) {
            (ValueType::Error, _) | (_, ValueType::Error) => true,
            (ValueType::Word(a), ValueType::Word(b)) => {
                a == b || self.fields[a].ty == self.fields[b].ty
            }
            (a, b) => a == b,
        };
        if !same {
            let (vt, it) = (self.type_name(value.ty), self.type_name(item.ty));
            self.error(
                Diagnostic::new(
                    Code::TypeMismatch,
                    e.span,
                    format!("this list item is {it}, and the value tested is {vt}"),
                )
                .label(it)
                .also(value.span, vt)
                .help("every item of `in [ … ]` must have the type of the value before `in`"),
            );
            return error_value(e.span);
        }
        item
    }

    /// A literal (after `is`, in a list) typed by the value it is compared with.
    fn literal_like(&mut self, e: &Expr, other: &Value) -> Value {
        let span = e.span;
        let text = match &e.kind {
            ExprKind::Word(w) => Some(w.as_str()),
            ExprKind::Name(n) if self.lookup_field(&n.text).is_none() => Some(n.text.as_str()),
            ExprKind::Text(t) if !self.quoted_fields.contains_key(t) => Some(t.as_str()),
            _ => None,
        };
        let Some(text) = text else {
            return self.value(e);
        };
        if text != text.to_lowercase()
            && crate::syntax::RESERVED.contains(&text.to_lowercase().as_str())
        {
            self.error(
                Diagnostic::new(
                    Code::SyntaxError,
                    span,
                    format!(
                        "`{text}` is read as a word here, not as the keyword `{}`",
                        text.to_lowercase()
                    ),
                )
                .label("keywords are lower case")
                .help(format!("write `{}`", text.to_lowercase())),
            );
            return error_value(span);
        }
        let word = |kind, ty| Value { kind, ty, span };
        match other.ty {
            ValueType::Word(f) => {
                let Type::OneOf(words) = &self.fields[f].ty else {
                    return error_value(span);
                };
                let lower = text.to_lowercase();
                match words.iter().position(|w| w.to_lowercase() == lower) {
                    Some(i) => word(ValueKind::Word(i as u32), ValueType::Word(f)),
                    None => {
                        let known: Vec<&str> = words.iter().map(String::as_str).collect();
                        let mut diag = Diagnostic::new(
                            Code::UnknownWord,
                            span,
                            format!(
                                "`{text}` is not one of the words of `{}`",
                                self.fields[f].name
                            ),
                        )
                        .label("unknown word");
                        if let Some(help) = suggestion_help(text, "word", &known) {
                            diag = diag.help(help);
                        }
                        self.error(diag);
                        error_value(span)
                    }
                }
            }
            ValueType::Bool => match crate::row::words::parse_bool(text) {
                Some(b) => word(ValueKind::Bool(b), ValueType::Bool),
                None => {
                    self.error(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            span,
                            format!("`{text}` is not true or false"),
                        )
                        .help("a bool field is tested with `true` or `false`"),
                    );
                    error_value(span)
                }
            },
            ValueType::Error => error_value(span),
            // Text fields, and anything else (reported by the comparison).
            _ => word(ValueKind::Text(text.to_string()), ValueType::Text),
        }
    }

    pub(super) fn value(&mut self, e: &Expr) -> Value {
        let span = e.span;
        let constant = |kind, ty| Value { kind, ty, span };
        match &e.kind {
            ExprKind::Paren(inner) => self.value(inner),
            ExprKind::Name(n) => match self.lookup_field(&n.text) {
                Some(i) => self.field_value(i, span),
                None if self.open_schema => error_value(span),
                None => {
                    let diag = self.unknown_field(n);
                    self.error(diag);
                    error_value(span)
                }
            },
            ExprKind::Text(t) => match self.quoted_fields.get(t) {
                Some(&i) => self.field_value(i, span),
                None => constant(ValueKind::Text(t.clone()), ValueType::Text),
            },
            ExprKind::Word(w) => constant(ValueKind::Text(w.clone()), ValueType::Text),
            ExprKind::Number(n) => constant(ValueKind::Number(*n), ValueType::Number),
            ExprKind::Bool(b) => constant(ValueKind::Bool(*b), ValueType::Bool),
            ExprKind::Date(d) => match self.date_literal(*d, span) {
                Some(days) => constant(ValueKind::Date(days), ValueType::Date),
                None => error_value(span),
            },
            ExprKind::Neg(inner) => {
                let v = self.number_value(inner, "-");
                Value {
                    kind: ValueKind::Neg(Box::new(v)),
                    ty: ValueType::Number,
                    span,
                }
            }
            ExprKind::Arith { op, left, right } => {
                if let Some(diag) = date_as_arithmetic(self.source, span) {
                    self.diags.push(diag);
                    return error_value(span);
                }
                let l = self.number_value(left, op.symbol());
                let r = self.number_value(right, op.symbol());
                Value {
                    kind: ValueKind::Arith {
                        op: *op,
                        left: Box::new(l),
                        right: Box::new(r),
                    },
                    ty: ValueType::Number,
                    span,
                }
            }
            ExprKind::Call { function, argument } => {
                let kind: fn(Box<Value>) -> ValueKind = match function.text.as_str() {
                    "days_since" => ValueKind::DaysSince,
                    "days_until" => ValueKind::DaysUntil,
                    other => {
                        let mut diag = Diagnostic::new(
                            Code::UnknownFunction,
                            function.span,
                            format!("there is no function named `{other}`"),
                        )
                        .label("unknown function");
                        diag = diag.help(
                            suggestion_help(other, "function", &["days_since", "days_until"])
                                .unwrap_or_else(|| {
                                    "the functions are `days_since(D)` and `days_until(D)`".into()
                                }),
                        );
                        self.error(diag);
                        return error_value(span);
                    }
                };
                let arg = self.date_value(argument, &function.text);
                Value {
                    kind: kind(Box::new(arg)),
                    ty: ValueType::Number,
                    span,
                }
            }
            _ => {
                // A condition where a value is needed, e.g. `(a > 3) + 1`.
                self.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        "a condition cannot be used as a value here",
                    )
                    .label("a condition")
                    .help("conditions are combined with `and`, `or` and `not`"),
                );
                error_value(span)
            }
        }
    }

    fn number_value(&mut self, e: &Expr, op: &str) -> Value {
        let v = self.value(e);
        if !matches!(v.ty, ValueType::Number | ValueType::Error) {
            let ty = self.type_name(v.ty);
            let help = if v.ty == ValueType::Date {
                "for days between dates use `days_since(D)` or `days_until(D)`"
            } else {
                "arithmetic works on numbers only"
            };
            self.error(
                Diagnostic::new(
                    Code::NotANumber,
                    e.span,
                    format!("`{op}` needs numbers, and this is {ty}"),
                )
                .label("not a number")
                .help(help),
            );
            return error_value(v.span);
        }
        v
    }
}

/// `Year_Birth > 01-01-1990`: a day-month-year date that the grammar reads as arithmetic
/// (1 − 1 − 1990). Nobody means that sum, and it would decide for every customer.
fn date_as_arithmetic(source: &str, span: Span) -> Option<Diagnostic> {
    // Written without spaces, as a date is: `10 - 5 - 2000` is meant as a calculation.
    let text = source.get(span.range())?.trim();
    if text.contains(char::is_whitespace) {
        return None;
    }
    let sep = if text.contains('-') { '-' } else { '/' };
    let parts: Vec<&str> = text.split(sep).collect();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let date_like = parts.len() == 3
        && parts.iter().all(|p| digits(p))
        && (1..=2).contains(&parts[0].len())
        && (1..=2).contains(&parts[1].len())
        && parts[2].len() == 4;
    if !date_like {
        return None;
    }
    let (day, month, year) = (parts[0], parts[1], parts[2]);
    // `11-23-2013` is month-day-year: the number over 12 is the day.
    let (day, month) = match (day.parse::<u8>().ok()?, month.parse::<u8>().ok()?) {
        (d, m) if d <= 12 && m > 12 => (month, day),
        _ => (day, month),
    };
    let iso = format!("{year}-{month:0>2}-{day:0>2}");
    Some(
        Diagnostic::new(
            Code::DateAsArithmetic,
            span,
            format!(
                "`{text}` looks like a date, but here it is a calculation ({})",
                parts.join(&format!(" {sep} "))
            ),
        )
        .label("read as arithmetic, not as a date")
        .help(format!(
            "write dates as year-month-day, `{iso}`, and compare a date field with them; for a year, write the number `{year}`"
        )),
    )
}
