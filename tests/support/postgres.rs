//! A PostgreSQL server for the differential tests: a throwaway cluster of this test's own on
//! 127.0.0.1 (PyPI's `pgserver` binaries, see support/engines.rs), stopped when dropped; or a
//! running server named by `PLAYBOOK_PG_PORT`. PostgreSQL missing is a failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Server {
    pub port: u16,
    /// The cluster this test started (None: the one of `.ci/run`).
    owned: Option<(tempfile::TempDir, PathBuf)>,
}

/// The folder with `initdb`, `pg_ctl` and `psql`: PyPI's `pgserver`, provisioned by the tests.
fn bin_dir() -> PathBuf {
    super::engines::engines().pg_bin.clone()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The unprivileged user that owns the cluster when the tests run as root (initdb refuses
/// root): `postgres` where it exists, else `nobody`.
fn owner() -> &'static str {
    let exists = Command::new("id")
        .arg("-u")
        .arg("postgres")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if exists {
        "postgres"
    } else {
        "nobody"
    }
}

/// Runs a server program, as an unprivileged user when we are root (initdb refuses root).
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", owner(), "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn check(what: &str, out: std::io::Result<Output>) {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Server {
    pub fn start() -> Server {
        if let Some(port) = std::env::var("PLAYBOOK_PG_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
        {
            return Server { port, owned: None };
        }
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("pb-pg")
            .tempdir()
            .expect("a temporary folder");
        if is_root() {
            check(
                "chown",
                Command::new("chown")
                    .args([owner()])
                    .arg(dir.path())
                    .output(),
            );
        }
        let data = dir.path().join("data");
        check(
            "initdb",
            as_owner(&bin.join("initdb"))
                .args([
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "-D",
                ])
                .arg(&data)
                .output(),
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        check(
            "pg_ctl start",
            as_owner(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-o")
                .arg(format!(
                    "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                    dir.path().display()
                ))
                .arg("-l")
                .arg(dir.path().join("log"))
                .args(["-w", "start"])
                .output(),
        );
        let server = Server {
            port,
            owned: Some((dir, bin)),
        };
        server.icu_lower_case();
        server
    }

    /// The PostgreSQL script lower-cases text with ICU's root collation, `"und-x-icu"`. The
    /// PyPI build is made without ICU; PostgreSQL 18's builtin `pg_unicode_fast` lower-cases
    /// the same way (full Unicode mapping: `İ` → `i̇`, a final `Σ` → `ς`), so the tests make
    /// `"und-x-icu"` a copy of it, as docs/scale-out.md tells users of such a build to do.
    fn icu_lower_case(&self) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let sql = dir.path().join("collation.sql");
        std::fs::write(
            &sql,
            "SELECT NOT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') AS no_icu \\gset\n\
             \\if :no_icu\n\
             CREATE COLLATION public.\"und-x-icu\" FROM pg_unicode_fast;\n\
             \\endif\n",
        )
        .expect("write");
        check("the und-x-icu collation", Ok(self.psql(&sql)));
    }

    /// `psql -v ON_ERROR_STOP=1 -f script` against this server.
    pub fn psql(&self, script: &Path) -> Output {
        Command::new(bin_dir().join("psql"))
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-p", &self.port.to_string(), "-f"])
            .arg(script)
            .output()
            .unwrap_or_else(|e| panic!("psql (provisioned from PyPI's pgserver): {e}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some((dir, bin)) = &self.owned {
            let _ = as_owner(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(dir.path().join("data"))
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}
