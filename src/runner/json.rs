//! The JSON paths: a JSON array read item by item and NDJSON line by line, each object
//! read by the keys the program binds, and decided.

use super::csv::chunk_failure;
use super::done::{reject, Done};
use super::ids::hash_id;
use super::rows::{bind_to, decide, recycle, warn_near_columns};
use super::schedule::{drive, Emit};
use super::{write_start, Failure, Input, InputFormat, Options, Out, Stats};
use crate::data::csv_in::{ChunkError, Chunker};
use crate::data::error::DataError;
use crate::data::json_in::json_header;
use crate::data::json_in::{parse_object, JsonCell, KeyOrder};
use crate::data::rows::{json_cells, json_index, json_prepare};
use crate::eval::program::Program;
use crate::eval::Outcome;
use crate::row::{Binding, Cell, Row};
use crate::runner::output::Writer;
use std::io::Read;

/// Reads and decides one JSON array or NDJSON export.
pub(super) fn run_json(
    program: &Program,
    input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Stats, Failure> {
    match input.format {
        InputFormat::Json => run_array(program, input, options, out),
        _ => run_ndjson(program, input, options, out),
    }
}

/// A JSON array, read item by item in chunks, as NDJSON is read line by line.
fn run_array(
    program: &Program,
    input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Stats, Failure> {
    let file = input.name.clone();
    // Read item by item, in chunks, as NDJSON is read line by line.
    let mut chunker =
        Chunker::new(input.reader, Vec::new(), 1, 0, b',', options.chunk_bytes).json_array();
    let mut first = chunker.next_chunk().map_err(|e| chunk_failure(&file, e))?;
    let keys = first
        .as_ref()
        .and_then(|c| crate::data::json_array::items(&c.data, c.first_line).next())
        .map(|(_, item)| object_keys(item))
        .unwrap_or_default();
    let (binding, header, index) = json_binding(program, &file, keys, options)?;
    let writer = Writer::new(program, options.out_format, options.csv_dialect);
    write_start(out, &writer)?;
    let ctx = JsonContext {
        program,
        binding: &binding,
        writer: &writer,
        header: &header,
        index: &index,
        file: &file,
        options,
    };
    let job = |chunk: &crate::data::csv_in::Chunk, emit: Emit<'_>| -> Done {
        let items = crate::data::json_array::items(&chunk.data, chunk.first_line);
        let records = (chunk.first_item..)
            .zip(items)
            .map(|(item, (line, bytes))| JsonRecord {
                bytes,
                line: Some(line),
                item,
            });
        json_chunk(&ctx, records, emit)
    };
    let next = || match first.take() {
        Some(chunk) => Ok(Some(chunk)),
        None => chunker.next_chunk(),
    };
    let stats = drive(program, options, out, next, job, &file)?;
    Ok(stats)
}

/// NDJSON: the first object's keys are the columns; the rest is read in chunks of lines.
fn run_ndjson(
    program: &Program,
    mut input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Stats, Failure> {
    let file = input.name.clone();
    let mut buf = first_line(&mut input, &file)?;
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let rest = buf.split_off(bom);
    // Nothing but white space: as empty as a CSV without a header (the loop above read to
    // the end, as no line was found).
    if rest.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::Data(Box::new(
            DataError::new(&file, "the export is empty: it has no records")
                .help("an NDJSON export has one customer object per line: {\"id\": \"C1\", …}"),
        )));
    }
    let keys = rest
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(object_keys)
        .unwrap_or_default();
    let (binding, header, index) = json_binding(program, &file, keys, options)?;
    let writer = Writer::new(program, options.out_format, options.csv_dialect);
    write_start(out, &writer)?;
    let mut chunker = Chunker::new(
        input.reader,
        rest,
        1,
        bom as u64,
        b'\n',
        options.chunk_bytes,
    )
    .without_quotes();
    let ctx = JsonContext {
        program,
        binding: &binding,
        writer: &writer,
        header: &header,
        index: &index,
        file: &file,
        options,
    };
    let job = |chunk: &crate::data::csv_in::Chunk, emit: Emit<'_>| -> Done {
        let data = &chunk.data[..];
        let mut start = 0;
        let lines = memchr::memchr_iter(b'\n', data)
            .chain(std::iter::once(data.len()))
            .map(move |end| {
                let line = &data[start..end];
                start = end + 1;
                line
            });
        let records = (chunk.first_line..)
            .zip(lines)
            // Blank lines are skipped; only a line starting with white space needs a full look.
            .filter(|(_, line)| {
                !(line.first().is_none_or(u8::is_ascii_whitespace)
                    && line.iter().all(u8::is_ascii_whitespace))
            })
            .map(|(line, bytes)| JsonRecord {
                bytes,
                line: Some(line),
                item: 0,
            });
        json_chunk(&ctx, records, emit)
    };
    let next = || chunker.next_chunk();
    let stats = drive(program, options, out, next, job, &file)?;
    Ok(stats)
}

/// The start of an NDJSON export up to the end of its first line that is not blank (or the
/// whole export, when it has none), BOM included.
fn first_line(input: &mut Input, file: &str) -> Result<Vec<u8>, Failure> {
    let read_failure = |e: std::io::Error| {
        Failure::Data(Box::new(DataError::new(
            file,
            format!("cannot read the export: {e}"),
        )))
    };
    let mut buf = Vec::new();
    let mut block = vec![0u8; 64 * 1024];
    // Looked at each time the buffer has doubled (a look per read was quadratic in a long
    // first line), and no further than the record limit.
    let mut look_at = block.len();
    loop {
        let n = input.reader.read(&mut block).map_err(read_failure)?;
        buf.extend_from_slice(&block[..n]);
        let too_long = buf.len() > crate::data::csv_in::MAX_RECORD_BYTES;
        if n != 0 && !too_long && buf.len() < look_at {
            continue;
        }
        look_at = buf.len().saturating_mul(2);
        let text = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
        let first = text
            .split_inclusive(|&b| b == b'\n')
            .enumerate()
            .find(|(_, l)| !l.iter().all(u8::is_ascii_whitespace));
        let first_line_done = first.is_some_and(|(_, l)| l.ends_with(b"\n"));
        let first_too_long =
            first.is_some_and(|(_, l)| l.len() > crate::data::csv_in::MAX_RECORD_BYTES);
        if too_long && (!first_line_done || first_too_long) {
            let line = first.map_or(1, |(i, _)| i as u64 + 1);
            return Err(chunk_failure(file, ChunkError::TooLong { line }));
        }
        if n == 0 || first_line_done {
            break;
        }
    }
    Ok(buf)
}

/// The keys of a JSON object (empty when it is not one).
pub(super) fn object_keys(bytes: &[u8]) -> Vec<String> {
    serde_json::from_slice::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(bytes)
        .map(|m| m.into_keys().collect())
        .unwrap_or_default()
}

/// Binds the program to a JSON export whose first record has these keys (see
/// [`json_header`]): the binding, the header and the index of the keys it reads.
pub(super) fn json_binding(
    program: &Program,
    file: &str,
    first_keys: Vec<String>,
    options: &Options,
) -> Result<(Binding, Vec<String>, crate::data::json_in::ColumnIndex), Failure> {
    // The first record's own keys: the optional columns added to the header would hide a
    // near miss.
    warn_near_columns(program, &first_keys, false, options);
    let header = json_header(first_keys, &program.slots);
    let binding = bind_to(program, file, &header)?;
    let index = json_index(&binding, &header);
    Ok((binding, header, index))
}

/// One JSON object and where it stands: an NDJSON line, or an item of an array.
pub(super) struct JsonRecord<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) line: Option<u64>,
    pub(super) item: u64,
}

/// Buffers reused from record to record (their lifetimes are reset each time).
#[derive(Default)]
pub(super) struct JsonStores {
    pub(super) values: Vec<JsonCell<'static>>,
    pub(super) cells: Vec<Cell<'static>>,
    pub(super) order: KeyOrder,
}

/// What deciding a JSON record needs besides the record.
pub(super) struct JsonContext<'c> {
    pub(super) program: &'c Program,
    pub(super) binding: &'c Binding,
    pub(super) writer: &'c Writer,
    pub(super) header: &'c [String],
    pub(super) index: &'c crate::data::json_in::ColumnIndex,
    pub(super) file: &'c str,
    pub(super) options: &'c Options,
}

/// Decides one chunk's JSON records (array items or NDJSON lines) into a `Done`, handing each
/// full part to `emit`; stops at the first bad record.
pub(super) fn json_chunk<'r>(
    ctx: &JsonContext<'_>,
    records: impl Iterator<Item = JsonRecord<'r>>,
    emit: Emit<'_>,
) -> Done {
    let mut done = Done::new(ctx.program);
    let mut stores = JsonStores::default();
    let mut outcome = Outcome::default();
    for record in records {
        if done.is_full(ctx.options) && !emit(std::mem::replace(&mut done, Done::new(ctx.program)))
        {
            break;
        }
        json_record(ctx, record, &mut done, &mut outcome, &mut stores);
        if done.error.is_some() {
            break;
        }
    }
    done
}

/// Decides one JSON record, or rejects it.
pub(super) fn json_record(
    ctx: &JsonContext<'_>,
    record: JsonRecord<'_>,
    done: &mut Done,
    outcome: &mut Outcome,
    stores: &mut JsonStores,
) {
    let (program, binding, writer) = (ctx.program, ctx.binding, ctx.writer);
    let (header, index, file, options) = (ctx.header, ctx.index, ctx.file, ctx.options);
    done.stats.read += 1;
    let mut values = recycle_values(std::mem::take(&mut stores.values));
    let mut cells = recycle(std::mem::take(&mut stores.cells));
    let failure = match parse_object(
        record.bytes,
        index,
        header.len(),
        &mut values,
        &mut stores.order,
    ) {
        Err(e) => Some((
            None,
            format!("this is not a JSON object of one customer: {e}"),
            Some("each customer is an object: {\"id\": \"C1\", …}".to_string()),
        )),
        Ok(()) => {
            json_prepare(binding, &mut values);
            match json_cells(binding, &values, program.decimal_comma, &mut cells) {
                Ok(id) => {
                    let row = Row { id, cells: &cells };
                    decide(program, &row, options, outcome, &mut done.stats);
                    done.stats.count(program, outcome);
                    done.hashes.push(hash_id(id));
                    writer.decision(&mut done.output, program, &row, outcome, !done.any);
                    done.any = true;
                    done.explain(program, options, &row, || match record.line {
                        Some(line) if record.item > 0 => {
                            format!("item {} of {file} (line {line})", record.item)
                        }
                        Some(line) => format!("line {line} of {file}"),
                        None => format!("record {} of {file}", record.item),
                    });
                    None
                }
                Err(cell) => Some((cell.column.map(|c| header[c].clone()), cell.message, None)),
            }
        }
    };
    // For `explain`: the id of a bad record, kept before the values are recycled.
    let values_id = match (&failure, &options.explain) {
        (Some(_), Some(_)) => match values.get(binding.key_column) {
            Some(JsonCell::Text(t)) => Some(t.to_string()),
            _ => None,
        },
        _ => None,
    };
    stores.cells = recycle(cells);
    stores.values = recycle_values(values);
    if let Some((column, message, help)) = failure {
        let message = match record.item {
            0 => message,
            item => format!("item {item} of the array: {message}"),
        };
        let error = DataError {
            file: file.to_string(),
            line: record.line,
            column,
            message,
            help,
            record: Some((String::from_utf8_lossy(record.bytes).into_owned(), None)),
        };
        done.explain_rejected(options, values_id.as_deref().map(str::as_bytes), &error);
        reject(done, error, record.bytes, options);
    }
}

pub(super) fn recycle_values<'b>(mut v: Vec<JsonCell<'_>>) -> Vec<JsonCell<'b>> {
    v.clear();
    v.into_iter().map(|_| JsonCell::Absent).collect()
}
