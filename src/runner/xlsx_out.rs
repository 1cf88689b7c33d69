//! Decisions as an Excel workbook (`-o beslissingen.xlsx`): the rows and columns of the CSV
//! decisions, on one sheet with its header row frozen and filters on it, each cell typed:
//! a date argument is an Excel date (shown yyyy-mm-dd), a number a number, `holdout` a
//! boolean; customer ids and names stay text (`00123` keeps its zeros).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// An Excel sheet holds at most this many rows, the header's included.
pub const MAX_ROWS: usize = 1_048_576;

/// The workbook of the CSV decisions in `csv` (header first; as `OutFormat::Csv` writes them).
pub fn workbook(csv: &[u8]) -> Result<Vec<u8>, String> {
    let failed = |e: rust_xlsxwriter::XlsxError| {
        format!("the decisions cannot be written as an Excel workbook: {e}")
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("decisions").map_err(failed)?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut header: Vec<String> = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(format!(
                    "the decisions cannot be written as an Excel workbook: {e}"
                ))
            }
        }
        if row as usize >= MAX_ROWS {
            return Err(format!(
                "there are more decisions than an Excel sheet has rows ({} at most): write them as CSV (-o beslissingen.csv)",
                MAX_ROWS - 1
            ));
        }
        for (c, text) in record.iter().enumerate() {
            let col = c as u16;
            if widths.len() <= c {
                widths.resize(c + 1, 0);
            }
            widths[c] = widths[c].max(text.chars().count());
            if row == 0 {
                header.push(text.to_string());
                sheet
                    .write_string_with_format(row, col, text, &bold)
                    .map_err(failed)?;
                continue;
            }
            if text.is_empty() {
                continue;
            }
            match header.get(c).map(String::as_str) {
                // Ids are names, however they look: `00123` and `1e5` stay as written.
                Some("customer") if c == 0 => {
                    sheet.write_string(row, col, text).map_err(failed)?;
                }
                Some("holdout") if c + 1 == record.len() => {
                    sheet
                        .write_boolean(row, col, text == "true")
                        .map_err(failed)?;
                }
                _ => match typed(text) {
                    Typed::Number(n) => {
                        sheet.write_number(row, col, n).map_err(failed)?;
                    }
                    Typed::Date(y, m, d) => {
                        let day = ExcelDateTime::from_ymd(y, m, d).map_err(failed)?;
                        sheet
                            .write_date_with_format(row, col, &day, &date)
                            .map_err(failed)?;
                    }
                    Typed::Text => {
                        sheet.write_string(row, col, text).map_err(failed)?;
                    }
                },
            }
        }
        row += 1;
    }
    if !header.is_empty() {
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        let last_col = (header.len() - 1) as u16;
        sheet
            .autofilter(0, 0, row.saturating_sub(1), last_col)
            .map_err(failed)?;
        for (c, w) in widths.iter().enumerate() {
            // Room for the filter button; no wider than a screenful.
            let width = (*w as f64 + 3.0).clamp(8.0, 60.0);
            sheet.set_column_width(c as u16, width).map_err(failed)?;
        }
    }
    book.save_to_buffer().map_err(failed)
}

/// What a decision's cell holds.
#[derive(Debug, PartialEq)]
enum Typed {
    Number(f64),
    Date(u16, u8, u8),
    Text,
}

/// A cell's type by its text: a number written as a number reads it back (`12.5`, `-3`, not
/// `012` or `1e5`), a date written `yyyy-mm-dd` that is a real date; else text.
fn typed(text: &str) -> Typed {
    if let Some(days) = crate::dates::parse_iso(text) {
        let (y, m, d) = crate::dates::civil_from_days(days);
        if let (Ok(y), Ok(m), Ok(d)) = (u16::try_from(y), u8::try_from(m), u8::try_from(d)) {
            if (1900..=9999).contains(&y) {
                return Typed::Date(y, m, d);
            }
        }
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
        && digits.len() <= 15;
    match text.parse::<f64>() {
        Ok(n) if plain => Typed::Number(n),
        _ => Typed::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_typed_by_their_text() {
        assert_eq!(typed("12.5"), Typed::Number(12.5));
        assert_eq!(typed("-3"), Typed::Number(-3.0));
        assert_eq!(typed("0.25"), Typed::Number(0.25));
        assert_eq!(typed("2026-11-23"), Typed::Date(2026, 11, 23));
        for text in [
            "012",
            "1e5",
            "2026-02-30",
            "twaalf",
            "12,5",
            ".5",
            "5.",
            "1234567890123456",
        ] {
            assert_eq!(typed(text), Typed::Text, "{text}");
        }
    }

    #[test]
    fn a_workbook_is_a_zip_archive() {
        let book = workbook(b"customer,rule,action,argument,channel,holdout\nC1,r,a,,,false\n")
            .unwrap_or_default();
        assert!(book.starts_with(b"PK\x03\x04"));
    }
}
