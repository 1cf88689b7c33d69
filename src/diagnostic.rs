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

/// Declares the code table once: each code's variant, stable name and severity. `ALL`,
/// `name` and `severity` are made from it, so a new code cannot miss one of them.
macro_rules! codes {
    ($($(#[$doc:meta])* $code:ident = $name:literal, $severity:ident;)*) => {
        /// Every kind of problem has a stable code; `docs/language.md` has an entry for each
        /// (`tests/architecture.rs` holds the two together).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $code,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The stable name after `playbook::`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$code => $name,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$code => codes!(@severity $severity),)*
                }
            }
        }
    };
    (@severity error) => { Severity::Error };
    (@severity warning) => { Severity::Warning };
}

codes! {
    // Reading the file.
    SyntaxError = "syntax-error", error;
    InvalidUtf8 = "invalid-utf8", error;
    TooLarge = "too-large", error;
    TooDeep = "too-deep", error;
    // Names.
    UnknownField = "unknown-field", error;
    UnknownStage = "unknown-stage", error;
    UnknownSegment = "unknown-segment", error;
    UnknownJourney = "unknown-journey", error;
    UnknownAction = "unknown-action", error;
    UnknownWord = "unknown-word", error;
    UnknownFunction = "unknown-function", error;
    DuplicateField = "duplicate-field", error;
    DuplicateName = "duplicate-name", error;
    DuplicateRule = "duplicate-rule", error;
    DuplicateKey = "duplicate-key", error;
    DuplicateItem = "duplicate-item", error;
    SegmentCycle = "segment-cycle", error;
    JourneyCycle = "journey-cycle", error;
    // Types and values.
    TypeMismatch = "type-mismatch", error;
    NotACondition = "not-a-condition", error;
    NotAList = "not-a-list", error;
    NotADate = "not-a-date", error;
    NotANumber = "not-a-number", error;
    NotText = "not-text", error;
    LiteralComparison = "literal-comparison", error;
    OrderedWords = "ordered-words", error;
    InvalidDate = "invalid-date", error;
    InvalidFormat = "invalid-format", error;
    InvalidHoldout = "invalid-holdout", error;
    HoldoutNeedsSalt = "holdout-needs-salt", error;
    InvalidVia = "invalid-via", error;
    ReversedBetween = "reversed-between", warning;
    InvalidModifier = "invalid-modifier", error;
    EmptyJourney = "empty-journey", error;
    TestValue = "test-value", error;
    // Against an export.
    MissingColumn = "missing-column", error;
    /// An optional field's column is absent, but one differs from it only by case, invisible
    /// characters or how accents are written.
    NearColumn = "near-column", warning;
    // Lints.
    UnusedSegment = "unused-segment", warning;
    NeverFires = "never-fires", warning;
    UnreachableStage = "unreachable-stage", warning;
    DuplicateLogic = "duplicate-logic", warning;
    MaxZero = "max-zero", warning;
    ThousandsSeparator = "thousands-separator", warning;
    OptionalKey = "optional-key", warning;
    GivenColumn = "given-column", warning;
    UnusedAction = "unused-action", warning;
    NotFired = "not-fired", warning;
    ConfusableName = "confusable-name", warning;
    BidiCodepoint = "bidi-codepoint", warning;
    NullComparison = "null-comparison", warning;
    /// A `# playbook: allow(…)` comment that names no code, or stands before no item.
    UnknownAllow = "unknown-allow", warning;
    // Tests.
    TestFailed = "test-failed", error;
}

impl Code {
    /// The anchor of the code's section in docs/language.md (`### playbook::NAME`).
    pub fn docs_anchor(self) -> String {
        format!("playbook{}", self.name())
    }

    /// Where the code is explained, relative to the repository's root:
    /// `docs/language.md#playbookunused-segment` (the `docs` key of `--diagnostics json`).
    pub fn docs_link(self) -> String {
        format!("docs/language.md#{}", self.docs_anchor())
    }

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

/// What kind of problem a diagnostic reports, where a later step acts on it (merging,
/// replacing or dropping diagnostics): decided by this, never by the message's words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fact {
    #[default]
    Plain,
    /// A reserved word used as a plain name (the fast parser lets it through).
    ReservedAsName,
    /// A Dutch keyword where an English one belongs (`en`, `wanneer`).
    DutchKeyword,
    /// A name with a `-`, reported where it is declared.
    DashedName,
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
    /// What kind of problem this is, for the steps that act on it.
    pub fact: Fact,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: vec![Label { span, text: None }],
            help: None,
            fact: Fact::Plain,
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

    /// Tags what kind of problem this is (see [`Fact`]).
    pub fn fact(mut self, fact: Fact) -> Diagnostic {
        self.fact = fact;
        self
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
