//! `playbook init [DIR]`: a small working playbook, a sample export and its tests, so
//! that the first `check`, `test` and `eval` pass straight away.

use super::{usage_error, Exit};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The folder to create the files in (default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const PLAYBOOK: &str = include_str!("init/mijn-eerste.playbook");
const EXPORT: &str = include_str!("init/klanten.csv");

pub fn run(args: InitArgs) -> Exit {
    let playbook = args.dir.join("mijn-eerste.playbook");
    let data_dir = args.dir.join("data");
    let export = data_dir.join("klanten.csv");
    for path in [&playbook, &export] {
        if path.exists() {
            return usage_error(format!(
                "{} already exists; nothing was written",
                path.display()
            ));
        }
    }
    let written = std::fs::create_dir_all(&data_dir)
        .and_then(|_| std::fs::write(&playbook, PLAYBOOK))
        .and_then(|_| std::fs::write(&export, EXPORT));
    if let Err(e) = written {
        return usage_error(format!("cannot write in {}: {e}", args.dir.display()));
    }
    let p = playbook.display();
    let e = export.display();
    println!("Created {p} and {e}. Try:\n");
    println!("  playbook check {p}");
    println!("  playbook test {p}");
    println!("  playbook eval {p} {e} --as-of 2026-11-23");
    println!("  playbook explain {p} {e} --customer K003 --as-of 2026-11-23");
    Exit::Ok
}
