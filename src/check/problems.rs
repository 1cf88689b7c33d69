//! The checker's name problems as facts — which name, where, what it could have meant — and
//! the one place they are worded ([`Problem::diagnostic`]). The checker decides what is wrong;
//! how that is said to a marketer is written here.

use crate::ast::Span;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::syntax::keywords::written;

/// `help` for an unknown name: the suggestion, or the known names when they are few; each
/// written as the language needs it (`"vaste klanten"` in quotes), so the help can be copied.
pub(super) fn suggestion_help(name: &str, kind: &str, known: &[&str]) -> Option<String> {
    if let Some(s) = did_you_mean(name, known.iter().copied()) {
        return Some(format!("did you mean `{}`?", written(s)));
    }
    match known.len() {
        1..=8 => Some(format!(
            "the known {kind}s are {}",
            known
                .iter()
                .map(|k| format!("`{}`", written(k)))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}

/// What kind of name a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NameKind {
    Stage,
    Segment,
    StageOrSegment,
    Journey,
}

impl NameKind {
    fn word(self) -> &'static str {
        match self {
            NameKind::Stage => "stage",
            NameKind::Segment => "segment",
            NameKind::StageOrSegment => "stage or segment",
            NameKind::Journey => "journey",
        }
    }

    fn code(self) -> Code {
        match self {
            NameKind::Stage => Code::UnknownStage,
            NameKind::Segment | NameKind::StageOrSegment => Code::UnknownSegment,
            NameKind::Journey => Code::UnknownJourney,
        }
    }
}

/// A problem with a name, as the checker found it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Problem {
    /// A name used where none of its kind is declared.
    UnknownName {
        kind: NameKind,
        name: String,
        span: Span,
        /// The declared names of that kind.
        known: Vec<String>,
    },
    /// A field name that is none. `stage_or_segment`: a stage or segment has that name.
    UnknownField {
        name: String,
        span: Span,
        known: Vec<String>,
        stage_or_segment: bool,
    },
    /// A rule gives an action the `actions` line does not declare.
    UndeclaredAction {
        name: String,
        span: Span,
        declared: Vec<String>,
    },
    /// A test expects an action that no rule gives.
    NoRuleGives {
        name: String,
        span: Span,
        given: Vec<String>,
    },
    /// An action listed twice in `actions`.
    ActionTwice { name: String, span: Span },
    /// A stage, segment or journey named as another already is.
    NameTwice {
        name: String,
        span: Span,
        first: Span,
    },
    /// A field declared twice in the `customer` block.
    FieldTwice {
        name: String,
        span: Span,
        first: Span,
    },
}

impl Problem {
    /// The problem, worded.
    pub(super) fn diagnostic(&self) -> Diagnostic {
        match self {
            Problem::UnknownName {
                kind,
                name,
                span,
                known,
            } => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                let kind_word = kind.word();
                let diag = Diagnostic::new(
                    kind.code(),
                    *span,
                    format!("there is no {kind_word} named `{name}`"),
                )
                .label(format!("unknown {kind_word}"));
                match suggestion_help(name, kind_word, &known) {
                    Some(help) => diag.help(help),
                    None => diag,
                }
            }
            Problem::UnknownField {
                name,
                span,
                known,
                stage_or_segment,
            } => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                let diag = Diagnostic::new(
                    Code::UnknownField,
                    *span,
                    format!("there is no field named `{name}`"),
                )
                .label("unknown field");
                // A close field name first, then a stage or segment of that exact name,
                // then the list of fields.
                if let Some(field) = did_you_mean(name, known.iter().copied()) {
                    diag.help(format!("did you mean `{}`?", written(field)))
                } else if *stage_or_segment {
                    diag.help(format!(
                        "`{name}` is a stage or segment: write `customer in {}`",
                        written(name)
                    ))
                } else if let Some(help) = suggestion_help(name, "field", &known) {
                    diag.help(help)
                } else if known.is_empty() {
                    diag.help("declare the field in the `customer { … }` block")
                } else {
                    diag
                }
            }
            Problem::UndeclaredAction {
                name,
                span,
                declared,
            } => {
                let known: Vec<&str> = declared.iter().map(String::as_str).collect();
                let diag = Diagnostic::new(
                    Code::UnknownAction,
                    *span,
                    format!("`{name}` is not one of the declared actions"),
                )
                .label("unknown action");
                match suggestion_help(name, "action", &known) {
                    Some(help) => diag.help(help),
                    None => diag.help(format!("add `{}` to the `actions` line", written(name))),
                }
            }
            Problem::NoRuleGives { name, span, given } => {
                let known: Vec<&str> = given.iter().map(String::as_str).collect();
                let diag = Diagnostic::new(
                    Code::UnknownAction,
                    *span,
                    format!("no rule can give the action `{name}`"),
                )
                .label("unknown action");
                match suggestion_help(name, "action", &known) {
                    Some(help) => diag.help(help),
                    None => diag,
                }
            }
            Problem::ActionTwice { name, span } => Diagnostic::new(
                Code::DuplicateName,
                *span,
                format!("the action `{name}` is declared twice"),
            )
            .help("list each action once"),
            Problem::NameTwice { name, span, first } => Diagnostic::new(
                Code::DuplicateName,
                *span,
                format!("the name `{name}` is already used"),
            )
            .label("second use")
            .also(*first, "first defined here")
            .help("stages, segments and journeys share one set of names: rename one"),
            Problem::FieldTwice { name, span, first } => Diagnostic::new(
                Code::DuplicateField,
                *span,
                format!("the field `{name}` is declared twice"),
            )
            .label("second declaration")
            .also(*first, "first declared here")
            .help("remove one, or rename it"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_is_worded_with_its_kind_and_a_suggestion() {
        let d = Problem::UnknownName {
            kind: NameKind::Stage,
            name: "loyal".into(),
            span: Span::new(3, 8),
            known: vec!["loyaal".into(), "relatie".into()],
        }
        .diagnostic();
        assert_eq!(d.code, Code::UnknownStage);
        assert_eq!(d.message, "there is no stage named `loyal`");
        assert_eq!(d.help.as_deref(), Some("did you mean `loyaal`?"));
        assert_eq!(d.span(), Span::new(3, 8));
    }

    #[test]
    fn a_field_that_is_a_segment_says_customer_in() {
        let d = Problem::UnknownField {
            name: "slapers".into(),
            span: Span::default(),
            known: vec!["orders".into()],
            stage_or_segment: true,
        }
        .diagnostic();
        assert_eq!(
            d.help.as_deref(),
            Some("`slapers` is a stage or segment: write `customer in slapers`")
        );
    }
}
