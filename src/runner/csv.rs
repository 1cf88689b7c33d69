//! The CSV path: header checks, chunks split into records, each record read and decided.

use crate::data::csv_in::{
    lone_carriage_return, read_header, ChunkError, Chunker, Header, MAX_COLUMNS,
};
use crate::data::error::DataError;
use crate::data::rows::{csv_row, field_range, CellError};
use crate::data::split::{Next, Records, Runaway};
use crate::eval::program::Program;
use crate::eval::Outcome;
use crate::row::{Binding, Cell, Row};
use crate::runner::output::Writer;

use super::done::{reject, Done};
use super::ids::hash_id;
use super::rows::{bind_to, decide, recycle, warn_near_columns};
use super::schedule::{drive, Emit};
use super::{Failure, Input, Options, Out, Stats};
use std::sync::atomic::Ordering;

/// Reads and decides one CSV export, its header bound to the program.
pub(super) fn run_csv(
    program: &Program,
    mut input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Stats, Failure> {
    let file = input.name.clone();
    let header: Header =
        read_header(&mut input.reader, options.delimiter).map_err(|e| chunk_failure(&file, e))?;
    // Blank lines before the header were skipped; a header of white space alone, with
    // nothing after it, is no header.
    if header.columns.is_empty()
        || (header.columns.iter().all(|c| c.trim().is_empty())
            && header.rest.iter().all(u8::is_ascii_whitespace))
    {
        return Err(Failure::Data(Box::new(
            DataError::new(&file, "the export is empty: it has no header row")
                .help("an export starts with a header row naming its columns"),
        )));
    }
    if header.utf16 {
        return Err(Failure::Data(Box::new(
            DataError::new(&file, "the export is in UTF-16, which is not read")
                .at_line(1)
                .help("save it as UTF-8 (in Excel: \"CSV UTF-8\"), or convert it: iconv -f UTF-16 -t UTF-8"),
        )));
    }
    if let Some(col) = header.invalid_utf8 {
        return Err(Failure::Data(Box::new(
            DataError::new(
                &file,
                format!("the header's column {col} is not valid UTF-8"),
            )
            .at_line(1)
            .help("the export may be in Windows-1252 or Latin-1: save it as UTF-8, or pass --encoding windows-1252"),
        )));
    }
    if header.columns.len() > MAX_COLUMNS {
        return Err(Failure::Data(Box::new(DataError::new(
            &file,
            format!(
                "the export has {} columns; at most {MAX_COLUMNS} are read",
                header.columns.len()
            ),
        ))));
    }
    warn_near_columns(program, &header.columns, true, options);
    let binding = bind_to(program, &file, &header.columns)?;
    let writer = Writer::new(program, options.out_format, options.csv_dialect);
    if !out.wrote_start {
        out.decisions
            .write_all(&writer.start())
            .map_err(Failure::Output)?;
        out.wrote_start = true;
    }
    duplicate_column(&file, &binding, &header.columns)?;
    let columns = header.columns.clone();
    let delimiter = header.delimiter;
    let lf_only = header.lf_only;
    if let Some(p) = &options.progress {
        p.fetch_add(header.offset, Ordering::Relaxed);
    }
    let mut chunker = Chunker::new(
        input.reader,
        header.rest,
        header.next_line,
        header.offset,
        delimiter,
        options.chunk_bytes,
    );
    let job = |chunk: &crate::data::csv_in::Chunk, emit: Emit<'_>| -> Done {
        let csv = Csv {
            binding: &binding,
            header: &columns,
            delimiter,
            lf_only,
        };
        csv_chunk(program, &writer, &file, chunk, &csv, options, emit)
    };
    let next = || chunker.next_chunk();
    let stats = drive(program, options, out, next, job, &file)?;
    Ok(stats)
}

pub(super) fn chunk_failure(file: &str, e: ChunkError) -> Failure {
    match e {
        ChunkError::Io(e) => Failure::Data(Box::new(DataError::new(file, format!("cannot read the export: {e}")))),
        ChunkError::LoneCarriageReturns => Failure::Data(Box::new(
            DataError::new(file, "the lines of this export end in a carriage return alone (an old Mac format), so it reads as one line")
                .at_line(1)
                .help("save it with Windows (CRLF) or Unix (LF) line ends"),
        )),
        ChunkError::UnclosedQuote => Failure::Data(Box::new(
            DataError::new(file, "the header opens a quote that is never closed: the whole export would be read as its header")
                .at_line(1)
                .help("a `\"` inside a column name must be doubled (`\"\"`); fix the quotes of the header"),
        )),
        ChunkError::Json(broken) => Failure::Data(Box::new(
            DataError::new(file, broken.message)
                .at_line(broken.line)
                .help("a JSON export is `[{\"id\": \"C1\", …}, …]`; for one object per line use .ndjson"),
        )),
        ChunkError::TooLong { line } => Failure::Data(Box::new(
            DataError::new(file, format!("a record longer than {} MiB starts here", crate::data::csv_in::MAX_RECORD_BYTES >> 20))
                .at_line(line)
                .help("a quote that is never closed makes the rest of the file one record: check this row's quotes"),
        )),
    }
}

/// What the header told about a CSV export.
pub(super) struct Csv<'h> {
    pub(super) binding: &'h Binding,
    pub(super) header: &'h [String],
    pub(super) delimiter: u8,
    pub(super) lf_only: bool,
}

/// Decides every record of a CSV chunk.
pub(super) fn csv_chunk(
    program: &Program,
    writer: &Writer,
    file: &str,
    chunk: &crate::data::csv_in::Chunk,
    csv: &Csv<'_>,
    options: &Options,
    emit: Emit<'_>,
) -> Done {
    let (header, delimiter) = (csv.header, csv.delimiter);
    let columns = header.len();
    // A `\r` that is not part of a CRLF is rare: only in a chunk that has one is each record
    // looked at for one (a CRLF file's records hold none once their line end is cut off).
    let data = &chunk.data;
    let lone_cr = memchr::memchr_iter(b'\r', data).any(|at| data.get(at + 1) != Some(&b'\n'));
    let mut done = Done::new(program);
    done.output
        .reserve((chunk.data.len() / 2).min(options.part_bytes));
    let mut records = Records::new(&chunk.data, chunk.first_line, delimiter)
        .max_cell_lines(options.max_cell_lines);
    let mut outcome = Outcome::default();
    let mut cells_store: Vec<Cell<'static>> = Vec::with_capacity(program.slots.len());
    let mut fields_store: Vec<&'static [u8]> = Vec::with_capacity(columns);
    let numbers = crate::row::parse::Numbers::new(program.decimal_comma, delimiter);
    loop {
        if done.is_full(options) && !emit(std::mem::replace(&mut done, Done::new(program))) {
            break;
        }
        let mut fields = recycle_fields(std::mem::take(&mut fields_store));
        let place = match records.next(&mut fields) {
            Next::End => break,
            Next::Record(place) => place,
            Next::Runaway(_, runaway) => {
                done.stats.read += 1;
                done.error = Some(runaway_error(file, &chunk.data, runaway, options));
                break;
            }
            Next::Broken(place, why) => {
                done.stats.read += 1;
                let error = DataError::new(file, format!("this row cannot be read as CSV: {why}"))
                    .at_line(place.line);
                reject(
                    &mut done,
                    error,
                    &chunk.data[place.start..place.end],
                    options,
                );
                if done.error.is_some() {
                    break;
                }
                continue;
            }
        };
        done.stats.read += 1;
        if lone_cr {
            let raw = &chunk.data[place.start..place.end];
            if let Some(at) = lone_carriage_return(raw, delimiter) {
                done.error = Some(lone_cr_error(file, place.line, raw, at, csv.lf_only));
                break;
            }
        }
        let mut cells = recycle(std::mem::take(&mut cells_store));
        match csv_row(csv.binding, &fields, columns, numbers, &mut cells) {
            Ok(id) => {
                let row = Row { id, cells: &cells };
                decide(program, &row, options, &mut outcome, &mut done.stats);
                done.stats.count(program, &outcome);
                done.hashes.push(hash_id(id));
                writer.decision(&mut done.output, program, &row, &outcome, !done.any);
                done.any = true;
                done.explain(program, options, &row, || {
                    format!("line {} of {file}", place.line)
                });
            }
            Err(cell) => {
                let raw = &chunk.data[place.start..place.end];
                let error = row_error(file, place.line, raw, delimiter, &cell, header);
                done.explain_rejected(options, fields.get(csv.binding.key_column).copied(), &error);
                reject(&mut done, error, raw, options);
                if done.error.is_some() {
                    break;
                }
            }
        }
        cells_store = recycle(cells);
        fields_store = recycle_fields(fields);
    }
    done
}

pub(super) fn recycle_fields<'b>(mut v: Vec<&[u8]>) -> Vec<&'b [u8]> {
    v.clear();
    v.into_iter().map(|_| &[][..]).collect()
}

pub(super) fn row_error(
    file: &str,
    line: u64,
    raw: &[u8],
    delimiter: u8,
    cell: &CellError,
    header: &[String],
) -> DataError {
    let text = String::from_utf8_lossy(raw).into_owned();
    let range = cell.column.and_then(|c| field_range(raw, delimiter, c));
    let column_name = cell.column.map(|c| match header.get(c) {
        Some(h) if !h.trim().is_empty() => h.clone(),
        _ => format!("column {}", c + 1),
    });
    // `;;;;;;` below the data: a spreadsheet's empty row, which the marketer cannot see in
    // Excel. Said as such (it is still an error: `playbook sql` reads the same file the same way).
    let empty_row = raw
        .iter()
        .all(|&b| b == delimiter || matches!(b, b' ' | b'\t' | b'"'));
    let message = if empty_row {
        format!(
            "{}; the whole row is empty (a spreadsheet leaves such rows below the data): delete it, or pass --on-error skip",
            cell.message
        )
    } else {
        cell.message.clone()
    };
    let mut error = DataError::new(file, message).at_line(line);
    error.column = column_name;
    // Byte offsets in the lossy text match the raw bytes up to the first invalid byte.
    error.record = Some((text, range));
    error
}

/// A `\r` alone inside a record of an LF file: the rows it ends would be one record, so the
/// export is refused (in both `--on-error` modes) rather than read wrong.
pub(super) fn lone_cr_error(
    file: &str,
    line: u64,
    raw: &[u8],
    at: usize,
    lf_only: bool,
) -> DataError {
    let shown = &raw[..raw.len().min(at + 80)];
    // The carriage returns shown as spaces, so that the offsets still point at the cell.
    let text = String::from_utf8_lossy(shown).replace('\r', " ");
    let header_end = if lf_only {
        "a line feed"
    } else {
        "a carriage return and a line feed (CRLF)"
    };
    let mut error = DataError::new(
        file,
        format!("this line holds a carriage return alone (an old Mac line end), and the header's line ends in {header_end}: the rows on this line would be read as one"),
    )
    .at_line(line)
    .help("save the export with Windows (CRLF) or Unix (LF) line ends throughout");
    error.record = Some((text, Some(at..at + 1)));
    error
}

/// A column the program reads that the header names twice: which is meant cannot be told.
pub(super) fn duplicate_column(
    file: &str,
    binding: &Binding,
    columns: &[String],
) -> Result<(), Failure> {
    for c in binding.read_columns() {
        let name = columns[c].trim();
        let places: Vec<String> = (columns.iter().enumerate())
            .filter(|(_, h)| h.trim() == name)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if places.len() > 1 {
            return Err(Failure::Data(Box::new(
                DataError::new(
                    file,
                    format!(
                        "the header has the column `{name}` more than once (columns {}), and the playbook reads it",
                        places.join(", ")
                    ),
                )
                .at_line(1)
                .help("rename or remove the extra column, so that each column the playbook reads has one name"),
            )));
        }
    }
    Ok(())
}

/// A quoted cell that is never closed or too long: where its quote opens, with that line.
pub(super) fn runaway_error(file: &str, data: &[u8], r: Runaway, options: &Options) -> DataError {
    let line_start = memchr::memrchr(b'\n', &data[..r.quote]).map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &data[r.quote..]).map_or(data.len(), |i| r.quote + i);
    // At most a few hundred bytes of the line: the error must not echo a huge record.
    let end = line_end.min(r.quote + 200).max(r.quote + 1).min(data.len());
    let start = line_start.max(r.quote.saturating_sub(200));
    let text = String::from_utf8_lossy(&data[start..end])
        .trim_end_matches('\r')
        .to_string();
    let quote = r.quote - start;
    let (message, help) = match r.lines {
        None => (
            "a quoted cell opens here and the export ends before its closing quote: every row after it would be read as part of this cell".to_string(),
            "a `\"` inside a cell must be doubled (`\"\"`), or the cell written without quotes; fix the quotes on this line".to_string(),
        ),
        Some(n) => (
            format!("a quoted cell opens here and holds {n} line breaks, more than the {} allowed: a stray quote would make the rows after it one cell", options.max_cell_lines),
            "fix the quotes on this line; if the cell really holds that many lines, raise the limit with --max-cell-lines".to_string(),
        ),
    };
    let mut error = DataError::new(file, message).at_line(r.line).help(help);
    error.record = Some((text, Some(quote..quote + 1)));
    error
}
