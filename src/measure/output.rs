//! Printing a measurement: a table for terminals, JSON for tools, Markdown for pull requests.

use super::{Comparison, Measurement, Metric};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// The measurement in `format`.
pub fn render(m: &Measurement, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(m).unwrap_or_default() + "\n",
        Format::Table => text(m, false),
        Format::Markdown => text(m, true),
    }
}

/// The columns of a metric's table.
pub const HEADER: [&str; 9] = [
    "group",
    "treated",
    "held out",
    "treated value",
    "held-out value",
    "uplift",
    "95% CI",
    "p",
    "verdict",
];

fn text(m: &Measurement, markdown: bool) -> String {
    let mut out = String::new();
    let join = if markdown { "\n\n" } else { "\n" };
    out.push_str(&format!(
        "decisions: {} ({} customers); outcomes: {} ({} customers){join}",
        m.decisions_file, m.decided, m.outcomes_file, m.with_outcomes
    ));
    out.push_str(&format!(
        "{} customers in both; {} decided without an outcome row (left out); {} with an outcome \
         and no decision{join}",
        m.matched, m.decisions_only, m.outcomes_only
    ));
    if m.groups_from == "flags" {
        out.push_str(&format!(
            "held out: actions flagged `holdout`, by the rule's own holdout or the policy's; \
             give --playbook to tell them apart{join}"
        ));
    }
    for metric in &m.metrics {
        // A blank line before each metric (Markdown: a heading needs one after a table).
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        let title = format!("{} ({})", metric.metric, metric.kind);
        if markdown {
            out.push_str(&format!("## {title}\n\n"));
        } else {
            out.push_str(&format!("{title}\n"));
        }
        let rows: Vec<[String; 9]> = metric.comparisons.iter().map(|c| row(metric, c)).collect();
        out.push_str(&if markdown {
            markdown_table(&rows)
        } else {
            aligned(&rows)
        });
        let missing: u64 = metric
            .comparisons
            .iter()
            .map(|c| c.treated.missing + c.held_out.missing)
            .sum();
        if missing > 0 {
            out.push_str(&format!(
                "{}(+N missing): customers of the group without a value for {}, not counted\n",
                if markdown { "\n" } else { "" },
                metric.metric
            ));
        }
    }
    out
}

/// One comparison as the cells of a table row.
pub fn row(metric: &Metric, c: &Comparison) -> [String; 9] {
    let conversion = metric.kind == "conversion";
    let value = |v: Option<f64>| match v {
        None => "—".to_string(),
        Some(v) if conversion => format!("{:.1}%", v * 100.0),
        Some(v) => format!("{v:.2}"),
    };
    let signed = |v: f64| {
        if conversion {
            format!("{:+.1} pp", v * 100.0)
        } else {
            format!("{v:+.2}")
        }
    };
    let count = |n: u64, missing: u64| {
        if missing > 0 {
            format!("{n} (+{missing} missing)")
        } else {
            n.to_string()
        }
    };
    let e = &c.effect;
    let uplift = match (e.uplift, e.relative_uplift) {
        (Some(u), Some(r)) => format!("{} ({:+.0}%)", signed(u), r * 100.0),
        (Some(u), None) => signed(u),
        _ => "—".to_string(),
    };
    let ci = match (e.ci_low, e.ci_high) {
        (Some(l), Some(h)) => format!("{} … {}", signed(l), signed(h)),
        _ => "—".to_string(),
    };
    let p = e.p_value.map_or("—".to_string(), |p| {
        if p < 0.001 {
            "<0.001".to_string()
        } else {
            format!("{p:.3}")
        }
    });
    let verdict = if e.significant() {
        "significant".to_string()
    } else if let Some(n) = e.needed_per_group {
        format!("not significant: needs {n} per group")
    } else if e.uplift.is_none() || (e.p_value.is_none() && e.uplift != Some(0.0)) {
        "too few customers to tell".to_string()
    } else {
        "no difference".to_string()
    };
    [
        format!("{} {}", c.scope, c.name),
        count(c.treated.customers, c.treated.missing),
        count(c.held_out.customers, c.held_out.missing),
        value(c.treated.value),
        value(c.held_out.value),
        uplift,
        ci,
        p,
        verdict,
    ]
}

fn aligned(rows: &[[String; 9]]) -> String {
    let mut widths = HEADER.map(|h| h.chars().count());
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - cell.chars().count()));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&HEADER.map(String::from));
    out.push_str(&line(&widths.map(|w| "─".repeat(w))));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn markdown_table(rows: &[[String; 9]]) -> String {
    let line = |cells: &[String]| {
        let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        format!("| {} |\n", escaped.join(" | "))
    };
    let mut out = line(&HEADER.map(String::from));
    out.push_str(&format!("|{}\n", " --- |".repeat(HEADER.len())));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}
