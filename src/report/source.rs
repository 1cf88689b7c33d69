//! Where the report's numbers come from: the runner, run as `eval --coverage` runs it, with
//! the decisions thrown away. This is the one file of `report` that calls into the crate's
//! internals (`runner::run`, `runner::Options`, `runner::Sinks`, `check::Model`'s title and
//! rule priorities): re-point those here when they move.

use super::{ChannelCount, Report};
use crate::check::Model;
use crate::data::error::DataError;
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

/// Runs the playbook over the export and gathers the report's numbers.
pub fn gather(
    model: &Model,
    playbook: &str,
    inputs: Vec<Input>,
    reading: &Reading,
) -> Result<Report, Failure> {
    let options = Options {
        as_of: reading.as_of,
        // The channel totals are read back from the decisions (see `Channels`).
        out_format: crate::data::output::OutFormat::Ndjson,
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
    let mut channels = Channels::default();
    let summary = runner::run(
        model,
        inputs,
        &options,
        Sinks {
            decisions: &mut channels,
            rejects: None,
            on_reject: &mut on_reject,
        },
    )?;
    let channels = channels
        .finish()
        .map_err(|e| Failure::Output(std::io::Error::other(e)))?;
    Ok(Report {
        title: model.title.clone().unwrap_or_else(|| playbook.to_string()),
        playbook: playbook.to_string(),
        summary,
        priorities: model.rules.iter().map(|r| r.priority).collect(),
        channels,
    })
}

/// Counts the actions per channel in the NDJSON decisions as the runner writes them: the
/// summary counts per action only, and the channel is in the decision.
#[derive(Default)]
struct Channels {
    /// The start of a line whose end has not been written yet.
    partial: Vec<u8>,
    /// Per channel (`None`: no channel): actions, of which held out.
    counts: BTreeMap<Option<String>, (u64, u64)>,
}

#[derive(serde::Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    actions: Vec<Given<'a>>,
}

#[derive(serde::Deserialize)]
struct Given<'a> {
    #[serde(borrow)]
    channel: Option<std::borrow::Cow<'a, str>>,
    holdout: bool,
}

impl Channels {
    fn line(&mut self, line: &[u8]) -> std::io::Result<()> {
        if line.is_empty() {
            return Ok(());
        }
        let decision: Line<'_> = serde_json::from_slice(line).map_err(std::io::Error::other)?;
        for a in decision.actions {
            let entry = self
                .counts
                .entry(a.channel.map(|c| c.into_owned()))
                .or_default();
            entry.0 += 1;
            entry.1 += u64::from(a.holdout);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<ChannelCount>, String> {
        let rest = std::mem::take(&mut self.partial);
        self.line(&rest).map_err(|e| e.to_string())?;
        Ok(self
            .counts
            .into_iter()
            .map(|(channel, (actions, held_out))| ChannelCount {
                channel,
                actions,
                held_out,
            })
            .collect())
    }
}

impl Write for Channels {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            if self.partial.is_empty() {
                self.line(&buf[start..end])?;
            } else {
                self.partial.extend_from_slice(&buf[start..end]);
                let line = std::mem::take(&mut self.partial);
                self.line(&line)?;
            }
            start = end + 1;
        }
        self.partial.extend_from_slice(&buf[start..]);
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
        let mut c = Channels::default();
        let text = "{\"customer\":\"A\",\"actions\":[{\"action\":\"x\",\"channel\":\"sms\",\"holdout\":false},{\"action\":\"y\",\"channel\":null,\"holdout\":true}]}\n{\"customer\":\"B\",\"actions\":[{\"action\":\"x\",\"channel\":\"sms\",\"holdout\":true}]}\n";
        let (a, b) = text.as_bytes().split_at(50);
        c.write_all(a).expect("write");
        c.write_all(b).expect("write");
        let counts = c.finish().expect("counts");
        assert_eq!(
            counts,
            vec![
                ChannelCount {
                    channel: None,
                    actions: 1,
                    held_out: 1
                },
                ChannelCount {
                    channel: Some("sms".into()),
                    actions: 2,
                    held_out: 1
                },
            ]
        );
    }
}
