//! Conditions, values and names as text, in the canonical spelling.
//!
//! A condition is printed token for token as it was parsed, parentheses only where
//! written, so it parses back to the same tree; only spellings that mean the same are
//! normalised (`==` → `=`, `<>` → `!=`, `is not missing` → `is present`, `+3` → `3`).

use super::comments::find_word;
use crate::ast::{Expr, ExprKind, GivenValue, Name, Number};

/// A run of text that may start a line of its own, with the source it came from.
#[derive(Clone, Debug)]
pub struct Piece {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A name as written: plain, or in double quotes (a quoted name stays quoted, so the
/// tree is unchanged).
pub fn name(n: &Name) -> String {
    if n.quoted {
        quote(&n.text)
    } else {
        n.text.clone()
    }
}

/// Text in double quotes, with `"` and `\` escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A number in the shortest form that reads back as the same value.
pub fn number(v: f64) -> String {
    if v.is_infinite() {
        // `1e999` is too large for a float, so it reads back as infinity again.
        return if v > 0.0 { "1e999" } else { "-1e999" }.to_string();
    }
    let plain = format!("{v}");
    if plain.len() <= 16 {
        return plain;
    }
    let exp = format!("{v:e}");
    if exp.len() < plain.len() {
        exp
    } else {
        plain
    }
}

/// A number literal as its author wrote it (`50.000`, `1e3`, `.5`), so that `fmt` never
/// changes how a number reads; `number(v)` when `written` is not that number's literal.
pub fn number_as_written(written: &str, v: f64) -> String {
    let literal = !written.is_empty()
        && written
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    match written.parse::<f64>() {
        Ok(w) if literal && (w == v || (w.is_nan() && v.is_nan())) => written.to_string(),
        _ => number(v),
    }
}

/// A whole number where the grammar takes digits only (`max N actions`).
pub fn integer(v: f64) -> String {
    if v.is_infinite() {
        return format!("1{}", "0".repeat(309));
    }
    format!("{v}")
}

/// A `given` value.
pub fn given_value(v: &GivenValue) -> String {
    match v {
        GivenValue::Number(n) => number(*n),
        GivenValue::Text(t) => quote(t),
        GivenValue::Word(w) => w.clone(),
        GivenValue::Date(d) => d.to_string(),
        GivenValue::Bool(b) => b.to_string(),
        GivenValue::Null => "null".to_string(),
        GivenValue::List(items) => {
            let items: Vec<String> = items.iter().map(given_value).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// Prints conditions; the source is read only to keep two spellings the tree does not
/// record: weeks in durations and `F is V` against `F V`.
pub struct Printer<'s> {
    pub src: &'s str,
}

impl Printer<'_> {
    /// An expression on one line.
    pub fn text(&self, e: &Expr) -> String {
        let mut out = String::new();
        self.write(e, &mut out);
        out
    }

    /// An expression cut where a line may break: before each `and` and `or` of the
    /// outer chain (not inside parentheses). Joined with spaces, the pieces are `text(e)`.
    pub fn pieces(&self, e: &Expr) -> Vec<Piece> {
        let mut out = Vec::new();
        self.collect(e, String::new(), &mut out);
        out
    }

    fn collect(&self, e: &Expr, lead: String, out: &mut Vec<Piece>) {
        let (items, keyword) = match &e.kind {
            ExprKind::And(items) => (items, "and "),
            ExprKind::Or(items) => (items, "or "),
            _ => {
                out.push(Piece {
                    text: lead + &self.text(e),
                    start: e.span.start as usize,
                    end: e.span.end as usize,
                });
                return;
            }
        };
        let mut lead = Some(lead);
        for item in items {
            let this = lead.take().unwrap_or_else(|| keyword.to_string());
            self.collect(item, this, out);
        }
    }

    fn write(&self, e: &Expr, out: &mut String) {
        match &e.kind {
            ExprKind::And(items) => self.join(items, " and ", out),
            ExprKind::Or(items) => self.join(items, " or ", out),
            ExprKind::Not(x) => {
                out.push_str("not ");
                self.write(x, out);
            }
            ExprKind::CustomerIn { negated, target } => {
                out.push_str(if *negated {
                    "customer not in "
                } else {
                    "customer in "
                });
                out.push_str(&name(target));
            }
            ExprKind::Reached(stage) => {
                out.push_str("customer reached ");
                out.push_str(&name(stage));
            }
            ExprKind::Compare { op, left, right } => self.infix(left, op.symbol(), right, out),
            ExprKind::Arith { op, left, right } => self.infix(left, op.symbol(), right, out),
            ExprKind::Between { value, low, high } => {
                self.write(value, out);
                out.push_str(" between ");
                self.write(low, out);
                out.push_str(" and ");
                self.write(high, out);
            }
            ExprKind::InList {
                value,
                negated,
                items,
            } => {
                self.write(value, out);
                out.push_str(if *negated { " not in [" } else { " in [" });
                self.join(items, ", ", out);
                out.push(']');
            }
            ExprKind::Has { list, item } => self.infix(list, "has", item, out),
            ExprKind::TextTest { op, value, pattern } => {
                self.infix(value, op.keyword(), pattern, out)
            }
            ExprKind::IsMissing { value, negated } => {
                self.write(value, out);
                out.push_str(if *negated {
                    " is present"
                } else {
                    " is missing"
                });
            }
            ExprKind::IsWord {
                value,
                negated,
                word,
            } => {
                self.write(value, out);
                if *negated {
                    out.push_str(" is not");
                } else if self.spelled_out(value, word) {
                    out.push_str(" is");
                }
                out.push(' ');
                self.write(word, out);
            }
            ExprKind::Within { date, days, future } => {
                self.write(date, out);
                out.push_str(if *future { " within next " } else { " within " });
                out.push_str(&self.duration(days));
            }
            ExprKind::MoreThanAgo { date, days } => {
                self.write(date, out);
                out.push_str(" more than ");
                out.push_str(&self.duration(days));
                out.push_str(" ago");
            }
            ExprKind::Anniversary { date, days } => {
                out.push_str("anniversary of ");
                self.write(date, out);
                out.push_str(" within next ");
                out.push_str(&self.duration(days));
            }
            ExprKind::Name(n) => out.push_str(&name(n)),
            ExprKind::Number(v) => out.push_str(&number_as_written(
                self.src.get(e.span.range()).unwrap_or(""),
                *v,
            )),
            ExprKind::Text(t) => out.push_str(&quote(t)),
            ExprKind::Word(w) => out.push_str(w),
            ExprKind::Date(d) => out.push_str(&d.to_string()),
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Neg(x) => {
                out.push('-');
                self.write(x, out);
            }
            ExprKind::Call { function, argument } => {
                out.push_str(&name(function));
                out.push('(');
                self.write(argument, out);
                out.push(')');
            }
            ExprKind::Paren(x) => {
                out.push('(');
                self.write(x, out);
                out.push(')');
            }
        }
    }

    fn infix(&self, left: &Expr, op: &str, right: &Expr, out: &mut String) {
        self.write(left, out);
        out.push(' ');
        out.push_str(op);
        out.push(' ');
        self.write(right, out);
    }

    fn join(&self, items: &[Expr], separator: &str, out: &mut String) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            self.write(item, out);
        }
    }

    /// `complaint is resolved` rather than `complaint resolved`: both parse the same,
    /// and the writer's choice is kept.
    fn spelled_out(&self, value: &Expr, word: &Expr) -> bool {
        find_word(
            self.src,
            value.span.end as usize,
            word.span.start as usize,
            "is",
        )
        .is_some()
    }

    /// `N days`, or `N weeks` when written in weeks (the tree holds days: 2 weeks is 14).
    fn duration(&self, days: &Number) -> String {
        let written = self.src.get(days.span.range()).unwrap_or("");
        let unit = written.trim_end().trim_end_matches('s');
        if unit.ends_with("week") {
            let count: String = written
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                .collect();
            if let Ok(weeks) = count.parse::<f64>() {
                if weeks * 7.0 == days.value {
                    return plural(weeks, "week");
                }
            }
        }
        plural(days.value, "day")
    }
}

fn plural(n: f64, unit: &str) -> String {
    let s = if n == 1.0 { "" } else { "s" };
    format!("{} {unit}{s}", number(n))
}
