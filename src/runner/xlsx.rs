//! The Excel path: a sheet read when its workbook was opened (`data::xlsx_in`), its first row
//! the header, the rows after it cut into chunks and each read by the CSV cell reader and
//! decided. Rows are named as Excel numbers them, cells as `Blad1!C7`.

use crate::data::csv_in::{Chunk, MAX_COLUMNS};
use crate::data::error::DataError;
use crate::data::rows::{field_range, xlsx_row};
use crate::data::xlsx_in::{column_letters, row_as_csv, Records, XlsxCell};
use crate::eval::program::Program;
use crate::eval::Outcome;
use crate::row::parse::Numbers;
use crate::row::{Binding, Cell, Row};
use crate::runner::output::Writer;
use std::io::Read;

use super::csv::duplicate_column;
use super::done::{reject, Done};
use super::ids::hash_id;
use super::rows::{bind_to, decide, recycle, warn_near_columns};
use super::schedule::{drive, Emit};
use super::{write_start, Failure, Input, Options, Out, Stats};

/// Reads and decides one sheet, its header bound to the program.
pub(super) fn run_xlsx(
    program: &Program,
    mut input: Input,
    options: &Options,
    out: &mut Out<'_>,
) -> Result<Stats, Failure> {
    let file = input.name.clone();
    let mut stream = Vec::new();
    input.reader.read_to_end(&mut stream).map_err(|e| {
        Failure::Data(Box::new(DataError::new(
            &file,
            format!("cannot read the export: {e}"),
        )))
    })?;
    let empty = |sheet: &str| {
        Failure::Data(Box::new(
            DataError::new(
                &file,
                format!("the sheet `{sheet}` is empty: it has no header row"),
            )
            .help("an export starts with a header row naming its columns; give another sheet with --sheet NAME"),
        ))
    };
    let Some((sheet, mut records)) = Records::new(&stream) else {
        return Err(empty(""));
    };
    let mut cells = Vec::new();
    if records.next_row(&mut cells).is_none() {
        return Err(empty(&sheet));
    }
    let header: Vec<String> = cells.iter().map(cell_text).collect();
    if header.len() > MAX_COLUMNS {
        return Err(Failure::Data(Box::new(DataError::new(
            &file,
            format!(
                "the sheet has {} columns; at most {MAX_COLUMNS} are read",
                header.len()
            ),
        ))));
    }
    warn_near_columns(program, &header, true, options);
    let binding = bind_to(program, &file, &header)?;
    let writer = Writer::new(program, options.out_format, options.csv_dialect);
    write_start(out, &writer)?;
    duplicate_column(&file, &binding, &header)?;
    // Chunks of whole rows, cut as the workers ask for them.
    let mut at = records.position();
    let rows = &stream;
    let chunk_bytes = options.chunk_bytes;
    let next =
        move || -> Result<Option<Chunk>, crate::data::csv_in::ChunkError> {
            let start = at;
            let mut records = Records::from(rows, at);
            let mut scratch = Vec::new();
            let mut first = None;
            while records.position() - start < chunk_bytes {
                match records.next_row(&mut scratch) {
                    Some(row) => {
                        first.get_or_insert(row);
                    }
                    None => break,
                }
            }
            at = records.position();
            Ok(first
                .map(|row| Chunk::detached(rows[start..at].to_vec(), u64::from(row), start as u64)))
        };
    let sheet_ctx = Sheet {
        binding: &binding,
        header: &header,
        file: &file,
        sheet: &sheet,
    };
    let job = |chunk: &Chunk, emit: Emit<'_>| -> Done {
        sheet_chunk(program, &writer, chunk, &sheet_ctx, options, emit)
    };
    drive(program, options, out, next, job, &file)
}

/// What the header told about a sheet.
struct Sheet<'h> {
    binding: &'h Binding,
    header: &'h [String],
    file: &'h str,
    sheet: &'h str,
}

fn cell_text(cell: &XlsxCell<'_>) -> String {
    String::from_utf8_lossy(cell.text()).into_owned()
}

/// Decides every row of a chunk of a sheet.
fn sheet_chunk(
    program: &Program,
    writer: &Writer,
    chunk: &Chunk,
    sheet: &Sheet<'_>,
    options: &Options,
    emit: Emit<'_>,
) -> Done {
    let columns = sheet.header.len();
    let numbers = Numbers::new(program.decimal_comma, b',');
    let mut done = Done::new(program);
    let mut outcome = Outcome::default();
    let mut records = Records::from(&chunk.data, 0);
    let mut cells: Vec<XlsxCell<'_>> = Vec::with_capacity(columns);
    let mut cells_store: Vec<Cell<'static>> = Vec::with_capacity(program.slots.len());
    loop {
        if done.is_full(options) && !emit(std::mem::replace(&mut done, Done::new(program))) {
            break;
        }
        let Some(row) = records.next_row(&mut cells) else {
            break;
        };
        done.stats.read += 1;
        // Excel leaves the empty cells at a row's end out.
        cells.resize(cells.len().max(columns), XlsxCell::Value(b""));
        if let Some(problem) = row_problem(sheet, &cells, columns) {
            let error = sheet_error(sheet, row, &cells, problem);
            let id = cells.get(sheet.binding.key_column).map(XlsxCell::text);
            done.explain_rejected(options, id, &error);
            let raw = row_as_csv(&cells);
            reject(&mut done, error, raw.as_bytes(), options);
            if done.error.is_some() {
                break;
            }
            continue;
        }
        // A number cell is written `12.5`; an export with decimal commas reads `12,5`.
        let commas: Vec<Vec<u8>> = if numbers == Numbers::Comma {
            cells
                .iter()
                .map(|c| match c {
                    XlsxCell::Number(t) => t
                        .iter()
                        .map(|&b| if b == b'.' { b',' } else { b })
                        .collect(),
                    _ => Vec::new(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let fields: Vec<&[u8]> = cells
            .iter()
            .take(columns)
            .enumerate()
            .map(|(i, c)| match c {
                XlsxCell::Number(_) if !commas.is_empty() => commas[i].as_slice(),
                XlsxCell::Error(_) => b"",
                _ => c.text(),
            })
            .collect();
        let days: Vec<Option<i32>> = cells.iter().take(columns).map(XlsxCell::day).collect();
        let mut row_cells = recycle(std::mem::take(&mut cells_store));
        match xlsx_row(sheet.binding, &fields, &days, numbers, &mut row_cells) {
            Ok(id) => {
                let decided = Row {
                    id,
                    cells: &row_cells,
                };
                decide(program, &decided, options, &mut outcome, &mut done.stats);
                done.stats.count(program, &outcome);
                done.hashes.push(hash_id(id));
                writer.decision(&mut done.output, program, &decided, &outcome, !done.any);
                done.any = true;
                done.explain(program, options, &decided, || {
                    format!("row {row} of {}, sheet {}", sheet.file, sheet.sheet)
                });
            }
            Err(cell) => {
                let problem = Problem {
                    column: cell.column,
                    message: cell.message,
                    help: None,
                };
                let error = sheet_error(sheet, row, &cells, problem);
                let id = fields.get(sheet.binding.key_column).copied();
                done.explain_rejected(options, id, &error);
                let raw = row_as_csv(&cells);
                reject(&mut done, error, raw.as_bytes(), options);
            }
        }
        cells_store = recycle(row_cells);
        if done.error.is_some() {
            break;
        }
    }
    done
}

/// Why a row cannot be read, before its cells are.
struct Problem {
    column: Option<usize>,
    message: String,
    help: Option<String>,
}

/// A value beyond the header's last column, or an Excel error in a column the playbook reads.
fn row_problem(sheet: &Sheet<'_>, cells: &[XlsxCell<'_>], columns: usize) -> Option<Problem> {
    if let Some(extra) = cells.get(columns..).and_then(|extra| {
        extra
            .iter()
            .position(|c| !matches!(c, XlsxCell::Value(b"")))
    }) {
        let column = columns + extra;
        return Some(Problem {
            column: Some(column),
            message: format!(
                "this row has a value in column {}, and the header's last column is {}",
                column_letters(column),
                column_letters(columns.saturating_sub(1))
            ),
            help: Some("give that column a name in the header row, or clear the cell".to_string()),
        });
    }
    let read =
        |c: usize| c == sheet.binding.key_column || sheet.binding.read_columns().any(|r| r == c);
    cells.iter().enumerate().find_map(|(c, cell)| match cell {
        XlsxCell::Error(e) if read(c) => Some(Problem {
            column: Some(c),
            message: format!("the cell holds the Excel error {e}, not a value"),
            help: Some(
                "fix the formula in Excel (or clear the cell), then save the workbook again"
                    .to_string(),
            ),
        }),
        _ => None,
    })
}

/// A bad row's error: the file and Excel's row number, the cell (`Blad1!C7`) and its column,
/// and the row written as a CSV line with the cell marked.
fn sheet_error(sheet: &Sheet<'_>, row: u32, cells: &[XlsxCell<'_>], problem: Problem) -> DataError {
    let raw = row_as_csv(cells);
    let range = problem
        .column
        .and_then(|c| field_range(raw.as_bytes(), b',', c));
    let message = match problem.column {
        Some(c) => format!(
            "{} (cell {}!{}{row})",
            problem.message,
            sheet.sheet,
            column_letters(c)
        ),
        None => problem.message,
    };
    let mut error = DataError::new(sheet.file, message).at_line(u64::from(row));
    error.column = problem.column.map(|c| match sheet.header.get(c) {
        Some(h) if !h.trim().is_empty() => h.clone(),
        _ => format!("column {}", column_letters(c)),
    });
    error.help = problem.help;
    error.record = Some((raw, range));
    error
}
