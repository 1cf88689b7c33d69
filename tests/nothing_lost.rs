//! Nothing is lost and nothing is left half-written:
//!
//! - a run ended by SIGTERM or SIGINT exits 130 and leaves neither the output file nor its
//!   temporary `.NAME.PID.RANDOM.tmp` behind (the run is held open on a pipe, so the signal always
//!   arrives mid-run, after decisions have been written to the temporary file);
//! - a run that stops at a bad row late in a large export leaves no output file, and an
//!   output file from an earlier run stays as it was;
//! - the same export gives byte-identical decisions, rejects and summary with --threads 1
//!   and --threads 4, in all four output formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const HEADER: &str =
    "id,orders,lifetime_value,first_order,last_order,nps,complaint,opted_in,birthday,channel_pref,tags\n";

/// A folder with the benchmark playbook (bench/README.md's workload).
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::copy(
        root().join("playbooks/benchmark.playbook"),
        dir.path().join("benchmark.playbook"),
    )
    .expect("copies the playbook");
    dir
}

/// A small, fast pseudo-random number per row and field (splitmix64).
fn mix(i: u64, field: u64) -> u64 {
    let mut z = i
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(field.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn date(r: u64) -> String {
    format!(
        "{}-{:02}-{:02}",
        2020 + r % 7,
        1 + (r >> 8) % 12,
        1 + (r >> 16) % 28
    )
}

/// One export row for the benchmark playbook. Now and then a quoted list with a line break
/// or an escaped quote inside, so records cross chunk boundaries in every way.
fn row(i: u64, out: &mut String) {
    use std::fmt::Write;
    let orders = mix(i, 1) % 25;
    let dated = |f: u64| {
        if orders == 0 {
            String::new()
        } else {
            date(mix(i, f))
        }
    };
    let nps = match mix(i, 4) % 10 {
        0..=3 => String::new(),
        n => (n + mix(i, 5) % 3).to_string(),
    };
    let birthday = if mix(i, 6) % 10 < 3 {
        String::new()
    } else {
        date(mix(i, 7))
    };
    let tags = match mix(i, 8) % 20 {
        0..=9 => "",
        10..=13 => "vip",
        14 | 15 => "no-upsell;newsletter",
        16 => "\"vip;\nb2b\"",
        17 => "\"say \"\"hi\"\"\"",
        _ => "newsletter",
    };
    let _ = writeln!(
        out,
        "C{i:08},{orders},{}.{:02},{},{},{nps},{},{},{birthday},{},{tags}",
        mix(i, 2) % 3000,
        mix(i, 3) % 100,
        dated(10),
        dated(11),
        ["none", "open", "resolved"][(mix(i, 12) % 3) as usize],
        ["true", "false", "true"][(mix(i, 13) % 3) as usize],
        ["email", "sms", "post"][(mix(i, 14) % 3) as usize],
    );
}

/// Writes an export of `rows` rows; rows for which `bad` holds get `orders` = `many`.
fn export(path: &Path, rows: u64, bad: impl Fn(u64) -> bool) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("creates"));
    let mut text = String::from(HEADER);
    for i in 0..rows {
        if bad(i) {
            text.push_str(&format!("C{i:08},many,1.00,,,,none,true,,email,\n"));
        } else {
            row(i, &mut text);
        }
        if text.len() > 1 << 16 {
            file.write_all(text.as_bytes()).expect("writes");
            text.clear();
        }
    }
    file.write_all(text.as_bytes()).expect("writes");
    file.flush().expect("writes");
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("lists")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn temp_file(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.starts_with(".out.csv.") && name.ends_with(".tmp")
        })
}

/// Starts `playbook eval benchmark.playbook - -o out.csv`, feeds it rows through a pipe that
/// stays open, waits until decisions are in the temporary file, then sends the signal.
fn interrupted_by(signal: &str) {
    let dir = folder();
    let mut child = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args([
            "eval",
            "benchmark.playbook",
            "-",
            "-o",
            "out.csv",
            "--as-of",
            "2026-11-23",
            "-q",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the playbook binary starts");
    let mut stdin = child.stdin.take().expect("a pipe");
    let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
    let feeder = std::thread::spawn(move || {
        let mut text = String::from(HEADER);
        for i in 0..200_000 {
            row(i, &mut text);
            if text.len() > 1 << 16 {
                if stdin.write_all(text.as_bytes()).is_err() {
                    return;
                }
                text.clear();
            }
        }
        let _ = stdin.write_all(text.as_bytes());
        // The export is not finished: the pipe stays open until the test says so.
        let _ = hold_rx.recv();
        drop(stdin);
    });
    let start = Instant::now();
    let temp = loop {
        if let Some(t) = temp_file(dir.path()) {
            if std::fs::metadata(&t).map(|m| m.len()).unwrap_or(0) > 0 {
                break t;
            }
        }
        if let Some(status) = child.try_wait().expect("waits") {
            panic!("the run ended before the signal: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no decisions after 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        !dir.path().join("out.csv").exists(),
        "the output appears only when complete"
    );
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("the run ends");
    let _ = hold_tx.send(());
    feeder.join().expect("the feeder");
    assert_eq!(
        out.status.code(),
        Some(130),
        "SIG{signal}: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!temp.exists(), "SIG{signal} left {}", temp.display());
    assert_eq!(
        names(dir.path()),
        ["benchmark.playbook"],
        "SIG{signal} left files behind"
    );
}

#[test]
fn sigterm_leaves_nothing_behind() {
    interrupted_by("TERM");
}

#[test]
fn sigint_leaves_nothing_behind() {
    interrupted_by("INT");
}

/// 400,000 rows (about 28 MB, many chunks); row 399,000 is bad. With the default
/// `--on-error stop` the run stops there after most decisions were written to the
/// temporary file: no output file is left, and an earlier one is not touched.
#[test]
fn a_run_failing_late_leaves_no_output() {
    let dir = folder();
    let bad = 399_000;
    export(&dir.path().join("export.csv"), 400_000, |i| i == bad);
    // Its line: quoted cells with line breaks come before it, so count the file's lines.
    let text = std::fs::read(dir.path().join("export.csv")).expect("reads");
    let at = text
        .windows(15)
        .position(|w| w == format!("C{bad:08},many,").as_bytes())
        .expect("the bad row");
    let line = 1 + text[..at].iter().filter(|&&b| b == b'\n').count();
    assert!(
        line > bad as usize + 2,
        "the export has line breaks inside quotes"
    );
    for (earlier, threads) in [(false, "1"), (false, "2"), (true, "2")] {
        let out_csv = dir.path().join("out.csv");
        if earlier {
            std::fs::write(&out_csv, "decisions of an earlier run\n").expect("writes");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
            .args([
                "eval",
                "benchmark.playbook",
                "export.csv",
                "-o",
                "out.csv",
                "-q",
            ])
            .args(["--as-of", "2026-11-23", "--threads", threads])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("export.csv:{line}, column `orders`")),
            "{err}"
        );
        if earlier {
            assert_eq!(
                std::fs::read_to_string(&out_csv).expect("still there"),
                "decisions of an earlier run\n"
            );
            std::fs::remove_file(&out_csv).expect("removes");
        }
        assert_eq!(names(dir.path()), ["benchmark.playbook", "export.csv"]);
    }
}

/// 120,000 rows with a bad row every 10,007: four threads give the same bytes as one, in
/// every output format, for the decisions, the rejects and the summary.
#[test]
fn threads_give_byte_identical_output_in_every_format() {
    let dir = folder();
    export(&dir.path().join("export.csv"), 120_000, |i| i % 10_007 == 5);
    let run = |format: &str, threads: &str| -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
            .args([
                "eval",
                "benchmark.playbook",
                "export.csv",
                "-q",
                "--as-of",
                "2026-11-23",
            ])
            .args(["--format", format, "-o", "out", "--threads", threads])
            .args([
                "--on-error",
                "skip",
                "--rejects",
                "rejects.csv",
                "--summary",
                "summary.json",
            ])
            .current_dir(dir.path())
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read = |name: &str| std::fs::read(dir.path().join(name)).expect("reads");
        (read("out"), read("rejects.csv"), read("summary.json"))
    };
    for format in ["csv", "json", "ndjson", "table"] {
        let one = run(format, "1");
        let four = run(format, "4");
        assert!(!one.0.is_empty());
        assert!(one.0 == four.0, "{format}: the decisions differ");
        assert!(one.1 == four.1, "{format}: the rejects differ");
        assert!(one.2 == four.2, "{format}: the summaries differ");
        let summary: serde_json::Value = serde_json::from_slice(&one.2).expect("JSON");
        assert_eq!(summary["read"], 120_000);
        assert_eq!(summary["rejected"], 12);
        assert_eq!(summary["evaluated"], 120_000 - 12);
    }
}
