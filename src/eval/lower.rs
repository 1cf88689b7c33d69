//! A checked model → a [`Program`]: slots instead of names, word indices instead of words,
//! day numbers instead of dates. Needs no export: columns are bound later (`bind`).

use super::program::*;
use crate::ast::Span;
use crate::check::model::{self as m, Model, Type};
use crate::row::{Slot, SlotKind};

/// Lowers a checked model into a program: no export is needed (see `bind`).
pub fn lower(model: &Model) -> Program {
    let mut slots: Vec<Slot> = model.fields.iter().map(field_slot).collect();
    let mut c = Compiler {
        next_id: 0,
        fields: &model.fields,
    };
    let journeys = model
        .journeys
        .iter()
        .map(|j| {
            let source = match &j.column {
                Some(col) => {
                    slots.push(Slot {
                        name: col.clone(),
                        column: col.clone(),
                        kind: SlotKind::Stage(
                            j.stages.iter().map(|s| s.name.to_lowercase()).collect(),
                        ),
                        optional: false,
                    });
                    JourneySource::Slot((slots.len() - 1) as u16)
                }
                None => JourneySource::Conditions(
                    j.stages
                        .iter()
                        .map(|s| match &s.condition {
                            Some(cond) => c.cond(cond),
                            None => c.constant(Tri::False, s.span),
                        })
                        .collect(),
                ),
            };
            Journey {
                name: j.name.clone(),
                stages: j.stages.iter().map(|s| s.name.clone()).collect(),
                source,
            }
        })
        .collect();
    let segments = model
        .segments
        .iter()
        .map(|s| Segment {
            name: s.name.clone(),
            condition: c.cond(&s.condition),
        })
        .collect();
    let order = model
        .order
        .iter()
        .map(|n| match n {
            m::Node::Journey(j) => Step::Journey(*j as u16),
            m::Node::Segment(s) => Step::Segment(*s as u16),
        })
        .collect();
    let rules: Vec<Rule> = model
        .rules
        .iter()
        .map(|r| Rule {
            name: r.name.clone(),
            condition: c.cond(&r.condition),
            unless: r.unless.as_ref().map(|u| c.cond(u)),
            actions: r.actions.iter().map(|a| action(model, a)).collect(),
            priority: r.priority,
            holdout: r.holdout.as_ref().map(holdout),
        })
        .collect();
    let suppress = model
        .policy
        .suppress
        .iter()
        .map(|s| Suppress {
            actions: s.actions.iter().map(|a| *a as u32).collect(),
            condition: c.cond(&s.condition),
        })
        .collect();
    let (guards, guarded) = guards(&rules);
    Program {
        slots,
        journeys,
        segments,
        order,
        rules,
        actions: model.actions.clone(),
        suppress,
        max_actions: model.policy.max_actions,
        policy_holdout: model.policy.holdout.as_ref().map(holdout),
        decimal_comma: model.policy.decimal_comma,
        nodes: c.next_id,
        guards,
        guarded,
        model: model.clone(),
    }
}

/// A field's slot: its column by name, its type as the reader reads it.
fn field_slot(field: &m::FieldDef) -> Slot {
    let kind = match &field.ty {
        Type::Text => SlotKind::Text,
        Type::Number => SlotKind::Number,
        Type::Bool => SlotKind::Bool,
        Type::Date => SlotKind::Date(field.format.clone()),
        Type::OneOf(words) => SlotKind::Words(words.iter().map(|w| w.to_lowercase()).collect()),
        Type::ListOfText => SlotKind::List,
    };
    Slot {
        name: field.name.clone(),
        column: field.column.clone(),
        kind,
        optional: field.optional,
    }
}

/// A rule's action, its channel a word or the customer's own `one of` field.
fn action(model: &Model, a: &m::ActionDef) -> Action {
    Action {
        action: a.action as u32,
        argument: a.argument.clone(),
        channel: match &a.channel {
            m::Channel::None => Channel::None,
            m::Channel::Word(w) => Channel::Word(w.clone()),
            m::Channel::Field(f) => Channel::Slot {
                slot: *f as u16,
                words: match &model.fields[*f].ty {
                    Type::OneOf(words) => words.clone(),
                    _ => Vec::new(),
                },
            },
        },
    }
}

fn holdout(h: &m::HoldoutDef) -> Holdout {
    Holdout {
        basis_points: h.basis_points,
        salt: h.salt.clone(),
    }
}

struct Compiler<'m> {
    next_id: u32,
    fields: &'m [m::FieldDef],
}

impl Compiler<'_> {
    fn node(&mut self, kind: CKind, span: Span) -> C {
        let id = self.next_id;
        self.next_id += 1;
        C { kind, span, id }
    }

    fn constant(&mut self, t: Tri, span: Span) -> C {
        self.node(CKind::Const(t), span)
    }

    fn cond(&mut self, cond: &m::Cond) -> C {
        use m::CondKind as K;
        let span = cond.span;
        if let Some(kind) = fast_path(cond) {
            return self.node(kind, span);
        }
        let kind = match &cond.kind {
            K::Const(b) => CKind::Const(Tri::from_bool(*b)),
            K::Invalid => CKind::Const(Tri::Unknown),
            K::And(items) => CKind::And(items.iter().map(|i| self.cond(i)).collect()),
            K::Or(items) => CKind::Or(items.iter().map(|i| self.cond(i)).collect()),
            K::Not(inner) => CKind::Not(Box::new(self.cond(inner))),
            K::InStage { journey, stage } => CKind::InStage {
                journey: *journey as u16,
                stage: *stage as u16,
            },
            K::Reached { journey, stage } => CKind::Reached {
                journey: *journey as u16,
                stage: *stage as u16,
            },
            K::InSegment(s) => CKind::InSegment(*s as u16),
            K::IsTrue(v) => CKind::IsTrue(self.value(v)),
            K::Compare { op, left, right } => CKind::Compare {
                op: *op,
                kind: cmp_kind(left.ty),
                left: self.value(left),
                right: self.value(right),
            },
            K::InList {
                value,
                items,
                negated,
            } => CKind::InList {
                kind: cmp_kind(value.ty),
                value: self.value(value),
                items: items.iter().map(|i| self.value(i)).collect(),
                negated: *negated,
            },
            K::Has { list, item } => CKind::Has {
                list: self.value(list),
                item: item.as_str().into(),
            },
            K::Text { op, value, pattern } if matches!(value.ty, m::ValueType::Word(_)) => {
                let words = match value.ty {
                    m::ValueType::Word(f) => match &self.fields[f].ty {
                        Type::OneOf(words) => words.clone(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                CKind::WordIn {
                    set: words
                        .iter()
                        .map(|w| super::run::text_test(*op, w, pattern))
                        .collect(),
                    value: self.value(value),
                }
            }
            K::Text { op, value, pattern } => CKind::Text {
                op: *op,
                value: self.value(value),
                pattern: pattern.as_str().into(),
                finder: Box::new(memchr::memmem::Finder::new(pattern.as_bytes()).into_owned()),
            },
            K::Missing { value, negated } => CKind::Missing {
                value: self.value(value),
                negated: *negated,
            },
            K::Within {
                date,
                days,
                future: false,
            } => CKind::DaysAgo {
                date: self.value(date),
                low: 0.0,
                high: *days,
            },
            K::Within {
                date,
                days,
                future: true,
            } => CKind::DaysAhead {
                date: self.value(date),
                days: *days,
            },
            K::MoreThanAgo { date, days } => CKind::MoreThanAgo {
                date: self.value(date),
                days: *days,
            },
            K::Anniversary { date, days } => CKind::Anniversary {
                date: self.value(date),
                days: *days,
            },
        };
        self.node(kind, span)
    }

    fn value(&mut self, v: &m::Value) -> V {
        use m::ValueKind as K;
        let kind = match &v.kind {
            K::Field(f) => VKind::Slot(*f as u16),
            K::Number(n) => VKind::Number(*n),
            K::Text(t) => VKind::Text {
                written: t.as_str().into(),
                lower: t.to_lowercase().into(),
            },
            K::Bool(b) => VKind::Bool(*b),
            K::Date(d) => VKind::Date(*d),
            K::Word(w) => VKind::Word(*w),
            K::Neg(inner) => VKind::Neg(Box::new(self.value(inner))),
            K::Arith { op, left, right } => VKind::Arith {
                op: *op,
                left: Box::new(self.value(left)),
                right: Box::new(self.value(right)),
            },
            K::DaysSince(d) => VKind::DaysSince(Box::new(self.value(d))),
            K::DaysUntil(d) => VKind::DaysUntil(Box::new(self.value(d))),
            // INVARIANT: a model with errors is never compiled; unknown is the safe reading.
            K::Error => VKind::Number(f64::NAN),
        };
        V { kind, span: v.span }
    }
}

/// The shape `field op constant` (either way round), as a node that reads the cell directly.
fn fast_path(cond: &m::Cond) -> Option<CKind> {
    use crate::ast::CompareOp;
    use m::{CondKind as K, ValueKind as VK, ValueType as T};
    let flip = |op: CompareOp| match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    };
    match &cond.kind {
        K::Compare { op, left, right } => {
            let (slot, op, constant) = match (&left.kind, &right.kind) {
                (VK::Field(f), _) => (*f, *op, right),
                (_, VK::Field(f)) => (*f, flip(*op), left),
                _ => return None,
            };
            let slot = u16::try_from(slot).ok()?;
            match (constant.ty, &constant.kind) {
                (T::Number, VK::Number(n)) if !n.is_nan() => Some(CKind::NumberField {
                    slot,
                    op,
                    value: *n,
                }),
                (T::Date, VK::Date(d)) => Some(CKind::DateField {
                    slot,
                    op,
                    value: *d,
                }),
                (T::Word(_), VK::Word(w)) if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
                    Some(CKind::WordField {
                        slot,
                        word: *w,
                        negated: op == CompareOp::Ne,
                    })
                }
                _ => None,
            }
        }
        K::Within {
            date,
            days,
            future: false,
        } => match date.kind {
            VK::Field(f) => Some(CKind::AgoField {
                slot: u16::try_from(f).ok()?,
                low: 0.0,
                high: *days,
                low_open: false,
            }),
            _ => None,
        },
        K::MoreThanAgo { date, days } => match date.kind {
            VK::Field(f) => Some(CKind::AgoField {
                slot: u16::try_from(f).ok()?,
                low: *days,
                high: f64::INFINITY,
                low_open: true,
            }),
            _ => None,
        },
        K::IsTrue(v) => match (v.ty, &v.kind) {
            (T::Bool, VK::Field(f)) => Some(CKind::BoolField(u16::try_from(*f).ok()?)),
            _ => None,
        },
        _ => None,
    }
}

fn cmp_kind(ty: m::ValueType) -> CmpKind {
    match ty {
        m::ValueType::Number => CmpKind::Number,
        m::ValueType::Date => CmpKind::Date,
        m::ValueType::Bool => CmpKind::Bool,
        m::ValueType::Word(_) => CmpKind::Word,
        _ => CmpKind::Text,
    }
}
