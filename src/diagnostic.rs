//! Diagnostics: the facts of a problem (code, place, message, help), separate
//! from how they are rendered (`crate::render`).

use crate::ast::Span;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Every kind of problem has a stable code; `docs/language.md` has an entry for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    // Reading the file.
    SyntaxError,
    InvalidUtf8,
    TooLarge,
    TooDeep,
    // Names.
    UnknownField,
    UnknownStage,
    UnknownSegment,
    UnknownJourney,
    UnknownAction,
    UnknownWord,
    UnknownFunction,
    DuplicateField,
    DuplicateName,
    DuplicateRule,
    DuplicateKey,
    DuplicateItem,
    SegmentCycle,
    JourneyCycle,
    // Types and values.
    TypeMismatch,
    NotACondition,
    NotAList,
    NotADate,
    NotANumber,
    NotText,
    LiteralComparison,
    OrderedWords,
    InvalidDate,
    InvalidFormat,
    InvalidHoldout,
    HoldoutNeedsSalt,
    InvalidVia,
    ReversedBetween,
    InvalidModifier,
    EmptyJourney,
    TestValue,
    // Against an export.
    MissingColumn,
    /// An optional field's column is absent, but one differs from it only by case, invisible
    /// characters or how accents are written.
    NearColumn,
    // Lints.
    UnusedSegment,
    NeverFires,
    UnreachableStage,
    DuplicateLogic,
    MaxZero,
    ThousandsSeparator,
    OptionalKey,
    GivenColumn,
    UnusedAction,
    NotFired,
    ConfusableName,
    BidiCodepoint,
    NullComparison,
    // Tests.
    TestFailed,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::SyntaxError,
        Code::InvalidUtf8,
        Code::TooLarge,
        Code::TooDeep,
        Code::UnknownField,
        Code::UnknownStage,
        Code::UnknownSegment,
        Code::UnknownJourney,
        Code::UnknownAction,
        Code::UnknownWord,
        Code::UnknownFunction,
        Code::DuplicateField,
        Code::DuplicateName,
        Code::DuplicateRule,
        Code::DuplicateKey,
        Code::DuplicateItem,
        Code::SegmentCycle,
        Code::JourneyCycle,
        Code::TypeMismatch,
        Code::NotACondition,
        Code::NotAList,
        Code::NotADate,
        Code::NotANumber,
        Code::NotText,
        Code::LiteralComparison,
        Code::OrderedWords,
        Code::InvalidDate,
        Code::InvalidFormat,
        Code::InvalidHoldout,
        Code::HoldoutNeedsSalt,
        Code::InvalidVia,
        Code::ReversedBetween,
        Code::InvalidModifier,
        Code::EmptyJourney,
        Code::TestValue,
        Code::MissingColumn,
        Code::NearColumn,
        Code::UnusedSegment,
        Code::NeverFires,
        Code::UnreachableStage,
        Code::DuplicateLogic,
        Code::MaxZero,
        Code::ThousandsSeparator,
        Code::OptionalKey,
        Code::GivenColumn,
        Code::UnusedAction,
        Code::NotFired,
        Code::ConfusableName,
        Code::BidiCodepoint,
        Code::NullComparison,
        Code::TestFailed,
    ];

    /// The stable name after `playbook::`.
    pub fn name(self) -> &'static str {
        match self {
            Code::SyntaxError => "syntax-error",
            Code::InvalidUtf8 => "invalid-utf8",
            Code::TooLarge => "too-large",
            Code::TooDeep => "too-deep",
            Code::UnknownField => "unknown-field",
            Code::UnknownStage => "unknown-stage",
            Code::UnknownSegment => "unknown-segment",
            Code::UnknownJourney => "unknown-journey",
            Code::UnknownAction => "unknown-action",
            Code::UnknownWord => "unknown-word",
            Code::UnknownFunction => "unknown-function",
            Code::DuplicateField => "duplicate-field",
            Code::DuplicateName => "duplicate-name",
            Code::DuplicateRule => "duplicate-rule",
            Code::DuplicateKey => "duplicate-key",
            Code::DuplicateItem => "duplicate-item",
            Code::SegmentCycle => "segment-cycle",
            Code::JourneyCycle => "journey-cycle",
            Code::TypeMismatch => "type-mismatch",
            Code::NotACondition => "not-a-condition",
            Code::NotAList => "not-a-list",
            Code::NotADate => "not-a-date",
            Code::NotANumber => "not-a-number",
            Code::NotText => "not-text",
            Code::LiteralComparison => "literal-comparison",
            Code::OrderedWords => "ordered-words",
            Code::InvalidDate => "invalid-date",
            Code::InvalidFormat => "invalid-format",
            Code::InvalidHoldout => "invalid-holdout",
            Code::HoldoutNeedsSalt => "holdout-needs-salt",
            Code::InvalidVia => "invalid-via",
            Code::ReversedBetween => "reversed-between",
            Code::InvalidModifier => "invalid-modifier",
            Code::EmptyJourney => "empty-journey",
            Code::TestValue => "test-value",
            Code::MissingColumn => "missing-column",
            Code::NearColumn => "near-column",
            Code::UnusedSegment => "unused-segment",
            Code::NeverFires => "never-fires",
            Code::UnreachableStage => "unreachable-stage",
            Code::DuplicateLogic => "duplicate-logic",
            Code::MaxZero => "max-zero",
            Code::ThousandsSeparator => "thousands-separator",
            Code::OptionalKey => "optional-key",
            Code::GivenColumn => "given-column",
            Code::UnusedAction => "unused-action",
            Code::NotFired => "not-fired",
            Code::ConfusableName => "confusable-name",
            Code::BidiCodepoint => "bidi-codepoint",
            Code::NullComparison => "null-comparison",
            Code::TestFailed => "test-failed",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::ReversedBetween
            | Code::UnusedSegment
            | Code::NeverFires
            | Code::UnreachableStage
            | Code::DuplicateLogic
            | Code::MaxZero
            | Code::ThousandsSeparator
            | Code::OptionalKey
            | Code::GivenColumn
            | Code::UnusedAction
            | Code::NotFired
            | Code::ConfusableName
            | Code::BidiCodepoint
            | Code::NullComparison
            | Code::NearColumn => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl Code {
    /// A warning that every command shows, not only `check`: one that means the playbook may
    /// decide something other than its author meant (language.md §11, `50.000`).
    pub fn shown_by_every_command(self) -> bool {
        // `given-column`: a misspelt `given` key leaves the test's customer without the value
        // its author gave, so `test` must say so (it passes or fails for the wrong reason).
        matches!(
            self,
            Code::ThousandsSeparator | Code::NullComparison | Code::GivenColumn
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "playbook::{}", self.name())
    }
}

/// A labelled place in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// One problem found in a playbook.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary place.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: vec![Label { span, text: None }],
            help: None,
        }
    }

    /// The text under the primary place.
    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        if let Some(first) = self.labels.first_mut() {
            first.text = Some(text.into());
        }
        self
    }

    /// A second place, e.g. where a duplicate name was first defined.
    pub fn also(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    /// What commands other than `check` show: errors, and the warnings every command shows.
    pub fn shown_outside_check(&self) -> bool {
        self.is_error() || self.code.shown_by_every_command()
    }

    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    pub fn span(&self) -> Span {
        self.labels.first().map(|l| l.span).unwrap_or_default()
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `did you mean`: an exact case-insensitive match first, then the closest name
/// within an edit distance of max(len/3, 1). Never something far-fetched.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    let limit = (name.chars().count() / 3).max(1);
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let cand_lower = candidate.to_lowercase();
        if cand_lower == lower {
            return Some(candidate);
        }
        // Optimal string alignment: a swapped pair of letters (`ctiy`) is one edit.
        let distance = strsim::osa_distance(&lower, &cand_lower);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `help` text for an unknown name: the suggestion, or the list of known names when short.
pub fn suggestion_help(name: &str, kind: &str, known: &[&str]) -> Option<String> {
    if let Some(s) = did_you_mean(name, known.iter().copied()) {
        return Some(format!("did you mean `{s}`?"));
    }
    match known.len() {
        0 => None,
        1..=8 => Some(format!(
            "the known {kind}s are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_prefers_case_then_distance() {
        let known = ["orders", "Orders2", "nps"];
        assert_eq!(did_you_mean("ORDERS", known), Some("orders"));
        assert_eq!(did_you_mean("ordrs", known), Some("orders"));
        assert_eq!(did_you_mean("np", known), Some("nps"));
        assert_eq!(did_you_mean("lifetime", known), None);
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
