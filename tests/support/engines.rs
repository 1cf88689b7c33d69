//! The database engines of the SQL tests, provisioned from PyPI into `target/engines/` by
//! tests/engines/provision.py on first use (pinned in tests/engines/requirements.txt; a file
//! lock lets one test binary install while the others wait). An engine that cannot be had is
//! a failure with a message that says what to do, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub struct Engines {
    pub duckdb: PathBuf,
    /// PostgreSQL's bin folder: initdb, pg_ctl, postgres, psql.
    pub pg_bin: PathBuf,
    pub spark_home: PathBuf,
    pub java_home: PathBuf,
}

/// The target folder of this test binary (`target/debug/deps/NAME` → `target`), so that a
/// `CARGO_TARGET_DIR` elsewhere is honoured.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

pub fn engines() -> &'static Engines {
    static ENGINES: OnceLock<Engines> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/provision.py");
        let out = Command::new("python3")
            .arg(&script)
            .arg(target_dir())
            .stderr(std::process::Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("python3 is needed to provision the SQL engines: {e}"));
        assert!(
            out.status.success(),
            "the SQL engines could not be provisioned (see the message above; \
             tests/engines/provision.py installs them from PyPI)"
        );
        let paths: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("provision.py prints JSON");
        let path = |k: &str| PathBuf::from(paths[k].as_str().expect("a path"));
        Engines {
            duckdb: path("duckdb"),
            pg_bin: path("pg_bin"),
            spark_home: path("spark_home"),
            java_home: path("java_home"),
        }
    })
}

/// The DuckDB CLI.
pub fn duckdb() -> Command {
    Command::new(&engines().duckdb)
}

/// `spark-sql` with its Spark home and Java runtime.
pub fn spark_sql() -> Command {
    let e = engines();
    let mut c = Command::new(e.spark_home.join("bin/spark-sql"));
    c.env("SPARK_HOME", &e.spark_home)
        .env("JAVA_HOME", &e.java_home);
    c
}
