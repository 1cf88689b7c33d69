//! Real exports nobody on the team wrote (tests/data/real and tests/data/excel-nl,
//! see PROVENANCE.md) through `playbook eval`: every file either evaluates, with every row
//! accounted for, or fails with a pointed diagnostic.
//!
//! For each file: (1) a playbook without a `customer` block whose rule uses the file's key
//! column: it evaluates when that column is `id` or `customer_id`, and otherwise stops with
//! "the export has no customer id column"; (2) a playbook `customer { k text key from "…" }`
//! with `--on-error skip --rejects FILE --summary FILE`: rejected + evaluated = rows read,
//! rows read = the count in PROVENANCE.md, one rejects line per rejected row and one
//! decision per evaluated row.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn playbook(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

/// Standard error with miette's line wrapping undone (messages are wrapped at 100 columns,
/// and the paths here are long): the lines, trimmed of the frame's `│`, joined by spaces.
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| l.trim().trim_start_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How each file is read. `key`: its customer (or invoice) column; `rows`: records after the
/// header, from PROVENANCE.md; `rejected`: rows that cannot be read.
struct Case {
    file: &'static str,
    key: &'static str,
    rows: u64,
    rejected: u64,
}

const CASES: &[Case] = &[
    Case {
        file: "excel-nl/cdnow_transactions_nl.csv",
        key: "customer_id",
        rows: 69_659,
        rejected: 0,
    },
    Case {
        file: "excel-nl/online_retail_sample_nl.csv",
        key: "InvoiceNo",
        rows: 2_709,
        rejected: 0,
    },
    Case {
        file: "excel-nl/telco_customer_churn_nl.csv",
        key: "customerID",
        rows: 7_043,
        rejected: 0,
    },
    Case {
        file: "real/cdnow/CDNOW_master.derived.csv",
        key: "customer_id",
        rows: 69_659,
        rejected: 0,
    },
    Case {
        file: "real/cdnow/cdnow_customers_summary.csv",
        key: "ID",
        rows: 2_357,
        rejected: 0,
    },
    Case {
        file: "real/cdnow/cdnow_customers_summary_with_transactions.csv",
        key: "ID",
        rows: 2_357,
        rejected: 0,
    },
    Case {
        file: "real/customer-personality-analysis/marketing_campaign.csv",
        key: "ID",
        rows: 2_240,
        rejected: 0,
    },
    // 119 records a spreadsheet wrapped whole in quotes: one cell each (PROVENANCE.md).
    Case {
        file: "real/online-retail/online_retail_first8373_mangled.csv",
        key: "InvoiceNo",
        rows: 8_373,
        rejected: 119,
    },
    Case {
        file: "real/online-retail/online_retail_sample.csv",
        key: "InvoiceNo",
        rows: 2_709,
        rejected: 0,
    },
    Case {
        file: "real/telco-customer-churn/Telco-Customer-Churn.csv",
        key: "customerID",
        rows: 7_043,
        rejected: 0,
    },
    // Whitespace-separated, not CSV: no `,` `;` or tab, so every line is one column (the
    // header line is the column's name, leading space and all).
    Case {
        file: "real/cdnow/CDNOW_master.txt",
        key: " customer_id  date number_of_cds  dollar_value",
        rows: 69_659,
        rejected: 0,
    },
    // Whitespace-separated and without a header: its first transaction is taken as the
    // header, so 6,918 of its 6,919 lines are rows of one column.
    Case {
        file: "real/cdnow/CDNOW_sample.txt",
        key: " 00004 0001 19970101  2   29.33",
        rows: 6_918,
        rejected: 0,
    },
];

/// Every file under real/ and excel-nl/ has a case: a new file needs a decision here.
#[test]
fn every_file_has_a_case() {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("tests/data is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                let rel = path
                    .strip_prefix(data())
                    .expect("under data")
                    .to_string_lossy();
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(&data().join("real"), &mut files);
    walk(&data().join("excel-nl"), &mut files);
    files.sort();
    let mut cased: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    cased.sort();
    assert_eq!(files, cased);
}

struct Run {
    out: Output,
    summary: Option<serde_json::Value>,
    decisions: Option<String>,
    rejects: Option<String>,
}

/// `playbook eval` with the playbook text over a file of tests/data, into a temporary folder.
fn eval(playbook_text: &str, export: &Path, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("p.playbook"), playbook_text).expect("writes");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "eval".as_ref(),
        "p.playbook".as_ref(),
        export.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-23".as_ref(),
        "-q".as_ref(),
        "-o".as_ref(),
        "out.ndjson".as_ref(),
        "--summary".as_ref(),
        "summary.json".as_ref(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let out = playbook(dir.path(), &args);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).ok();
    Run {
        summary: read("summary.json").map(|s| serde_json::from_str(&s).expect("summary JSON")),
        decisions: read("out.ndjson"),
        rejects: read("rejects.csv"),
        out,
    }
}

fn keyed(key: &str) -> String {
    format!("customer {{ k text key from \"{key}\" }}\nrule r when k is present then seen\n")
}

fn count(summary: &serde_json::Value, field: &str) -> u64 {
    summary[field]
        .as_u64()
        .unwrap_or_else(|| panic!("`{field}` in {summary}"))
}

#[test]
fn every_file_evaluates_and_accounts_for_every_row() {
    for case in CASES {
        let export = data().join(case.file);
        let run = eval(
            &keyed(case.key),
            &export,
            &["--on-error", "skip", "--rejects", "rejects.csv"],
        );
        assert!(
            run.out.status.success(),
            "{}: {}",
            case.file,
            stderr(&run.out)
        );
        let summary = run.summary.expect("a summary");
        let (read, evaluated, rejected) = (
            count(&summary, "read"),
            count(&summary, "evaluated"),
            count(&summary, "rejected"),
        );
        assert_eq!(read, case.rows, "{}: rows read", case.file);
        assert_eq!(rejected + evaluated, read, "{}: a row was lost", case.file);
        assert_eq!(rejected, case.rejected, "{}: rows rejected", case.file);
        let decisions = run.decisions.expect("decisions");
        assert_eq!(decisions.lines().count() as u64, evaluated, "{}", case.file);
        let rejects = run.rejects.expect("a rejects file");
        let mut reader = csv::Reader::from_reader(rejects.as_bytes());
        assert_eq!(
            reader
                .headers()
                .expect("a header")
                .iter()
                .collect::<Vec<_>>(),
            ["file", "line", "reason", "record"]
        );
        assert_eq!(reader.records().count() as u64, rejected, "{}", case.file);
    }
}

#[test]
fn without_a_schema_the_key_column_must_be_id_or_customer_id() {
    for case in CASES {
        let export = data().join(case.file);
        let plain = !case.key.contains(' ');
        if !plain {
            continue; // the .txt files: see whitespace_separated_files_read_as_one_column
        }
        let run = eval(
            &format!("rule r when {} is present then seen\n", case.key),
            &export,
            &[],
        );
        let err = stderr(&run.out);
        if matches!(case.key, "id" | "customer_id") {
            assert!(run.out.status.success(), "{}: {err}", case.file);
            let summary = run.summary.expect("a summary");
            assert_eq!(count(&summary, "evaluated"), case.rows, "{}", case.file);
        } else {
            assert_eq!(run.out.status.code(), Some(1), "{}: {err}", case.file);
            assert!(
                err.contains("does not fit the playbook")
                    && err.contains("the export has no customer id column")
                    && err.contains("mark the field that identifies customers with `key`"),
                "{}: {err}",
                case.file
            );
            assert!(run.decisions.is_none(), "{}: no output file", case.file);
        }
    }
}

/// CDNOW's .txt files are whitespace-separated. The engine reads CSV with `,` `;` or tab
/// (detected from the header line); with none of them the whole line is one column. So a
/// playbook that names one of the columns fails at `check`, and the message lists the one
/// field there is: the header line. That is the pointed diagnostic a marketer gets.
#[test]
fn whitespace_separated_files_read_as_one_column() {
    let export = data().join("real/cdnow/CDNOW_master.txt");
    let run = eval(
        "rule r when customer_id is present then seen\n",
        &export,
        &[],
    );
    assert_eq!(run.out.status.code(), Some(1));
    let err = stderr(&run.out);
    assert!(
        err.contains("there is no field named `customer_id`"),
        "{err}"
    );
    assert!(
        // In quotes, as the playbook must write a name with spaces.
        err.contains(r#"the known fields are `" customer_id  date number_of_cds  dollar_value"`"#),
        "{err}"
    );
    assert!(run.decisions.is_none());
    // Keyed by that one column, each line is a customer whose id is the trimmed line.
    let run = eval(
        &keyed(" customer_id  date number_of_cds  dollar_value"),
        &export,
        &[],
    );
    assert!(run.out.status.success(), "{}", stderr(&run.out));
    let decisions = run.decisions.expect("decisions");
    let first: serde_json::Value =
        serde_json::from_str(decisions.lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["customer"], "00001 19970101  1   11.77");
    // Another delimiter is no way out: `--delimiter ' '` makes the leading and repeated
    // spaces empty cells, and rows have more cells than the header has columns.
    let run = eval(
        &keyed("customer_id"),
        &export,
        &["--delimiter", " ", "--on-error", "stop"],
    );
    assert_eq!(run.out.status.code(), Some(1), "{}", stderr(&run.out));
    let err = stderr(&run.out);
    assert!(
        err.contains("CDNOW_master.txt:2: this row has 8 cells, and the header has 7 columns"),
        "{err}"
    );
    assert!(run.decisions.is_none());
}

/// PROVENANCE.md: "reject or report a row whose field count does not match the header, with
/// its line number". Lines checked by hand with `grep -n '^"'` (the file has no line breaks
/// inside quotes, so record lines are file lines; line 1 is the header).
#[test]
fn the_mangled_online_retail_rows_are_reported_with_their_lines() {
    let export = data().join("real/online-retail/online_retail_first8373_mangled.csv");
    let run = eval(
        &keyed("InvoiceNo"),
        &export,
        &["--on-error", "skip", "--rejects", "rejects.csv"],
    );
    assert!(run.out.status.success(), "{}", stderr(&run.out));
    let rejects = run.rejects.expect("a rejects file");
    let mut lines = Vec::new();
    for record in csv::Reader::from_reader(rejects.as_bytes()).records() {
        let record = record.expect("a rejects record");
        assert!(record[0].ends_with("online_retail_first8373_mangled.csv"));
        assert_eq!(
            &record[2],
            "this row has 1 cell, and the header has 8 columns"
        );
        lines.push(record[1].parse::<u64>().expect("a line number"));
    }
    for line in [111, 255, 873, 8147, 8221] {
        assert!(
            lines.contains(&line),
            "line {line} is not rejected: {lines:?}"
        );
    }
    assert_eq!(lines.first(), Some(&111));
    assert_eq!(lines.last(), Some(&8221));
    // Exactly the lines wrapped whole in quotes, counted independently of the engine.
    let text = std::fs::read_to_string(&export).expect("reads");
    let wrapped: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('"'))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert_eq!(lines, wrapped);
    // The record is kept as it stands in the file.
    assert!(rejects.contains("AIRLINE LOUNGE,METAL SIGN"));

    // By default the first of them stops the run, naming its line; no output file is left.
    let run = eval(&keyed("InvoiceNo"), &export, &[]);
    assert_eq!(run.out.status.code(), Some(1));
    let err = stderr(&run.out);
    assert!(
        err.contains("online_retail_first8373_mangled.csv:111")
            && err.contains("this row has 1 cell, and the header has 8 columns"),
        "{err}"
    );
    assert!(run.decisions.is_none());
    assert!(run.summary.is_none());
}

/// An export saved by Excel on Windows: `é` and `ö` as single bytes (0xE9, 0xF6).
#[test]
fn windows_1252_needs_the_encoding_flag() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let export = dir.path().join("klanten.csv");
    std::fs::write(
        &export,
        b"id,naam,stad\r\n1,Anna,Utrecht\r\n2,Ren\xe9,K\xf6ln\r\n",
    )
    .expect("writes");
    let rule = "rule r when naam = \"René\" and stad = \"Köln\" then hallo\n";
    let run = eval(rule, &export, &[]);
    assert_eq!(run.out.status.code(), Some(1));
    let err = stderr(&run.out);
    // Line 3, the column by name, the cell marked, and the way out.
    assert!(err.contains("klanten.csv:3, column `naam`"), "{err}");
    assert!(
        err.contains("this cell is not valid UTF-8 (byte 4 of the cell)"),
        "{err}"
    );
    assert!(err.contains("--encoding windows-1252"), "{err}");
    assert!(err.contains("╭─[") && err.contains(":3:1]"), "{err}");
    assert!(run.decisions.is_none());

    let run = eval(rule, &export, &["--encoding", "windows-1252"]);
    assert!(run.out.status.success(), "{}", stderr(&run.out));
    let decisions = run.decisions.expect("decisions");
    let lines: Vec<serde_json::Value> = decisions
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["actions"], serde_json::json!([]));
    assert_eq!(lines[1]["customer"], "2");
    assert_eq!(
        lines[1]["actions"][0]["action"], "hallo",
        "René in Köln decoded"
    );
}
