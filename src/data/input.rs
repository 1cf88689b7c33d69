//! One export to read: its name for messages, its kind, and a reader of its bytes (decoded
//! to UTF-8). Every command that reads an export opens it here and hands it to the runner.

use super::encoding::{Decoder, Encoding};
use std::io::Read;
use std::path::Path;

/// The kinds of export read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One export to read.
pub struct Input {
    /// The name used in messages (the path, or `<stdin>`).
    pub name: String,
    pub format: InputFormat,
    pub reader: Box<dyn Read + Send>,
}

/// How exports are opened: their kind when it is not the extension's, and their encoding.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenOptions {
    pub format: Option<InputFormat>,
    pub encoding: Encoding,
}

/// Opens exports by path (`-` is standard input, once). Err: a message about the paths.
pub fn open(paths: &[&Path], options: OpenOptions) -> Result<Vec<Input>, String> {
    let stdin_count = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return Err("standard input (`-`) can be read only once".to_string());
    }
    paths
        .iter()
        .map(|path| {
            let format = options
                .format
                .or_else(|| InputFormat::from_path(path))
                .unwrap_or(InputFormat::Csv);
            if path.as_os_str() == "-" {
                return Ok(Input {
                    name: "<stdin>".to_string(),
                    format,
                    reader: Box::new(Decoder::new(std::io::stdin(), options.encoding)),
                });
            }
            if path.is_dir() {
                return Err(format!("{} is a folder, not an export", path.display()));
            }
            let file = std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(Input {
                name: path.display().to_string(),
                format,
                reader: Box::new(Decoder::new(file, options.encoding)),
            })
        })
        .collect()
}
