//! The table shape of every dialect against golden files
//! (tests/golden/sql/<dialect>/), each parsed by the `sqlparser` crate with that
//! engine's dialect. BigQuery and Snowflake are checked this way only (no engine
//! runs here); DuckDB, PostgreSQL and Spark are also run against `eval` elsewhere.

use sqlparser::dialect::{
    BigQueryDialect, DatabricksDialect, Dialect, DuckDbDialect, PostgreSqlDialect, SnowflakeDialect,
};
use sqlparser::parser::Parser;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The playbooks compiled: every example, the language.md §1 example, the traps.
fn playbooks() -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("playbooks"))
        .expect("playbooks")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("playbook"))
        .map(|p| {
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a name")
                .to_string();
            (name, p)
        })
        .collect();
    for name in ["language-s1", "traps"] {
        found.push((
            name.to_string(),
            root().join(format!("tests/fixtures/sql/{name}.playbook")),
        ));
    }
    found.sort();
    found
}

fn compile(pb: &PathBuf, dialect: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .arg("sql")
        .arg(pb)
        .args([
            "--dialect",
            dialect,
            "--as-of",
            "2026-11-23",
            "--table",
            "crm.customers",
        ])
        .output()
        .expect("run playbook");
    assert!(
        out.status.success(),
        "{}: {}",
        pb.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn golden(dialect: &str, parser: &dyn Dialect) {
    let mut checked = 0;
    for (name, pb) in playbooks() {
        let sql = compile(&pb, dialect);
        let statements = Parser::parse_sql(parser, &sql)
            .unwrap_or_else(|e| panic!("{dialect} SQL of {name} does not parse: {e}\n{sql}"));
        assert_eq!(statements.len(), 1, "{name}: one query");
        assert!(!sql.contains("IN ()") && !sql.to_lowercase().contains("current_date"));
        insta::with_settings!({
            snapshot_path => root().join("tests/golden/sql").join(dialect),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name.clone(), sql);
        });
        checked += 1;
    }
    assert!(checked >= 10);
}

#[test]
fn bigquery_table_queries_match_golden_files_and_parse() {
    golden("bigquery", &BigQueryDialect {});
}

#[test]
fn snowflake_table_queries_match_golden_files_and_parse() {
    golden("snowflake", &SnowflakeDialect {});
}

#[test]
fn duckdb_table_queries_match_golden_files_and_parse() {
    golden("duckdb", &DuckDbDialect {});
}

#[test]
fn postgres_table_queries_match_golden_files_and_parse() {
    golden("postgres", &PostgreSqlDialect {});
}

#[test]
fn spark_table_queries_match_golden_files_and_parse() {
    // Databricks SQL is Spark SQL; sqlparser's own Spark dialect ends a literal at `\'`,
    // which Spark reads as an escaped quote.
    golden("spark", &DatabricksDialect {});
}
