//! `playbook report`: one self-contained HTML page of what a playbook does to an export.
//! The numbers are the runner's summary and coverage, the same as `eval --summary --coverage`.

pub mod html;
pub mod source;
pub mod svg;

use crate::runner::summary::Summary;

/// What the page shows.
#[derive(Debug)]
pub struct Report {
    pub title: String,
    /// The playbook's file.
    pub playbook: String,
    pub summary: Summary,
    /// Per rule, in the summary's order.
    pub priorities: Vec<f64>,
    /// Actions per channel, from the decisions.
    pub channels: Vec<ChannelCount>,
    /// Per rule that never fired: the comparison false or unknown most often.
    pub blockers: Vec<BlockerRow>,
    /// With `--baseline`: the old playbook's name and what the change does (`playbook diff`).
    pub baseline: Option<(String, crate::diff::DiffReport)>,
    /// With `--outcomes`: the pilot's results, as `playbook measure --playbook` gives them.
    pub pilot: Option<crate::measure::Measurement>,
}

/// The outcomes export for the pilot-results section.
pub struct PilotOutcomes<'a> {
    pub file: &'a str,
    pub bytes: &'a [u8],
    pub id: Option<&'a str>,
    pub metrics: &'a [String],
    pub decimal_comma: bool,
}

/// A never-fired rule's comparison that was false or unknown most often.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockerRow {
    pub rule: String,
    /// The comparison as written in the playbook.
    pub comparison: String,
    pub true_: u64,
    pub false_: u64,
    pub unknown: u64,
}

/// The actions sent through one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelCount {
    /// `None`: actions without a channel.
    pub channel: Option<String>,
    pub actions: u64,
    pub held_out: u64,
}
