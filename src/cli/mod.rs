//! The `playbook` command line: one file per subcommand, each with its `XArgs` and `run`.

// Every `print!`/`eprint!` in the command line goes through `say`: a write error becomes
// exit 2 with a message instead of std's panic (or silence). They shadow std's macros.
macro_rules! print {
    ($($t:tt)*) => { $crate::cli::say::out(format_args!($($t)*)) };
}
macro_rules! println {
    ($($t:tt)*) => { $crate::cli::say::out(format_args!("{}\n", format_args!($($t)*))) };
}
macro_rules! eprint {
    ($($t:tt)*) => { $crate::cli::say::err(format_args!($($t)*)) };
}
macro_rules! eprintln {
    ($($t:tt)*) => { $crate::cli::say::err(format_args!("{}\n", format_args!($($t)*))) };
}

pub(crate) mod check;
mod choices;
mod common;
mod completions;
mod config;
mod diff;
mod eval;
mod explain;
mod files;
mod fmt;
mod init;
mod inputs;
mod lsp;
mod measure;
mod outfile;
mod progress;
mod report;
mod say;
mod schema;
mod signals;
mod sql;
mod test;

use clap::{Parser, Subcommand};

/// Exit codes: 0 ok, 1 errors in a playbook, test or data, 2 wrong usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Findings = 1,
    Usage = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "playbook",
    version,
    about = "Rules for loyalty marketers: check, test and run playbooks over customer exports"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check playbooks for errors and warnings (for editors and CI).
    Check(check::CheckArgs),
    /// Decide for every customer of an export: stages, segments, actions.
    Eval(eval::EvalArgs),
    /// Show what a change to a playbook does to the customers of an export.
    Diff(diff::DiffArgs),
    /// Did a pilot work? Treated against held out, from decisions and an outcomes export.
    Measure(measure::MeasureArgs),
    /// Write one self-contained HTML page of what a playbook does to an export.
    Report(report::ReportArgs),
    /// Explain why one customer got their decision.
    Explain(explain::ExplainArgs),
    /// Run the `test` blocks of playbooks.
    Test(test::TestArgs),
    /// Rewrite playbooks in their canonical layout (`--check`: show the diff, change nothing).
    Fmt(fmt::FmtArgs),
    /// Print the `customer { … }` block inferred from an export.
    Schema(schema::SchemaArgs),
    /// Create a small working playbook, a sample export and tests.
    Init(init::InitArgs),
    /// Compile a playbook to SQL (DuckDB, PostgreSQL, Spark, BigQuery, Snowflake) that decides exactly as `eval`.
    Sql(sql::SqlArgs),
    /// Print shell completions (bash, zsh, fish, …).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    Man(completions::ManArgs),
    /// Serve editors over standard input and output (the Language Server Protocol).
    Lsp(lsp::LspArgs),
}

/// Parses the arguments and runs the subcommand.
pub fn main() -> Exit {
    let exit = run();
    match say::failure() {
        Some(message) if exit != Exit::Usage => {
            // Standard error may be the stream that failed: then only the code tells.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("error: {message}\n").as_bytes(),
            );
            Exit::Usage
        }
        _ => exit,
    }
}

/// Runs a command line in this process, as the binary does (`args` starts with the program's
/// name), without the exit-code handling of standard-stream write errors. For the
/// `paths_outputs` fuzz target, which drives the output layer in-process.
#[doc(hidden)]
pub fn run_from<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_parsed(Cli::try_parse_from(args))
}

fn run() -> Exit {
    run_parsed(Cli::try_parse())
}

fn run_parsed(cli: Result<Cli, clap::Error>) -> Exit {
    let cli = match cli {
        Ok(cli) => cli,
        Err(e) => {
            let place = if e.use_stderr() {
                "standard error"
            } else {
                "standard output"
            };
            say::noted(e.print(), place);
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Ok
                }
                _ => Exit::Usage,
            };
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Measure(args) => measure::run(args),
        Command::Report(args) => report::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Test(args) => test::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Init(args) => init::run(args),
        Command::Sql(args) => sql::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Lsp(args) => lsp::run(args),
    }
}

/// Prints an error that is about how the command was called.
pub(crate) fn usage_error(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}
