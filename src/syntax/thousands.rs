//! Number literals that look like Dutch thousands (`50.000`, `1.250.000`).
//!
//! A Dutch marketer writes fifty thousand as `50.000`. The language reads `.` as the decimal
//! point (language.md §11 "Numbers"), so `Income > 50.000` would quietly mean fifty. Such a
//! literal is valid but always warned about; `1.250.000` is no number at all, and its syntax
//! error says why. The scan is lexical (strings and comments skipped), so it sees every
//! literal — conditions, `given` values, list items — as written.

use crate::ast::Span;
use crate::diagnostic::{Code, Diagnostic};

/// A literal of one to three digits followed by groups of exactly three after dots.
pub struct Grouped {
    pub span: Span,
    /// How many `.`-groups follow the first: 1 for `50.000` (a valid number), 2 or more for
    /// `1.250.000` (not a number).
    pub groups: usize,
    /// The digits without the dots: `50000`.
    pub digits: String,
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every thousands-shaped literal in `source`, outside strings and comments.
pub fn scan(source: &str) -> Vec<Grouped> {
    let mut found = Vec::new();
    let mut chars = source.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        match c {
            '#' => {
                // A comment runs to the end of the line.
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
            }
            '"' => {
                // A string: one line, with `\"` and `\\` escapes.
                while let Some((_, c)) = chars.next_if(|&(_, c)| c != '\n') {
                    match c {
                        '\\' => {
                            chars.next_if(|&(_, c)| c != '\n');
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '0'..='9' if !prev.is_some_and(|p| ident_char(p) || p == '.') => {
                let mut end = at + 1;
                while let Some((i, c)) = chars.next_if(|&(_, c)| c.is_ascii_digit() || c == '.') {
                    end = i + c.len_utf8();
                }
                let next = chars.peek().map(|&(_, c)| c);
                let run = &source[at..end];
                // `12.500%` is a percentage, `1.000e3` has an exponent: neither is a thousand.
                if !next.is_some_and(|n| ident_char(n) || n == '%') {
                    if let Some(g) = grouped(run, at) {
                        found.push(g);
                    }
                }
                prev = source[..end].chars().next_back();
                continue;
            }
            _ => {}
        }
        prev = Some(c);
    }
    found
}

fn grouped(run: &str, at: usize) -> Option<Grouped> {
    let mut parts = run.split('.');
    let first = parts.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() || rest.iter().any(|p| p.len() != 3) {
        return None;
    }
    Some(Grouped {
        span: Span::new(at, at + run.len()),
        groups: rest.len(),
        digits: run.replace('.', ""),
    })
}

/// The warnings for valid literals such as `50.000` (language.md §11: `check`, `eval` and
/// `test` all show them).
pub fn warnings(source: &str) -> Vec<Diagnostic> {
    scan(source)
        .into_iter()
        .filter(|g| g.groups == 1)
        .map(|g| {
            let written = &source[g.span.range()];
            let (whole, fraction) = written.split_once('.').unwrap_or((written, ""));
            let meant = format!("{whole}.{}", fraction.trim_end_matches('0'));
            let meant = meant.trim_end_matches('.');
            // How to write the small reading so that it does not look grouped: `50.0`, `2.5`.
            let small = if meant.contains('.') {
                meant.to_string()
            } else {
                format!("{meant}.0")
            };
            Diagnostic::new(
                Code::ThousandsSeparator,
                g.span,
                format!(
                    "`{written}` looks like {} written with a thousands separator",
                    words(&g.digits)
                ),
            )
            .label(format!("this is the number {meant}"))
            .help(format!(
                "write `{}`, or `{small}` if you meant {}",
                g.digits,
                words(meant)
            ))
        })
        .collect()
}

/// The syntax error for `1.250.000`, when the parser stopped inside such a literal.
pub fn syntax_error(source: &str, error_at: usize) -> Option<Diagnostic> {
    let g = scan(source).into_iter().find(|g| {
        g.groups >= 2 && g.span.start as usize <= error_at && error_at <= g.span.end as usize
    })?;
    let written = &source[g.span.range()];
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            g.span,
            format!("`{written}` is not a number: a number has at most one `.`, its decimal point"),
        )
        .label("thousands separators are not part of a number")
        .help(format!(
            "`{written}` looks like {} written with thousands separators: write `{}`",
            words(&g.digits),
            g.digits
        )),
    )
}

/// The syntax error for a number written the way a person writes it, not as the language
/// does, when the parser stopped inside it: `50 000` and `50'000` (thousands separated by a
/// space or `'`), `12,5` (a decimal comma) and `5.` (a point with nothing after it).
pub fn written_number_error(source: &str, error_at: usize) -> Option<Diagnostic> {
    separated_thousands(source, error_at)
        .or_else(|| decimal_comma(source, error_at))
        .or_else(|| trailing_point(source, error_at))
}

fn digits_before(source: &str, end: usize) -> usize {
    let bytes = source.as_bytes();
    let mut start = end;
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    start
}

/// A number starts at `start` when no name or number runs into it from the left.
fn starts_a_number(source: &str, start: usize) -> bool {
    !source[..start]
        .chars()
        .next_back()
        .is_some_and(|c| ident_char(c) || c == '.')
}

/// `50 000`, `1 250 000`, `50'000`: groups of three after a first group of one to three.
fn separated_thousands(source: &str, error_at: usize) -> Option<Diagnostic> {
    let bytes = source.as_bytes();
    let is_sep = |b: u8| b == b' ' || b == b'\'';
    // The run of digits and separators around the error.
    let mut start = error_at.min(bytes.len());
    while start > 0 && (bytes[start - 1].is_ascii_digit() || is_sep(bytes[start - 1])) {
        start -= 1;
    }
    while start < bytes.len() && is_sep(bytes[start]) {
        start += 1;
    }
    let mut end = error_at.min(bytes.len());
    while end < bytes.len() && (bytes[end].is_ascii_digit() || is_sep(bytes[end])) {
        end += 1;
    }
    while end > start && is_sep(bytes[end - 1]) {
        end -= 1;
    }
    if start >= end || error_at < start || error_at > end || !starts_a_number(source, start) {
        return None;
    }
    if source[end..].starts_with(|c: char| ident_char(c) || c == '.' || c == '%') {
        return None;
    }
    // `between 100 200` is a forgotten `and`, not a thousand.
    if source[..start].trim_end().ends_with("between") {
        return None;
    }
    let written = &source[start..end];
    let groups: Vec<&str> = written.split([' ', '\'']).collect();
    let single_separators = groups.iter().all(|g| !g.is_empty());
    if groups.len() < 2
        || !single_separators
        || groups[0].len() > 3
        || groups[1..].iter().any(|g| g.len() != 3)
    {
        return None;
    }
    let digits: String = groups.concat();
    let separator = if written.contains('\'') {
        "`'`"
    } else {
        "a space"
    };
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            Span::new(start, end),
            format!("`{written}` is not a number: a number is written without {separator} in it"),
        )
        .label("thousands separators are not part of a number")
        .help(format!(
            "`{written}` looks like {} written with thousands separators: write `{digits}`",
            words(&digits)
        )),
    )
}

/// `orders: 12,5`, `holdout 5,5%`, `orders > 12,5`: a decimal comma.
fn decimal_comma(source: &str, error_at: usize) -> Option<Diagnostic> {
    let bytes = source.as_bytes();
    // The comma is where the error is, just before it (`given { n: 12,5 }` stops at `5`), or
    // just after the number there (`holdout 5,5%` stops at the first `5`).
    let after_digits = error_at + source[error_at..].len()
        - source[error_at..]
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let comma = if bytes.get(error_at) == Some(&b',') {
        error_at
    } else if error_at > 0 && bytes[error_at - 1] == b',' {
        error_at - 1
    } else if after_digits > error_at && bytes.get(after_digits) == Some(&b',') {
        after_digits
    } else {
        return None;
    };
    let start = digits_before(source, comma);
    let mut end = comma + 1;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if start == comma || end == comma + 1 || !starts_a_number(source, start) {
        return None;
    }
    let written = &source[start..end];
    let meant = written.replace(',', ".");
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            Span::new(start, end),
            format!("`{written}` is not a number: a playbook writes numbers with a decimal point"),
        )
        .label("a decimal comma")
        .help(format!(
            "write `{meant}` (a decimal comma is only for exports: `decimal comma` in the policy)"
        )),
    )
}

/// `orders > 5. then …`: a point with no digits after it.
fn trailing_point(source: &str, error_at: usize) -> Option<Diagnostic> {
    let bytes = source.as_bytes();
    if bytes.get(error_at) != Some(&b'.') || bytes.get(error_at + 1).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    let start = digits_before(source, error_at);
    if start == error_at || !starts_a_number(source, start) {
        return None;
    }
    let number = &source[start..error_at];
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            Span::new(start, error_at + 1),
            format!("`{number}.` is not a number: a number cannot end in `.`"),
        )
        .label("nothing follows the decimal point")
        .help(format!(
            "write `{number}`, or put the decimals after the point (`{number}.5`)"
        )),
    )
}

/// A whole number in English words (`50000` → "fifty thousand"); very long numbers and
/// decimals are left in digits.
fn words(digits: &str) -> String {
    let Ok(n) = digits.parse::<u64>() else {
        return digits.to_string();
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) || n >= 1_000_000_000_000 {
        return digits.to_string();
    }
    if n == 0 {
        return "zero".to_string();
    }
    let mut parts = Vec::new();
    for (scale, name) in [
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
    ] {
        if n / scale % 1000 > 0 {
            parts.push(format!("{} {name}", below_thousand(n / scale % 1000)));
        }
    }
    if n % 1000 > 0 {
        parts.push(below_thousand(n % 1000));
    }
    parts.join(" ")
}

fn below_thousand(n: u64) -> String {
    const ONES: [&str; 20] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let mut out = Vec::new();
    if n >= 100 {
        out.push(format!("{} hundred", ONES[(n / 100) as usize]));
    }
    let rest = (n % 100) as usize;
    if rest >= 20 {
        let ones = ONES[rest % 10];
        out.push(if ones.is_empty() {
            TENS[rest / 10].to_string()
        } else {
            format!("{}-{ones}", TENS[rest / 10])
        });
    } else if rest > 0 {
        out.push(ONES[rest].to_string());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(src: &str) -> Vec<(String, usize)> {
        scan(src)
            .into_iter()
            .map(|g| (src[g.span.range()].to_string(), g.groups))
            .collect()
    }

    #[test]
    fn finds_grouped_literals_outside_strings_and_comments() {
        assert_eq!(
            shapes("when n > 50.000 and m < 1.250.000 then a # 2.500 in a comment"),
            [("50.000".to_string(), 1), ("1.250.000".to_string(), 2)]
        );
        assert_eq!(shapes(r#"when t = "2.500 \" 3.000" then a"#), []);
        assert_eq!(
            shapes("given { x: 2.500, y: [12.000] }"),
            [("2.500".to_string(), 1), ("12.000".to_string(), 1)]
        );
    }

    #[test]
    fn other_numbers_are_not_grouped() {
        for src in [
            "n > 50.5",
            "n > 50.00",
            "n > 5000.000",
            "n > .500",
            "n > 1.000e3",
            "holdout 12.500%",
            "d > 2026-11-23",
            "n > 50",
            "x1.000",
            "n > 1.0000",
        ] {
            assert_eq!(shapes(src), [], "{src}");
        }
    }

    #[test]
    fn numbers_in_words() {
        assert_eq!(words("50000"), "fifty thousand");
        assert_eq!(words("1250000"), "one million two hundred fifty thousand");
        assert_eq!(words("2500"), "two thousand five hundred");
        assert_eq!(words("12"), "twelve");
        assert_eq!(words("2.5"), "2.5");
        assert_eq!(words("100021"), "one hundred thousand twenty-one");
    }

    #[test]
    fn numbers_written_as_people_write_them_get_their_fix() {
        let help = |src: &str| {
            let at = src.find('!').expect("a marked place");
            let src = src.replace('!', "");
            written_number_error(&src, at).and_then(|d| d.help)
        };
        assert_eq!(
            help("when n > 50 !000 then a").as_deref(),
            Some("`50 000` looks like fifty thousand written with thousands separators: write `50000`")
        );
        assert!(help("when n > 1!'250'000 then a").is_some_and(|h| h.ends_with("`1250000`")));
        assert!(help("given { n: 12,!5 }").is_some_and(|h| h.starts_with("write `12.5`")));
        assert!(help("when n > 5!. then a").is_some_and(|h| h.starts_with("write `5`")));
        // A forgotten `and`, not a thousand; a percentage; a number and a name.
        assert_eq!(help("when n between 100 !200 then a"), None);
        assert_eq!(help("holdout 10 !%"), None);
        assert_eq!(help("when n > 5 !abc then a"), None);
    }

    #[test]
    fn the_warning_names_both_readings() {
        let w = warnings("when n > 50.000 then a");
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "`50.000` looks like fifty thousand written with a thousands separator"
        );
        assert_eq!(
            w[0].help.as_deref(),
            Some("write `50000`, or `50.0` if you meant fifty")
        );
        let w = warnings("when n > 2.500 then a");
        assert_eq!(
            w[0].help.as_deref(),
            Some("write `2500`, or `2.5` if you meant 2.5")
        );
    }
}
