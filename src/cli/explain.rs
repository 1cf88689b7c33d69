//! `playbook explain PLAYBOOK EXPORT --customer ID`: why this customer got their decision.

use super::common::{as_of, report};
use super::eval::checked;
use super::files::load;
use super::inputs::{open_inputs, sample_for_inference, InputArgs};
use super::{usage_error, Exit};
use crate::check::SchemaSource;
use crate::data::csv_in::read_header;
use crate::data::error::DataError;
use crate::data::json_in::{parse_object, KeyOrder};
use crate::data::rows::{csv_row, json_cells, json_index, json_prepare};
use crate::eval::explain::explain;
use crate::eval::{compile, Row};
use crate::render::{self, Format};
use crate::runner::InputFormat;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The playbook.
    pub playbook: PathBuf,
    /// The export holding the customer (`-` for standard input).
    pub export: PathBuf,
    /// The customer's id (the key column's value).
    #[arg(long, value_name = "ID")]
    pub customer: String,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: ExplainArgs) -> Exit {
    let as_of = match as_of(args.input.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    let loaded = match load(&args.playbook) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let mut inputs = match open_inputs(std::slice::from_ref(&args.export), &args.input) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let mut input = inputs.remove(0);
    let inferred = if loaded.parsed.playbook.schemas().next().is_none()
        && loaded.parsed.diagnostics.is_empty()
    {
        match sample_for_inference(&mut input, &loaded.parsed.playbook, &args.input) {
            Ok(f) => Some(f),
            Err(e) => return data_error(&e),
        }
    } else {
        None
    };
    let schema = match &inferred {
        Some(f) => SchemaSource::Inferred(f),
        None => SchemaSource::File,
    };
    let Some(model) = checked(&loaded, schema, Format::Human) else {
        return Exit::Findings;
    };
    let wanted = args.customer.trim();
    let decimal_comma = args.input.decimal_comma;
    let found = match input.format {
        InputFormat::Csv => {
            let header = match read_header(&mut input.reader, args.input.delimiter.map(|d| d as u8))
            {
                Ok(h) => h,
                Err(e) => {
                    return data_error(&DataError::new(
                        &input.name,
                        format!("cannot read the export: {e:?}"),
                    ))
                }
            };
            let mut program = match compile(&model, &header.columns) {
                Ok(p) => p,
                Err(diags) => {
                    report(&diags, &loaded, Format::Human);
                    return Exit::Findings;
                }
            };
            program.decimal_comma |= decimal_comma;
            let reader = std::io::Cursor::new(header.rest).chain(input.reader);
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(header.delimiter)
                .from_reader(reader);
            let mut record = csv::ByteRecord::new();
            let mut result = None;
            while let Ok(true) = rdr.read_byte_record(&mut record) {
                let id = record.get(program.key_column).unwrap_or_default();
                if String::from_utf8_lossy(id).trim() != wanted {
                    continue;
                }
                let line = header.next_line + record.position().map(|p| p.line()).unwrap_or(1) - 1;
                let mut cells = Vec::new();
                let fields: Vec<&[u8]> = record.iter().collect();
                result = Some(
                    match csv_row(
                        &program,
                        &fields,
                        header.columns.len(),
                        program.decimal_comma,
                        &mut cells,
                    ) {
                        Ok(id) => Ok(explain(
                            &program,
                            &loaded.file.text,
                            &Row { id, cells: &cells },
                            as_of,
                            &format!("line {line} of {}", input.name),
                        )),
                        Err(cell) => Err(DataError::new(&input.name, cell.message).at_line(line)),
                    },
                );
                break;
            }
            result
        }
        InputFormat::Json | InputFormat::Ndjson => {
            let mut bytes = Vec::new();
            if let Err(e) = input.reader.read_to_end(&mut bytes) {
                return data_error(&DataError::new(
                    &input.name,
                    format!("cannot read the export: {e}"),
                ));
            }
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let records: Vec<&[u8]> = if input.format == InputFormat::Json {
                match serde_json::from_slice::<Vec<&serde_json::value::RawValue>>(text) {
                    Ok(items) => items.into_iter().map(|r| r.get().as_bytes()).collect(),
                    Err(e) => {
                        return data_error(
                            &DataError::new(
                                &input.name,
                                format!("this is not a JSON array of customer objects: {e}"),
                            )
                            .at_line(e.line() as u64),
                        )
                    }
                }
            } else {
                text.split(|&b| b == b'\n')
                    .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                    .collect()
            };
            let mut header: Vec<String> = records
                .first()
                .and_then(|r| {
                    serde_json::from_slice::<
                        std::collections::BTreeMap<String, serde::de::IgnoredAny>,
                    >(r)
                    .ok()
                })
                .map(|m| m.into_keys().collect())
                .unwrap_or_default();
            for f in model.fields.iter().filter(|f| f.optional) {
                if !header.contains(&f.column) {
                    header.push(f.column.clone());
                }
            }
            let mut program = match compile(&model, &header) {
                Ok(p) => p,
                Err(diags) => {
                    report(&diags, &loaded, Format::Human);
                    return Exit::Findings;
                }
            };
            program.decimal_comma |= decimal_comma;
            let index = json_index(&program, &header);
            let mut result = None;
            let mut order = KeyOrder::default();
            for (i, record) in records.iter().enumerate() {
                let mut values = Vec::new();
                if parse_object(record, &index, header.len(), &mut values, &mut order).is_err() {
                    continue;
                }
                json_prepare(&program, &mut values);
                let mut cells = Vec::new();
                match json_cells(&program, &values, program.decimal_comma, &mut cells) {
                    Ok(id) if id == wanted => {
                        result = Some(Ok(explain(
                            &program,
                            &loaded.file.text,
                            &Row { id, cells: &cells },
                            as_of,
                            &format!("record {} of {}", i + 1, input.name),
                        )));
                        break;
                    }
                    Ok(_) => {}
                    Err(c) => {
                        // A bad record is only an error when it is the customer asked for.
                        let id = match values.get(program.key_column) {
                            Some(crate::data::json_in::JsonCell::Text(t)) => t.trim().to_string(),
                            _ => String::new(),
                        };
                        if id == wanted {
                            result = Some(Err(DataError::new(&input.name, c.message)));
                            break;
                        }
                    }
                }
            }
            result
        }
    };
    match found {
        Some(Ok(text)) => {
            print!("{text}");
            Exit::Ok
        }
        Some(Err(e)) => data_error(&e),
        None => {
            eprintln!("error: no customer with id `{wanted}` in {}", input.name);
            Exit::Findings
        }
    }
}

fn data_error(e: &DataError) -> Exit {
    eprint!(
        "{}",
        e.render(render::use_color(std::io::stderr().is_terminal()))
    );
    Exit::Findings
}
