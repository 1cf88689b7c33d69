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
            walk(input, &mut found)
                .map_err(|e| format!("cannot read the folder {}: {e}", input.display()))?;
            found.sort();
            out.extend(found);
        } else if input.exists() {
            out.push(input.clone());
        } else {
            return Err(format!("{}: no such file or folder", input.display()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            // Hidden folders (.git) and build output are not playbooks.
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.starts_with('.') && name != "target" {
                walk(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "playbook") {
            out.push(path);
        }
    }
    Ok(())
}

/// A playbook read from disk (or standard input for `-`) and parsed.
pub struct Loaded {
    pub file: SourceFile,
    pub parsed: Parsed,
}

pub fn load(path: &Path) -> Result<Loaded, String> {
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    let name = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    Ok(load_bytes(name, bytes))
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
