//! Splitting a chunk of CSV into records and fields without copying.
//!
//! Most lines of an export hold no quote at all: those are split on the
//! delimiter directly. A record with a quote anywhere is handed to the csv
//! crate, which knows every quoting rule; both paths give the same fields.

/// One record of a chunk: its fields and where it stands.
pub struct Records<'c> {
    data: &'c [u8],
    pos: usize,
    line: u64,
    delimiter: u8,
    /// Fields of a quoted record, parsed by the csv crate.
    quoted: csv::ByteRecord,
    /// Built once per chunk (building one costs far more than reading a record).
    reader: csv::Reader<std::io::Cursor<&'c [u8]>>,
    /// The most line breaks a quoted cell may hold (see [`Runaway`]).
    max_cell_lines: u64,
}

/// The most line breaks a quoted cell holds unless told otherwise (`--max-cell-lines`):
/// addresses and notes have a few; a stray quote makes hundreds.
pub const MAX_CELL_LINES: u64 = 100;

/// A quoted cell that cannot be trusted: the rest of the export is not what it seems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runaway {
    /// The 1-based line its opening quote is on, and the quote's byte in the chunk.
    pub line: u64,
    pub quote: usize,
    /// The line breaks it holds; `None`: the export ends before its closing quote.
    pub lines: Option<u64>,
}

/// Where a record was found, for messages and rejects.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    /// The 1-based line the record starts on.
    pub line: u64,
    /// The record's bytes in the chunk, line break excluded.
    pub start: usize,
    pub end: usize,
}

pub enum Next {
    /// A record; its fields were written to the `fields` vector given.
    Record(Place),
    End,
    /// The csv crate could not read the record.
    Broken(Place, String),
    /// A quoted cell is never closed, or spans too many lines: the rest of the export cannot
    /// be read as meant (an error whatever `--on-error` says).
    Runaway(Place, Runaway),
}

impl<'c> Records<'c> {
    pub fn new(data: &'c [u8], first_line: u64, delimiter: u8) -> Records<'c> {
        Records {
            data,
            pos: 0,
            line: first_line,
            delimiter,
            quoted: csv::ByteRecord::new(),
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(std::io::Cursor::new(data)),
            max_cell_lines: MAX_CELL_LINES,
        }
    }

    /// Sets the most line breaks a quoted cell may hold.
    pub fn max_cell_lines(mut self, lines: u64) -> Records<'c> {
        self.max_cell_lines = lines;
        self
    }

    /// Reads the next record's fields into `fields` (cleared first). Blank lines are skipped.
    pub fn next<'s>(&'s mut self, fields: &mut Vec<&'s [u8]>) -> Next {
        fields.clear();
        loop {
            if self.pos >= self.data.len() {
                return Next::End;
            }
            let start = self.pos;
            let rest = &self.data[start..];
            if !matches!(self.delimiter, b'\n' | b'\r' | b'"') {
                // One pass splits the line, unless a quote comes first (then the csv crate).
                if let Plain::Line { end } = split_plain(rest, self.delimiter, fields) {
                    let mut len = end;
                    if len > 0 && rest[len - 1] == b'\r' {
                        len -= 1;
                        if let Some(last) = fields.last_mut() {
                            *last = &last[..last.len() - 1];
                        }
                    }
                    self.pos = start + end + 1;
                    self.line += 1;
                    if len == 0 {
                        fields.clear();
                        continue;
                    }
                    return Next::Record(Place {
                        line: self.line - 1,
                        start,
                        end: start + len,
                    });
                }
                fields.clear();
            }
            // One pass finds the line's end, or a quote first (then the csv crate takes over).
            let stop = memchr::memchr2(b'\n', b'"', rest).unwrap_or(rest.len());
            if rest.get(stop) != Some(&b'"') {
                let nl = stop;
                let mut line = &rest[..nl];
                if line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                self.pos = start + nl + 1;
                self.line += 1;
                if line.is_empty() {
                    continue;
                }
                let mut from = 0;
                for at in memchr::memchr_iter(self.delimiter, line) {
                    fields.push(&line[from..at]);
                    from = at + 1;
                }
                fields.push(&line[from..]);
                return Next::Record(Place {
                    line: self.line - 1,
                    start,
                    end: start + line.len(),
                });
            }
            // A quoted record, possibly over several lines.
            let mut at = csv::Position::new();
            at.set_byte(start as u64);
            let read = match self.reader.seek(at) {
                Ok(()) => self.reader.read_byte_record(&mut self.quoted),
                Err(e) => Err(e),
            };
            let consumed = (self.reader.position().byte() as usize).saturating_sub(start);
            let raw = &rest[..consumed.min(rest.len())];
            let trimmed = raw.strip_suffix(b"\n").unwrap_or(raw);
            let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
            let place = Place {
                line: self.line,
                start,
                end: start + trimmed.len(),
            };
            let lines = memchr::memchr_iter(b'\n', raw).count() as u64;
            // Only a record that reaches the data's end (the last chunk may end inside quotes)
            // or holds many lines needs the look for a runaway quote.
            if start + raw.len() >= self.data.len() || lines > self.max_cell_lines {
                if let Some((quote, held)) = runaway_quote(raw, self.delimiter, self.max_cell_lines)
                {
                    let runaway = Runaway {
                        line: self.line + memchr::memchr_iter(b'\n', &raw[..quote]).count() as u64,
                        quote: start + quote,
                        lines: held,
                    };
                    self.pos = self.data.len();
                    return Next::Runaway(place, runaway);
                }
            }
            self.line += lines;
            self.pos = start + consumed.max(1);
            return match read {
                Ok(true) => {
                    fields.extend(self.quoted.iter());
                    Next::Record(place)
                }
                Ok(false) => Next::End,
                Err(e) => Next::Broken(place, e.to_string()),
            };
        }
    }
}

/// The first quoted cell of `raw` (one record from its start) that is never closed or holds
/// more than `max_lines` line breaks: its opening quote's index, and `Some(line breaks)` for
/// a long one (`None`: not closed). Quotes are read as the csv crate reads them.
pub fn runaway_quote(raw: &[u8], delimiter: u8, max_lines: u64) -> Option<(usize, Option<u64>)> {
    let mut open = None;
    let mut breaks = 0u64;
    let mut field_start = true;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        match open {
            Some(at) => {
                if b == b'\n' {
                    breaks += 1;
                } else if b == b'"' {
                    if raw.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else if breaks > max_lines {
                        return Some((at, Some(breaks)));
                    } else {
                        open = None;
                    }
                }
            }
            None if b == b'"' && field_start => {
                open = Some(i);
                breaks = 0;
            }
            None => {}
        }
        field_start = open.is_none() && (b == delimiter || b == b'\n' || b == b'\r');
        i += 1;
    }
    match open {
        Some(at) if breaks > max_lines => Some((at, Some(breaks))),
        Some(at) => Some((at, None)),
        None => None,
    }
}

/// What [`split_plain`] found.
enum Plain {
    /// The line's fields are in `fields`; the `\n` is at `end` (or `end` is the data's end).
    Line { end: usize },
    /// A `"` comes before the line's end: the csv crate must read the record.
    Quote,
}

/// Splits the line at the start of `rest` into `fields` in one pass, sixteen bytes at a time
/// on x86-64: a bit mask of the bytes equal to the delimiter, `\n` or `"` per block (SSE2,
/// which every x86-64 has). It replaces a search for the line's end followed by one for each
/// delimiter, which costs a call per field. Other machines take eight bytes at a time.
#[cfg(target_arch = "x86_64")]
fn split_plain<'a>(rest: &'a [u8], delimiter: u8, fields: &mut Vec<&'a [u8]>) -> Plain {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut from = 0;
    let mut at = 0;
    let mut blocks = rest.chunks_exact(16);
    // SAFETY: SSE2 is part of x86-64; each load reads the 16 bytes of one `chunks_exact` block.
    let (delims, newlines, quotes) = unsafe {
        (
            _mm_set1_epi8(delimiter as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'"' as i8),
        )
    };
    for block in blocks.by_ref() {
        let (delimiters, stop) = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let d = _mm_movemask_epi8(_mm_cmpeq_epi8(v, delims)) as u32;
            let s = _mm_movemask_epi8(_mm_or_si128(
                _mm_cmpeq_epi8(v, newlines),
                _mm_cmpeq_epi8(v, quotes),
            )) as u32;
            (d, s)
        };
        let (delimiters, stop) = (u64::from(delimiters), u64::from(stop));
        if let Some(found) = take_block(rest, at, &mut from, delimiters, stop, 1, fields) {
            return found;
        }
        at += 16;
    }
    split_tail(rest, blocks.remainder(), at, from, delimiter, fields)
}

#[cfg(not(target_arch = "x86_64"))]
fn split_plain<'a>(rest: &'a [u8], delimiter: u8, fields: &mut Vec<&'a [u8]>) -> Plain {
    split_plain_swar(rest, delimiter, fields)
}

/// [`split_plain`] eight bytes at a time: a mask of the bytes equal to the delimiter, `\n` or
/// `"` per 64-bit word (SWAR). Compiled on x86-64 too for its tests.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn split_plain_swar<'a>(rest: &'a [u8], delimiter: u8, fields: &mut Vec<&'a [u8]>) -> Plain {
    let mut from = 0;
    let mut at = 0;
    let mut words = rest.chunks_exact(8);
    for word in words.by_ref() {
        let word = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        let stop = equal_bytes(word, b'\n') | equal_bytes(word, b'"');
        let delimiters = equal_bytes(word, delimiter);
        if let Some(found) = take_block(rest, at, &mut from, delimiters, stop, 8, fields) {
            return found;
        }
        at += 8;
    }
    split_tail(rest, words.remainder(), at, from, delimiter, fields)
}

/// The fields a block (starting at `at` in `rest`) ends, read from its masks: bits set for
/// the bytes equal to the delimiter (`delimiters`) and to `\n` or `"` (`stop`), `per_byte`
/// bits to a byte (the mask of byte `i` lies within bits `i * per_byte ..`). Some: the line
/// ends, or a quote comes, in this block.
#[inline(always)]
fn take_block<'a>(
    rest: &'a [u8],
    at: usize,
    from: &mut usize,
    mut delimiters: u64,
    stop: u64,
    per_byte: u32,
    fields: &mut Vec<&'a [u8]>,
) -> Option<Plain> {
    if stop != 0 {
        // Only the delimiters before the first stop.
        delimiters &= (1u64 << stop.trailing_zeros()) - 1;
    }
    while delimiters != 0 {
        let pos = at + (delimiters.trailing_zeros() / per_byte) as usize;
        fields.push(&rest[*from..pos]);
        *from = pos + 1;
        delimiters &= delimiters - 1;
    }
    if stop == 0 {
        return None;
    }
    let pos = at + (stop.trailing_zeros() / per_byte) as usize;
    if rest[pos] == b'"' {
        return Some(Plain::Quote);
    }
    fields.push(&rest[*from..pos]);
    Some(Plain::Line { end: pos })
}

/// The bytes after the last whole block (`tail`, starting at `at` in `rest`), one by one.
fn split_tail<'a>(
    rest: &'a [u8],
    tail: &[u8],
    at: usize,
    mut from: usize,
    delimiter: u8,
    fields: &mut Vec<&'a [u8]>,
) -> Plain {
    for (i, &b) in tail.iter().enumerate() {
        let pos = at + i;
        if b == delimiter {
            fields.push(&rest[from..pos]);
            from = pos + 1;
        } else if b == b'\n' {
            fields.push(&rest[from..pos]);
            return Plain::Line { end: pos };
        } else if b == b'"' {
            return Plain::Quote;
        }
    }
    fields.push(&rest[from..]);
    Plain::Line { end: rest.len() }
}

/// The high bit of each byte of `word` that equals `byte`; no other bits. Exact: the sum
/// `(x & 0x7f) + 0x7f` stays within its byte, so no carry reaches a neighbour.
#[cfg(any(not(target_arch = "x86_64"), test))]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x) & !LOW7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(data, 2, b',');
        let mut out = Vec::new();
        loop {
            let mut fields = Vec::new();
            match records.next(&mut fields) {
                Next::Record(p) => out.push((
                    p.line,
                    fields
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                )),
                Next::End => break,
                Next::Broken(_, e) => panic!("{e}"),
                Next::Runaway(_, r) => panic!("{r:?}"),
            }
        }
        out
    }

    #[test]
    fn plain_and_quoted_records_agree_with_the_csv_crate() {
        let data = b"a,b,c\r\n\n\"x,y\",\"z\"\"\",\"multi\nline\"\nlast,,\n1,2";
        let got = all(data);
        assert_eq!(got[0], (2, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(
            got[1],
            (4, vec!["x,y".into(), "z\"".into(), "multi\nline".into()])
        );
        assert_eq!(got[2], (6, vec!["last".into(), "".into(), "".into()]));
        assert_eq!(got[3], (7, vec!["1".into(), "2".into()]));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&data[..]);
        let want: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.expect("valid").iter().map(String::from).collect())
            .collect();
        assert_eq!(got.into_iter().map(|(_, f)| f).collect::<Vec<_>>(), want);
    }

    /// The one-pass split against the csv crate, on lines of every length around the 16-byte
    /// blocks (8-byte words elsewhere), with fields of every width, CRLF, blank lines, quotes
    /// and a missing last line end.
    #[test]
    fn one_pass_split_agrees_with_the_csv_crate() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for _ in 0..6000 {
            let mut data = Vec::new();
            for _ in 0..next(5) + 1 {
                for f in 0..next(9) + 1 {
                    if f > 0 {
                        data.push(b',');
                    }
                    for _ in 0..next(12) {
                        data.push(b"abcxyz019 ;\t"[next(12) as usize]);
                    }
                    if next(40) == 0 {
                        data.extend_from_slice(b"\"q,\"\"u\"");
                    }
                }
                match next(8) {
                    0 => data.extend_from_slice(b"\r\n"),
                    1 => data.extend_from_slice(b"\n\n"),
                    _ => data.push(b'\n'),
                }
            }
            if next(3) == 0 {
                data.pop();
            }
            let got: Vec<Vec<String>> = all(&data).into_iter().map(|(_, f)| f).collect();
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&data[..]);
            let want: Vec<Vec<String>> = rdr
                .byte_records()
                .map(|r| {
                    r.expect("valid")
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect()
                })
                .collect();
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&data));
        }
    }

    /// Both splits, sixteen and eight bytes at a time, on lines of every length up to 80.
    #[test]
    fn block_and_word_splits_agree() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 81) as usize;
            let line: Vec<u8> = (0..len)
                .map(|i| b"ab,,c\n\";xyz,0"[((state >> (i % 50)) as usize + i * 7) % 13])
                .collect();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let left = match split_plain(&line, b',', &mut a) {
                Plain::Line { end } => Some(end),
                Plain::Quote => None,
            };
            let right = match split_plain_swar(&line, b',', &mut b) {
                Plain::Line { end } => Some(end),
                Plain::Quote => None,
            };
            assert_eq!(left, right, "{:?}", String::from_utf8_lossy(&line));
            if left.is_some() {
                assert_eq!(a, b, "{:?}", String::from_utf8_lossy(&line));
            }
        }
    }

    #[test]
    fn equal_bytes_marks_exactly_the_equal_bytes() {
        for byte in 0..=255u8 {
            for pattern in [0u64, u64::MAX, 0x0080_ff7f_0100_fe81, 0x2c2c_0a22_2c00_0d0a] {
                let mask = equal_bytes(pattern, byte);
                for i in 0..8 {
                    let is = (pattern >> (8 * i)) as u8 == byte;
                    assert_eq!(
                        mask >> (8 * i + 7) & 1 == 1,
                        is,
                        "{byte:#x} in {pattern:#x}"
                    );
                    assert_eq!(mask >> (8 * i) & 0x7f, 0);
                }
            }
        }
    }

    /// Issue 16.1: an unclosed quote swallowed the rest of the chunk as one cell.
    #[test]
    fn an_unclosed_quote_is_a_runaway_naming_its_line() {
        let data = b"C0,a\nC1,\"oops\nC2,x\nC3,y\n";
        let mut records = Records::new(data, 2, b',');
        assert!(matches!(records.next(&mut Vec::new()), Next::Record(_)));
        match records.next(&mut Vec::new()) {
            Next::Runaway(_, r) => {
                assert_eq!((r.line, r.quote, r.lines), (3, 8, None));
            }
            _ => panic!("not a runaway"),
        }
        assert!(matches!(records.next(&mut Vec::new()), Next::End));
    }

    #[test]
    fn a_quoted_cell_over_too_many_lines_is_a_runaway() {
        let cell = "l\n".repeat(5);
        let data = format!("A,\"{cell}\"\nB,\"two\nlines\"\n");
        let mut records = Records::new(data.as_bytes(), 2, b',').max_cell_lines(5);
        assert!(matches!(records.next(&mut Vec::new()), Next::Record(_)));
        assert!(matches!(records.next(&mut Vec::new()), Next::Record(_)));
        let mut records = Records::new(data.as_bytes(), 2, b',').max_cell_lines(4);
        match records.next(&mut Vec::new()) {
            Next::Runaway(_, r) => assert_eq!((r.line, r.quote, r.lines), (2, 2, Some(5))),
            _ => panic!("not a runaway"),
        }
    }

    #[test]
    fn runaway_quotes_follow_the_csv_crate_quoting() {
        assert_eq!(runaway_quote(b"a,\"b\"\"c\",d", b',', 0), None);
        assert_eq!(runaway_quote(b"a,37.8\"N,\"x", b',', 0), Some((9, None)));
        assert_eq!(runaway_quote(b"\"x\ny\"", b',', 1), None);
        assert_eq!(runaway_quote(b"\"x\ny\"", b',', 0), Some((0, Some(1))));
        assert_eq!(runaway_quote(b"a;\"x", b';', 9), Some((2, None)));
    }

    #[test]
    fn bare_quote_in_unquoted_field() {
        let got = all(b"a,37.8\"N,b\n");
        assert_eq!(got[0].1, vec!["a", "37.8\"N", "b"]);
    }
}
