//! Comments, found in the source text: pest's `COMMENT` rule is silent, so the
//! syntax tree has none.

/// One `#` comment: where it is, and its text without trailing white space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The byte offset of its `#`.
    pub start: usize,
    /// The byte offset of the end of its line (the `\n`, or the end of the file).
    pub end: usize,
    /// From `#` to the end of the line, trailing white space removed.
    pub text: String,
}

/// Every comment of a file with `\n` line ends, in order. Outside a string, `#` starts a
/// comment that runs to the end of the line; inside one it is text (strings are on one line,
/// with the escapes `\"` and `\\`), exactly as the grammar reads it.
pub fn scan(src: &str) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' if bytes.get(i + 1).is_some_and(|&n| n == b'"' || n == b'\\') => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'#' => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                // `#` and `\n` are ASCII, so both ends are character boundaries.
                out.push(Comment {
                    start: i,
                    end,
                    text: src[i..end].trim_end().to_string(),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where `word` stands as a whole word in `src[from..to]`, outside comments and strings.
pub fn find_word(src: &str, from: usize, to: usize, word: &str) -> Option<usize> {
    let text = src.get(from..to)?;
    let bytes = text.as_bytes();
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            _ => {
                let rest = &text[i..];
                let before_ok = text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_word_char(c));
                let after_ok = rest
                    .get(word.len()..)
                    .and_then(|r| r.chars().next())
                    .is_none_or(|c| !is_word_char(c));
                if before_ok && rest.starts_with(word) && after_ok {
                    return Some(from + i);
                }
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_in_strings_are_text() {
        let src = "rule \"a # b\" # one\n  when x = \"\\\"#\" then y # two  \n# three";
        let texts: Vec<_> = scan(src).into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["# one", "# two", "# three"]);
    }

    #[test]
    fn words_outside_comments() {
        let src = "x # given\n \"given\" given {}";
        assert_eq!(find_word(src, 0, src.len(), "given"), Some(19));
        assert_eq!(find_word(src, 0, src.len(), "give"), None);
    }
}
