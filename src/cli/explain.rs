//! `playbook explain PLAYBOOK EXPORT --customer ID`: why this customer got their decision.

use super::common::{as_of, report};
use super::config::{fill_input, ConfigArgs};
use super::files::load;
use super::inputs::{model_for, open_inputs, InputArgs};
use super::{usage_error, Exit};
use crate::data::error::DataError;
use crate::render::{self, Format};
use crate::runner::{self, Failure, Found, OnError, Options};
use std::io::IsTerminal;
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
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(mut args: ExplainArgs) -> Exit {
    if let Err(e) = fill_input(&args.config, &args.playbook, &mut args.input) {
        return usage_error(e);
    }
    let as_of = match as_of(args.input.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = super::common::swapped_arguments("explain", &args.playbook, &[&args.export]) {
        return usage_error(e);
    }
    let loaded = match load(&args.playbook) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let mut inputs = match open_inputs(std::slice::from_ref(&args.export), &args.input) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let mut input = inputs.remove(0);
    let Some(model) = model_for(&loaded, &mut input, &args.input, Format::Human) else {
        return Exit::Findings;
    };
    let wanted = args.customer.trim().to_string();
    let name = input.name.clone();
    // The very reader and program `eval` uses: only what is done with the decisions differs.
    let options = Options {
        as_of,
        on_error: OnError::Skip,
        decimal_comma: args.input.decimal_comma,
        delimiter: args.input.delimiter.map(|d| d as u8),
        max_cell_lines: args.input.max_cell_lines,
        explain: Some(runner::Explain {
            id: wanted.clone(),
            source: loaded.file.text.to_string(),
        }),
        ..Options::default()
    };
    let found = match runner::explain(&model, vec![input], &options) {
        Ok((found, _)) => found,
        Err(Failure::Columns { file, diagnostics }) => {
            eprintln!("error: the export {file} does not fit the playbook");
            report(&diagnostics, &loaded, Format::Human);
            return Exit::Findings;
        }
        Err(Failure::Data(e)) => return data_error(&e),
        Err(Failure::Output(e)) => return usage_error(format!("cannot read the export: {e}")),
    };
    if found.len() > 1 {
        eprintln!(
            "warning: the id `{wanted}` is duplicated: {} records in {name} have it; `eval` decides each of them, and this explains the first",
            found.len()
        );
    }
    match found.into_iter().next() {
        Some(Found::Explained(text)) => {
            print!("{text}");
            Exit::Ok
        }
        Some(Found::Rejected(e)) => data_error(&e),
        None => {
            eprintln!("error: no customer with id `{wanted}` in {name}");
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
