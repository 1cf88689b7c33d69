//! Diagnostics: the facts of a problem (code, place, message, help), separate
//! from how they are rendered (`crate::render`).

use crate::ast::Span;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Worth knowing, not a mistake: `check` shows it, but it is no warning (`--deny warnings`
    /// passes). `--deny CODE` makes one an error.
    Note,
}

/// Declares the code table once: each code's variant, stable name, severity and summary.
/// `ALL`, `name`, `severity` and `summary` are made from it, so a new code cannot miss one.
macro_rules! codes {
    ($($(#[$doc:meta])* $code:ident = $name:literal, $severity:ident, $summary:literal;)*) => {
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

            /// One sentence saying what the problem is (the first of its section in
            /// docs/language.md, shortened): SARIF's `shortDescription` of the rule.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$code => $summary,)*
                }
            }
        }
    };
    (@severity error) => { Severity::Error };
    (@severity warning) => { Severity::Warning };
    (@severity note) => { Severity::Note };
}

codes! {
    // Reading the file.
    SyntaxError = "syntax-error", error,
        "The text is not a playbook: a word is missing, misspelt or in the wrong place.";
    InvalidUtf8 = "invalid-utf8", error,
        "The file is not UTF-8 text.";
    TooLarge = "too-large", error,
        "The file is larger than 16 MiB, or has more than 25,000 rules.";
    TooDeep = "too-deep", error,
        "Something is nested too deeply.";
    // Names.
    UnknownField = "unknown-field", error,
        "A condition uses a name that is not a field of the `customer` block.";
    UnknownStage = "unknown-stage", error,
        "A name is used as a stage but is not one.";
    UnknownSegment = "unknown-segment", error,
        "A name is used as a segment but is not one.";
    UnknownJourney = "unknown-journey", error,
        "A name is used as a journey but is not one.";
    UnknownAction = "unknown-action", error,
        "An action is not on the `actions` line.";
    UnknownWord = "unknown-word", error,
        "A word is not one of the words of a `one of` field.";
    UnknownFunction = "unknown-function", error,
        "A call uses a function that does not exist.";
    DuplicateField = "duplicate-field", error,
        "The `customer` block declares a field twice.";
    DuplicateName = "duplicate-name", error,
        "A stage, segment or journey name is used twice.";
    DuplicateRule = "duplicate-rule", error,
        "Two rules have the same name.";
    DuplicateKey = "duplicate-key", error,
        "More than one field is marked `key`.";
    DuplicateItem = "duplicate-item", error,
        "Something that may appear only once appears twice.";
    SegmentCycle = "segment-cycle", error,
        "Segments use each other in a circle.";
    JourneyCycle = "journey-cycle", error,
        "A stage refers to its own journey, or journeys refer to each other in a circle.";
    // Types and values.
    TypeMismatch = "type-mismatch", error,
        "Two things of different types are compared, or a value is used where it does not fit.";
    NotACondition = "not-a-condition", error,
        "Something that is not true or false stands where a condition is needed.";
    NotAList = "not-a-list", error,
        "`has` is used on something that is not a `list of text`.";
    NotADate = "not-a-date", error,
        "A date operation is used on something that is not a date.";
    NotANumber = "not-a-number", error,
        "Arithmetic is used on something that is not a number.";
    NotText = "not-text", error,
        "A text operation is used on something that is not text.";
    LiteralComparison = "literal-comparison", error,
        "A comparison has no field on either side, so its answer is the same for every customer.";
    OrderedWords = "ordered-words", error,
        "`<`, `<=`, `>` or `>=` is used on a `one of` field, whose words have no order.";
    InvalidDate = "invalid-date", error,
        "A date in the playbook does not exist in the calendar.";
    /// `01-01-1990` where a number is read: a date the grammar takes for a sum.
    DateAsArithmetic = "date-as-arithmetic", error,
        "A day-month-year date where a value is read: it is read as a calculation.";
    InvalidFormat = "invalid-format", error,
        "A field's `format` is not a date pattern this tool understands.";
    InvalidHoldout = "invalid-holdout", error,
        "A holdout percentage is 0, 100 or more, or has more than two decimals.";
    HoldoutNeedsSalt = "holdout-needs-salt", error,
        "A holdout needs a `salt` to hold the same customers out on every run.";
    InvalidVia = "invalid-via", error,
        "`via` names a field that is not a `one of` field.";
    ReversedBetween = "reversed-between", warning,
        "The bounds of `between` are written the wrong way round.";
    InvalidModifier = "invalid-modifier", error,
        "A field modifier does not fit the field.";
    EmptyJourney = "empty-journey", error,
        "A journey has no stages, or a stage has no `when`.";
    TestValue = "test-value", error,
        "A value in a test's `given` does not fit its field.";
    // Against an export.
    MissingColumn = "missing-column", error,
        "The export lacks a column the playbook needs.";
    /// An optional field's column is absent from a CSV's or a sheet's header, and none is near.
    AbsentColumn = "absent-column", warning,
        "An optional field's column is not in the export: the field is missing for every customer.";
    /// An optional field's column is absent, but one differs from it only by case, invisible
    /// characters or how accents are written.
    NearColumn = "near-column", warning,
        "An optional field's column is absent, but one differs from it only in how it is written.";
    // Lints.
    UnusedSegment = "unused-segment", warning,
        "A segment is not used by any rule, stage, policy line, other segment or test.";
    NeverFires = "never-fires", warning,
        "A rule's conditions contradict each other, so no customer can meet them.";
    UnreachableStage = "unreachable-stage", warning,
        "A stage's condition contradicts the stages before it, so no customer reaches it.";
    DuplicateLogic = "duplicate-logic", warning,
        "Two rules have the same condition and give the same action.";
    MaxZero = "max-zero", warning,
        "The policy allows no action per customer.";
    ThousandsSeparator = "thousands-separator", warning,
        "A number is written with a Dutch thousands separator (`50.000`).";
    OptionalKey = "optional-key", warning,
        "The `key` field is marked optional.";
    GivenColumn = "given-column", warning,
        "A key in a test's `given` is not a field, but is close to the name of one.";
    UnusedAction = "unused-action", warning,
        "A `suppress` line names an action that no rule gives.";
    /// An action on an `actions` line that no rule gives (a note: §1 of the language declares
    /// a vocabulary wider than its rules).
    UnusedDeclaredAction = "unused-declared-action", note,
        "An action on an `actions` line that no rule gives.";
    NotFired = "not-fired", warning,
        "A rule fired for no customer of the export.";
    ConfusableName = "confusable-name", warning,
        "Two words of the playbook look alike but are different characters.";
    BidiCodepoint = "bidi-codepoint", warning,
        "A bidirectional control character is in the playbook.";
    /// A text with a space at an end, compared with cells read trimmed.
    PaddedText = "padded-text", warning,
        "A text with a space at its start or end is compared with cells, which are read without.";
    NullComparison = "null-comparison", warning,
        "A field is compared with the word `null` (or `none`, `leeg`, …) where `is missing` is meant.";
    /// A `# playbook: allow(…)` comment that names no code, or stands before no item.
    UnknownAllow = "unknown-allow", warning,
        "A `# playbook: allow(…)` comment names no code, or stands before no item.";
    // Tests.
    /// A test without `as of` where conditions read dates relative to the evaluation date.
    UndatedTest = "undated-test", warning,
        "A test has no `as of`, while the playbook's conditions depend on the day they run.";
    TestFailed = "test-failed", error,
        "An `expect` line does not hold for the test's customer.";
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
            Code::ThousandsSeparator | Code::NullComparison | Code::GivenColumn | Code::PaddedText
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
