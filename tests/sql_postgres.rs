//! Differential tests: `playbook sql --dialect postgres` run by `psql` on a real
//! PostgreSQL server must write byte for byte the CSV of `playbook eval --format csv`.
//! The server is a throwaway cluster per test (support/postgres.rs), or the one named by
//! `PLAYBOOK_PG_PORT`; PostgreSQL missing is a failure, never a skip.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::postgres::Server;

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

/// The export's field separator, as `eval` detects it (the first line's most common of , ; tab).
fn delimiter(data: &Path) -> String {
    let text = std::fs::read_to_string(data).expect("read export");
    let first = text.lines().next().unwrap_or("");
    [',', ';', '\t']
        .into_iter()
        .max_by_key(|c| first.matches(*c).count())
        .unwrap_or(',')
        .to_string()
}

fn eval_csv(pb: &Path, data: &Path, as_of: &str) -> String {
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
    String::from_utf8(eval.stdout).expect("utf-8")
}

/// Writes the script for `pb` over `data` into `dir`; returns (script, decisions path).
fn script(dir: &Path, pb: &Path, data: &Path, as_of: &str) -> (PathBuf, PathBuf) {
    let out = dir.join("decisions.csv");
    let sql = playbook(&[
        "sql",
        pb.to_str().expect("test setup"),
        "--dialect",
        "postgres",
        "--as-of",
        as_of,
        "--input",
        data.to_str().expect("test setup"),
        "--output",
        out.to_str().expect("test setup"),
        "--delimiter",
        &delimiter(data),
    ]);
    assert!(
        sql.status.success(),
        "sql failed on {}: {}",
        pb.display(),
        String::from_utf8_lossy(&sql.stderr)
    );
    let path = dir.join("decide.sql");
    std::fs::write(&path, &sql.stdout).expect("write script");
    (path, out)
}

/// Runs both and compares; returns the number of decision rows.
fn same(pg: &Server, pb: &Path, data: &Path, as_of: &str) -> usize {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, out) = script(dir.path(), pb, data, as_of);
    let run = pg.psql(&path);
    assert!(
        run.status.success(),
        "psql failed on {} as of {as_of}: {}",
        pb.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let got = std::fs::read_to_string(&out).expect("decisions written");
    let want = eval_csv(pb, data, as_of);
    assert_eq!(
        got,
        want,
        "PostgreSQL and eval differ on {} as of {as_of}",
        pb.display()
    );
    want.lines().count() - 1
}

fn generated(rows: usize, dir: &Path) -> PathBuf {
    let data = dir.join("customers.csv");
    let gen = Command::new("python3")
        .arg(root().join("bench/gen_customers.py"))
        .arg(rows.to_string())
        .arg(&data)
        .output()
        .expect("python3");
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    data
}

#[test]
fn example_playbooks_decide_as_eval() {
    let pg = Server::start();
    let mut compared = 0;
    for entry in std::fs::read_dir(root().join("playbooks")).expect("playbooks") {
        let pb = entry.expect("entry").path();
        if pb.extension().and_then(|e| e.to_str()) != Some("playbook") {
            continue;
        }
        let name = pb
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("test setup")
            .to_string();
        let data = root().join("playbooks/data").join(format!("{name}.csv"));
        if !data.exists() {
            continue; // the benchmark: generated data, below
        }
        let rows = same(&pg, &pb, &data, "2026-11-23");
        assert!(
            rows > 0,
            "{name}: no decisions, the comparison proves little"
        );
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} examples compared");
}

#[test]
fn language_section_1_and_traps_decide_as_eval_around_year_ends_and_leap_days() {
    let pg = Server::start();
    let dir = root().join("tests/fixtures/sql");
    for as_of in ["2026-11-23", "2028-02-27", "2027-12-31"] {
        same(
            &pg,
            &dir.join("language-s1.playbook"),
            &dir.join("language-s1.csv"),
            as_of,
        );
    }
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
        rows += same(
            &pg,
            &dir.join("traps.playbook"),
            &dir.join("traps.csv"),
            as_of,
        );
    }
    assert!(rows > 0);
}

#[test]
fn benchmark_workload_on_generated_data() {
    let pg = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = generated(20_000, dir.path());
    let pb = root().join("playbooks/benchmark.playbook");
    for as_of in [
        "2026-11-23",
        "2026-12-31",
        "2027-01-01",
        "2028-02-28",
        "2028-02-29",
    ] {
        assert!(same(&pg, &pb, &data, as_of) > 0);
    }
}

#[test]
fn a_bad_cell_stops_the_script_naming_line_column_and_value() {
    let pg = Server::start();
    // The trap playbook has `decimal comma`: `1.5` is as bad as `twelve`.
    for (bad, value, column) in [
        ("T9,twelve,1,x,,,,gold,,sms", "twelve", "qty"),
        ("T9,1.5,1,x,,,,gold,,sms", "1.5", "qty"),
        ("T9,1,1,x,31-02-2000,,,gold,,sms", "31-02-2000", ""),
        ("T9,1,1,x,,,misschien,gold,,sms", "misschien", ""),
        ("T9,1,1,x,,,,platinum,,sms", "platinum", ""),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("bad.csv");
        let mut text =
            std::fs::read_to_string(root().join("tests/fixtures/sql/traps.csv")).expect("read");
        text.push_str(bad);
        text.push('\n');
        std::fs::write(&data, text).expect("write");
        let pb = root().join("tests/fixtures/sql/traps.playbook");
        let eval = playbook(&[
            "eval",
            pb.to_str().expect("utf-8"),
            data.to_str().expect("utf-8"),
            "--as-of",
            "2026-11-23",
            "-q",
        ]);
        assert!(!eval.status.success(), "eval rejects {value}");
        let (path, out) = script(dir.path(), &pb, &data, "2026-11-23");
        let run = pg.psql(&path);
        assert!(!run.status.success(), "`{value}` must stop the script");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.contains("line 10") && err.contains(value) && err.contains(column),
            "the message names line, column and value: {err}"
        );
        assert!(!out.exists(), "no decisions written");
    }
}

#[test]
fn an_export_whose_header_changed_is_refused() {
    let pg = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = root().join("playbooks/benchmark.playbook");
    let data = generated(50, dir.path());
    let (path, out) = script(dir.path(), &pb, &data, "2026-11-23");
    // The same columns in another order: COPY would shift them.
    let text = std::fs::read_to_string(&data).expect("read");
    let swapped = text.replacen("orders,lifetime_value", "lifetime_value,orders", 1);
    std::fs::write(&data, swapped).expect("write");
    let run = pg.psql(&path);
    assert!(
        !run.status.success(),
        "a changed header must stop the script"
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("column name mismatch"));
    assert!(!out.exists());
}

#[test]
fn table_shape_decides_as_eval_over_a_typed_table() {
    let pg = Server::start();
    let sql = playbook(&[
        "sql",
        "playbooks/benchmark.playbook",
        "--dialect",
        "postgres",
        "--as-of",
        "2026-11-23",
    ]);
    assert!(sql.status.success());
    let query = String::from_utf8(sql.stdout).expect("utf-8");
    assert!(query.contains("FROM \"customers\""));
    assert!(
        !query.to_lowercase().contains("current_date") && !query.to_lowercase().contains(" like ")
    );
    assert!(!query.contains("IN ()"));
    let dir = tempfile::tempdir().expect("tempdir");
    let data = generated(5_000, dir.path());
    let out = dir.path().join("table.csv");
    // A typed table as a warehouse would hold it; rows numbered in load order by `id`.
    let script = format!(
        "\\set ON_ERROR_STOP on\nCREATE TEMP TABLE customers (id TEXT, name TEXT, email TEXT, city TEXT, orders DOUBLE PRECISION, lifetime_value DOUBLE PRECISION, first_order DATE, last_order DATE, nps DOUBLE PRECISION, complaint TEXT, opted_in BOOLEAN, birthday DATE, channel_pref TEXT, tags TEXT);\n\\copy customers FROM '{}' WITH (FORMAT csv, HEADER)\n\\o {}\nCOPY ({}) TO STDOUT WITH (FORMAT csv, HEADER);\n",
        data.display(),
        out.display(),
        query.trim_end().trim_end_matches(';')
    );
    let path = dir.path().join("table.sql");
    std::fs::write(&path, script).expect("write");
    let run = pg.psql(&path);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("written"),
        eval_csv(
            &root().join("playbooks/benchmark.playbook"),
            &data,
            "2026-11-23"
        )
    );
}

#[test]
fn a_column_the_playbook_reads_missing_from_the_export_is_named_when_compiling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("no-orders.csv");
    std::fs::write(&data, "id,lifetime_value\nC1,10\n").expect("write");
    let out = playbook(&[
        "sql",
        "playbooks/benchmark.playbook",
        "--dialect",
        "postgres",
        "--input",
        data.to_str().expect("utf-8"),
        "--output",
        "decisions.csv",
    ]);
    // `eval`'s own diagnostic, and its exit code (1: the data does not fit).
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no script");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the export has no column `orders` (needed by the field `orders`)"),
        "{err}"
    );
}

#[test]
fn header_names_are_matched_as_eval_matches_them() {
    let pg = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("spaced.csv");
    // A padded name and a byte-order mark: eval reads both as the plain names.
    std::fs::write(
        &data,
        "\u{feff} id ,orders,lifetime_value,first_order,last_order,nps,complaint,opted_in,birthday,channel_pref,tags\nC1,3,600,2024-01-01,2024-02-01,9,resolved,yes,,sms,vip\nC2,12,900,2020-01-01,2026-11-01,10,none,ja,2000-11-25,email,\n",
    )
    .expect("write");
    assert!(
        same(
            &pg,
            &root().join("playbooks/benchmark.playbook"),
            &data,
            "2026-11-23"
        ) >= 3
    );
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/sql").join(name)
}

/// Issue 15, defects 2, 3, 5 and 6 on PostgreSQL: reversed literal bounds are
/// never true; without a `key` field the key is `id`, else `customer_id`; a
/// field named `id` is read once; an optional field whose column is absent is
/// missing for everyone. Issue 16: `1e-400` reads as 0, as in `eval`.
#[test]
fn keys_absent_columns_reversed_bounds_and_tiny_numbers_decide_as_eval() {
    let pg = Server::start();
    assert_eq!(
        same(
            &pg,
            &fixture("reversed.playbook"),
            &fixture("reversed.csv"),
            "2026-11-23"
        ),
        5
    );
    assert!(
        same(
            &pg,
            &fixture("no-key.playbook"),
            &fixture("no-key.csv"),
            "2026-11-23"
        ) > 5
    );
    assert_eq!(
        same(
            &pg,
            &fixture("id-field.playbook"),
            &fixture("id-field.csv"),
            "2026-11-23"
        ),
        1
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("tiny.playbook");
    std::fs::write(
        &pb,
        "customer {\n  id text key\n  n number\n}\nrule zero when n = 0 then z\nrule pos when n > 0 then p\n",
    )
    .expect("write");
    let data = dir.path().join("tiny.csv");
    std::fs::write(&data, "id,n\nA,1e-400\nB,-1E-400\nC,1e-320\nD,2.5e-3\n").expect("write");
    assert_eq!(same(&pg, &pb, &data, "2026-11-23"), 4);
}

/// language.md §11 "Empty lists": an empty or all-white-space cell of an
/// optional list is missing; `;` is the empty list.
#[test]
fn an_empty_optional_list_is_missing() {
    let pg = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = dir.path().join("lists.playbook");
    std::fs::write(
        &pb,
        "customer {\n  id text key\n  tags list of text?\n  req list of text\n}\nrule m when tags is missing then m\nrule n when not (tags has \"x\") then n\nrule p when tags is present then p\nrule q when req is missing then q\n",
    )
    .expect("write");
    let data = dir.path().join("lists.csv");
    std::fs::write(&data, "id,tags,req\nA,,\nB,   ,\nC,;,\nD,x,a\n").expect("write");
    let (path, out) = script(dir.path(), &pb, &data, "2026-11-23");
    let run = pg.psql(&path);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("written"),
        "customer,rule,action,argument,channel,holdout\nA,m,m,,,false\nB,m,m,,,false\nC,n,n,,,false\nC,p,p,,,false\nD,p,p,,,false\n"
    );
}

/// Issue 16: a path with a line break would end psql's `\copy` and run the
/// rest as SQL; any control character in a script's path is a usage error.
#[test]
fn control_characters_in_script_paths_are_refused() {
    for (input, output) in [
        ("in\n\\! touch pwned\n.csv", "out.csv"),
        ("playbooks/data/relatie-fase-model.csv", "out\r.csv"),
        ("in\t.csv", "out.csv"),
    ] {
        for dialect in ["postgres", "duckdb", "spark"] {
            let out = playbook(&[
                "sql",
                "playbooks/benchmark.playbook",
                "--dialect",
                dialect,
                "--input",
                input,
                "--output",
                output,
            ]);
            assert_eq!(out.status.code(), Some(2), "{dialect} {input:?} {output:?}");
            assert!(out.stdout.is_empty(), "no script");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("control character"), "{err}");
        }
    }
}
