//! The habits of the people who write playbooks — Dutch keywords, Dutch dates, names with
//! spaces or dashes, `= missing`, `decimal comma` outside the policy, a forgotten `then` —
//! turned into the fix, in the message of the error they cause. A pass over the problems
//! already found: it rewords and re-points them, it never finds new errors of its own (except
//! the `null-comparison` warning, which has no error to ride on).

use crate::ast::{CompareOp, Expr, ExprKind, FieldType, Playbook, Span};
use crate::diagnostic::{Code, Diagnostic, Fact, Label, Severity};

/// Dutch words a marketer may write for the language's keywords.
const DUTCH: &[(&str, &str)] = &[
    ("wanneer", "when"),
    ("als", "when"),
    ("dan", "then"),
    ("en", "and"),
    ("of", "or"),
    ("niet", "not"),
    ("klant", "customer"),
    ("tenzij", "unless"),
    ("regel", "rule"),
    ("acties", "actions"),
    ("tussen", "between"),
    ("bevat", "contains"),
    ("heeft", "has"),
    ("ontbreekt", "is missing"),
    ("gegeven", "given"),
    ("verwacht", "expect"),
    ("actie", "action"),
];

/// Words that mean "no value" to someone used to SQL or Excel.
const NULL_WORDS: &[&str] = &["null", "nil", "none", "leeg", "empty", "missing"];

/// A word of the source (outside strings and comments) and where it is.
struct Word<'a> {
    text: &'a str,
    span: Span,
}

/// The plain words of `source[range]`, skipping quoted strings and `#` comments.
fn words(source: &str, from: usize, to: usize) -> Vec<Word<'_>> {
    let bytes = source.as_bytes();
    let to = to.min(source.len());
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        let c = bytes[i];
        if c == b'"' {
            i += 1;
            while i < to && bytes[i] != b'"' && bytes[i] != b'\n' {
                i += 1;
            }
            i += 1;
        } else if c == b'#' {
            while i < to && bytes[i] != b'\n' {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < to && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Word {
                text: &source[start..i],
                span: Span::new(start, i),
            });
        } else {
            i += 1;
        }
    }
    out
}

fn line_start(source: &str, at: usize) -> usize {
    source[..at.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

fn line_end(source: &str, at: usize) -> usize {
    source[at.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| at + i)
}

/// Where to look for the cause of an error at `at`: its own line, and the line before it when
/// the error is at the start of its line (a problem found only where the next item begins).
fn neighbourhood(source: &str, at: usize) -> (usize, usize) {
    let start = line_start(source, at);
    let end = line_end(source, at);
    if source[start..at.min(source.len())].trim().is_empty() && start > 0 {
        // The previous line that is not empty.
        let mut prev = line_start(source, start - 1);
        while prev > 0 && source[prev..start].trim().is_empty() {
            prev = line_start(source, prev - 1);
        }
        (prev, end)
    } else {
        (start, end)
    }
}

/// Every name the playbook declares: a Dutch word that is one of them is not a keyword.
fn declared(playbook: &Playbook) -> Vec<&str> {
    let mut names = Vec::new();
    for s in playbook.schemas() {
        for f in &s.fields {
            names.push(f.name.text.as_str());
            if let FieldType::OneOf(words) = &f.ty {
                names.extend(words.iter().map(|w| w.text.as_str()));
            }
        }
    }
    for j in playbook.journeys() {
        names.push(j.name.text.as_str());
        names.extend(j.stages.iter().map(|s| s.name.text.as_str()));
    }
    names.extend(playbook.segments().map(|s| s.name.text.as_str()));
    for a in playbook.action_decls() {
        names.extend(a.names.iter().map(|n| n.text.as_str()));
    }
    names
}

fn reword(d: &mut Diagnostic, message: String, at: Span, label: &str, help: String) {
    d.message = message;
    d.labels = vec![Label {
        span: at,
        text: Some(label.to_string()),
    }];
    d.help = Some(help);
}

/// Rewords the errors in `diags` whose cause is a habit, and adds the `null-comparison`
/// warnings. `diags` are the problems of one file, `playbook` what of it parsed.
pub fn refine(source: &str, playbook: &Playbook, diags: &mut Vec<Diagnostic>) {
    let names = declared(playbook);
    let mut dutch_seen: Vec<Span> = Vec::new();
    for d in diags.iter_mut() {
        // `date-as-arithmetic` already says what the date means (and reads `11-23-2013` right).
        let settled = [Code::TooLarge, Code::TooDeep, Code::DateAsArithmetic];
        if d.severity != Severity::Error || settled.contains(&d.code) {
            continue;
        }
        let at = d.span().start as usize;
        if at > source.len() {
            continue;
        }
        if date_at(source, d, at)
            || en_between_actions(source, &names, d, at)
            || field_or_action_with_spaces_or_dash(source, d, at)
            || dutch_keyword(source, &names, d, at, &mut dutch_seen)
            || missing_then(source, &names, d, at)
            || unquoted_text(source, &names, d)
            || name_with_spaces_or_dash(source, d, at)
            || policy_outside(source, d, at)
            || missing_as_value(source, d, at)
        {
            continue;
        }
        dutch_date(source, d);
    }
    drop_dashed_uses(source, &diags.clone(), diags);
    // Two errors re-pointed at one Dutch word say the same thing: keep the first.
    let mut kept: Vec<(Span, String)> = Vec::new();
    diags.retain(|d| {
        let key = (d.span(), d.message.clone());
        if d.fact == Fact::DutchKeyword && kept.contains(&key) {
            return false;
        }
        kept.push(key);
        true
    });
}

fn dutch_keyword(
    source: &str,
    names: &[&str],
    d: &mut Diagnostic,
    at: usize,
    seen: &mut Vec<Span>,
) -> bool {
    let (from, to) = neighbourhood(source, at);
    let all = words(source, from, to);
    let found = all.iter().enumerate().find(|(i, w)| {
        let lower = w.text.to_lowercase();
        // `one of`, `anniversary of`, `as of` are English; `klant:` is a column in `given`.
        let english_of = lower == "of"
            && i.checked_sub(1)
                .is_some_and(|p| matches!(all[p].text, "one" | "anniversary" | "as"));
        let key = source[w.span.end as usize..].trim_start().starts_with(':');
        DUTCH.iter().any(|(nl, _)| *nl == lower) && !names.contains(&w.text) && !english_of && !key
    });
    let Some((_, w)) = found else { return false };
    let lower = w.text.to_lowercase();
    let english = DUTCH
        .iter()
        .find(|(nl, _)| *nl == lower)
        .map_or("", |(_, en)| en);
    seen.push(w.span);
    reword(
        d,
        format!(
            "`{}` is `{english}` here: a playbook is written with English keywords",
            w.text
        ),
        w.span,
        &format!("write `{english}`"),
        "the keywords are English: `when … then …`, `and`, `or`, `not`, `unless`, `customer in` (names and texts may be Dutch)".to_string(),
    );
    // The same fix whatever the checker made of the word (an unknown field, a type
    // mismatch): it is a syntax error, as language.md files it.
    d.code = Code::SyntaxError;
    d.fact = Fact::DutchKeyword;
    true
}

/// `then welkom en verrassing`, `actions welkom en verrassing`: a list of actions is made with
/// `,`, so the Dutch `en` there is a comma, not `and`.
fn en_between_actions(source: &str, names: &[&str], d: &mut Diagnostic, at: usize) -> bool {
    let (from, to) = neighbourhood(source, at);
    let all = words(source, from, to);
    let Some(i) = all
        .iter()
        .position(|w| w.text.eq_ignore_ascii_case("en") && !names.contains(&w.text))
    else {
        return false;
    };
    let en = &all[i];
    let line = line_start(source, en.span.start as usize);
    let indent = source[line..].len() - source[line..].trim_start().len();
    // The list starts at `actions` on its line, or at the rule's `then` (with no condition
    // between it and `en`).
    let list_start = if source[line + indent..].starts_with("actions ") {
        line + indent
    } else {
        let then = all[..i].iter().rposition(|w| w.text == "then");
        match then {
            Some(t)
                if !all[t..i]
                    .iter()
                    .any(|w| matches!(w.text, "when" | "unless")) =>
            {
                all[t].span.start as usize
            }
            _ => return false,
        }
    };
    let head = source[list_start..en.span.start as usize].trim_end();
    let tail = source[en.span.end as usize..line_end(source, en.span.end as usize)].trim();
    reword(
        d,
        format!("`{}` between actions is written `,`", en.text),
        en.span,
        "write `,`",
        format!("actions are separated by `,`: `{head}, {tail}`"),
    );
    d.code = Code::SyntaxError;
    d.fact = Fact::DutchKeyword;
    true
}

/// Whether the line starting at `line` stands inside a `customer { }` block.
fn in_customer_block(source: &str, line: usize) -> bool {
    let mut start = line;
    while start > 0 {
        start = line_start(source, start - 1);
        let text = &source[start..line_end(source, start)];
        let trimmed = text.trim_start();
        if trimmed.starts_with("customer") {
            return trimmed.contains('{');
        }
        let item = !text.starts_with(char::is_whitespace) && !trimmed.is_empty();
        if trimmed.starts_with('}') || (item && !trimmed.starts_with('#')) {
            return false;
        }
    }
    false
}

/// `woon plaats text`, `lid-sinds date` in `customer { }`; `actions win back`, `actions
/// win-back`: a field or action name that is not one word.
fn field_or_action_with_spaces_or_dash(source: &str, d: &mut Diagnostic, at: usize) -> bool {
    if d.code != Code::SyntaxError {
        return false;
    }
    let start = line_start(source, at);
    let end = line_end(source, at);
    let line = &source[start..end];
    let line = line.split('#').next().unwrap_or(line);
    let indent = line.len() - line.trim_start().len();
    let text = line.trim_end();
    let (name_start, name, ty): (usize, &str, Option<String>) = if let Some(list) =
        text[indent..].strip_prefix("actions ")
    {
        // The piece of the list that holds the error.
        let mut piece_start = start + indent + "actions ".len();
        let mut found = None;
        for piece in list.split(',') {
            let piece_end = piece_start + piece.len();
            if (piece_start..=piece_end).contains(&at) {
                let lead = piece.len() - piece.trim_start().len();
                found = Some((piece_start + lead, piece.trim()));
            }
            piece_start = piece_end + 1;
        }
        let Some((at_name, name)) = found else {
            return false;
        };
        (at_name, name, None)
    } else if in_customer_block(source, start) {
        // The name runs to its type.
        const TYPES: &[&str] = &["text", "number", "bool", "date", "one of", "list of"];
        let body = &text[indent..];
        let type_at = body.match_indices(' ').map(|(i, _)| i + 1).find(|&i| {
            TYPES.iter().any(|t| {
                body[i..].starts_with(t)
                    && !body[i + t.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        });
        let Some(type_at) = type_at else {
            return false;
        };
        if at > start + indent + type_at {
            return false;
        }
        let ty = body[type_at..].split_whitespace().next().unwrap_or("");
        let ty = if matches!(ty, "one" | "list") {
            body[type_at..].split(',').next().unwrap_or(ty).trim()
        } else {
            ty.trim_end_matches('?')
        };
        (start + indent, body[..type_at].trim(), Some(ty.to_string()))
    } else {
        return false;
    };
    if name.is_empty() || name.starts_with('"') || !name.contains([' ', '-']) {
        return false;
    }
    let what = if text[indent..].starts_with("actions ") {
        "an action"
    } else {
        "a field"
    };
    let span = Span::new(name_start, name_start + name.len());
    let example = |n: &str| match &ty {
        Some(ty) => format!("{n} {ty}"),
        None => n.to_string(),
    };
    let quoted = example(&format!("\"{name}\""));
    let underscored = example(
        &name
            .split([' ', '-'])
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_"),
    );
    if !name.contains(' ') {
        reword(
            d,
            format!("the name `{name}` has a `-`, which a plain name cannot hold"),
            span,
            "write this name in quotes, or with `_`",
            format!(
                "quote the name (`{quoted}`, and `\"{name}\"` where it is used) or use `_` (`{underscored}`)"
            ),
        );
        d.fact = Fact::DashedName;
    } else {
        reword(
            d,
            format!("{what} name with spaces is written in quotes"),
            span,
            "this is one name",
            format!("quote a name with spaces (`{quoted}`) or use `_` (`{underscored}`)"),
        );
    }
    true
}

/// `city = Den Haag`, `city in [Den Haag, Utrecht]`: a text of several words without quotes,
/// read as names.
fn unquoted_text(source: &str, names: &[&str], d: &mut Diagnostic) -> bool {
    let span = d.span();
    let (from, to) = neighbourhood(source, span.start as usize);
    let all = words(source, from, to);
    let plain = |w: &Word<'_>| {
        let lower = w.text.to_lowercase();
        !super::keywords::KEYWORDS.contains(&lower.as_str())
            && !DUTCH.iter().any(|(nl, _)| *nl == lower)
            && !w.text.starts_with(|c: char| c.is_ascii_digit())
    };
    for (i, first) in all.iter().enumerate() {
        let start = first.span.start as usize;
        let before = source[..start].trim_end();
        let in_list = before.ends_with('[')
            || (before.ends_with(',')
                && before
                    .rfind('[')
                    .is_some_and(|open| !before[open..].contains(']')));
        let after_compare = before.ends_with('=') || before.ends_with("<>");
        if !(in_list || after_compare) || !plain(first) || names.contains(&first.text) {
            continue;
        }
        // The words that follow with only spaces between them.
        let mut last = i;
        while let Some(next) = all.get(last + 1) {
            let gap = &source[all[last].span.end as usize..next.span.start as usize];
            if !gap.chars().all(|c| c == ' ') || !plain(next) {
                break;
            }
            last += 1;
        }
        let end = all[last].span.end as usize;
        let overlaps = (span.start as usize) < end.max(start + 1) && start < span.end as usize;
        if last == i || !overlaps {
            continue;
        }
        let text = &source[start..end];
        reword(
            d,
            format!("the text `{text}` is written in double quotes"),
            Span::new(start, end),
            "one text, without quotes",
            format!("write text in double quotes: `\"{text}\"`"),
        );
        d.code = Code::SyntaxError;
        return true;
    }
    false
}

/// A name with a `-` is reported where it is declared (`reported`); where it is used it reads
/// as a subtraction, and the errors there (in `diags`) say nothing more.
pub fn drop_dashed_uses(source: &str, reported: &[Diagnostic], diags: &mut Vec<Diagnostic>) {
    let dashed: Vec<&str> = reported
        .iter()
        .filter(|d| d.fact == Fact::DashedName)
        .filter_map(|d| source.get(d.span().range()))
        .collect();
    if dashed.is_empty() {
        return;
    }
    // Every place a dashed name is written.
    let uses: Vec<(usize, usize)> = dashed
        .iter()
        .flat_map(|n| source.match_indices(n).map(|(i, m)| (i, i + m.len())))
        .collect();
    diags.retain(|d| {
        let (start, end) = (d.span().start as usize, d.span().end as usize);
        d.fact == Fact::DashedName || !uses.iter().any(|&(a, b)| start < b && a < end)
    });
}

/// `rule r when orders > 3 verras`: found at the next item, but `then` belongs before the
/// action.
fn missing_then(source: &str, names: &[&str], d: &mut Diagnostic, at: usize) -> bool {
    // Only where the parser itself guessed a missing `then` (not `… = then`, a missing `)`).
    let guessed = d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("is `then` missing?"));
    if !guessed || d.code != Code::SyntaxError {
        return false;
    }
    let before = words(source, rule_start(source, at), at);
    // The condition starts after the last `when`; the action is the last declared action
    // after it.
    let Some(when) = before.iter().rposition(|w| w.text == "when") else {
        return false;
    };
    let action = before[when + 1..]
        .iter()
        .rev()
        .find(|w| names.contains(&w.text) && is_action(source, names, w.text));
    let (span, label) = match action {
        Some(a) => (a.span, "`then` belongs before this action"),
        None => {
            // The end of the condition: the last thing written before the error.
            let end = source[..at].trim_end().len();
            let start = source[..end]
                .rfind(char::is_whitespace)
                .map_or(0, |i| i + 1);
            let last = &source[start..end];
            if last.chars().all(|c| c.is_alphanumeric() || c == '_') {
                (
                    Span::new(start, end),
                    "is this the action? `then` belongs before it",
                )
            } else {
                (Span::new(start, end), "`then` is expected after this")
            }
        }
    };
    reword(
        d,
        "`then` is missing: a rule is written `when CONDITION then ACTION`".to_string(),
        span,
        label,
        "write `then` between the condition and the actions".to_string(),
    );
    true
}

/// Where the rule around an error at `at` starts: the line of its `rule` or `when`, looked for
/// back from the error (`rule "a"` / `when orders = 1` / `welkom` / the next `rule`, where the
/// error is found). Not past the item before it.
fn rule_start(source: &str, at: usize) -> usize {
    let (from, _) = neighbourhood(source, at);
    let mut start = from;
    for _ in 0..50 {
        let line = source[start..line_end(source, start)].trim_start();
        let starts_rule = ["rule ", "rule\"", "when "]
            .iter()
            .any(|k| line.starts_with(k));
        if starts_rule {
            return start;
        }
        let other_item = start < from
            && (line.starts_with('}')
                || super::ITEM_KEYWORDS
                    .iter()
                    .any(|k| line.starts_with(k) && !line.starts_with("rule")));
        if other_item || start == 0 {
            break;
        }
        start = line_start(source, start - 1);
    }
    from
}

fn is_action(source: &str, _names: &[&str], word: &str) -> bool {
    // An action is declared in an `actions` line: look for it there.
    source.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("actions ")
            && t["actions ".len()..]
                .split(',')
                .any(|a| a.trim().trim_matches('"') == word)
    })
}

/// `rule win slapers terug when …`, `segment vaste-klanten = …`: a name that is not one word.
fn name_with_spaces_or_dash(source: &str, d: &mut Diagnostic, at: usize) -> bool {
    if d.code != Code::SyntaxError {
        return false;
    }
    let start = line_start(source, at);
    let head = &source[start..at];
    let trimmed = head.trim_start();
    let keyword = ["rule", "segment", "stage", "journey"]
        .into_iter()
        .find(|k| trimmed.starts_with(&format!("{k} ")));
    let Some(keyword) = keyword else {
        return false;
    };
    let name_start = start + (head.len() - trimmed.len()) + keyword.len() + 1;
    let rest = &source[name_start..line_end(source, at)];
    // The name runs to the word that follows it.
    let stop = [" when ", " = ", "=", " {", "{"]
        .iter()
        .filter_map(|s| rest.find(s))
        .min()
        .unwrap_or(rest.len());
    let name = rest[..stop].trim();
    if name.is_empty() || name.starts_with('"') {
        return false;
    }
    let span = Span::new(name_start, name_start + name.len());
    let underscored = name.replace([' ', '-'], "_");
    if name.contains('-') && !name.contains(' ') {
        reword(
            d,
            format!("the name `{name}` has a `-`, which a plain name cannot hold"),
            span,
            "write this name in quotes, or with `_`",
            format!("write `{keyword} \"{name}\"` (and `\"{name}\"` where it is used), or `{keyword} {underscored}`"),
        );
        d.fact = Fact::DashedName;
        return true;
    }
    if name.contains(' ') {
        reword(
            d,
            format!("a {keyword} name with spaces is written in quotes"),
            span,
            "this is one name",
            format!("write `{keyword} \"{name}\"`, or `{keyword} {underscored}`"),
        );
        return true;
    }
    false
}

/// `decimal comma`, `suppress …` or `max N …` written outside `policy { }`.
fn policy_outside(source: &str, d: &mut Diagnostic, at: usize) -> bool {
    if d.code != Code::SyntaxError {
        return false;
    }
    let rest = &source[at..line_end(source, at)];
    let what = if rest.starts_with("decimal comma") {
        "decimal comma"
    } else if rest.starts_with("suppress ") {
        "suppress"
    } else if rest.starts_with("max ") {
        "max"
    } else {
        return false;
    };
    if !source[line_start(source, at)..at].trim().is_empty() {
        return false;
    }
    let line = rest.trim_end();
    reword(
        d,
        format!("`{what}` belongs in `policy {{ }}`"),
        Span::new(at, at + line.len()),
        "move this line into the policy",
        format!("write it inside the policy block: `policy {{ {line} }}`"),
    );
    true
}

/// `city = missing`, `city != null`: the test for an empty cell is `is missing`.
fn missing_as_value(source: &str, d: &mut Diagnostic, at: usize) -> bool {
    let word: String = source[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if !NULL_WORDS.contains(&word.to_lowercase().as_str()) {
        return false;
    }
    let before = source[..at].trim_end();
    let negated = before.ends_with("!=");
    if !(before.ends_with('=') || before.ends_with("is") || before.ends_with("is not")) {
        return false;
    }
    let test = if negated { "is present" } else { "is missing" };
    let field = words(source, line_start(source, at), at)
        .iter()
        .rev()
        .find(|w| w.text != "is" && w.text != "not")
        .map_or("F", |w| w.text);
    reword(
        d,
        format!("an empty cell is tested with `{test}`, not with a value `{word}`"),
        Span::new(at, at + word.len()),
        "not a value",
        format!(
            "write `{field} {test}` (its opposite is `{field} {}`)",
            if negated { "is missing" } else { "is present" }
        ),
    );
    d.code = Code::SyntaxError;
    true
}

/// `given { d: 23-11-2013 }`, `as of 23-11-2026`: a syntax error inside a Dutch date.
fn date_at(source: &str, d: &mut Diagnostic, at: usize) -> bool {
    let date_char = |c: u8| c.is_ascii_digit() || matches!(c, b'-' | b'/' | b'.');
    let bytes = source.as_bytes();
    if at >= bytes.len() || !date_char(bytes[at]) {
        return false;
    }
    let mut start = at;
    while start > 0 && date_char(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at;
    while end < bytes.len() && date_char(bytes[end]) {
        end += 1;
    }
    let written = &source[start..end];
    let Some(reading) = date_reading(written) else {
        return false;
    };
    let span = Span::new(start, end);
    match reading {
        DateReading::DayMonth(iso) => reword(
            d,
            format!("dates are written year-month-day: `{iso}`"),
            span,
            "a day-month-year date",
            format!("write `{iso}`"),
        ),
        DateReading::MonthDay(iso) => reword(
            d,
            format!("dates are written year-month-day: `{iso}`"),
            span,
            "a month-day-year date",
            format!("write `{iso}`"),
        ),
        DateReading::None => reword(
            d,
            format!(
                "`{written}` is no date in the calendar, read day-month-year or month-day-year"
            ),
            span,
            "no such date",
            "write a real date as year-month-day, e.g. `2013-11-23`".to_string(),
        ),
    }
    true
}

/// `Dt_Customer < 23-11-2013`: a Dutch date read as arithmetic.
fn dutch_date(source: &str, d: &mut Diagnostic) {
    for label in &d.labels {
        let text = source.get(label.span.range()).unwrap_or("").trim();
        let help = match date_reading(text) {
            Some(DateReading::DayMonth(iso) | DateReading::MonthDay(iso)) => {
                format!("write dates as year-month-day: `{iso}`")
            }
            Some(DateReading::None) => format!(
                "`{text}` is no date in the calendar, read either way; write dates as year-month-day, e.g. `2013-11-23`"
            ),
            None => continue,
        };
        d.help = Some(help);
        return;
    }
}

/// How a date written `D-M-YYYY` (or with `/` or `.`) reads.
#[derive(Debug, PartialEq)]
pub enum DateReading {
    /// Day-month-year, as the Dutch write it: the date, year-month-day.
    DayMonth(String),
    /// Month-day-year, as Americans write it (the middle number is over 12).
    MonthDay(String),
    /// Neither reading is a date in the calendar (`31-02-2013`).
    None,
}

/// `23-11-2013`, `23/11/2013`, `23.11.2013` → `2013-11-23`; `11-23-2013` too; `None` when the
/// text is not written as a date at all.
pub fn date_reading(text: &str) -> Option<DateReading> {
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (first, second, year) = (parts[0], parts[1], parts[2]);
    if !(1..=2).contains(&first.len()) || !(1..=2).contains(&second.len()) || year.len() != 4 {
        return None;
    }
    let number = |p: &str| p.parse::<u32>().unwrap_or(0);
    let (a, b, y) = (number(first), number(second), number(year));
    let iso = |month: u32, day: u32| format!("{year}-{month:02}-{day:02}");
    Some(if in_calendar(y, b, a) {
        DateReading::DayMonth(iso(b, a))
    } else if in_calendar(y, a, b) {
        DateReading::MonthDay(iso(a, b))
    } else {
        DateReading::None
    })
}

/// `23-11-2013` → `2013-11-23` (also `11-23-2013`: the only date it can be).
pub fn dutch_date_text(text: &str) -> Option<String> {
    match date_reading(text)? {
        DateReading::DayMonth(iso) | DateReading::MonthDay(iso) => Some(iso),
        DateReading::None => None,
    }
}

fn in_calendar(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=9999).contains(&year) && (1..=days).contains(&day)
}

/// `city is null`: compares with the text `null`, which is not what anyone means.
pub fn null_comparisons(source: &str, playbook: &Playbook, diags: &mut Vec<Diagnostic>) {
    // A `one of` field may have `none` among its words: then `status is none` means it.
    let words_of = |field: &str| -> Vec<String> {
        playbook
            .schemas()
            .flat_map(|s| s.fields.iter())
            .filter(|f| f.name.text == field)
            .flat_map(|f| match &f.ty {
                FieldType::OneOf(words) => words.iter().map(|w| w.text.to_lowercase()).collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    // A word that reads as "no value" (`null`, `leeg`), unless the field has it among its words.
    let null_word = |field: &Expr, word: &Expr| -> Option<String> {
        let text = source.get(word.span.range()).unwrap_or("");
        let lower = text.to_lowercase();
        let is_word = matches!(word.kind, ExprKind::Name(_) | ExprKind::Word(_));
        let field = source.get(field.span.range()).unwrap_or("");
        (is_word
            && NULL_WORDS.contains(&lower.as_str())
            && text != "missing"
            && !words_of(field).contains(&lower))
        .then(|| text.to_string())
    };
    let name = |e: &Expr| source.get(e.span.range()).unwrap_or("F").to_string();
    let empty_text = |e: &Expr| matches!(&e.kind, ExprKind::Text(t) if t.trim().is_empty());
    let mut found = Vec::new();
    for condition in playbook.conditions() {
        condition.walk(&mut |e| match &e.kind {
            ExprKind::IsWord {
                value,
                word,
                negated,
            } => {
                if let Some(text) = null_word(value, word) {
                    found.push((e.span, name(value), word.span, Null::Word(text), *negated));
                }
            }
            // `city = null`, `city != NULL`; `city = ""` is never true (an empty cell is missing).
            ExprKind::Compare { op, left, right }
                if matches!(op, CompareOp::Eq | CompareOp::Ne) =>
            {
                let negated = *op == CompareOp::Ne;
                if let Some(text) = null_word(left, right) {
                    found.push((e.span, name(left), right.span, Null::Word(text), negated));
                } else if empty_text(right) && !negated {
                    found.push((e.span, name(left), right.span, Null::EmptyText, false));
                }
            }
            ExprKind::InList {
                value,
                items,
                negated,
            } => {
                for item in items {
                    if let Some(text) = null_word(value, item) {
                        found.push((e.span, name(value), item.span, Null::Word(text), *negated));
                    } else if empty_text(item) {
                        found.push((e.span, name(value), item.span, Null::EmptyText, *negated));
                    }
                }
            }
            _ => {}
        });
    }
    for (whole, field, at, null, negated) in found {
        if diags
            .iter()
            .any(|d| d.is_error() && d.span().start <= whole.start && whole.end <= d.span().end)
        {
            continue;
        }
        let test = format!(
            "{field} {}",
            if negated { "is present" } else { "is missing" }
        );
        let diag = match null {
            Null::Word(text) => Diagnostic::new(
                Code::NullComparison,
                at,
                format!("this compares with the text `{text}`, not with an empty cell"),
            )
            .label("a word, compared as text")
            .help(format!(
                "to test for an empty cell write `{test}`; to compare with the text, write `\"{text}\"`"
            )),
            Null::EmptyText => Diagnostic::new(
                Code::NullComparison,
                at,
                "an empty cell is missing, not the text `\"\"`: this never matches it",
            )
            .label("never equal to an empty cell")
            .help(format!("to test for an empty cell write `{test}`")),
        };
        diags.push(diag);
    }
}

/// `city = "Utrecht "`: cells are read trimmed, so a text with a space at an end never equals
/// one (nor starts or ends one the way it says). Copied out of Excel, such a space is invisible.
pub fn padded_texts(playbook: &Playbook, diags: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    let padded = |e: &Expr| match &e.kind {
        ExprKind::Text(t) if !t.trim().is_empty() && t.trim() != t => Some((e.span, t.clone())),
        _ => None,
    };
    for condition in playbook.conditions() {
        condition.walk(&mut |e| match &e.kind {
            ExprKind::Compare { left, right, .. } => {
                found.extend(padded(left).or_else(|| padded(right)));
            }
            ExprKind::InList { items, .. } => found.extend(items.iter().filter_map(padded)),
            // `starts with "Utrecht "` may match `Utrecht Centrum`; `starts with " U"` never.
            ExprKind::TextTest { pattern, op, .. } => {
                let never = match (&pattern.kind, op) {
                    (ExprKind::Text(t), crate::ast::TextOp::StartsWith) => t.trim_start() != t,
                    (ExprKind::Text(t), crate::ast::TextOp::EndsWith) => t.trim_end() != t,
                    _ => false,
                };
                if never {
                    found.extend(padded(pattern));
                }
            }
            ExprKind::IsWord { word, .. } => found.extend(padded(word)),
            _ => {}
        });
    }
    for (span, text) in found {
        diags.push(
            Diagnostic::new(
                Code::PaddedText,
                span,
                format!(
                    "`\"{}\"` has a space at its start or end, and cells are read without them: this never matches",
                    text.escape_debug()
                ),
            )
            .label("a space at an end")
            .help(format!("write `\"{}\"`", text.trim())),
        );
    }
}

/// What a `null-comparison` compares with.
enum Null {
    /// `null`, `leeg`, … written as a word.
    Word(String),
    /// `""` (or only spaces).
    EmptyText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_dates_are_turned_around() {
        assert_eq!(dutch_date_text("23-11-2013").as_deref(), Some("2013-11-23"));
        assert_eq!(dutch_date_text("1/2/2024").as_deref(), Some("2024-02-01"));
        assert_eq!(dutch_date_text("2013-11-23"), None);
        assert_eq!(dutch_date_text("12"), None);
        assert_eq!(dutch_date_text("11-23-2013").as_deref(), Some("2013-11-23"));
        assert_eq!(date_reading("31-02-2013"), Some(DateReading::None));
        assert_eq!(
            date_reading("29-02-2024"),
            Some(DateReading::DayMonth("2024-02-29".into()))
        );
    }

    fn warnings(source: &str) -> Vec<String> {
        let parsed = crate::syntax::parse(source);
        let mut diags = Vec::new();
        null_comparisons(source, &parsed.playbook, &mut diags);
        diags.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn is_null_is_named_unless_null_is_one_of_the_words() {
        let head =
            "customer {\n id text key\n city text?\n status one of none, some\n}\nactions a\n";
        assert_eq!(
            warnings(&format!("{head}when city is null then a\n")),
            ["this compares with the text `null`, not with an empty cell"]
        );
        assert!(warnings(&format!("{head}when status is none then a\n")).is_empty());
        assert!(warnings(&format!("{head}when city is missing then a\n")).is_empty());
    }

    #[test]
    fn words_skip_strings_and_comments() {
        let s = "when x = \"en of\" en y # dan\n";
        let w: Vec<&str> = words(s, 0, s.len()).iter().map(|w| w.text).collect();
        assert_eq!(w, ["when", "x", "en", "y"]);
    }
}
