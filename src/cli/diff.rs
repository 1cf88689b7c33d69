//! `playbook diff OLD NEW EXPORT`: what a change to a playbook does to customers.

use super::config::{fill_input, ConfigArgs};
use super::files::{load, load_bytes, Loaded};
use super::inputs::{model_for, open_inputs, InputArgs};
use super::{usage_error, Exit};
use crate::diff::Differ;
use crate::render::Format;
use crate::runner::output::OutFormat;
use crate::runner::{self, Failure, Options, Sinks};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The playbook before the change: a file, or `git:REV:path` to read it from git.
    pub old: String,
    /// The playbook after the change.
    pub new: PathBuf,
    /// The export to compare them on (`-` for standard input).
    pub export: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Exit 1 when any customer's decision changes (for CI gates).
    #[arg(long)]
    pub fail_on_change: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Markdown,
}

/// Reads `git:REV:path` through `git show`, without a checkout.
pub(crate) fn load_old(old: &str) -> Result<Loaded, String> {
    let Some(spec) = old.strip_prefix("git:") else {
        return load(Path::new(old));
    };
    let (rev, path) = spec.split_once(':').ok_or_else(|| {
        format!("`{old}`: write git:REV:path, e.g. git:main:playbooks/klantreis.playbook")
    })?;
    // A revision starting with `-` would be read by git as an option (`--output=FILE`).
    if rev.starts_with('-') {
        return Err(format!(
            "`{old}`: a revision cannot start with `-`; write git:REV:path, e.g. git:main:{path}"
        ));
    }
    let output = std::process::Command::new("git")
        .args(["show", "--end-of-options", &format!("{rev}:{path}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git cannot show {rev}:{path}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(load_bytes(old.to_string(), output.stdout))
}

/// A temporary file removed when dropped, made exclusively under an unpredictable name
/// (the system's temporary folder is shared: a predictable name could be a planted link).
struct Temp(tempfile::TempPath);

impl Temp {
    /// The file, opened for writing.
    fn new(what: &str) -> std::io::Result<(Temp, std::fs::File)> {
        let (file, path) = tempfile::Builder::new()
            .prefix(&format!("playbook-diff-{what}-"))
            .tempfile()?
            .into_parts();
        super::signals::register_temp(&path);
        Ok((Temp(path), file))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        super::signals::forget_temp(&self.0);
    }
}

/// `playbook diff OLD EXPORT NEW`: the export in the new playbook's place.
fn in_order(args: &DiffArgs) -> Result<(), String> {
    if super::common::export_like(&args.new) && super::common::playbook_like(&args.export) {
        return Err(format!(
            "the arguments are the old playbook, the new playbook, then the export: `playbook diff {} {} {}`",
            args.old,
            args.export.display(),
            args.new.display()
        ));
    }
    Ok(())
}

pub fn run(mut args: DiffArgs) -> Exit {
    if let Err(e) = in_order(&args) {
        return usage_error(e);
    }
    // The settings beside the new playbook (the old one may live only in git).
    if let Err(e) = fill_input(&args.config, &args.new, &mut args.input) {
        return usage_error(e);
    }
    let as_of = match super::common::as_of(args.input.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    let (old, new) = match (load_old(&args.old), load(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage_error(e),
    };
    // Standard input can be read only once: keep a copy for the two runs.
    let stdin_copy;
    let export: &Path = if args.export.as_os_str() == "-" {
        let copied = Temp::new("export").and_then(|(temp, mut f)| {
            std::io::copy(&mut std::io::stdin(), &mut f)?;
            Ok(temp)
        });
        stdin_copy = match copied {
            Ok(t) => t,
            Err(e) => return usage_error(format!("cannot read standard input: {e}")),
        };
        &stdin_copy.0
    } else {
        &args.export
    };
    let mut outputs = Vec::new();
    for (name, loaded) in [("old", &old), ("new", &new)] {
        let mut inputs = match open_inputs(&[export.to_path_buf()], &args.input) {
            Ok(i) => i,
            Err(e) => return usage_error(e),
        };
        let Some(model) = model_for(loaded, &mut inputs[0], &args.input, Format::Human) else {
            return Exit::Findings;
        };
        let (out, file) = match Temp::new(name) {
            Ok(made) => made,
            Err(e) => return usage_error(format!("cannot write a temporary file: {e}")),
        };
        let mut writer = std::io::BufWriter::new(file);
        let options = Options {
            as_of,
            out_format: OutFormat::Ndjson,
            decimal_comma: args.input.decimal_comma,
            delimiter: args.input.delimiter.map(|d| d as u8),
            max_cell_lines: args.input.max_cell_lines,
            ..Options::default()
        };
        let result = runner::run(
            &model,
            inputs,
            &options,
            Sinks {
                decisions: &mut writer,
                rejects: None,
                on_reject: &mut |_| {},
            },
        );
        match result {
            Ok(_) => {}
            Err(Failure::Columns { file, diagnostics }) => {
                eprintln!("error: the export {file} does not fit the {name} playbook");
                super::common::report(&diagnostics, loaded, Format::Human);
                return Exit::Findings;
            }
            Err(Failure::Data(e)) => {
                eprint!(
                    "{}",
                    e.render(crate::render::use_color(std::io::stderr().is_terminal()))
                );
                return Exit::Findings;
            }
            Err(Failure::Output(e)) => {
                return usage_error(format!("cannot write a temporary file: {e}"))
            }
        }
        if let Err(e) = writer.flush() {
            return usage_error(format!("cannot write a temporary file: {e}"));
        }
        outputs.push(out);
    }
    let open = |t: &Temp| std::fs::File::open(&t.0).map(std::io::BufReader::new);
    let (old_lines, new_lines) = match (open(&outputs[0]), open(&outputs[1])) {
        (Ok(a), Ok(b)) => (a.lines(), b.lines()),
        (Err(e), _) | (_, Err(e)) => {
            return usage_error(format!("cannot read a temporary file: {e}"))
        }
    };
    let mut differ = Differ::default();
    for (a, b) in old_lines.zip(new_lines) {
        let (Ok(a), Ok(b)) = (a, b) else {
            return usage_error("cannot read a temporary file");
        };
        if let Err(e) = differ.add(&a, &b) {
            return usage_error(e);
        }
    }
    let report = differ.finish();
    let text = match args.format {
        DiffFormat::Table => report.table(),
        DiffFormat::Markdown => report.markdown(),
        DiffFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
    };
    print!("{text}");
    if args.fail_on_change && report.changed > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
