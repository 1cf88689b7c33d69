//! CSV exports: delimiter detection, the header, and cutting the stream into
//! chunks of whole records so that workers can parse them in parallel.
//!
//! A chunk ends after a line break that is outside quotes. Quotes are followed
//! as the csv crate reads them: a `"` opens a quoted field only at the start
//! of a field; inside, `""` is a quote and a lone `"` closes the field.

use std::io::Read;
use std::sync::{Arc, Mutex};

/// Chunks are cut at about this size.
pub const CHUNK_BYTES: usize = 1 << 20;
/// The longest record read; a longer one is an error rather than unbounded memory.
pub const MAX_RECORD_BYTES: usize = 64 << 20;
/// The most columns an export may have.
pub const MAX_COLUMNS: usize = 10_000;

/// Picks the delimiter among `,` `;` and tab: the one that occurs most in the header line outside quotes.
pub fn detect_delimiter(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut inside = false;
    for &b in header_line {
        match b {
            b'"' => inside = !inside,
            b',' if !inside => counts[0] += 1,
            b';' if !inside => counts[1] += 1,
            b'\t' if !inside => counts[2] += 1,
            b'\n' if !inside => break,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// The end (exclusive) of the last whole record in `buf`, which starts at a record start.
pub fn last_record_end(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut inside = false;
    let mut last: Option<usize> = None;
    let mut segment = 0;
    let mut quotes = memchr::memchr_iter(b'"', buf);
    while let Some(q) = quotes.next() {
        if inside {
            match buf.get(q + 1) {
                Some(b'"') => {
                    quotes.next();
                }
                // A quote at the very end: the next byte decides; stop here.
                None => return last,
                Some(_) => {
                    inside = false;
                    segment = q + 1;
                }
            }
        } else {
            if let Some(nl) = memchr::memrchr(b'\n', &buf[segment..q]) {
                last = Some(segment + nl + 1);
            }
            let field_start =
                q == 0 || matches!(buf[q - 1], b'\n' | b'\r') || buf[q - 1] == delimiter;
            inside = field_start;
            segment = q + 1;
        }
    }
    if !inside {
        if let Some(nl) = memchr::memrchr(b'\n', &buf[segment..]) {
            last = Some(segment + nl + 1);
        }
    }
    last
}

/// A run of whole records.
pub struct Chunk {
    pub data: Vec<u8>,
    /// The 1-based line of the chunk's first byte in its file.
    pub first_line: u64,
    /// The byte offset of the chunk in its file.
    pub offset: u64,
    /// A JSON array's chunk: the 1-based number of its first item (0 elsewhere).
    pub first_item: u64,
    /// Where `data`'s buffer goes back to when the chunk is done with.
    pool: Option<Arc<Pool>>,
}

impl Chunk {
    /// Records cut by another reader (an Excel sheet's rows, `xlsx_in.rs`).
    pub fn detached(data: Vec<u8>, first_line: u64, offset: u64) -> Chunk {
        Chunk {
            data,
            first_line,
            offset,
            first_item: 0,
            pool: None,
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if let Some(pool) = &self.pool {
            pool.give(std::mem::take(&mut self.data));
        }
    }
}

/// Chunk buffers handed back by the workers, for the reader to fill again. A fresh megabyte
/// costs page faults and zeroing on every chunk; a reused one is already in memory.
#[derive(Default)]
struct Pool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl Pool {
    /// A handful is enough: about two chunks per thread are in flight.
    const KEEP: usize = 16;

    fn take(&self) -> Option<Vec<u8>> {
        self.free.lock().ok()?.pop()
    }

    fn give(&self, buffer: Vec<u8>) {
        if let Ok(mut free) = self.free.lock() {
            if free.len() < Self::KEEP {
                free.push(buffer);
            }
        }
    }
}

/// Cuts a byte stream into chunks of whole records.
pub struct Chunker<R> {
    reader: R,
    /// Read bytes in `buf[..filled]`; the rest is space already initialised (buffers come back
    /// from the workers at the length they had, so a megabyte is not zeroed again per chunk).
    buf: Vec<u8>,
    filled: usize,
    eof: bool,
    line: u64,
    offset: u64,
    delimiter: u8,
    chunk_bytes: usize,
    /// CSV quotes decide record ends; NDJSON lines have none that matter.
    quotes: bool,
    /// A JSON array: where the last chunk ended, and the items before it.
    json: Option<(crate::data::json_array::Between, u64)>,
    pool: Arc<Pool>,
}

#[derive(Debug)]
pub enum ChunkError {
    Io(std::io::Error),
    /// A record longer than the limit starts at this line.
    TooLong {
        line: u64,
    },
    /// Lines end in a carriage return alone (old Mac files): the header "line" holds records.
    LoneCarriageReturns,
    /// The header opens a quote that the export never closes.
    UnclosedQuote,
    /// A JSON array's structure is broken: it cannot be cut into items.
    Json(crate::data::json_array::Broken),
}

impl<R: Read> Chunker<R> {
    /// `start`: bytes already read (after the header); `line`: the line they start on.
    pub fn new(
        reader: R,
        start: Vec<u8>,
        line: u64,
        offset: u64,
        delimiter: u8,
        chunk_bytes: usize,
    ) -> Chunker<R> {
        Chunker {
            reader,
            filled: start.len(),
            buf: start,
            eof: false,
            line,
            offset,
            delimiter,
            chunk_bytes: chunk_bytes.max(1),
            quotes: true,
            json: None,
            pool: Arc::default(),
        }
    }

    /// Cuts at line breaks only (NDJSON: strings hold no raw line breaks).
    pub fn without_quotes(mut self) -> Chunker<R> {
        self.quotes = false;
        self
    }

    /// Cuts after whole items of a JSON array (the stream starts at the file's start).
    pub fn json_array(mut self) -> Chunker<R> {
        self.json = Some((crate::data::json_array::Between::Start, 0));
        self
    }

    /// Reads until `buf` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while !self.eof && self.filled < want {
            let room = (want - self.filled).max(64 * 1024);
            if self.buf.len() < self.filled + room {
                self.buf.resize(self.filled + room, 0);
            }
            // Only `room`: a larger buffer back from a long record must not make every later
            // chunk as large.
            let space = &mut self.buf[self.filled..self.filled + room];
            let n = loop {
                match self.reader.read(space) {
                    // A reader claiming more than it was given is not believed past the space.
                    Ok(n) => break n.min(space.len()),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.filled += n;
            if n == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// The first `cut` bytes as a chunk; the rest moves to a buffer the workers gave back.
    fn take_chunk(&mut self, cut: usize, first_item: u64) -> Chunk {
        let mut rest = self.pool.take().unwrap_or_default();
        let tail = self.filled - cut;
        if rest.len() < tail {
            rest.resize(tail, 0);
        }
        rest[..tail].copy_from_slice(&self.buf[cut..self.filled]);
        self.filled = tail;
        self.buf.truncate(cut);
        let data = std::mem::replace(&mut self.buf, rest);
        let chunk = Chunk {
            first_line: self.line,
            offset: self.offset,
            first_item,
            data,
            pool: Some(Arc::clone(&self.pool)),
        };
        self.line += memchr::memchr_iter(b'\n', &chunk.data).count() as u64;
        self.offset += chunk.data.len() as u64;
        chunk
    }

    /// A JSON array's next chunk of whole items.
    fn next_json_chunk(
        &mut self,
        at: crate::data::json_array::Between,
        done: u64,
    ) -> Result<Option<Chunk>, ChunkError> {
        use crate::data::json_array::{scan, Between};
        let mut want = self.chunk_bytes;
        loop {
            self.fill(want).map_err(ChunkError::Io)?;
            if self.filled == 0 && at == Between::Closed && self.eof {
                return Ok(None);
            }
            let found = scan(at, &self.buf[..self.filled], self.line, self.eof)
                .map_err(ChunkError::Json)?;
            match found.cut {
                Some((cut, next, items)) if cut > 0 => {
                    self.json = Some((next, done + items));
                    return Ok(Some(self.take_chunk(cut, done + 1)));
                }
                Some(_) if self.eof => return Ok(None),
                _ => {
                    if want >= MAX_RECORD_BYTES {
                        return Err(ChunkError::TooLong {
                            line: found.open_line,
                        });
                    }
                    want = (want * 2).min(MAX_RECORD_BYTES);
                }
            }
        }
    }

    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, ChunkError> {
        if let Some((at, done)) = self.json {
            return self.next_json_chunk(at, done);
        }
        let mut want = self.chunk_bytes;
        loop {
            self.fill(want).map_err(ChunkError::Io)?;
            let read = &self.buf[..self.filled];
            if read.is_empty() {
                return Ok(None);
            }
            let cut = if self.eof && read.len() < want {
                Some(read.len())
            } else if self.quotes {
                last_record_end(read, self.delimiter)
            } else {
                memchr::memrchr(b'\n', read).map(|i| i + 1)
            };
            match cut {
                Some(cut) if cut > 0 => return Ok(Some(self.take_chunk(cut, 0))),
                _ if self.eof => {
                    let mut data = std::mem::take(&mut self.buf);
                    data.truncate(self.filled);
                    self.filled = 0;
                    return Ok(Some(Chunk {
                        first_line: self.line,
                        offset: self.offset,
                        first_item: 0,
                        data,
                        pool: None,
                    }));
                }
                _ => {
                    if want >= MAX_RECORD_BYTES {
                        return Err(ChunkError::TooLong { line: self.line });
                    }
                    want = (want * 2).min(MAX_RECORD_BYTES);
                }
            }
        }
    }
}

/// Reads the header record: returns its cells, the delimiter, and the bytes read past it.
pub struct Header {
    pub columns: Vec<String>,
    pub delimiter: u8,
    /// Bytes after the header, already read.
    pub rest: Vec<u8>,
    /// The line the first record starts on.
    pub next_line: u64,
    /// The byte offset of the first record.
    pub offset: u64,
    /// A header cell that is not valid UTF-8, if any (the column's 1-based number).
    pub invalid_utf8: Option<usize>,
    /// The header line ends in `\n` alone: a `\r` alone in a later line is then no line end
    /// of this file's kind but an old Mac one (see `lone_carriage_return`).
    pub lf_only: bool,
    /// The export looks like UTF-16, which is not read.
    pub utf16: bool,
}

/// Where the header starts: after a byte order mark and any blank lines before it.
fn header_start(buf: &[u8]) -> usize {
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    bom + buf[bom..]
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .count()
}

pub fn read_header<R: Read>(reader: &mut R, delimiter: Option<u8>) -> Result<Header, ChunkError> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    let mut eof = false;
    // The buffer is looked at for the header's end only when a line break has come since the
    // last look, and then when it has doubled: a look scans the whole buffer, so a look per
    // read made a long header quadratic (a 200 MB one-line header took 113 s to reach the
    // record limit).
    let mut look_at = chunk.len();
    let mut newline = false;
    // Read until the first line break outside quotes.
    let end = loop {
        if !eof {
            let n = loop {
                match reader.read(&mut chunk) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(ChunkError::Io(e)),
                }
            };
            eof = n == 0;
            newline |= memchr::memchr(b'\n', &chunk[..n]).is_some();
            buf.extend_from_slice(&chunk[..n]);
        }
        let too_long = buf.len() > MAX_RECORD_BYTES;
        if !eof && !(newline && (too_long || buf.len() >= look_at)) {
            if too_long {
                return Err(ChunkError::TooLong { line: 1 });
            }
            continue;
        }
        newline = false;
        look_at = buf.len().saturating_mul(2);
        let start = header_start(&buf);
        let delim = delimiter.unwrap_or_else(|| detect_delimiter(&buf[start..]));
        if let Some(end) = first_record_end(&buf[start..], delim) {
            if start + end > MAX_RECORD_BYTES {
                return Err(ChunkError::TooLong { line: 1 });
            }
            break start + end;
        }
        if too_long {
            return Err(ChunkError::TooLong { line: 1 });
        }
        if eof {
            break buf.len();
        }
    };
    let start = header_start(&buf[..end]);
    let line_bytes = &buf[start..end];
    // UTF-16 (a byte order mark, or the NUL bytes of its ASCII) is named, not read as bytes.
    let utf16 =
        buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") || line_bytes.contains(&0);
    let delim = delimiter.unwrap_or_else(|| detect_delimiter(line_bytes));
    if super::split::runaway_quote(line_bytes, delim, u64::MAX).is_some() {
        return Err(ChunkError::UnclosedQuote);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(line_bytes);
    let mut record = csv::ByteRecord::new();
    let _ = rdr.read_byte_record(&mut record);
    // The csv crate ends a record at a lone `\r` too; the chunker cuts at `\n` only. More
    // records on the header's line means the file's lines end in `\r` alone: every row would
    // be lost in the header, so that is an error.
    let after = (rdr.position().byte() as usize).min(line_bytes.len());
    if !line_bytes[after..].trim_ascii().is_empty() {
        return Err(ChunkError::LoneCarriageReturns);
    }
    let mut invalid_utf8 = None;
    let columns: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, c)| match std::str::from_utf8(c) {
            Ok(s) => s.to_string(),
            Err(_) => {
                invalid_utf8.get_or_insert(i + 1);
                String::from_utf8_lossy(c).into_owned()
            }
        })
        .collect();
    let lines = memchr::memchr_iter(b'\n', &buf[..end]).count() as u64;
    let lf_only = line_bytes.ends_with(b"\n") && !line_bytes.ends_with(b"\r\n");
    Ok(Header {
        lf_only,
        utf16,
        columns,
        delimiter: delim,
        rest: buf[end..].to_vec(),
        next_line: 1 + lines,
        offset: end as u64,
        invalid_utf8,
    })
}

/// The first `\r` outside quotes in one record (its line end excluded): a line end of the
/// old Mac kind inside what reads as one record. Carriage returns at the record's very end
/// belong to its line end (`\r\r\n`, a CRLF file converted twice, reads as one line end).
pub fn lone_carriage_return(record: &[u8], delimiter: u8) -> Option<usize> {
    let end = record.len() - record.iter().rev().take_while(|&&b| b == b'\r').count();
    let record = &record[..end];
    let first = memchr::memchr(b'\r', record)?;
    if memchr::memchr(b'"', &record[..first]).is_none() {
        return Some(first);
    }
    let mut inside = false;
    let mut field_start = true;
    let mut i = 0;
    while i < record.len() {
        let b = record[i];
        if inside {
            if b == b'"' {
                if record.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    inside = false;
                }
            }
        } else if b == b'"' && field_start {
            inside = true;
        } else if b == b'\r' {
            return Some(i);
        }
        field_start = !inside && (b == delimiter || b == b'\n');
        i += 1;
    }
    None
}

/// The end of the first record (after its line break), if the buffer holds it whole.
fn first_record_end(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut inside = false;
    let mut field_start = true;
    let mut i = 0;
    while i < buf.len() {
        let b = buf[i];
        if inside {
            if b == b'"' {
                if buf.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else if i + 1 == buf.len() {
                    return None;
                } else {
                    inside = false;
                }
            }
        } else if b == b'"' && field_start {
            inside = true;
        } else if b == b'\n' {
            return Some(i + 1);
        }
        field_start = b == delimiter || b == b'\r' || b == b'\n';
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter(b"id;naam;stad\n"), b';');
        assert_eq!(detect_delimiter(b"id,naam\n"), b',');
        assert_eq!(detect_delimiter(b"id\tnaam\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter(b"id\n"), b',');
    }

    #[test]
    fn record_ends_follow_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny\"\nc", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny", b','), None);
        // A bare quote inside an unquoted field is text, not an opening quote.
        assert_eq!(last_record_end(b"a,37.8\"N\nb,c\n", b','), Some(13));
        // Escaped quotes stay inside.
        assert_eq!(last_record_end(b"a,\"x\"\"\ny\"\nz", b','), Some(10));
        assert_eq!(last_record_end(b"a,\"x\"", b','), None);
    }

    /// Hands out a few bytes per read, as a pipe may.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn chunks_hold_exactly_the_bytes_read() {
        // Longer and shorter records one after another, so reused buffers hold stale bytes.
        let data: Vec<u8> = (0..400)
            .flat_map(|i| format!("{i},{}\n", "x".repeat(i * 7 % 90)).into_bytes())
            .collect();
        for (size, step) in [(1, 1000), (100, 7), (1000, 3), (4096, 70_000), (50_000, 1)] {
            let mut chunker = Chunker::new(Trickle(&data, step), b"h,".to_vec(), 2, 0, b',', size);
            let mut all = Vec::new();
            while let Some(c) = chunker.next_chunk().expect("reads") {
                all.extend_from_slice(&c.data);
            }
            assert_eq!(all[..2], *b"h,");
            assert!(all[2..] == data[..], "chunk size {size}, reads of {step}");
        }
    }

    #[test]
    fn a_long_record_does_not_make_later_chunks_long() {
        let mut data = format!("1,{}\n", "x".repeat(500_000)).into_bytes();
        for i in 0..200_000 {
            data.extend_from_slice(format!("{i},short\n").as_bytes());
        }
        let mut chunker = Chunker::new(&data[..], Vec::new(), 2, 0, b',', 10_000);
        let first = chunker.next_chunk().expect("reads").expect("a chunk");
        assert!(first.data.len() > 500_000);
        drop(first);
        let mut all = 0;
        while let Some(c) = chunker.next_chunk().expect("reads") {
            assert!(c.data.len() <= 10_000 + 64 * 1024, "{}", c.data.len());
            all += c.data.len();
        }
        assert!(all > 1_000_000, "{all}");
    }

    #[test]
    fn chunks_split_only_between_records() {
        let data = b"1,\"a\nb\"\n2,c\n3,\"d,\"\"e\"\"\"\n4,f".to_vec();
        for size in 1..data.len() + 2 {
            let mut chunker = Chunker::new(&data[..], Vec::new(), 2, 0, b',', size);
            let mut all = Vec::new();
            while let Some(c) = chunker.next_chunk().expect("reads") {
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(&c.data[..]);
                for r in rdr.records() {
                    all.push(r.expect("valid").get(0).unwrap_or_default().to_string());
                }
            }
            assert_eq!(all, vec!["1", "2", "3", "4"], "chunk size {size}");
        }
    }

    #[test]
    fn header_with_bom_and_crlf() {
        let mut input: &[u8] = b"\xEF\xBB\xBFid;\"na;am\"\r\n1;x\r\n";
        let h = read_header(&mut input, None).expect("reads");
        assert_eq!(h.columns, vec!["id", "na;am"]);
        assert_eq!(h.delimiter, b';');
        assert_eq!(h.rest, b"1;x\r\n");
        assert_eq!(h.next_line, 2);
        assert!(!h.lf_only);
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped() {
        let mut input: &[u8] = b"\xEF\xBB\xBF\n\r\nid,t\nC1,x\n";
        let h = read_header(&mut input, None).expect("reads");
        assert_eq!(h.columns, vec!["id", "t"]);
        assert_eq!(h.next_line, 4);
        assert_eq!(h.rest, b"C1,x\n");
        let mut input: &[u8] = b"\n\n";
        assert!(read_header(&mut input, None)
            .expect("reads")
            .columns
            .iter()
            .all(String::is_empty));
    }

    #[test]
    fn a_header_that_never_closes_its_quote_is_an_error() {
        let mut input: &[u8] = b"id,\"t\nC1,x\nC2,y\n";
        assert!(matches!(
            read_header(&mut input, None),
            Err(ChunkError::UnclosedQuote)
        ));
        let mut input: &[u8] = b"id,t\nC1,x\rC2,y\r";
        assert!(read_header(&mut input, None).expect("reads").lf_only);
    }

    /// Issue 16.7: rows ending in `\r` alone after an LF header were one record.
    #[test]
    fn lone_carriage_returns_are_found_outside_quotes_only() {
        assert_eq!(lone_carriage_return(b"C1,x\rC2,y", b','), Some(4));
        assert_eq!(lone_carriage_return(b"C1,\"x\ry\",z", b','), None);
        assert_eq!(
            lone_carriage_return(b"C1,\"x\"\"\r\",z\rC2", b','),
            Some(11)
        );
        assert_eq!(lone_carriage_return(b"C1,x", b','), None);
        assert_eq!(lone_carriage_return(b"C1,x\r\r", b','), None);
        assert_eq!(lone_carriage_return(b"C1,x\r\rC2,y\r", b','), Some(4));
    }
}
