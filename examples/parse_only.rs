//! The floor for `playbook eval`: read and split an export with the engine's own
//! CSV reader (chunker + splitter), touching every field, and decide nothing.
//!
//! `cargo run --release --example parse_only -- EXPORT.csv [THREADS]`

use playbook::data::csv_in::{read_header, Chunker, CHUNK_BYTES};
use playbook::data::split::{Next, Records};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

fn count(chunk: &[u8], first_line: u64, delimiter: u8) -> (u64, u64) {
    let mut records = Records::new(chunk, first_line, delimiter);
    let (mut rows, mut bytes) = (0u64, 0u64);
    // One vector for all records, as in the engine: an allocation per record would make
    // threads wait on the allocator's lock.
    let mut store: Vec<&[u8]> = Vec::new();
    loop {
        let mut fields = recycle(std::mem::take(&mut store));
        let next = records.next(&mut fields);
        match next {
            Next::Record(_) => {
                rows += 1;
                bytes += fields.iter().map(|f| f.len() as u64).sum::<u64>();
            }
            Next::End => break,
            Next::Broken(_, _) => rows += 1,
            // The rest of the chunk cannot be read as meant; the engine stops here too.
            Next::Runaway(_, _) => break,
        }
        store = recycle(fields);
    }
    (rows, bytes)
}

/// Empties a vector of fields so that it can hold another record's.
fn recycle<'b>(mut v: Vec<&[u8]>) -> Vec<&'b [u8]> {
    v.clear();
    v.into_iter().map(|_| &[][..]).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: parse_only EXPORT.csv [THREADS]")?;
    let threads: usize = args.next().map(|t| t.parse()).transpose()?.unwrap_or(1);
    let mut file = std::fs::File::open(&path)?;
    let header = read_header(&mut file, None).map_err(|e| format!("{e:?}"))?;
    let delimiter = header.delimiter;
    let mut chunker = Chunker::new(
        file,
        header.rest,
        header.next_line,
        header.offset,
        delimiter,
        CHUNK_BYTES,
    );
    let (mut rows, mut bytes) = (0u64, 0u64);
    if threads <= 1 {
        while let Some(chunk) = chunker.next_chunk().map_err(|e| format!("{e:?}"))? {
            let (r, b) = count(&chunk.data, chunk.first_line, delimiter);
            rows += r;
            bytes += b;
        }
    } else {
        let (tx, rx) = sync_channel::<playbook::data::csv_in::Chunk>(threads * 2);
        let rx = Arc::new(Mutex::new(rx));
        let totals = Mutex::new((0u64, 0u64));
        std::thread::scope(|s| -> Result<(), String> {
            for _ in 0..threads {
                let rx = Arc::clone(&rx);
                let totals = &totals;
                s.spawn(move || {
                    while let Ok(Ok(chunk)) = rx.lock().map(|r| r.recv()) {
                        let (r, b) = count(&chunk.data, chunk.first_line, delimiter);
                        if let Ok(mut t) = totals.lock() {
                            t.0 += r;
                            t.1 += b;
                        }
                    }
                });
            }
            while let Some(chunk) = chunker.next_chunk().map_err(|e| format!("{e:?}"))? {
                tx.send(chunk).map_err(|e| e.to_string())?;
            }
            drop(tx);
            Ok(())
        })?;
        (rows, bytes) = totals.into_inner().map_err(|e| e.to_string())?;
    }
    println!("{rows} records, {bytes} field bytes");
    Ok(())
}
