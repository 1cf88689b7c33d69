//! `playbook report` through the built binary: its numbers are exactly those of
//! `eval --summary --coverage` for every example playbook, its bars are proportional to them,
//! the page asks for nothing outside itself, and its text is snapshotted
//! (tests/snapshots/report__*.snap; each was read before it was accepted).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-23";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn playbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

/// The example playbooks that have an export of their own in playbooks/data.
fn examples() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("playbooks"))
        .expect("playbooks/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".playbook")?.to_string();
            let data = format!("playbooks/data/{stem}.csv");
            root()
                .join(&data)
                .exists()
                .then(|| (format!("playbooks/{name}"), data))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "{out:?}");
    out
}

fn report(dir: &Path, playbook_path: &str, data: &str) -> String {
    let html = dir.join("report.html");
    let out = playbook(&[
        "report",
        playbook_path,
        data,
        "--as-of",
        AS_OF,
        "-o",
        html.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{playbook_path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(html).expect("the report")
}

fn summary(dir: &Path, playbook_path: &str, data: &str) -> Value {
    let file = dir.join("summary.json");
    let out = playbook(&[
        "eval",
        playbook_path,
        data,
        "--as-of",
        AS_OF,
        "--coverage",
        "-q",
        "-o",
        dir.join("decisions.ndjson").to_str().expect("a UTF-8 path"),
        "--summary",
        file.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(file).expect("summary")).expect("JSON")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A table row as the page writes it: the row's header, then its first cells.
fn row(name: &str, cells: &[String]) -> String {
    let mut s = format!("<tr><th scope=\"row\">{}</th>", escape(name));
    for c in cells {
        s.push_str(&format!("<td>{c}</td>"));
    }
    s
}

fn n(v: &Value) -> String {
    v.as_u64().expect("a count").to_string()
}

/// A playbook with a rule that never fires (no example has one): its coverage is shown.
fn never_firing(dir: &Path) -> (String, String) {
    let pb = dir.join("nooit.playbook");
    let data = dir.join("nooit.csv");
    std::fs::write(
        &pb,
        "playbook \"Nooit\"\ncustomer {\n  id text key\n  orders number\n  nps number?\n}\n\
         actions bel, mail\nrule vaak when orders >= 1 then mail\n\
         rule nooit when orders > 4 and nps >= 9 then bel\n",
    )
    .expect("the playbook");
    std::fs::write(&data, "id,orders,nps\nA,3,10\nB,0,\nC,5,\nD,9,2\nE,7,\n").expect("the export");
    let path = |p: PathBuf| p.to_str().expect("a UTF-8 path").to_string();
    (path(pb), path(data))
}

#[test]
fn the_numbers_are_those_of_eval_summary_and_coverage() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut cases = examples();
    cases.push(never_firing(dir.path()));
    for (pb, data) in cases {
        let html = report(dir.path(), &pb, &data);
        let s = summary(dir.path(), &pb, &data);
        let mut expected = Vec::new();
        for what in ["read", "evaluated", "rejected", "suppressed"] {
            expected.push(row(what, &[n(&s[what])]));
        }
        for j in s["journeys"].as_array().expect("journeys") {
            for st in j["stages"].as_array().expect("stages") {
                expected.push(row(
                    st["name"].as_str().expect("a stage"),
                    &[n(&st["customers"])],
                ));
            }
            expected.push(row("(no stage)", &[n(&j["no_stage"])]));
        }
        for seg in s["segments"].as_array().expect("segments") {
            expected.push(row(
                seg["name"].as_str().expect("a name"),
                &[n(&seg["customers"])],
            ));
        }
        for r in s["rules"].as_array().expect("rules") {
            expected.push(row(
                r["rule"].as_str().expect("a rule"),
                &[n(&r["fired"]), n(&r["held_out"])],
            ));
        }
        for a in s["actions"].as_array().expect("actions") {
            expected.push(row(
                a["action"].as_str().expect("an action"),
                &[n(&a["customers"]), n(&a["held_out"])],
            ));
        }
        let never: Vec<&str> = s["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .filter(|r| r["fired"] == 0)
            .filter_map(|r| r["rule"].as_str())
            .collect();
        for c in s["coverage"].as_array().expect("coverage") {
            let name = c["name"].as_str().expect("a name");
            if c["kind"] == "rule" && never.contains(&name) {
                let cells: Vec<String> = ["true", "false", "unknown", "not_evaluated"]
                    .iter()
                    .map(|k| n(&c[*k]))
                    .collect();
                expected.push(row(&format!("{name} (when)"), &cells));
            }
        }
        // Channels: counted here from the decisions `eval` wrote.
        let mut channels: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
        let decisions =
            std::fs::read_to_string(dir.path().join("decisions.ndjson")).expect("decisions");
        for line in decisions.lines() {
            let d: Value = serde_json::from_str(line).expect("a decision");
            for a in d["actions"].as_array().expect("actions") {
                let c = channels
                    .entry(a["channel"].as_str().unwrap_or("(none)").to_string())
                    .or_default();
                c.0 += 1;
                c.1 += u64::from(a["holdout"] == true);
            }
        }
        for (channel, (sent, held)) in channels {
            expected.push(row(&channel, &[sent.to_string(), held.to_string()]));
        }
        if pb.ends_with("nooit.playbook") {
            // A: false (orders); B: false; C, E: unknown (nps); D: false (nps).
            let when = row("nooit (when)", &["0", "3", "2", "0"].map(String::from));
            assert!(expected.contains(&when));
            // `orders > 4` is false for 2 (A, B); `nps >= 9`, looked at for the other 3, is
            // false for 1 and unknown for 2: the one that kept the rule from firing most.
            let blocker = row("nooit", &["nps &gt;= 9", "0", "1", "2"].map(String::from));
            assert!(html.contains(&blocker), "{pb}: no {blocker}");
            // Data quality: nps is empty for B, C and E; orders never.
            for (field, missing) in [("nps", ["3", "60.0%"]), ("orders", ["0", "0.0%"])] {
                let r = row(field, &missing.map(String::from));
                assert!(html.contains(&r), "{pb}: no {r}");
            }
        }
        for e in expected {
            assert!(html.contains(&e), "{pb}: the report has no {e}");
        }
    }
}

#[test]
fn the_bars_are_proportional_to_the_numbers() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (pb, data) in examples() {
        let html = report(dir.path(), &pb, &data);
        for svg in html.split("<svg").skip(1) {
            let svg = &svg[..svg.find("</svg>").expect("a closed svg")];
            let bars: Vec<(f64, f64)> = svg
                .split("<rect ")
                .skip(1)
                .map(|r| {
                    let attr = |name: &str| -> f64 {
                        let at = r.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
                        r[at..at + r[at..].find('"').expect("a quote")]
                            .parse()
                            .expect("a number")
                    };
                    (attr("width"), attr("data-value"))
                })
                .collect();
            let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
            let longest = bars.iter().map(|b| b.0).fold(0.0, f64::max);
            for (width, value) in bars {
                let exact = if max > 0.0 {
                    value / max * longest
                } else {
                    0.0
                };
                // Whole pixels; a bar above zero is at least one pixel wide.
                assert!(
                    (width - exact).abs() <= 1.0,
                    "{pb}: {width} for {value} of {max}"
                );
                assert_eq!(width == 0.0, value == 0.0, "{pb}");
            }
        }
    }
}

#[test]
fn the_page_needs_nothing_outside_itself() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let html = report(
        dir.path(),
        "playbooks/klantbeleving-pilot.playbook",
        "playbooks/data/klantbeleving-pilot.csv",
    );
    let without_svg_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for banned in [
        "<script", "http:", "https:", " src=", " href=", "url(", "@import", "<link",
    ] {
        assert!(
            !without_svg_namespace.contains(banned),
            "the report has {banned}"
        );
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"));
}

/// The page's text: tags dropped, cells separated by `|`, one table row or heading per line.
fn page_text(html: &str) -> String {
    // The head (style) is no text; the charts' labels repeat the tables: keep the tables.
    let mut html = html.to_string();
    if let (Some(a), Some(b)) = (html.find("<head>"), html.find("</head>")) {
        html.replace_range(a..b + "</head>".len(), "");
    }
    while let (Some(a), Some(b)) = (html.find("<svg"), html.find("</svg>")) {
        html.replace_range(a..b + "</svg>".len(), "[chart]\n");
    }
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.split_whitespace().next().unwrap_or("");
                match name {
                    "/tr" | "/h1" | "/h2" | "/caption" | "/p" => out.push('\n'),
                    "/td" | "/th" => out.push_str(" | "),
                    _ => {}
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

// Read by hand for klantbeleving-pilot: 22 read / 22 evaluated / 2 suppressed as in `eval`;
// the funnel's "reached" adds up the later stages (11+4+5 = 20 reached kennismaking, 9 of them
// went on); rule@77 is the unnamed pleitbezorger rule; every rule fired, so no never-fired table.
#[test]
fn the_text_of_the_example_reports() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (pb, data) in examples() {
        let html = report(dir.path(), &pb, &data);
        let name = Path::new(&pb)
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        insta::assert_snapshot!(name, page_text(&html));
    }
}

// ───────────────────────────── in a browser ─────────────────────────────

/// The target folder of this test binary (`target/debug/deps/NAME` → `target`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root().join("target"))
}

/// Headless Chromium, provisioned by tests/browser/provision.py as the SQL engines are by
/// tests/engines/provision.py: a browser that cannot be had is a failure that says what to
/// do, never a skip.
fn chromium() -> PathBuf {
    let out = Command::new("python3")
        .arg(root().join("tests/browser/provision.py"))
        .arg(target_dir())
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed to provision Chromium: {e}"));
    assert!(
        out.status.success(),
        "no Chromium for the report test (see the message above)"
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// What a page did in the browser.
struct Rendered {
    /// Console messages Chromium logged (`INFO:CONSOLE`).
    console: Vec<String>,
    /// Requests the page made for anything but files.
    outside: Vec<String>,
    /// The share of the screenshot's pixels that are not background.
    ink: f64,
}

fn render(browser: &Path, dir: &Path, page: &str) -> Rendered {
    let stem = page.trim_end_matches(".html");
    let shot = dir.join(format!("{stem}.png"));
    let netlog = dir.join(format!("{stem}.net.json"));
    let url = format!("file://{}", dir.join(page).display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--enable-logging=stderr",
            "--v=0",
            // Nothing can be fetched, and every try is in the net log.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--window-size=1000,1600",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join(format!("{stem}-profile")).display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("Chromium runs");
    assert!(
        out.status.success(),
        "Chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    let ink = Command::new("python3")
        .arg(root().join("tests/browser/png_ink.py"))
        .arg(&shot)
        .output()
        .expect("python3 runs");
    assert!(
        ink.status.success(),
        "{}",
        String::from_utf8_lossy(&ink.stderr)
    );
    let ink: Value = serde_json::from_slice(&ink.stdout).expect("JSON");
    Rendered {
        console,
        outside: outside_requests(&netlog),
        ink: ink["ink"].as_f64().expect("ink"),
    }
}

/// The URLs the page (a `file://` site, not the browser itself) asked the network for.
fn outside_requests(netlog: &Path) -> Vec<String> {
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(netlog).expect("the net log")).expect("JSON");
    let start = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| &e["type"] == start)
        .filter(|e| {
            e["params"]["site_for_cookies"]
                .as_str()
                .is_some_and(|s| s.contains("site=file://"))
        })
        .filter_map(|e| e["params"]["url"].as_str())
        .filter(|u| !u.starts_with("file:"))
        .map(String::from)
        .collect()
}

/// The report of the real telco export in headless Chromium: it loads with no console message
/// and no request outside the file, and its screenshot is not blank. The same page with an
/// outside image and a console error is caught, so the checks can fail.
#[test]
fn the_report_opens_in_headless_chromium() {
    let browser = chromium();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let html = report(
        dir.path(),
        "playbooks/telco-churn.playbook",
        "tests/data/real/telco-customer-churn/Telco-Customer-Churn.csv",
    );
    let page = render(&browser, dir.path(), "report.html");
    assert_eq!(page.console, Vec::<String>::new());
    assert_eq!(page.outside, Vec::<String>::new());
    assert!(page.ink > 0.02, "the screenshot is blank: {} ink", page.ink);

    let bad = html.replace(
        "</body>",
        "<img src=\"https://example.com/x.png\"><script>console.error(\"boom\")</script></body>",
    );
    std::fs::write(dir.path().join("bad.html"), bad).expect("bad.html");
    let caught = render(&browser, dir.path(), "bad.html");
    assert!(
        caught.console.iter().any(|l| l.contains("boom")),
        "{:?}",
        caught.console
    );
    assert_eq!(
        caught.outside,
        vec!["https://example.com/x.png".to_string()]
    );

    std::fs::write(
        dir.path().join("blank.html"),
        "<!DOCTYPE html><html><body></body></html>",
    )
    .expect("blank.html");
    assert!(render(&browser, dir.path(), "blank.html").ink < 0.001);
}

/// Per rule, the customers who lost an action to `max` or to a per-action `suppress` (not in
/// `eval --summary`'s JSON): worked out by hand below.
#[test]
fn actions_cut_by_max_or_suppressed_per_rule() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pb = dir.path().join("beperkt.playbook");
    std::fs::write(
        &pb,
        "playbook \"Beperkt\"\ncustomer {\n  id text key\n  orders number\n  toestemming bool?\n}\n\
         actions bel, mail, sms\npolicy {\n  suppress bel when not toestemming\n  \
         max 1 action per customer\n}\n\
         rule a when orders >= 1 then mail, bel priority 2\n\
         rule b when orders >= 2 then sms priority 1\n",
    )
    .expect("the playbook");
    let data = dir.path().join("beperkt.csv");
    std::fs::write(
        &data,
        "id,orders,toestemming\nA,3,true\nB,3,false\nC,1,\nD,0,true\n",
    )
    .expect("the export");
    let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_string();
    let html = report(dir.path(), &path(&pb), &path(&data));
    // A: a's bel and b's sms are cut by max 1 (a's mail kept). B: bel suppressed, b's sms cut.
    // C: bel suppressed (consent unknown counts as no), mail kept. D: nothing fires.
    let cells = |v: [&str; 5]| v.map(String::from);
    assert!(
        html.contains(&row("a", &cells(["3", "0", "1", "2", "2"]))),
        "{html}"
    );
    assert!(
        html.contains(&row("b", &cells(["2", "0", "2", "0", "1"]))),
        "{html}"
    );
}

/// `--outcomes`: the pilot's results are `playbook measure --playbook`'s, row for row.
#[test]
fn pilot_results_are_those_of_measure() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pb = "playbooks/klantbeleving-pilot.playbook";
    let html_file = dir.path().join("pilot.html");
    let decisions = dir.path().join("beslissingen.ndjson");
    let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_string();
    let (html_path, decisions_path) = (path(&html_file), path(&decisions));
    let common = ["--as-of", AS_OF];
    let metrics = ["--metric", "gekocht", "--metric", "omzet"];
    let outcomes = "tests/data/measure/pilot-uitkomsten.csv";
    let export = "tests/data/measure/pilot-klanten.csv";
    let mut args = vec![
        "report",
        pb,
        export,
        "--outcomes",
        outcomes,
        "-o",
        &html_path,
    ];
    args.extend(common);
    args.extend(metrics);
    let out = playbook(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_file).expect("the report");
    let mut args = vec!["eval", pb, export, "-q", "-o", &decisions_path];
    args.extend(common);
    assert_eq!(playbook(&args).status.code(), Some(0));
    let mut args = vec!["measure", &decisions_path, outcomes, "--playbook", pb];
    args.extend(metrics);
    args.extend(["--format", "markdown"]);
    let measured = playbook(&args);
    let markdown = String::from_utf8(measured.stdout).expect("UTF-8");
    let rows: Vec<Vec<String>> = markdown
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| group") && !l.contains("---"))
        .map(|l| {
            l.trim_matches(|c| c == '|' || c == ' ')
                .split(" | ")
                .map(escape)
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 6, "{markdown}");
    for r in rows {
        let html_row = row(&r[0].replace("&amp;", "&"), &r[1..]);
        assert!(html.contains(&html_row), "the report has no {html_row}");
    }
    assert!(html.contains("1977 customers in both; 23 decided without an outcome row"));
}

/// `--baseline`: what the change does has the numbers of `playbook diff OLD NEW EXPORT`.
#[test]
fn the_baseline_section_has_the_numbers_of_diff() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let new = "playbooks/klantbeleving-pilot.playbook";
    let data = "playbooks/data/klantbeleving-pilot.csv";
    // The change: `gewoonte` needs 4 orders instead of 6.
    let text = std::fs::read_to_string(root().join(new)).expect("the playbook");
    let changed = text.replace("orders_12m >= 4 and", "orders_12m >= 6 and");
    assert_ne!(text, changed);
    let old = dir.path().join("oud.playbook");
    std::fs::write(&old, changed).expect("the old playbook");
    let old = old.to_str().expect("a UTF-8 path");
    let html_file = dir.path().join("b.html");
    let html_path = html_file.to_str().expect("a UTF-8 path");
    let out = playbook(&[
        "report",
        new,
        data,
        "--as-of",
        AS_OF,
        "--baseline",
        old,
        "-o",
        html_path,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_file).expect("the report");
    let diff = playbook(&["diff", old, new, data, "--as-of", AS_OF, "--format", "json"]);
    let d: Value = serde_json::from_slice(&diff.stdout).expect("diff JSON");
    assert!(d["changed"].as_u64() > Some(0), "{d}");
    let summary = format!(
        "<p>{} of {} customers get another decision.</p>",
        n(&d["changed"]),
        n(&d["customers"])
    );
    assert!(html.contains(&summary), "no {summary}");
    let stage = |v: &Value| v.as_str().unwrap_or("(no stage)").to_string();
    let mut expected = Vec::new();
    for j in d["journeys"].as_array().expect("journeys") {
        for t in j["transitions"].as_array().expect("transitions") {
            let name = format!("{} → {}", stage(&t["from"]), stage(&t["to"]));
            expected.push(row(&name, &[n(&t["customers"])]));
        }
    }
    for a in d["actions"].as_array().expect("actions") {
        let name = a["action"].as_str().expect("an action");
        expected.push(row(name, &[n(&a["gained"]), n(&a["lost"])]));
    }
    assert!(expected.len() >= 3, "{d}");
    for e in expected {
        assert!(html.contains(&e), "the report has no {e}");
    }
}
