//! Issue 16, "Nothing lost, nothing injected", through the built binary with real files and
//! real processes: files that are not `playbook`'s to touch, write errors, injection into
//! `git` and the terminal, and resources. Each test names the item it holds.
//!
//! Root-only cases (device nodes made with `mknod` in a temporary folder) run where the tests
//! run as root and are skipped, saying so, elsewhere. No test writes over a system file: the
//! only system files used are /dev/full (as a standard stream, to make writes fail), and
//! each such test checks it is still a character device afterwards.

use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PLAYBOOK: &str = "playbook \"t\"\n\ncustomer {\n  id  text key\n  n   number\n}\n\nrule groot\n  when n > 1\n  then bel\n";
const EXPORT: &str = "id,n\nA,1\nB,2\nC,x\n";

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_playbook"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder with `p.playbook` and `e.csv` (one bad row: `--on-error skip` rejects it).
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("p.playbook"), PLAYBOOK).expect("writes");
    std::fs::write(dir.path().join("e.csv"), EXPORT).expect("writes");
    dir
}

/// The names in a folder, sorted (hidden ones included: temporary files are hidden).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("reads the folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn temporaries(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A character device made in `dir` (1,3 is null, 1,7 is full); `None` unless root.
fn device(dir: &Path, name: &str, minor: u32) -> Option<PathBuf> {
    if !is_root() {
        eprintln!("skipped: making a device node needs root");
        return None;
    }
    let path = dir.join(name);
    let made = Command::new("mknod")
        .arg(&path)
        .args(["c", "1", &minor.to_string()])
        .status()
        .expect("mknod runs");
    assert!(made.success(), "mknod {}", path.display());
    Some(path)
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

/// Waits for a child at most `limit`; kills it (and fails) when it hangs.
fn wait_at_most(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still runs after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collects the output")
}

/// /dev/full opened for writing, to hand to a child as a standard stream.
fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("opens /dev/full")
}

// ---- 8. -o onto a device, FIFO or symbolic link --------------------------------------

#[test]
fn output_onto_a_device_writes_into_it_and_leaves_it_a_device() {
    let dir = folder();
    let Some(null) = device(dir.path(), "null", 3) else {
        return;
    };
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "null",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(is_char_device(&null), "the device node was replaced");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[test]
fn output_onto_a_fifo_writes_into_it() {
    let dir = folder();
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo)
                .expect("opens the FIFO")
                .read_to_string(&mut text)
                .expect("reads the FIFO");
            text
        })
    };
    let child = command(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "--format",
            "csv",
            "-o",
            "pipe",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("starts");
    let out = wait_at_most(child, Duration::from_secs(60), "eval -o FIFO");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Checked before joining: the reader of a replaced FIFO would wait for ever.
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
    let text = reader.join().expect("the reader ends");
    assert!(text.contains("B,groot,bel"), "the FIFO got: {text}");
}

#[test]
fn output_through_a_symlink_replaces_the_file_it_points_at() {
    let dir = folder();
    let elsewhere = tempfile::tempdir().expect("a temporary folder");
    let real = elsewhere.path().join("decisions.csv");
    std::fs::write(&real, "old\n").expect("writes");
    std::os::unix::fs::symlink(&real, dir.path().join("out.csv")).expect("links");
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "out.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let link = std::fs::symlink_metadata(dir.path().join("out.csv")).expect("there");
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let text = std::fs::read_to_string(&real).expect("reads");
    assert!(text.contains("B,groot,bel"), "{text}");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    assert_eq!(temporaries(elsewhere.path()), Vec::<String>::new());
}

// ---- 9. a planted link at the temporary file's name --------------------------------

#[test]
fn a_planted_link_at_a_predictable_temporary_name_is_not_followed() {
    let Ok(last) = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid") else {
        eprintln!("skipped: no /proc/sys/kernel/ns_last_pid to predict process ids");
        return;
    };
    let last: u32 = last.trim().parse().expect("a process id");
    let dir = folder();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").expect("writes");
    // The name the temporary file had (`.out.csv.PID.tmp`), for the next few hundred ids.
    for pid in last + 1..last + 400 {
        let planted = dir.path().join(format!(".out.csv.{pid}.tmp"));
        std::os::unix::fs::symlink(&victim, planted).expect("plants a link");
    }
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "out.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).expect("reads"),
        "precious\n"
    );
    let text = std::fs::read_to_string(dir.path().join("out.csv")).expect("reads");
    assert!(text.contains("B,groot,bel"), "{text}");
}

// ---- 10. inputs seen through hard links ---------------------------------------------

#[test]
fn no_output_over_an_input_through_a_hard_link() {
    let dir = folder();
    std::fs::hard_link(dir.path().join("e.csv"), dir.path().join("alias.csv")).expect("links");
    std::fs::hard_link(dir.path().join("p.playbook"), dir.path().join("alias.json"))
        .expect("links");
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "alias.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("over the export"), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "--summary",
            "alias.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("over the playbook"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("e.csv")).expect("reads"),
        EXPORT
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.playbook")).expect("reads"),
        PLAYBOOK
    );
}

/// A bind mount made for a test, unmounted when dropped (also when the test fails).
struct BindMount(PathBuf);

impl BindMount {
    /// Mounts `from` on `on`; `None` (with the reason) when not root or not permitted.
    fn new(from: &Path, on: &Path) -> Result<BindMount, String> {
        if !is_root() {
            return Err("not root".to_string());
        }
        let out = Command::new("mount")
            .arg("--bind")
            .arg(from)
            .arg(on)
            .output()
            .map_err(|e| format!("mount does not run: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount --bind is not permitted here: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(BindMount(on.to_path_buf()))
    }
}

impl Drop for BindMount {
    fn drop(&mut self) {
        let done = Command::new("umount").arg(&self.0).status();
        if !done.is_ok_and(|s| s.success()) {
            eprintln!("could not unmount {}", self.0.display());
        }
    }
}

/// Item 10: the same file seen through a bind mount has another path but the same device
/// and inode, so `-o` there is refused as over the export (and `--summary` over the playbook).
/// Runs as root where `mount --bind` works (CI); says so and passes otherwise.
#[test]
fn no_output_over_an_input_through_a_bind_mount() {
    let dir = folder();
    let mirror = dir.path().join("mirror");
    std::fs::create_dir(&mirror).expect("a folder");
    let _mount = match BindMount::new(dir.path(), &mirror) {
        Ok(m) => m,
        Err(why) => {
            eprintln!("skipped: no_output_over_an_input_through_a_bind_mount: {why}");
            return;
        }
    };
    assert_eq!(
        std::fs::read_to_string(mirror.join("e.csv")).expect("the export through the mount"),
        EXPORT
    );
    for (option, path, over) in [
        ("-o", "mirror/e.csv", "over the export"),
        ("--rejects", "mirror/e.csv", "over the export"),
        ("--summary", "mirror/p.playbook", "over the playbook"),
    ] {
        let out = run(
            dir.path(),
            &[
                "eval",
                "p.playbook",
                "e.csv",
                "--on-error",
                "skip",
                option,
                path,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{option} {path}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(over),
            "{option} {path}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("e.csv")).expect("reads"),
        EXPORT
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.playbook")).expect("reads"),
        PLAYBOOK
    );
    assert!(
        temporaries(dir.path()).is_empty(),
        "{:?}",
        names(dir.path())
    );
}

// ---- 11. two outputs on one path ---------------------------------------------------------

#[test]
fn two_outputs_on_one_file_are_refused() {
    let dir = folder();
    std::os::unix::fs::symlink("x.csv", dir.path().join("link.csv")).expect("links");
    for extra in [
        ["--rejects", "x.csv"],
        ["--summary", "x.csv"],
        ["--summary", "./link.csv"],
    ] {
        let mut args = vec![
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "x.csv",
        ];
        args.extend(extra);
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("both be written"), "{}", stderr(&out));
        assert!(!dir.path().join("x.csv").exists(), "{args:?} wrote x.csv");
    }
}

// ---- 12. the summary written as -o is, all outputs committed together ----------------

#[test]
fn a_summary_that_cannot_be_written_leaves_every_old_output_as_it_was() {
    let dir = folder();
    // Many rules make the summary larger than the 1 KiB the shell's file-size limit allows;
    // the decisions (one customer, no action) stay below it.
    let mut playbook =
        String::from("playbook \"t\"\n\ncustomer {\n  id  text key\n  n   number\n}\n");
    for i in 0..40 {
        playbook.push_str(&format!(
            "\nrule regel_{i}\n  when n > {}\n  then bel\n",
            100 + i
        ));
    }
    std::fs::write(dir.path().join("big.playbook"), playbook).expect("writes");
    std::fs::write(dir.path().join("one.csv"), "id,n\nA,1\n").expect("writes");
    std::fs::write(dir.path().join("out.csv"), "old decisions\n").expect("writes");
    std::fs::write(dir.path().join("s.json"), "old summary\n").expect("writes");
    // SIGXFSZ ignored (inherited through exec): a write past the limit fails with EFBIG,
    // as on a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec '{}' eval big.playbook one.csv -o out.csv --summary s.json --as-of 2026-11-23",
        env!("CARGO_BIN_EXE_playbook")
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("summary"), "{}", stderr(&out));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("reads");
    assert_eq!(read("s.json"), "old summary\n");
    assert_eq!(read("out.csv"), "old decisions\n");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[test]
fn a_summary_file_is_written_whole_beside_the_decisions() {
    let dir = folder();
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "out.csv",
            "--rejects",
            "r.csv",
            "--summary",
            "s.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = std::fs::read_to_string(dir.path().join("s.json")).expect("reads");
    let json: serde_json::Value = serde_json::from_str(&summary).expect("whole JSON");
    assert_eq!(json["rejected"], 1, "{summary}");
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

// ---- 13. write errors: exit 2 with a message, never a panic --------------------------

/// Runs with standard output (or error) on /dev/full: exit 2, a message, no panic.
fn fails_on_full(dir: &Path, args: &[&str], stream: &str) {
    let mut cmd = command(dir, args);
    if stream == "stdout" {
        cmd.stdout(dev_full()).stderr(Stdio::piped());
    } else {
        cmd.stderr(dev_full()).stdout(Stdio::null());
    }
    let out = cmd.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} with {stream} full: {}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("panicked"),
        "{args:?}: {}",
        stderr(&out)
    );
    if stream == "stdout" {
        let says = stderr(&out);
        assert!(
            says.contains("cannot write") && says.contains("standard output"),
            "{args:?}: {says}"
        );
    }
    assert!(is_char_device(Path::new("/dev/full")));
}

#[test]
fn a_full_standard_output_is_exit_2_with_a_message() {
    let dir = folder();
    std::fs::write(
        dir.path().join("broken.playbook"),
        "playbook \"t\"\nrule x\n  when\n",
    )
    .expect("writes");
    for args in [
        &["sql", "p.playbook", "--dialect", "duckdb"][..],
        &["man"],
        &["completions", "bash"],
        &["schema", "e.csv"],
        &["explain", "p.playbook", "e.csv", "--customer", "B"],
        &["check", "broken.playbook"],
        &["eval", "p.playbook", "e.csv", "--on-error", "skip"],
        &["fmt", "-"],
    ] {
        if args[0] == "fmt" {
            let mut cmd = command(dir.path(), args);
            let out = cmd
                .stdin(std::fs::File::open(dir.path().join("p.playbook")).expect("opens"))
                .stdout(dev_full())
                .stderr(Stdio::piped())
                .output()
                .expect("runs");
            assert_eq!(out.status.code(), Some(2), "fmt -: {}", stderr(&out));
            continue;
        }
        fails_on_full(dir.path(), args, "stdout");
    }
}

#[test]
fn a_full_standard_error_is_exit_2_not_a_panic() {
    let dir = folder();
    std::fs::write(
        dir.path().join("broken.playbook"),
        "playbook \"t\"\nrule x\n  when\n",
    )
    .expect("writes");
    for args in [
        &["check", "broken.playbook"][..],
        &["eval", "p.playbook", "e.csv", "--on-error", "skip"],
        &["eval", "p.playbook", "e.csv"],
    ] {
        fails_on_full(dir.path(), args, "stderr");
    }
}

#[test]
fn a_closed_pipe_stays_quiet() {
    let dir = folder();
    for args in [
        &["sql", "p.playbook", "--dialect", "duckdb"][..],
        &["man"],
        &["schema", "e.csv"],
    ] {
        let mut child = command(dir.path(), args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("ends");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

// ---- 14. no temporary file left behind; clear messages -----------------------------------

#[test]
fn an_output_that_is_a_folder_says_so_and_leaves_nothing() {
    let dir = folder();
    std::fs::create_dir(dir.path().join("somedir")).expect("mkdir");
    for (target, says) in [
        ("somedir", "is a folder"),
        (".", "names a folder"),
        ("somedir/", "names a folder"),
        ("missing/", "names a folder"),
    ] {
        let out = run(
            dir.path(),
            &[
                "eval",
                "p.playbook",
                "e.csv",
                "--on-error",
                "skip",
                "-o",
                target,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "-o {target}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "-o {target}: {}", stderr(&out));
        assert_eq!(temporaries(dir.path()), Vec::<String>::new(), "-o {target}");
        assert_eq!(names(&dir.path().join("somedir")), Vec::<String>::new());
    }
}

#[test]
fn a_250_character_output_name_works() {
    let dir = folder();
    let name = format!("{}.csv", "x".repeat(246));
    assert_eq!(name.len(), 250);
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            &name,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join(&name).is_file());
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[test]
fn a_rejects_write_failure_says_rejects() {
    let dir = folder();
    let Some(_full) = device(dir.path(), "full", 7) else {
        return;
    };
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "--rejects",
            "full",
            "-o",
            "out.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write the rejects to full"),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("out.csv").exists(),
        "decisions committed without their rejects"
    );
    assert!(is_char_device(&dir.path().join("full")));
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[test]
fn the_next_run_sweeps_what_a_killed_run_left() {
    let dir = folder();
    // A run held open on standard input, killed with SIGKILL once its temporary file exists.
    let mut child = command(dir.path(), &["eval", "p.playbook", "-", "-o", "out.csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().expect("a pipe");
    stdin.write_all(b"id,n\nA,2\n").expect("writes");
    let start = Instant::now();
    while temporaries(dir.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("ends");
    drop(stdin);
    assert_eq!(
        temporaries(dir.path()).len(),
        1,
        "the killed run's file is there"
    );
    // Files that only look alike are not touched: another name, a link.
    std::fs::write(dir.path().join(".out.csv.1.tmp"), "not ours\n").expect("writes");
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "-o",
            "out.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(temporaries(dir.path()), vec![".out.csv.1.tmp".to_string()]);
}

// ---- 15. folders: links out, devices, FIFOs; reading bounded ------------------------------

#[test]
fn check_and_fmt_do_not_follow_links_out_of_the_folder() {
    let dir = tempfile::tempdir().expect("a folder");
    let project = dir.path().join("project");
    std::fs::create_dir(&project).expect("mkdir");
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "password = hunter2 and more\n").expect("writes");
    std::os::unix::fs::symlink(&secret, project.join("leak.playbook")).expect("links");
    let outside = dir.path().join("elsewhere.playbook");
    let messy = "playbook   \"x\"\n";
    std::fs::write(&outside, messy).expect("writes");
    std::os::unix::fs::symlink(&outside, project.join("other.playbook")).expect("links");
    std::fs::write(project.join("inside.real"), PLAYBOOK).expect("writes");
    std::os::unix::fs::symlink("inside.real", project.join("inside.playbook")).expect("links");
    for args in [
        &["check", "project"][..],
        &["test", "project"],
        &["fmt", "project"],
    ] {
        let out = run(dir.path(), args);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(
            !all.contains("hunter2"),
            "{args:?} showed the secret: {all}"
        );
        assert!(
            all.contains("outside"),
            "{args:?} did not say why it skipped: {all}"
        );
    }
    assert_eq!(std::fs::read_to_string(&outside).expect("reads"), messy);
    let out = run(dir.path(), &["check", "project"]);
    assert!(
        stderr(&out).contains("checked 1 file"),
        "the link inside is read: {}",
        stderr(&out)
    );
}

#[test]
fn a_fifo_in_a_folder_does_not_hang_check() {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::write(dir.path().join("p.playbook"), PLAYBOOK).expect("writes");
    assert!(Command::new("mkfifo")
        .arg(dir.path().join("hang.playbook"))
        .status()
        .expect("mkfifo")
        .success());
    for sub in ["check", "test", "fmt"] {
        let child = command(dir.path(), &[sub, "."])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts");
        let out = wait_at_most(child, Duration::from_secs(30), sub);
        assert!(
            stderr(&out).contains("not a regular file"),
            "{sub}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn an_endless_playbook_is_too_large_not_out_of_memory() {
    let dir = tempfile::tempdir().expect("a folder");
    // A 2 GiB address-space limit: without a bounded read the run dies instead of answering.
    let script = format!(
        "ulimit -v 2097152; exec '{}' check /dev/zero",
        env!("CARGO_BIN_EXE_playbook")
    );
    let child = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let out = wait_at_most(child, Duration::from_secs(60), "check /dev/zero");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("more than 16777216 bytes"), "{shown}");
}

// ---- 17. git revisions are not options ---------------------------------------------------

#[test]
fn diff_refuses_a_git_revision_that_is_an_option() {
    let dir = folder();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs")
    };
    std::fs::write(dir.path().join("good.csv"), "id,n\nA,1\nB,2\n").expect("writes");
    git(&["init", "-q"]);
    git(&["add", "p.playbook"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "x",
    ]);
    let written = dir.path().join("written");
    let spec = format!("git:--output={}:p.playbook", written.display());
    let out = run(dir.path(), &["diff", &spec, "p.playbook", "good.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot start with `-`"),
        "{}",
        stderr(&out)
    );
    assert!(
        names(dir.path()).iter().all(|n| !n.starts_with("written")),
        "{:?}",
        names(dir.path())
    );
    // An ordinary revision still works.
    let out = run(
        dir.path(),
        &["diff", "git:HEAD:p.playbook", "p.playbook", "good.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// ---- 18. terminal escapes ----------------------------------------------------------------------

#[test]
fn control_characters_reach_the_terminal_escaped() {
    let dir = folder();
    std::fs::write(
        dir.path().join("esc.csv"),
        // The CR is quoted: a lone CR outside quotes is a line-end error of its own.
        "id,n\n\x1b[31mRED\x1b[0m,2\n\"B\rX\",2\nC,\x1b[2Jx\n",
    )
    .expect("writes");
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "esc.csv",
            "--on-error",
            "skip",
            "--format",
            "table",
        ],
    );
    let shown = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        !shown.contains('\x1b') && !shown.contains('\r'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}[31"), "{shown}");
    assert!(shown.contains("B\\rX"), "{shown}");
    let out = run(dir.path(), &["eval", "p.playbook", "esc.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains('\x1b'), "{:?}", stderr(&out));
    assert!(stderr(&out).contains("\\u{1b}[2Jx"), "{}", stderr(&out));
    std::fs::write(
        dir.path().join("bad.playbook"),
        "playbook \"t\x1b[31m\"\nrule x\n  when \x1b[2J > 1\n",
    )
    .expect("writes");
    let out = run(dir.path(), &["check", "bad.playbook"]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(!shown.contains('\x1b'), "{shown:?}");
    assert!(shown.contains("when \\u{1b}[2J"), "{shown}");
}

// ---- 23. threads -----------------------------------------------------------------------------

#[test]
fn an_absurd_thread_count_is_refused_and_leaves_nothing() {
    let dir = folder();
    let out = run(
        dir.path(),
        &[
            "eval",
            "p.playbook",
            "e.csv",
            "--on-error",
            "skip",
            "--threads",
            "100000",
            "-o",
            "out.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--threads"), "{}", stderr(&out));
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    assert!(!dir.path().join("out.csv").exists());
}

// ---- 24. very long names -------------------------------------------------------------------

#[test]
fn names_longer_than_65535_characters_do_not_panic() {
    let dir = folder();
    let long = "a".repeat(70_000);
    std::fs::write(dir.path().join("long.csv"), format!("id,{long}\nA,1\n")).expect("writes");
    let out = run(dir.path(), &["schema", "long.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&long));
    let playbook = format!(
        "playbook \"t\"\n\ncustomer {{\n  id text key\n  {long} number\n}}\n\nsegment {long}b = {long} > 1\nsegment kort = {long} > 2\n"
    );
    std::fs::write(dir.path().join("long.playbook"), &playbook).expect("writes");
    let out = run(dir.path(), &["fmt", "--check", "long.playbook"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

// ---- 19. look-alike names and bidirectional overrides ----------------------------------------

#[test]
fn look_alike_names_and_bidi_overrides_are_warned_about() {
    let dir = tempfile::tempdir().expect("a folder");
    let playbook = "playbook \"t\"\n\ncustomer {\n  id  text key\n  n   number\n}\n\nsegment big = n > 1\nsegment b\u{456}g = n > 2 # \u{202E}gnitset\n\nrule groot\n  when customer in b\u{456}g\n  then bel \"\u{202E}x\"\n";
    std::fs::write(dir.path().join("p.playbook"), playbook).expect("writes");
    let out = run(dir.path(), &["check", "p.playbook"]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(shown.contains("playbook::confusable-name"), "{shown}");
    assert!(shown.contains("looks like `big`"), "{shown}");
    assert!(shown.contains("U+0456"), "{shown}");
    assert_eq!(
        shown.matches("playbook::bidi-codepoint").count(),
        2,
        "{shown}"
    );
    assert!(
        !shown.contains('\u{202E}'),
        "the override reached the terminal: {shown}"
    );
    let out = run(dir.path(), &["check", "--deny", "warnings", "p.playbook"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

// ---- 20. memory at the rule limit --------------------------------------------------------

/// A playbook of `rules` rules that all fire, and an export of `rows` customers.
fn many_rules(dir: &Path, rules: usize, rows: usize) {
    let mut playbook =
        String::from("playbook \"many\"\n\ncustomer {\n  id text key\n  n  number\n}\n");
    for r in 0..rules {
        playbook.push_str(&format!("\nrule r{r}\n  when n >= 0\n  then a{r}\n"));
    }
    std::fs::write(dir.join("many.playbook"), playbook).expect("writes");
    let mut export = String::from("id,n\n");
    for i in 0..rows {
        export.push_str(&format!("C{i},{}\n", i % 97));
    }
    std::fs::write(dir.join("many.csv"), export).expect("writes");
}

/// Runs the command to its end and returns its exit code and its peak resident memory in
/// bytes (the child's own rusage, from wait4).
fn peak_memory(mut cmd: Command) -> (Option<i32>, u64) {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; status and usage are valid for writes.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    std::mem::forget(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in KiB on Linux.
    (code, u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024)
}

/// Issue item 20: 2,000 rules that all fire over 5,000 customers write 800 MB of decisions.
/// A chunk's decisions were kept whole until the chunk was done, so memory grew with rules ×
/// rows (the old code peaked at about 1 GB here, and 25,000 rules over 100,000 rows was
/// killed at 24 GB); decisions now leave a worker in parts of about 1 MiB.
#[test]
fn memory_follows_the_output_not_rules_times_rows() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    many_rules(dir.path(), 2_000, 5_000);
    for threads in ["1", "2"] {
        let mut cmd = command(dir.path(), &["eval", "many.playbook", "many.csv"]);
        cmd.args(["--threads", threads]);
        let (code, peak) = peak_memory(cmd);
        assert_eq!(code, Some(0), "--threads {threads}");
        assert!(
            peak < 200 << 20,
            "--threads {threads}: peak memory {} MiB, more than 200 MiB",
            peak >> 20
        );
    }
    // The decisions handed on in parts are the same, in order, whatever the threads.
    many_rules(dir.path(), 200, 300);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = run(
            dir.path(),
            &["eval", "many.playbook", "many.csv", "--threads", threads],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 300);
        for (i, line) in lines.iter().enumerate() {
            assert!(
                line.starts_with(&format!("{{\"customer\":\"C{i}\",")),
                "{line:.40}"
            );
            assert_eq!(line.matches("\"action\":").count(), 200, "C{i}");
        }
        outputs.push(text);
    }
    assert!(outputs[0] == outputs[1], "--threads 1 and 2 differ");
}
