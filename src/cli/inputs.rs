//! Opening exports, and sampling the first one to infer a schema.

use crate::ast::{Expr, ExprKind, Playbook};
use crate::check::model::{FieldDef, Type};
use crate::data::encoding::{Decoder, Encoding};
use crate::data::error::DataError;
use crate::data::infer::{infer, SAMPLE_ROWS};
use crate::runner::{Input, InputFormat};
use std::io::Read;
use std::path::PathBuf;

/// Flags about reading exports, shared by `eval`, `explain` and `schema`.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// The evaluation date, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The exports' format (default: from the extension, else CSV).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Numbers in the export use a decimal comma (12,50).
    #[arg(long)]
    pub decimal_comma: bool,
    /// The CSV delimiter (default: detected among `,` `;` and tab).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// The exports' text encoding (default UTF-8; Excel on Windows often saves windows-1252).
    #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
    pub encoding: Encoding,
    /// The most line breaks one quoted CSV cell may hold; more is read as a stray quote.
    #[arg(long, value_name = "N", default_value_t = crate::data::split::MAX_CELL_LINES)]
    pub max_cell_lines: u64,
}

pub fn open_inputs(paths: &[PathBuf], args: &InputArgs) -> Result<Vec<Input>, String> {
    if let Some(d) = args.delimiter {
        if !d.is_ascii() || d == '"' || d == '\n' || d == '\r' {
            return Err(format!("--delimiter `{d}` cannot be used: pick one ASCII character such as `,`, `;` or `|`"));
        }
    }
    let stdin_count = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return Err("standard input (`-`) can be read only once".to_string());
    }
    paths
        .iter()
        .map(|path| {
            let format = args
                .input_format
                .or_else(|| InputFormat::from_path(path))
                .unwrap_or(InputFormat::Csv);
            if path.as_os_str() == "-" {
                return Ok(Input {
                    name: "<stdin>".to_string(),
                    format,
                    reader: Box::new(Decoder::new(std::io::stdin(), args.encoding)),
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
                reader: Box::new(Decoder::new(file, args.encoding)),
            })
        })
        .collect()
}

/// Reads the start of an export (and puts it back) to infer the fields.
pub fn sample_for_inference(
    input: &mut Input,
    playbook: &Playbook,
    args: &InputArgs,
) -> Result<Vec<FieldDef>, Box<DataError>> {
    const PREFIX: u64 = 1 << 20;
    let reader = std::mem::replace(&mut input.reader, Box::new(std::io::empty()));
    let mut prefix = Vec::new();
    // The first megabyte: a JSON array's items in it, as a CSV's rows.
    let mut limited = reader.take(PREFIX);
    limited.read_to_end(&mut prefix).map_err(|e| {
        Box::new(DataError::new(
            &input.name,
            format!("cannot read the export: {e}"),
        ))
    })?;
    let mut reader = limited.into_inner();
    let usage = usage_types(playbook);
    let decimal_comma = args.decimal_comma
        || playbook.policies().any(|p| {
            p.items
                .iter()
                .any(|i| matches!(i, crate::ast::PolicyItem::DecimalComma { .. }))
        });
    let (header, rows) = match input.format {
        InputFormat::Csv => csv_sample(&prefix, args.delimiter.map(|d| d as u8)),
        InputFormat::Ndjson => json_sample(
            prefix
                .split(|&b| b == b'\n')
                .filter_map(|l| serde_json::from_slice(l).ok())
                .collect(),
        ),
        InputFormat::Json => {
            use crate::data::json_array::{items, scan, Between};
            let whole = scan(Between::Start, &prefix, 1, prefix.len() < PREFIX as usize)
                .ok()
                .and_then(|s| s.cut)
                .map_or(0, |(cut, _, _)| cut);
            json_sample(
                items(&prefix[..whole], 1)
                    .filter_map(|(_, item)| serde_json::from_slice(item).ok())
                    .collect(),
            )
        }
    };
    let fields = infer(&header, &rows, decimal_comma, &usage);
    // Day first is a guess where every date also reads month first: say so, and how to choose.
    for a in crate::data::infer::ambiguous_dates(&header, &rows, &fields) {
        let name = crate::data::infer::display_name(&a.column);
        let warning = format!(
            "warning: {}: every date in the column `{}` reads both day first and month first (`{}`: day first {}, month first {}); it is read day first",
            input.name,
            a.column,
            a.example,
            iso_or(&a.example, &a.day_first),
            iso_or(&a.example, &a.month_first),
        );
        let help = format!(
            "  help: say which in a `customer` block: `{name} date? format \"{}\"` (day first) or `{name} date? format \"{}\"` (month first); `playbook schema {}` prints a block to start from",
            a.day_first, a.month_first, input.name,
        );
        eprintln!("{}", crate::render::visible(&warning));
        eprintln!("{}", crate::render::visible(&help));
    }
    let rest = std::mem::replace(&mut reader, Box::new(std::io::empty()));
    input.reader = Box::new(std::io::Cursor::new(prefix).chain(rest));
    Ok(fields)
}

fn csv_sample(prefix: &[u8], delimiter: Option<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    let mut cursor = prefix;
    let Ok(header) = crate::data::csv_in::read_header(&mut cursor, delimiter) else {
        return (Vec::new(), Vec::new());
    };
    let complete =
        crate::data::csv_in::last_record_end(&header.rest, header.delimiter).unwrap_or(0);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(header.delimiter)
        .from_reader(&header.rest[..complete]);
    let rows = rdr
        .byte_records()
        .take(SAMPLE_ROWS)
        .filter_map(Result::ok)
        .map(|r| {
            r.iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        })
        .collect();
    (header.columns, rows)
}

fn json_sample(
    objects: Vec<serde_json::Map<String, serde_json::Value>>,
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = Vec::new();
    for o in objects.iter().take(SAMPLE_ROWS) {
        for k in o.keys() {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
    }
    let rows = objects
        .iter()
        .take(SAMPLE_ROWS)
        .map(|o| {
            header
                .iter()
                .map(|k| match o.get(k) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Array(items)) => items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| i.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(";"),
                    Some(v) => v.to_string(),
                })
                .collect()
        })
        .collect();
    (header, rows)
}

/// The type each bare name gets from how conditions use it: `has` makes a list; a comparison
/// with a number, date or text literal (or a list of them), that literal's type; unary minus a
/// number; `within`/`ago`/`anniversary`/
/// `days_since` a date; a name standing alone as a condition a bool.
fn usage_types(playbook: &Playbook) -> Vec<(String, Type)> {
    let mut out: Vec<(String, Type)> = Vec::new();
    let mut note = |name: &Expr, ty: Type| {
        if let ExprKind::Name(n) = &name.kind {
            if !out.iter().any(|(k, _)| *k == n.text) || ty == Type::ListOfText {
                out.retain(|(k, _)| *k != n.text);
                out.push((n.text.clone(), ty));
            }
        }
    };
    let literal = |e: &Expr| match &e.kind {
        ExprKind::Number(_) | ExprKind::Neg(_) => Some(Type::Number),
        ExprKind::Date(_) => Some(Type::Date),
        ExprKind::Text(_) => Some(Type::Text),
        ExprKind::Bool(_) => Some(Type::Bool),
        _ => None,
    };
    let mut visit = |e: &Expr| match &e.kind {
        ExprKind::Has { list, .. } => note(list, Type::ListOfText),
        ExprKind::Compare { left, right, .. } => {
            if let Some(t) = literal(right) {
                note(left, t);
            }
            if let Some(t) = literal(left) {
                note(right, t);
            }
        }
        ExprKind::Between { value, low, .. } => {
            if let Some(t) = literal(low) {
                note(value, t);
            }
        }
        ExprKind::Within { date, .. }
        | ExprKind::MoreThanAgo { date, .. }
        | ExprKind::Anniversary { date, .. } => note(date, Type::Date),
        ExprKind::Call { argument, .. } => note(argument, Type::Date),
        ExprKind::Arith { left, right, .. } => {
            note(left, Type::Number);
            note(right, Type::Number);
        }
        ExprKind::Neg(inner) => note(inner, Type::Number),
        ExprKind::InList { value, items, .. } => {
            if let Some(t) = items.iter().find_map(literal) {
                note(value, t);
            }
        }
        ExprKind::And(items) | ExprKind::Or(items) => {
            items.iter().for_each(|i| note(i, Type::Bool))
        }
        ExprKind::Not(inner) => note(inner, Type::Bool),
        _ => {}
    };
    for e in playbook.conditions() {
        visit(e);
        e.walk(&mut visit);
    }
    // A whole condition that is a bare name is a bool test.
    for e in playbook.conditions() {
        if let ExprKind::Name(_) = &e.kind {
            note(e, Type::Bool);
        }
    }
    out
}

/// `text` read with the date pattern, as an ISO date.
fn iso_or(text: &str, pattern: &str) -> String {
    crate::dates::DateFormat::parse(pattern)
        .ok()
        .and_then(|f| f.parse_date(text.trim()))
        .map_or_else(|| text.to_string(), crate::dates::iso)
}
