//! Docs that cannot drift: every command shown in README.md and docs/*.md is run, and its output
//! must be the output the page shows.
//!
//! The convention in the Markdown source:
//!
//! - A ```` ```console ```` block is run. A line starting with `$ ` is a command (a line ending in
//!   `\` continues on the next line); the lines after it, up to the next `$ `, are what it prints,
//!   standard output and standard error together, as on a terminal. In the expected output a line
//!   that is only `…` stands for any number of lines, and `[..]` for any text within a line; use
//!   them only where the output really varies or the page shortens it. Trailing white space is
//!   ignored. The exit code is not compared (show it with `; echo $?` where it matters), but a
//!   panic (exit 101) always fails.
//! - HTML comments, which GitHub does not show, hold the steps a reader does in an editor:
//!   `<!-- file: NAME -->` just before a block writes the block to NAME; `<!-- append: NAME -->`
//!   adds a blank line and the block at the end of NAME; `<!-- same: NAME -->` says the block is
//!   NAME as the steps before left it (it fails if not); `<!-- run: SHELL -->` runs SHELL, e.g. the
//!   edit the prose describes or an export an example needs; it must succeed, and its output is
//!   not compared.
//! - A ```` ```sh ```` block shows commands that are *not* run (installing, building, a live
//!   server, the network). They are listed in [`NOT_RUN`], so that they stay few and known.
//! - The workflow in docs/workflow.md's ```` ```yaml ```` block is run by [`github_workflow`].
//! - Any other block is an illustration (a playbook, an export, a synopsis with `PLACEHOLDERS`);
//!   a line in it that looks like a command to run fails the test.
//!
//! Each page runs in its own temporary folder: a git repository whose one commit holds a copy of
//! `playbooks/` (so `git:HEAD:playbooks/…` works), with `tests/data` beside it, and `playbook`
//! first on the PATH. Commands run with bash, `NO_COLOR=1`, in order.

#![cfg(unix)] // bash, symlinks

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Shown but not run, the ```sh blocks: (page, how the block starts, why it is not run). Keep
/// this short: 14 blocks, none of them a `playbook` command but the README's `cargo run` (run
/// as `playbook eval` by `readme_set_up`) and two a reader may pipe into (curl, man).
const NOT_RUN: &[(&str, &str, &str)] = &[
    (
        "README.md",
        "cargo run --release -- eval ",
        "run as `playbook eval …` by readme_set_up",
    ),
    (
        "README.md",
        "cargo test --locked --no-fail-fast",
        "the test suite itself; readme_set_up",
    ),
    (
        "docs/editors.md",
        "cd editors/vscode",
        "npm and VS Code: building and installing the extension",
    ),
    (
        "docs/getting-started.md",
        "cargo --version",
        "the toolchain",
    ),
    (
        "docs/getting-started.md",
        "cargo install --path .",
        "installing",
    ),
    (
        "docs/getting-started.md",
        "cargo build --release",
        "a release build",
    ),
    (
        "docs/eval.md",
        "curl -s https://crm.example/",
        "the network",
    ),
    (
        "docs/workflow.md",
        "man playbook ",
        "man(1); `playbook man --dir` is run above it",
    ),
    (
        "docs/scale-out.md",
        "duckdb -batch ",
        "the DuckDB CLI (tests/sql_duckdb.rs runs it)",
    ),
    (
        "docs/scale-out.md",
        "psql -v ON_ERROR_STOP=1 ",
        "a live server (tests/sql_postgres.rs)",
    ),
    (
        "docs/scale-out.md",
        "spark-sql -f ",
        "Spark (tests/sql_spark.rs)",
    ),
    (
        "docs/reliability.md",
        "cargo install cargo-fuzz ",
        "cargo-fuzz and libFuzzer",
    ),
    (
        "docs/reliability.md",
        "RUSTC_BOOTSTRAP=1 cargo fuzz run ",
        "cargo-fuzz and libFuzzer",
    ),
    (
        "docs/benchmarks.md",
        "python3 bench/run.py ",
        "minutes of benchmark",
    ),
];

const SUBCOMMANDS: &[&str] = &[
    "check",
    "eval",
    "test",
    "explain",
    "schema",
    "fmt",
    "diff",
    "init",
    "sql",
    "measure",
    "report",
    "completions",
    "man",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every page the harness reads.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| {
            e.expect("docs/ entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

#[derive(Debug)]
struct Block {
    line: usize,
    info: String,
    body: Vec<String>,
    /// The `<!-- file: … -->`, `<!-- append: … -->` or `<!-- same: … -->` right before it.
    target: Option<(Target, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Write,
    Append,
    Same,
}

#[derive(Debug)]
enum Step {
    Block(Block),
    Hidden(usize, String),
}

/// The fenced blocks and hidden steps of a page, in order.
fn parse(text: &str) -> Vec<Step> {
    let lines: Vec<&str> = text.lines().collect();
    let mut steps = Vec::new();
    let mut target = None;
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if let Some(rest) = trimmed.strip_prefix("<!--") {
            // A comment, maybe over several lines.
            let mut comment = rest.to_string();
            while !comment.contains("-->") && i + 1 < lines.len() {
                i += 1;
                comment.push('\n');
                comment.push_str(lines[i]);
            }
            let comment = comment.split("-->").next().unwrap_or("").trim().to_string();
            if let Some(name) = comment.strip_prefix("file:") {
                target = Some((Target::Write, name.trim().to_string()));
            } else if let Some(name) = comment.strip_prefix("append:") {
                target = Some((Target::Append, name.trim().to_string()));
            } else if let Some(name) = comment.strip_prefix("same:") {
                target = Some((Target::Same, name.trim().to_string()));
            } else if let Some(cmd) = comment.strip_prefix("run:") {
                steps.push(Step::Hidden(i + 1, cmd.trim().to_string()));
            }
        } else if let Some(info) = trimmed.strip_prefix("```") {
            let indent = lines[i].len() - trimmed.len();
            let line = i + 1;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].trim() != "```" {
                let l = lines[i];
                body.push(
                    l.get(indent..)
                        .filter(|_| l.len() >= indent)
                        .unwrap_or(l.trim_start())
                        .to_string(),
                );
                i += 1;
            }
            steps.push(Step::Block(Block {
                line,
                info: info.trim().to_string(),
                body,
                target: target.take(),
            }));
        } else if !trimmed.is_empty() {
            target = None;
        }
        i += 1;
    }
    steps
}

/// A `$ ` command of a console block and the output shown for it.
struct Shown {
    line: usize,
    command: String,
    expected: Vec<String>,
}

fn commands(block: &Block) -> Vec<Shown> {
    let mut out: Vec<Shown> = Vec::new();
    let mut continued = false;
    for (k, l) in block.body.iter().enumerate() {
        if continued {
            let last = out.last_mut().expect("a command before its continuation");
            last.command.push('\n');
            last.command.push_str(l);
            continued = l.ends_with('\\');
        } else if let Some(cmd) = l.strip_prefix("$ ") {
            out.push(Shown {
                line: block.line + 1 + k,
                command: cmd.to_string(),
                expected: vec![],
            });
            continued = cmd.ends_with('\\');
        } else if let Some(last) = out.last_mut() {
            last.expected.push(l.clone());
        } else {
            panic!(
                "line {}: output before the first `$ ` command",
                block.line + 1 + k
            );
        }
    }
    out
}

/// Does the line look like a command to run (as opposed to a synopsis with PLACEHOLDERS)?
fn looks_like_command(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with("$ ") {
        return true;
    }
    let mut words = line.split_whitespace();
    if words.next() != Some("playbook") || !words.next().is_some_and(|w| SUBCOMMANDS.contains(&w)) {
        return false;
    }
    let placeholder = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    };
    !line.split_whitespace().any(placeholder)
}

/// One line of expected output against one of actual output, `[..]` matching any text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first)
        || actual.len() < first.len() + last.len()
        || !actual.ends_with(last)
    {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Expected lines against actual ones; a line that is only `…` matches any number of lines.
fn lines_match(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "…" => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((e, rest)) => {
            actual.first().is_some_and(|a| line_matches(e, a)) && lines_match(rest, &actual[1..])
        }
    }
}

/// The first expected line (wildcards aside) not found, in order, in the actual output.
fn first_missing<'a>(expected: &'a [String], actual: &[String]) -> Option<&'a str> {
    let mut at = 0;
    for e in expected.iter().filter(|e| e.trim() != "…") {
        match actual[at..].iter().position(|a| line_matches(e, a)) {
            Some(k) => at += k + 1,
            None => return Some(e),
        }
    }
    None
}

fn normalise(lines: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = lines
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_playbook"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf()
}

/// bash -c SCRIPT in DIR, `playbook` first on the PATH; (exit code, stdout and stderr together).
fn sh(dir: &Path, script: &str, extra_env: &[(&str, &str)]) -> (i32, String) {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!("exec 2>&1\n{script}"))
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env("COLUMNS", "100")
        .env("TERM", "dumb")
        .env("TZ", "UTC")
        .env("HOME", dir.join("home"))
        .env("GIT_AUTHOR_NAME", "docs")
        .env("GIT_AUTHOR_EMAIL", "docs@playbook.local")
        .env("GIT_COMMITTER_NAME", "docs")
        .env("GIT_COMMITTER_EMAIL", "docs@playbook.local")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A scratch folder as the page assumes it: the repository's playbooks, committed in git.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("playbooks"), &dir.path().join("playbooks"));
    std::fs::create_dir_all(dir.path().join("tests")).expect("mkdir tests");
    std::os::unix::fs::symlink(root().join("tests/data"), dir.path().join("tests/data"))
        .expect("symlink tests/data");
    let (code, out) = sh(
        dir.path(),
        "git -c init.defaultBranch=main init -q && git add playbooks && git commit -qm playbooks",
        &[],
    );
    assert_eq!(code, 0, "git init in the scratch folder: {out}");
    dir
}

/// Runs one page; returns how many commands ran, or panics with every difference.
fn run_page(page: &str) -> usize {
    let text = std::fs::read_to_string(root().join(page)).expect("the page");
    let dir = scratch();
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut last = 0;
    for step in parse(&text) {
        let block = match step {
            Step::Hidden(line, cmd) => {
                let (code, out) = sh(dir.path(), &cmd, &[]);
                if code != 0 {
                    failures.push(format!(
                        "{page}:{line}: hidden step `{cmd}` failed ({code}):\n{out}"
                    ));
                }
                continue;
            }
            Step::Block(b) => b,
        };
        if let Some((target, name)) = &block.target {
            let path = dir.path().join(name);
            let mut content = block.body.join("\n");
            content.push('\n');
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            match target {
                Target::Same => {
                    if old != content {
                        failures.push(format!(
                            "{page}:{}: the page shows {name} as\n{content}\nbut the steps before made it\n{old}",
                            block.line
                        ));
                    }
                }
                Target::Append => std::fs::write(&path, format!("{old}\n{content}"))
                    .expect("append to the page's file"),
                Target::Write => {
                    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&path, content).expect("write the page's file");
                }
            }
            continue;
        }
        match block.info.split_whitespace().next().unwrap_or("") {
            "console" => {
                for shown in commands(&block) {
                    ran += 1;
                    // `$?` is the exit code of the command before, as in one shell session.
                    let script = format!("(exit {last})\n{}", shown.command);
                    let (code, out) = sh(dir.path(), &script, &[]);
                    last = code;
                    let actual = normalise(out.lines().map(String::from));
                    let expected = normalise(shown.expected);
                    if code == 101 || !lines_match(&expected, &actual) {
                        failures.push(format!(
                            "{page}:{}: `$ {}` (exit {code}){}\n--- the page shows\n{}\n--- the tool prints\n{}\n",
                            shown.line,
                            shown.command,
                            first_missing(&expected, &actual)
                                .map(|l| format!("; the first line shown that the tool does not print:\n{l}"))
                                .unwrap_or_default(),
                            expected.join("\n"),
                            actual.join("\n")
                        ));
                    }
                }
            }
            "sh" | "yaml" => {}
            _ => {
                if let Some(l) = block.body.iter().find(|l| looks_like_command(l)) {
                    failures.push(format!(
                        "{page}:{}: `{l}` is shown but not run: make the block ```console (with `$ `), \
                         or ```sh and list it in NOT_RUN",
                        block.line
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} difference(s):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran
}

macro_rules! pages {
    ($($name:ident => $page:literal, $n:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let ran = run_page($page);
                assert_eq!(ran, $n, "{} runs {ran} commands; update the count here", $page);
            }
        )*

        /// Every page is run by one of the tests above.
        #[test]
        fn every_page_is_run() {
            let tested = [$($page),*];
            for page in pages() {
                assert!(tested.contains(&page.as_str()), "{page} has no test in tests/docs.rs");
            }
        }
    };
}

pages! {
    readme => "README.md", 0;
    getting_started => "docs/getting-started.md", 9;
    editors => "docs/editors.md", 1;
    eval => "docs/eval.md", 15;
    explain_and_test => "docs/explain-and-test.md", 14;
    workflow => "docs/workflow.md", 37;
    scale_out => "docs/scale-out.md", 5;
    report => "docs/report.md", 12;
    language => "docs/language.md", 0;
    reliability => "docs/reliability.md", 0;
    benchmarks => "docs/benchmarks.md", 0;
    architecture => "docs/architecture.md", 0;
}

/// The ```sh blocks, every one of them listed in NOT_RUN and nothing more.
#[test]
fn not_run_blocks_are_listed() {
    let mut found = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(root().join(&page)).expect("the page");
        for step in parse(&text) {
            if let Step::Block(b) = step {
                if b.info.split_whitespace().next() == Some("sh") && b.target.is_none() {
                    found.push((page.clone(), b.body.first().cloned().unwrap_or_default()));
                }
            }
        }
    }
    let mut unlisted = Vec::new();
    let mut used = vec![0; NOT_RUN.len()];
    for (page, first) in &found {
        match NOT_RUN
            .iter()
            .position(|(p, start, _)| p == page && first.starts_with(start))
        {
            Some(k) => used[k] += 1,
            None => unlisted.push(format!("{page}: {first}")),
        }
    }
    assert!(
        unlisted.is_empty(),
        "```sh blocks (not run) missing from NOT_RUN: {unlisted:#?}"
    );
    for (k, (page, start, _)) in NOT_RUN.iter().enumerate() {
        assert_eq!(
            used[k], 1,
            "NOT_RUN's {page}: {start}… matches {} blocks, not 1",
            used[k]
        );
    }
}

/// The README's two set-up commands: the first, `cargo run --release -- eval …`, runs as
/// `playbook eval …` (the debug binary) and prints decisions and a summary; the second, the test
/// command, is not run from here (it runs this) but must be the one .ci/run runs.
#[test]
fn readme_set_up() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let blocks: Vec<Block> = parse(&readme)
        .into_iter()
        .filter_map(|s| match s {
            Step::Block(b) => Some(b),
            Step::Hidden(..) => None,
        })
        .collect();
    let run = blocks
        .iter()
        .find_map(|b| b.body.first()?.strip_prefix("cargo run --release -- "))
        .expect("README.md shows `cargo run --release -- …`");
    let dir = scratch();
    let (code, out) = sh(dir.path(), &format!("playbook {run} 2>summary.txt"), &[]);
    let summary = std::fs::read_to_string(dir.path().join("summary.txt")).expect("summary");
    assert_eq!(code, 0, "`playbook {run}`:\n{out}{summary}");
    assert!(
        out.lines().count() > 1,
        "`playbook {run}` prints decisions:\n{out}"
    );
    assert!(
        summary.contains("customers read"),
        "and a summary on standard error:\n{summary}"
    );

    let ci = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    let command = "cargo test --locked --no-fail-fast";
    assert!(
        blocks.iter().any(|b| b.body == [command]),
        "README.md shows `{command}` as the test command"
    );
    assert!(
        ci.lines().any(|l| l.trim_start().starts_with(command)),
        ".ci/run runs `{command}`, the README's test command"
    );
}

/// The harness fails when a page's output differs: the matcher itself.
#[test]
fn the_matcher_can_fail() {
    let v = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    assert!(lines_match(&v("a\n…\nd"), &v("a\nb\nc\nd")));
    assert!(lines_match(&v("a\n…"), &v("a")));
    assert!(!lines_match(&v("a\n…\nd"), &v("a\nb\nc")));
    assert!(line_matches("took [..] ms", "took 12 ms"));
    assert!(!line_matches("took [..] ms", "took 12 s"));
    assert!(!lines_match(
        &v("mijn-eerste.playbook:11:1"),
        &v("mijn-eerste.playbook:11:35")
    ));
}

/// One step of the workflow: its name, `uses:`, `run:` script and `env:`.
#[derive(Debug, Default)]
struct WorkflowStep {
    name: String,
    uses: Option<String>,
    run: Option<String>,
    env: Vec<(String, String)>,
}

/// The steps of the one job of a GitHub Actions workflow (the little YAML the page uses).
fn workflow_steps(yaml: &[String]) -> Vec<WorkflowStep> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let start = yaml
        .iter()
        .position(|l| l.trim() == "steps:")
        .expect("steps:");
    let mut steps: Vec<WorkflowStep> = Vec::new();
    let mut i = start + 1;
    let mut key_indent = 0;
    while i < yaml.len() {
        let line = &yaml[i];
        let text = line.trim_start();
        i += 1;
        if text.is_empty() {
            continue;
        }
        let text = if let Some(item) = text.strip_prefix("- ") {
            steps.push(WorkflowStep::default());
            key_indent = indent(line) + 2;
            item
        } else if indent(line) == key_indent {
            text
        } else {
            continue; // under `with:` or `env:`, read below
        };
        let step = steps.last_mut().expect("a step");
        let (key, value) = text.split_once(':').expect("key: value");
        let value = value.split(" #").next().unwrap_or("").trim();
        match key {
            "name" => step.name = value.to_string(),
            "uses" => step.uses = Some(value.to_string()),
            "run" if value == "|" => {
                let mut script = Vec::new();
                while i < yaml.len() && (yaml[i].trim().is_empty() || indent(&yaml[i]) > key_indent)
                {
                    script.push(yaml[i].get(key_indent + 2..).unwrap_or("").to_string());
                    i += 1;
                }
                step.run = Some(script.join("\n"));
            }
            "run" => step.run = Some(value.to_string()),
            "env" => {
                while i < yaml.len() && indent(&yaml[i]) > key_indent {
                    let (k, v) = yaml[i].trim().split_once(':').expect("NAME: value");
                    step.env.push((k.to_string(), v.trim().to_string()));
                    i += 1;
                }
            }
            _ => {}
        }
    }
    steps
}

/// The GitHub Actions workflow of docs/workflow.md, run against this repository's playbooks:
/// `cargo install` and `uses:` steps are replaced by the built binary on the PATH; the other
/// steps run with bash, in a git repository whose `origin/main` holds the playbooks as they are
/// and whose pull request changes one of them, so that the diff step has something to report.
#[test]
fn github_workflow() {
    let text = std::fs::read_to_string(root().join("docs/workflow.md")).expect("workflow.md");
    let yaml = parse(&text)
        .into_iter()
        .find_map(|s| match s {
            Step::Block(b) if b.info == "yaml" => Some(b.body),
            _ => None,
        })
        .expect("docs/workflow.md has a ```yaml block");
    let steps = workflow_steps(&yaml);

    let dir = scratch();
    let repo = dir.path();
    let (code, out) = sh(
        repo,
        "git update-ref refs/remotes/origin/main HEAD && git checkout -q -b pull-request \
         && sed -i 's/stage loyaal      when orders >= 10 and/stage loyaal      when orders >= 8 and/' \
            playbooks/relatie-fase-model.playbook \
         && git commit -qam 'a pull request' && ! git diff --quiet origin/main",
        &[],
    );
    assert_eq!(code, 0, "setting up the pull request: {out}");
    let summary = repo.join("step-summary.md");
    let summary_path = summary.to_string_lossy().into_owned();

    let mut ran = Vec::new();
    for step in &steps {
        if step.uses.is_some() {
            continue;
        }
        let run = step
            .run
            .as_deref()
            .unwrap_or_else(|| panic!("step {:?} has no run:", step.name));
        if run.starts_with("cargo install") {
            assert_eq!(run, "cargo install --locked --path .", "the install step");
            continue; // the built binary is first on the PATH
        }
        let mut env: Vec<(String, String)> = step
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("${{ github.base_ref }}", "main")))
            .collect();
        env.push(("GITHUB_STEP_SUMMARY".into(), summary_path.clone()));
        for (k, v) in &env {
            assert!(
                !v.contains("${{"),
                "{}: env {k} = {v} needs a value the test does not know",
                step.name
            );
        }
        assert!(
            !run.contains("${{"),
            "{}: the script uses an expression the test does not know",
            step.name
        );
        let env_refs: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (code, out) = sh(repo, run, &env_refs);
        assert_eq!(
            code, 0,
            "workflow step {:?} fails:\n{run}\n---\n{out}",
            step.name
        );
        ran.push(step.name.clone());
    }
    assert_eq!(
        ran,
        [
            "Check",
            "Formatting",
            "Tests",
            "What the change does to customers"
        ],
        "the steps run"
    );
    let summary = std::fs::read_to_string(&summary).expect("the diff step writes the job summary");
    for expected in [
        "**`playbooks/relatie-fase-model.playbook`**",
        "### Playbook change: ",
        "of 20 customers change",
    ] {
        assert!(
            summary.contains(expected),
            "the job summary has {expected}:\n{summary}"
        );
    }
    assert_eq!(
        summary.matches("### Playbook change").count(),
        1,
        "only the changed playbook:\n{summary}"
    );
}
