//! `# playbook: allow(CODE, …)` on the line before an item: the warnings with those codes
//! inside that item are not shown (ruff's `noqa`, Regal's ignore directive). Errors cannot be
//! allowed: a playbook with an error does not run.

use crate::ast::{Playbook, Span};
use crate::diagnostic::{Code, Diagnostic, Severity};

/// The directive's words, after `#`.
const DIRECTIVE: &str = "playbook: allow(";

/// An allow comment: the codes it names and the item it stands before.
struct Allow {
    codes: Vec<Code>,
    item: Span,
}

/// Removes the warnings that an allow comment covers; returns the problems with the comments
/// themselves (an unknown code), as warnings at the comment.
pub fn apply(source: &str, playbook: &Playbook, diagnostics: &mut Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let allows = allows(source, playbook, &mut problems);
    if !allows.is_empty() {
        diagnostics.retain(|d| {
            let at = d.span();
            d.severity == Severity::Error
                || !allows.iter().any(|a| {
                    a.codes.contains(&d.code) && a.item.start <= at.start && at.end <= a.item.end
                })
        });
    }
    diagnostics.extend(problems);
}

fn allows(source: &str, playbook: &Playbook, problems: &mut Vec<Diagnostic>) -> Vec<Allow> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for line in source.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        // A directive stands on a line of its own (a `#` inside a text is no comment).
        let indent = line.len() - line.trim_start().len();
        let hash = indent;
        if !line[indent..].starts_with('#') {
            continue;
        }
        let comment = line[hash + 1..].trim_start();
        let Some(rest) = comment.strip_prefix(DIRECTIVE) else {
            continue;
        };
        let Some(close) = rest.find(')') else {
            continue;
        };
        let at = |text: &str| {
            let from = start + hash + 1 + (comment.len() - comment.trim_start().len());
            let inner = line.find(text).map_or(from, |i| start + i);
            Span::new(inner, inner + text.len())
        };
        let mut codes = Vec::new();
        for word in rest[..close]
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            let name = word.strip_prefix("playbook::").unwrap_or(word);
            match Code::ALL.iter().find(|c| c.name() == name) {
                Some(code) => codes.push(*code),
                None => problems.push(
                    Diagnostic::new(
                        Code::UnknownAllow,
                        at(word),
                        format!("`{word}` is not a diagnostic code"),
                    )
                    .label("no such code")
                    .help("name a code as `check` prints it, e.g. `# playbook: allow(unused-segment)`"),
                ),
            }
        }
        // The item that starts on the next line that is not blank or a comment.
        let after = &source[offset.min(source.len())..];
        let skipped: usize = after
            .split_inclusive('\n')
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .map(str::len)
            .sum();
        let blank = after[skipped.min(after.len())..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .map(char::len_utf8)
            .sum::<usize>();
        let next = offset + skipped + blank;
        match playbook
            .items
            .iter()
            .find(|i| i.span().start as usize == next)
        {
            Some(item) => out.push(Allow {
                codes,
                item: item.span(),
            }),
            None => problems.push(
                Diagnostic::new(
                    Code::UnknownAllow,
                    at(DIRECTIVE.trim_end_matches('(')),
                    "this `allow` comment stands before no item",
                )
                .help(
                    "put it on the line right before the `rule`, `segment`, `journey` … it is for",
                ),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    fn warnings(source: &str) -> Vec<String> {
        let parsed = crate::syntax::parse(source);
        crate::check::check_parsed(&parsed, source)
            .iter()
            .map(|d| d.code.name().to_string())
            .collect()
    }

    const BASE: &str = "customer {\n  id text key\n  orders number\n}\n";

    #[test]
    fn an_allow_comment_hides_that_code_in_the_next_item_only() {
        let plain = format!("{BASE}segment a = orders > 1\nsegment b = orders > 2\n");
        assert_eq!(warnings(&plain), ["unused-segment", "unused-segment"]);
        let allowed = format!(
            "{BASE}# playbook: allow(unused-segment)\nsegment a = orders > 1\nsegment b = orders > 2\n"
        );
        assert_eq!(warnings(&allowed), ["unused-segment"]);
        // Another code named: the warning stays.
        let other = format!("{BASE}# playbook: allow(never-fires)\nsegment a = orders > 1\n");
        assert_eq!(warnings(&other), ["unused-segment"]);
    }

    #[test]
    fn an_unknown_code_or_a_comment_before_nothing_is_said() {
        let unknown = format!("{BASE}# playbook: allow(unused-segmnt)\nsegment a = orders > 1\n");
        assert_eq!(warnings(&unknown), ["unknown-allow", "unused-segment"]);
        let nothing = format!("{BASE}segment a = orders > 1\n# playbook: allow(unused-segment)\n");
        assert_eq!(warnings(&nothing), ["unused-segment", "unknown-allow"]);
    }

    #[test]
    fn only_a_comment_line_is_a_directive_and_an_indented_item_is_found() {
        // The directive's words inside a text are no comment.
        let text = format!(
            "{BASE}segment a = orders > 1\nrule r when \"# playbook: allow(x)\" = \"y\" then z\n"
        );
        assert!(!warnings(&text).contains(&"unknown-allow".to_string()));
        let indented =
            format!("{BASE}  # playbook: allow(unused-segment)\n  segment a = orders > 1\n");
        assert!(warnings(&indented).is_empty(), "{:?}", warnings(&indented));
    }

    #[test]
    fn errors_are_never_allowed() {
        let source = format!("{BASE}# playbook: allow(unknown-field)\nsegment a = x > 1\n");
        assert!(warnings(&source).contains(&"unknown-field".to_string()));
    }
}
