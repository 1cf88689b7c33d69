//! The report as one self-contained HTML page: inline CSS and SVG, no script, no request.

use super::svg::{bars, Bar};
use super::Report;
use crate::runner::summary::{Count, Summary};

/// Text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:72em}\
figure{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start;margin:1em 0}\
table{border-collapse:collapse}th,td{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:right}\
th:first-child,td:first-child{text-align:left}.bar{fill:#3a6ea5}svg text{font-size:12px;fill:#222}\
caption{text-align:left;font-weight:bold;padding-bottom:.3em}";

/// The share of `n` in `of`, as a percentage with one decimal.
fn share(n: u64, of: u64) -> String {
    if of == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

/// A table: caption, header and rows of cells (the first cell of a row is its header).
fn table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table><caption>{}</caption><thead><tr>", escape(caption));
    for h in header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", escape(cell)));
            } else {
                out.push_str(&format!("<td>{}</td>", escape(cell)));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn figure(chart: String, numbers: String) -> String {
    format!("<figure>{chart}{numbers}</figure>\n")
}

/// The whole page.
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n\
         <p>Playbook {playbook}, export {files}, as of {as_of}.</p>\n",
        title = escape(&r.title),
        playbook = escape(&r.playbook),
        files = escape(&s.files.join(", ")),
        as_of = escape(&s.as_of),
    );
    out.push_str(&table(
        "Customers",
        &["", "customers"],
        &[
            vec!["read".into(), s.read.to_string()],
            vec!["evaluated".into(), s.evaluated.to_string()],
            vec!["rejected".into(), s.rejected.to_string()],
            vec!["suppressed".into(), s.suppressed.to_string()],
        ],
    ));
    out.push('\n');
    for j in &s.journeys {
        out.push_str(&funnel(&j.journey, &j.stages, j.no_stage, s.evaluated));
    }
    if !s.segments.is_empty() {
        out.push_str("<h2>Segments</h2>\n");
        out.push_str(&counts(
            "Segment sizes",
            "segment",
            &s.segments,
            s.evaluated,
        ));
    }
    out.push_str(&rules(r));
    out.push_str(&actions(s));
    out.push_str(&channels(r));
    out.push_str(&data_quality(s));
    out.push_str(&never_fired(r));
    if let Some((name, d)) = &r.baseline {
        out.push_str(&baseline(name, d));
    }
    if let Some(m) = &r.pilot {
        out.push_str(&pilot(m));
    }
    out.push_str("</body></html>\n");
    out
}

fn counts(title: &str, what: &str, items: &[Count], base: u64) -> String {
    let chart: Vec<Bar<'_>> = items
        .iter()
        .map(|c| Bar {
            label: &c.name,
            value: c.customers,
        })
        .collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.customers.to_string(),
                share(c.customers, base),
            ]
        })
        .collect();
    figure(
        bars(title, &chart),
        table(title, &[what, "customers", "share"], &rows),
    )
}

/// A journey's funnel: per stage the customers in it, their share, how many reached it (it
/// or a later stage) and how many of those went on to the next stage.
fn funnel(journey: &str, stages: &[Count], no_stage: u64, base: u64) -> String {
    let mut chart: Vec<Bar<'_>> = stages
        .iter()
        .map(|c| Bar {
            label: &c.name,
            value: c.customers,
        })
        .collect();
    chart.push(Bar {
        label: "(no stage)",
        value: no_stage,
    });
    let reached = |i: usize| stages[i..].iter().map(|c| c.customers).sum::<u64>();
    let mut rows: Vec<Vec<String>> = stages
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let on = if i + 1 < stages.len() {
                format!("{} ({})", reached(i + 1), share(reached(i + 1), reached(i)))
            } else {
                "—".to_string()
            };
            vec![
                c.name.clone(),
                c.customers.to_string(),
                share(c.customers, base),
                reached(i).to_string(),
                on,
            ]
        })
        .collect();
    rows.push(vec![
        "(no stage)".into(),
        no_stage.to_string(),
        share(no_stage, base),
        "—".into(),
        "—".into(),
    ]);
    let title = format!("Journey {journey}");
    format!(
        "<h2>{}</h2>\n{}",
        escape(&title),
        figure(
            bars(&title, &chart),
            table(
                &title,
                &[
                    "stage",
                    "customers",
                    "share",
                    "reached",
                    "go on to the next stage"
                ],
                &rows
            )
        )
    )
}

fn rules(r: &Report) -> String {
    let s = &r.summary;
    let chart: Vec<Bar<'_>> = s
        .rules
        .iter()
        .map(|x| Bar {
            label: &x.rule,
            value: x.fired,
        })
        .collect();
    let rows: Vec<Vec<String>> = s
        .rules
        .iter()
        .enumerate()
        .map(|(i, x)| {
            vec![
                x.rule.clone(),
                x.fired.to_string(),
                x.held_out.to_string(),
                x.cut_by_max.to_string(),
                x.suppressed.to_string(),
                r.priorities.get(i).map_or(String::new(), |p| p.to_string()),
            ]
        })
        .collect();
    format!(
        "<h2>Rules</h2>\n{}",
        figure(
            bars("Customers per rule", &chart),
            table(
                "Rules",
                &[
                    "rule",
                    "fired",
                    "held out",
                    "cut by max",
                    "an action suppressed",
                    "priority"
                ],
                &rows
            )
        )
    )
}

fn actions(s: &Summary) -> String {
    let chart: Vec<Bar<'_>> = s
        .actions
        .iter()
        .map(|a| Bar {
            label: &a.action,
            value: a.customers,
        })
        .collect();
    let rows: Vec<Vec<String>> = s
        .actions
        .iter()
        .map(|a| {
            vec![
                a.action.clone(),
                a.customers.to_string(),
                a.held_out.to_string(),
            ]
        })
        .collect();
    format!(
        "<h2>Actions</h2>\n{}",
        figure(
            bars("Actions", &chart),
            table("Actions", &["action", "customers", "held out"], &rows)
        )
    )
}

fn channels(r: &Report) -> String {
    let name = |c: &super::ChannelCount| c.channel.clone().unwrap_or_else(|| "(none)".into());
    let names: Vec<String> = r.channels.iter().map(name).collect();
    let chart: Vec<Bar<'_>> = r
        .channels
        .iter()
        .zip(&names)
        .map(|(c, n)| Bar {
            label: n,
            value: c.actions,
        })
        .collect();
    let rows: Vec<Vec<String>> = r
        .channels
        .iter()
        .zip(&names)
        .map(|(c, n)| vec![n.clone(), c.actions.to_string(), c.held_out.to_string()])
        .collect();
    format!(
        "<h2>Channels</h2>\n{}",
        figure(
            bars("Actions per channel", &chart),
            table("Channels", &["channel", "actions", "held out"], &rows)
        )
    )
}

/// What the change from the baseline does, with the numbers of `playbook diff`.
fn baseline(name: &str, d: &crate::diff::DiffReport) -> String {
    let stage = |s: &Option<String>| s.clone().unwrap_or_else(|| "(no stage)".into());
    let mut out = format!(
        "<h2>Against {}</h2>\n<p>{} of {} customers get another decision.</p>\n",
        escape(name),
        d.changed,
        d.customers
    );
    for j in &d.journeys {
        let rows: Vec<Vec<String>> = j
            .transitions
            .iter()
            .map(|t| {
                vec![
                    format!("{} → {}", stage(&t.from), stage(&t.to)),
                    t.customers.to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &format!("Journey {}: customers who move", j.journey),
            &["from → to", "customers"],
            &rows,
        ));
        out.push('\n');
    }
    let rows: Vec<Vec<String>> = d
        .actions
        .iter()
        .map(|a| vec![a.action.clone(), a.gained.to_string(), a.lost.to_string()])
        .collect();
    out.push_str(&table(
        "Actions gained and lost",
        &["action", "gained", "lost"],
        &rows,
    ));
    out.push('\n');
    let rows: Vec<Vec<String>> = d
        .segments
        .iter()
        .map(|g| vec![g.segment.clone(), g.entered.to_string(), g.left.to_string()])
        .collect();
    out.push_str(&table(
        "Segments entered and left",
        &["segment", "entered", "left"],
        &rows,
    ));
    out.push('\n');
    let rows = vec![
        vec![
            "suppressed".to_string(),
            d.suppression.started.to_string(),
            d.suppression.stopped.to_string(),
        ],
        vec![
            "held out".to_string(),
            d.holdout.started.to_string(),
            d.holdout.stopped.to_string(),
        ],
    ];
    out.push_str(&table(
        "Suppression and holdout",
        &["", "started", "stopped"],
        &rows,
    ));
    out.push('\n');
    out
}

/// The pilot's results (`--outcomes`), as `playbook measure` prints them.
fn pilot(m: &crate::measure::Measurement) -> String {
    use crate::measure::output::{row, HEADER};
    let mut out = format!(
        "<h2>Pilot results</h2>\n<p>Outcomes: {} ({} customers); {} customers in both; {} \
         decided without an outcome row (left out); {} with an outcome and no decision.</p>\n",
        escape(&m.outcomes_file),
        m.with_outcomes,
        m.matched,
        m.decisions_only,
        m.outcomes_only
    );
    for metric in &m.metrics {
        let rows: Vec<Vec<String>> = metric
            .comparisons
            .iter()
            .map(|c| row(metric, c).to_vec())
            .collect();
        out.push_str(&table(
            &format!("{} ({})", metric.metric, metric.kind),
            &HEADER,
            &rows,
        ));
        out.push('\n');
    }
    out
}

/// Per field, how many customers had no value for it.
fn data_quality(s: &Summary) -> String {
    let rows: Vec<Vec<String>> = s
        .missing
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.customers.to_string(),
                share(c.customers, s.evaluated),
            ]
        })
        .collect();
    format!(
        "<h2>Data quality</h2>\n{}\n",
        table(
            "Customers without a value, per field",
            &["field", "missing", "share"],
            &rows
        )
    )
}

/// Rules that fired for no one, with how their condition came out (`--coverage`).
fn never_fired(r: &Report) -> String {
    let s = &r.summary;
    let never: Vec<&str> = s
        .rules
        .iter()
        .filter(|r| r.fired == 0)
        .map(|r| r.rule.as_str())
        .collect();
    let mut out = String::from("<h2>Rules that never fired</h2>\n");
    if never.is_empty() {
        out.push_str("<p>Every rule fired for at least one customer.</p>\n");
        return out;
    }
    let rows: Vec<Vec<String>> = s
        .coverage
        .iter()
        .flatten()
        .filter(|c| matches!(c.kind, "rule" | "unless") && never.contains(&c.name.as_str()))
        .map(|c| {
            vec![
                format!(
                    "{} ({})",
                    c.name,
                    if c.kind == "rule" { "when" } else { "unless" }
                ),
                c.true_.to_string(),
                c.false_.to_string(),
                c.unknown.to_string(),
                c.not_evaluated.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        "How their conditions came out",
        &["rule", "true", "false", "unknown", "not evaluated"],
        &rows,
    ));
    out.push('\n');
    let blockers: Vec<Vec<String>> = r
        .blockers
        .iter()
        .map(|b| {
            vec![
                b.rule.clone(),
                b.comparison.clone(),
                b.true_.to_string(),
                b.false_.to_string(),
                b.unknown.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        "The comparison that was false or unknown most often",
        &["rule", "comparison", "true", "false", "unknown"],
        &blockers,
    ));
    out.push('\n');
    out
}
