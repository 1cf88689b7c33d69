//! `playbook lsp`: the language server for editors, over standard input and output.

use super::Exit;

#[derive(clap::Args, Debug)]
pub struct LspArgs {
    /// Accepted for editors that pass it (standard input and output are the only transport).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs) -> Exit {
    match crate::lsp::serve_stdio() {
        Ok(true) => Exit::Ok,
        // The protocol's exit code for an `exit` without `shutdown` before it.
        Ok(false) => Exit::Findings,
        Err(e) => {
            eprintln!("error: playbook lsp: {e}");
            Exit::Usage
        }
    }
}
