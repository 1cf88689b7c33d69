//! Times the phases of `playbook check` on one file: read, parse, check.
//! `cargo run --release --example check_phases -- FILE.playbook`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: check_phases FILE.playbook")?;
    let t = Instant::now();
    let text = std::fs::read_to_string(&path)?;
    let read = t.elapsed();
    let t = Instant::now();
    let parsed = playbook::syntax::parse(&text);
    let parse = t.elapsed();
    let t = Instant::now();
    let found = playbook::check::check_parsed(&parsed, &text);
    let check = t.elapsed();
    println!(
        "read {read:?}, parse {parse:?}, check {check:?}, {} diagnostics",
        found.len()
    );
    Ok(())
}
