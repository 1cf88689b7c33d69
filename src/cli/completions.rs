//! `playbook completions SHELL` and `playbook man`: generated from the command definition.

use super::{Cli, Exit};
use clap::CommandFactory;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn completions(args: CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "playbook", &mut std::io::stdout());
    Exit::Ok
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {}

/// Prints the man page (roff) for `playbook`: `playbook man > playbook.1`.
pub fn man(_: ManArgs) -> Exit {
    let mut out = Vec::new();
    if clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .is_err()
    {
        return Exit::Usage;
    }
    let _ = std::io::stdout().write_all(&out);
    Exit::Ok
}
