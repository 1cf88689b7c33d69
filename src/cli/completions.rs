//! `playbook completions SHELL` and `playbook man`: generated from the command definition.

use super::{Cli, Exit};
use clap::CommandFactory;

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn completions(args: CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    // Into memory first: clap_complete panics when its writer fails.
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "playbook", &mut out);
    super::say::out_bytes(&out);
    Exit::Ok
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write `playbook.1` and one page per subcommand (`playbook-eval.1`, …) into this
    /// folder, instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// Prints the man page (roff) for `playbook` (`playbook man > playbook.1`), or writes it and
/// the pages its SUBCOMMANDS section names into `--dir`.
pub fn man(args: ManArgs) -> Exit {
    if let Some(dir) = args.dir {
        return match clap_mangen::generate_to(Cli::command(), &dir) {
            Ok(()) => Exit::Ok,
            Err(e) => super::usage_error(format!(
                "cannot write the man pages into {}: {e}",
                dir.display()
            )),
        };
    }
    let mut out = Vec::new();
    if clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .is_err()
    {
        return Exit::Usage;
    }
    super::say::out_bytes(&out);
    Exit::Ok
}
