//! Arbitrary bytes as the `-o`, `--rejects` and `--summary` paths of `playbook eval`, run
//! in-process through the command line (`playbook::cli::run_from`). Every path stays inside a
//! fresh folder holding the playbook and the export, a hard link to the export, a folder, an
//! existing output, symbolic links (to the inputs, to the folder, to a file not there yet, a
//! loop) and a 250-byte name; a path may name the same file twice, a folder, go down and up
//! again (`..`), or through a link. Whatever the run answers:
//!
//! - nothing panics;
//! - the inputs are never written over: the playbook, the export and every name that leads
//!   to them (the hard link, the links) keep their bytes, and the links stay links;
//! - no temporary file is left anywhere in the folder;
//! - nothing beside the folder is created or changed (a file beside it keeps its bytes, and
//!   the current directory's entries are as before);
//! - a run that succeeds wrote each output it was given.

use std::path::{Path, PathBuf};

const PLAYBOOK: &[u8] =
    b"playbook \"p\"\n\ncustomer {\n  id text key\n  n  number\n}\n\nrule big\n  when n > 1\n  then a\n";
const EXPORT: &[u8] = b"id,n\nA,1\nB,2\nC,x\n";

/// The names a path is made of.
fn component(b: u8) -> String {
    match b % 16 {
        0 => "e.csv".into(),
        1 => "p.playbook".into(),
        2 => "alias.csv".into(),
        3 => "dir".into(),
        4 => "old.csv".into(),
        5 => "to_export".into(),
        6 => "to_dir".into(),
        7 => "to_new.ndjson".into(),
        8 => "loop".into(),
        9 => "..".into(),
        10 => ".".into(),
        11 => format!("{}.csv", "l".repeat(246)),
        12 => "out.json".into(),
        13 => "r.csv".into(),
        14 => "s".into(),
        _ => "to_playbook".into(),
    }
}

/// A path inside `work` from the bytes (a `..` never climbs above `work`), and whether it
/// ends in `/`.
fn path(work: &Path, bytes: &[u8]) -> PathBuf {
    let mut parts: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for &b in bytes.iter().take(4) {
        let c = component(b);
        if c == ".." {
            if depth == 0 {
                continue;
            }
            depth -= 1;
        } else if c != "." {
            depth += 1;
        }
        parts.push(c);
    }
    if parts.is_empty() {
        parts.push("out.ndjson".into());
    }
    let mut p = work.to_path_buf();
    for c in parts {
        p.push(c);
    }
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        let mut s = p.into_os_string();
        s.push("/");
        p = PathBuf::from(s);
    }
    p
}

fn lay_out(work: &Path) {
    std::fs::create_dir(work).expect("work");
    std::fs::write(work.join("p.playbook"), PLAYBOOK).expect("writes");
    std::fs::write(work.join("e.csv"), EXPORT).expect("writes");
    std::fs::hard_link(work.join("e.csv"), work.join("alias.csv")).expect("links");
    std::fs::create_dir(work.join("dir")).expect("dir");
    std::fs::write(work.join("dir/old.csv"), b"old\n").expect("writes");
    std::fs::write(work.join("old.csv"), b"old\n").expect("writes");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, work.join(name)).expect("links")
    };
    link("e.csv", "to_export");
    link("p.playbook", "to_playbook");
    link("dir", "to_dir");
    link("new.ndjson", "to_new.ndjson");
    link("loop", "loop");
}

/// Every entry under `dir` (links not followed), with its kind and, for files, its bytes.
fn tree(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let to = std::fs::read_link(&p).unwrap_or_default();
            out.push((p, format!("link {}", to.display())));
        } else if kind.is_dir() {
            out.push((p.clone(), "dir".into()));
            tree(&p, out);
        } else {
            out.push((p, "file".into()));
        }
    }
}

fn names(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The property, for one input: panics when it does not hold.
pub fn holds(data: &[u8]) {
    let root = tempfile::tempdir().expect("a temporary folder");
    let work = root.path().join("work");
    lay_out(&work);
    std::fs::write(root.path().join("beside.txt"), b"beside\n").expect("writes");
    let cwd = std::env::current_dir().ok();
    let cwd_before = cwd.as_deref().map(names);

    // Three paths, cut from the input at 0xff bytes; flags from the first byte.
    let flags = data.first().copied().unwrap_or(0);
    let rest = data.get(1..).unwrap_or(&[]);
    let mut pieces = rest.split(|&b| b == 0xff);
    let mut args: Vec<std::ffi::OsString> = vec![
        "playbook".into(),
        "eval".into(),
        work.join("p.playbook").into(),
        work.join("e.csv").into(),
        "--on-error".into(),
        "skip".into(),
        "--quiet".into(),
        "--threads".into(),
        "1".into(),
    ];
    let mut outputs = Vec::new();
    for (flag, option) in [(1, "-o"), (2, "--rejects"), (4, "--summary")] {
        let piece = pieces.next().unwrap_or(&[]);
        if flags & flag != 0 || !piece.is_empty() {
            let p = path(&work, piece);
            args.push(option.into());
            args.push(p.clone().into());
            outputs.push(p);
        }
    }
    if flags & 8 != 0 {
        args.push("--format".into());
        args.push("ndjson".into());
    }
    let exit = playbook::cli::run_from(args);

    // The inputs, and every name leading to them, keep their bytes.
    for (name, bytes) in [
        ("p.playbook", PLAYBOOK),
        ("e.csv", EXPORT),
        ("alias.csv", EXPORT),
        ("to_export", EXPORT),
        ("to_playbook", PLAYBOOK),
    ] {
        let read = std::fs::read(work.join(name)).unwrap_or_default();
        assert!(read == bytes, "{name} was written over ({exit:?})");
    }
    for name in [
        "to_export",
        "to_playbook",
        "to_dir",
        "to_new.ndjson",
        "loop",
    ] {
        let meta = std::fs::symlink_metadata(work.join(name)).expect("still there");
        assert!(meta.file_type().is_symlink(), "{name} is no longer a link");
    }
    // No temporary file anywhere; nothing beside the folder.
    let mut all = Vec::new();
    tree(root.path(), &mut all);
    for (p, kind) in &all {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        assert!(
            !(name.starts_with('.') && name.ends_with(".tmp")),
            "a temporary file is left: {} ({kind})",
            p.display()
        );
        assert!(
            p.starts_with(&work) || p == &root.path().join("beside.txt") || p == &work,
            "{} was created beside the folder",
            p.display()
        );
    }
    assert_eq!(
        std::fs::read(root.path().join("beside.txt"))
            .ok()
            .as_deref(),
        Some(&b"beside\n"[..])
    );
    assert_eq!(
        cwd.as_deref().map(names),
        cwd_before,
        "the current folder changed"
    );
    if exit == playbook::cli::Exit::Ok {
        for p in &outputs {
            assert!(
                std::fs::metadata(p).is_ok_and(|m| m.is_file()),
                "{} was not written, yet the run succeeded",
                p.display()
            );
        }
    }
}
