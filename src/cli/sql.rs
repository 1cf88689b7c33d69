//! `playbook sql PLAYBOOK --dialect …`: the playbook as one SQL query.

use super::choices::DiagnosticsFormat;
use super::common::{as_of, load_checked, report};
use super::{usage_error, Exit};
use crate::check::SchemaSource;
use crate::render::Format;
use crate::sql::dialect;
use crate::sql::{compile, Source};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    Duckdb,
    Postgres,
    Spark,
    Bigquery,
    Snowflake,
}

#[derive(clap::Args, Debug)]
pub struct SqlArgs {
    /// The playbook to compile (it needs a `customer { … }` block).
    pub playbook: PathBuf,
    /// The SQL engine.
    #[arg(long, value_enum)]
    pub dialect: Dialect,
    /// The evaluation date (YYYY-MM-DD), written into the SQL as a literal; default today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A script that reads this CSV export and validates every cell (needs --output; DuckDB, PostgreSQL, Spark).
    #[arg(
        long,
        value_name = "EXPORT",
        requires = "output",
        conflicts_with = "table"
    )]
    pub input: Option<String>,
    /// Where the script writes the decisions CSV (the columns of `eval --format csv`; for Spark, a folder holding it).
    #[arg(long, value_name = "DECISIONS", requires = "input")]
    pub output: Option<String>,
    /// With --input: the export's field separator.
    #[arg(long, value_name = "CHAR", default_value_t = ',')]
    pub delimiter: char,
    /// With --input: numbers in the export use a decimal comma (`12,50`), as `eval --decimal-comma`.
    #[arg(long, requires = "input")]
    pub decimal_comma: bool,
    /// One query over an existing table with the export's columns.
    #[arg(long, value_name = "NAME", default_value = "customers")]
    pub table: String,
    /// With the table shape, for a playbook without a `key` field: the table's id column (default `id`).
    #[arg(long, value_name = "COLUMN", conflicts_with = "input")]
    pub key: Option<String>,
    /// How problems are printed: for people, as JSON lines, or as GitHub Actions annotations.
    #[arg(long = "diagnostics", value_name = "FORMAT", alias = "error-format", value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub diagnostics: DiagnosticsFormat,
}

pub fn run(args: SqlArgs) -> Exit {
    let as_of = match as_of(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    let engine: &dyn dialect::Dialect = match args.dialect {
        Dialect::Duckdb => &dialect::DuckDb,
        Dialect::Postgres => &dialect::Postgres,
        Dialect::Spark => &dialect::Spark,
        Dialect::Bigquery => &dialect::BigQuery,
        Dialect::Snowflake => &dialect::Snowflake,
    };
    let Some((loaded, mut model)) = (match load_checked(
        &args.playbook,
        SchemaSource::File,
        Format::from(args.diagnostics),
    ) {
        Ok(m) => m,
        Err(e) => return usage_error(e),
    }) else {
        return Exit::Findings;
    };
    if loaded.parsed.playbook.schemas().next().is_none() {
        return usage_error(
            "`playbook sql` needs a `customer { … }` block: the SQL must know each column's type (`playbook schema EXPORT` prints one)",
        );
    }
    // As `eval --decimal-comma`: the same as `decimal comma` in the policy.
    model.policy.decimal_comma |= args.decimal_comma;
    // A table's columns cannot be seen when compiling: its id column is
    // named (`id` unless --key says otherwise), unless the playbook marks one.
    if let (Some(_), Some(k)) = (&args.key, model.key_field) {
        return usage_error(format!(
            "--key names the table's id column for a playbook without a `key` field; this playbook's key is the field `{}`",
            model.fields[k].name
        ));
    }
    // A script names its files in SQL (and psql's `\copy` ends at a line
    // break, running the rest as SQL): no control characters in them.
    for path in [&args.input, &args.output].into_iter().flatten() {
        if path.chars().any(char::is_control) {
            return usage_error(format!(
                "the path {path:?} holds a control character (a line break, tab, …), which a SQL script cannot carry safely: rename the file"
            ));
        }
    }
    let shape = engine.script_shape();
    let needs_header = shape.is_some_and(|s| s.needs_file_header());
    // Spark's export may live on a cluster's storage: its header is read
    // only when it is a file here (then the key and absent columns are found
    // as `eval` finds them).
    let reads_header = needs_header
        || (shape.is_some_and(|s| s.reads_local_header())
            && args
                .input
                .as_deref()
                .is_some_and(|i| std::path::Path::new(i).is_file()));
    let file_columns = match (&args.input, reads_header) {
        (Some(input), true) => match export_header(input, args.delimiter) {
            Ok(columns) => Some(columns),
            Err(e) => return usage_error(e),
        },
        _ => None,
    };
    let source = match (&args.input, &args.output) {
        (Some(input), Some(output)) => Source::Csv {
            input,
            output,
            delimiter: args.delimiter,
            file_columns: file_columns.as_deref(),
        },
        _ => Source::Table {
            name: &args.table,
            key: args.key.as_deref(),
        },
    };
    match compile(&model, as_of, &source, engine) {
        Ok(Err(message)) => usage_error(message),
        Ok(Ok(sql)) => {
            super::say::out_bytes(sql.as_bytes());
            Exit::Ok
        }
        Err(diagnostics) => {
            report(&diagnostics, &loaded, Format::from(args.diagnostics));
            Exit::Findings
        }
    }
}

/// The export's column names as in the file (a byte-order mark before the
/// first), for engines whose loader takes the file's columns in order
/// (PostgreSQL's COPY).
fn export_header(path: &str, delimiter: char) -> Result<Vec<String>, String> {
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("cannot read the export {path}: {e}"))?;
    let mut start = [0u8; 3];
    let n = std::io::Read::read(&mut file, &mut start).unwrap_or(0);
    let bom = start[..n].starts_with(b"\xEF\xBB\xBF");
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("cannot read the export {path}: {e}"))?;
    let delimiter = u8::try_from(delimiter)
        .map_err(|_| format!("the delimiter `{delimiter}` is not a single byte"))?;
    let mut columns = crate::data::csv_in::read_header(&mut file, Some(delimiter))
        .map(|h| h.columns)
        .map_err(|e| format!("cannot read the header of {path}: {e:?}"))?;
    // COPY reads a byte-order mark as part of the first name: so it is named.
    if let (true, Some(first)) = (bom, columns.first_mut()) {
        first.insert(0, '\u{feff}');
    }
    Ok(columns)
}
