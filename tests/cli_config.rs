//! `playbook.toml` through the built binary: found from a playbook's folder or above it, a flag
//! beating the file, `--config` and `--no-config`, and mistakes named with their place.
//!
//! The fixtures are in `tests/fixtures/config/`: `project/playbook.toml` allows
//! `unused-segment`, sets `as-of` and the delimiter `|` for `project/regels/`, whose playbook
//! has an unused segment and a rule that depends on the date; `bad/playbook.toml` has a
//! misspelt key.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config")
}

/// Runs `playbook ARGS` in `dir` (below the fixtures), so paths in messages are stable.
fn playbook(dir: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(fixtures().join(dir))
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code, not a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_nearest_file_is_found_from_a_subfolder() {
    // From the fixtures' folder, and from the playbook's own folder (the file is one up).
    for (dir, file) in [
        (".", "project/regels/welkom.playbook"),
        ("project/regels", "welkom.playbook"),
        ("project", "regels"),
    ] {
        let out = playbook(dir, &["check", "--deny", "warnings", file]);
        assert_eq!(
            code(&out),
            0,
            "{dir}: {file}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert_eq!(stderr(&out), "checked 1 file: 0 errors, 0 warnings\n");
    }
}

#[test]
fn no_config_and_a_flag_beat_the_file() {
    let out = playbook("project", &["check", "--no-config", "regels"]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("playbook::unused-segment"),
        "{}",
        stdout(&out)
    );
    // Without the file's `as-of`, the test without its own `as of` is undated too.
    assert!(
        stdout(&out).contains("playbook::undated-test"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), "checked 1 file: 0 errors, 2 warnings\n");

    let out = playbook("project", &["check", "--deny", "unused-segment", "regels"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("× the segment `ongebruikt` is never used"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), "checked 1 file: 1 error, 0 warnings\n");

    // `--config` names a file for every playbook of the run, instead of the nearest.
    let out = playbook(
        "project",
        &["check", "--config", "../bad/playbook.toml", "regels"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: ../bad/playbook.toml:3:1: unknown field `delimter`"),
        "{}",
        stderr(&out)
    );
    let out = playbook("project", &["check", "--config", "nergens.toml", "regels"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: cannot read the settings nergens.toml: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_key_is_an_error_at_its_place() {
    let out = playbook(".", &["check", "bad/welkom.playbook"]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    insta::assert_snapshot!("bad_key", stderr(&out));
    // Every command that reads the settings says so, before it reads anything else.
    let out = playbook(
        ".",
        &["eval", "bad/welkom.playbook", "project/regels/klanten.csv"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: bad/playbook.toml:3:1: unknown field `delimter`"),
        "{}",
        stderr(&out)
    );
    // Found from a folder below, it is named from where the command runs.
    let out = playbook(".", &["check", "bad/onder"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).starts_with("error: bad/playbook.toml:3:1: "),
        "{}",
        stderr(&out)
    );
    let out = playbook("bad/onder", &["check", "welkom.playbook"]);
    assert!(
        stderr(&out).starts_with("error: ../playbook.toml:3:1: "),
        "{}",
        stderr(&out)
    );
    // Unless it is told to read none.
    let out = playbook(".", &["check", "--no-config", "bad/welkom.playbook"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn eval_takes_as_of_and_delimiter_from_the_file() {
    let args = [
        "eval",
        "welkom.playbook",
        "klanten.csv",
        "--format",
        "csv",
        "-q",
    ];
    let out = playbook("project/regels", &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    // As of 2026-11-23, customer 1 (since 2026-11-20) is welcomed and customer 2 is not.
    let welcomed: Vec<&str> = text.lines().filter(|l| l.contains("welkom")).collect();
    assert_eq!(welcomed.len(), 1, "{text}");
    assert!(welcomed[0].starts_with("1,"), "{text}");

    // --as-of beats the file: a year later nobody is new.
    let mut later = args.to_vec();
    later.extend(["--as-of", "2027-11-23"]);
    let out = playbook("project/regels", &later);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stdout(&out).contains("welkom"), "{}", stdout(&out));

    // Without the file, `|` is no delimiter: the export has none of the playbook's columns.
    let mut bare = args.to_vec();
    bare.push("--no-config");
    let out = playbook("project/regels", &bare);
    assert_ne!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn test_takes_as_of_from_the_file() {
    let out = playbook("project", &["test", "regels"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "1 passed, 0 failed\n");
    // --as-of beats the file: a year later the customer is not new.
    let out = playbook("project", &["test", "--as-of", "2027-11-23", "regels"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("0 passed, 1 failed"),
        "{}",
        stdout(&out)
    );
}
