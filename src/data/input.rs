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
    /// An Excel workbook: one sheet, read whole when opened (`xlsx_in.rs`).
    Xlsx,
}

impl InputFormat {
    pub fn from_path(path: &std::path::Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" | "txt" | "tsv" => Some(InputFormat::Csv),
            "json" => Some(InputFormat::Json),
            "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
            "xlsx" | "xlsm" => Some(InputFormat::Xlsx),
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

/// How exports are opened: their kind when it is not the extension's, their encoding, and
/// a workbook's sheet (default: its first).
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    pub format: Option<InputFormat>,
    pub encoding: Encoding,
    pub sheet: Option<String>,
}

/// Extensions of spreadsheets that are not read: the message says what to do instead.
fn unread_spreadsheet(path: &Path) -> Option<String> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let what = match ext.as_str() {
        "xls" => "an old-style Excel workbook (.xls)",
        "xlsb" => "a binary Excel workbook (.xlsb)",
        "ods" => "an OpenDocument spreadsheet (.ods)",
        "numbers" => "a Numbers spreadsheet",
        _ => return None,
    };
    Some(format!(
        "{} is {what}, which is not read: save it as \"Excel Workbook (.xlsx)\" or as \"CSV UTF-8\"",
        path.display()
    ))
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
            if options.format.is_none() {
                if let Some(message) = unread_spreadsheet(path) {
                    return Err(message);
                }
            }
            if path.as_os_str() == "-" {
                if format == InputFormat::Xlsx {
                    return Err(
                        "an Excel workbook cannot be read from standard input (`-`): give its path"
                            .to_string(),
                    );
                }
                return Ok(Input {
                    name: "<stdin>".to_string(),
                    format,
                    reader: Box::new(Decoder::new(std::io::stdin(), options.encoding)),
                });
            }
            if path.is_dir() {
                return Err(format!("{} is a folder, not an export", path.display()));
            }
            let mut file = std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            // A workbook saved under another name (`klanten.csv`, or none) is known by its
            // first bytes: a zip archive is never a CSV export.
            let format = match options.format {
                None if format == InputFormat::Csv && is_zip(&mut file) => InputFormat::Xlsx,
                _ => format,
            };
            if format == InputFormat::Xlsx {
                return open_workbook(path, file, options.sheet.as_deref());
            }
            if options.sheet.is_some() {
                return Err(format!(
                    "--sheet is for Excel workbooks (.xlsx), and {} is not one",
                    path.display()
                ));
            }
            Ok(Input {
                name: path.display().to_string(),
                format,
                reader: Box::new(Decoder::new(file, options.encoding)),
            })
        })
        .collect()
}

/// Whether a regular file starts as a zip archive does (`PK\x03\x04`); it is read again
/// from its start either way. A FIFO or a device is not looked at: what is read from it
/// cannot be put back.
fn is_zip(file: &mut std::fs::File) -> bool {
    use std::io::{Seek, SeekFrom};
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut magic = [0u8; 4];
    let zip = file.read_exact(&mut magic).is_ok() && &magic == b"PK\x03\x04";
    file.seek(SeekFrom::Start(0)).is_ok() && zip
}

/// A workbook is read whole (a zip archive is no stream): its sheet becomes the record stream
/// of `xlsx_in::Records`. Err: the workbook cannot be read, or has no such sheet.
fn open_workbook(path: &Path, file: std::fs::File, sheet: Option<&str>) -> Result<Input, String> {
    let cannot = |e: String| format!("cannot read {}: {e}", path.display());
    let bytes = super::xlsx_in::read_file(file).map_err(|e| cannot(e.to_string()))?;
    let stream = super::xlsx_in::read_workbook(bytes, sheet).map_err(cannot)?;
    Ok(Input {
        name: path.display().to_string(),
        format: InputFormat::Xlsx,
        reader: Box::new(std::io::Cursor::new(stream)),
    })
}
