//! The `playbook` binary: see `playbook --help`.

fn main() -> std::process::ExitCode {
    playbook::cli::main().into()
}
