//! Where the report's numbers come from: the runner, run as `eval --coverage` runs it, its
//! decisions read back for the channels (and, with `--outcomes`, the pilot's groups). This is
//! the one file of `report` that calls into the crate's internals (`runner::run`,
//! `runner::Options`, `runner::Sinks`, `check::Model`'s title and rule priorities, the NDJSON
//! layout of `data::output`, and `measure`'s reader and groups): re-point those here when they
//! move.

use super::{BlockerRow, ChannelCount, PilotOutcomes, Report};
use crate::check::Model;
use crate::data::error::DataError;
use crate::measure::{self, read::Decision, MeasureError};
use crate::runner::{self, Failure, Input, OnError, Options, Sinks};
use std::collections::BTreeMap;
use std::io::Write;

/// How to read the export, as `eval`'s flags say.
pub struct Reading {
    pub as_of: i32,
    pub threads: usize,
    pub decimal_comma: bool,
    pub delimiter: Option<u8>,
    pub max_cell_lines: u64,
}

/// Why the report could not be made.
pub enum GatherError {
    Run(Failure),
    /// The baseline playbook's run failed.
    Baseline(Failure),
    Outcomes(MeasureError),
    /// A temporary file for the comparison with the baseline.
    Temp(String),
}

/// The playbook before a change (`--baseline`), run over the same export.
pub struct Baseline<'a> {
    pub model: &'a Model,
    pub name: String,
    pub inputs: Vec<Input>,
}

/// Runs the playbook over the export and gathers the report's numbers.
pub fn gather(
    model: &Model,
    playbook: &str,
    source: &str,
    inputs: Vec<Input>,
    reading: &Reading,
    outcomes: Option<&PilotOutcomes<'_>>,
    baseline: Option<Baseline<'_>>,
) -> Result<Report, GatherError> {
    let options = Options {
        as_of: reading.as_of,
        // The channel totals are read back from the decisions (see `Channels`).
        out_format: crate::runner::output::OutFormat::Ndjson,
        threads: reading.threads.max(1),
        on_error: OnError::Stop,
        decimal_comma: reading.decimal_comma,
        delimiter: reading.delimiter,
        max_cell_lines: reading.max_cell_lines,
        coverage: true,
        ..Options::default()
    };
    // A bad row stops the run (`--on-error stop`): nothing is rejected on the way.
    let mut on_reject = |_: &DataError| {};
    let mut channels = Channels::new();
    // Only a pilot needs every customer's actions kept (they take memory).
    channels.decisions = outcomes.map(|_| Vec::new());
    let temp = |e: std::io::Error| GatherError::Temp(e.to_string());
    // The comparison with a baseline reads both runs' decisions back, line by line.
    if baseline.is_some() {
        channels.tee = Some(std::io::BufWriter::new(tempfile::tempfile().map_err(temp)?));
    }
    let summary = runner::run(
        model,
        inputs,
        &options,
        Sinks {
            decisions: &mut channels,
            rejects: None,
            on_reject: &mut on_reject,
        },
    )
    .map_err(GatherError::Run)?;
    let new_run = channels.tee.take();
    let (channels, decided) = channels
        .finish()
        .map_err(|e| GatherError::Run(Failure::Output(std::io::Error::other(e))))?;
    let pilot = match (outcomes, decided) {
        (Some(o), Some(decisions)) => {
            Some(pilot(model, o, &decisions).map_err(GatherError::Outcomes)?)
        }
        _ => None,
    };
    let blockers = summary
        .blockers
        .iter()
        .map(|b| BlockerRow {
            rule: b.rule.clone(),
            comparison: source
                .get(b.span.start as usize..b.span.end as usize)
                .unwrap_or("?")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            true_: b.true_,
            false_: b.false_,
            unknown: b.unknown,
        })
        .collect();
    let baseline = match (baseline, new_run) {
        (Some(b), Some(new_run)) => {
            let name = b.name.clone();
            Some((name, compare(b, new_run, reading)?))
        }
        _ => None,
    };
    Ok(Report {
        baseline,
        blockers,
        title: model.title.clone().unwrap_or_else(|| playbook.to_string()),
        playbook: playbook.to_string(),
        summary,
        priorities: model.rules.iter().map(|r| r.priority).collect(),
        channels,
        pilot,
    })
}

/// Runs the baseline over the export and compares its decisions with this run's, customer by
/// customer, as `playbook diff` does.
fn compare(
    b: Baseline<'_>,
    new_run: std::io::BufWriter<std::fs::File>,
    reading: &Reading,
) -> Result<crate::diff::DiffReport, GatherError> {
    use std::io::{BufRead, Seek};
    let temp = |e: std::io::Error| GatherError::Temp(e.to_string());
    let mut old_run = std::io::BufWriter::new(tempfile::tempfile().map_err(temp)?);
    let mut on_reject = |_: &DataError| {};
    let plain = Options {
        as_of: reading.as_of,
        threads: reading.threads.max(1),
        on_error: OnError::Stop,
        out_format: crate::runner::output::OutFormat::Ndjson,
        decimal_comma: reading.decimal_comma,
        delimiter: reading.delimiter,
        max_cell_lines: reading.max_cell_lines,
        ..Options::default()
    };
    runner::run(
        b.model,
        b.inputs,
        &plain,
        Sinks {
            decisions: &mut old_run,
            rejects: None,
            on_reject: &mut on_reject,
        },
    )
    .map_err(GatherError::Baseline)?;
    let reopen = |w: std::io::BufWriter<std::fs::File>| -> std::io::Result<std::io::BufReader<std::fs::File>> {
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        f.rewind()?;
        Ok(std::io::BufReader::new(f))
    };
    let (old, new) = (
        reopen(old_run).map_err(temp)?,
        reopen(new_run).map_err(temp)?,
    );
    let mut differ = crate::diff::Differ::default();
    for (a, b) in old.lines().zip(new.lines()) {
        let (a, b) = (a.map_err(temp)?, b.map_err(temp)?);
        differ.add(&a, &b).map_err(GatherError::Temp)?;
    }
    Ok(differ.finish())
}

/// The pilot's results: the run's decisions joined to the outcomes, as `measure` does.
fn pilot(
    model: &Model,
    o: &PilotOutcomes<'_>,
    decisions: &[Decision],
) -> Result<measure::Measurement, MeasureError> {
    let outcomes = measure::read::outcomes(o.file, o.bytes, o.id, o.metrics, o.decimal_comma)?;
    let plan = measure::Plan::of(model);
    Ok(measure::measure(
        "(this run)",
        decisions,
        o.file,
        &outcomes,
        o.metrics,
        Some(&plan),
    ))
}

/// Counts the actions per channel in the NDJSON decisions as the runner writes them: the
/// summary counts per action only, and the channel is in the decision.
///
/// Parsing every decision as JSON doubled the time of a run; this scans for the two keys the
/// writer (`data::output`) puts after each action's channel instead. The key `"channel":`
/// cannot occur inside a JSON string (its quotes would be escaped there).
struct Channels {
    /// The start of a line whose end has not been written yet.
    partial: Vec<u8>,
    /// Built once: building a searcher per line cost more than the search.
    finder: memchr::memmem::Finder<'static>,
    /// Per channel as written (a JSON string or `null`): actions, of which held out.
    counts: std::collections::HashMap<Vec<u8>, (u64, u64)>,
    /// With a pilot: every decision, in order.
    decisions: Option<Vec<Decision>>,
    /// With a baseline: every byte written, for the comparison.
    tee: Option<std::io::BufWriter<std::fs::File>>,
}

const CHANNEL: &[u8] = b",\"channel\":";
const HOLDOUT: &[u8] = b",\"holdout\":";

impl Channels {
    fn new() -> Channels {
        Channels {
            partial: Vec::new(),
            finder: memchr::memmem::Finder::new(CHANNEL),
            counts: Default::default(),
            decisions: None,
            tee: None,
        }
    }

    /// Keeps each decision of `lines` (whole NDJSON lines) for the pilot.
    fn keep(&mut self, lines: &[u8]) -> std::io::Result<()> {
        let Some(kept) = &mut self.decisions else {
            return Ok(());
        };
        for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let text = std::str::from_utf8(line).map_err(std::io::Error::other)?;
            let line_no = kept.len() as u64 + 1;
            let d = measure::read::from_json("(this run)", line_no, text)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            kept.push(d);
        }
        Ok(())
    }

    /// Counts the actions of whole lines.
    fn lines(&mut self, lines: &[u8]) -> std::io::Result<()> {
        self.keep(lines)?;
        let broken = || std::io::Error::other("a decision the report cannot read");
        let mut rest = lines;
        while let Some(at) = self.finder.find(rest) {
            let value = &rest[at + CHANNEL.len()..];
            let len = if value.starts_with(b"null") {
                4
            } else {
                json_string_len(value).ok_or_else(broken)?
            };
            let after = value[len..].strip_prefix(HOLDOUT).ok_or_else(broken)?;
            let held = after.starts_with(b"true");
            match self.counts.get_mut(&value[..len]) {
                Some(c) => *c = (c.0 + 1, c.1 + u64::from(held)),
                None => {
                    self.counts
                        .insert(value[..len].to_vec(), (1, u64::from(held)));
                }
            }
            rest = &value[len..];
        }
        Ok(())
    }

    /// The channel totals, and the decisions when kept.
    #[allow(clippy::type_complexity)]
    fn finish(mut self) -> Result<(Vec<ChannelCount>, Option<Vec<Decision>>), String> {
        let rest = std::mem::take(&mut self.partial);
        self.lines(&rest).map_err(|e| e.to_string())?;
        let mut counts: BTreeMap<Option<String>, (u64, u64)> = BTreeMap::new();
        for (raw, (actions, held_out)) in self.counts {
            let channel: Option<String> = serde_json::from_slice(&raw)
                .map_err(|e| format!("a channel in a decision: {e}"))?;
            let c = counts.entry(channel).or_default();
            *c = (c.0 + actions, c.1 + held_out);
        }
        let channels = counts
            .into_iter()
            .map(|(channel, (actions, held_out))| ChannelCount {
                channel,
                actions,
                held_out,
            })
            .collect();
        Ok((channels, self.decisions))
    }
}

/// The length of the JSON string at the start of `b`, quotes included.
fn json_string_len(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

impl Write for Channels {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(tee) = &mut self.tee {
            tee.write_all(buf)?;
        }
        // Whole lines are scanned; the start of an unfinished one waits for its end.
        match memchr::memrchr(b'\n', buf) {
            Some(last) if self.partial.is_empty() => self.lines(&buf[..=last])?,
            Some(last) => {
                let mut lines = std::mem::take(&mut self.partial);
                lines.extend_from_slice(&buf[..=last]);
                self.lines(&lines)?;
            }
            None => {
                self.partial.extend_from_slice(buf);
                return Ok(buf.len());
            }
        }
        if let Some(last) = memchr::memrchr(b'\n', buf) {
            self.partial.extend_from_slice(&buf[last + 1..]);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_counted_across_writes() {
        let mut c = Channels::new();
        // An argument that looks like a channel is inside a string: its quotes are escaped.
        let text = "{\"customer\":\"A\",\"actions\":[{\"action\":\"x\",\"argument\":\"\\\",\\\"channel\\\":\\\"sms\",\"channel\":\"s\\\"ms\",\"holdout\":false},{\"action\":\"y\",\"channel\":null,\"holdout\":true}]}\n{\"customer\":\"B\",\"actions\":[{\"action\":\"x\",\"channel\":\"s\\\"ms\",\"holdout\":true}]}\n";
        let (a, b) = text.as_bytes().split_at(50);
        c.write_all(a).expect("write");
        c.write_all(b).expect("write");
        let (counts, _) = c.finish().expect("counts");
        assert_eq!(
            counts,
            vec![
                ChannelCount {
                    channel: None,
                    actions: 1,
                    held_out: 1
                },
                ChannelCount {
                    channel: Some("s\"ms".into()),
                    actions: 2,
                    held_out: 1
                },
            ]
        );
    }
}
