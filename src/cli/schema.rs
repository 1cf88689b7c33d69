//! `playbook schema EXPORT`: the inferred `customer { … }` block, ready to paste.

use super::inputs::{open_inputs, sample_for_inference, InputArgs};
use super::{usage_error, Exit};
use crate::ast::Playbook;
use crate::schema::infer::schema_block;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// The export to look at (`-` for standard input).
    pub export: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: SchemaArgs) -> Exit {
    if super::common::playbook_like(&args.export) {
        return usage_error(format!(
            "{} is a playbook: `playbook schema` reads an export (CSV, JSON or NDJSON) and prints the `customer` block for it",
            args.export.display()
        ));
    }
    let mut inputs = match open_inputs(std::slice::from_ref(&args.export), &args.input) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    match sample_for_inference(&mut inputs[0], &Playbook::default(), &args.input, true) {
        Ok(inferred) if inferred.fields.is_empty() => usage_error(format!(
            "{}: the export has no header row",
            args.export.display()
        )),
        // A header that is not UTF-8 would print as `Omzet (�)`: a name no export has.
        Ok(inferred) if inferred.fields.iter().any(|f| f.column.contains('\u{FFFD}')) => {
            usage_error(format!(
                "{}: the header is not valid UTF-8; the export may be in Windows-1252 or Latin-1: save it as UTF-8 or pass --encoding windows-1252",
                args.export.display()
            ))
        }
        Ok(inferred) => {
            print!(
                "{}",
                schema_block(&inferred.fields, inferred.key, inferred.decimal_comma)
            );
            Exit::Ok
        }
        Err(e) => {
            eprint!(
                "{}",
                e.render(crate::render::use_color(std::io::stderr().is_terminal()))
            );
            Exit::Findings
        }
    }
}
