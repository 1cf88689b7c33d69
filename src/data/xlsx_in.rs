//! Excel workbooks (`.xlsx`) in: one sheet read through calamine into rows of cell texts, so
//! that the CSV cell reader reads them as it reads a CSV's cells.
//!
//! A typed cell is rendered as the text a CSV export would hold: a date cell as `2026-11-23`,
//! a number as its shortest form (`12.5`, `3`; `12,5` under a decimal comma), a bool as
//! `true`/`false`; a formula cell as its cached value. An error cell (`#N/A`) is kept as an
//! error, for the runner to reject its row naming the cell (`Blad1!C7`).
//!
//! The sheet is read whole when the export is opened (a workbook is a zip archive: it cannot
//! be read as a stream) and handed on as a stream of records, which [`Records`] reads.
//! Hostile files meet limits before calamine reads them: the archive's unpacked size, and the
//! count of shared strings it announces.

use std::io::{Read, Seek};

/// A workbook larger than this is not read (Excel's own exports stay far below it).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// The most bytes a workbook's parts may unpack to (a zip bomb is refused).
pub const MAX_UNPACKED_BYTES: u64 = 4 << 30;
/// The most bytes a sheet's cells may take once read (as text, a few bytes more per cell): a
/// million rows of twenty cells take about 300 MB.
pub const MAX_SHEET_BYTES: usize = 1 << 30;
/// Excel's own limit on the columns of a sheet.
const MAX_COLUMNS: u32 = 16_384;

/// A record's cell: the text a CSV would hold, or an Excel error (`#N/A`).
const VALUE: u8 = 0;
const ERROR: u8 = 1;
/// A number cell, written with a decimal point (the reader turns it to a comma if need be).
const NUMBER: u8 = 2;
/// A date cell, as `2026-11-23` (with ` 10:42:00` after it when it holds a time of day).
const DATE: u8 = 3;

/// Reads sheet `sheet` (else the first) of the workbook in `bytes` into the record stream
/// [`Records`] reads: the sheet's name, then one record per row that holds a cell, from the
/// header (the first such row) on.
pub fn read_workbook(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<u8>, String> {
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(
            "this is an old-style Excel workbook (.xls) or a password-protected one, which is \
             not read: in Excel, save it as \"Excel Workbook (.xlsx)\" without a password, or as \
             \"CSV UTF-8\""
                .to_string(),
        );
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(
            "this is not an Excel workbook (.xlsx): it is not a zip archive (an .xlsx file \
             starts with `PK`); if it is a CSV export, rename it to .csv or give --input-format csv"
                .to_string(),
        );
    }
    check_archive(&bytes, MAX_UNPACKED_BYTES)?;
    // calamine is a parser of untrusted files: should it panic on one, that is this file's
    // error, not a crash of the run.
    let read = std::panic::catch_unwind(|| read_sheet(bytes, sheet));
    read.unwrap_or_else(|_| {
        Err("this workbook could not be read (its parts are damaged): open it in Excel and save it \
             again as \"Excel Workbook (.xlsx)\", or as \"CSV UTF-8\""
            .to_string())
    })
}

/// The sheet's rows, once the workbook's size is known to be sane.
fn read_sheet(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<u8>, String> {
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let names = calamine::Reader::sheet_names(&book);
    let name = match sheet {
        Some(s) => match names.iter().find(|n| n.as_str() == s) {
            Some(n) => n.clone(),
            None => {
                let near = names.iter().find(|n| n.eq_ignore_ascii_case(s));
                return Err(match near {
                    Some(n) => format!(
                        "the workbook has no sheet `{s}`; did you mean `{n}`? Its sheets: {}",
                        list(&names)
                    ),
                    None => format!(
                        "the workbook has no sheet `{s}`; its sheets: {}",
                        list(&names)
                    ),
                });
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => return Err("the workbook has no sheets".to_string()),
        },
    };
    let mut cells = book.worksheet_cells_reader(&name).map_err(|e| broken(&e))?;
    let mut out = Vec::new();
    put(&mut out, name.as_bytes());
    let mut row: Option<Row> = None;
    loop {
        let cell = cells.next_cell().map_err(|e| broken(&e))?;
        let at = cell.as_ref().map(|c| c.get_position());
        if let Some((r, cs)) = &row {
            if at.is_none_or(|(next, _)| next != *r) {
                write_row(&mut out, *r, cs);
                row = None;
            }
        }
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        if c >= MAX_COLUMNS {
            return Err(format!(
                "the sheet `{name}` has a cell beyond Excel's last column (row {})",
                u64::from(r) + 1
            ));
        }
        let (kind, text) = render(cell.get_value());
        if kind == VALUE && text.is_empty() {
            continue;
        }
        match &mut row {
            Some((_, cs)) => cs.push((c, kind, text)),
            None => row = Some((r, vec![(c, kind, text)])),
        }
        if out.len() > MAX_SHEET_BYTES {
            return Err(format!(
                "the sheet `{name}` holds more than {} GiB of cells, more than is read from a \
                 workbook: save it as \"CSV UTF-8\" and read that",
                MAX_SHEET_BYTES >> 30
            ));
        }
    }
    Ok(out)
}

/// A row being read: its 0-based index and its cells (column, kind, text).
type Row = (u32, Vec<(u32, u8, String)>);

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn broken(e: &calamine::XlsxError) -> String {
    format!("this Excel workbook cannot be read: {e}")
}

/// A length-prefixed byte string.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// One row: its 1-based number, then its cells from column A on (cells not in the sheet
/// are empty); cells in the sheet out of column order are put in place.
fn write_row(out: &mut Vec<u8>, row: u32, cells: &[(u32, u8, String)]) {
    let width = cells.iter().map(|(c, _, _)| c + 1).max().unwrap_or(0);
    let mut texts: Vec<(u8, &str)> = vec![(VALUE, ""); width as usize];
    for (c, kind, text) in cells {
        texts[*c as usize] = (*kind, text);
    }
    out.extend_from_slice(&(row + 1).to_le_bytes());
    out.extend_from_slice(&width.to_le_bytes());
    for (kind, text) in texts {
        out.push(kind);
        put(out, text.as_bytes());
    }
}

/// A cell's value as the text a CSV export would hold (`ERROR` and the error's name for an
/// error cell).
fn render(value: &calamine::DataRef<'_>) -> (u8, String) {
    use calamine::DataRef as D;
    let text = match value {
        D::Empty => String::new(),
        D::String(s) => s.clone(),
        D::SharedString(s) => (*s).to_string(),
        D::Bool(b) => b.to_string(),
        D::Int(i) => return (NUMBER, i.to_string()),
        D::Float(f) => return (NUMBER, number_text(*f)),
        D::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            let text = if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            };
            return (DATE, text);
        }
        // A duration (`[h]:mm`) as its number of days.
        D::DateTime(d) => return (NUMBER, number_text(d.as_f64())),
        D::DateTimeIso(s) => {
            let text = s
                .strip_suffix("T00:00:00")
                .unwrap_or(s)
                .replacen('T', " ", 1);
            let date = s.get(..10).and_then(crate::dates::parse_iso).is_some();
            return (if date { DATE } else { VALUE }, text);
        }
        D::DurationIso(s) => s.clone(),
        D::Error(e) => return (ERROR, e.to_string()),
    };
    (VALUE, text)
}

/// A number as Excel shows it at most (15 significant digits, so no `0.30000000000000004`),
/// in its shortest form: `3`, not `3.0`.
pub fn number_text(n: f64) -> String {
    let rounded: f64 = format!("{n:.14e}").parse().unwrap_or(n);
    if rounded == 0.0 {
        "0".to_string()
    } else {
        rounded.to_string()
    }
}

/// Refuses an archive that unpacks to more than `limit` bytes (counted as it is unpacked, not
/// as its directory says), or whose shared strings announce more strings than their part
/// could hold (calamine reserves room for them all before reading one).
fn check_archive(bytes: &[u8], limit: u64) -> Result<(), String> {
    let bad = |e: zip::result::ZipError| format!("this Excel workbook cannot be read: {e}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(bad)?;
        let name = entry.name().map_err(bad)?.to_string();
        let room = limit - total;
        let mut head = Vec::new();
        let mut limited = (&mut entry).take(room + 1);
        let n = count_with_head(&mut limited, &mut head)
            .map_err(|e| format!("this Excel workbook cannot be read: its part {name}: {e}"))?;
        total += n;
        if total > limit {
            return Err(format!(
                "this Excel workbook unpacks to more than {} MiB: it is refused as a zip bomb",
                limit >> 20
            ));
        }
        if let Some(count) = announced_strings(&head) {
            // Each string takes at least `<si><t/></si>` (12 bytes).
            if count > n / 12 + 1 {
                return Err(format!(
                    "this Excel workbook is damaged: its part {name} announces {count} strings in {n} bytes"
                ));
            }
        }
    }
    Ok(())
}

/// Reads `r` to its end, keeping its first 4 KiB in `head`; the bytes read.
fn count_with_head(r: &mut impl Read, head: &mut Vec<u8>) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut n: u64 = 0;
    loop {
        let k = match r.read(&mut buf) {
            Ok(0) => return Ok(n),
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if head.len() < 4096 {
            let more = (4096 - head.len()).min(k);
            head.extend_from_slice(&buf[..more]);
        }
        n += k as u64;
    }
}

/// The `uniqueCount` a shared-strings part announces in its `<sst …>` tag (calamine reserves
/// room for that many; `count` counts the cells that use them, and may be larger).
fn announced_strings(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("<sst")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = "uniqueCount=\"";
    let at = tag.find(attr)? + attr.len();
    let digits: String = tag[at..].chars().take_while(char::is_ascii_digit).collect();
    // Too many digits for a u64 is as bad as a huge count.
    Some(digits.parse::<u64>().unwrap_or(u64::MAX))
}

/// A cell of a [`Records`] row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XlsxCell<'a> {
    /// The cell's text, as a CSV would hold it (empty for an empty cell).
    Value(&'a [u8]),
    /// A number cell's value, with a decimal point (`12.5`).
    Number(&'a [u8]),
    /// A date cell's value: `2026-11-23`, with ` 10:42:00` after it for a time of day.
    Date(&'a [u8]),
    /// An Excel error (`#N/A`, `#DIV/0!`).
    Error(&'a str),
}

/// The rows of a sheet from [`read_workbook`]'s stream (or a prefix of it).
pub struct Records<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Records<'a> {
    /// The sheet's name and its rows; `None` when `data` does not start with a whole name.
    pub fn new(data: &'a [u8]) -> Option<(String, Records<'a>)> {
        let (name, at) = take(data, 0)?;
        Some((
            String::from_utf8_lossy(name).into_owned(),
            Records { data, at },
        ))
    }

    /// Rows from byte `at` of a stream (a chunk of whole rows).
    pub fn from(data: &'a [u8], at: usize) -> Records<'a> {
        Records { data, at }
    }

    /// Where the reading stands.
    pub fn position(&self) -> usize {
        self.at
    }

    /// The next row's number (as Excel shows it) and cells; `None` at the end, or where the
    /// stream is cut short.
    pub fn next_row(&mut self, cells: &mut Vec<XlsxCell<'a>>) -> Option<u32> {
        cells.clear();
        let row = u32_at(self.data, self.at)?;
        let width = u32_at(self.data, self.at + 4)?;
        let mut at = self.at + 8;
        for _ in 0..width {
            let kind = *self.data.get(at)?;
            let (text, next) = take(self.data, at + 1)?;
            cells.push(match kind {
                ERROR => XlsxCell::Error(std::str::from_utf8(text).unwrap_or("#ERROR")),
                NUMBER => XlsxCell::Number(text),
                DATE => XlsxCell::Date(text),
                _ => XlsxCell::Value(text),
            });
            at = next;
        }
        self.at = at;
        Some(row)
    }
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn take(data: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let len = u32_at(data, at)? as usize;
    let start = at + 4;
    Some((data.get(start..start.checked_add(len)?)?, start + len))
}

/// A column's letters as Excel names it (0 → `A`, 26 → `AA`).
pub fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A row as a CSV line (for messages and the rejects file): error cells as their names.
pub fn row_as_csv(cells: &[XlsxCell<'_>]) -> String {
    let mut out = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let text = match cell {
            XlsxCell::Value(t) | XlsxCell::Number(t) | XlsxCell::Date(t) => *t,
            XlsxCell::Error(e) => e.as_bytes(),
        };
        let quote = text
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
        if quote {
            out.push(b'"');
            for &b in text {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(text);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl<'a> XlsxCell<'a> {
    /// The cell's text (an error's name for an error).
    pub fn text(&self) -> &'a [u8] {
        match self {
            XlsxCell::Value(t) | XlsxCell::Number(t) | XlsxCell::Date(t) => t,
            XlsxCell::Error(e) => e.as_bytes(),
        }
    }

    /// A date cell's day (whatever the format a field reads its text in).
    pub fn day(&self) -> Option<i32> {
        match self {
            XlsxCell::Date(t) => std::str::from_utf8(t.get(..10)?)
                .ok()
                .and_then(crate::dates::parse_iso),
            _ => None,
        }
    }
}

/// Reads a file whole, refusing one larger than [`MAX_FILE_BYTES`].
pub fn read_file(file: impl Read + Seek) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "the workbook is larger than {} GiB",
            MAX_FILE_BYTES >> 30
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_shortest_without_float_noise() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(12.5), "12.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1234567.891), "1234567.891");
        assert_eq!(number_text(1e20), "100000000000000000000");
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(2), "C");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn shared_string_counts_are_read_from_the_tag() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="99999999999999999999999">"#;
        assert_eq!(announced_strings(head), Some(u64::MAX));
        assert_eq!(
            announced_strings(br#"<sst count="3" uniqueCount="2">"#),
            Some(2)
        );
        assert_eq!(announced_strings(br#"<sst count="3">"#), None);
        assert_eq!(announced_strings(b"<worksheet>"), None);
    }

    #[test]
    fn an_archive_is_measured_as_it_unpacks() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let written = zip.start_file("xl/worksheets/sheet1.xml", deflated).is_ok()
            && zip.write_all(&vec![b' '; 3 << 20]).is_ok();
        assert!(written);
        let bytes = zip.finish().map(|c| c.into_inner()).unwrap_or_default();
        // 3 MiB of spaces deflate to a few KiB.
        assert!(bytes.len() < 64 << 10, "{}", bytes.len());
        assert_eq!(check_archive(&bytes, 4 << 20), Ok(()));
        let e = check_archive(&bytes, 2 << 20).err().unwrap_or_default();
        assert!(
            e.contains("more than 2 MiB: it is refused as a zip bomb"),
            "{e}"
        );
    }

    #[test]
    fn not_a_zip_and_old_excel_are_named() {
        let e = read_workbook(b"id,name\n".to_vec(), None)
            .err()
            .unwrap_or_default();
        assert!(e.contains("not a zip archive"), "{e}");
        let e = read_workbook(b"\xD0\xCF\x11\xE0rest".to_vec(), None)
            .err()
            .unwrap_or_default();
        assert!(e.contains(".xls"), "{e}");
        let e = read_workbook(b"PK\x03\x04truncated".to_vec(), None)
            .err()
            .unwrap_or_default();
        assert!(e.contains("cannot be read"), "{e}");
    }
}
