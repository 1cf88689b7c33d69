//! Tokens: names (never a reserved word), texts, numbers, dates, durations.

use super::*;

/// The message of the error for a reserved word used as a plain name (tagged
/// [`Fact::ReservedAsName`]). The fast parser lets such a word through (see
/// grammar/expr-fast.pest); `syntax::parse_part` replaces this error by the full parser's
/// description of the item.
pub(super) const RESERVED_AS_NAME: &str = "a reserved word is used as a name";

/// A plain name's text, unless it is a reserved word.
pub(super) fn plain(ident: &Pair<'_, Rule>) -> Result<String> {
    let text = ident.as_str();
    if crate::syntax::RESERVED.contains(&text) {
        return Err(
            Diagnostic::new(Code::SyntaxError, span_of(ident), RESERVED_AS_NAME)
                .fact(Fact::ReservedAsName),
        );
    }
    Ok(text.to_string())
}

pub(super) fn name(pair: Pair<'_, Rule>) -> Result<Name> {
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
pub(super) fn string(pair: Pair<'_, Rule>) -> Result<(String, Span)> {
    let span = span_of(&pair);
    let inner = pair
        .into_inner()
        .next()
        .ok_or_else(|| internal(span, "text"))?;
    Ok((unescape(inner.as_str()), span))
}

pub(super) fn unescape(raw: &str) -> String {
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

pub(super) fn number(pair: &Pair<'_, Rule>) -> Result<Number> {
    let span = span_of(pair);
    let value = pair
        .as_str()
        .parse::<f64>()
        .map_err(|_| internal(span, "a number"))?;
    Ok(Number { value, span })
}

pub(super) fn date(pair: &Pair<'_, Rule>) -> Result<DateLit> {
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

pub(super) fn duration(pair: Pair<'_, Rule>) -> Result<Number> {
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
