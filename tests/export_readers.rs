//! The export readers through the built binary (issues 15 and 16): what an export's cells,
//! quotes, numbers, ids, headers and line ends mean, and that `explain` reads an export as
//! `eval` does. Each test names the defect it holds fixed.

use std::path::Path;
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-23";

/// Writes `files` into a fresh folder and runs `playbook ARGS` there.
fn run(files: &[(&str, &[u8])], args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("writes a fixture");
    }
    run_in(dir.path(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn exit_code(o: &Output) -> i32 {
    o.status.code().expect("an exit code, not a signal")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `eval` to NDJSON: the decisions, one JSON value per customer.
fn eval(
    files: &[(&str, &[u8])],
    export: &str,
    extra: &[&str],
) -> (i32, Vec<serde_json::Value>, String) {
    let mut args = vec![
        "eval",
        "p.playbook",
        export,
        "--as-of",
        AS_OF,
        "--format",
        "ndjson",
        "-q",
    ];
    args.extend_from_slice(extra);
    let o = run(files, &args);
    let decisions = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("an NDJSON decision"))
        .collect();
    (exit_code(&o), decisions, err(&o))
}

/// The action names of a decision.
fn actions(d: &serde_json::Value) -> Vec<String> {
    d["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["action"].as_str().expect("an action name").to_string())
        .collect()
}

// --- issue 15 defect 1: an empty optional list is missing, not [] ---------------------------

const TAGS: &str = "customer { id text key  tags list of text? }
rule m when tags is missing then a
rule n when not (tags has \"x\") then b
";

#[test]
fn an_empty_optional_list_cell_is_missing() {
    for export in ["id,tags\nA,\n", "id,tags\nA,   \n", "id,tags\nA,\"\"\n"] {
        let files: &[(&str, &[u8])] = &[
            ("p.playbook", TAGS.as_bytes()),
            ("e.csv", export.as_bytes()),
        ];
        let (code, d, e) = eval(files, "e.csv", &[]);
        assert_eq!(code, 0, "{e}");
        assert_eq!(actions(&d[0]), vec!["a"], "{export:?}");
    }
    // `;` is the empty list: present, without "x".
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", TAGS.as_bytes()),
        ("e.csv", b"id,tags\nA,;\n"),
    ];
    let (_, d, _) = eval(files, "e.csv", &[]);
    assert_eq!(actions(&d[0]), vec!["b"]);
}

#[test]
fn an_empty_optional_list_in_json_is_missing() {
    let cases = [
        (r#"{"id":"A","tags":null}"#, vec!["a"]),
        (r#"{"id":"A"}"#, vec!["a"]),
        (r#"{"id":"A","tags":""}"#, vec!["a"]),
        (r#"{"id":"A","tags":"  "}"#, vec!["a"]),
        (r#"{"id":"A","tags":[]}"#, vec!["b"]),
    ];
    for (record, want) in cases {
        for (name, text) in [
            ("e.ndjson", format!("{record}\n")),
            ("e.json", format!("[{record}]")),
        ] {
            let files: &[(&str, &[u8])] =
                &[("p.playbook", TAGS.as_bytes()), (name, text.as_bytes())];
            let (code, d, e) = eval(files, name, &[]);
            assert_eq!(code, 0, "{e}");
            assert_eq!(actions(&d[0]), want, "{name}: {record}");
        }
    }
}

#[test]
fn a_missing_list_is_suppressed_fail_safe_and_not_present() {
    let playbook = "customer { id text key  tags list of text? }
journey j { stage s when tags is present }
rule r when true then a
policy { suppress when tags has \"x\" }
";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", b"id,tags\nA,\nB,y\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(d[0]["suppressed"], true);
    assert_eq!(d[0]["stages"]["j"], serde_json::Value::Null);
    assert_eq!(d[1]["suppressed"], false);
    assert_eq!(d[1]["stages"]["j"], "s");
}

#[test]
fn an_inferred_list_field_reads_an_empty_cell_as_missing() {
    let playbook = "rule m when tags is missing then a\nrule n when not (tags has \"x\") then b\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", b"id,tags\nA,\nB,y;z\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(actions(&d[0]), vec!["a"]);
    assert_eq!(actions(&d[1]), vec!["b"]);
}

#[test]
fn a_required_list_is_empty_in_csv_and_an_error_without_a_json_value() {
    let playbook =
        "customer { id text key  tags list of text }\nrule n when not (tags has \"x\") then b\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", b"id,tags\nA,\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(actions(&d[0]), vec!["b"]);
    for record in [r#"{"id":"A","tags":[]}"#, r#"{"id":"A","tags":""}"#] {
        let text = format!("{record}\n");
        let files: &[(&str, &[u8])] = &[
            ("p.playbook", playbook.as_bytes()),
            ("e.ndjson", text.as_bytes()),
        ];
        let (code, d, e) = eval(files, "e.ndjson", &[]);
        assert_eq!(code, 0, "{record}: {e}");
        assert_eq!(actions(&d[0]), vec!["b"], "{record}");
    }
    let text = "{\"id\":\"A\",\"tags\":[]}\n{\"id\":\"B\",\"tags\":null}\n{\"id\":\"C\"}\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.ndjson", text.as_bytes()),
    ];
    let (code, _, e) = eval(files, "e.ndjson", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(
        e.contains("required list") && e.contains("null") && e.contains("e.ndjson:2"),
        "{e}"
    );
    let (code, _, e) = eval(files, "e.ndjson", &["--on-error", "skip"]);
    assert_eq!(code, 0, "{e}");
    assert!(
        e.contains("e.ndjson:2") && e.contains("e.ndjson:3") && e.contains("no such key"),
        "{e}"
    );
}

#[test]
fn explain_shows_an_empty_optional_list_as_missing() {
    let files: &[(&str, &[u8])] = &[("p.playbook", TAGS.as_bytes()), ("e.csv", b"id,tags\nA,\n")];
    let o = run(
        files,
        &[
            "explain",
            "p.playbook",
            "e.csv",
            "--customer",
            "A",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(exit_code(&o), 0, "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("[tags = missing]"), "{text}");
    assert!(!text.contains("[tags = []]"), "{text}");
}

// --- issue 15 defect 8: `explain` reads the export as `eval` does ----------------------------

const PHASES: &str = "customer { id text key }
journey j from column fase { stage nieuw  stage trouw }
rule r when customer in trouw then bedank
";

#[test]
fn explain_finds_a_customer_whose_journey_column_a_first_record_lacks() {
    let records = [r#"{"id":"A"}"#, r#"{"id":"B","fase":"trouw"}"#];
    let exports = [
        ("e.ndjson", records.join("\n") + "\n"),
        ("e.json", format!("[{}]", records.join(","))),
    ];
    for (name, text) in exports {
        let files: &[(&str, &[u8])] = &[("p.playbook", PHASES.as_bytes()), (name, text.as_bytes())];
        let (code, d, e) = eval(files, name, &[]);
        assert_eq!(code, 0, "{e}");
        assert_eq!(actions(&d[1]), vec!["bedank"]);
        let o = run(
            files,
            &[
                "explain",
                "p.playbook",
                name,
                "--customer",
                "B",
                "--as-of",
                AS_OF,
            ],
        );
        assert_eq!(exit_code(&o), 0, "{name}: {}", err(&o));
        let text = out(&o);
        assert!(
            text.contains("Journey j: trouw") && text.contains("bedank (rule r)"),
            "{text}"
        );
    }
}

#[test]
fn explain_reads_numbers_and_lists_as_eval_does() {
    // A `;` export with a decimal comma in the policy, a list cell and a quoted cell.
    let playbook = "customer { id text key  n number  tags list of text? }
policy { decimal comma }
rule r when n > 2 and tags is missing then a
";
    let export = b"id;n;tags\n\"B\";2,5;\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", export)];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(actions(&d[0]), vec!["a"]);
    let o = run(
        files,
        &[
            "explain",
            "p.playbook",
            "e.csv",
            "--customer",
            "B",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(exit_code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("fires → a"), "{}", out(&o));
}

#[test]
fn explain_says_an_id_is_duplicated() {
    let playbook = "customer { id text key  n number }\nrule r when n > 1 then a\n";
    let export = b"id,n\nA,1\nB,2\nA,3\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", export)];
    let o = run(
        files,
        &[
            "explain",
            "p.playbook",
            "e.csv",
            "--customer",
            "A",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(exit_code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains("duplicated") && err(&o).contains("2 records"),
        "{}",
        err(&o)
    );
    assert!(out(&o).contains("line 2 of e.csv"), "{}", out(&o));
    let o = run(
        files,
        &[
            "explain",
            "p.playbook",
            "e.csv",
            "--customer",
            "B",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(!err(&o).contains("duplicated"), "{}", err(&o));
}

#[test]
fn explain_names_the_bad_row_of_the_customer_asked_for_and_skips_others() {
    let playbook = "customer { id text key  n number }\nrule r when n > 1 then a\n";
    let export = b"id,n\nA,x\nB,2\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", export)];
    let o = run(
        files,
        &[
            "explain",
            "p.playbook",
            "e.csv",
            "--customer",
            "A",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(exit_code(&o), 1);
    assert!(
        err(&o).contains("e.csv:2") && err(&o).contains("not a number"),
        "{}",
        err(&o)
    );
    let o = run(
        files,
        &[
            "explain",
            "p.playbook",
            "e.csv",
            "--customer",
            "B",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(exit_code(&o), 0, "{}", err(&o));
}

// --- issue 16.1: an unclosed quote swallowed the rest of the file ----------------------------

const T: &str = "customer { id text key  t text? }\nrule r when t is present then a\n";

#[test]
fn an_unclosed_quote_is_a_data_error_naming_its_line_in_both_modes() {
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", T.as_bytes()),
        ("e.csv", b"id,t\nC1,\"oops\nC2,x\nC3,y\n"),
    ];
    for mode in ["stop", "skip"] {
        let (code, _, e) = eval(files, "e.csv", &["--on-error", mode]);
        assert_eq!(code, 1, "{mode}: {e}");
        assert!(
            e.contains("e.csv:2") && e.contains("closing quote"),
            "{mode}: {e}"
        );
    }
    // Not quiet: the summary must not claim customers were read.
    let o = run(
        files,
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--as-of",
            AS_OF,
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(exit_code(&o), 1);
    assert!(!err(&o).contains("1 customers read"), "{}", err(&o));
    // The same in a later chunk, and in a header.
    let mut big = String::from("id,t\n");
    for i in 0..3000 {
        big += &format!("C{i},x\n");
    }
    big += "D1,\"oops\nD2,x\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", T.as_bytes()), ("e.csv", big.as_bytes())];
    let (code, _, e) = eval(files, "e.csv", &["--threads", "2"]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("e.csv:3002"), "{e}");
    let files: &[(&str, &[u8])] = &[("p.playbook", T.as_bytes()), ("e.csv", b"id,\"t\nC1,x\n")];
    let (code, _, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("header opens a quote"), "{e}");
}

#[test]
fn a_quoted_cell_over_too_many_lines_is_an_error_unless_allowed() {
    // A stray quote on line 2 pairs with the quote on line 200: 198 rows would be one cell.
    let mut text = String::from("id,t\nC1,\"stray\n");
    for i in 2..200 {
        text += &format!("C{i},x\n");
    }
    text += "C200,\"fine\"\n";
    let files: &[(&str, &[u8])] = &[("p.playbook", T.as_bytes()), ("e.csv", text.as_bytes())];
    let (code, _, e) = eval(files, "e.csv", &["--on-error", "skip"]);
    assert_eq!(code, 1, "{e}");
    assert!(
        e.contains("e.csv:2") && e.contains("--max-cell-lines"),
        "{e}"
    );
    let (code, d, e) = eval(files, "e.csv", &["--max-cell-lines", "1000"]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(d.len(), 1);
    // An address over a few lines is fine.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", T.as_bytes()),
        ("e.csv", b"id,t\nC1,\"Straat 1\n1234 AB\nUtrecht\"\nC2,x\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(d.len(), 2);
}

// --- issue 16.2: Dutch thousands --------------------------------------------------------------

const N: &str = "customer { id text key  n number }\nrule r when n > 100 then a\n";

#[test]
fn dutch_thousands_are_data_errors_beside_semicolons_and_with_a_decimal_comma() {
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        ("e.csv", b"id;n\nA;2.500\nB;12.000\n"),
    ];
    let (code, _, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(
        e.contains("e.csv:2") && e.contains("decimal comma") && e.contains("thousands"),
        "{e}"
    );
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        ("e.csv", b"id;n\nA;1.250,50\n"),
    ];
    let (code, _, e) = eval(files, "e.csv", &["--decimal-comma"]);
    assert_eq!(code, 1, "{e}");
    assert!(
        e.contains("thousands separator") && e.contains("1250,50"),
        "{e}"
    );
    // Beside `;` other decimals still read; in `,`-CSV and JSON `2.500` is 2.5.
    let files: &[(&str, &[u8])] = &[("p.playbook", N.as_bytes()), ("e.csv", b"id;n\nA;200.5\n")];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!((code, actions(&d[0])), (0, vec!["a".to_string()]), "{e}");
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        ("e.csv", b"id,n\nA,2.500\n"),
        (
            "e.ndjson",
            b"{\"id\":\"A\",\"n\":\"2.500\"}\n{\"id\":\"B\",\"n\":2.500}\n",
        ),
    ];
    for export in ["e.csv", "e.ndjson"] {
        let (code, d, e) = eval(files, export, &[]);
        assert_eq!(code, 0, "{export}: {e}");
        assert!(d.iter().all(|d| actions(d).is_empty()), "{export}");
    }
}

// --- issue 16.3: long numeric ids in JSON ----------------------------------------------------

#[test]
fn json_numeric_ids_keep_their_digits() {
    let playbook = "customer { id text key  code text? }\nrule r when true then a\n";
    let text = b"{\"id\":1234567890123456789,\"code\":98765432109876543}\n{\"id\":1234567890123456788}\n{\"id\":-9007199254740993}\n";
    for (name, bytes) in [
        ("e.ndjson", text.to_vec()),
        ("e.json", {
            let items: Vec<&str> = std::str::from_utf8(text).expect("UTF-8").lines().collect();
            format!("[{}]", items.join(",")).into_bytes()
        }),
    ] {
        let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), (name, &bytes)];
        let o = run(
            files,
            &[
                "eval",
                "p.playbook",
                name,
                "--as-of",
                AS_OF,
                "--format",
                "ndjson",
            ],
        );
        assert_eq!(exit_code(&o), 0, "{}", err(&o));
        let ids: Vec<String> = out(&o)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("JSON")["customer"]
                    .as_str()
                    .expect("a string")
                    .to_string()
            })
            .collect();
        assert_eq!(
            ids,
            [
                "1234567890123456789",
                "1234567890123456788",
                "-9007199254740993"
            ],
            "{name}"
        );
        assert!(!err(&o).contains("duplicate"), "{}", err(&o));
    }
    // Digits that cannot be kept are an error, not a rounded id.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.ndjson", b"{\"id\":123456789012345678901234}\n"),
    ];
    let (code, _, e) = eval(files, "e.ndjson", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("JSON string"), "{e}");
}

// --- issue 16.4: duplicate header names ------------------------------------------------------

#[test]
fn a_column_read_twice_in_the_header_is_an_error() {
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        ("e.csv", b"id,n,n\nA,1,500\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(d.is_empty());
    assert!(e.contains("`n` more than once (columns 2, 3)"), "{e}");
    // A column nobody reads may be doubled.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        ("e.csv", b"id,n,x,x\nA,1,2,3\n"),
    ];
    let (code, _, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
}

#[test]
fn a_key_read_twice_in_a_json_object_is_an_error() {
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        (
            "e.ndjson",
            b"{\"id\":\"A\",\"n\":1,\"n\":500}\n{\"id\":\"B\",\"n\":1,\"x\":1,\"x\":2}\n",
        ),
    ];
    let (code, _, e) = eval(files, "e.ndjson", &["--on-error", "skip"]);
    assert_eq!(code, 0, "{e}");
    assert!(
        e.contains("e.ndjson:1") && e.contains("`n` appears twice"),
        "{e}"
    );
    assert!(!e.contains("e.ndjson:2"), "{e}");
}

// --- issue 16.7: lone carriage returns after an LF header ------------------------------------

#[test]
fn rows_ending_in_a_lone_carriage_return_are_an_error_not_one_record() {
    let playbook = "customer { id text key }\nrule r when true then a\n";
    for export in [&b"id\nC1\rC2\rC3\r"[..], b"id,t\nC1,x\rC2,y\rC3,z\r\n"] {
        let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", export)];
        for mode in ["stop", "skip"] {
            let (code, d, e) = eval(files, "e.csv", &["--on-error", mode]);
            assert_eq!(code, 1, "{e}");
            assert!(d.is_empty(), "{d:?}");
            assert!(
                e.contains("e.csv:2") && e.contains("carriage return alone"),
                "{e}"
            );
        }
    }
    // CRLF rows and a `\r` inside quotes stay fine.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", b"id,t\nC1,\"a\rb\"\r\nC2,x\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!((code, d.len()), (0, 2), "{e}");
}

// --- issue 16, clearer errors ----------------------------------------------------------------

#[test]
fn blank_lines_before_the_header_do_not_make_the_export_empty() {
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", N.as_bytes()),
        ("e.csv", b"\n\r\nid,n\nA,200\nB,x\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 1, "{e}");
    assert_eq!(actions(&d[0]), vec!["a"]);
    // Line numbers still count the blank lines.
    assert!(e.contains("e.csv:5"), "{e}");
}

#[test]
fn an_empty_ndjson_export_is_empty_like_an_empty_csv() {
    for text in [&b""[..], b"\n  \n"] {
        let files: &[(&str, &[u8])] = &[
            ("p.playbook", N.as_bytes()),
            ("e.ndjson", text),
            ("e.csv", text),
        ];
        for name in ["e.ndjson", "e.csv"] {
            let (code, _, e) = eval(files, name, &[]);
            assert_eq!(code, 1, "{name}: {e}");
            assert!(e.contains("the export is empty"), "{name}: {e}");
        }
    }
}

#[test]
fn a_utf16_export_is_named_as_utf16() {
    let utf16 = |bom: bool| -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend("id,n\nA,200\n".encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    };
    for bom in [true, false] {
        let bytes = utf16(bom);
        let files: &[(&str, &[u8])] = &[("p.playbook", N.as_bytes()), ("e.csv", &bytes)];
        let (code, _, e) = eval(files, "e.csv", &[]);
        assert_eq!(code, 1, "{e}");
        assert!(e.contains("UTF-16") && !e.contains("Windows-1252"), "{e}");
    }
}

// --- issue 16.5: a column that differs only by case, invisible characters or accents ---------

#[test]
fn a_near_miss_column_is_a_warning_with_did_you_mean() {
    let playbook = "customer { id text key  stad text?  prijs number? from \"Café prijs\" }
rule r when stad is present or prijs > 1 then a
";
    let headers = [
        "id,Stad,Café prijs\n",
        "id,st\u{200b}ad,Café prijs\n",
        "id,stad,Cafe\u{301} prijs\n",
    ];
    for header in headers {
        let export = format!("{header}A,x,2\n");
        let files: &[(&str, &[u8])] = &[
            ("p.playbook", playbook.as_bytes()),
            ("e.csv", export.as_bytes()),
        ];
        let (code, d, e) = eval(files, "e.csv", &[]);
        assert_eq!(code, 0, "{e}");
        assert_eq!(d.len(), 1);
        assert!(
            e.contains("near-column") && e.contains("did you mean"),
            "{header:?}: {e}"
        );
        let o = run(files, &["check", "p.playbook", "--data", "e.csv"]);
        let all = out(&o) + &err(&o);
        assert!(
            all.contains("near-column") && all.contains("1 warning"),
            "{header:?}: {all}"
        );
    }
    // The exact names: no warning.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", "id,stad,Café prijs\nA,x,2\n".as_bytes()),
    ];
    let (code, _, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert!(!e.contains("near-column"), "{e}");
}

// --- "nothing lost, nothing injected": lone carriage returns after a CRLF header -------------

#[test]
fn lone_carriage_returns_after_a_crlf_header_are_an_error_not_one_record() {
    let one = "customer { id text key }\nrule r when true then a\n";
    let two = "customer { id text key  n number }\nrule r when n > 0 then a\n";
    let cases: [(&str, &[u8], &str); 3] = [
        // One column: the three ids were read as one customer `A\rB\rC` (exit 0).
        (one, b"id\r\nA\rB\rC\r\n", "e.csv:2"),
        (two, b"id,n\r\nA,1\rB,2\rC,3\r\n", "e.csv:2"),
        (two, b"id,n\r\nA,1\r\nB,2\rC,3\r\n", "e.csv:3"),
    ];
    for (playbook, export, place) in cases {
        let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.csv", export)];
        for mode in ["stop", "skip"] {
            let (code, d, e) = eval(files, "e.csv", &["--on-error", mode]);
            assert_eq!(code, 1, "{e}");
            // Only the whole row before the bad line (standard output is not held back).
            assert!(d.iter().all(|d| d["customer"] == "A"), "{d:?}");
            assert!(
                e.contains(place)
                    && e.contains("carriage return alone")
                    && e.contains("ends in a carriage return and a line feed (CRLF)"),
                "{export:?}: {e}"
            );
        }
    }
    // CRLF and LF rows mixed, and a `\r` inside quotes, stay fine.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", two.as_bytes()),
        ("e.csv", b"id,n\r\nA,1\nB,\"2\"\r\n\"C\rD\",3\r\n"),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!((code, d.len()), (0, 3), "{e}");
    assert_eq!(d[2]["customer"], "C\rD");
    // So do `\r\r\n` line ends (a CRLF file converted twice), after either header.
    for export in [
        &b"id,n\r\r\nA,1\r\r\nB,2\r\r\n"[..],
        b"id,n\nA,1\r\r\nB,2\r\r\n",
    ] {
        let files: &[(&str, &[u8])] = &[("p.playbook", two.as_bytes()), ("e.csv", export)];
        let (code, d, e) = eval(files, "e.csv", &[]);
        assert_eq!((code, d.len()), (0, 2), "{export:?}: {e}");
        assert_eq!(
            (&d[0]["customer"], &d[1]["customer"]),
            (&"A".into(), &"B".into())
        );
    }
}

// --- a long header reaches the record limit as fast as a long row ----------------------------

#[test]
fn a_header_longer_than_the_record_limit_is_an_error_without_reading_on() {
    let playbook = "customer { id text key }\nrule r when true then a\n";
    // 68 MiB on one line, no line break (was quadratic: 113 s for 200 MB in release).
    let header = "a,".repeat(34 << 20);
    let first = format!("{{\"id\":\"{}\"}}\n", "x".repeat(65 << 20));
    // A JSON-array item is a record too (the array is read item by item).
    let item = format!("[\n{{\"id\":\"A\"}},\n{}]", first.trim_end());
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", header.as_bytes()),
        ("e.ndjson", first.as_bytes()),
        ("e.json", item.as_bytes()),
    ];
    for (name, place) in [
        ("e.csv", "e.csv:1"),
        ("e.ndjson", "e.ndjson:1"),
        ("e.json", "e.json:3"),
    ] {
        let (code, d, e) = eval(files, name, &[]);
        assert_eq!(code, 1, "{e}");
        // Only the whole item before the long one.
        assert!(d.iter().all(|d| d["customer"] == "A"), "{d:?}");
        assert!(
            e.contains(&format!("{place}: a record longer than 64 MiB starts here")),
            "{name}: {e}"
        );
    }
    // An endless export stops at the limit too.
    let (code, _, e) = eval(files, "/dev/zero", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("a record longer than 64 MiB"), "{e}");
}

// --- a JSON-array export is read item by item, as NDJSON is read line by line ----------------

#[test]
fn a_json_array_is_read_in_chunks_with_item_numbers_and_lines() {
    let playbook = "customer { id text key  n number }\nrule r when n > 1 then a\n";
    // 60,000 pretty-printed items (about 3 MB: several chunks), every 7,000th bad.
    let mut text = String::from("[\n");
    for i in 1..=60_000u64 {
        let n = if i % 7_000 == 0 {
            "\"x\"".to_string()
        } else {
            (i % 5).to_string()
        };
        text += &format!("  {{\n    \"id\": \"C{i}\",\n    \"n\": {n}\n  }}");
        text += if i < 60_000 { ",\n" } else { "\n" };
    }
    text += "]\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.json", text.as_bytes()),
    ];
    // The same decisions and rejected rows, in order, with 1 and 2 threads.
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let o = run(
            files,
            &[
                "eval",
                "p.playbook",
                "e.json",
                "--as-of",
                AS_OF,
                "--format",
                "ndjson",
                "-q",
                "--on-error",
                "skip",
                "--threads",
                threads,
            ],
        );
        assert_eq!(exit_code(&o), 0, "{}", err(&o));
        assert_eq!(out(&o).lines().count(), 60_000 - 8);
        outputs.push((out(&o), err(&o)));
    }
    assert!(outputs[0] == outputs[1], "1 and 2 threads differ");
    // Item i starts on line 4i - 2; the rejects name both.
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("writes a fixture");
    }
    let o = run_in(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.json",
            "--as-of",
            AS_OF,
            "-q",
            "--on-error",
            "skip",
            "--rejects",
            "r.csv",
            "-o",
            "d.ndjson",
            "--threads",
            "2",
        ],
    );
    assert_eq!(exit_code(&o), 0, "{}", err(&o));
    let rejects: Vec<csv::StringRecord> = csv::Reader::from_path(dir.path().join("r.csv"))
        .expect("rejects")
        .records()
        .map(|r| r.expect("a rejects row"))
        .collect();
    assert_eq!(rejects.len(), 8, "{rejects:?}");
    for (k, row) in rejects.iter().enumerate() {
        let item = 7_000 * (k as u64 + 1);
        assert_eq!(&row[1], (4 * item - 2).to_string(), "{row:?}");
        assert!(
            row[2].starts_with(&format!("column `n`: item {item} of the array:")),
            "{row:?}"
        );
        // The record as it stands in the export, to fix and read again.
        assert!(
            row[3].starts_with("{\n    \"id\": \"C") && row[3].ends_with('}'),
            "{row:?}"
        );
    }
    let decisions = std::fs::read_to_string(dir.path().join("d.ndjson")).expect("decisions");
    assert_eq!(decisions.lines().count(), 60_000 - 8);
    assert!(decisions
        .lines()
        .nth(1)
        .is_some_and(|l| l.contains("\"C2\"")));
    // Stop mode names the first bad item and its line.
    let (code, _, e) = eval(files, "e.json", &[]);
    assert_eq!(code, 1);
    assert!(
        e.contains("e.json:27998, column `n`: item 7000 of the array"),
        "{e}"
    );
}

#[test]
fn a_json_array_keeps_ids_keys_and_nulls_as_before() {
    let playbook = "customer { id text key  n number? }\nrule r when n is missing then a\n";
    let text = b"\xEF\xBB\xBF[{\"id\":1234567890123456789,\"n\":null},\n{\"id\":1234567890123456788},\n{\"id\":\"D\",\"n\":1,\"n\":2},\n7]";
    let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.json", text)];
    let (code, d, e) = eval(files, "e.json", &["--on-error", "skip"]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["customer"], "1234567890123456789");
    assert_eq!(d[1]["customer"], "1234567890123456788");
    assert_eq!(actions(&d[1]), vec!["a"]);
    assert!(
        e.contains("e.json:3: item 3 of the array") && e.contains("`n` appears twice"),
        "{e}"
    );
    assert!(
        e.contains("e.json:4: item 4 of the array: this is not a JSON object"),
        "{e}"
    );
}

#[test]
fn a_broken_json_array_is_an_error_naming_its_line_in_both_modes() {
    let playbook = "customer { id text key }\nrule r when true then a\n";
    let cases: [(&[u8], &str); 5] = [
        (b"[{\"id\":\"A\"}\n{\"id\":\"B\"}]", "e.json:2: the JSON array is broken here: a `,` or the closing `]` must follow an item"),
        (b"[{\"id\":\"A\"},\n{\"id\":\"B\"},]", "e.json:2: the JSON array is broken here: a `,` before the closing `]`"),
        (b"[{\"id\":\"A\"}]\n[{\"id\":\"B\"}]", "e.json:2: the JSON array is broken here: `[{\"id\":\"B\"` follows the array's closing `]`"),
        (b"[{\"id\":\"A\"},\n{\"id\":\"B]", "e.json:2: the export ends inside this item"),
        (b"{\"id\":\"A\"}", "e.json:1: this is not a JSON array of customer objects: it starts with `{\"id\":\"A\"}`"),
    ];
    for (text, want) in cases {
        let files: &[(&str, &[u8])] = &[("p.playbook", playbook.as_bytes()), ("e.json", text)];
        for mode in ["stop", "skip"] {
            let (code, _, e) = eval(files, "e.json", &["--on-error", mode]);
            assert_eq!(code, 1, "{e}");
            assert!(e.contains(want), "{want}\n{e}");
        }
    }
}

// --- inferred dates that read both day first and month first ---------------------------------

#[test]
fn inferred_dates_that_read_both_ways_ask_for_a_format() {
    // No `customer` block: the fields come from the export.
    let playbook = "rule r when signup more than 30 days ago then a\n";
    let both = "id,signup\nA,01/05/2024\nB,03/04/2024\nC,\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", both.as_bytes()),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!((code, d.len()), (0, 3), "{e}");
    assert!(
        e.contains("warning: e.csv: every date in the column `signup` reads both day first and month first (`01/05/2024`: day first 2024-05-01, month first 2024-01-05); it is read day first")
            && e.contains("`signup date? format \"%m/%d/%Y\"` (month first)"),
        "{e}"
    );
    let o = run(files, &["schema", "e.csv"]);
    assert_eq!(exit_code(&o), 0);
    assert!(
        out(&o).contains("signup  date? format \"%d/%m/%Y\""),
        "{}",
        out(&o)
    );
    assert!(
        err(&o).contains("reads both day first and month first"),
        "{}",
        err(&o)
    );
    // One value that fits day first only settles it; so do dates whose day is their month.
    for export in [
        "id,signup\nA,01/05/2024\nB,13/05/2024\n",
        "id,signup\nA,01/01/2024\nB,12/12/2024\n",
        "id,signup\nA,01-05-2024\nB,23-11-2024\n",
    ] {
        let files: &[(&str, &[u8])] = &[
            ("p.playbook", playbook.as_bytes()),
            ("e.csv", export.as_bytes()),
        ];
        let (code, _, e) = eval(files, "e.csv", &[]);
        assert_eq!(code, 0, "{e}");
        assert!(!e.contains("warning"), "{export:?}: {e}");
    }
    // Dashes too.
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", b"id,signup\nA,01-05-2024\nB,03-04-2024\n"),
    ];
    let (_, _, e) = eval(files, "e.csv", &[]);
    assert!(e.contains("format \"%m-%d-%Y\"` (month first)"), "{e}");
}

// --- a huge bad record: the message is bounded, the rejects file keeps the record whole -------

#[test]
fn a_huge_bad_record_gives_a_bounded_message_and_a_whole_rejected_row() {
    let playbook = "customer { id text key  n number }\nrule r when n > 1 then a\n";
    let cell = "9x".repeat(5 << 20);
    let csv = format!("id,n\nA,2\nB,{cell}\nC,3\n");
    let json =
        format!("[{{\"id\":\"A\",\"n\":2}},\n\"{cell}\",\n{{\"id\":\"B\",\"n\":\"{cell}\"}}]");
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", playbook.as_bytes()),
        ("e.csv", csv.as_bytes()),
        ("e.json", json.as_bytes()),
    ];
    // Stop: the error names the place and quotes the start of the cell.
    let (code, _, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 1);
    assert!(e.len() < 4_000, "{} bytes on standard error", e.len());
    assert!(
        e.contains("e.csv:3, column `n`: `9x9x9x") && e.contains("bytes in all)` is not a number"),
        "{e}"
    );
    // Skip without a rejects file: each rejected row is named on standard error, bounded.
    let (code, d, e) = eval(files, "e.json", &["--on-error", "skip"]);
    assert_eq!((code, d.len()), (0, 1), "{e}");
    assert!(e.len() < 6_000, "{} bytes on standard error", e.len());
    assert!(
        e.contains("e.json:2: item 2 of the array: this is not a JSON object"),
        "{e}"
    );
    assert!(e.contains("bytes left out"), "{e}");
    assert!(
        e.contains("e.json:3, column `n`: item 3 of the array: `9x9x"),
        "{e}"
    );
    // Skip with a rejects file: the reason is bounded, the record is there whole to fix.
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("writes a fixture");
    }
    for export in ["e.csv", "e.json"] {
        let o = run_in(
            dir.path(),
            &[
                "eval",
                "p.playbook",
                export,
                "--as-of",
                AS_OF,
                "-q",
                "--on-error",
                "skip",
                "--rejects",
                "r.csv",
                "-o",
                "d.ndjson",
            ],
        );
        assert_eq!(exit_code(&o), 0, "{}", err(&o));
        assert!(err(&o).is_empty(), "{}", err(&o));
        let rows: Vec<csv::StringRecord> = csv::Reader::from_path(dir.path().join("r.csv"))
            .expect("rejects")
            .records()
            .map(|r| r.expect("a rejects row"))
            .collect();
        assert!(!rows.is_empty());
        for row in &rows {
            assert!(
                row[2].len() < 1_100,
                "{export}: a reason of {} bytes",
                row[2].len()
            );
            assert!(row[3].contains(&cell), "{export}: the record is not whole");
        }
    }
}

/// Issue 16 item 5, within language.md §11 ("no normalisation"): a column whose name differs
/// from a field's only in how an accent is written (NFD `cafe\u{301}` against NFC `café`) is
/// never silently missing — a `near-column` warning for an optional field, `missing-column`
/// with its did-you-mean for a required one — while text itself is compared as written.
#[test]
fn text_in_another_unicode_normal_form_is_named_not_merged() {
    let export = "id,cafe\u{301},stad\nA,cre\u{300}me,x\n";
    let optional = "customer { id text key  caf\u{e9} text?  stad text }\nrule r when caf\u{e9} is missing then a\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", optional.as_bytes()),
        ("e.csv", export.as_bytes()),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert!(e.contains("near-column"), "{e}");
    assert_eq!(actions(&d[0]), vec!["a"]);
    let required =
        "customer { id text key  caf\u{e9} text }\nrule r when caf\u{e9} is missing then a\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", required.as_bytes()),
        ("e.csv", export.as_bytes()),
    ];
    let (code, _, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 1, "{e}");
    assert!(
        e.contains("missing-column") && e.contains("cafe\u{301}"),
        "{e}"
    );
    // The same bytes match; an NFD cell is not the NFC string (§11: no normalisation).
    let same = "customer { id text key  cafe\u{301} text }\nrule r when cafe\u{301} = \"cr\u{e8}me\" then a\nrule s when cafe\u{301} = \"cre\u{300}me\" then b\n";
    let files: &[(&str, &[u8])] = &[
        ("p.playbook", same.as_bytes()),
        ("e.csv", export.as_bytes()),
    ];
    let (code, d, e) = eval(files, "e.csv", &[]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(actions(&d[0]), vec!["b"]);
}
