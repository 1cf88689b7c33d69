//! The value grammar of export cells (language.md §2 and §11), shared by the
//! readers, the test runner and the checker.

/// `true/false`, `yes/no`, `ja/nee`, `1/0`, in any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    parse_bool_bytes(text.trim().as_bytes())
}

/// The yes/no words of the value grammar (any case), the commonest first. `playbook sql`
/// spells its checks from the same list.
pub const BOOL_WORDS: [(&str, bool); 8] = [
    ("true", true),
    ("false", false),
    ("1", true),
    ("0", false),
    ("yes", true),
    ("no", false),
    ("ja", true),
    ("nee", false),
];

/// [`parse_bool`] of a trimmed cell's bytes: the words are ASCII, so no UTF-8 check is needed.
pub fn parse_bool_bytes(t: &[u8]) -> Option<bool> {
    BOOL_WORDS
        .iter()
        .find(|(w, _)| t.eq_ignore_ascii_case(w.as_bytes()))
        .map(|&(_, value)| value)
}

/// A number: `12`, `-3.5`, `+3`, `.5`, `1e3`; with `decimal_comma` the decimal
/// separator is `,` instead (`12,50`). No `inf`, `nan` or thousands separators.
pub fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = text.trim();
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let sep = if decimal_comma { b',' } else { b'.' };
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    let mut sep_at = None;
    if i < b.len() && b[i] == sep {
        sep_at = Some(i);
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let parsed = match sep_at {
        Some(at) if decimal_comma => {
            let mut s = String::with_capacity(t.len());
            s.push_str(&t[..at]);
            s.push('.');
            s.push_str(&t[at + 1..]);
            s.parse::<f64>().ok()
        }
        _ => t.parse::<f64>().ok(),
    }?;
    parsed.is_finite().then_some(parsed)
}

/// A `;`-separated list cell: items trimmed, empty items dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_value_grammar() {
        for (text, want) in [
            ("12", 12.0),
            ("-3.5", -3.5),
            ("+3", 3.0),
            (".5", 0.5),
            ("1e3", 1000.0),
            (" 7 ", 7.0),
            ("5.", 5.0),
        ] {
            assert_eq!(parse_number(text, false), Some(want), "{text}");
        }
        for text in [
            "inf", "nan", "1,000", "1.000,5", "", "-", "1e", "12abc", "0x10", "1e999",
        ] {
            assert_eq!(parse_number(text, false), None, "{text}");
        }
        assert_eq!(parse_number("12,50", true), Some(12.5));
        assert_eq!(parse_number("12.50", true), None);
    }

    #[test]
    fn bools_and_lists() {
        assert_eq!(parse_bool("JA"), Some(true));
        assert_eq!(parse_bool("Nee"), Some(false));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("y"), None);
        assert_eq!(split_list(" vip ; ;newsletter;"), vec!["vip", "newsletter"]);
    }
}
