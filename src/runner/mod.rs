//! Running a checked playbook over exports: read → decide → write, in parallel.
//!
//! The reader cuts each export into chunks of whole records; workers parse and
//! decide a chunk each; the writer puts their output back in input order. So the
//! output is byte-identical whatever the number of threads or the chunk size.

pub mod summary;

use crate::check::model::Model;
use crate::data::csv_in::{
    lone_carriage_return, read_header, ChunkError, Chunker, Header, CHUNK_BYTES, MAX_COLUMNS,
};
use crate::data::error::DataError;
use crate::data::json_in::{parse_object, JsonCell, KeyOrder};
use crate::data::output::{OutFormat, Writer};
use crate::data::rows::{csv_row, field_range, CellError};
use crate::data::rows::{json_cells, json_index, json_prepare};
use crate::data::split::{Next, Records, Runaway};
use crate::diagnostic::Diagnostic;
use crate::eval::program::Program;
use crate::eval::run::{NoTrace, Tracer};
use crate::eval::Tri;
use crate::eval::{compile, Cell, Outcome, Row};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
pub use summary::{Stats, Summary};

/// A worker hands on what it has decided of a chunk whenever its decisions and rejects reach
/// this many bytes, rather than at the chunk's end: a chunk's decisions grow with rules × rows
/// (25,000 rules that all fire write about 1.5 MB per customer), its parts do not.
pub const PART_BYTES: usize = 1 << 20;

/// Parts of later chunks, decided while an earlier chunk is still being worked on, are held
/// for the writer up to this many bytes; a worker with more waits for the writer. With
/// [`PART_BYTES`], this bounds the decisions in memory whatever the rules and rows.
pub const HELD_BYTES: usize = 32 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Csv,
    Json,
    Ndjson,
}

impl InputFormat {
    pub fn from_path(path: &std::path::Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Some(InputFormat::Csv),
            "json" => Some(InputFormat::Json),
            "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    /// The first bad row stops the run (exit 1).
    Stop,
    /// Bad rows are written to the rejects file and the run goes on.
    Skip,
}

/// One export to read.
pub struct Input {
    /// The name used in messages (the path, or `<stdin>`).
    pub name: String,
    pub format: InputFormat,
    pub reader: Box<dyn Read + Send>,
}

pub struct Options {
    pub as_of: i32,
    pub threads: usize,
    pub chunk_bytes: usize,
    pub on_error: OnError,
    pub out_format: OutFormat,
    /// `--decimal-comma` (the playbook's `decimal comma` also turns it on).
    pub decimal_comma: bool,
    pub delimiter: Option<u8>,
    /// Bytes read so far, for a progress bar.
    pub progress: Option<Arc<AtomicU64>>,
    /// Count true / false / unknown per condition (`--coverage`).
    pub coverage: bool,
    /// `explain`: the customer to explain as the run meets them (see [`explain`]).
    pub explain: Option<Explain>,
    /// The most line breaks one quoted CSV cell may hold (`--max-cell-lines`).
    pub max_cell_lines: u64,
    /// A worker hands its decisions on in parts of about this many bytes ([`PART_BYTES`];
    /// tests make it tiny). The output does not depend on it.
    pub part_bytes: usize,
    /// Warnings about the exports' columns, for the caller to show (`near-column`).
    pub warnings: Mutex<Vec<Diagnostic>>,
}

/// The customer `explain` asks for, and the playbook's text (explanations quote it).
pub struct Explain {
    pub id: String,
    pub source: String,
}

/// What a run found for the customer `explain` asks for: one per record with that id.
#[derive(Debug)]
pub enum Found {
    Explained(String),
    /// The record with that id could not be read.
    Rejected(DataError),
}

impl Default for Options {
    fn default() -> Options {
        Options {
            as_of: 0,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            chunk_bytes: CHUNK_BYTES,
            on_error: OnError::Stop,
            out_format: OutFormat::Ndjson,
            decimal_comma: false,
            delimiter: None,
            progress: None,
            coverage: false,
            explain: None,
            max_cell_lines: crate::data::split::MAX_CELL_LINES,
            part_bytes: PART_BYTES,
            warnings: Mutex::default(),
        }
    }
}

/// Why a run stopped.
#[derive(Debug)]
pub enum Failure {
    /// The export lacks columns the playbook needs (reported against the playbook).
    Columns {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// A bad row (with `--on-error stop`) or an unreadable export.
    Data(Box<DataError>),
    /// Writing the output failed.
    Output(std::io::Error),
}

/// Where decisions and rejected rows go.
pub struct Sinks<'a> {
    pub decisions: &'a mut (dyn Write + Send),
    pub rejects: Option<&'a mut (dyn Write + Send)>,
    /// Called per rejected row when there is no rejects file (so none is lost silently).
    pub on_reject: &'a mut (dyn FnMut(&DataError) + Send),
}

/// Runs the model over the inputs, one stream; returns the summary.
pub fn run(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
    sinks: Sinks<'_>,
) -> Result<Summary, Failure> {
    let mut out = Out {
        decisions: sinks.decisions,
        rejects: sinks.rejects,
        on_reject: sinks.on_reject,
        wrote_start: false,
        any: false,
        hashes: Vec::new(),
        found: Vec::new(),
    };
    let summary = run_into(model, inputs, options, &mut out)?;
    Ok(summary)
}

/// Reads the inputs as [`run`] does (the same reader, program and checks) and returns, in
/// input order, the explanation of every record whose id is `options.explain`'s. Bad rows
/// of other customers are skipped; a broken export is still a failure.
pub fn explain(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
) -> Result<(Vec<Found>, Summary), Failure> {
    let mut sink = std::io::sink();
    let mut ignore = |_: &DataError| {};
    let mut out = Out {
        decisions: &mut sink,
        rejects: None,
        on_reject: &mut ignore,
        wrote_start: false,
        any: false,
        hashes: Vec::new(),
        found: Vec::new(),
    };
    let summary = run_into(model, inputs, options, &mut out)?;
    Ok((out.found, summary))
}

fn run_into(
    model: &Model,
    inputs: Vec<Input>,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Summary, Failure> {
    let mut total: Option<(Program, Stats)> = None;
    let mut files = Vec::new();
    if let Some(r) = out.rejects.as_deref_mut() {
        r.write_all(b"file,line,reason,record\n")
            .map_err(Failure::Output)?;
    }
    for input in inputs {
        files.push(input.name.clone());
        let (program, stats) = match input.format {
            InputFormat::Csv => run_csv(model, input, options, out)?,
            InputFormat::Ndjson | InputFormat::Json => run_json(model, input, options, out)?,
        };
        match &mut total {
            Some((_, t)) => t.add(&stats),
            None => total = Some((program, stats)),
        }
    }
    let Some((program, stats)) = total else {
        return Err(Failure::Data(Box::new(DataError::new(
            "<none>",
            "no export to read",
        ))));
    };
    let writer = Writer::new(&program, options.out_format);
    if !out.wrote_start {
        out.decisions
            .write_all(&writer.start())
            .map_err(Failure::Output)?;
    }
    out.decisions
        .write_all(&writer.end(out.any))
        .map_err(Failure::Output)?;
    out.decisions.flush().map_err(Failure::Output)?;
    if let Some(r) = out.rejects.as_deref_mut() {
        r.flush().map_err(Failure::Output)?;
    }
    let duplicates = count_duplicates(std::mem::take(&mut out.hashes));
    Ok(Summary::new(
        &program,
        &stats,
        files,
        options.as_of,
        duplicates,
    ))
}

/// The output state shared across inputs.
struct Out<'a> {
    decisions: &'a mut (dyn Write + Send),
    rejects: Option<&'a mut (dyn Write + Send)>,
    on_reject: &'a mut (dyn FnMut(&DataError) + Send),
    wrote_start: bool,
    any: bool,
    /// Sorted runs of id hashes, one per chunk, kept at their exact size.
    hashes: Vec<Vec<u64>>,
    /// For `explain`: the records of the customer asked for, in input order.
    found: Vec<Found>,
}

/// A chunk's id hashes, sorted and at their exact size. Hashes are spread evenly, so one
/// counting pass on their top bits puts each in a bucket of about four, and only the buckets
/// are sorted (a comparison sort of the whole took 120 instructions a hash). Ids that are not
/// spread (all alike) only make a bucket large: still sorted, as fast as before.
fn sorted(mut hashes: Vec<u64>) -> Vec<u64> {
    let n = hashes.len();
    if n < 64 {
        hashes.sort_unstable();
        hashes.shrink_to_fit();
        return hashes;
    }
    let bits = (usize::BITS - (n / 4).leading_zeros()).min(16);
    let shift = 64 - bits;
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &h in &hashes {
        starts[(h >> shift) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut out = vec![0u64; n];
    let mut fill = starts.clone();
    for &h in &hashes {
        let b = (h >> shift) as usize;
        out[fill[b]] = h;
        fill[b] += 1;
    }
    for bucket in starts.windows(2) {
        out[bucket[0]..bucket[1]].sort_unstable();
    }
    out
}

/// How many ids occur again after their first occurrence: a k-way merge of the sorted runs,
/// so memory stays at 8 bytes per customer.
fn count_duplicates(runs: Vec<Vec<u64>>) -> u64 {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<Reverse<(u64, usize, usize)>> = runs
        .iter()
        .enumerate()
        .filter_map(|(r, run)| run.first().map(|&h| Reverse((h, r, 0))))
        .collect();
    let mut last = None;
    let mut duplicates = 0;
    // The smallest entry is replaced in place by its run's next hash (one sift, not a pop and
    // a push); it is removed only when its run is used up.
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((h, r, i)) = *top;
        if last == Some(h) {
            duplicates += 1;
        }
        last = Some(h);
        match runs[r].get(i + 1) {
            Some(&next) => *top = Reverse((next, r, i + 1)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
    }
    duplicates
}

/// What a worker made of one chunk.
struct Done {
    output: Vec<u8>,
    rejects: Vec<u8>,
    rejected: Vec<DataError>,
    stats: Stats,
    error: Option<DataError>,
    hashes: Vec<u64>,
    any: bool,
    found: Vec<Found>,
}

impl Done {
    fn new(program: &Program) -> Done {
        Done {
            output: Vec::new(),
            rejects: Vec::new(),
            rejected: Vec::new(),
            stats: Stats::new(program),
            error: None,
            hashes: Vec::new(),
            any: false,
            found: Vec::new(),
        }
    }

    /// Whether this part holds enough to be handed on ([`Options::part_bytes`]).
    fn is_full(&self, options: &Options) -> bool {
        self.output.len() + self.rejects.len() >= options.part_bytes
    }

    /// For `explain`: explains the row when it is the customer asked for.
    fn explain(
        &mut self,
        program: &Program,
        options: &Options,
        row: &Row<'_>,
        place: impl Fn() -> String,
    ) {
        if let Some(x) = &options.explain {
            if row.id == x.id {
                let text =
                    crate::eval::explain::explain(program, &x.source, row, options.as_of, &place());
                self.found.push(Found::Explained(text));
            }
        }
    }

    /// For `explain`: keeps a bad row's error when its id cell is the customer asked for.
    fn explain_rejected(&mut self, options: &Options, id: Option<&[u8]>, error: &DataError) {
        if let (Some(x), Some(id)) = (&options.explain, id) {
            if String::from_utf8_lossy(id).trim() == x.id {
                self.found.push(Found::Rejected(error.clone()));
            }
        }
    }
}

/// A 64-bit FNV-1a hash of a customer id, for spotting duplicate ids in little memory.
fn hash_id(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Compiles for this export's header, or says which columns are missing.
fn program_for(
    model: &Model,
    file: &str,
    columns: &[String],
    options: &Options,
) -> Result<Program, Failure> {
    let mut program = compile(model, columns).map_err(|diagnostics| Failure::Columns {
        file: file.to_string(),
        diagnostics,
    })?;
    program.decimal_comma |= options.decimal_comma;
    Ok(program)
}

/// Keeps the `near-column` warnings for this header (issue 16.5).
fn warn_near_columns(model: &Model, columns: &[String], options: &Options) {
    let near = crate::eval::compile::near_columns(model, columns);
    if let Ok(mut warnings) = options.warnings.lock() {
        warnings.extend(near);
    }
}

fn run_csv(
    model: &Model,
    mut input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<(Program, Stats), Failure> {
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
            .help("the export may be in Windows-1252 or Latin-1: save it as UTF-8"),
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
    warn_near_columns(model, &header.columns, options);
    let program = program_for(model, &file, &header.columns, options)?;
    let writer = Writer::new(&program, options.out_format);
    if !out.wrote_start {
        out.decisions
            .write_all(&writer.start())
            .map_err(Failure::Output)?;
        out.wrote_start = true;
    }
    duplicate_column(&file, &program, &header.columns)?;
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
            header: &columns,
            delimiter,
            lf_only,
        };
        csv_chunk(&program, &writer, &file, chunk, &csv, options, emit)
    };
    let next = || chunker.next_chunk();
    let stats = drive(&program, options, out, next, job, &file)?;
    Ok((program, stats))
}

fn chunk_failure(file: &str, e: ChunkError) -> Failure {
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

/// Hands a worker's finished part of a chunk on; false when the run has stopped.
type Emit<'e> = &'e mut dyn FnMut(Done) -> bool;

/// One part of a chunk's results, as a worker sends it to the writer.
struct Part {
    seq: u64,
    /// The last part of chunk `seq`.
    last: bool,
    /// Output and rejects bytes, as counted against [`HELD_BYTES`].
    bytes: usize,
    done: Done,
}

/// Keeps the parts held for the writer under [`HELD_BYTES`]: a worker on a chunk after the
/// one the writer waits for (`head`) waits while the parts held would pass the limit. The
/// worker on the head chunk never waits, so the run always moves on.
struct Gate {
    state: Mutex<Held>,
    room: std::sync::Condvar,
}

struct Held {
    head: u64,
    bytes: usize,
    stopped: bool,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            state: Mutex::new(Held {
                head: 0,
                bytes: 0,
                stopped: false,
            }),
            room: std::sync::Condvar::new(),
        }
    }

    /// Waits until a part of `bytes` from chunk `seq` may be held; false when the run stopped.
    fn enter(&self, seq: u64, bytes: usize) -> bool {
        let Ok(mut held) = self.state.lock() else {
            return false;
        };
        while !held.stopped && seq != held.head && held.bytes > 0 && held.bytes + bytes > HELD_BYTES
        {
            held = match self.room.wait(held) {
                Ok(h) => h,
                Err(_) => return false,
            };
        }
        held.bytes += bytes;
        !held.stopped
    }

    /// The writer has written (or dropped) a part of `bytes`; it now waits for chunk `head`.
    fn leave(&self, bytes: usize, head: u64) {
        if let Ok(mut held) = self.state.lock() {
            held.bytes = held.bytes.saturating_sub(bytes);
            held.head = head;
        }
        self.room.notify_all();
    }

    fn stop(&self) {
        if let Ok(mut held) = self.state.lock() {
            held.stopped = true;
        }
        self.room.notify_all();
    }
}

/// Runs chunks through the workers and writes results in order. A worker hands each chunk's
/// results on in parts ([`Options::part_bytes`]); the writer writes the parts in input order.
fn drive<'s, N, J>(
    program: &Program,
    options: &Options,
    out: &mut Out<'_>,
    mut next: N,
    job: J,
    file: &str,
) -> Result<Stats, Failure>
where
    N: FnMut() -> Result<Option<crate::data::csv_in::Chunk>, ChunkError> + Send + 's,
    J: Fn(&crate::data::csv_in::Chunk, Emit<'_>) -> Done + Sync,
{
    let mut stats = Stats::new(program);
    let mut failure: Option<Failure> = None;
    let mut accept = |done: Done, failure: &mut Option<Failure>, out: &mut Out<'_>| -> bool {
        if failure.is_some() {
            return false;
        }
        if done.any {
            if out.any && options.out_format == OutFormat::Json {
                let _ = out.decisions.write_all(b",");
            }
            out.any = true;
        }
        if let Err(e) = out.decisions.write_all(&done.output) {
            *failure = Some(Failure::Output(e));
            return false;
        }
        match out.rejects.as_deref_mut() {
            Some(r) => {
                if let Err(e) = r.write_all(&done.rejects) {
                    *failure = Some(Failure::Output(e));
                    return false;
                }
            }
            None => {
                for r in &done.rejected {
                    (out.on_reject)(r);
                }
            }
        }
        stats.add(&done.stats);
        out.hashes.push(done.hashes);
        out.found.extend(done.found);
        if let Some(e) = done.error {
            *failure = Some(Failure::Data(Box::new(e)));
            return false;
        }
        true
    };

    if options.threads <= 1 {
        while let Some(chunk) = next().map_err(|e| chunk_failure(file, e))? {
            if let Some(p) = &options.progress {
                p.fetch_add(chunk.data.len() as u64, Ordering::Relaxed);
            }
            let mut going = true;
            let mut last = job(&chunk, &mut |mut done: Done| {
                done.hashes = sorted(done.hashes);
                going = accept(done, &mut failure, out);
                going
            });
            if !going {
                break;
            }
            last.hashes = sorted(last.hashes);
            if !accept(last, &mut failure, out) {
                break;
            }
        }
    } else {
        let stop = AtomicBool::new(false);
        let gate = Gate::new();
        let threads = options.threads;
        let (chunk_tx, chunk_rx) = sync_channel::<(u64, crate::data::csv_in::Chunk)>(threads * 2);
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        let (done_tx, done_rx) = sync_channel::<Part>(threads * 2);
        let read_error: Mutex<Option<ChunkError>> = Mutex::new(None);
        std::thread::scope(|scope| {
            let mut handles = Vec::with_capacity(threads + 1);
            for _ in 0..threads {
                let chunk_rx = Arc::clone(&chunk_rx);
                let done_tx = done_tx.clone();
                let job = &job;
                let stop = &stop;
                let gate = &gate;
                handles.push(scope.spawn(move || loop {
                    let next = chunk_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, chunk))) = next else { break };
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    let send = |mut done: Done, last: bool| -> bool {
                        let bytes = done.output.len() + done.rejects.len();
                        if !gate.enter(seq, bytes) {
                            return false;
                        }
                        done.hashes = sorted(done.hashes);
                        let part = Part {
                            seq,
                            last,
                            bytes,
                            done,
                        };
                        done_tx.send(part).is_ok()
                    };
                    let mut going = true;
                    let last = job(&chunk, &mut |done| {
                        going = send(done, false);
                        going
                    });
                    if going {
                        send(last, true);
                    }
                }));
            }
            drop(done_tx);
            let stop_ref = &stop;
            let read_error = &read_error;
            let progress = options.progress.clone();
            handles.push(scope.spawn(move || {
                let mut seq = 0u64;
                loop {
                    if stop_ref.load(Ordering::Relaxed) {
                        break;
                    }
                    match next() {
                        Ok(Some(chunk)) => {
                            if let Some(p) = &progress {
                                p.fetch_add(chunk.data.len() as u64, Ordering::Relaxed);
                            }
                            if chunk_tx.send((seq, chunk)).is_err() {
                                break;
                            }
                            seq += 1;
                        }
                        Ok(None) => break,
                        Err(e) => {
                            if let Ok(mut slot) = read_error.lock() {
                                *slot = Some(e);
                            }
                            break;
                        }
                    }
                }
                drop(chunk_tx);
            }));
            // The writer: parts back in input order.
            write_in_order(done_rx, &gate, |done| {
                let ok = accept(done, &mut failure, out);
                if !ok {
                    stop.store(true, Ordering::Relaxed);
                    gate.stop();
                }
                ok
            });
            // Join explicitly: a scope only waits for the closures to return, and a thread
            // still running its thread-local destructors when `run` returns would outlive it
            // (a library caller, such as the fuzzer's leak check, sees that memory as lost).
            for handle in handles {
                if let Err(panic) = handle.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
        if failure.is_none() {
            if let Some(e) = read_error.into_inner().ok().flatten() {
                failure = Some(chunk_failure(file, e));
            }
        }
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(stats),
    }
}

/// Writes the parts in input order: chunk by chunk, each chunk's parts in the order its worker
/// sent them. Parts that arrive early are held (the [`Gate`] bounds them).
fn write_in_order(rx: Receiver<Part>, gate: &Gate, mut accept: impl FnMut(Done) -> bool) {
    let mut pending: BTreeMap<u64, std::collections::VecDeque<Part>> = BTreeMap::new();
    let mut want = 0u64;
    let mut open = true;
    for part in rx {
        if !open {
            gate.leave(part.bytes, want);
            continue;
        }
        pending.entry(part.seq).or_default().push_back(part);
        while let Some(part) = pending.get_mut(&want).and_then(|q| q.pop_front()) {
            let bytes = part.bytes;
            if part.last {
                pending.remove(&want);
                want += 1;
            }
            let ok = accept(part.done);
            gate.leave(bytes, want);
            if !ok {
                open = false;
                for (_, q) in std::mem::take(&mut pending) {
                    for p in q {
                        gate.leave(p.bytes, want);
                    }
                }
                break;
            }
        }
    }
}

/// What the header told about a CSV export.
struct Csv<'h> {
    header: &'h [String],
    delimiter: u8,
    lf_only: bool,
}

/// Decides every record of a CSV chunk.
fn csv_chunk(
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
    let numbers = crate::data::cells::Numbers::new(program.decimal_comma, delimiter);
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
        match csv_row(program, &fields, columns, numbers, &mut cells) {
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
                done.explain_rejected(options, fields.get(program.key_column).copied(), &error);
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

fn recycle_values<'b>(mut v: Vec<JsonCell<'_>>) -> Vec<JsonCell<'b>> {
    v.clear();
    v.into_iter().map(|_| JsonCell::Absent).collect()
}

fn recycle_fields<'b>(mut v: Vec<&[u8]>) -> Vec<&'b [u8]> {
    v.clear();
    v.into_iter().map(|_| &[][..]).collect()
}

/// Decides one row, counting condition values when coverage is asked for.
fn decide(
    program: &Program,
    row: &Row<'_>,
    options: &Options,
    outcome: &mut Outcome,
    stats: &mut Stats,
) {
    if options.coverage {
        if stats.coverage.is_empty() {
            stats.coverage = vec![[0; 3]; program.nodes as usize];
        }
        if stats.missing.is_empty() {
            stats.missing = vec![0; program.slots.len()];
        }
        for (n, cell) in stats.missing.iter_mut().zip(row.cells) {
            *n += u64::from(matches!(cell, crate::eval::Cell::Missing));
        }
        let mut counter = Counter(&mut stats.coverage);
        program.decide(row, options.as_of, outcome, &mut counter);
    } else {
        program.decide(row, options.as_of, outcome, &mut NoTrace);
    }
}

/// Counts each condition node's values: [true, false, unknown].
struct Counter<'a>(&'a mut Vec<[u64; 3]>);

impl Tracer for Counter<'_> {
    fn node(&mut self, id: u32, value: Tri) {
        if let Some(c) = self.0.get_mut(id as usize) {
            c[match value {
                Tri::True => 0,
                Tri::False => 1,
                Tri::Unknown => 2,
            }] += 1;
        }
    }
}

/// Reuses a vector's allocation for cells of another lifetime (it is emptied first).
fn recycle<'a, 'b>(mut v: Vec<Cell<'a>>) -> Vec<Cell<'b>> {
    v.clear();
    v.into_iter().map(|_| Cell::Missing).collect()
}

fn row_error(
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
    let mut error = DataError::new(file, cell.message.clone()).at_line(line);
    error.column = column_name;
    // Byte offsets in the lossy text match the raw bytes up to the first invalid byte.
    error.record = Some((text, range));
    error
}

/// A `\r` alone inside a record of an LF file: the rows it ends would be one record, so the
/// export is refused (in both `--on-error` modes) rather than read wrong.
fn lone_cr_error(file: &str, line: u64, raw: &[u8], at: usize, lf_only: bool) -> DataError {
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
fn duplicate_column(file: &str, program: &Program, columns: &[String]) -> Result<(), Failure> {
    let read = program.slots.iter().filter_map(|s| s.column);
    for c in read.chain(std::iter::once(program.key_column)) {
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
fn runaway_error(file: &str, data: &[u8], r: Runaway, options: &Options) -> DataError {
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

fn write_reject(out: &mut Vec<u8>, file: &str, line: u64, reason: &str, raw: &[u8]) {
    crate::data::output::csv_field(out, file);
    let _ = write!(out, ",{line},");
    crate::data::output::csv_field(out, reason);
    out.push(b',');
    let raw = String::from_utf8_lossy(raw);
    crate::data::output::csv_field(out, raw.trim_end_matches(['\r', '\n']));
    out.push(b'\n');
}

/// NDJSON (in parallel, by lines) and JSON arrays (in parallel, by whole items).
fn run_json(
    model: &Model,
    mut input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<(Program, Stats), Failure> {
    let file = input.name.clone();
    let read_failure = |e: std::io::Error| {
        Failure::Data(Box::new(DataError::new(
            &file,
            format!("cannot read the export: {e}"),
        )))
    };
    if input.format == InputFormat::Json {
        // Read item by item, in chunks, as NDJSON is read line by line.
        let mut chunker =
            Chunker::new(input.reader, Vec::new(), 1, 0, b',', options.chunk_bytes).json_array();
        let mut first = chunker.next_chunk().map_err(|e| chunk_failure(&file, e))?;
        let keys = first
            .as_ref()
            .and_then(|c| crate::data::json_array::items(&c.data, c.first_line).next())
            .map(|(_, item)| object_keys(item))
            .unwrap_or_default();
        let (program, header, index) = json_program(model, &file, keys, options)?;
        let writer = Writer::new(&program, options.out_format);
        write_start(out, &writer)?;
        let ctx = JsonContext {
            program: &program,
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
        let stats = drive(&program, options, out, next, job, &file)?;
        return Ok((program, stats));
    }
    // NDJSON: the first object's keys are the columns; read up to its line.
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
            return Err(chunk_failure(&file, ChunkError::TooLong { line }));
        }
        if n == 0 || first_line_done {
            break;
        }
    }
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
    let (program, header, index) = json_program(model, &file, keys, options)?;
    let writer = Writer::new(&program, options.out_format);
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
        program: &program,
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
    let stats = drive(&program, options, out, next, job, &file)?;
    Ok((program, stats))
}

/// The keys of a JSON object (empty when it is not one).
fn object_keys(bytes: &[u8]) -> Vec<String> {
    serde_json::from_slice::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(bytes)
        .map(|m| m.into_keys().collect())
        .unwrap_or_default()
}

/// JSON cells are looked up by key, so the "header" is the first record's keys plus every
/// optional field's and journey's column: a key that only a later record has is still read.
/// A required field's key absent from the first record is a missing column.
fn json_program(
    model: &Model,
    file: &str,
    mut header: Vec<String>,
    options: &Options,
) -> Result<(Program, Vec<String>, crate::data::json_in::ColumnIndex), Failure> {
    // The first record's own keys: the optional columns added below would hide a near miss.
    warn_near_columns(model, &header, options);
    let later = model
        .fields
        .iter()
        .filter(|f| f.optional || header.is_empty())
        .map(|f| f.column.clone())
        .chain(model.journeys.iter().filter_map(|j| j.column.clone()));
    for column in later.collect::<Vec<_>>() {
        if !header.contains(&column) {
            header.push(column);
        }
    }
    let program = program_for(model, file, &header, options)?;
    let index = json_index(&program, &header);
    Ok((program, header, index))
}

fn write_start(out: &mut Out<'_>, writer: &Writer) -> Result<(), Failure> {
    if !out.wrote_start {
        out.decisions
            .write_all(&writer.start())
            .map_err(Failure::Output)?;
        out.wrote_start = true;
    }
    Ok(())
}

fn reject(done: &mut Done, error: DataError, raw: &[u8], options: &Options) {
    match options.on_error {
        OnError::Stop => done.error = Some(error),
        OnError::Skip => {
            done.stats.rejected += 1;
            write_reject(
                &mut done.rejects,
                &error.file,
                error.line.unwrap_or(0),
                &error.reason(),
                raw,
            );
            done.rejected.push(error);
        }
    }
}

/// One JSON object and where it stands: an NDJSON line, or an item of an array.
struct JsonRecord<'a> {
    bytes: &'a [u8],
    line: Option<u64>,
    item: u64,
}

/// Buffers reused from record to record (their lifetimes are reset each time).
#[derive(Default)]
struct JsonStores {
    values: Vec<JsonCell<'static>>,
    cells: Vec<Cell<'static>>,
    order: KeyOrder,
}

/// What deciding a JSON record needs besides the record.
struct JsonContext<'c> {
    program: &'c Program,
    writer: &'c Writer,
    header: &'c [String],
    index: &'c crate::data::json_in::ColumnIndex,
    file: &'c str,
    options: &'c Options,
}

/// Decides one chunk's JSON records (array items or NDJSON lines) into a `Done`, handing each
/// full part to `emit`; stops at the first bad record.
fn json_chunk<'r>(
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
        json_record(
            ctx.program,
            ctx.writer,
            ctx.header,
            ctx.index,
            ctx.file,
            record,
            ctx.options,
            &mut done,
            &mut outcome,
            &mut stores,
        );
        if done.error.is_some() {
            break;
        }
    }
    done
}

/// Decides one JSON record, or rejects it.
#[allow(clippy::too_many_arguments)]
fn json_record(
    program: &Program,
    writer: &Writer,
    header: &[String],
    index: &crate::data::json_in::ColumnIndex,
    file: &str,
    record: JsonRecord<'_>,
    options: &Options,
    done: &mut Done,
    outcome: &mut Outcome,
    stores: &mut JsonStores,
) {
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
            json_prepare(program, &mut values);
            match json_cells(program, &values, program.decimal_comma, &mut cells) {
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
        (Some(_), Some(_)) => match values.get(program.key_column) {
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

#[cfg(test)]
mod tests {
    use super::count_duplicates;

    #[test]
    fn duplicates_are_counted_across_and_within_runs() {
        assert_eq!(count_duplicates(vec![]), 0);
        assert_eq!(count_duplicates(vec![vec![], vec![7]]), 0);
        // 1 2 3 | 2 3 4 | 3 5: eight ids, five different.
        assert_eq!(
            count_duplicates(vec![vec![1, 2, 3], vec![2, 3, 4], vec![3, 5], vec![]]),
            3
        );
        // Twice in one chunk, and the largest hash.
        assert_eq!(
            count_duplicates(vec![vec![1, 1, 2, u64::MAX], vec![u64::MAX]]),
            2
        );
    }

    #[test]
    fn chunk_hashes_are_sorted() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0, 1, 63, 64, 65, 1000, 8500, 40_000] {
            // Spread hashes, then hashes alike in their top bits, then all alike.
            for spread in [64, 20, 0] {
                let hashes: Vec<u64> = (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed.checked_shr(64 - spread).unwrap_or(0)
                    })
                    .collect();
                let mut want = hashes.clone();
                want.sort_unstable();
                assert_eq!(super::sorted(hashes), want, "{n} hashes of {spread} bits");
            }
        }
    }

    #[test]
    fn the_merge_counts_as_sorting_everything_does() {
        let mut seed = 88_172_645_463_325_252u64;
        for runs in 1..40 {
            let mut all: Vec<u64> = Vec::new();
            let sorted_runs: Vec<Vec<u64>> = (0..runs)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let len = (seed % 50) as usize;
                    let mut run: Vec<u64> = (0..len)
                        .map(|i| (seed >> (i % 40)) % 97 + u64::from(i % 7 == 0) * (u64::MAX - 97))
                        .collect();
                    run.sort_unstable();
                    all.extend(&run);
                    run
                })
                .collect();
            all.sort_unstable();
            let want = all.windows(2).filter(|w| w[0] == w[1]).count() as u64;
            assert_eq!(count_duplicates(sorted_runs), want, "{runs} runs");
        }
    }
}
