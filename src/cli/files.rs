//! Finding and reading playbook files.

use crate::render::SourceFile;
use crate::syntax::{self, Parsed};
use std::path::{Path, PathBuf};

/// Expands directories into the `*.playbook` files below them, sorted; files are kept as given.
pub fn find_playbooks(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(input.clone());
        } else if input.is_dir() {
            let mut found = Vec::new();
            let root = std::fs::canonicalize(input)
                .map_err(|e| format!("cannot read the folder {}: {e}", input.display()))?;
            walk(input, &root, &mut found)
                .map_err(|e| format!("cannot read the folder {}: {e}", input.display()))?;
            // An empty folder is not a passed check: CI pointed at the wrong path must go red.
            if found.is_empty() {
                return Err(format!(
                    "no *.playbook files in the folder {}",
                    input.display()
                ));
            }
            found.sort();
            out.extend(found);
        } else if input.exists() && super::common::export_like(input) {
            // `playbook check regels.playbook klanten.csv`: `--data` forgotten. Read as a
            // playbook, the export would give a page of syntax errors.
            return Err(format!(
                "{} is an export, not a playbook: to check a playbook against it, write `playbook check PLAYBOOK --data {}`",
                input.display(),
                input.display()
            ));
        } else if input.exists() {
            out.push(input.clone());
        } else {
            return Err(format!("{}: no such file or folder", input.display()));
        }
    }
    Ok(out)
}

/// The `*.playbook` files below `dir`. Only regular files count, and links to them that
/// stay inside the folder given (`root`, resolved): a planted link must not make `check`
/// quote a secret file or `fmt` rewrite one elsewhere, and a FIFO must not hang the run.
fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            // Hidden folders (.git) and build output are not playbooks.
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.starts_with('.') && name != "target" {
                walk(&path, root, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "playbook") {
            match skip_reason(&path, kind, root) {
                None => out.push(path),
                Some(why) => eprintln!("warning: skipping {}: {why}", path.display()),
            }
        }
    }
    Ok(())
}

/// Why a `*.playbook` entry found in a folder is not read, if it is not.
fn skip_reason(path: &Path, kind: std::fs::FileType, root: &Path) -> Option<String> {
    if kind.is_file() {
        return None;
    }
    if !kind.is_symlink() {
        return Some("not a regular file".to_string());
    }
    match std::fs::canonicalize(path) {
        Ok(target) if !target.starts_with(root) => {
            Some(format!("a link to a file outside {}", root.display()))
        }
        Ok(target) if !target.is_file() => {
            Some("a link to something that is not a regular file".to_string())
        }
        Ok(_) => None,
        Err(e) => Some(format!("a broken link ({e})")),
    }
}

/// A playbook read from disk (or standard input for `-`) and parsed.
pub struct Loaded {
    pub file: SourceFile,
    pub parsed: Parsed,
}

pub fn load(path: &Path) -> Result<Loaded, String> {
    let (name, read) = if path == Path::new("-") {
        let read = read_bounded(std::io::stdin().lock(), None)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        ("<stdin>".to_string(), read)
    } else {
        let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
        let file = std::fs::File::open(path).map_err(cannot)?;
        let meta = file.metadata().map_err(cannot)?;
        if meta.is_dir() {
            return Err(format!("cannot read {}: it is a folder", path.display()));
        }
        let read = read_bounded(file, meta.is_file().then_some(meta.len())).map_err(cannot)?;
        (path.display().to_string(), read)
    };
    Ok(match read {
        Ok(bytes) => load_bytes(name, bytes),
        Err(size) => too_large(name, size),
    })
}

/// Reads at most [`syntax::MAX_SOURCE_BYTES`], checking while reading (`/dev/zero` must
/// not fill memory first). `Err(size)` when there is more: the size when known.
fn read_bounded(
    reader: impl std::io::Read,
    known: Option<u64>,
) -> std::io::Result<Result<Vec<u8>, Option<u64>>> {
    let limit = syntax::MAX_SOURCE_BYTES as u64;
    if known.is_some_and(|n| n > limit) {
        return Ok(Err(known));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut reader.take(limit + 1), &mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(known.filter(|n| *n > limit)));
    }
    Ok(Ok(bytes))
}

/// A playbook over the size limit: the one diagnostic `parse` gives for it.
fn too_large(name: String, size: Option<u64>) -> Loaded {
    let max = syntax::MAX_SOURCE_BYTES;
    let size = size.map_or(format!("more than {max}"), |n| n.to_string());
    let diag = crate::diagnostic::Diagnostic::new(
        crate::diagnostic::Code::TooLarge,
        crate::ast::Span::new(0, 0),
        format!("this playbook is {size} bytes; the largest that is read is {max} bytes"),
    )
    .help("split it into several playbook files");
    Loaded {
        file: SourceFile::new(name, String::new()),
        parsed: Parsed {
            playbook: Default::default(),
            diagnostics: vec![diag],
            skipped: Vec::new(),
        },
    }
}

/// A playbook from bytes read elsewhere (standard input, `git show`).
pub fn load_bytes(name: String, bytes: Vec<u8>) -> Loaded {
    match syntax::parse_bytes(&bytes) {
        Ok(parsed) => Loaded {
            file: SourceFile::new(name, String::from_utf8(bytes).unwrap_or_default()),
            parsed,
        },
        Err((lossy, diag)) => Loaded {
            file: SourceFile::new(name, lossy),
            parsed: Parsed {
                playbook: Default::default(),
                diagnostics: vec![diag],
                skipped: Vec::new(),
            },
        },
    }
}
