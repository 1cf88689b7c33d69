//! Warnings about how a playbook's text looks rather than what it says, as rustc's
//! `confusable_idents` and `text_direction_codepoint_in_literal`: two names that look the
//! same but are written differently (`big` and `bіg` with a Cyrillic і), and bidirectional
//! overrides that make an editor show text in another order than it is read.

use crate::ast::Span;
use crate::diagnostic::{Code, Diagnostic};
use std::collections::HashMap;

/// Both warnings for a playbook's source.
pub(super) fn run(source: &str) -> Vec<Diagnostic> {
    let mut out = bidi(source);
    out.extend(confusables(source));
    out
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn span(start: usize, len: usize) -> Span {
    Span::new(start, start + len)
}

/// One warning per bidirectional control character, in names, strings and comments alike.
fn bidi(source: &str) -> Vec<Diagnostic> {
    source
        .char_indices()
        .filter(|(_, c)| is_bidi(*c))
        .map(|(at, c)| {
            Diagnostic::new(
                Code::BidiCodepoint,
                span(at, c.len_utf8()),
                format!(
                    "a bidirectional control character (U+{:04X}) changes how this line is shown",
                    c as u32
                ),
            )
            .label("shown escaped here; an editor may reorder the text around it")
            .help("remove it: what an editor shows is then what the playbook says")
        })
        .collect()
}

/// The ASCII letter a look-alike stands for, or the character itself. Cyrillic and Greek
/// letters that are drawn like Latin ones, and characters that draw nothing.
fn skeleton_char(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'һ' => 'h',
        'ӏ' => 'l',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ɡ' => 'g',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Ѕ' => 'S',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'α' => 'a',
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => return None,
        other => other,
    })
}

fn skeleton(word: &str) -> String {
    word.chars().filter_map(skeleton_char).collect()
}

/// The words of the source outside comments, with where each starts: letters, digits, `_`
/// and the characters that draw nothing (so `big` with a zero-width space is one word).
fn words(source: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    let mut start: Option<usize> = None;
    for (i, c) in source.char_indices() {
        let part = c.is_alphanumeric() || c == '_' || skeleton_char(c).is_none();
        if part && !in_comment {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push((s, &source[s..i]));
        }
        match c {
            '\n' => in_comment = false,
            '#' if !in_string => in_comment = true,
            '"' if !in_comment && !escaped => in_string = !in_string,
            _ => {}
        }
        escaped = in_string && c == '\\' && !escaped;
    }
    if let Some(s) = start {
        out.push((s, &source[s..]));
    }
    out
}

/// A warning at the first place of each word that looks like another word of the playbook.
fn confusables(source: &str) -> Vec<Diagnostic> {
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut by_look: HashMap<String, Vec<&str>> = HashMap::new();
    for (at, word) in words(source) {
        if first_seen.contains_key(word) {
            continue;
        }
        first_seen.insert(word, at);
        by_look.entry(skeleton(word)).or_default().push(word);
    }
    let mut out = Vec::new();
    for spellings in by_look.values().filter(|s| s.len() > 1) {
        // The plainest spelling (fewest characters outside ASCII) is taken as meant.
        let meant = spellings
            .iter()
            .min_by_key(|w| (w.chars().filter(|c| !c.is_ascii()).count(), first_seen[*w]))
            .copied()
            .unwrap_or_default();
        for word in spellings.iter().filter(|w| **w != meant) {
            out.push(confusable(word, meant, first_seen[word]));
        }
    }
    out.sort_by_key(|d| d.span().start);
    out
}

fn confusable(word: &str, meant: &str, at: usize) -> Diagnostic {
    let odd: Vec<String> = word
        .chars()
        .filter(|c| skeleton_char(*c) != Some(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    Diagnostic::new(
        Code::ConfusableName,
        span(at, word.len()),
        format!(
            "`{word}` looks like `{meant}` but is written with other characters ({})",
            odd.join(", ")
        ),
    )
    .label("looks like another name")
    .help(format!(
        "retype it as `{meant}` (or give it a name that looks different)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cyrillic_i_is_seen() {
        let d = run("segment big = n > 1\nsegment b\u{456}g = n > 2\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::ConfusableName);
        assert!(d[0].message.contains("U+0456"), "{}", d[0].message);
    }

    #[test]
    fn comments_do_not_count_but_overrides_in_them_do() {
        let d = run("# b\u{456}g\nsegment big = n > 1 # \u{202E}x\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::BidiCodepoint);
    }

    #[test]
    fn plain_names_give_nothing() {
        assert!(run("segment big = n > 1\nsegment bag = n > 2 # \"big\"\n").is_empty());
    }
}
