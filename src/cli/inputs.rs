//! Opening exports, and sampling the first one to infer a schema.

use super::choices::{Encoding, ExportFormat};
use crate::ast::Playbook;
use crate::data::error::DataError;
use crate::data::input::{Input, OpenOptions};
use crate::schema::sample::{sample, Inferred, SampleOptions};
use std::path::PathBuf;

/// Flags about reading exports, shared by `eval`, `explain` and `schema`.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// The evaluation date, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The exports' format (default: from the extension, else CSV).
    #[arg(long, value_enum)]
    pub input_format: Option<ExportFormat>,
    /// Numbers in the export use a decimal comma (12,50).
    #[arg(long)]
    pub decimal_comma: bool,
    /// The CSV delimiter (default: detected among `,` `;` and tab).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// The exports' text encoding (default UTF-8; Excel on Windows often saves windows-1252).
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// The most line breaks one quoted CSV cell may hold; more is read as a stray quote.
    #[arg(long, value_name = "N", default_value_t = crate::data::split::MAX_CELL_LINES)]
    pub max_cell_lines: u64,
    /// The sheet of an Excel workbook (.xlsx) to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

pub fn open_inputs(paths: &[PathBuf], args: &InputArgs) -> Result<Vec<Input>, String> {
    if let Some(d) = args.delimiter {
        if !d.is_ascii() || d == '"' || d == '\n' || d == '\r' {
            return Err(format!("--delimiter `{d}` cannot be used: pick one ASCII character such as `,`, `;` or `|`"));
        }
    }
    let paths: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let options = OpenOptions {
        format: args.input_format.map(Into::into),
        encoding: args.encoding.unwrap_or(Encoding::Utf8).into(),
        sheet: args.sheet.clone(),
    };
    crate::data::input::open(&paths, options)
}

/// Reads the start of an export (and puts it back) to infer the fields; prints the
/// inference's warnings.
pub fn sample_for_inference(
    input: &mut Input,
    playbook: &Playbook,
    args: &InputArgs,
    detect_decimal_comma: bool,
) -> Result<Inferred, Box<DataError>> {
    let options = SampleOptions {
        decimal_comma: args.decimal_comma,
        delimiter: args.delimiter.map(|d| d as u8),
        detect_decimal_comma,
    };
    let inferred = sample(input, playbook, options)?;
    // With a `customer` block the sample only gave the header: its fields say how dates read.
    let inferring = playbook.schemas().next().is_none();
    for a in inferred.ambiguous.iter().filter(|_| inferring) {
        let (warning, help) = a.warning(&input.name);
        eprintln!("{}", crate::render::visible(&warning));
        eprintln!("{}", crate::render::visible(&help));
    }
    Ok(inferred)
}

/// The checked model of a loaded playbook, for this export: without a `customer` block, the
/// fields are inferred from the export's first rows. Problems (the playbook's, or a data
/// error while sampling) are printed; `None` then.
pub fn model_for(
    loaded: &super::files::Loaded,
    input: &mut Input,
    args: &InputArgs,
    format: crate::render::Format,
) -> Option<crate::check::Model> {
    use crate::check::SchemaSource;
    let inferred = if loaded.parsed.playbook.schemas().next().is_none()
        && loaded.parsed.diagnostics.is_empty()
    {
        match sample_for_inference(input, &loaded.parsed.playbook, args, false) {
            Ok(mut inferred) => {
                crate::schema::sample::untype_unread(&mut inferred.fields, &loaded.parsed.playbook);
                Some(inferred.fields)
            }
            Err(e) => {
                let color =
                    crate::render::use_color(std::io::IsTerminal::is_terminal(&std::io::stderr()));
                eprint!("{}", e.render(color));
                return None;
            }
        }
    } else {
        None
    };
    let schema = match &inferred {
        Some(fields) => SchemaSource::Inferred(fields),
        None => SchemaSource::File,
    };
    super::common::checked(loaded, schema, format)
}
