//! Rules (holdouts, channels) and the policy block.

use super::model::*;
use super::{line_of, Checker};
use crate::ast::{self, Playbook, PolicyItem, Span};
use crate::diagnostic::{Code, Diagnostic};
use std::collections::HashMap;

impl Checker<'_> {
    pub(super) fn rules(&mut self, playbook: &Playbook) -> Vec<RuleDef> {
        let mut names: HashMap<String, Span> = HashMap::new();
        let mut rules = Vec::new();
        for rule in playbook.rules() {
            let name = match &rule.name {
                Some(n) => n.text.clone(),
                None => format!("rule@{}", line_of(self.source, rule.when_span.start)),
            };
            let name_span = rule.name.as_ref().map(|n| n.span).unwrap_or(rule.when_span);
            if let Some(first) = names.get(&name) {
                let help = if rule.name.is_none() {
                    "two unnamed rules start on the same line: put them on separate lines or name them"
                } else {
                    "rule names must be unique: rename one"
                };
                self.error(
                    Diagnostic::new(
                        Code::DuplicateRule,
                        name_span,
                        format!("there is already a rule named `{name}`"),
                    )
                    .label("second rule")
                    .also(*first, "first rule")
                    .help(help),
                );
            } else {
                names.insert(name.clone(), name_span);
            }
            let condition = self.cond(&rule.condition);
            let unless = rule.unless.as_ref().map(|u| self.cond(u));
            let actions = rule
                .actions
                .iter()
                .filter_map(|call| {
                    let action = self.lookup_action(&call.name)?;
                    let channel = self.channel(call.via.as_ref());
                    Some(ActionDef {
                        action,
                        argument: call.argument.as_ref().map(|(a, _)| a.clone()),
                        channel,
                        span: call.span,
                    })
                })
                .collect();
            for extra in rule.priority.iter().skip(1) {
                self.error(
                    Diagnostic::new(
                        Code::DuplicateItem,
                        extra.span,
                        "this rule has two priorities",
                    )
                    .help("keep one `priority N`"),
                );
            }
            for extra in rule.holdout.iter().skip(1) {
                self.error(
                    Diagnostic::new(
                        Code::DuplicateItem,
                        extra.span,
                        "this rule has two holdouts",
                    )
                    .help("keep one `holdout P%`"),
                );
            }
            let holdout = rule.holdout.first().and_then(|h| {
                let salt = match (&h.salt, &rule.name) {
                    (Some((salt, _)), _) => Some(salt.clone()),
                    (None, Some(n)) => Some(n.text.clone()),
                    (None, None) => {
                        self.error(
                            Diagnostic::new(Code::HoldoutNeedsSalt, h.span, "an unnamed rule with a holdout needs a `salt`")
                                .label("holdout without a salt")
                                .help("name the rule (`rule \"upsell pilot\" when …`) or add `salt \"…\"`: an unnamed rule's name changes when lines are added above it, and so would its control group"),
                        );
                        None
                    }
                };
                let basis_points = self.holdout_percent(h)?;
                Some(HoldoutDef {
                    basis_points,
                    salt: salt?,
                    span: h.span,
                })
            });
            rules.push(RuleDef {
                name,
                condition,
                unless,
                actions,
                priority: rule.priority.first().map(|p| p.value).unwrap_or(0.0),
                holdout,
                span: rule.span,
            });
        }
        rules
    }

    /// `P%` → P × 100, exactly; at most two decimals, 0 < P < 100.
    fn holdout_percent(&mut self, h: &ast::Holdout) -> Option<u32> {
        let (whole, frac) = h.percent.split_once('.').unwrap_or((&h.percent, ""));
        let bad = |checker: &mut Self, why: &str| {
            checker.error(
                Diagnostic::new(Code::InvalidHoldout, h.percent_span, format!("a holdout of {}% is not possible: {why}", h.percent))
                    .label("invalid percentage")
                    .help("use a percentage above 0 and below 100 with at most two decimals, e.g. `holdout 10%` or `holdout 2.5%`"),
            );
            None
        };
        if frac.len() > 2 {
            return bad(self, "it has more than two decimals");
        }
        let whole: u64 = whole.parse().unwrap_or(u64::MAX);
        let frac: u64 = format!("{frac:0<2}").parse().unwrap_or(0);
        let points = whole.saturating_mul(100).saturating_add(frac);
        if points == 0 || points >= 10_000 {
            return bad(self, "it must be above 0% and below 100%");
        }
        Some(points as u32)
    }

    fn channel(&mut self, via: Option<&ast::Name>) -> Channel {
        let Some(via) = via else {
            return Channel::None;
        };
        if via.quoted {
            return Channel::Word(via.text.clone());
        }
        match self.lookup_field(&via.text) {
            Some(i) if matches!(self.fields[i].ty, Type::OneOf(_)) => Channel::Field(i),
            Some(i) => {
                let ty = self.fields[i].ty.describe();
                self.error(
                    Diagnostic::new(
                        Code::InvalidVia,
                        via.span,
                        format!(
                            "`{}` is a {ty} field; `via` takes a channel word or a `one of` field",
                            via.text
                        ),
                    )
                    .label("not a `one of` field")
                    .help(format!(
                        "to send through a channel called {0}, write `via \"{0}\"`",
                        via.text
                    )),
                );
                Channel::None
            }
            None => Channel::Word(via.text.clone()),
        }
    }

    // ───────────────────────────── policy ─────────────────────────────

    pub(super) fn policy(&mut self, playbook: &Playbook, title: Option<&str>) -> PolicyDef {
        let mut policy = PolicyDef::default();
        let mut max_span: Option<Span> = None;
        let mut holdout_span: Option<Span> = None;
        let mut decimal_span: Option<Span> = None;
        for block in playbook.policies() {
            for item in &block.items {
                match item {
                    PolicyItem::Suppress {
                        actions,
                        condition,
                        span,
                    } => {
                        let actions = actions
                            .iter()
                            .filter_map(|a| self.lookup_action(a))
                            .collect();
                        let condition = self.cond(condition);
                        policy.suppress.push(SuppressDef {
                            actions,
                            condition,
                            span: *span,
                        });
                    }
                    PolicyItem::MaxActions { max, span } => {
                        if self.once(&mut max_span, *span, "`max … actions per customer`") {
                            policy.max_actions = Some(max.value.min(usize::MAX as f64) as usize);
                        }
                    }
                    PolicyItem::Holdout(h) => {
                        if !self.once(&mut holdout_span, h.span, "a policy `holdout`") {
                            continue;
                        }
                        let salt = match (&h.salt, title) {
                            (Some((s, _)), _) => Some(s.clone()),
                            (None, Some(t)) => Some(t.to_string()),
                            (None, None) => {
                                self.error(
                                    Diagnostic::new(Code::HoldoutNeedsSalt, h.span, "a policy holdout needs a title or a `salt`")
                                        .label("holdout without a salt")
                                        .help("add `playbook \"My title\"` at the top, or write `holdout 5% salt \"q4-pilot\"`"),
                                );
                                None
                            }
                        };
                        let points = self.holdout_percent(h);
                        if let (Some(salt), Some(basis_points)) = (salt, points) {
                            policy.holdout = Some(HoldoutDef {
                                basis_points,
                                salt,
                                span: h.span,
                            });
                        }
                    }
                    PolicyItem::DecimalComma { span } => {
                        if self.once(&mut decimal_span, *span, "`decimal comma`") {
                            policy.decimal_comma = true;
                        }
                    }
                }
            }
        }
        policy
    }

    /// Reports a second occurrence of a once-only policy line.
    fn once(&mut self, first: &mut Option<Span>, span: Span, what: &str) -> bool {
        match first {
            Some(f) => {
                let f = *f;
                self.error(
                    Diagnostic::new(
                        Code::DuplicateItem,
                        span,
                        format!("the policy has {what} twice"),
                    )
                    .label("second")
                    .also(f, "first")
                    .help("keep one"),
                );
                false
            }
            None => {
                *first = Some(span);
                true
            }
        }
    }

    // ───────────────────────────── tests ─────────────────────────────
}
