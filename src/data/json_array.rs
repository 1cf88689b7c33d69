//! JSON-array exports (`[{…}, {…}, …]`) cut into chunks of whole items, as NDJSON is cut
//! into lines: memory stays at a few chunks whatever the export's size.
//!
//! The reader follows only the array's structure (strings, brackets, the commas between
//! items); each item is then parsed on its own, as an NDJSON line is. A broken structure (a
//! missing comma, a bracket closing the wrong kind, text after the closing `]`, an export
//! that ends inside an item) cannot be cut into items and stops the run in both `--on-error`
//! modes; a broken item inside a sound structure is a bad record like any other.

/// Where the reader stands between items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Between {
    /// Before the opening `[`.
    Start,
    /// After `[`: an item or `]` comes next.
    Open,
    /// After a `,`: an item comes next.
    Comma,
    /// After an item: `,` or `]` comes next.
    Item,
    /// After the closing `]`: only white space may follow.
    Closed,
}

/// Why the export cannot be cut into items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The 1-based line of the problem.
    pub line: u64,
    pub message: String,
}

/// What one look at the buffer found.
#[derive(Debug, PartialEq, Eq)]
pub struct Scan {
    /// The end of the last whole item (or of the closing `]` and all after it at the end of the
    /// export), the state there, and how many items lie before it.
    pub cut: Option<(usize, Between, u64)>,
    /// The line an unfinished item starts on (for the record limit's message).
    pub open_line: u64,
}

/// Looks at `buf`, which starts in state `at` on line `line`; `eof`: nothing follows it.
pub fn scan(mut at: Between, buf: &[u8], mut line: u64, eof: bool) -> Result<Scan, Broken> {
    let mut i = 0;
    let mut cut = None;
    let mut items = 0u64;
    let mut open_line = line;
    while i < buf.len() {
        let b = buf[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        match at {
            Between::Start if buf[i..].starts_with(b"\xEF\xBB\xBF") && i == 0 => i += 3,
            Between::Start if b == b'[' => {
                at = Between::Open;
                i += 1;
            }
            Between::Start => {
                return Err(Broken {
                    line,
                    message: format!(
                        "this is not a JSON array of customer objects: it starts with {}",
                        shown(&buf[i..])
                    ),
                })
            }
            Between::Open | Between::Item if b == b']' => {
                at = Between::Closed;
                i += 1;
                cut = Some((i, at, items));
            }
            Between::Item if b == b',' => {
                at = Between::Comma;
                i += 1;
            }
            Between::Item => {
                return Err(Broken {
                    line,
                    message: format!(
                        "the JSON array is broken here: a `,` or the closing `]` must follow an item, and {} does",
                        shown(&buf[i..])
                    ),
                })
            }
            Between::Comma if b == b']' => {
                return Err(Broken {
                    line,
                    message: "the JSON array is broken here: a `,` before the closing `]` (JSON allows no trailing comma)".to_string(),
                })
            }
            Between::Open | Between::Comma => {
                open_line = line;
                match item_end(&buf[i..], eof).map_err(|(offset, message)| Broken {
                    line: line + newlines(&buf[i..i + offset]),
                    message,
                })? {
                    Some(len) => {
                        line += newlines(&buf[i..i + len]);
                        i += len;
                        items += 1;
                        at = Between::Item;
                        cut = Some((i, at, items));
                    }
                    None => break,
                }
            }
            Between::Closed => {
                return Err(Broken {
                    line,
                    message: format!(
                        "the JSON array is broken here: {} follows the array's closing `]`",
                        shown(&buf[i..])
                    ),
                })
            }
        }
    }
    if eof {
        if i < buf.len() || at != Between::Closed {
            let message = match at {
                Between::Start => {
                    "this is not a JSON array of customer objects: the export is empty".to_string()
                }
                Between::Open | Between::Comma if i < buf.len() => {
                    "the export ends inside this item: a string, `{` or `[` is never closed"
                        .to_string()
                }
                _ => "the export ends before the JSON array's closing `]`".to_string(),
            };
            let line = if i < buf.len() { open_line } else { line };
            return Err(Broken { line, message });
        }
        cut = Some((buf.len(), at, items));
    }
    Ok(Scan { cut, open_line })
}

/// The length of the JSON value at the start of `buf`; `None` when `buf` ends inside it (and
/// more may follow). An error: the byte offset and why.
fn item_end(buf: &[u8], eof: bool) -> Result<Option<usize>, (usize, String)> {
    match buf[0] {
        b'{' | b'[' => {
            // The open brackets as a stack of bits (1: `[`); serde_json reads no deeper.
            let (mut open, mut depth) = (0u128, 0u32);
            let mut i = 0;
            while i < buf.len() {
                match buf[i] {
                    b'"' => match string_end(&buf[i..]) {
                        Some(len) => {
                            i += len;
                            continue;
                        }
                        None => return Ok(None),
                    },
                    b @ (b'{' | b'[') => {
                        if depth == 128 {
                            return Err((
                                i,
                                "the JSON array is broken here: an item nested more than 128 deep"
                                    .to_string(),
                            ));
                        }
                        open = (open << 1) | u128::from(b == b'[');
                        depth += 1;
                    }
                    b @ (b'}' | b']') => {
                        let top = (depth > 0).then_some(if open & 1 == 1 { '[' } else { '{' });
                        let want = if b == b'}' { '{' } else { '[' };
                        if top != Some(want) {
                            return Err((
                                i,
                                format!(
                                    "the JSON array is broken here: a `{}` closes a `{}`",
                                    b as char,
                                    top.unwrap_or('?')
                                ),
                            ));
                        }
                        open >>= 1;
                        depth -= 1;
                        if depth == 0 {
                            return Ok(Some(i + 1));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Ok(None)
        }
        b'"' => Ok(string_end(buf)),
        _ => {
            // A number, `true`, `null`… (not an object: its item is a bad record).
            let end = buf
                .iter()
                .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']' | b'}'));
            match end {
                Some(0) => Err((
                    0,
                    format!(
                        "the JSON array is broken here: {} where an item should be",
                        shown(buf)
                    ),
                )),
                Some(n) => Ok(Some(n)),
                None if eof => Ok(Some(buf.len())),
                None => Ok(None),
            }
        }
    }
}

/// The length of the string at the start of `buf` (its quotes included), if it ends in `buf`.
/// Strings in exports are short: a plain loop beats a search call per string.
fn string_end(buf: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < buf.len() {
        match buf[i] {
            b'"' => return Some(i + 1),
            // An escape: the byte after the backslash is never the string's end.
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// A few bytes from `buf`, for a message.
fn shown(buf: &[u8]) -> String {
    let text = String::from_utf8_lossy(&buf[..buf.len().min(20)]);
    let first: String = text.chars().take(10).collect();
    format!("`{first}`")
}

/// The items of a chunk cut by [`scan`], each with the line it starts on. The chunk holds
/// whole items only, so their ends are found without looking at the commas again.
pub fn items(data: &[u8], first_line: u64) -> Items<'_> {
    Items {
        data,
        at: 0,
        line: first_line,
    }
}

pub struct Items<'a> {
    data: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Iterator for Items<'a> {
    type Item = (u64, &'a [u8]);
    fn next(&mut self) -> Option<(u64, &'a [u8])> {
        loop {
            let b = *self.data.get(self.at)?;
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' | b'[' | b',' | b']' => {}
                0xEF if self.data[self.at..].starts_with(b"\xEF\xBB\xBF") => self.at += 2,
                _ => break,
            }
            self.at += 1;
        }
        let rest = &self.data[self.at..];
        let len = match item_end(rest, true) {
            Ok(Some(len)) => len,
            _ => rest.len(),
        };
        let item = &rest[..len];
        let line = self.line;
        self.line += newlines(item);
        self.at += len;
        Some((line, item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_items(text: &[u8]) -> Vec<(u64, String)> {
        items(text, 1)
            .map(|(l, b)| (l, String::from_utf8_lossy(b).into_owned()))
            .collect()
    }

    #[test]
    fn items_are_cut_whole_with_their_lines() {
        let text = b"\xEF\xBB\xBF[\n  {\"id\": \"A\", \"t\": \"a,]}\\\"\"},\n  {\"id\": [1, {\"x\": 2}]},\n  7, \"s\"\n]\n";
        let got = scan(Between::Start, text, 1, true).expect("sound");
        assert_eq!(got.cut, Some((text.len(), Between::Closed, 4)));
        assert_eq!(
            all_items(text),
            vec![
                (2, "{\"id\": \"A\", \"t\": \"a,]}\\\"\"}".to_string()),
                (3, "{\"id\": [1, {\"x\": 2}]}".to_string()),
                (4, "7".to_string()),
                (4, "\"s\"".to_string()),
            ]
        );
    }

    #[test]
    fn a_cut_falls_after_the_last_whole_item() {
        let text = b"[{\"a\":1},{\"b\":\"x]";
        let got = scan(Between::Start, text, 1, false).expect("sound so far");
        assert_eq!(got.cut, Some((8, Between::Item, 1)));
        // Cut at every length, the pieces agree with one look at the whole.
        let text = b"[ {\"a\":\"\\\\\"}, {\"b\":[1,2]} ,3,\n{\"c\":{}} ]  \n";
        for size in 1..text.len() {
            let (mut at, mut start, mut line, mut found) = (Between::Start, 0, 1, Vec::new());
            let mut end = size.min(text.len());
            loop {
                let eof = end == text.len();
                let s = scan(at, &text[start..end], line, eof).expect("sound");
                match s.cut {
                    Some((cut, next, _)) if cut > 0 => {
                        found.extend(
                            items(&text[start..start + cut], line)
                                .map(|(l, b)| (l, String::from_utf8_lossy(b).into_owned())),
                        );
                        line += newlines(&text[start..start + cut]);
                        start += cut;
                        at = next;
                        if eof && start == text.len() {
                            break;
                        }
                    }
                    _ => end = (end + size).min(text.len()),
                }
            }
            assert_eq!(found, all_items(text), "size {size}");
        }
    }

    #[test]
    fn a_broken_structure_is_named_with_its_line() {
        let cases: [(&[u8], u64, &str); 7] = [
            (b"{\"id\":\"A\"}", 1, "not a JSON array"),
            (b"", 1, "the export is empty"),
            (
                b"[{\"id\":\"A\"}\n{\"id\":\"B\"}]",
                2,
                "a `,` or the closing `]`",
            ),
            (b"[{\"id\":\"A\"},]", 1, "trailing comma"),
            (b"[{\"id\":\"A\"}] x", 1, "follows the array's closing"),
            (b"[{\"id\":\n\"A\"]", 2, "a `]` closes a `{`"),
            (b"[{\"id\":\"A\"},\n{\"id\":\"B", 2, "ends inside this item"),
        ];
        for (text, line, message) in cases {
            let e = scan(Between::Start, text, 1, true).expect_err("broken");
            assert_eq!(e.line, line, "{e:?}");
            assert!(e.message.contains(message), "{e:?}");
        }
        let deep = format!("[{}{}]", "[".repeat(129), "]".repeat(129));
        let e = scan(Between::Start, deep.as_bytes(), 1, true).expect_err("too deep");
        assert!(e.message.contains("nested more than 128 deep"), "{e:?}");
        let deep = format!("[{}{}]", "[".repeat(128), "]".repeat(128));
        assert!(scan(Between::Start, deep.as_bytes(), 1, true).is_ok());
        let e = scan(Between::Start, b"[{\"id\":\"A\"}", 1, true).expect_err("broken");
        assert!(
            e.message.contains("before the JSON array's closing"),
            "{e:?}"
        );
    }
}
