//! pest pairs → AST: one function per grammar rule, children taken in a fixed order.
//!
//! A mismatch between the grammar and this file is reported as an internal
//! syntax error with the span, never as a panic.

use super::{Rule, MAX_EXPR_DEPTH, MAX_PREFIX_RUN};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Fact};
use pest::iterators::{Pair, Pairs};
use std::iter::Peekable;

type Result<T> = std::result::Result<T, Diagnostic>;

/// How an operator binds: prefix, infix (all left-associative) or postfix, and how tightly.
/// Levels, loosest first: `or`; `and`; `not`; comparisons and the postfix tests (`is missing`,
/// `between`, `has`, `within`, …); `+ -`; `* /`; unary `- +`.
#[derive(Clone, Copy)]
enum Fix {
    Prefix,
    Infix,
    Postfix,
}

fn binding(rule: Rule) -> Option<(Fix, u8)> {
    use Rule::*;
    Some(match rule {
        or_op => (Fix::Infix, 1),
        and_op => (Fix::Infix, 2),
        not_op => (Fix::Prefix, 3),
        eq | ne | lt | le | gt | ge => (Fix::Infix, 4),
        is_missing | is_present | is_word | between | in_list | has | contains | starts_with
        | ends_with | within_next | within | more_than_ago | word_test => (Fix::Postfix, 4),
        add | sub => (Fix::Infix, 5),
        mul | div => (Fix::Infix, 6),
        neg_op | pos_op => (Fix::Prefix, 7),
        _ => return None,
    })
}

thread_local! {
    /// Where the text being parsed starts in the whole file (a large file is parsed in parts).
    static OFFSET: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `f` with spans counted from `offset`.
pub(super) fn with_offset<T>(offset: usize, f: impl FnOnce() -> T) -> T {
    let before = OFFSET.with(|o| o.replace(offset));
    let result = f();
    OFFSET.with(|o| o.set(before));
    result
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let offset = OFFSET.with(|o| o.get());
    Span::new(offset + pair.as_span().start(), offset + end_of(pair))
}

/// Where a pair's last token ends. pest counts the white space and comments before
/// an absent optional part at the end of a rule (`holdout 5%` without `salt`) as part
/// of the rule; a span stops at its last token instead.
fn end_of(pair: &Pair<'_, Rule>) -> usize {
    let span = pair.as_span();
    let end = span.end();
    // Without a `#` in the pair, what follows its last token can only be white space (the
    // grammar's: ' ', '\t'..'\r' and the BOM). With one, it may be a comment: ask the children.
    let text = span.as_str();
    if memchr::memchr(b'#', text.as_bytes()).is_none() {
        let token_end =
            text.trim_end_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{feff}']);
        return span.start() + token_end.len();
    }
    match pair.clone().into_inner().next_back() {
        Some(last) if is_blank(&pair.get_input()[last.as_span().end()..end]) => end_of(&last),
        _ => end,
    }
}

/// Only white space and comments.
fn is_blank(mut text: &str) -> bool {
    loop {
        text = text.trim_start();
        match text.strip_prefix('#') {
            Some(comment) => text = comment.find('\n').map_or("", |i| &comment[i..]),
            None => return text.is_empty(),
        }
    }
}

fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SyntaxError,
        span,
        format!("internal error: the parser did not produce {what} here"),
    )
    .help("this is a bug in playbook; please report it with this file")
}

/// Keywords and punctuation: needed to parse, not to build the tree.
fn is_noise(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::comma
            | Rule::colon
            | Rule::assign
            | Rule::kw_playbook
            | Rule::kw_customer
            | Rule::kw_journey
            | Rule::kw_stage
            | Rule::kw_segment
            | Rule::kw_actions
            | Rule::kw_action
            | Rule::kw_policy
            | Rule::kw_rule
            | Rule::kw_when
            | Rule::kw_unless
            | Rule::kw_then
            | Rule::kw_priority
            | Rule::kw_holdout
            | Rule::kw_salt
            | Rule::kw_via
            | Rule::kw_test
            | Rule::kw_as
            | Rule::kw_of
            | Rule::kw_given
            | Rule::kw_expect
            | Rule::kw_no
            | Rule::kw_suppressed
            | Rule::kw_null
            | Rule::kw_text
            | Rule::kw_number
            | Rule::kw_bool
            | Rule::kw_date
            | Rule::kw_one
            | Rule::kw_list
            | Rule::kw_key
            | Rule::kw_from
            | Rule::kw_column
            | Rule::kw_format
            | Rule::kw_suppress
            | Rule::kw_max
            | Rule::kw_per
            | Rule::kw_decimal
            | Rule::kw_comma
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_in
            | Rule::kw_is
            | Rule::kw_reached
            | Rule::kw_missing
            | Rule::kw_present
            | Rule::kw_between
            | Rule::kw_has
            | Rule::kw_contains
            | Rule::kw_starts
            | Rule::kw_ends
            | Rule::kw_with
            | Rule::kw_within
            | Rule::kw_next
            | Rule::kw_more
            | Rule::kw_than
            | Rule::kw_ago
            | Rule::kw_anniversary
            | Rule::kw_days
            | Rule::kw_day
            | Rule::kw_weeks
            | Rule::kw_week
    )
}

/// A pair's children without keywords and punctuation.
type Meaningful<'i> = std::iter::Filter<Pairs<'i, Rule>, fn(&Pair<'i, Rule>) -> bool>;

/// The meaningful children of a pair, taken in order.
struct Children<'i> {
    inner: Peekable<Meaningful<'i>>,
    span: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Children<'i> {
        let span = span_of(&pair);
        let keep: fn(&Pair<'i, Rule>) -> bool = |p| !is_noise(p.as_rule());
        Children {
            inner: pair.into_inner().filter(keep).peekable(),
            span,
        }
    }

    fn next(&mut self, rule: Rule) -> Result<Pair<'i, Rule>> {
        match self.inner.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(internal(span_of(&p), &format!("{rule:?}"))),
            None => Err(internal(self.span, &format!("{rule:?}"))),
        }
    }

    fn any(&mut self) -> Result<Pair<'i, Rule>> {
        self.inner
            .next()
            .ok_or_else(|| internal(self.span, "a value"))
    }

    fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek() == Some(rule) {
            self.inner.next()
        } else {
            None
        }
    }

    fn peek(&mut self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }

    fn rest(self) -> impl Iterator<Item = Pair<'i, Rule>> {
        self.inner
    }
}

fn has_keyword(pair: &Pair<'_, Rule>, keyword: Rule) -> bool {
    pair.clone().into_inner().any(|p| p.as_rule() == keyword)
}

// ───────────────────────────── tokens ─────────────────────────────

/// The message of the error for a reserved word used as a plain name (tagged
/// [`Fact::ReservedAsName`]). The fast parser lets such a word through (see
/// grammar/expr-fast.pest); `syntax::parse_part` replaces this error by the full parser's
/// description of the item.
const RESERVED_AS_NAME: &str = "a reserved word is used as a name";

/// A plain name's text, unless it is a reserved word.
fn plain(ident: &Pair<'_, Rule>) -> Result<String> {
    let text = ident.as_str();
    if super::RESERVED.contains(&text) {
        return Err(
            Diagnostic::new(Code::SyntaxError, span_of(ident), RESERVED_AS_NAME)
                .fact(Fact::ReservedAsName),
        );
    }
    Ok(text.to_string())
}

fn name(pair: Pair<'_, Rule>) -> Result<Name> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let inner = c.any()?;
    match inner.as_rule() {
        Rule::ident => Ok(Name {
            text: plain(&inner)?,
            quoted: false,
            span,
        }),
        Rule::string => Ok(Name {
            text: string(inner)?.0,
            quoted: true,
            span,
        }),
        _ => Err(internal(span, "a name")),
    }
}

/// The text of a string literal, unescaped.
fn string(pair: Pair<'_, Rule>) -> Result<(String, Span)> {
    let span = span_of(&pair);
    let inner = pair
        .into_inner()
        .next()
        .ok_or_else(|| internal(span, "text"))?;
    Ok((unescape(inner.as_str()), span))
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn number(pair: &Pair<'_, Rule>) -> Result<Number> {
    let span = span_of(pair);
    let value = pair
        .as_str()
        .parse::<f64>()
        .map_err(|_| internal(span, "a number"))?;
    Ok(Number { value, span })
}

fn date(pair: &Pair<'_, Rule>) -> Result<DateLit> {
    let span = span_of(pair);
    let text = pair.as_str();
    let part = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    match (part(0..4), part(5..7), part(8..10)) {
        (Some(y), Some(m), Some(d)) => Ok(DateLit {
            year: y as i32,
            month: m,
            day: d,
        }),
        _ => Err(internal(span, "a date")),
    }
}

fn duration(pair: Pair<'_, Rule>) -> Result<Number> {
    let span = span_of(&pair);
    let mut c = Children::of(pair);
    let n = number(&c.next(Rule::number)?)?;
    let unit = c.any()?;
    let value = match unit.as_rule() {
        Rule::weeks => n.value * 7.0,
        _ => n.value,
    };
    Ok(Number { value, span })
}

// ───────────────────────────── items ─────────────────────────────

pub(super) fn item(pair: Pair<'_, Rule>) -> Result<Item> {
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

fn schema(pair: Pair<'_, Rule>) -> Result<Schema> {
    let span = span_of(&pair);
    let fields = Children::of(pair)
        .rest()
        .map(field)
        .collect::<Result<_>>()?;
    Ok(Schema { fields, span })
}

fn field(pair: Pair<'_, Rule>) -> Result<Field> {
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

fn journey(pair: Pair<'_, Rule>) -> Result<Journey> {
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

fn policy(pair: Pair<'_, Rule>) -> Result<Policy> {
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

fn holdout(pair: Pair<'_, Rule>) -> Result<Holdout> {
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

fn rule(pair: Pair<'_, Rule>) -> Result<crate::ast::Rule> {
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

fn action(pair: Pair<'_, Rule>) -> Result<ActionCall> {
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

fn test(pair: Pair<'_, Rule>) -> Result<Test> {
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

fn given_value(pair: Pair<'_, Rule>) -> Result<GivenValue> {
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

fn expectation(pair: Pair<'_, Rule>) -> Result<Expectation> {
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

// ───────────────────────────── conditions ─────────────────────────────

/// An expression and its depth, so that no tree deeper than the limit is ever built.
type Built = Result<(Expr, u32)>;

pub(super) fn expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    expr_depth(pair).map(|(e, _)| e)
}

fn expr_depth(pair: Pair<'_, Rule>) -> Built {
    let span = span_of(&pair);
    let pairs = pair.into_inner();
    check_prefix_runs(pairs.clone())?;
    let mut climber = Climber {
        pairs: pairs.peekable(),
        span,
    };
    let built = climber.expr(0)?;
    match climber.pairs.next() {
        None => Ok(built),
        Some(extra) => Err(internal(span_of(&extra), "an operator")),
    }
}

/// Precedence climbing over the flat operand/operator sequence of an `expr` pair.
struct Climber<'i> {
    pairs: Peekable<Pairs<'i, Rule>>,
    span: Span,
}

impl<'i> Climber<'i> {
    /// An expression whose operators bind tighter than `min`.
    fn expr(&mut self, min: u8) -> Built {
        let mut lhs = self.start()?;
        while let Some(op) = self.pairs.peek() {
            match binding(op.as_rule()) {
                Some((Fix::Infix | Fix::Postfix, level)) if level > min => {}
                Some((Fix::Infix | Fix::Postfix, _)) => break,
                _ => return Err(internal(span_of(op), "an operator")),
            }
            lhs = self.follow(lhs)?;
        }
        Ok(lhs)
    }

    /// An operand, or a prefix operator and what it applies to.
    fn start(&mut self) -> Built {
        let pair = self
            .pairs
            .next()
            .ok_or_else(|| internal(self.span, "a value"))?;
        match binding(pair.as_rule()) {
            Some((Fix::Prefix, level)) => {
                let (rhs, depth) = self.expr(level - 1)?;
                let span = span_of(&pair).to(rhs.span);
                let kind = match pair.as_rule() {
                    Rule::not_op => ExprKind::Not(Box::new(rhs)),
                    Rule::neg_op => ExprKind::Neg(Box::new(rhs)),
                    // Unary plus changes nothing.
                    _ => return Ok((rhs, depth)),
                };
                node(kind, span, depth)
            }
            None => operand(pair),
            Some(_) => Err(internal(span_of(&pair), "a value")),
        }
    }

    /// An infix operator and its right side, or a postfix test, applied to `lhs`.
    fn follow(&mut self, (lhs, depth): (Expr, u32)) -> Built {
        let op = self
            .pairs
            .next()
            .ok_or_else(|| internal(self.span, "an operator"))?;
        match binding(op.as_rule()) {
            Some((Fix::Infix, level)) => {
                let (rhs, rd) = self.expr(level)?;
                infix(lhs, depth, op, rhs, rd)
            }
            Some((Fix::Postfix, _)) => postfix(lhs, depth, op),
            _ => Err(internal(span_of(&op), "an operator")),
        }
    }
}

fn node(kind: ExprKind, span: Span, child_depth: u32) -> Built {
    let depth = child_depth + 1;
    if depth > MAX_EXPR_DEPTH {
        return Err(Diagnostic::new(
            Code::TooDeep,
            span,
            format!("this condition is nested more than {MAX_EXPR_DEPTH} levels deep"),
        )
        .help("split it into named segments"));
    }
    Ok((Expr { kind, span }, depth))
}

/// Long runs of `not not not …` would make the Pratt parser recurse deeply.
fn check_prefix_runs(pairs: Pairs<'_, Rule>) -> Result<()> {
    let mut run = 0;
    for p in pairs {
        if matches!(p.as_rule(), Rule::not_op | Rule::neg_op | Rule::pos_op) {
            run += 1;
            if run > MAX_PREFIX_RUN {
                return Err(Diagnostic::new(
                    Code::TooDeep,
                    span_of(&p),
                    format!("more than {MAX_PREFIX_RUN} `not` or `-` in a row"),
                )
                .help("two `not`s cancel out: remove them in pairs"));
            }
        } else {
            run = 0;
        }
    }
    Ok(())
}

fn infix(lhs: Expr, ld: u32, op: Pair<'_, Rule>, rhs: Expr, rd: u32) -> Built {
    let span = lhs.span.to(rhs.span);
    let (left, right) = (Box::new(lhs), Box::new(rhs));
    let kind = match op.as_rule() {
        // `a and b and c` becomes one list, so long chains stay shallow. The left side's
        // list is reused, so a chain of n terms takes n steps.
        Rule::and_op | Rule::or_op => {
            let is_and = op.as_rule() == Rule::and_op;
            let (mut items, mut depth) = match left.kind {
                ExprKind::And(items) if is_and => (items, ld.saturating_sub(1)),
                ExprKind::Or(items) if !is_and => (items, ld.saturating_sub(1)),
                kind => (
                    vec![Expr {
                        kind,
                        span: left.span,
                    }],
                    ld,
                ),
            };
            match right.kind {
                ExprKind::And(more) if is_and => {
                    depth = depth.max(rd.saturating_sub(1));
                    items.extend(more);
                }
                ExprKind::Or(more) if !is_and => {
                    depth = depth.max(rd.saturating_sub(1));
                    items.extend(more);
                }
                kind => {
                    depth = depth.max(rd);
                    items.push(Expr {
                        kind,
                        span: right.span,
                    });
                }
            }
            let kind = if is_and {
                ExprKind::And(items)
            } else {
                ExprKind::Or(items)
            };
            return node(kind, span, depth);
        }
        Rule::eq => ExprKind::Compare {
            op: CompareOp::Eq,
            left,
            right,
        },
        Rule::ne => ExprKind::Compare {
            op: CompareOp::Ne,
            left,
            right,
        },
        Rule::lt => ExprKind::Compare {
            op: CompareOp::Lt,
            left,
            right,
        },
        Rule::le => ExprKind::Compare {
            op: CompareOp::Le,
            left,
            right,
        },
        Rule::gt => ExprKind::Compare {
            op: CompareOp::Gt,
            left,
            right,
        },
        Rule::ge => ExprKind::Compare {
            op: CompareOp::Ge,
            left,
            right,
        },
        Rule::add => ExprKind::Arith {
            op: ArithOp::Add,
            left,
            right,
        },
        Rule::sub => ExprKind::Arith {
            op: ArithOp::Sub,
            left,
            right,
        },
        Rule::mul => ExprKind::Arith {
            op: ArithOp::Mul,
            left,
            right,
        },
        Rule::div => ExprKind::Arith {
            op: ArithOp::Div,
            left,
            right,
        },
        _ => return Err(internal(span_of(&op), "an operator")),
    };
    node(kind, span, ld.max(rd))
}

fn postfix(lhs: Expr, depth: u32, op: Pair<'_, Rule>) -> Built {
    let span = lhs.span.to(span_of(&op));
    let rule = op.as_rule();
    let negated = has_keyword(&op, Rule::kw_not);
    let value = Box::new(lhs);
    let mut c = Children::of(op);
    let mut extra = 0;
    let kind = match rule {
        Rule::is_missing => ExprKind::IsMissing {
            value,
            negated: false,
        },
        Rule::is_present => ExprKind::IsMissing {
            value,
            negated: true,
        },
        Rule::is_word => ExprKind::IsWord {
            value,
            negated,
            word: Box::new(literal(c.any()?)?),
        },
        Rule::word_test => {
            let w = c.any()?;
            let lower = w.as_str().to_lowercase();
            if lower != w.as_str() && super::RESERVED.contains(&lower.as_str()) {
                return Err(Diagnostic::new(
                    Code::SyntaxError,
                    span_of(&w),
                    format!(
                        "`{}` is not a keyword: keywords are written in lower case",
                        w.as_str()
                    ),
                )
                .label("read as a word")
                .help(format!("write `{lower}`")));
            }
            ExprKind::IsWord {
                value,
                negated: false,
                word: Box::new(literal(w)?),
            }
        }
        Rule::between => {
            let (low, ld) = expr_depth(c.next(Rule::arith)?)?;
            let (high, hd) = expr_depth(c.next(Rule::arith)?)?;
            extra = ld.max(hd);
            ExprKind::Between {
                value,
                low: Box::new(low),
                high: Box::new(high),
            }
        }
        Rule::in_list => ExprKind::InList {
            value,
            negated,
            items: c.rest().map(literal).collect::<Result<_>>()?,
        },
        Rule::has => ExprKind::Has {
            list: value,
            item: Box::new(literal(c.any()?)?),
        },
        Rule::contains | Rule::starts_with | Rule::ends_with => ExprKind::TextTest {
            op: match rule {
                Rule::contains => TextOp::Contains,
                Rule::starts_with => TextOp::StartsWith,
                _ => TextOp::EndsWith,
            },
            value,
            pattern: Box::new(literal(c.any()?)?),
        },
        Rule::within | Rule::within_next => ExprKind::Within {
            date: value,
            days: duration(c.next(Rule::duration)?)?,
            future: rule == Rule::within_next,
        },
        Rule::more_than_ago => ExprKind::MoreThanAgo {
            date: value,
            days: duration(c.next(Rule::duration)?)?,
        },
        _ => return Err(internal(span, "a test")),
    };
    node(kind, span, depth.max(extra))
}

/// A literal after `is`, in a list, or after `has`/`contains`: words here are words.
fn literal(pair: Pair<'_, Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::date => ExprKind::Date(date(&pair)?),
        Rule::signed_number | Rule::number => ExprKind::Number(number(&pair)?.value),
        Rule::string => ExprKind::Text(string(pair)?.0),
        Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
        Rule::any_word | Rule::ident => ExprKind::Word(pair.as_str().to_string()),
        _ => return Err(internal(span, "a value")),
    };
    Ok(Expr { kind, span })
}

fn operand(pair: Pair<'_, Rule>) -> Built {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let leaf = |kind| Ok((Expr { kind, span }, 1));
    match rule {
        Rule::paren => {
            let (inner, depth) = expr_depth(Children::of(pair).next(Rule::expr)?)?;
            node(ExprKind::Paren(Box::new(inner)), span, depth)
        }
        Rule::customer_in => {
            let negated = has_keyword(&pair, Rule::kw_not);
            let target = name(Children::of(pair).next(Rule::name)?)?;
            leaf(ExprKind::CustomerIn { negated, target })
        }
        Rule::customer_reached => leaf(ExprKind::Reached(name(
            Children::of(pair).next(Rule::name)?,
        )?)),
        Rule::anniversary => {
            let mut c = Children::of(pair);
            let date_pair = c.next(Rule::anniversary_date)?;
            let (date, depth) = operand(Children::of(date_pair).any()?)?;
            let days = duration(c.next(Rule::duration)?)?;
            node(
                ExprKind::Anniversary {
                    date: Box::new(date),
                    days,
                },
                span,
                depth,
            )
        }
        Rule::call => {
            let mut c = Children::of(pair);
            let f = c.next(Rule::ident)?;
            let function = Name {
                text: plain(&f)?,
                quoted: false,
                span: span_of(&f),
            };
            let (argument, depth) = expr_depth(c.next(Rule::expr)?)?;
            node(
                ExprKind::Call {
                    function,
                    argument: Box::new(argument),
                },
                span,
                depth,
            )
        }
        Rule::name | Rule::field_name => leaf(ExprKind::Name(name(pair)?)),
        _ => Ok((literal(pair)?, 1)),
    }
}
