//! Checking the top-level items: schema, names, journeys, segments, rules, policy, tests.

use super::ast_node::Current;
use super::model::*;
use super::{line_of, Checker, Named, SchemaSource};
use crate::ast::{self, FieldType, Playbook, PolicyItem, Span};
use crate::dates::{checked_days, DateFormat};
use crate::diagnostic::{suggestion_help, Code, Diagnostic};
use std::collections::HashMap;

impl Checker<'_> {
    /// Builds the field table; returns the key field.
    pub(super) fn schema(
        &mut self,
        playbook: &Playbook,
        source: SchemaSource<'_>,
    ) -> Option<usize> {
        let schemas: Vec<&ast::Schema> = playbook.schemas().collect();
        for extra in schemas.iter().skip(1) {
            self.error(
                Diagnostic::new(
                    Code::DuplicateItem,
                    extra.span,
                    "this playbook has two `customer` blocks",
                )
                .also(schemas[0].span, "first block")
                .help("put all fields in one `customer { … }` block"),
            );
        }
        let Some(schema) = schemas.first() else {
            match source {
                SchemaSource::Inferred(fields) => {
                    for f in fields {
                        self.field_index.insert(f.name.clone(), self.fields.len());
                        self.fields.push(f.clone());
                    }
                }
                SchemaSource::File => self.open_schema = true,
                SchemaSource::FromTests => {
                    self.open_schema = true;
                    for field in fields_from_tests(playbook) {
                        self.field_index
                            .insert(field.name.clone(), self.fields.len());
                        self.fields.push(field);
                    }
                }
            }
            return None;
        };
        let mut key: Option<(usize, Span)> = None;
        for field in &schema.fields {
            let index = self.fields.len();
            if let Some(&first) = self.field_index.get(&field.name.text) {
                let first_span = self.fields[first].span;
                self.error(
                    Diagnostic::new(
                        Code::DuplicateField,
                        field.name.span,
                        format!("the field `{}` is declared twice", field.name.text),
                    )
                    .label("second declaration")
                    .also(first_span, "first declared here")
                    .help("remove one, or rename it"),
                );
                continue;
            }
            let ty = match &field.ty {
                FieldType::Text => Type::Text,
                FieldType::Number => Type::Number,
                FieldType::Bool => Type::Bool,
                FieldType::Date => Type::Date,
                FieldType::ListOfText => Type::ListOfText,
                FieldType::OneOf(words) => {
                    let mut seen: Vec<String> = Vec::new();
                    for w in words {
                        let lower = w.text.to_lowercase();
                        if seen.contains(&lower) {
                            self.error(
                                Diagnostic::new(
                                    Code::DuplicateName,
                                    w.span,
                                    format!("the word `{}` is listed twice", w.text),
                                )
                                .help("words match without regard to case; list each once"),
                            );
                        }
                        seen.push(lower);
                    }
                    Type::OneOf(words.iter().map(|w| w.text.clone()).collect())
                }
            };
            for (what, spans) in [("`?`", &field.optional), ("`key`", &field.key)] {
                if let Some(extra) = spans.get(1) {
                    self.error(
                        Diagnostic::new(
                            Code::InvalidModifier,
                            *extra,
                            format!("{what} is written twice"),
                        )
                        .help("write it once"),
                    );
                }
            }
            for (what, list) in [("`from`", &field.column), ("`format`", &field.format)] {
                if let Some((_, extra)) = list.get(1) {
                    self.error(
                        Diagnostic::new(
                            Code::InvalidModifier,
                            *extra,
                            format!("{what} is written twice"),
                        )
                        .help("a field has one column and one format"),
                    );
                }
            }
            // An empty id is a data error (§11 "Keys"), so an optional key promises what the
            // reader refuses. A warning: the playbook itself is valid.
            if let (Some(&key_span), Some(&optional)) = (field.key.first(), field.optional.first())
            {
                self.diags.push(
                    Diagnostic::new(
                        Code::OptionalKey,
                        optional,
                        format!("the key `{}` cannot be optional", field.name.text),
                    )
                    .label("every customer needs an id")
                    .also(key_span, "marked `key` here")
                    .help("remove the `?`: a row whose id is empty is a data error"),
                );
            }
            if let Some(&span) = field.key.first() {
                match key {
                    Some((_, first)) => self.error(
                        Diagnostic::new(Code::DuplicateKey, span, "a second field is marked `key`")
                            .label("second key")
                            .also(first, "first key")
                            .help("only one field can identify the customer: remove one `key`"),
                    ),
                    None => key = Some((index, span)),
                }
            }
            let format = match field.format.first() {
                Some((pattern, span)) if ty == Type::Date => match DateFormat::parse(pattern) {
                    Ok(f) => Some(f),
                    Err(why) => {
                        self.error(
                            Diagnostic::new(Code::InvalidFormat, *span, format!("this date format is not understood: {why}"))
                                .help("use `%d` (day), `%m` (month), `%Y` (year), e.g. `format \"%d-%m-%Y\"`"),
                        );
                        None
                    }
                },
                Some((_, span)) => {
                    self.error(
                        Diagnostic::new(
                            Code::InvalidModifier,
                            *span,
                            format!(
                                "`format` only applies to dates, and `{}` is a {} field",
                                field.name.text,
                                ty.describe()
                            ),
                        )
                        .help("remove the `format`, or make the field a `date`"),
                    );
                    None
                }
                None => None,
            };
            let column = field
                .column
                .first()
                .map(|(c, _)| c.clone())
                .unwrap_or_else(|| field.name.text.clone());
            self.field_index.insert(field.name.text.clone(), index);
            if field.name.quoted {
                self.quoted_fields.insert(field.name.text.clone(), index);
            }
            self.fields.push(FieldDef {
                name: field.name.text.clone(),
                ty,
                optional: !field.optional.is_empty(),
                column,
                format,
                span: field.name.span,
            });
        }
        key.map(|(i, _)| i)
    }

    pub(super) fn declare_actions(&mut self, playbook: &Playbook) {
        for decl in playbook.action_decls() {
            self.actions_declared = true;
            for name in &decl.names {
                if self.actions.contains(&name.text) {
                    self.error(
                        Diagnostic::new(
                            Code::DuplicateName,
                            name.span,
                            format!("the action `{}` is declared twice", name.text),
                        )
                        .help("list each action once"),
                    );
                } else {
                    self.actions.push(name.text.clone());
                }
            }
        }
    }

    /// Stages, segments and journeys share one namespace.
    pub(super) fn declare_names(&mut self, playbook: &Playbook) {
        let declare = |checker: &mut Self, name: &ast::Name, named: Named| {
            if let Some((_, first)) = checker.names.get(&name.text) {
                let first = *first;
                checker.error(
                    Diagnostic::new(
                        Code::DuplicateName,
                        name.span,
                        format!("the name `{}` is already used", name.text),
                    )
                    .label("second use")
                    .also(first, "first defined here")
                    .help("stages, segments and journeys share one set of names: rename one"),
                );
            } else {
                checker.names.insert(name.text.clone(), (named, name.span));
            }
        };
        for item in &playbook.items {
            match item {
                ast::Item::Journey(j) => {
                    let journey = self.journeys.len();
                    declare(self, &j.name, Named::Journey(journey));
                    for (stage, s) in j.stages.iter().enumerate() {
                        declare(self, &s.name, Named::Stage { journey, stage });
                    }
                    self.journeys.push(JourneyDef {
                        name: j.name.text.clone(),
                        stages: j
                            .stages
                            .iter()
                            .map(|s| StageDef {
                                name: s.name.text.clone(),
                                condition: None,
                                span: s.name.span,
                            })
                            .collect(),
                        column: j.column.as_ref().map(|c| c.text.clone()),
                        span: j.name.span,
                    });
                }
                ast::Item::Segment(s) => {
                    declare(self, &s.name, Named::Segment(self.segments.len()));
                    self.segments.push(SegmentDef {
                        name: s.name.text.clone(),
                        condition: Cond {
                            kind: CondKind::Const(false),
                            span: s.span,
                        },
                        span: s.name.span,
                    });
                    self.segment_uses.push(0);
                }
                _ => {}
            }
        }
    }

    pub(super) fn resolve_journeys(&mut self, playbook: &Playbook) {
        for (index, journey) in playbook.journeys().enumerate() {
            if journey.stages.is_empty() {
                self.error(
                    Diagnostic::new(
                        Code::EmptyJourney,
                        journey.name.span,
                        format!("the journey `{}` has no stages", journey.name.text),
                    )
                    .help("add stages: `stage meerwaarde when orders >= 1`"),
                );
            }
            self.current = Some(Current::Journey(index));
            self.deps.clear();
            for (s, stage) in journey.stages.iter().enumerate() {
                match (&journey.column, &stage.condition) {
                    (None, Some(condition)) => {
                        let cond = self.cond(condition);
                        if let Some(def) = self.journeys.get_mut(index) {
                            def.stages[s].condition = Some(cond);
                        }
                    }
                    (None, None) => self.error(
                        Diagnostic::new(
                            Code::EmptyJourney,
                            stage.name.span,
                            format!("the stage `{}` has no condition", stage.name.text),
                        )
                        .help("write `stage NAME when CONDITION`, or read the journey from a column: `journey NAME from column COLUMN { … }`"),
                    ),
                    (Some(_), Some(condition)) => self.error(
                        Diagnostic::new(
                            Code::InvalidModifier,
                            condition.span,
                            "a journey read from a column has no stage conditions",
                        )
                        .help("remove the `when …`: the stage comes from the column"),
                    ),
                    (Some(_), None) => {}
                }
            }
            self.current = None;
            let deps = std::mem::take(&mut self.deps);
            self.journey_deps.push(deps);
        }
    }

    pub(super) fn resolve_segments(&mut self, playbook: &Playbook) {
        for (index, segment) in playbook.segments().enumerate() {
            self.current = Some(Current::Segment(index));
            self.deps.clear();
            let cond = self.cond(&segment.condition);
            if let Some(def) = self.segments.get_mut(index) {
                def.condition = cond;
            }
            self.current = None;
            let deps = std::mem::take(&mut self.deps);
            self.segment_deps.push(deps);
        }
    }

    /// Orders journeys and segments so each comes after what it uses; reports cycles.
    pub(super) fn order(&mut self) -> Vec<Node> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let nodes: Vec<Node> = (0..self.journeys.len())
            .map(Node::Journey)
            .chain((0..self.segments.len()).map(Node::Segment))
            .collect();
        let mut marks: HashMap<Node, Mark> = nodes.iter().map(|n| (*n, Mark::New)).collect();
        let mut order = Vec::new();
        let mut reported = false;
        for &start in &nodes {
            if marks[&start] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (node, next dependency to visit).
            let mut stack: Vec<(Node, usize)> = vec![(start, 0)];
            marks.insert(start, Mark::Active);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let deps = self.deps_of(node);
                if let Some(&dep) = deps.get(*next) {
                    *next += 1;
                    match marks.get(&dep).copied().unwrap_or(Mark::Done) {
                        Mark::New => {
                            marks.insert(dep, Mark::Active);
                            stack.push((dep, 0));
                        }
                        Mark::Active => {
                            if !reported {
                                let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                                let cycle: Vec<Node> =
                                    stack[from..].iter().map(|(n, _)| *n).collect();
                                self.report_cycle(&cycle);
                                reported = true;
                            }
                        }
                        Mark::Done => {}
                    }
                } else {
                    marks.insert(node, Mark::Done);
                    order.push(node);
                    stack.pop();
                }
            }
        }
        order
    }

    fn deps_of(&self, node: Node) -> Vec<Node> {
        match node {
            Node::Journey(j) => self.journey_deps.get(j).cloned().unwrap_or_default(),
            Node::Segment(s) => self.segment_deps.get(s).cloned().unwrap_or_default(),
        }
    }

    fn report_cycle(&mut self, cycle: &[Node]) {
        let name = |n: &Node| match n {
            Node::Journey(j) => format!("journey `{}`", self.journeys[*j].name),
            Node::Segment(s) => format!("segment `{}`", self.segments[*s].name),
        };
        let mut path: Vec<String> = cycle.iter().map(name).collect();
        path.push(name(&cycle[0]));
        let has_segment = cycle.iter().any(|n| matches!(n, Node::Segment(_)));
        let first_span = match cycle[0] {
            Node::Journey(j) => self.journeys[j].span,
            Node::Segment(s) => self.segments[s].span,
        };
        let code = if has_segment {
            Code::SegmentCycle
        } else {
            Code::JourneyCycle
        };
        self.error(
            Diagnostic::new(
                code,
                first_span,
                format!(
                    "these definitions use each other in a circle: {}",
                    path.join(" → ")
                ),
            )
            .label("part of the circle")
            .help("break the circle: one of them must be defined without the other"),
        );
    }

    // ───────────────────────────── rules ─────────────────────────────

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

    pub(super) fn tests(&mut self, playbook: &Playbook) -> Vec<TestDef> {
        let mut tests = Vec::new();
        for test in playbook.tests() {
            let as_of = test.as_of.and_then(|(d, span)| self.date_literal(d, span));
            let mut given = Vec::new();
            let mut columns = Vec::new();
            for entry in &test.given {
                let field = self
                    .lookup_field(&entry.key.text)
                    .or_else(|| self.fields.iter().position(|f| f.column == entry.key.text));
                match field {
                    Some(i) => {
                        if let Some(cell) = self.given_cell(i, &entry.value, entry.span) {
                            given.push((i, cell));
                        }
                    }
                    None => match given_text(&entry.value) {
                        Some(text) => {
                            self.given_column(&entry.key, &text, entry.span);
                            columns.push((entry.key.text.clone(), text));
                        }
                        None if !self.open_schema => {
                            let known = self.field_names();
                            let mut diag = Diagnostic::new(
                                Code::TestValue,
                                entry.span,
                                format!("`{}` is not a field, and a column value must be a single word or text", entry.key.text),
                            );
                            if let Some(help) = suggestion_help(&entry.key.text, "field", &known) {
                                diag = diag.help(help);
                            }
                            self.error(diag);
                        }
                        None => {}
                    },
                }
            }
            let expectations = test
                .expectations
                .iter()
                .filter_map(|e| {
                    Some(Expect {
                        kind: self.expectation(&e.kind)?,
                        span: e.span,
                    })
                })
                .collect();
            tests.push(TestDef {
                name: test.name.text.clone(),
                as_of,
                given,
                columns,
                expectations,
                span: test.span,
            });
        }
        tests
    }

    fn given_cell(
        &mut self,
        field: usize,
        value: &ast::GivenValue,
        span: Span,
    ) -> Option<GivenCell> {
        use ast::GivenValue as G;
        let ty = self.fields[field].ty.clone();
        let cell = match (&ty, value) {
            (_, G::Null) => Some(GivenCell::Missing),
            (Type::Text, G::Text(t) | G::Word(t)) => Some(GivenCell::Text(t.clone())),
            (Type::Text, G::Number(n)) => Some(GivenCell::Text(n.to_string())),
            (Type::Number, G::Number(n)) => Some(GivenCell::Number(*n)),
            (Type::Bool, G::Bool(b)) => Some(GivenCell::Bool(*b)),
            (Type::Bool, G::Number(n)) if *n == 0.0 || *n == 1.0 => {
                Some(GivenCell::Bool(*n == 1.0))
            }
            (Type::Bool, G::Word(w) | G::Text(w)) => {
                crate::row::words::parse_bool(w).map(GivenCell::Bool)
            }
            (Type::Date, G::Date(d)) => self.date_literal(*d, span).map(GivenCell::Date),
            (Type::Date, G::Text(t)) => match &self.fields[field].format {
                Some(f) => f.parse_date(t),
                None => crate::dates::parse_iso(t),
            }
            .map(GivenCell::Date),
            (Type::OneOf(words), G::Word(w) | G::Text(w)) => {
                let lower = w.to_lowercase();
                match words.iter().position(|x| x.to_lowercase() == lower) {
                    Some(i) => Some(GivenCell::Word(i as u32)),
                    None => {
                        let known: Vec<&str> = words.iter().map(String::as_str).collect();
                        let mut diag = Diagnostic::new(
                            Code::UnknownWord,
                            span,
                            format!(
                                "`{w}` is not one of the words of `{}`",
                                self.fields[field].name
                            ),
                        );
                        if let Some(help) = suggestion_help(w, "word", &known) {
                            diag = diag.help(help);
                        }
                        self.error(diag);
                        return None;
                    }
                }
            }
            (Type::ListOfText, G::List(items)) => items
                .iter()
                .map(|i| match i {
                    G::Text(t) | G::Word(t) => Some(t.clone()),
                    G::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(GivenCell::List),
            (Type::ListOfText, G::Text(t) | G::Word(t)) => {
                Some(GivenCell::List(crate::row::words::split_list(t)))
            }
            _ => None,
        };
        if cell.is_none() {
            let f = &self.fields[field];
            let example = match &f.ty {
                Type::Text => "\"text\"".to_string(),
                Type::Number => "12".to_string(),
                Type::Bool => "true".to_string(),
                Type::Date => "2026-11-23".to_string(),
                Type::OneOf(w) => w.first().cloned().unwrap_or_default(),
                Type::ListOfText => "[\"a\", \"b\"]".to_string(),
            };
            let name = f.name.clone();
            let ty = f.ty.describe();
            if !self
                .diags
                .iter()
                .any(|d| d.span() == span && d.code == Code::InvalidDate)
            {
                self.error(
                    Diagnostic::new(
                        Code::TestValue,
                        span,
                        format!("`{name}` is a {ty} field; this value does not fit"),
                    )
                    .label("wrong type")
                    .help(format!("write a {ty} value, e.g. `{name}: {example}`")),
                );
            }
        }
        cell
    }

    /// A test value for a column that is not a field: a `from column` journey's stage is
    /// checked against its stages; a key close to a field's name is probably misspelt.
    fn given_column(&mut self, key: &ast::Name, value: &str, span: Span) {
        if let Some(journey) = self
            .journeys
            .iter()
            .find(|j| j.column.as_deref() == Some(key.text.as_str()))
        {
            let lower = value.trim().to_lowercase();
            if !lower.is_empty()
                && !journey
                    .stages
                    .iter()
                    .any(|s| s.name.to_lowercase() == lower)
            {
                let known: Vec<&str> = journey.stages.iter().map(|s| s.name.as_str()).collect();
                let mut diag = Diagnostic::new(
                    Code::TestValue,
                    span,
                    format!("`{value}` is not a stage of the journey `{}`", journey.name),
                );
                if let Some(help) = suggestion_help(value, "stage", &known) {
                    diag = diag.help(help);
                }
                self.error(diag);
            }
            return;
        }
        if self.open_schema || matches!(key.text.as_str(), "id" | "customer_id") {
            return;
        }
        let known = self.field_names();
        if let Some(close) = crate::diagnostic::did_you_mean(&key.text, known.iter().copied()) {
            let close = close.to_string();
            self.error(
                Diagnostic::new(
                    Code::GivenColumn,
                    key.span,
                    format!(
                        "`{}` is not a field, so it is read as a column that nothing uses",
                        key.text
                    ),
                )
                .label("not a field")
                .help(format!(
                    "did you mean `{close}`? (as written, `{close}` stays missing in this test)"
                )),
            );
        }
    }

    pub(super) fn date_literal(&mut self, d: ast::DateLit, span: Span) -> Option<i32> {
        let days = checked_days(d.year, d.month, d.day);
        if days.is_none() {
            self.error(
                Diagnostic::new(
                    Code::InvalidDate,
                    span,
                    format!("{d} is not a date in the calendar"),
                )
                .label("no such date")
                .help("write a real date as YYYY-MM-DD"),
            );
        }
        days
    }

    fn expectation(&mut self, kind: &ast::ExpectKind) -> Option<ExpectDef> {
        use ast::ExpectKind as E;
        Some(match kind {
            E::Stage(name) => match self.lookup_named(&name.text) {
                Some(Named::Stage { journey, stage }) => ExpectDef::Stage { journey, stage },
                _ => {
                    self.unknown_named(name, Code::UnknownStage, "stage", |n| {
                        matches!(n, Named::Stage { .. })
                    });
                    return None;
                }
            },
            E::NoStage(None) => ExpectDef::NoStage(None),
            E::NoStage(Some(name)) => match self.lookup_named(&name.text) {
                Some(Named::Journey(j)) => ExpectDef::NoStage(Some(j)),
                _ => {
                    self.unknown_named(name, Code::UnknownJourney, "journey", |n| {
                        matches!(n, Named::Journey(_))
                    });
                    return None;
                }
            },
            E::Action(name) | E::NoAction(name) | E::Holdout(name) => {
                let known = self.actions.iter().position(|a| *a == name.text);
                let Some(action) = known else {
                    let list: Vec<&str> = self.actions.iter().map(String::as_str).collect();
                    let mut diag = Diagnostic::new(
                        Code::UnknownAction,
                        name.span,
                        format!("no rule can give the action `{}`", name.text),
                    )
                    .label("unknown action");
                    if let Some(help) = suggestion_help(&name.text, "action", &list) {
                        diag = diag.help(help);
                    }
                    self.error(diag);
                    return None;
                };
                match kind {
                    E::Action(_) => ExpectDef::Action(action),
                    E::NoAction(_) => ExpectDef::NoAction(action),
                    _ => ExpectDef::Holdout(action),
                }
            }
            E::NoActions => ExpectDef::NoActions,
            E::Suppressed => ExpectDef::Suppressed(true),
            E::NotSuppressed => ExpectDef::Suppressed(false),
            E::Segment(name) | E::NoSegment(name) => match self.lookup_named(&name.text) {
                Some(Named::Segment(s)) => {
                    if let Some(u) = self.segment_uses.get_mut(s) {
                        *u += 1;
                    }
                    ExpectDef::Segment(s, matches!(kind, E::Segment(_)))
                }
                _ => {
                    self.unknown_named(name, Code::UnknownSegment, "segment", |n| {
                        matches!(n, Named::Segment(_))
                    });
                    return None;
                }
            },
        })
    }

    pub(super) fn unknown_named(
        &mut self,
        name: &ast::Name,
        code: Code,
        kind: &str,
        want: fn(&Named) -> bool,
    ) {
        let known = self.names_of(want);
        let mut diag = Diagnostic::new(
            code,
            name.span,
            format!("there is no {kind} named `{}`", name.text),
        )
        .label(format!("unknown {kind}"));
        if let Some(help) = suggestion_help(&name.text, kind, &known) {
            diag = diag.help(help);
        }
        // The segment it was meant to be is not also "never used".
        let meant = crate::diagnostic::did_you_mean(&name.text, known.iter().copied())
            .and_then(|m| self.names.get(m));
        if let Some((Named::Segment(s), _)) = meant.copied() {
            if let Some(u) = self.segment_uses.get_mut(s) {
                *u += 1;
            }
        }
        self.error(diag);
    }
}

/// A given value for a column that is not a field: a word or a text.
fn given_text(value: &ast::GivenValue) -> Option<String> {
    match value {
        ast::GivenValue::Text(t) | ast::GivenValue::Word(t) => Some(t.clone()),
        ast::GivenValue::Number(n) => Some(n.to_string()),
        ast::GivenValue::Bool(b) => Some(b.to_string()),
        ast::GivenValue::Date(d) => Some(d.to_string()),
        ast::GivenValue::Null => Some(String::new()),
        ast::GivenValue::List(_) => None,
    }
}

/// Fields for the keys the tests give, typed by their values (text where tests disagree).
fn fields_from_tests(playbook: &Playbook) -> Vec<FieldDef> {
    use ast::GivenValue as G;
    let mut fields: Vec<FieldDef> = Vec::new();
    // A key that names a `from column` journey's column gives that journey's stage (§8).
    let stage_columns: Vec<&str> = playbook
        .journeys()
        .filter_map(|j| j.column.as_ref().map(|c| c.text.as_str()))
        .collect();
    for test in playbook.tests() {
        for entry in &test.given {
            if stage_columns.contains(&entry.key.text.as_str()) {
                continue;
            }
            let ty = match &entry.value {
                G::Number(_) => Type::Number,
                G::Date(_) => Type::Date,
                G::Bool(_) => Type::Bool,
                G::List(_) => Type::ListOfText,
                G::Text(_) | G::Word(_) => Type::Text,
                G::Null => continue,
            };
            match fields.iter_mut().find(|f| f.name == entry.key.text) {
                Some(f) if f.ty != ty => f.ty = Type::Text,
                Some(_) => {}
                None => fields.push(FieldDef {
                    name: entry.key.text.clone(),
                    ty,
                    optional: true,
                    column: entry.key.text.clone(),
                    format: None,
                    span: entry.key.span,
                }),
            }
        }
    }
    fields
}
