//! Items: the customer block, journeys, policy, rules, actions and tests.

use super::*;

pub(in crate::syntax) fn item(pair: Pair<'_, Rule>) -> Result<Item> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::title => Ok(Item::Title(name(Children::of(pair).next(Rule::name)?)?)),
        Rule::schema => schema(pair).map(Item::Schema),
        Rule::journey => journey(pair).map(Item::Journey),
        Rule::segment => {
            let mut c = Children::of(pair);
            Ok(Item::Segment(Segment {
                name: name(c.next(Rule::name)?)?,
                condition: expr(c.next(Rule::expr)?)?,
                span,
            }))
        }
        Rule::actions_decl => Ok(Item::Actions(ActionsDecl {
            names: Children::of(pair).rest().map(name).collect::<Result<_>>()?,
            span,
        })),
        Rule::policy => policy(pair).map(Item::Policy),
        Rule::rule_def => rule(pair).map(Item::Rule),
        Rule::test => test(pair).map(Item::Test),
        _ => Err(internal(span, "an item")),
    }
}

pub(super) fn schema(pair: Pair<'_, Rule>) -> Result<Schema> {
    let span = span_of(&pair);
    let fields = Children::of(pair)
        .rest()
        .map(field)
        .collect::<Result<_>>()?;
    Ok(Schema { fields, span })
}

pub(super) fn field(pair: Pair<'_, Rule>) -> Result<Field> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.next(Rule::name)?)?;
    let ty_pair = c.any()?;
    let ty_span = span_of(&ty_pair);
    let ty = match ty_pair.as_rule() {
        Rule::type_text => FieldType::Text,
        Rule::type_number => FieldType::Number,
        Rule::type_bool => FieldType::Bool,
        Rule::type_date => FieldType::Date,
        Rule::type_list => FieldType::ListOfText,
        Rule::type_one_of => FieldType::OneOf(
            Children::of(ty_pair)
                .rest()
                .map(|w| Name {
                    text: w.as_str().to_string(),
                    quoted: false,
                    span: span_of(&w),
                })
                .collect(),
        ),
        _ => return Err(internal(ty_span, "a type")),
    };
    let mut field = Field {
        name,
        ty,
        ty_span,
        optional: Vec::new(),
        key: Vec::new(),
        column: Vec::new(),
        format: Vec::new(),
        span,
    };
    for modifier in c.rest() {
        let m_span = span_of(&modifier);
        match modifier.as_rule() {
            Rule::optional_mark => field.optional.push(m_span),
            Rule::key_mark => field.key.push(m_span),
            Rule::from_column => {
                let (text, _) = string(Children::of(modifier).next(Rule::string)?)?;
                field.column.push((text, m_span));
            }
            Rule::date_format => {
                let (text, _) = string(Children::of(modifier).next(Rule::string)?)?;
                field.format.push((text, m_span));
            }
            _ => return Err(internal(m_span, "a field modifier")),
        }
    }
    Ok(field)
}

pub(super) fn journey(pair: Pair<'_, Rule>) -> Result<Journey> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.next(Rule::name)?)?;
    let column = match c.optional(Rule::journey_source) {
        Some(source) => Some(self::name(Children::of(source).next(Rule::name)?)?),
        None => None,
    };
    let stages = c
        .rest()
        .map(|stage| {
            let span = span_of(&stage);
            let mut c = Children::of(stage);
            Ok(Stage {
                name: self::name(c.next(Rule::name)?)?,
                condition: c.optional(Rule::expr).map(expr).transpose()?,
                span,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Journey {
        name,
        column,
        stages,
        span,
    })
}

pub(super) fn policy(pair: Pair<'_, Rule>) -> Result<Policy> {
    let span = span_of(&pair);
    let items = Children::of(pair)
        .rest()
        .map(|item| {
            let span = span_of(&item);
            match item.as_rule() {
                Rule::suppress => {
                    let mut c = Children::of(item);
                    let actions = match c.optional(Rule::suppress_actions) {
                        Some(list) => Children::of(list).rest().map(name).collect::<Result<_>>()?,
                        None => Vec::new(),
                    };
                    Ok(PolicyItem::Suppress {
                        actions,
                        condition: expr(c.next(Rule::expr)?)?,
                        span,
                    })
                }
                Rule::max_actions => Ok(PolicyItem::MaxActions {
                    max: number(&Children::of(item).next(Rule::integer)?)?,
                    span,
                }),
                Rule::policy_holdout => holdout(item).map(PolicyItem::Holdout),
                Rule::decimal_comma => Ok(PolicyItem::DecimalComma { span }),
                _ => Err(internal(span, "a policy line")),
            }
        })
        .collect::<Result<_>>()?;
    Ok(Policy { items, span })
}

pub(super) fn holdout(pair: Pair<'_, Rule>) -> Result<Holdout> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let percent = c.next(Rule::percent)?;
    let percent_span = span_of(&percent);
    let value = Children::of(percent).next(Rule::percent_value)?;
    let salt = match c.optional(Rule::salt) {
        Some(s) => Some(string(Children::of(s).next(Rule::string)?)?),
        None => None,
    };
    Ok(Holdout {
        percent: value.as_str().to_string(),
        percent_span,
        salt,
        span,
    })
}

pub(super) fn rule(pair: Pair<'_, Rule>) -> Result<crate::ast::Rule> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let rule_name = match c.optional(Rule::rule_name) {
        Some(n) => Some(name(Children::of(n).next(Rule::name)?)?),
        None => None,
    };
    let when = c.next(Rule::rule_when)?;
    let when_span = when
        .clone()
        .into_inner()
        .find(|p| p.as_rule() == Rule::kw_when)
        .map(|p| span_of(&p))
        .unwrap_or_else(|| span_of(&when));
    let condition = expr(Children::of(when).next(Rule::expr)?)?;
    let unless = match c.optional(Rule::rule_unless) {
        Some(u) => Some(expr(Children::of(u).next(Rule::expr)?)?),
        None => None,
    };
    let mut rule = crate::ast::Rule {
        name: rule_name,
        when_span,
        condition,
        unless,
        actions: Vec::new(),
        priority: Vec::new(),
        holdout: Vec::new(),
        span,
    };
    for part in c.rest() {
        match part.as_rule() {
            Rule::action => rule.actions.push(action(part)?),
            Rule::priority => rule
                .priority
                .push(number(&Children::of(part).next(Rule::signed_number)?)?),
            Rule::holdout => rule.holdout.push(holdout(part)?),
            _ => return Err(internal(span_of(&part), "an action")),
        }
    }
    Ok(rule)
}

pub(super) fn action(pair: Pair<'_, Rule>) -> Result<ActionCall> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.next(Rule::name)?)?;
    let argument = c.optional(Rule::string).map(string).transpose()?;
    let via = match c.optional(Rule::via) {
        Some(v) => Some(self::name(Children::of(v).next(Rule::name)?)?),
        None => None,
    };
    Ok(ActionCall {
        name,
        argument,
        via,
        span,
    })
}

pub(super) fn test(pair: Pair<'_, Rule>) -> Result<Test> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let name = name(c.next(Rule::name)?)?;
    let as_of = match c.optional(Rule::as_of) {
        Some(a) => {
            let d = Children::of(a).next(Rule::date)?;
            Some((date(&d)?, span_of(&d)))
        }
        None => None,
    };
    let given = match c.optional(Rule::given) {
        Some(g) => Children::of(g)
            .rest()
            .map(|entry| {
                let span = span_of(&entry);
                let mut c = Children::of(entry);
                Ok(GivenEntry {
                    key: self::name(c.next(Rule::name)?)?,
                    value: given_value(c.any()?)?,
                    span,
                })
            })
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let expectations = c.rest().map(expectation).collect::<Result<_>>()?;
    Ok(Test {
        name,
        as_of,
        given,
        expectations,
        span,
    })
}

pub(super) fn given_value(pair: Pair<'_, Rule>) -> Result<GivenValue> {
    let span = span_of(&pair);
    Ok(match pair.as_rule() {
        Rule::date => GivenValue::Date(date(&pair)?),
        Rule::signed_number => GivenValue::Number(number(&pair)?.value),
        Rule::string => GivenValue::Text(string(pair)?.0),
        Rule::boolean => GivenValue::Bool(pair.as_str() == "true"),
        Rule::null => GivenValue::Null,
        Rule::any_word => GivenValue::Word(pair.as_str().to_string()),
        Rule::given_list => GivenValue::List(
            Children::of(pair)
                .rest()
                .map(given_value)
                .collect::<Result<_>>()?,
        ),
        _ => return Err(internal(span, "a value")),
    })
}

pub(super) fn expectation(pair: Pair<'_, Rule>) -> Result<Expectation> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut c = Children::of(pair);
    let kind = match rule {
        Rule::expect_stage => ExpectKind::Stage(name(c.next(Rule::name)?)?),
        Rule::expect_no_stage => ExpectKind::NoStage(c.optional(Rule::name).map(name).transpose()?),
        Rule::expect_action => ExpectKind::Action(name(c.next(Rule::name)?)?),
        Rule::expect_no_action => ExpectKind::NoAction(name(c.next(Rule::name)?)?),
        Rule::expect_no_actions => ExpectKind::NoActions,
        Rule::expect_suppressed => ExpectKind::Suppressed,
        Rule::expect_not_suppressed => ExpectKind::NotSuppressed,
        Rule::expect_segment => ExpectKind::Segment(name(c.next(Rule::name)?)?),
        Rule::expect_no_segment => ExpectKind::NoSegment(name(c.next(Rule::name)?)?),
        Rule::expect_holdout => ExpectKind::Holdout(name(c.next(Rule::name)?)?),
        _ => return Err(internal(span, "an expectation")),
    };
    Ok(Expectation { kind, span })
}
