//! pest errors → diagnostics that say what was expected in the marketer's words.

use super::full::Rule;
use crate::ast::Span;
use crate::diagnostic::{Code, Diagnostic};

/// `offset`: where the parsed text starts in the whole file.
pub(super) fn from_pest(
    source: &str,
    offset: usize,
    error: pest::error::Error<Rule>,
) -> Diagnostic {
    let at = offset
        + match error.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
    let at = token_start(source, at.min(source.len()));
    // `1.250.000`: the parser stops at the second `.`; say that it is a thousands separator.
    if let Some(diag) = super::thousands::syntax_error(source, at) {
        return diag;
    }
    // `50 000`, `50'000`, `12,5`, `5.`: a number as a person writes it.
    if let Some(diag) = super::thousands::written_number_error(source, at) {
        return diag;
    }
    let found = found_at(source, at);
    let expected = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => describe(positives),
        pest::error::ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    let found_text = match found {
        "" => "the end of the file".to_string(),
        f => format!("`{f}`"),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&expected))
    };
    // Nothing found (the end of the file): a point just after the last token.
    let end = next_boundary(source, at + found.len());
    let mut diag = Diagnostic::new(Code::SyntaxError, Span::new(at, end), message);
    diag = diag.label(match expected.first() {
        Some(first) if expected.len() == 1 => format!("expected {first}"),
        _ => "not understood".to_string(),
    });
    if let Some(help) = hint(source, at, found, &expected) {
        diag = diag.help(help);
    }
    diag
}

/// Where the unexpected token starts: past white space and comments, or, when only
/// those follow, just after the last token (so the snippet shows the unfinished line).
fn token_start(source: &str, at: usize) -> usize {
    let mut rest = &source[at..];
    loop {
        let trimmed = rest.trim_start();
        match trimmed.strip_prefix('#') {
            Some(comment) => rest = comment.find('\n').map_or("", |i| &comment[i..]),
            None => {
                rest = trimmed;
                break;
            }
        }
    }
    if rest.is_empty() {
        source[..at].trim_end().len()
    } else {
        source.len() - rest.len()
    }
}

/// The token at `at`: a word, a number, or one other character; empty at the end.
fn found_at(source: &str, at: usize) -> &str {
    if source[at..].trim().is_empty() {
        return "";
    }
    found_token(source, at)
}

/// The token at `at`: a word, a number, or one other character.
fn found_token(source: &str, at: usize) -> &str {
    let rest = &source[at..];
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return "";
    };
    let end = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    let end = end.min(40);
    &rest[..next_boundary(rest, end)]
}

fn next_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

/// Friendly words for what pest expected, most useful first, without repeats.
fn describe(rules: &[Rule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut operator = false;
    for rule in rules {
        match name(*rule) {
            Some(Described::Text(s)) if !out.contains(&s) => out.push(s),
            Some(Described::Text(_)) => {}
            Some(Described::Operator) => operator = true,
            None => {}
        }
    }
    if operator {
        // After a value: the operators' own keywords, a word (`complaint resolved`) and
        // a call's `(` are all said by "an operator".
        const OPERATOR_WORDS: &[&str] = &[
            "`and`",
            "`or`",
            "`not`",
            "`in`",
            "`is`",
            "`between`",
            "`has`",
            "`contains`",
            "`starts`",
            "`ends`",
            "`within`",
            "`more`",
            "a name",
            "`(`",
        ];
        out.retain(|s| !OPERATOR_WORDS.contains(&s.as_str()));
        out.push(OPERATOR.to_string());
    }
    // A broken item is re-parsed alone, so "the end of the file" there means the end of
    // the item: not worth saying next to what could continue it.
    if out.len() > 1 {
        out.retain(|s| s != "the end of the file");
    }
    // Everything that can start a value or condition, said once.
    let names = [Rule::name, Rule::field_name, Rule::ident];
    if rules.contains(&Rule::number) && names.iter().any(|r| rules.contains(r)) {
        let starts = [
            "a name",
            "a quoted text (`\"…\"`)",
            "a date (`2026-11-23`)",
            "a number",
            "`true` or `false`",
            "`(`",
            "`customer`",
            "`not`",
            "`anniversary`",
            "a value",
        ];
        out.retain(|s| !starts.contains(&s.as_str()));
        out.insert(
            0,
            "a value or condition (a field, a number, `customer in …`, …)".to_string(),
        );
    }
    out
}

const OPERATOR: &str = "an operator (`and`, `or`, `=`, `>`, `is`, …)";

enum Described {
    Text(String),
    Operator,
}

fn name(rule: Rule) -> Option<Described> {
    use Described::*;
    let text = |s: &str| Some(Text(s.to_string()));
    let kw = |s: &str| Some(Text(format!("`{s}`")));
    // A keyword rule (`kw_WORD`) is its word; `day` and `week` are shown as the plural.
    if let Some(word) = format!("{rule:?}").strip_prefix("kw_") {
        return match word {
            "day" | "days" => kw("days"),
            "week" | "weeks" => kw("weeks"),
            _ => kw(word),
        };
    }
    match rule {
        Rule::EOI => text("the end of the file"),
        Rule::title
        | Rule::schema
        | Rule::journey
        | Rule::segment
        | Rule::actions_decl
        | Rule::policy
        | Rule::rule_def
        | Rule::test
        | Rule::rule_name
        | Rule::rule_when => text("an item (`playbook`, `customer`, `journey`, `segment`, `actions`, `policy`, `rule`, `when`, `test`)"),
        Rule::field => text("a field (`name type`)"),
        Rule::type_text
        | Rule::type_number
        | Rule::type_bool
        | Rule::type_date
        | Rule::type_one_of
        | Rule::type_list => text("a type (`text`, `number`, `bool`, `date`, `one of …`, `list of text`)"),
        Rule::optional_mark | Rule::key_mark | Rule::from_column | Rule::date_format => None,
        Rule::stage => kw("stage"),
        Rule::journey_source => kw("from column"),
        Rule::suppress
        | Rule::max_actions
        | Rule::policy_holdout
        | Rule::decimal_comma => text("a policy line (`suppress`, `max`, `holdout`, `decimal comma`)"),
        Rule::action => text("an action"),
        Rule::priority => kw("priority"),
        Rule::holdout => kw("holdout"),
        Rule::salt => kw("salt"),
        Rule::via => kw("via"),
        Rule::rule_unless => kw("unless"),
        Rule::as_of => kw("as of"),
        Rule::given => kw("given"),
        Rule::given_entry => text("`field: value`"),
        Rule::given_list => text("a list `[…]`"),
        Rule::expect_stage
        | Rule::expect_no_stage
        | Rule::expect_action
        | Rule::expect_no_action
        | Rule::expect_no_actions
        | Rule::expect_suppressed
        | Rule::expect_not_suppressed
        | Rule::expect_segment
        | Rule::expect_no_segment
        | Rule::expect_holdout => kw("expect"),
        Rule::expr | Rule::arith | Rule::paren | Rule::customer_in | Rule::customer_reached => {
            text("a condition")
        }
        Rule::anniversary | Rule::call => text("a value"),
        Rule::not_op => kw("not"),
        Rule::neg_op | Rule::pos_op => None,
        Rule::or_op
        | Rule::and_op
        | Rule::eq
        | Rule::ne
        | Rule::le
        | Rule::ge
        | Rule::lt
        | Rule::gt
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div
        | Rule::is_missing
        | Rule::is_present
        | Rule::is_word
        | Rule::between
        | Rule::in_list
        | Rule::has
        | Rule::contains
        | Rule::starts_with
        | Rule::ends_with
        | Rule::within_next
        | Rule::within
        | Rule::more_than_ago
        | Rule::word_test => Some(Operator),
        Rule::duration | Rule::number | Rule::signed_number | Rule::integer => text("a number"),
        Rule::days | Rule::weeks => text("`days` or `weeks`"),
        Rule::name | Rule::field_name | Rule::ident => text("a name"),
        Rule::any_word => text("a word"),
        Rule::string | Rule::string_inner => text("a quoted text (`\"…\"`)"),
        Rule::date => text("a date (`2026-11-23`)"),
        Rule::percent | Rule::percent_value => text("a percentage (`10%`)"),
        Rule::boolean => text("`true` or `false`"),
        Rule::null => kw("null"),
        Rule::lbrace => kw("{"),
        Rule::rbrace => kw("}"),
        Rule::lparen => kw("("),
        Rule::rparen => kw(")"),
        Rule::lbracket => kw("["),
        Rule::rbracket => kw("]"),
        Rule::comma => kw(","),
        Rule::colon => kw(":"),
        Rule::assign => kw("="),
        _ => None,
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A concrete fix for common slips.
fn hint(source: &str, at: usize, found: &str, expected: &[String]) -> Option<String> {
    use super::RESERVED;
    let before = source[..at].trim_end();
    if before.ends_with("then") && expected.iter().any(|e| e == "a name" || e == "an action") {
        return Some("after `then` comes an action name, e.g. `then surprise`".to_string());
    }
    // `orders > 12,5`: numbers in a playbook use a decimal point.
    if found == ","
        && before.ends_with(|c: char| c.is_ascii_digit())
        && source[at + 1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return Some("numbers in a playbook use a decimal point: write `12.5` (a decimal comma is only for exports)".to_string());
    }
    let field_expected = expected.iter().any(|e| e.starts_with("a field"));
    if RESERVED.contains(&found) && (expected == ["a name"] || field_expected) {
        return Some(format!(
            "`{found}` is a keyword; to use it as a name, put it in double quotes: `\"{found}\"`"
        ));
    }
    if found.chars().any(|c| c.is_uppercase()) && RESERVED.contains(&found.to_lowercase().as_str())
    {
        return Some(format!(
            "keywords are written in lower case: `{}`",
            found.to_lowercase()
        ));
    }
    // `status test`: a keyword cannot be the word of `F V` (language.md §11).
    const CLAUSE: &[&str] = &[
        "and", "or", "not", "in", "is", "when", "then", "unless", "priority", "holdout", "via",
        "between", "has", "contains", "starts", "ends", "within", "more", "customer", "rule",
    ];
    let field = before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    if RESERVED.contains(&found)
        && !CLAUSE.contains(&found)
        && expected.iter().any(|e| e == OPERATOR)
        && field
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && !RESERVED.contains(&field)
    {
        return Some(format!(
            "`{found}` is a keyword, so it cannot follow a field directly: write `{field} is {found}`"
        ));
    }
    if found == "\"" && !source[at + 1..].lines().next().unwrap_or("").contains('"') {
        return Some("this text is not closed: add a `\"` before the end of the line".to_string());
    }
    if before.ends_with("then") {
        return Some("after `then` comes an action name, e.g. `then surprise`".to_string());
    }
    // `3 dagen`, `3 months`: the units of a duration are days and weeks.
    if expected.iter().any(|e| e == "`days` or `weeks`") {
        if let Some(help) = unit_help(before, found) {
            return Some(help);
        }
    }
    // `priorty`: a misspelt keyword that could stand here.
    let keywords = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase()));
    if let Some(keyword) = crate::diagnostic::did_you_mean(found, keywords) {
        return Some(format!("did you mean `{keyword}`?"));
    }
    if expected.iter().any(|e| e == "`}`") && super::ITEM_KEYWORDS.contains(&found) {
        return Some(format!(
            "the block above is not closed: add a `}}` before `{found}`"
        ));
    }
    if expected.iter().any(|e| e == "`then`") {
        return Some(
            "a rule is written `when CONDITION then ACTION`: is `then` missing?".to_string(),
        );
    }
    None
}

/// `within 3 dagen`, `more than 3 months ago`: the unit in the playbook's words.
fn unit_help(before: &str, found: &str) -> Option<String> {
    let n: Option<f64> = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .and_then(|n| n.parse().ok());
    let lower = found.to_lowercase();
    let unit = match lower.as_str() {
        "dag" | "dagen" => "days",
        "week" | "weken" => "weeks",
        "maand" | "maanden" | "month" | "months" | "mnd" => {
            return Some(about(n, "months", 30.0, 52.0 / 12.0));
        }
        "jaar" | "jaren" | "year" | "years" => return Some(about(n, "years", 365.0, 52.0)),
        _ => return None,
    };
    Some(format!(
        "`{found}` is `{unit}` here: write `{unit}` (the units are `days` and `weeks`)"
    ))
}

/// `3 months` in the units there are: `about 90 days (or 13 weeks)`.
fn about(n: Option<f64>, unit: &str, days: f64, weeks: f64) -> String {
    match n {
        Some(n) => format!(
            "the units are `days` and `weeks`: {n} {unit} is about `{} days` (or `{} weeks`)",
            (n * days).round(),
            (n * weeks).round()
        ),
        None => "the units are `days` and `weeks`: write the time in days or weeks".to_string(),
    }
}
