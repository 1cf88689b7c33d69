//! Conditions: operators climbed by precedence, with depth and prefix-run limits.

use super::*;

/// An expression and its depth, so that no tree deeper than the limit is ever built.
pub(super) type Built = Result<(Expr, u32)>;

pub(in crate::syntax) fn expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    expr_depth(pair).map(|(e, _)| e)
}

pub(super) fn expr_depth(pair: Pair<'_, Rule>) -> Built {
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
pub(super) struct Climber<'i> {
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

pub(super) fn node(kind: ExprKind, span: Span, child_depth: u32) -> Built {
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
pub(super) fn check_prefix_runs(pairs: Pairs<'_, Rule>) -> Result<()> {
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

pub(super) fn infix(lhs: Expr, ld: u32, op: Pair<'_, Rule>, rhs: Expr, rd: u32) -> Built {
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

pub(super) fn postfix(lhs: Expr, depth: u32, op: Pair<'_, Rule>) -> Built {
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
            if lower != w.as_str() && crate::syntax::RESERVED.contains(&lower.as_str()) {
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
pub(super) fn literal(pair: Pair<'_, Rule>) -> Result<Expr> {
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

pub(super) fn operand(pair: Pair<'_, Rule>) -> Built {
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
