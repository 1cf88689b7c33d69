//! Differential tests: `playbook sql --dialect duckdb` run by the DuckDB CLI
//! (PyPI `duckdb-cli`) must write byte for byte the CSV of `playbook eval --format csv`.
//! DuckDB missing is a failure, never a skip: `.ci/run` installs it.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn playbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run playbook")
}

fn duckdb(script: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = support::engines::duckdb()
        .args(["-batch", ":memory:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the DuckDB CLI (provisioned from PyPI): {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script)
        .expect("write script");
    child.wait_with_output().expect("duckdb")
}

/// The export's field separator, as `eval` detects it (the first line's most common of , ; tab).
fn delimiter(data: &Path) -> String {
    let text = std::fs::read_to_string(data).expect("read export");
    let first = text.lines().next().unwrap_or("");
    let best = [',', ';', '\t']
        .into_iter()
        .max_by_key(|c| first.matches(*c).count())
        .unwrap_or(',');
    best.to_string()
}

/// Runs both and compares; returns the number of decision rows.
fn same(pb: &Path, data: &Path, as_of: &str) -> usize {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("decisions.csv");
    let eval = playbook(&[
        "eval",
        pb.to_str().expect("test setup"),
        data.to_str().expect("test setup"),
        "--as-of",
        as_of,
        "--format",
        "csv",
        "-q",
    ]);
    assert!(
        eval.status.success(),
        "eval failed on {}: {}",
        pb.display(),
        String::from_utf8_lossy(&eval.stderr)
    );
    let sep = delimiter(data);
    let sql = playbook(&[
        "sql",
        pb.to_str().expect("test setup"),
        "--dialect",
        "duckdb",
        "--as-of",
        as_of,
        "--input",
        data.to_str().expect("test setup"),
        "--output",
        out.to_str().expect("test setup"),
        "--delimiter",
        &sep,
    ]);
    assert!(
        sql.status.success(),
        "sql failed on {}: {}",
        pb.display(),
        String::from_utf8_lossy(&sql.stderr)
    );
    let run = duckdb(&sql.stdout);
    assert!(
        run.status.success(),
        "duckdb failed on {} as of {as_of}: {}",
        pb.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let got = std::fs::read_to_string(&out).expect("decisions written");
    let want = String::from_utf8(eval.stdout).expect("utf-8");
    assert_eq!(
        got,
        want,
        "DuckDB and eval differ on {} as of {as_of}",
        pb.display()
    );
    want.lines().count() - 1
}

/// Compiles `pb` for DuckDB over `data` and runs it, expecting it to stop on a bad cell
/// before writing any decisions; returns what DuckDB printed.
fn script_stops(pb: &Path, data: &Path, as_of: &str, value: &str) -> String {
    let out = data.with_extension("out.csv");
    let sql = playbook(&[
        "sql",
        pb.to_str().expect("utf-8"),
        "--dialect",
        "duckdb",
        "--as-of",
        as_of,
        "--input",
        data.to_str().expect("utf-8"),
        "--output",
        out.to_str().expect("utf-8"),
    ]);
    assert!(sql.status.success());
    let run = duckdb(&sql.stdout);
    assert!(!run.status.success(), "`{value}` must stop the script");
    assert!(!out.exists(), "no decisions written");
    String::from_utf8_lossy(&run.stderr).into_owned()
}

#[test]
fn example_playbooks_decide_as_eval() {
    for entry in std::fs::read_dir(root().join("playbooks")).expect("playbooks") {
        let pb = entry.expect("entry").path();
        if pb.extension().and_then(|e| e.to_str()) != Some("playbook") {
            continue;
        }
        let name = pb
            .file_stem()
            .expect("test setup")
            .to_str()
            .expect("test setup")
            .to_string();
        let data = root().join("playbooks/data").join(format!("{name}.csv"));
        if !data.exists() {
            continue; // the benchmark: generated data, below
        }
        let rows = same(&pb, &data, "2026-11-23");
        assert!(
            rows > 0,
            "{name}: no decisions, the comparison proves little"
        );
    }
}

#[test]
fn language_section_1_example_decides_as_eval() {
    let dir = root().join("tests/fixtures/sql");
    for as_of in ["2026-11-23", "2028-02-27", "2027-12-31"] {
        same(
            &dir.join("language-s1.playbook"),
            &dir.join("language-s1.csv"),
            as_of,
        );
    }
}

#[test]
fn traps_decide_as_eval_around_year_ends_and_leap_days() {
    let dir = root().join("tests/fixtures/sql");
    let mut rows = 0;
    for as_of in [
        "2026-02-28",
        "2027-02-28",
        "2028-02-28",
        "2028-02-29",
        "2028-03-01",
        "2026-12-31",
        "2027-01-01",
        "2026-11-23",
    ] {
        rows += same(&dir.join("traps.playbook"), &dir.join("traps.csv"), as_of);
    }
    assert!(rows > 0);
}

#[test]
fn benchmark_workload_on_generated_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("customers.csv");
    let gen = Command::new("python3")
        .arg(root().join("bench/gen_customers.py"))
        .arg("20000")
        .arg(&data)
        .output()
        .expect("python3");
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let pb = root().join("playbooks/benchmark.playbook");
    for as_of in [
        "2026-11-23",
        "2026-12-31",
        "2027-01-01",
        "2028-02-28",
        "2028-02-29",
    ] {
        assert!(same(&pb, &data, as_of) > 0);
    }
}

#[test]
fn a_bad_cell_stops_the_script_naming_column_and_value() {
    // The trap playbook has `decimal comma`: `1.5` is as bad as `twelve`.
    for (bad, value) in [
        ("T9,twelve,1,x,,,,gold,,sms", "twelve"),
        ("T9,1.5,1,x,,,,gold,,sms", "1.5"),
        ("T9,1,1,x,31-02-2000,,,gold,,sms", "31-02-2000"),
        ("T9,1,1,x,,,misschien,gold,,sms", "misschien"),
        ("T9,1,1,x,,,,platinum,,sms", "platinum"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("bad.csv");
        let mut text =
            std::fs::read_to_string(root().join("tests/fixtures/sql/traps.csv")).expect("read");
        text.push_str(bad);
        text.push('\n');
        std::fs::write(&data, text).expect("write");
        let eval = playbook(&[
            "eval",
            "tests/fixtures/sql/traps.playbook",
            data.to_str().expect("utf-8"),
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
            "-q",
        ]);
        assert!(!eval.status.success(), "eval rejects {value}");
        let err = script_stops(
            &root().join("tests/fixtures/sql/traps.playbook"),
            &data,
            "2026-11-23",
            value,
        );
        assert!(
            err.contains("customer `T9`") && err.contains(value),
            "the message names customer, column and value: {err}"
        );
    }
}

/// The engine may not skip a check: not for a suppressed customer (a filter
/// pushed below the checks), not for a field no rule reads (a column dropped).
#[test]
fn every_cell_is_checked_even_where_no_rule_looks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("unused.playbook");
    std::fs::write(
        &pb,
        "customer {\n  id text key\n  orders number\n  nps number?\n  ok bool\n}\npolicy {\n  suppress when not ok\n}\nrule r when orders >= 1 then x\n",
    )
    .expect("write");
    for (rows, value) in [
        ("A,1,5,ja\nB,2,oops,ja\n", "oops"),
        ("A,1,5,ja\nB,twelve,5,nee\n", "twelve"),
    ] {
        let data = dir.path().join("data.csv");
        std::fs::write(&data, format!("id,orders,nps,ok\n{rows}")).expect("write");
        let err = script_stops(&pb, &data, "2026-11-23", value);
        assert!(
            err.contains(value) && err.contains("customer `B`"),
            "`{value}` must stop the script: {err}"
        );
    }
}

/// Cells with white space around them (tabs, no-break spaces) read as
/// `eval` reads them: trimmed the way Rust's `str::trim` does.
#[test]
fn white_space_around_cells_is_trimmed_as_eval_trims() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("spaces.csv");
    let mut text =
        std::fs::read_to_string(root().join("tests/fixtures/sql/traps.csv")).expect("read");
    text.push_str("\tT10\u{a0},\t2 ,\u{3000}0,\tab ,  01-03-1990\t,\t2026-11-01 , NEE\t, Gold\u{2003},\tvip ; x,\tEmail\n");
    std::fs::write(&data, text).expect("write");
    assert!(
        same(
            &root().join("tests/fixtures/sql/traps.playbook"),
            &data,
            "2026-02-27"
        ) > 0
    );
}

#[test]
fn table_shape_is_one_query_over_customers() {
    let sql = playbook(&[
        "sql",
        "playbooks/benchmark.playbook",
        "--dialect",
        "duckdb",
        "--as-of",
        "2026-11-23",
    ]);
    assert!(sql.status.success());
    let text = String::from_utf8(sql.stdout).expect("test setup");
    assert!(text.contains("FROM \"customers\""));
    assert!(!text.contains("current_date") && !text.to_lowercase().contains(" like "));
    assert!(!text.contains("IN ()"));
    // The query over a table typed by DuckDB's own reader decides as eval does.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("customers.csv");
    let gen = Command::new("python3")
        .arg(root().join("bench/gen_customers.py"))
        .arg("5000")
        .arg(&data)
        .output()
        .expect("python3");
    assert!(gen.status.success());
    let out = dir.path().join("table.csv");
    let script = format!(
        ".bail on\nCREATE TABLE customers AS SELECT * FROM read_csv('{}', header = true, auto_detect = true);\nCOPY ({}) TO '{}' (HEADER, DELIMITER ',');\n",
        data.display(),
        text.trim_end().trim_end_matches(';'),
        out.display()
    );
    let run = duckdb(script.as_bytes());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let eval = playbook(&[
        "eval",
        "playbooks/benchmark.playbook",
        data.to_str().expect("test setup"),
        "--as-of",
        "2026-11-23",
        "--format",
        "csv",
        "-q",
    ]);
    assert!(eval.status.success());
    assert_eq!(
        std::fs::read_to_string(&out).expect("test setup"),
        String::from_utf8(eval.stdout).expect("test setup")
    );
}

/// The fast path for numbers trusts DuckDB's cast once a few texts the cast
/// reads but the language does not (`inf`, `1_000`, `+-1`) are set aside.
/// Held here on every short text of number-like characters and many longer
/// ones: a DuckDB that reads more than that fails this test.
#[test]
fn the_fast_number_test_accepts_only_the_grammar() {
    use playbook::sql::dialect::{Dialect, DuckDb, Script};
    let alphabet: Vec<char> = "0123456789.,eE+-_ \tinfaxd".chars().collect();
    let mut texts: Vec<String> = Vec::new();
    let small: Vec<char> = "01.,eE+-_ \ti".chars().collect();
    for len in 1..=4u32 {
        for mut n in 0..small.len().pow(len) {
            let mut t = String::new();
            for _ in 0..len {
                t.push(small[n % small.len()]);
                n /= small.len();
            }
            texts.push(t);
        }
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..100_000 {
        let mut t = String::new();
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let len = 1 + (state >> 33) as usize % 9;
        for _ in 0..len {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            t.push(alphabet[(state >> 33) as usize % alphabet.len()]);
        }
        texts.push(t);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("texts.csv");
    let mut csv = String::from("s\n");
    for t in &texts {
        csv.push_str(&format!("\"{t}\"\n"));
    }
    std::fs::write(&data, csv).expect("write");
    for decimal_comma in [false, true] {
        let (test, value) = DuckDb
            .plain_number("s", decimal_comma)
            .expect("DuckDB has a fast number test");
        let sep = if decimal_comma { "," } else { "[.]" };
        let grammar = format!("[+-]?([0-9]+{sep}?[0-9]*|{sep}[0-9]+)([eE][+-]?[0-9]+)?");
        let trimmed = DuckDb.trim("s");
        let exact = if decimal_comma {
            format!("TRY_CAST(replace({trimmed}, ',', '.') AS DOUBLE)")
        } else {
            format!("TRY_CAST({trimmed} AS DOUBLE)")
        };
        let query = format!(
            "SELECT count(*) AS n, count_if({test}) AS fast, \
             list(s) FILTER (WHERE {test} AND NOT (regexp_full_match({trimmed}, '{grammar}') AND {value} = {exact})) AS wrong \
             FROM read_csv('{}', header = true, all_varchar = true, quote = '\"', escape = '\"') WHERE s IS NOT NULL;",
            data.display()
        );
        let run = duckdb(format!(".mode line\n{query}\n").as_bytes());
        let out = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            out.lines().any(|l| l.trim() == "wrong = NULL"),
            "the fast test accepts texts the grammar does not (decimal comma {decimal_comma}): {out}"
        );
        let fast: usize = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("fast = "))
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert!(fast > 1000, "the fast test takes common numbers: {out}");
    }
}

/// Compiles `pb` for DuckDB over `data` (with `extra` arguments) and runs it:
/// Ok(decisions) or Err(what DuckDB printed), checking that a failed run
/// writes no decisions.
fn run_script(pb: &Path, data: &Path, extra: &[&str]) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("decisions.csv");
    let mut args = vec![
        "sql",
        pb.to_str().expect("utf-8"),
        "--dialect",
        "duckdb",
        "--as-of",
        "2026-11-23",
        "--input",
        data.to_str().expect("utf-8"),
        "--output",
        out.to_str().expect("utf-8"),
    ];
    args.extend(extra);
    let sql = playbook(&args);
    assert!(
        sql.status.success(),
        "{}",
        String::from_utf8_lossy(&sql.stderr)
    );
    let run = duckdb(&sql.stdout);
    if run.status.success() {
        Ok(std::fs::read_to_string(&out).expect("decisions written"))
    } else {
        assert!(!out.exists(), "a failed run writes no decisions");
        Err(String::from_utf8_lossy(&run.stderr).into_owned())
    }
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/sql").join(name)
}

/// Issue 15, defect 2: reversed literal bounds are a warning, and never true
/// (`not` of them true for a present value, unknown for a missing one).
#[test]
fn reversed_literal_bounds_are_a_warning_and_never_true() {
    let pb = fixture("reversed.playbook");
    let check = playbook(&["check", pb.to_str().expect("utf-8")]);
    // Diagnostics on standard output, the count on standard error.
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "a warning, not an error: {err}"
    );
    assert_eq!(
        err.matches("playbook::reversed-between").count(),
        6, // every between of the file is reversed, under `not` too
        "{err}"
    );
    let want = "customer,rule,action,argument,channel,holdout\nA,b,b,,,false\nA,e,e,,,false\nA,g,g,,,false\nC,b,b,,,false\nC,g,g,,,false\n";
    let data = fixture("reversed.csv");
    let eval = playbook(&[
        "eval",
        pb.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
        "--as-of",
        "2026-11-23",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(String::from_utf8_lossy(&eval.stdout), want);
    assert_eq!(same(&pb, &data, "2026-11-23"), 5);
}

/// Issue 15, defects 3, 4 and 6: without a `key` field the key is `id`, else
/// `customer_id`; an optional list does not break the script; an optional
/// field whose column is absent is missing for everyone.
#[test]
fn without_a_key_field_the_key_is_id_else_customer_id() {
    let pb = fixture("no-key.playbook");
    let data = fixture("no-key.csv");
    assert!(same(&pb, &data, "2026-11-23") > 5);
    // The same customers with `id` (and `customer_id` too: `id` wins) and `extra` present.
    let dir = tempfile::tempdir().expect("tempdir");
    let with_id = dir.path().join("with-id.csv");
    std::fs::write(
        &with_id,
        "customer_id,extra,n,id,tags\nZ1,1,1,A,x;y\nZ2,,2,B,y\nZ3,7,0,C1,X\n",
    )
    .expect("write");
    assert!(same(&pb, &with_id, "2026-11-23") > 3);
}

/// Issue 15, defect 5 (and its DuckDB side): a field named `id` without `key`.
#[test]
fn a_field_named_id_without_key_is_the_key() {
    assert_eq!(
        same(
            &fixture("id-field.playbook"),
            &fixture("id-field.csv"),
            "2026-11-23"
        ),
        1
    );
}

/// language.md §11 "Empty lists": an optional list that is empty (an empty or
/// all-white-space cell) is missing; `;` is the empty list; a required list's
/// empty cell is the empty list.
#[test]
fn an_empty_optional_list_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("lists.playbook");
    std::fs::write(
        &pb,
        "customer {\n  id text key\n  tags list of text?\n  req list of text\n}\nrule m when tags is missing then m\nrule n when not (tags has \"x\") then n\nrule p when tags is present then p\nrule q when req is missing then q\n",
    )
    .expect("write");
    let data = dir.path().join("lists.csv");
    std::fs::write(&data, "id,tags,req\nA,,\nB,   ,\nC,;,\nD,x,a\n").expect("write");
    let want = "customer,rule,action,argument,channel,holdout\nA,m,m,,,false\nB,m,m,,,false\nC,n,n,,,false\nC,p,p,,,false\nD,p,p,,,false\n";
    assert_eq!(run_script(&pb, &data, &[]).as_deref(), Ok(want));
}

/// Issue 15, defect 7: a required column missing from the export stops the
/// script with `eval`'s words (the column, did-you-mean on the header), not
/// DuckDB's Binder Error.
#[test]
fn a_missing_required_column_is_named_as_eval_names_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("m.playbook");
    std::fs::write(
        &pb,
        "customer {\n  id text key\n  n number\n  k one of a, b\n}\nrule r when n > 1 then x\n",
    )
    .expect("write");
    let data = dir.path().join("m.csv");
    std::fs::write(&data, "id,N,kk\nA,1,a\n").expect("write");
    let eval = playbook(&[
        "eval",
        pb.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
    ]);
    let eval_err = String::from_utf8_lossy(&eval.stderr);
    let err = run_script(&pb, &data, &[]).expect_err("the column is missing");
    for words in [
        "the export has no column `n` (needed by the field `n`)",
        "did you mean `N`? (map a field to another column with `from \"Column\"`)",
    ] {
        assert!(eval_err.contains(words), "eval: {eval_err}");
        assert!(err.contains(words), "DuckDB: {err}");
    }
    assert!(!err.contains("Binder Error"), "{err}");
    // No id column at all, without a `key` field: eval's words too.
    let pb = fixture("no-key.playbook");
    std::fs::write(&data, "klant,n\nA,1\n").expect("write");
    let err = run_script(&pb, &data, &[]).expect_err("no key column");
    assert!(
        err.contains("the export has no customer id column: without a `key` field the key is the column `id`, else `customer_id`"),
        "{err}"
    );
}

/// Issue 16: a chain of 1,000 segments runs (no expression-depth failure).
#[test]
fn a_chain_of_a_thousand_segments_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("chain.playbook");
    let mut text = "customer {\n  id text key\n  n number\n}\nsegment s0 = n > 1\n".to_string();
    for i in 1..1000 {
        text.push_str(&format!(
            "segment s{i} = customer in s{} and n > {}\n",
            i - 1,
            i % 3
        ));
    }
    text.push_str("rule r when customer in s999 then x\nrule q when customer in s500 then y\n");
    std::fs::write(&pb, text).expect("write");
    let data = dir.path().join("chain.csv");
    std::fs::write(&data, "id,n\nA,5\nB,0\nC,2\n").expect("write");
    assert_eq!(same(&pb, &data, "2026-11-23"), 2);
}

/// Issue 15, defect 3 for `--table`: `--key` names the table's id column.
#[test]
fn the_table_query_takes_its_key_column_from_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("t.csv");
    std::fs::write(
        &data,
        "customer_id,n,tags,extra\nA,1,x;y,\nB,2,y,3\nC1,0,X,\n",
    )
    .expect("write");
    let pb = fixture("no-key.playbook");
    let sql = playbook(&[
        "sql",
        pb.to_str().expect("utf-8"),
        "--dialect",
        "duckdb",
        "--as-of",
        "2026-11-23",
        "--key",
        "customer_id",
    ]);
    assert!(sql.status.success());
    let text = String::from_utf8(sql.stdout).expect("utf-8");
    let out = dir.path().join("table.csv");
    let script = format!(
        ".bail on\nCREATE TABLE customers AS SELECT * FROM read_csv('{}', header = true, auto_detect = true);\nCOPY ({}) TO '{}' (HEADER, DELIMITER ',');\n",
        data.display(),
        text.trim_end().trim_end_matches(';'),
        out.display()
    );
    let run = duckdb(script.as_bytes());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let eval = playbook(&[
        "eval",
        pb.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
        "--as-of",
        "2026-11-23",
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(
        std::fs::read_to_string(&out).expect("written"),
        String::from_utf8(eval.stdout).expect("utf-8")
    );
}

/// Found by the differential net (issue 15): in a `;` export without a decimal comma, `2.500`
/// is Dutch for 2500 and `eval` rejects it (language.md §11 "Numbers"); the script read it as
/// 2.5 — also with spaces around it, which DuckDB's cast on the fast path trims.
#[test]
fn dutch_thousands_beside_semicolons_stop_the_script_as_eval_stops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("p.playbook");
    std::fs::write(
        &pb,
        "customer {\n  id text key\n  n number\n}\nactions a\nwhen n > 1 then a\n",
    )
    .expect("write");
    for cell in ["2.500", " 2.500 ", "12.000"] {
        let data = dir.path().join("e.csv");
        std::fs::write(&data, format!("id;n\nC1;3\nC2;{cell}\n")).expect("write");
        let out = dir.path().join("d.csv");
        let sql = playbook(&[
            "sql",
            pb.to_str().expect("utf-8"),
            "--dialect",
            "duckdb",
            "--as-of",
            "2026-11-23",
            "--input",
            data.to_str().expect("utf-8"),
            "--output",
            out.to_str().expect("utf-8"),
            "--delimiter",
            ";",
        ]);
        assert!(sql.status.success());
        let run = duckdb(&sql.stdout);
        assert!(!run.status.success(), "`{cell}` must stop the script");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("is not a number"),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(!out.exists(), "no decisions for `{cell}`");
    }
}
