//! Scheduling: chunks handed to workers, their decisions handed back in parts and written
//! in input order, with the memory held for the writer bounded.

use crate::data::csv_in::{Chunk, ChunkError};
use crate::eval::program::Program;
use crate::runner::output::OutFormat;
use std::collections::BTreeMap;

use super::csv::chunk_failure;
use super::done::Done;
use super::ids::sorted;
use super::{Failure, Options, Out, Stats, HELD_BYTES};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// Hands a worker's finished part of a chunk on; false when the run has stopped.
pub(super) type Emit<'e> = &'e mut dyn FnMut(Done) -> bool;

/// One part of a chunk's results, as a worker sends it to the writer.
pub(super) struct Part {
    pub(super) seq: u64,
    /// The last part of chunk `seq`.
    pub(super) last: bool,
    /// Output and rejects bytes, as counted against [`HELD_BYTES`].
    pub(super) bytes: usize,
    pub(super) done: Done,
}

/// Keeps the parts held for the writer under [`HELD_BYTES`]: a worker on a chunk after the
/// one the writer waits for (`head`) waits while the parts held would pass the limit. The
/// worker on the head chunk never waits, so the run always moves on.
pub(super) struct Gate {
    pub(super) state: Mutex<Held>,
    pub(super) room: std::sync::Condvar,
}

pub(super) struct Held {
    pub(super) head: u64,
    pub(super) bytes: usize,
    pub(super) stopped: bool,
}

impl Gate {
    pub(super) fn new() -> Gate {
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
    pub(super) fn enter(&self, seq: u64, bytes: usize) -> bool {
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
    pub(super) fn leave(&self, bytes: usize, head: u64) {
        if let Ok(mut held) = self.state.lock() {
            held.bytes = held.bytes.saturating_sub(bytes);
            held.head = head;
        }
        self.room.notify_all();
    }

    pub(super) fn stop(&self) {
        if let Ok(mut held) = self.state.lock() {
            held.stopped = true;
        }
        self.room.notify_all();
    }
}

/// Runs `job` on every chunk `next` gives, on `options.threads` workers, and writes what they
/// decide in input order; returns the counts, or the first failure.
pub(super) fn drive<'s, N, J>(
    program: &Program,
    options: &Options,
    out: &mut Out<'_>,
    next: N,
    job: J,
    file: &str,
) -> Result<Stats, Failure>
where
    N: FnMut() -> Result<Option<Chunk>, ChunkError> + Send + 's,
    J: Fn(&Chunk, Emit<'_>) -> Done + Sync,
{
    let mut sink = Sink {
        out,
        stats: Stats::new(program),
        failure: None,
        json: options.out_format == OutFormat::Json,
    };
    if options.threads <= 1 {
        drive_one(&mut sink, next, &job, options, file)?;
    } else {
        drive_parallel(&mut sink, next, &job, options, file);
    }
    match sink.failure {
        Some(f) => Err(f),
        None => Ok(sink.stats),
    }
}

/// Where decided parts go, in input order: the output, the counts, and the first failure.
struct Sink<'o, 'a> {
    out: &'o mut Out<'a>,
    stats: Stats,
    failure: Option<Failure>,
    /// Decisions are items of one JSON array: parts are joined by commas.
    json: bool,
}

impl Sink<'_, '_> {
    /// Writes one part; false once the run has failed (then nothing more is written).
    fn accept(&mut self, done: Done) -> bool {
        if self.failure.is_some() {
            return false;
        }
        let out = &mut *self.out;
        if done.any {
            if out.any && self.json {
                let _ = out.decisions.write_all(b",");
            }
            out.any = true;
        }
        if let Err(e) = out.decisions.write_all(&done.output) {
            self.failure = Some(Failure::Output(e));
            return false;
        }
        match out.rejects.as_deref_mut() {
            Some(r) => {
                if let Err(e) = r.write_all(&done.rejects) {
                    self.failure = Some(Failure::Output(e));
                    return false;
                }
            }
            None => {
                for r in &done.rejected {
                    (out.on_reject)(r);
                }
            }
        }
        self.stats.add(&done.stats);
        out.hashes.push(done.hashes);
        out.found.extend(done.found);
        if let Some(e) = done.error {
            self.failure = Some(Failure::Data(Box::new(e)));
            return false;
        }
        true
    }
}

/// One thread: each chunk decided and written in turn.
fn drive_one<N, J>(
    sink: &mut Sink<'_, '_>,
    mut next: N,
    job: &J,
    options: &Options,
    file: &str,
) -> Result<(), Failure>
where
    N: FnMut() -> Result<Option<Chunk>, ChunkError>,
    J: Fn(&Chunk, Emit<'_>) -> Done,
{
    while let Some(chunk) = next().map_err(|e| chunk_failure(file, e))? {
        if let Some(p) = &options.progress {
            p.fetch_add(chunk.data.len() as u64, Ordering::Relaxed);
        }
        let mut going = true;
        let mut last = job(&chunk, &mut |mut done: Done| {
            done.hashes = sorted(done.hashes);
            going = sink.accept(done);
            going
        });
        if !going {
            break;
        }
        last.hashes = sorted(last.hashes);
        if !sink.accept(last) {
            break;
        }
    }
    Ok(())
}

/// Workers decide chunks as a reader thread cuts them; this thread writes their parts in
/// input order. A failure stops the reader and the workers.
fn drive_parallel<'s, N, J>(
    sink: &mut Sink<'_, '_>,
    next: N,
    job: &J,
    options: &Options,
    file: &str,
) where
    N: FnMut() -> Result<Option<Chunk>, ChunkError> + Send + 's,
    J: Fn(&Chunk, Emit<'_>) -> Done + Sync,
{
    let stop = AtomicBool::new(false);
    let gate = Gate::new();
    let threads = options.threads;
    let (chunk_tx, chunk_rx) = sync_channel::<(u64, Chunk)>(threads * 2);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let (done_tx, done_rx) = sync_channel::<Part>(threads * 2);
    let read_error: Mutex<Option<ChunkError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads + 1);
        for _ in 0..threads {
            let chunk_rx = Arc::clone(&chunk_rx);
            let done_tx = done_tx.clone();
            let (stop, gate) = (&stop, &gate);
            handles.push(scope.spawn(move || work(&chunk_rx, &done_tx, job, stop, gate)));
        }
        drop(done_tx);
        let (stop_ref, read_error) = (&stop, &read_error);
        let progress = options.progress.clone();
        handles.push(scope.spawn(move || read(next, chunk_tx, stop_ref, read_error, progress)));
        // The writer: parts back in input order.
        write_in_order(done_rx, &gate, |done| {
            let ok = sink.accept(done);
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
    if sink.failure.is_none() {
        if let Some(e) = read_error.into_inner().ok().flatten() {
            sink.failure = Some(chunk_failure(file, e));
        }
    }
}

/// A worker: takes chunks until there are none, and sends each chunk's parts on, each once
/// the gate lets it in.
fn work<J>(
    chunk_rx: &Mutex<Receiver<(u64, Chunk)>>,
    done_tx: &SyncSender<Part>,
    job: &J,
    stop: &AtomicBool,
    gate: &Gate,
) where
    J: Fn(&Chunk, Emit<'_>) -> Done,
{
    loop {
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
    }
}

/// The reader: cuts the export into chunks, numbered in input order, until it ends, fails
/// or the run stops.
fn read<N>(
    mut next: N,
    chunk_tx: SyncSender<(u64, Chunk)>,
    stop: &AtomicBool,
    read_error: &Mutex<Option<ChunkError>>,
    progress: Option<Arc<AtomicU64>>,
) where
    N: FnMut() -> Result<Option<Chunk>, ChunkError>,
{
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
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
}

/// Writes the parts in input order: chunk by chunk, each chunk's parts in the order its worker
/// sent them. Parts that arrive early are held (the [`Gate`] bounds them).
pub(super) fn write_in_order(
    rx: Receiver<Part>,
    gate: &Gate,
    mut accept: impl FnMut(Done) -> bool,
) {
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
