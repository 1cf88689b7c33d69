//! Hostile input through the built binary: every file gets a diagnostic or a clean
//! result, never a panic, a stack overflow, a signal or a hang.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Far beyond what any of these takes; a run that gets here is a hang. (A 10 MB line
/// takes seconds in a release build and up to a minute in a debug build on a slow machine.)
const DEADLINE: Duration = Duration::from_secs(300);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Writes `bytes` to a playbook file and runs `playbook check` on it with a deadline.
fn check_bytes(name: &str, bytes: &[u8]) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(format!("{name}.playbook"));
    std::fs::write(&path, bytes).expect("the playbook is written");
    run_check(dir.path(), &path)
}

fn run_check(dir: &Path, path: &Path) -> Run {
    // Output goes to files, so a large report cannot fill a pipe and stall the child.
    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .arg("check")
        .arg(path)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("a file for stdout"))
        .stderr(std::fs::File::create(&err_path).expect("a file for stderr"))
        .spawn()
        .expect("the playbook binary starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{}: still running after {DEADLINE:?}: a hang",
                path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let stdout = read(&out_path);
    let stderr = read(&err_path);
    let Some(code) = status.code() else {
        panic!(
            "{}: killed by a signal ({status:?}); stderr:\n{}",
            path.display(),
            head(&stderr)
        );
    };
    Run {
        code,
        stdout,
        stderr,
    }
}

fn head(text: &str) -> &str {
    let mut end = text.len().min(2000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Exit 0 with nothing to say, or exit 1 with at least one diagnostic; never a crash.
fn assert_handled(name: &str, run: &Run) {
    assert!(
        !run.stderr.contains("panicked"),
        "{name}: panicked:\n{}",
        head(&run.stderr)
    );
    assert!(
        !run.stderr.contains("overflow"),
        "{name}: overflowed:\n{}",
        head(&run.stderr)
    );
    assert_ne!(
        run.code,
        101,
        "{name}: exit 101 is a panic:\n{}",
        head(&run.stderr)
    );
    assert!(
        run.code == 0 || run.code == 1,
        "{name}: exit {}:\n{}",
        run.code,
        head(&run.stderr)
    );
    assert!(
        run.stderr.contains("checked 1 file:"),
        "{name}: no summary:\n{}",
        head(&run.stderr)
    );
    if run.code == 1 {
        assert!(
            run.stdout.contains("playbook::"),
            "{name}: exit 1 without a diagnostic:\n{}",
            head(&run.stdout)
        );
    }
}

/// The code of every diagnostic, in order (from the human rendering's first lines).
fn codes(run: &Run) -> Vec<&str> {
    run.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("playbook::"))
        .map(str::trim)
        .collect()
}

/// A small deterministic generator (xorshift64*), so failures can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// ───────────────────────────── random input ─────────────────────────────

#[test]
fn random_bytes() {
    for seed in 1..=6u64 {
        let mut random = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let len = 1 + random.below(64 * 1024);
        let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        let name = format!("random-bytes-{seed}");
        let run = check_bytes(&name, &bytes);
        assert_handled(&name, &run);
        assert_eq!(run.code, 1, "{name}: random bytes are not a clean playbook");
    }
}

#[test]
fn random_text() {
    // Printable ASCII and a few letters beyond it, with many newlines: valid UTF-8 that
    // reaches the parser.
    let alphabet: Vec<char> = " \n\n\t\"#(){}[],:=<>!+-*/%?._0123456789azAZéß€"
        .chars()
        .chain('a'..='z')
        .collect();
    for seed in 1..=6u64 {
        let mut random = Random(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let len = 1 + random.below(32 * 1024);
        let text: String = (0..len)
            .map(|_| alphabet[random.below(alphabet.len())])
            .collect();
        let name = format!("random-text-{seed}");
        assert_handled(&name, &check_bytes(&name, text.as_bytes()));
    }
}

#[test]
fn random_tokens() {
    // Words of the language in random order: reaches deep into the grammar and the checker.
    const TOKENS: &[&str] = &[
        "playbook",
        "customer",
        "journey",
        "segment",
        "actions",
        "policy",
        "rule",
        "when",
        "then",
        "unless",
        "test",
        "given",
        "expect",
        "stage",
        "from",
        "column",
        "one",
        "of",
        "list",
        "text",
        "number",
        "bool",
        "date",
        "key",
        "format",
        "and",
        "or",
        "not",
        "in",
        "is",
        "missing",
        "present",
        "between",
        "has",
        "contains",
        "starts",
        "ends",
        "with",
        "within",
        "next",
        "more",
        "than",
        "days",
        "weeks",
        "ago",
        "anniversary",
        "reached",
        "priority",
        "holdout",
        "salt",
        "via",
        "suppress",
        "max",
        "action",
        "per",
        "decimal",
        "comma",
        "as",
        "no",
        "suppressed",
        "null",
        "true",
        "false",
        "orders",
        "nps",
        "complaint",
        "open",
        "vip",
        "days_since",
        "days_until",
        "x",
        "\"a b\"",
        "\"#\"",
        "2026-11-23",
        "2026-02-30",
        "12",
        "-3.5",
        "1e3",
        "10%",
        "2.125%",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "?",
        "\n",
        "\n",
        "# note\n",
    ];
    for seed in 1..=12u64 {
        let mut random = Random(seed.wrapping_mul(0xA076_1D64_78BD_642F));
        let count = 1 + random.below(4000);
        let mut text = String::new();
        for _ in 0..count {
            text.push_str(TOKENS[random.below(TOKENS.len())]);
            text.push(' ');
        }
        let name = format!("random-tokens-{seed}");
        assert_handled(&name, &check_bytes(&name, text.as_bytes()));
    }
}

// ───────────────────────────── encodings ─────────────────────────────

#[test]
fn invalid_utf8() {
    let cases: [(&str, Vec<u8>); 5] = [
        (
            "latin1-name",
            b"customer { id text key }\nsegment caf\xe9 = id is present\n".to_vec(),
        ),
        ("latin1-comment", b"# caf\xe9\nwhen a then b\n".to_vec()),
        ("truncated-sequence", b"when a then b \xe2\x82".to_vec()),
        ("lone-continuation", b"\x80".to_vec()),
        (
            "utf16",
            "when a then b\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .fold(vec![0xFF, 0xFE], |mut v, b| {
                    v.push(b);
                    v
                }),
        ),
    ];
    for (name, bytes) in cases {
        let run = check_bytes(name, &bytes);
        assert_handled(name, &run);
        assert_eq!(codes(&run), ["invalid-utf8"], "{name}:\n{}", run.stdout);
    }
}

#[test]
fn byte_order_mark_and_crlf_are_fine() {
    let text = "\u{FEFF}customer {\r\n  id text key\r\n  orders number\r\n}\r\nwhen orders > 1 then surprise\r\n";
    let run = check_bytes("bom-crlf", text.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn nul_and_control_characters() {
    let run = check_bytes("nul", b"when a\0 then b\n\x07\x1b[31m\n");
    assert_handled("nul", &run);
    assert_eq!(run.code, 1);
}

// ───────────────────────────── size ─────────────────────────────

const TEN_MB: usize = 10 * 1024 * 1024;

#[test]
fn ten_megabyte_condition_on_one_line() {
    // `segment a = F > 1 or F > 1 or …` on a single 10 MB line, then a rule that uses it.
    let schema = "customer { id text key  orders_in_the_last_twelve_months_combined number }\n";
    let term = "orders_in_the_last_twelve_months_combined > 1";
    let mut text = String::with_capacity(TEN_MB + 200);
    text.push_str(schema);
    text.push_str("segment a = ");
    text.push_str(term);
    while text.len() < TEN_MB {
        text.push_str(" or ");
        text.push_str(term);
    }
    text.push_str("\nwhen customer in a then surprise\n");
    let run = check_bytes("long-or", text.as_bytes());
    assert_handled("long-or", &run);
    assert_eq!(
        run.code,
        0,
        "a long but correct condition is fine:\n{}",
        head(&run.stdout)
    );
}

#[test]
fn ten_megabytes_of_x() {
    let run = check_bytes("xxx", &vec![b'x'; TEN_MB]);
    assert_handled("xxx", &run);
    assert_eq!(codes(&run), ["syntax-error"]);
    // The 10 MB line is not printed back.
    assert!(
        run.stdout.len() < 10_000,
        "{} bytes of output",
        run.stdout.len()
    );
}

#[test]
fn ten_megabyte_unclosed_string() {
    let mut text = b"playbook \"".to_vec();
    text.resize(TEN_MB, b'a');
    let run = check_bytes("long-string", &text);
    assert_handled("long-string", &run);
    assert_eq!(codes(&run), ["syntax-error"]);
}

#[test]
fn ten_megabyte_comment() {
    let mut text = b"#".to_vec();
    text.resize(TEN_MB, b'#');
    let run = check_bytes("long-comment", &text);
    assert_handled("long-comment", &run);
    assert_eq!(run.code, 0);
}

#[test]
fn too_large() {
    let mut text = b"# padding\n".to_vec();
    text.resize(17 * 1024 * 1024, b'\n');
    let run = check_bytes("too-large", &text);
    assert_handled("too-large", &run);
    assert_eq!(codes(&run), ["too-large"]);
}

#[test]
fn too_many_rules() {
    let mut text = String::from("customer {\n  id text key\n  n number\n}\nactions a\n");
    for i in 0..=25_000 {
        text.push_str(&format!("rule r{i} when n = {i} then a\n"));
    }
    let run = check_bytes("many-rules", text.as_bytes());
    assert_handled("many-rules", &run);
    assert_eq!(codes(&run), ["too-large"]);
    assert!(
        run.stdout
            .contains("this playbook has 25001 rules; at most 25000 are read")
            && run.stdout.contains(":25006:1"),
        "{}",
        head(&run.stdout)
    );
}

// ───────────────────────────── depth ─────────────────────────────

#[test]
fn ten_thousand_nested_parentheses() {
    let text = format!(
        "when {}a{} then b\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let run = check_bytes("parens", text.as_bytes());
    assert_handled("parens", &run);
    assert_eq!(codes(&run), ["too-deep"]);
    // Unbalanced, and other brackets.
    for (name, text) in [
        (
            "open-parens",
            format!("when {}a then b\n", "(".repeat(10_000)),
        ),
        (
            "close-parens",
            format!("when a{} then b\n", ")".repeat(10_000)),
        ),
        (
            "brackets",
            format!(
                "when a in {}b{} then c\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
        ),
        ("braces", format!("customer {}\n", "{".repeat(10_000))),
        (
            "calls",
            format!(
                "when {}x{} > 1 then b\n",
                "days_since(".repeat(10_000),
                ")".repeat(10_000)
            ),
        ),
    ] {
        let run = check_bytes(name, text.as_bytes());
        assert_handled(name, &run);
        assert_eq!(run.code, 1, "{name}");
    }
}

#[test]
fn deep_but_allowed_nesting_is_fine() {
    let text = format!(
        "customer {{ id text key  orders number }}\nwhen {}orders > 1{} then b\n",
        "(".repeat(60),
        ")".repeat(60)
    );
    let run = check_bytes("sixty", text.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn ten_thousand_nots() {
    let text = format!(
        "customer {{ id text key  ok bool }}\nwhen {}ok then b\n",
        "not ".repeat(10_000)
    );
    let run = check_bytes("nots", text.as_bytes());
    assert_handled("nots", &run);
    assert_eq!(codes(&run), ["too-deep"]);
    let text = format!(
        "customer {{ id text key  n number }}\nwhen {}n > 1 then b\n",
        "- ".repeat(10_000)
    );
    let run = check_bytes("minuses", text.as_bytes());
    assert_handled("minuses", &run);
    assert_eq!(codes(&run), ["too-deep"]);
}

#[test]
fn long_chains_of_every_operator() {
    let schema = "customer { id text key  n number  ok bool }\n";
    for (name, op, operand) in [
        ("and-chain", " and ", "ok"),
        ("plus-chain", " + ", "n"),
        ("times-chain", " * ", "n"),
        ("compare-chain", " < ", "n"),
    ] {
        let chain = vec![operand; 50_000].join(op);
        let text = format!("{schema}when {chain} then b\n");
        let run = check_bytes(name, text.as_bytes());
        assert_handled(name, &run);
    }
}

// ───────────────────────────── nothing ─────────────────────────────

#[test]
fn empty_file() {
    let run = check_bytes("empty", b"");
    assert_handled("empty", &run);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
}

#[test]
fn only_whitespace() {
    let run = check_bytes("blank", b"  \n\t\r\n\n   ");
    assert_handled("blank", &run);
    assert_eq!(run.code, 0);
}

#[test]
fn only_comments() {
    let run = check_bytes(
        "comments",
        "# a comment\n   # another\n#\n# \"not a string\n# ünïcødé #".as_bytes(),
    );
    assert_handled("comments", &run);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
}
