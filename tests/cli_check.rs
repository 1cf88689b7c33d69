//! `playbook check` through the built binary: exit codes, folders, formats, summary.

use std::path::Path;
use std::process::{Command, Output};

const CLEAN: &str = "customer { id text key  orders number }\nwhen orders > 3 then surprise\n";
const BROKEN: &str = "customer { id text key  orders number }\nwhen ordrs > 3 then surprise\n";
const WARNS: &str = "customer { id text key  orders number }\nsegment ongebruikt = orders > 1\nwhen orders > 3 then surprise\n";

/// Runs `playbook ARGS` in `dir`, so file names in the output are relative and stable.
fn playbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code, not a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

/// A temporary folder with the given files.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a folder");
        }
        std::fs::write(path, text).expect("a file");
    }
    dir
}

#[test]
fn clean_file_exits_0() {
    let dir = folder(&[("ok.playbook", CLEAN)]);
    let out = playbook(dir.path(), &["check", "ok.playbook"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "checked 1 file: 0 errors, 0 warnings\n");
}

#[test]
fn errors_exit_1() {
    let dir = folder(&[("broken.playbook", BROKEN)]);
    let out = playbook(dir.path(), &["check", "broken.playbook"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("playbook::unknown-field"), "{text}");
    assert!(text.contains("broken.playbook:2:6"), "{text}");
    assert!(text.contains("did you mean `orders`?"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when NO_COLOR is set or output is not a terminal"
    );
    assert_eq!(stderr(&out), "checked 1 file: 1 error, 0 warnings\n");
}

#[test]
fn warnings_exit_0_unless_denied() {
    let dir = folder(&[("warns.playbook", WARNS)]);
    let out = playbook(dir.path(), &["check", "warns.playbook"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("playbook::unused-segment"));
    assert_eq!(stderr(&out), "checked 1 file: 0 errors, 1 warning\n");

    let out = playbook(
        dir.path(),
        &["check", "--deny", "warnings", "warns.playbook"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out), "checked 1 file: 0 errors, 1 warning\n");

    let clean = folder(&[("ok.playbook", CLEAN)]);
    let out = playbook(
        clean.path(),
        &["check", "ok.playbook", "--deny", "warnings"],
    );
    assert_eq!(code(&out), 0);
}

#[test]
fn usage_errors_exit_2() {
    let dir = folder(&[("ok.playbook", CLEAN)]);
    let missing = playbook(dir.path(), &["check", "ok.playbook", "nowhere.playbook"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("nowhere.playbook"),
        "{}",
        stderr(&missing)
    );

    for args in [
        &["check", "--bogus", "ok.playbook"][..],
        &["check", "--format", "xml", "ok.playbook"],
        &["check", "--deny", "everything", "ok.playbook"],
        &["check"],
        &["chekc", "ok.playbook"],
    ] {
        let out = playbook(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?} says why");
    }
}

#[test]
fn help_and_version_exit_0() {
    let dir = folder(&[]);
    for args in [&["--help"][..], &["check", "--help"], &["--version"]] {
        let out = playbook(dir.path(), args);
        assert_eq!(code(&out), 0, "{args:?}");
    }
}

#[test]
fn folders_are_searched_recursively() {
    let dir = folder(&[
        ("playbooks/a.playbook", CLEAN),
        ("playbooks/deeper/still/b.playbook", BROKEN),
        ("playbooks/deeper/c.playbook", WARNS),
        ("playbooks/notes.txt", "not a playbook"),
        ("playbooks/deeper/broken.playbook.bak", BROKEN),
        ("playbooks/.hidden/d.playbook", BROKEN),
    ]);
    let out = playbook(dir.path(), &["check", "--format", "json", "playbooks"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out), "checked 3 files: 1 error, 1 warning\n");
    let files: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON")["file"]
                .as_str()
                .expect("a file")
                .replace('\\', "/")
        })
        .collect();
    assert_eq!(
        files,
        [
            "playbooks/deeper/c.playbook",
            "playbooks/deeper/still/b.playbook"
        ]
    );
}

#[test]
fn files_and_folders_mix() {
    let dir = folder(&[
        ("one.playbook", CLEAN),
        ("more/two.playbook", CLEAN),
        ("more/three.playbook", CLEAN),
    ]);
    let out = playbook(dir.path(), &["check", "one.playbook", "more"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stderr(&out), "checked 3 files: 0 errors, 0 warnings\n");
}

#[test]
fn json_is_one_object_per_line() {
    let dir = folder(&[("broken.playbook", BROKEN), ("warns.playbook", WARNS)]);
    let out = playbook(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "broken.playbook",
            "warns.playbook",
        ],
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let keys = [
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "help",
        "docs",
    ];
    for line in &lines {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        let object = value.as_object().expect("an object");
        let mut found: Vec<&str> = object.keys().map(String::as_str).collect();
        found.sort();
        let mut want = keys.to_vec();
        want.sort();
        assert_eq!(found, want, "{line}");
    }
    let first: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON");
    assert_eq!(first["file"], "broken.playbook");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(2), Some(6))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(2), Some(11))
    );
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "playbook::unknown-field");
    assert_eq!(first["message"], "there is no field named `ordrs`");
    assert_eq!(first["help"], "did you mean `orders`?");
    assert_eq!(first["docs"], "docs/language.md#playbookunknown-field");
    let second: serde_json::Value = serde_json::from_str(lines[1]).expect("JSON");
    assert_eq!(second["severity"], "warning");
    assert_eq!(stderr(&out), "checked 2 files: 1 error, 1 warning\n");
}

#[test]
fn github_annotations() {
    let dir = folder(&[
        ("broken.playbook", BROKEN),
        ("warns.playbook", WARNS),
        (
            "syntax.playbook",
            "customer { id text key  orders number }\nwhen orders >= 3 surprise\n",
        ),
        ("100%, a: b.playbook", BROKEN),
    ]);
    let out = playbook(
        dir.path(),
        &[
            "check",
            "--format",
            "github",
            "broken.playbook",
            "warns.playbook",
            "syntax.playbook",
            "100%, a: b.playbook",
        ],
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
        assert!(line.contains(",line="), "{line}");
    }
    insta::assert_snapshot!(text);
    assert_eq!(stderr(&out), "checked 4 files: 3 errors, 1 warning\n");
}

#[test]
fn invalid_utf8_is_a_finding_not_a_crash() {
    let dir = folder(&[]);
    std::fs::write(
        dir.path().join("latin1.playbook"),
        b"segment caf\xe9 = orders > 1\n",
    )
    .expect("a file");
    let out = playbook(
        dir.path(),
        &["check", "--format", "json", "latin1.playbook"],
    );
    assert_eq!(code(&out), 1);
    let value: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert_eq!(value["code"], "playbook::invalid-utf8");
    assert_eq!(
        (value["line"].as_u64(), value["column"].as_u64()),
        (Some(1), Some(12))
    );
}

/// language.md §11 "Numbers": `50.000` is fifty, valid, but `check`, `eval` and `test` all warn
/// that it looks like fifty thousand with a thousands separator; `1.250.000` is an error that
/// says so. (Before, `check` passed `50.000` clean and the others said nothing.)
#[test]
fn thousands_separators_in_literals_are_shown_by_every_command() {
    let pb = "customer { id text key  income number }\n\
              when income > 50.000 then upsell\n\
              test \"rich\" { given { id: \"K1\", income: 60 } expect action upsell }\n";
    let dir = folder(&[("p.playbook", pb), ("k.csv", "id,income\nK1,60\n")]);
    let warning = "`50.000` looks like fifty thousand written with a thousands separator";
    let help = "write `50000`, or `50.0` if you meant fifty";
    let check = playbook(dir.path(), &["check", "p.playbook"]);
    assert_eq!(code(&check), 0);
    let eval = playbook(
        dir.path(),
        &["eval", "p.playbook", "k.csv", "--as-of", "2026-11-23"],
    );
    assert_eq!(code(&eval), 0, "{}", stderr(&eval));
    // It is fifty: the customer with 60 gets the upsell.
    assert!(stdout(&eval).contains("\"upsell\""), "{}", stdout(&eval));
    let test = playbook(dir.path(), &["test", "p.playbook"]);
    assert_eq!(code(&test), 0, "{}", stderr(&test));
    for (what, out) in [("check", &check), ("eval", &eval), ("test", &test)] {
        let text = stderr(out) + &stdout(out);
        assert!(
            text.contains("playbook::thousands-separator"),
            "{what}: {text}"
        );
        assert!(text.contains(warning), "{what}: {text}");
        assert!(text.contains(help), "{what}: {text}");
    }
    let denied = playbook(dir.path(), &["check", "--deny", "warnings", "p.playbook"]);
    assert_eq!(code(&denied), 1);

    let broken = folder(&[(
        "p.playbook",
        "customer { id text key  income number }\nwhen income > 1.250.000 then upsell\n",
    )]);
    let out = playbook(broken.path(), &["check", "p.playbook"]);
    assert_eq!(code(&out), 1);
    let text = stderr(&out) + &stdout(&out);
    assert!(
        text.contains("`1.250.000` is not a number")
            && text.contains("one million two hundred fifty thousand")
            && text.contains("write `1250000`")
            && text.contains("p.playbook:2:15"),
        "{text}"
    );
}

/// Issue 18: a folder without playbooks is no passed check: CI pointed at the wrong path
/// goes red (it said "checked 0 files" and exit 0), for `check`, `test` and `fmt` alike.
#[test]
fn an_empty_folder_is_an_error_for_check_test_and_fmt() {
    let dir = folder(&[("notes.txt", "not a playbook")]);
    for command in ["check", "test", "fmt"] {
        let out = playbook(dir.path(), &[command, "."]);
        assert_eq!(code(&out), 2, "{command}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no *.playbook files in the folder ."),
            "{command}: {}",
            stderr(&out)
        );
    }
}

/// Issue 18: `check --data` reads every cell as `eval` does (it read only the header, and
/// passed an export whose dates were all day-first): each row that does not fit is an error.
#[test]
fn check_data_reads_every_cell() {
    let dir = folder(&[
        (
            "klanten.csv",
            "id,d\nC1,23-11-2013\nC2,2013-11-23\nC3,01-02-2020\n",
        ),
        (
            "regels.playbook",
            "customer {\n  id text key\n  d date\n}\nactions a\nwhen d within 30 days then a\n",
        ),
    ]);
    let out = playbook(
        dir.path(),
        &["check", "regels.playbook", "--data", "klanten.csv"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("klanten.csv:2, column `d`: `23-11-2013` is not an ISO date"),
        "{err}"
    );
    assert!(err.contains("klanten.csv:4, column `d`"), "{err}");
    assert!(err.contains("checked 1 file: 2 errors"), "{err}");
}

/// `--allow CODE` hides one code's warnings, `--deny CODE` makes them errors, `--deny warnings`
/// fails on any; an unknown code or allowing an error is a usage error; `# playbook:
/// allow(CODE)` before an item hides its warnings of that code, in `check` as elsewhere.
#[test]
fn codes_are_allowed_and_denied_one_by_one() {
    let dir = folder(&[("w.playbook", WARNS)]);
    let plain = playbook(dir.path(), &["check", "w.playbook"]);
    assert_eq!(code(&plain), 0);
    assert!(stdout(&plain).contains("playbook::unused-segment"));

    let allowed = playbook(
        dir.path(),
        &["check", "--allow", "unused-segment", "w.playbook"],
    );
    assert_eq!(code(&allowed), 0);
    assert!(
        !stdout(&allowed).contains("unused-segment"),
        "{}",
        stdout(&allowed)
    );
    assert!(
        stderr(&allowed).contains("0 errors, 0 warnings"),
        "{}",
        stderr(&allowed)
    );

    let denied = playbook(
        dir.path(),
        &["check", "--deny", "playbook::unused-segment", "w.playbook"],
    );
    assert_eq!(code(&denied), 1);
    assert!(
        stderr(&denied).contains("1 error, 0 warnings"),
        "{}",
        stderr(&denied)
    );
    assert_eq!(
        code(&playbook(
            dir.path(),
            &["check", "--deny", "warnings", "w.playbook"]
        )),
        1
    );
    // Denying another code changes nothing.
    assert_eq!(
        code(&playbook(
            dir.path(),
            &["check", "--deny", "never-fires", "w.playbook"]
        )),
        0
    );

    let typo = playbook(
        dir.path(),
        &["check", "--allow", "unused-segmnt", "w.playbook"],
    );
    assert_eq!(code(&typo), 2);
    assert!(
        stderr(&typo).contains("did you mean `unused-segment`?"),
        "{}",
        stderr(&typo)
    );
    let error = playbook(
        dir.path(),
        &["check", "--allow", "unknown-field", "w.playbook"],
    );
    assert_eq!(code(&error), 2);
    assert!(
        stderr(&error).contains("errors cannot be allowed"),
        "{}",
        stderr(&error)
    );

    let inline = WARNS.replace(
        "segment ongebruikt",
        "# playbook: allow(unused-segment)\nsegment ongebruikt",
    );
    let dir = folder(&[("i.playbook", &inline)]);
    let out = playbook(dir.path(), &["check", "--deny", "warnings", "i.playbook"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

/// Validates a SARIF log against SARIF 2.1.0's JSON schema (tests/sarif/validate.py).
fn assert_valid_sarif(log: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The target folder of this test binary (`target/debug/deps/NAME`), for pip when needed.
    let exe = std::env::current_exe().expect("the test binary's path");
    let lib = exe
        .ancestors()
        .nth(3)
        .unwrap_or(root)
        .join("python-jsonschema");
    let mut child = Command::new("python3")
        .arg(root.join("tests/sarif/validate.py"))
        .arg(&lib)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (it validates SARIF against the schema)");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), log.as_bytes())
        .expect("the log is written to the validator");
    let out = child.wait_with_output().expect("the validator ends");
    assert!(
        out.status.success(),
        "the SARIF log does not fit the SARIF 2.1.0 schema:\n{}\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sarif_is_one_valid_log_for_the_whole_run() {
    let dir = folder(&[
        ("broken.playbook", BROKEN),
        ("warns.playbook", WARNS),
        ("regels/café 2.playbook", &format!("# é\n{BROKEN}")),
    ]);
    let out = playbook(
        dir.path(),
        &[
            "check",
            "--diagnostics",
            "sarif",
            "broken.playbook",
            "warns.playbook",
            "./regels",
        ],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out), "checked 3 files: 2 errors, 1 warning\n");
    let text = stdout(&out);
    assert_valid_sarif(&text);
    let log: serde_json::Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run for all the files");
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "playbook");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["playbook::unknown-field", "playbook::unused-segment"]);
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert_eq!(
        uris,
        [
            "broken.playbook",
            "warns.playbook",
            "regels/caf%C3%A9%202.playbook"
        ]
    );
    // The same place as the JSON lines give.
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        [
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ],
        [2, 6, 2, 11]
    );
    // The version changes with every release; the snapshot holds the shape.
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    insta::assert_snapshot!(text.replacen(&version, "\"version\": \"[version]\"", 1));

    // Warnings only: exit 0, unless denied; a denied code's results are errors.
    let out = playbook(
        dir.path(),
        &["check", "--diagnostics", "sarif", "warns.playbook"],
    );
    assert_eq!(code(&out), 0);
    let out = playbook(
        dir.path(),
        &[
            "check",
            "--diagnostics",
            "sarif",
            "--deny",
            "unused-segment",
            "warns.playbook",
        ],
    );
    assert_eq!(code(&out), 1);
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(log["runs"][0]["results"][0]["level"], "error");
    // No problem at all: still one valid log, with no results.
    let dir = folder(&[("ok.playbook", CLEAN)]);
    let out = playbook(
        dir.path(),
        &["check", "--diagnostics", "sarif", "ok.playbook"],
    );
    assert_eq!(code(&out), 0);
    assert_valid_sarif(&stdout(&out));
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

/// Issue 18 (a cold tester): an export given where a playbook belongs is named as such, with the
/// command that was meant, instead of a page of syntax errors or a `customer` block of junk.
#[test]
fn an_export_in_a_playbooks_place_is_a_usage_error() {
    let dir = folder(&[
        (
            "p.playbook",
            "customer {\n  id text key\n  orders number\n}\nactions a\nwhen orders > 1 then a\n",
        ),
        ("klanten.csv", "id,orders\nK1,2\n"),
    ]);
    for command in ["check", "test", "fmt"] {
        let out = playbook(dir.path(), &[command, "p.playbook", "klanten.csv"]);
        assert_eq!(code(&out), 2, "{command}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("klanten.csv is an export, not a playbook")
                && stderr(&out).contains("--data klanten.csv"),
            "{command}: {}",
            stderr(&out)
        );
    }
    let out = playbook(dir.path(), &["schema", "p.playbook"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("p.playbook is a playbook"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).is_empty(),
        "no block of junk: {}",
        stdout(&out)
    );
    let out = playbook(
        dir.path(),
        &["diff", "p.playbook", "klanten.csv", "p.playbook"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`playbook diff p.playbook p.playbook klanten.csv`"),
        "{}",
        stderr(&out)
    );
}

/// Issue 18 (a cold tester): `check --data` said "say which in a `customer` block" about a date
/// column that the playbook's `customer` block already reads with a `format`.
#[test]
fn check_data_does_not_ask_for_a_format_the_block_gives() {
    let dir = folder(&[
        (
            "p.playbook",
            "customer {\n  id text key\n  \"1e aankoop\" date? format \"%d-%m-%Y\"\n}\nactions a\nwhen \"1e aankoop\" is present then a\n",
        ),
        ("rare.csv", "id,1e aankoop\nK1,01-05-2024\nK2,02-06-2024\n"),
    ]);
    let out = playbook(dir.path(), &["check", "p.playbook", "--data", "rare.csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("day first"),
        "the block says how the dates read:\n{}",
        stderr(&out)
    );
    // Without a block the guess is worth a warning, as before.
    std::fs::write(
        dir.path().join("q.playbook"),
        "actions a\nwhen \"1e aankoop\" is present then a\n",
    )
    .expect("write");
    let out = playbook(dir.path(), &["check", "q.playbook", "--data", "rare.csv"]);
    assert!(stderr(&out).contains("day first"), "{}", stderr(&out));
}

/// Issue 18 (a cold tester): `schema` of a Windows-1252 export printed `"Omzet (�)"`, a name no
/// export has, and exited 0; with `--encoding windows-1252` the name is right.
#[test]
fn schema_of_a_header_that_is_not_utf8_names_the_encoding() {
    let dir = folder(&[]);
    std::fs::write(dir.path().join("eur.csv"), b"id;Omzet (\x80)\nK1;12\n").expect("write");
    let out = playbook(dir.path(), &["schema", "eur.csv"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("--encoding windows-1252"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let out = playbook(
        dir.path(),
        &["schema", "eur.csv", "--encoding", "windows-1252"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("\"Omzet (€)\""), "{}", stdout(&out));
}

/// Issue 18 (a cold tester): an optional field whose column the export lacks altogether was
/// missing for every customer without a word (only a near name got `near-column`). A CSV's
/// header is complete, so it is said, by `check --data` and `eval`; a JSON record's keys are
/// not (an absent key is a null), so there it is not.
#[test]
fn an_optional_fields_absent_column_is_said() {
    let dir = folder(&[
        (
            "p.playbook",
            "customer {\n  id text key\n  omzet number? from \"Omzet\"\n}\nactions a\nwhen omzet > 100 then a\n",
        ),
        ("k.csv", "id,omzet_eur\nK1,150\n"),
        ("k.ndjson", "{\"id\":\"K1\"}\n"),
    ]);
    let out = playbook(
        dir.path(),
        &[
            "check",
            "p.playbook",
            "--data",
            "k.csv",
            "--diagnostics",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "a warning: {}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("playbook::absent-column"), "{all}");
    assert!(
        all.contains("the export has no column `Omzet`: as written, the optional field `omzet` is missing for every customer"),
        "{all}"
    );
    let out = playbook(
        dir.path(),
        &["eval", "p.playbook", "k.csv", "-q", "-o", "d.ndjson"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("playbook::absent-column"),
        "{}",
        stderr(&out)
    );
    let out = playbook(
        dir.path(),
        &["eval", "p.playbook", "k.ndjson", "-q", "-o", "e.ndjson"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("absent-column"), "{}", stderr(&out));
}
