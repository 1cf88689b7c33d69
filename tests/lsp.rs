//! `playbook lsp` spoken to as an editor does: the real binary, JSON-RPC over its standard
//! input and output. Its diagnostics must be `playbook check --format json`'s; its answers are
//! snapshots (tests/snapshots/lsp__*.snap); random edits with non-ASCII text, sent as
//! incremental changes, must never make it fail, and leave it with check's diagnostics.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const URI: &str = "file:///proef/klant.playbook";

/// A playbook with errors (a misspelt field and action, a duplicate name), warnings (an unused
/// segment) and the non-ASCII text playbooks are full of; the duplicate rule points at the
/// first (related information).
const BROKEN: &str = r#"playbook "Proef 😀"

customer {
  naam          text
  aankopen      number
  kanaal        one of email, sms, app
  geboortedatum date?
}

journey reis {
  stage oriëntatie  when aankopen >= 1
  stage vaste_klant when aankopen >= 12
}

segment trouw     = customer reached vaste_klant
segment ongebruikt = aankopen > 100

actions welkom, bedankje

rule "welkom 🎉"
  when customer in oriëntatie and aankopn >= 1
  then welkom via kanaal
  priority 2

rule bedank
  when customer in trouw
  then bedankjes

rule "welkom 🎉"
  when aankopen >= 5
  then welkom

test "trouwe klant" {
  given { aankopen: 20, kanaal: sms }
  expect action bedankje
}
"#;

/// How long any one answer may take before the server counts as hung.
const PATIENCE: Duration = Duration::from_secs(20);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    notes: Vec<Value>,
}

impl Server {
    fn start() -> Server {
        Server::start_with(json!(null))
    }

    /// A server given these `initializationOptions`.
    fn start_with(options: Value) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_playbook"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("playbook lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            messages,
            next_id: 0,
            notes: Vec::new(),
        };
        let init = server.request(
            "initialize",
            json!({
                "capabilities": { "workspace": { "codeLens": { "refreshSupport": true } } },
                "processId": null,
                "initializationOptions": options,
            }),
        );
        assert!(init["result"]["capabilities"].is_object(), "{init}");
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("writes");
        self.stdin.flush().expect("flushes");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The result of a request that must succeed.
    fn ask(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(k) = self.notes.iter().position(&wanted) {
            return self.notes.remove(k);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.notes.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("playbook lsp did not answer in time"),
                Err(RecvTimeoutError::Disconnected) => panic!("playbook lsp stopped"),
            }
        }
    }

    /// The diagnostics published for a version of the document.
    fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, text: &str) {
        let document = json!({ "uri": URI, "languageId": "playbook", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    fn change(&mut self, version: i64, changes: Value) {
        let document = json!({ "uri": URI, "version": version });
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": document, "contentChanges": changes }),
        );
    }

    fn at(&mut self, method: &str, position: Value, extra: Value) -> Value {
        let mut params = json!({ "textDocument": { "uri": URI }, "position": position });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.ask(method, params)
    }

    /// `shutdown`, `exit`, and the process ends with exit code 0.
    fn stop(mut self) {
        assert_eq!(self.ask("shutdown", Value::Null), Value::Null);
        assert_eq!(self.exit(), Some(0));
    }

    /// `exit`, and the exit code the process ends with.
    fn exit(mut self) -> Option<i32> {
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "playbook lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A position from the first occurrence of `needle` (plus `ahead` characters), in UTF-16 units
/// counted here independently of the server.
fn position_of(text: &str, needle: &str, ahead: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in the text"));
    let target = at
        + needle
            .chars()
            .take(ahead)
            .map(char::len_utf8)
            .sum::<usize>();
    position_at(text, target)
}

fn position_at(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

/// `playbook check --format json` on a text: one line of JSON per problem.
fn check_json(text: &str) -> Vec<Value> {
    check_json_with(text, &[])
}

/// `playbook check --format json ARGS…` on a text.
fn check_json_with(text: &str, args: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("klant.playbook");
    std::fs::write(&path, text).expect("writes");
    let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(["check", "--format", "json"])
        .args(args)
        .arg(&path)
        .output()
        .expect("check runs");
    assert_ne!(out.status.code(), Some(101), "check panicked");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect()
}

/// A UTF-16 column of a line as check counts: characters, from 1.
fn char_column(text: &str, line: usize, units: u64) -> u64 {
    let line_text = text.split('\n').nth(line).unwrap_or("");
    let mut seen = 0u64;
    let mut chars = 0u64;
    for c in line_text.chars() {
        if seen >= units {
            break;
        }
        seen += c.len_utf16() as u64;
        chars += 1;
    }
    chars + 1
}

/// The server's diagnostics in check's terms (lines and character columns from 1).
fn as_check(text: &str, diagnostics: &[Value]) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|d| {
            let place = |end: &str| {
                let line = d["range"][end]["line"].as_u64().unwrap_or(u64::MAX) as usize;
                let units = d["range"][end]["character"].as_u64().unwrap_or(u64::MAX);
                (line as u64 + 1, char_column(text, line, units))
            };
            let ((line, column), (end_line, end_column)) = (place("start"), place("end"));
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "other",
            };
            json!({
                "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                "severity": severity, "code": d["code"], "message": d["message"],
            })
        })
        .collect()
}

/// check's JSON, in the shape `as_check` gives (help on a line of its own after the message).
fn check_shape(check: &[Value]) -> Vec<Value> {
    check
        .iter()
        .map(|c| {
            let message = match c["help"].as_str() {
                Some(help) => format!("{}\nhelp: {help}", c["message"].as_str().unwrap_or("")),
                None => c["message"].as_str().unwrap_or("").to_string(),
            };
            json!({
                "line": c["line"], "column": c["column"], "end_line": c["end_line"],
                "end_column": c["end_column"], "severity": c["severity"], "code": c["code"],
                "message": message,
            })
        })
        .collect()
}

#[test]
fn diagnostics_are_checks() {
    let mut server = Server::start();
    server.open(BROKEN);
    let diagnostics = server.diagnostics(1);
    let check = check_json(BROKEN);
    assert!(
        check.len() >= 3,
        "the fixture is broken in several ways: {check:?}"
    );
    assert_eq!(as_check(BROKEN, &diagnostics), check_shape(&check));
    insta::assert_json_snapshot!("diagnostics", diagnostics);
    server.stop();
}

/// A playbook without errors, and an export without its `kanaal` column and with `plaats`
/// written in lower case.
const FITS_NOT: (&str, &str) = (
    "customer {\n  id       text key\n  aankopen number\n  kanaal   one of email, sms\n  \
     Plaats   text?\n}\n\nrule welkom\n  when aankopen >= 1 and Plaats is present\n  \
     then welkom via kanaal\n",
    "id,aankopen,plaats\n1,2,Utrecht\n",
);

#[test]
fn a_sample_export_gives_check_datas_diagnostics() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let export = dir.path().join("klanten.csv");
    std::fs::write(&export, FITS_NOT.1).expect("writes");
    let export = export.to_string_lossy().into_owned();
    let mut server = Server::start_with(json!({ "sampleExport": export }));
    server.open(FITS_NOT.0);
    let diagnostics = server.diagnostics(1);
    let check = check_json_with(FITS_NOT.0, &["--data", &export]);
    let codes: Vec<&str> = check.iter().filter_map(|c| c["code"].as_str()).collect();
    assert_eq!(codes, ["playbook::missing-column", "playbook::near-column"]);
    assert_eq!(as_check(FITS_NOT.0, &diagnostics), check_shape(&check));
    // No sample export: plain check's diagnostics (none).
    let settings = json!({ "settings": { "playbook": { "sampleExport": "" } } });
    server.notify("workspace/didChangeConfiguration", settings);
    assert_eq!(server.diagnostics(1), Vec::<Value>::new());
    // One that cannot be read: a message, and the playbook's own diagnostics.
    let missing = dir.path().join("weg.csv").to_string_lossy().into_owned();
    let settings = json!({ "settings": { "playbook": { "sampleExport": missing } } });
    server.notify("workspace/didChangeConfiguration", settings);
    assert_eq!(server.diagnostics(1), Vec::<Value>::new());
    let message = server.wait_for(|m| m["method"] == "window/showMessage");
    let text = message["params"]["message"].as_str().unwrap_or("");
    assert!(text.contains("weg.csv"), "{text}");
    server.stop();
}

/// A playbook and an export that fits it: three customers, one without `aankopen`.
const COUNTED: (&str, &str) = (
    "customer {\n  id       text key\n  aankopen number?\n  kanaal   one of email, sms\n}\n\n\
     journey reis {\n  stage nieuw when aankopen >= 1\n  stage vast  when aankopen >= 10\n}\n\n\
     segment sms_klant = kanaal = sms\n\nrule welkom\n  when customer in nieuw\n  \
     then welkom\n\nrule bedankt\n  when customer in vast or customer in sms_klant\n  \
     then bedankt\n",
    "id,aankopen,kanaal\n1,2,sms\n2,12,email\n3,,sms\n",
);

#[test]
fn code_lenses_count_the_sample_export() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let export = dir.path().join("klanten.csv");
    std::fs::write(&export, COUNTED.1).expect("writes");
    let export = export.to_string_lossy().into_owned();
    let mut server = Server::start_with(json!({ "sampleExport": export }));
    server.open(COUNTED.0);
    server.wait_for(|m| m["method"] == "workspace/codeLens/refresh");
    let document = json!({ "textDocument": { "uri": URI } });
    let lenses = |server: &mut Server| -> Vec<(u64, String)> {
        let answer = server.ask("textDocument/codeLens", document.clone());
        answer
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|l| {
                        let line = l["range"]["start"]["line"].as_u64().unwrap_or(999);
                        (
                            line,
                            l["command"]["title"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // As `playbook eval --coverage` counts them.
    let expected = |shift: u64| {
        vec![
            (7 + shift, "1 of 3 customers · 1 unknown".to_string()),
            (8 + shift, "1 of 3 customers · 0 unknown".to_string()),
            (11 + shift, "2 of 3 customers · 0 unknown".to_string()),
            (
                13 + shift,
                "fired for 1 of 3 customers · 0 held out · 0 unknown".to_string(),
            ),
            (
                17 + shift,
                "fired for 3 of 3 customers · 0 held out · 0 unknown".to_string(),
            ),
        ]
    };
    assert_eq!(lenses(&mut server), expected(0));
    // Typing moves the lenses with their names; saving counts again.
    let top = json!({ "line": 0, "character": 0 });
    server.change(
        2,
        json!([{ "range": { "start": top, "end": top }, "text": "# één\n" }]),
    );
    assert_eq!(lenses(&mut server), expected(1));
    server.notify("textDocument/didSave", document.clone());
    server.wait_for(|m| m["method"] == "workspace/codeLens/refresh");
    assert_eq!(lenses(&mut server), expected(1));
    server.stop();
}

#[test]
fn explain_a_customer_as_playbook_explain_does() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let export = dir.path().join("klanten.csv");
    std::fs::write(&export, COUNTED.1).expect("writes");
    let playbook = dir.path().join("klant.playbook");
    std::fs::write(&playbook, COUNTED.0).expect("writes");
    let export = export.to_string_lossy().into_owned();
    let explain = |customer: &str| json!({ "command": "playbook.server.explain", "arguments": [URI, customer] });
    // Without a sample export: an error that says what to do.
    let mut server = Server::start();
    server.open(COUNTED.0);
    let refused = server.request("workspace/executeCommand", explain("3"));
    assert_eq!(refused["error"]["code"], -32803, "{refused}");
    server.stop();
    let mut server = Server::start_with(json!({ "sampleExport": export }));
    server.open(COUNTED.0);
    let text = server.ask("workspace/executeCommand", explain("3"));
    let cli = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .arg("explain")
        .arg(&playbook)
        .arg(&export)
        .args(["--customer", "3"])
        .output()
        .expect("explain runs");
    assert!(cli.status.success());
    let says = text.as_str().unwrap_or("");
    assert!(
        says.contains("bedankt"),
        "customer 3 gets `bedankt`: {says}"
    );
    assert_eq!(text.as_str(), Some(&*String::from_utf8_lossy(&cli.stdout)));
    let unknown = server.request("workspace/executeCommand", explain("99"));
    let message = unknown["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("no customer with id `99`"), "{unknown}");
    server.stop();
}

#[test]
fn hover_complete_and_navigate() {
    let mut server = Server::start();
    server.open(BROKEN);
    server.diagnostics(1);
    let none = json!({});
    let mut answers = serde_json::Map::new();
    let mut put = |name: &str, value: Value| {
        answers.insert(name.to_string(), value);
    };
    let text = BROKEN;
    let hovers = [
        ("hover field", "aankopen >= 12", 2),
        ("hover stage", "customer in oriëntatie", 15),
        ("hover segment", "customer in trouw", 13),
        ("hover action", "then welkom", 6),
        ("hover rule", "rule bedank", 6),
        ("hover keyword", "customer reached", 10),
    ];
    for (name, needle, ahead) in hovers {
        let pos = position_of(text, needle, ahead);
        put(name, server.at("textDocument/hover", pos, none.clone()));
    }
    let pos = position_of(text, "customer in oriëntatie", 12);
    put(
        "definition of a stage",
        server.at("textDocument/definition", pos.clone(), none.clone()),
    );
    let context = json!({ "context": { "includeDeclaration": true } });
    put(
        "references of a stage",
        server.at("textDocument/references", pos.clone(), context),
    );
    let rename = json!({ "newName": "verkenning" });
    put(
        "rename a stage",
        server.at("textDocument/rename", pos, rename),
    );
    let pos = position_of(text, "expect action bedankje", 15);
    let rename = json!({ "newName": "dank_je" });
    put(
        "rename an action from an expect line",
        server.at("textDocument/rename", pos, rename),
    );
    let pos = position_of(text, "kanaal: sms", 1);
    let rename = json!({ "newName": "kanaal voorkeur" });
    put(
        "rename a field from a given key",
        server.at("textDocument/rename", pos, rename),
    );
    let document = json!({ "textDocument": { "uri": URI } });
    put(
        "symbols",
        server.ask("textDocument/documentSymbol", document.clone()),
    );
    put("folding", server.ask("textDocument/foldingRange", document));
    insta::assert_json_snapshot!("answers", answers);
    server.stop();
}

#[test]
fn completion_in_context() {
    let mut server = Server::start();
    let text = format!("{BROKEN}\nrule nieuw\n  when customer in \n");
    server.open(&text);
    server.diagnostics(1);
    let labels = |items: &Value| -> Vec<String> {
        let list = items.get("items").unwrap_or(items);
        list.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["label"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let pos = position_of(&text, "when customer in \n", 17);
    let after_in = server.at("textDocument/completion", pos, json!({}));
    assert_eq!(
        labels(&after_in),
        ["oriëntatie", "vaste_klant", "trouw", "ongebruikt", "reis"]
    );
    // Typing `kanaal = ` on that line, as an editor sends it: an incremental change.
    let pos = position_of(&text, "when customer in \n", 17);
    server.change(
        2,
        json!([{ "range": { "start": pos, "end": pos }, "text": "x and kanaal = " }]),
    );
    let pos = json!({ "line": pos["line"], "character": 34 });
    let words = server.at("textDocument/completion", pos, json!({}));
    assert_eq!(labels(&words), ["email", "sms", "app"]);
    let pos = position_of(&text, "then welkom", 5);
    let actions = server.at("textDocument/completion", pos, json!({}));
    assert_eq!(labels(&actions), ["welkom", "bedankje", "bedankjes"]);
    insta::assert_json_snapshot!("completion-after-customer-in", after_in);
    server.stop();
}

#[test]
fn quick_fixes_and_formatting() {
    let mut server = Server::start();
    server.open(BROKEN);
    server.diagnostics(1);
    let mut answers = serde_json::Map::new();
    for (name, needle) in [("field", "aankopn"), ("action", "bedankjes")] {
        let at = position_of(BROKEN, needle, 1);
        let params = json!({
            "textDocument": { "uri": URI },
            "range": { "start": at, "end": at },
            "context": { "diagnostics": [] },
        });
        answers.insert(
            name.to_string(),
            server.ask("textDocument/codeAction", params),
        );
    }
    insta::assert_json_snapshot!("code-actions", answers);
    // Applying the two `did you mean` fixes, as the editor would, clears both errors.
    let mut fixed = BROKEN.to_string();
    for (name, from, to) in [
        ("field", "aankopn", "aankopen"),
        ("action", "bedankjes", "bedankje"),
    ] {
        let edit = &answers[name][0]["edit"]["changes"][URI][0];
        assert_eq!(edit["newText"], to, "{name}");
        let start = position_of(&fixed, from, 0);
        assert_eq!(edit["range"]["start"], start, "{name}");
        fixed = fixed.replacen(from, to, 1);
    }
    server.change(2, json!([{ "text": fixed }]));
    let left = server.diagnostics(2);
    let codes: Vec<&str> = left.iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(
        !codes.iter().any(|c| c.contains("unknown")),
        "no unknown name is left: {codes:?}"
    );
    assert_eq!(as_check(&fixed, &left), check_shape(&check_json(&fixed)));
    // Formatting gives `playbook fmt`'s layout.
    let params = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = server.ask("textDocument/formatting", params);
    let formatted = edits[0]["newText"]
        .as_str()
        .expect("one edit of the whole text");
    let fmt = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(fixed.as_bytes())?;
            child.wait_with_output()
        })
        .expect("fmt runs");
    assert_eq!(formatted, String::from_utf8_lossy(&fmt.stdout));
    server.stop();
}

#[test]
fn bad_requests_get_errors_not_a_crash() {
    let mut server = Server::start();
    server.open(BROKEN);
    let answer = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert!(answer["error"]["code"].is_i64(), "{answer}");
    let answer = server.request("playbook/unknown", json!({}));
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    // A position far past the end is the end.
    let far = json!({ "line": 9999, "character": 9999 });
    server.at("textDocument/completion", far.clone(), json!({}));
    let change = json!([{ "range": { "start": far, "end": far }, "text": "é" }]);
    server.change(2, change);
    let check = check_json(&format!("{BROKEN}é"));
    let diagnostics = server.diagnostics(2);
    assert_eq!(
        as_check(&format!("{BROKEN}é"), &diagnostics),
        check_shape(&check)
    );
    server.stop();
}

#[test]
fn shutdown_then_exit_is_0_and_exit_alone_is_1() {
    let mut server = Server::start();
    server.open(BROKEN);
    assert_eq!(server.ask("shutdown", Value::Null), Value::Null);
    let position = json!({ "line": 0, "character": 0 });
    let params = json!({ "textDocument": { "uri": URI }, "position": position });
    let late = server.request("textDocument/hover", params);
    assert_eq!(late["error"]["code"], -32600, "{late}");
    assert_eq!(server.exit(), Some(0));
    assert_eq!(Server::start().exit(), Some(1));
}

/// Pieces an edit inserts: playbook words, line breaks, quotes and non-ASCII text.
const PIECES: &[&str] = &[
    "é",
    "ë",
    "😀",
    "🎉",
    "\n",
    "\"",
    " ",
    "{",
    "}",
    "when ",
    "then ",
    "customer in ",
    "stage ",
    "rule ",
    "aankopen",
    "oriëntatie",
    "x",
    "=",
    ">= 1",
    "and ",
    "#",
    "\r\n",
    "[",
    ",",
];

fn edits() -> impl Strategy<Value = Vec<(usize, usize, String)>> {
    let insert = prop::collection::vec(prop::sample::select(PIECES), 0..4).prop_map(|p| p.concat());
    prop::collection::vec((any::<usize>(), 0usize..12, insert), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_fail_and_end_as_check(edits in edits()) {
        let mut server = Server::start();
        server.open(BROKEN);
        let mut text = BROKEN.to_string();
        let mut version = 1;
        for (at, len, insert) in edits {
            // A range between two characters, counted here in characters, sent in UTF-16.
            // Not between the `\r` and `\n` of a line end: no place for an editor's cursor.
            let chars: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .filter(|&i| !(text[..i].ends_with('\r') && text[i..].starts_with('\n')))
                .collect();
            let start = chars[at % chars.len()];
            let end = chars[(at % chars.len() + len).min(chars.len() - 1)];
            let range = json!({ "start": position_at(&text, start), "end": position_at(&text, end) });
            version += 1;
            server.change(version, json!([{ "range": range, "text": insert }]));
            text.replace_range(start..end, &insert);
            let kept = server.ask("playbook/viewFileText", json!({ "textDocument": { "uri": URI } }));
            prop_assert_eq!(kept.as_str(), Some(text.as_str()), "the server's text is the editor's");
            // Questions at the place just edited must get answers, whatever the text is.
            let here = position_at(&text, start);
            server.at("textDocument/hover", here.clone(), json!({}));
            server.at("textDocument/completion", here.clone(), json!({}));
            server.at("textDocument/definition", here, json!({}));
            server.ask("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } }));
        }
        let diagnostics = server.diagnostics(version);
        prop_assert_eq!(as_check(&text, &diagnostics), check_shape(&check_json(&text)));
        server.stop();
    }
}
