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
        }
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
            self.line += memchr::memchr_iter(b'\n', raw).count() as u64;
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

    #[test]
    fn bare_quote_in_unquoted_field() {
        let got = all(b"a,37.8\"N,b\n");
        assert_eq!(got[0].1, vec!["a", "37.8\"N", "b"]);
    }
}
