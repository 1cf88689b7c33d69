//! CSV exports built with quotes, from the fuzzer's bytes (a structured generator): cells
//! quoted or not, with doubled quotes (`""`), the delimiter, and LF, CRLF or CR line breaks
//! inside quotes, LF or CRLF line ends, short and long rows, and at most one stray quote that
//! is never closed. Each export runs through `playbook::runner::run` and must keep the
//! reader's promises:
//!
//! - read = evaluated + rejected; one decision per evaluated row, one rejects record per
//!   rejected row;
//! - no row dropped or merged: the rows read are exactly the records a reference splitter
//!   (below, written from the csv crate's rules as the engine applies them) counts, or the run
//!   stops with an error naming a line; an export without a stray quote always reads;
//! - one thread in one chunk and two threads in 7-byte chunks and 16-byte parts give the same
//!   bytes (decisions, rejects, summary), with `--on-error skip` and `stop`.

use playbook::check::{check, Model, SchemaSource};
use playbook::data::error::DataError;
use playbook::runner::output::OutFormat;
use playbook::runner::{run, Failure, Input, InputFormat, OnError, Options, Sinks, Summary};
use std::sync::OnceLock;

const PLAYBOOK: &str = "playbook \"quotes\"\n\ncustomer {\n  id text key\n  t  text\n  u  text?\n}\n\nrule with_x\n  when t contains \"x\"\n  then a\n\nrule long_u\n  when u contains \",\"\n  then b\n";

/// The export the bytes describe, and whether a stray quote was put in.
pub fn generate(data: &[u8]) -> (Vec<u8>, bool) {
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next();
    let flags = next().unwrap_or(0);
    let crlf = flags & 1 == 1;
    let final_newline = flags & 2 == 0;
    let mut stray_left = flags & 4 == 4;
    let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    out.extend_from_slice(b"id,t,u");
    out.extend_from_slice(end);
    let mut stray = false;
    let mut record = 0u32;
    'records: while let Some(shape) = next() {
        let cells = match shape % 8 {
            0 => 2,
            1 => 4,
            _ => 3,
        };
        for c in 0..cells {
            if c > 0 {
                out.push(b',');
            }
            let Some(kind) = next() else {
                break 'records;
            };
            let len = usize::from(kind >> 4);
            let mut text = Vec::new();
            if c == 0 {
                text.extend_from_slice(format!("C{record}").as_bytes());
            }
            for _ in 0..len {
                let b = next().unwrap_or(0);
                text.extend_from_slice(match b % 16 {
                    0 => b"x",
                    1 => b"\xc3\xa9",
                    2 => b" ",
                    3..=9 => std::slice::from_ref(
                        &[b'a', b'b', b'c', b'1', b'2', b'X', b'z'][usize::from(b % 16 - 3)],
                    ),
                    10 => b"\"",
                    11 => b",",
                    12 => b"\n",
                    13 => b"\r\n",
                    14 => b"\r",
                    _ => b"q",
                });
            }
            let special = text
                .iter()
                .any(|b| matches!(b, b'"' | b',' | b'\n' | b'\r'));
            match kind % 16 {
                // A stray quote: at the start of an unquoted cell, or inside one.
                0 | 1 if stray_left => {
                    stray_left = false;
                    stray = true;
                    let clean: Vec<u8> = text
                        .into_iter()
                        .filter(|b| !matches!(b, b'"' | b',' | b'\n' | b'\r'))
                        .collect();
                    let at = if kind % 16 == 0 { 0 } else { clean.len() / 2 };
                    out.extend_from_slice(&clean[..at]);
                    out.push(b'"');
                    out.extend_from_slice(&clean[at..]);
                }
                // Quoted, as a writer quotes: inner quotes doubled.
                k if special || k < 8 => {
                    out.push(b'"');
                    for b in text {
                        if b == b'"' {
                            out.push(b'"');
                        }
                        out.push(b);
                    }
                    out.push(b'"');
                }
                _ => out.extend_from_slice(&text),
            }
        }
        out.extend_from_slice(end);
        record += 1;
    }
    if !final_newline && out.ends_with(end) && record > 0 {
        out.truncate(out.len() - end.len());
    }
    (out, stray)
}

/// The records after the header, as the engine cuts them: a line with no quote before its
/// line feed is one record (a `\r` before the `\n` dropped; an empty line skipped); from a
/// line with a quote, the csv crate's rules: a quote opens a cell only at its start, `""`
/// inside is a quote, after the closing quote other bytes are text, and outside quotes a `\r`
/// or `\n` ends the record. `None` when a quoted cell is never closed.
pub fn reference_records(body: &[u8]) -> Option<u64> {
    let mut pos = 0;
    let mut count = 0;
    while pos < body.len() {
        let rest = &body[pos..];
        let stop = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'"')
            .unwrap_or(rest.len());
        if rest.get(stop) != Some(&b'"') {
            let mut line = &rest[..stop];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if !line.is_empty() {
                count += 1;
            }
            pos += stop + 1;
            continue;
        }
        // The csv crate: line ends before the record are skipped.
        let mut i = 0;
        while i < rest.len() && matches!(rest[i], b'\r' | b'\n') {
            i += 1;
        }
        #[derive(PartialEq)]
        enum S {
            Start,
            Field,
            Quoted,
            QuoteInQuoted,
        }
        let mut s = S::Start;
        let mut ended = false;
        while i < rest.len() {
            let b = rest[i];
            i += 1;
            s = match s {
                S::Start | S::Field | S::QuoteInQuoted if matches!(b, b'\r' | b'\n') => {
                    ended = true;
                    break;
                }
                S::Start if b == b'"' => S::Quoted,
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                S::Start | S::Field | S::QuoteInQuoted if b == b',' => S::Start,
                S::Start | S::Field | S::QuoteInQuoted => S::Field,
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => S::Quoted,
            };
        }
        if !ended && s == S::Quoted {
            return None;
        }
        // `\r\n` ends a record as one line end.
        if ended && rest[i - 1] == b'\r' && rest.get(i) == Some(&b'\n') {
            i += 1;
        }
        count += 1;
        pos += i;
    }
    Some(count)
}

#[derive(Debug, PartialEq)]
enum Ended {
    Ok(Summary),
    Data(DataError),
}

struct Outcome {
    ended: Ended,
    decisions: Vec<u8>,
    rejects: Vec<u8>,
}

fn eval(model: &Model, export: &[u8], on_error: OnError, tiny: bool) -> Outcome {
    let mut decisions = Vec::new();
    let mut rejects = Vec::new();
    let mut on_reject = |_: &DataError| panic!("with a rejects file, no row is reported elsewhere");
    let options = Options {
        as_of: playbook::dates::days_from_civil(2026, 12, 7),
        threads: if tiny { 2 } else { 1 },
        chunk_bytes: if tiny { 7 } else { 1 << 20 },
        part_bytes: if tiny {
            16
        } else {
            playbook::runner::PART_BYTES
        },
        on_error,
        out_format: OutFormat::Ndjson,
        ..Options::default()
    };
    let input = Input {
        name: "quotes.csv".to_string(),
        format: InputFormat::Csv,
        reader: Box::new(std::io::Cursor::new(export.to_vec())),
    };
    let result = run(
        model,
        vec![input],
        &options,
        Sinks {
            decisions: &mut decisions,
            rejects: (on_error == OnError::Skip)
                .then_some(&mut rejects as &mut (dyn std::io::Write + Send)),
            on_reject: &mut on_reject,
        },
    );
    let ended = match result {
        Ok(summary) => Ended::Ok(summary),
        Err(Failure::Data(e)) => {
            std::hint::black_box(e.render(false));
            Ended::Data(*e)
        }
        Err(Failure::Columns { .. }) => panic!("the header always has the playbook's columns"),
        Err(Failure::Output(e)) => panic!("writing to memory failed: {e}"),
    };
    Outcome {
        ended,
        decisions,
        rejects,
    }
}

/// The property, for one input: panics when it does not hold.
pub fn holds(data: &[u8]) {
    static MODEL: OnceLock<Model> = OnceLock::new();
    let model = MODEL.get_or_init(|| {
        let parsed = playbook::syntax::parse(PLAYBOOK);
        assert!(parsed.diagnostics.is_empty(), "the playbook parses");
        check(&parsed.playbook, PLAYBOOK, SchemaSource::File)
            .model
            .expect("the playbook checks")
    });
    let (export, stray) = generate(data);
    let header_end = export
        .iter()
        .position(|&b| b == b'\n')
        .map_or(export.len(), |i| i + 1);
    let expected = reference_records(&export[header_end..]);

    let a = eval(model, &export, OnError::Skip, false);
    let b = eval(model, &export, OnError::Skip, true);
    assert_eq!(
        a.ended, b.ended,
        "skip: the outcome depends on threads/chunks"
    );
    assert!(
        a.decisions == b.decisions,
        "the decisions depend on threads/chunks"
    );
    assert!(
        a.rejects == b.rejects,
        "the rejects depend on threads/chunks"
    );
    match &a.ended {
        Ended::Ok(summary) => {
            assert_eq!(
                summary.read,
                summary.evaluated + summary.rejected,
                "a row was lost: {summary:?}"
            );
            assert_eq!(
                Some(summary.read),
                expected,
                "rows read differ from the records in the export"
            );
            let decisions = a.decisions.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(
                decisions, summary.evaluated,
                "one decision per evaluated row"
            );
            let rejected = csv::ReaderBuilder::new()
                .from_reader(&a.rejects[..])
                .byte_records()
                .count() as u64;
            assert_eq!(
                rejected, summary.rejected,
                "one rejects record per rejected row"
            );
        }
        Ended::Data(e) => {
            assert!(stray, "an export without a stray quote reads: {e:?}");
            assert!(e.line.is_some(), "the error names a line: {e:?}");
        }
    }
    let c = eval(model, &export, OnError::Stop, false);
    let d = eval(model, &export, OnError::Stop, true);
    assert_eq!(
        c.ended, d.ended,
        "stop: the outcome depends on threads/chunks"
    );
    assert!(
        c.decisions == d.decisions,
        "stop: the decisions depend on threads/chunks"
    );
    if let Ended::Data(e) = &c.ended {
        assert!(e.line.is_some(), "the error names a line: {e:?}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reference_counts_records() {
        use super::reference_records as r;
        assert_eq!(r(b"a,b\n\"c\nd\",e\r\n\n"), Some(2));
        assert_eq!(r(b"\"a\"\"\rb\",c"), Some(1));
        assert_eq!(r(b"a,\"b"), None);
        assert_eq!(r(b"a\"b,c\nd\n"), Some(2));
    }
}
