//! A PostgreSQL server for the differential tests: the one `.ci/run` started
//! (`PLAYBOOK_PG_PORT`), or a throwaway cluster of this test's own, stopped when
//! dropped. PostgreSQL missing is a failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Server {
    pub port: u16,
    /// The cluster this test started (None: the one of `.ci/run`).
    owned: Option<(tempfile::TempDir, PathBuf)>,
}

/// The folder with `initdb` and `pg_ctl`: on PATH, or Debian's /usr/lib/postgresql/N/bin.
fn bin_dir() -> PathBuf {
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
                return dir;
            }
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    found.retain(|d| d.join("initdb").exists());
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL is needed (apt-get install postgresql; .ci/run installs it)")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a server program, as the `postgres` user when we are root (initdb refuses root).
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
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
                    .args(["postgres"])
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
        Server {
            port,
            owned: Some((dir, bin)),
        }
    }

    /// `psql -v ON_ERROR_STOP=1 -f script` against this server.
    pub fn psql(&self, script: &Path) -> Output {
        Command::new("psql")
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
            .unwrap_or_else(|e| panic!("psql is needed (apt-get install postgresql-client): {e}"))
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
