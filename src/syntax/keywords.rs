//! The words of the language in one table: every keyword the grammar spells (its `kw_…`
//! rules), and the reserved ones among them that cannot be plain names. The tests below
//! hold both against `grammar/playbook.pest`, so the grammar and this table cannot drift.

/// Every keyword of the grammar, as its `kw_WORD` rule spells it.
pub const KEYWORDS: &[&str] = &[
    "playbook",
    "customer",
    "journey",
    "stage",
    "segment",
    "actions",
    "action",
    "policy",
    "rule",
    "when",
    "unless",
    "then",
    "priority",
    "holdout",
    "salt",
    "via",
    "test",
    "as",
    "of",
    "given",
    "expect",
    "no",
    "suppressed",
    "null",
    "text",
    "number",
    "bool",
    "date",
    "one",
    "list",
    "key",
    "from",
    "column",
    "format",
    "suppress",
    "max",
    "per",
    "decimal",
    "comma",
    "and",
    "or",
    "not",
    "in",
    "is",
    "reached",
    "missing",
    "present",
    "between",
    "has",
    "contains",
    "starts",
    "ends",
    "with",
    "within",
    "next",
    "more",
    "than",
    "ago",
    "anniversary",
    "days",
    "day",
    "weeks",
    "week",
];

/// Words that cannot be plain names (grammar rule `reserved`); quote them to use one as a name.
pub const RESERVED: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "customer",
    "when",
    "then",
    "unless",
    "rule",
    "priority",
    "holdout",
    "via",
    "between",
    "has",
    "contains",
    "starts",
    "ends",
    "within",
    "more",
    "anniversary",
    "missing",
    "present",
    "true",
    "false",
    "stage",
    "journey",
    "segment",
    "actions",
    "policy",
    "suppress",
    "max",
    "decimal",
    "test",
    "expect",
    "playbook",
    "key",
    "from",
    "format",
];

/// A name as the language needs it written: plain when it can be, else in double quotes
/// (`vip`, `"vaste klanten"`, `"stage"`). Every suggestion that names something writes it so.
pub fn written(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PlaybookParser, Rule};
    use super::*;
    use pest::Parser;

    #[test]
    fn names_are_written_plain_or_quoted() {
        assert_eq!(written("vip"), "vip");
        assert_eq!(written("vaste klanten"), "\"vaste klanten\"");
        assert_eq!(written("vaste-klanten"), "\"vaste-klanten\"");
        assert_eq!(written("stage"), "\"stage\"");
        assert_eq!(written("2e_kans"), "\"2e_kans\"");
    }

    fn grammar() -> &'static str {
        include_str!("../../grammar/playbook.pest")
    }

    /// `kw_WORD = @{ "WORD" ~ !ident_char }`: the rules that spell a keyword.
    fn keyword_rules() -> Vec<(String, String)> {
        grammar()
            .lines()
            .filter_map(|l| {
                let (rule, rest) = l.strip_prefix("kw_")?.split_once(" = @{ \"")?;
                let (word, _) = rest.split_once('"')?;
                Some((rule.to_string(), word.to_string()))
            })
            .collect()
    }

    #[test]
    fn the_table_holds_exactly_the_grammars_keywords() {
        let rules = keyword_rules();
        assert!(
            rules.len() > 40,
            "the grammar's keyword rules were not found"
        );
        for (rule, word) in &rules {
            assert_eq!(rule, word, "the rule kw_{rule} spells `{word}`");
            assert!(
                KEYWORDS.contains(&word.as_str()),
                "`{word}` is missing from KEYWORDS"
            );
        }
        for word in KEYWORDS {
            assert!(
                rules.iter().any(|(_, w)| w == word),
                "`{word}` is in KEYWORDS but the grammar has no kw_{word}"
            );
        }
    }

    /// Every rule of the grammars says what it is: a `///` line right above it (pest carries
    /// it onto the rule's variant).
    #[test]
    fn every_grammar_rule_has_a_doc_line() {
        let files = [
            grammar(),
            include_str!("../../grammar/expr-fast.pest"),
            include_str!("../../grammar/expr-full.pest"),
        ];
        for text in files {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let Some((name, rest)) = line.split_once(" = ") else {
                    continue;
                };
                let is_rule = !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && rest
                        .trim_start_matches(['_', '@', '$', '!'])
                        .starts_with('{');
                if is_rule {
                    assert!(
                        i > 0 && lines[i - 1].starts_with("///"),
                        "the grammar rule `{name}` has no `///` line"
                    );
                }
            }
        }
    }

    /// The grammar's `reserved` rule accepts a word exactly when RESERVED lists it.
    #[test]
    fn the_grammars_reserved_words_are_the_tables() {
        let whole = |w: &str| {
            PlaybookParser::parse(Rule::reserved_word, w)
                .map(|p| p.as_str() == w)
                .unwrap_or(false)
        };
        let candidates = KEYWORDS
            .iter()
            .copied()
            .chain(["true", "false", "x", "customers"]);
        for word in candidates {
            assert_eq!(
                whole(word),
                RESERVED.contains(&word),
                "`{word}`: the grammar's `reserved` and RESERVED disagree"
            );
        }
        for word in RESERVED {
            assert!(
                whole(word),
                "RESERVED lists `{word}`, which the grammar does not reserve"
            );
        }
    }
}
