//! `playbook fmt`: the formatted form of every example, and the promises of the formatter
//! on every playbook in the repository and on generated ones: formatting twice changes
//! nothing more, the file parses to the same tree, and every comment survives in order.
//! Then the command line: `--check` and its diff, rewriting in place, standard input.

use playbook::fmt::{comment_texts, format};
use playbook::syntax::parse;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Formats `source` and holds the formatter to its promises; returns the formatted text.
fn assert_formats_well(source: &str, what: &str) -> String {
    let formatted = format(source).unwrap_or_else(|d| panic!("{what}: refused: {d:?}"));
    let reparsed = parse(&formatted);
    assert!(
        reparsed.diagnostics.is_empty(),
        "{what}: the formatted text does not parse: {:?}\n{formatted}",
        reparsed.diagnostics
    );
    assert_eq!(
        parse(source).playbook,
        reparsed.playbook,
        "{what}: formatting changed the meaning\n--- source\n{source}\n--- formatted\n{formatted}"
    );
    let again =
        format(&formatted).unwrap_or_else(|d| panic!("{what}: refused the second time: {d:?}"));
    assert!(
        again == formatted,
        "{what}: formatting is not idempotent\n--- source\n{source}\n--- once\n{formatted}\n--- twice\n{again}"
    );
    assert_eq!(
        comment_texts(source),
        comment_texts(&formatted),
        "{what}: comments were lost or reordered\n--- source\n{source}\n--- formatted\n{formatted}"
    );
    formatted
}

// ───────────────────────────── examples and the repository ─────────────────────────────

#[test]
fn formatted_examples() {
    insta::glob!("../playbooks", "*.playbook", |path| {
        let source = std::fs::read_to_string(path).expect("an example is UTF-8");
        let formatted = assert_formats_well(&source, &path.display().to_string());
        insta::assert_snapshot!(formatted);
    });
}

/// Every `*.playbook` below a folder (not in `target` or hidden folders).
fn playbooks_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                playbooks_below(&path, out);
            }
        } else if name.ends_with(".playbook") {
            out.push(path);
        }
    }
}

#[test]
fn every_playbook_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    playbooks_below(root, &mut paths);
    paths.sort();
    let mut formatted = 0;
    for path in &paths {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        if !parse(&source).diagnostics.is_empty() {
            assert!(
                format(&source).is_err(),
                "{}: formatted despite errors",
                path.display()
            );
            continue;
        }
        assert_formats_well(&source, &path.display().to_string());
        formatted += 1;
    }
    assert!(
        formatted >= 50,
        "too few playbooks found: {formatted} of {}",
        paths.len()
    );
}

#[test]
fn the_language_page_example() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md");
    let Ok(page) = std::fs::read_to_string(page) else {
        return;
    };
    let mut blocks = 0;
    for block in page.split("```").skip(1).step_by(2) {
        let code = block.strip_prefix("playbook").unwrap_or(block);
        if code.contains("customer {") && parse(code).diagnostics.is_empty() {
            assert_formats_well(code, "docs/language.md");
            blocks += 1;
        }
    }
    assert!(blocks > 0, "no complete playbook in docs/language.md");
}

// ───────────────────────────── small cases ─────────────────────────────

#[test]
fn a_messy_file_gets_the_canonical_layout() {
    let source = "\
# header

playbook   \"Demo\"
customer{id text key   lifetime_value number # euros
  nps number ? }
journey fase { stage a when nps>=1 stage bb when nps >= 8 and lifetime_value>500 }
segment x=nps==9 and customer reached bb
segment yy = (nps<>3)
actions a,b
policy { suppress when nps is not missing max 1 actions per customer }
when x then a
when customer in x unless nps is missing then b priority 2 # why
rule \"named\" when nps >= 2 then a holdout 10% salt \"s\" priority -1
test \"t\" as of 2026-01-02 { given { nps: 9, tags: [\"a\",\"b\",], } expect action a expect no actions }
";
    let formatted = assert_formats_well(source, "messy");
    assert_eq!(
        formatted,
        "\
# header

playbook \"Demo\"

customer {
  id              text key
  lifetime_value  number  # euros
  nps             number?
}

journey fase {
  stage a   when nps >= 1
  stage bb  when nps >= 8 and lifetime_value > 500
}

segment x  = nps = 9 and customer reached bb
segment yy = (nps != 3)
actions a, b

policy {
  suppress when nps is present
  max 1 action per customer
}

when x then a

when customer in x
  unless nps is missing
  then b
  priority 2  # why

rule \"named\"
  when nps >= 2
  then a
  priority -1
  holdout 10% salt \"s\"

test \"t\" as of 2026-01-02 {
  given { nps: 9, tags: [\"a\", \"b\"] }
  expect action a
  expect no actions
}
"
    );
}

#[test]
fn spellings_the_tree_does_not_keep_are_kept() {
    let source = "\
segment s = complaint resolved and complaint is resolved and last within 2 weeks and d within next 1 week
when anniversary of birthday within next 14 days then gift
test \"empty\" { given {} expect no actions }
";
    let formatted = assert_formats_well(source, "spellings");
    assert!(
        formatted.contains("complaint resolved and complaint is resolved"),
        "{formatted}"
    );
    assert!(formatted.contains("last within 2 weeks"), "{formatted}");
    assert!(formatted.contains("d within next 1 week"), "{formatted}");
    assert!(formatted.contains("within next 14 days"), "{formatted}");
    assert!(formatted.contains("given {}"), "{formatted}");
}

#[test]
fn long_conditions_and_lists_are_filled() {
    let source = "segment many = aaaaaaaaaa > 1 and bbbbbbbbbb > 2 and cccccccccc > 3 and dddddddddd > 4 and eeeeeeeeee > 5 or ffffffffff > 6\n";
    let formatted = assert_formats_well(source, "long");
    assert_eq!(
        formatted,
        "segment many = aaaaaaaaaa > 1 and bbbbbbbbbb > 2 and cccccccccc > 3 and dddddddddd > 4\n               and eeeeeeeeee > 5 or ffffffffff > 6\n"
    );
}

#[test]
fn comments_stay_where_they_belong() {
    let source = "\
customer { # the schema
  # about a
  a number   # trailing a

  b number
  # last in the block
}
segment s = a > 1   # why a
  and b > 2         # why b
rule r
  # before when
  when a > 1
  then x, # first
       y  # second
# at the end
";
    let formatted = assert_formats_well(source, "comments");
    assert_eq!(
        formatted,
        "\
customer {  # the schema
  # about a
  a  number  # trailing a

  b  number
  # last in the block
}

segment s = a > 1      # why a
            and b > 2  # why b

rule r
  # before when
  when a > 1
  then x,  # first
       y   # second
# at the end
"
    );
}

#[test]
fn numbers_and_names_read_back_the_same() {
    let source = "\
customer { \"first name\" text  \"and\" number  \"a \\\"q\\\" \\\\ b\" text }
segment s = \"and\" > 1e3 and \"and\" < .5 and \"and\" != 12345678901234567890123 and \"and\" > 1e400
segment t = \"first name\" in [-3, +2, 1E-7, \"x # y\", open, 2026-02-30, true]
when - \"and\" * +3 > - - 2 then x priority +4
";
    let formatted = assert_formats_well(source, "numbers");
    // Number literals are kept as written (a `50.000` must stay visible as such).
    assert!(
        formatted.contains("\"and\" > 1e3 and \"and\" < .5 and \"and\" != 12345678901234567890123"),
        "{formatted}"
    );
    assert!(
        formatted.contains("[-3, +2, 1E-7, \"x # y\", open, 2026-02-30, true]"),
        "{formatted}"
    );
}

/// `50.000` is fifty to the language but fifty thousand to a Dutch reader: `fmt` keeps it as
/// written (it used to print `50`, hiding the problem), and so every other literal.
#[test]
fn number_literals_keep_their_spelling() {
    let source = "rule r when n > 50.000 and n < 1.5e3 and n != 007 then a\n\
                  test \"t\" {\n  given { n: 2.500, m: 1e2 }\n  expect no actions\n}\n";
    let formatted = assert_formats_well(source, "literals");
    assert!(
        formatted.contains("when n > 50.000 and n < 1.5e3 and n != 007"),
        "{formatted}"
    );
    assert!(
        formatted.contains("given { n: 2.500, m: 1e2 }"),
        "{formatted}"
    );
}

#[test]
fn windows_line_ends_are_kept() {
    let source = "segment s = a > 1\r\n# c\r\nsegment t = b\r\n";
    let formatted = assert_formats_well(source, "crlf");
    assert_eq!(formatted, "segment s = a > 1\r\n# c\r\nsegment t = b\r\n");
}

#[test]
fn files_with_syntax_errors_are_refused() {
    let errors = format("segment = \nwhen then x\n").expect_err("a syntax error");
    assert!(!errors.is_empty());
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(format("").expect("formats"), "");
    assert_eq!(
        format("\n\n# only a comment\n\n").expect("formats"),
        "# only a comment\n"
    );
}

// ───────────────────────────── generated playbooks ─────────────────────────────

/// Random but valid playbooks, as tokens joined by random white space and comments.
struct Gen {
    state: u64,
    tokens: Vec<String>,
    in_between: bool,
}

const FIELDS: &[&str] = &[
    "orders",
    "nps",
    "klacht",
    "vérrassen",
    "fase_2",
    "last_order",
    "_x",
    "tags",
];
const NAMES: &[&str] = &[
    "meerwaarde",
    "loyaal",
    "ß_ø",
    "\"verras na klacht\"",
    "\"and\"",
    "\"plain\"",
    "\"a \\\"quoted\\\" \\\\ name\"",
    "\"# not a comment\"",
];
const WORDS: &[&str] = &[
    "open", "resolved", "none", "email", "then", "customer", "next", "ago",
];
const STRINGS: &[&str] = &[
    "\"x\"",
    "\"no-upsell\"",
    "\"# hash\"",
    "\"\\\"q\\\"\"",
    "\"\"",
];
const NUMBERS: &[&str] = &[
    "0",
    "12",
    "3.5",
    ".5",
    "1e3",
    "1E-2",
    "007",
    "12345678901234567890",
];
const SIGNED: &[&str] = &["-3", "+2", "4.25", "-0.5", "1e2"];
const DATES: &[&str] = &["2026-11-23", "1975-02-28", "2026-02-30"];
const COMMENTS: &[&str] = &[
    "# note",
    "#",
    "# \"quoted\" # twice",
    "# ünïcode ✓",
    "#   spaced",
];

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            tokens: Vec::new(),
            in_between: false,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick(&mut self, items: &[&str]) -> String {
        items[self.below(items.len())].to_string()
    }

    fn t(&mut self, token: impl Into<String>) {
        self.tokens.push(token.into());
    }

    fn name(&mut self) {
        let n = self.pick(NAMES);
        self.t(n);
    }

    fn field(&mut self) {
        let f = self.pick(FIELDS);
        self.t(f);
    }

    fn duration(&mut self) {
        let n = self.pick(&["1", "7", "14", "1.5", "2e1", "0"]);
        self.t(n);
        let unit = self.pick(&["day", "days", "week", "weeks"]);
        self.t(unit);
    }

    fn value(&mut self, depth: usize) {
        match self.below(if depth > 0 { 9 } else { 5 }) {
            0 | 1 => self.field(),
            2 => {
                let n = self.pick(NUMBERS);
                self.t(n)
            }
            3 => {
                let s = self.pick(STRINGS);
                self.t(s)
            }
            4 => {
                let d = self.pick(DATES);
                self.t(d)
            }
            5 => {
                let f = self.pick(&["days_since", "days_until"]);
                self.t(f);
                self.t("(");
                self.field();
                self.t(")");
            }
            6 => {
                self.value(depth - 1);
                let op = self.pick(&["+", "-", "*", "/"]);
                self.t(op);
                self.value(depth - 1);
            }
            7 => {
                // The bounds of `between` take no unary plus.
                let op = if self.in_between {
                    "-".to_string()
                } else {
                    self.pick(&["-", "+"])
                };
                self.t(op);
                self.value(depth - 1);
            }
            _ => {
                self.t("(");
                self.value(depth - 1);
                self.t(")");
            }
        }
    }

    fn literal(&mut self) {
        let pool = match self.below(5) {
            0 => SIGNED,
            1 => STRINGS,
            2 => DATES,
            3 => &["true", "false"],
            _ => WORDS,
        };
        let v = self.pick(pool);
        self.t(v);
    }

    fn condition(&mut self, depth: usize) {
        let forms = if depth > 0 { 19 } else { 15 };
        match self.below(forms) {
            0 => {
                self.t("customer");
                if self.chance(30) {
                    self.t("not");
                }
                self.t("in");
                self.name();
            }
            1 => {
                self.t("customer");
                self.t("reached");
                self.name();
            }
            2 => {
                self.field();
                let w = self.pick(&["resolved", "email", "open", "true", "false", "ja"]);
                self.t(w);
            }
            3 => {
                self.field();
                self.t("is");
                if self.chance(40) {
                    self.t("not");
                }
                self.literal();
            }
            4 => {
                if self.chance(40) {
                    self.t("not");
                }
                self.field();
            }
            5 => {
                self.value(2);
                let op = self.pick(&["=", "==", "!=", "<>", "<", "<=", ">", ">="]);
                self.t(op);
                self.value(2);
            }
            6 => {
                self.field();
                self.t("between");
                self.in_between = true;
                self.value(1);
                self.t("and");
                self.value(1);
                self.in_between = false;
            }
            7 => {
                self.field();
                if self.chance(40) {
                    self.t("not");
                }
                self.t("in");
                self.t("[");
                let n = self.below(4);
                for i in 0..n {
                    if i > 0 {
                        self.t(",");
                    }
                    self.literal();
                }
                if n > 0 && self.chance(20) {
                    self.t(",");
                }
                self.t("]");
            }
            8 => {
                self.field();
                self.t("has");
                let v = if self.chance(50) {
                    self.pick(STRINGS)
                } else {
                    self.pick(WORDS)
                };
                self.t(v);
            }
            9 => {
                self.field();
                match self.below(3) {
                    0 => self.t("contains"),
                    1 => {
                        self.t("starts");
                        self.t("with");
                    }
                    _ => {
                        self.t("ends");
                        self.t("with");
                    }
                }
                let v = if self.chance(50) {
                    self.pick(STRINGS)
                } else {
                    self.pick(WORDS)
                };
                self.t(v);
            }
            10 => {
                self.field();
                self.t("is");
                match self.below(3) {
                    0 => self.t("missing"),
                    1 => self.t("present"),
                    _ => {
                        self.t("not");
                        self.t("missing");
                    }
                }
            }
            11 => {
                self.field();
                self.t("within");
                if self.chance(50) {
                    self.t("next");
                }
                self.duration();
            }
            12 => {
                self.field();
                self.t("more");
                self.t("than");
                self.duration();
                self.t("ago");
            }
            13 => {
                self.t("anniversary");
                self.t("of");
                match self.below(3) {
                    0 => self.field(),
                    1 => {
                        self.t("days_since");
                        self.t("(");
                        self.field();
                        self.t(")");
                    }
                    _ => {
                        self.t("(");
                        self.field();
                        self.t(")");
                    }
                }
                self.t("within");
                self.t("next");
                self.duration();
            }
            14 => {
                self.value(1);
                self.t(">");
                self.value(1);
            }
            15 | 16 => {
                self.condition(depth - 1);
                let op = self.pick(&["and", "or"]);
                self.t(op);
                self.condition(depth - 1);
            }
            17 => {
                self.t("not");
                self.condition(depth - 1);
            }
            _ => {
                self.t("(");
                self.condition(depth - 1);
                self.t(")");
            }
        }
    }

    fn item(&mut self) {
        match self.below(9) {
            0 => {
                self.t("playbook");
                self.name();
            }
            1 => self.schema(),
            2 => self.journey(),
            3 => {
                self.t("segment");
                self.name();
                self.t("=");
                let depth = self.below(4);
                self.condition(depth);
            }
            4 => {
                self.t("actions");
                for i in 0..1 + self.below(4) {
                    if i > 0 {
                        self.t(",");
                    }
                    self.name();
                }
            }
            5 => self.policy(),
            6 | 7 => self.rule(),
            _ => self.test(),
        }
    }

    fn schema(&mut self) {
        self.t("customer");
        self.t("{");
        for _ in 0..self.below(5) {
            self.name();
            match self.below(6) {
                0 => self.t("text"),
                1 => self.t("number"),
                2 => self.t("bool"),
                3 => self.t("date"),
                4 => {
                    self.t("list");
                    self.t("of");
                    self.t("text");
                }
                _ => {
                    self.t("one");
                    self.t("of");
                    for i in 0..1 + self.below(3) {
                        if i > 0 {
                            self.t(",");
                        }
                        let w = self.pick(WORDS);
                        self.t(w);
                    }
                }
            }
            for _ in 0..self.below(4) {
                match self.below(4) {
                    0 => self.t("?"),
                    1 => self.t("key"),
                    2 => {
                        self.t("from");
                        let s = self.pick(STRINGS);
                        self.t(s);
                    }
                    _ => {
                        self.t("format");
                        self.t("\"%d-%m-%Y\"");
                    }
                }
            }
        }
        self.t("}");
    }

    fn journey(&mut self) {
        self.t("journey");
        self.name();
        let from_column = self.chance(25);
        if from_column {
            self.t("from");
            self.t("column");
            self.name();
        }
        self.t("{");
        for _ in 0..self.below(4) {
            self.t("stage");
            self.name();
            if !from_column && self.chance(85) {
                self.t("when");
                let depth = self.below(3);
                self.condition(depth);
            }
        }
        self.t("}");
    }

    fn policy(&mut self) {
        self.t("policy");
        self.t("{");
        for _ in 0..self.below(5) {
            match self.below(5) {
                0 | 1 => {
                    self.t("suppress");
                    if self.chance(50) {
                        for i in 0..1 + self.below(3) {
                            if i > 0 {
                                self.t(",");
                            }
                            self.name();
                        }
                    }
                    self.t("when");
                    let depth = self.below(3);
                    self.condition(depth);
                }
                2 => {
                    self.t("max");
                    let n = self.pick(&["0", "1", "2", "10"]);
                    self.t(n);
                    let unit = self.pick(&["action", "actions"]);
                    self.t(unit);
                    self.t("per");
                    self.t("customer");
                }
                3 => self.holdout(),
                _ => {
                    self.t("decimal");
                    self.t("comma");
                }
            }
        }
        self.t("}");
    }

    fn holdout(&mut self) {
        self.t("holdout");
        let p = self.pick(&["10%", "12.5%", "0%", "99.99%"]);
        self.t(p);
        if self.chance(50) {
            self.t("salt");
            let s = self.pick(STRINGS);
            self.t(s);
        }
    }

    fn rule(&mut self) {
        if self.chance(60) {
            self.t("rule");
            self.name();
        }
        self.t("when");
        let depth = self.below(4);
        self.condition(depth);
        if self.chance(30) {
            self.t("unless");
            let depth = self.below(3);
            self.condition(depth);
        }
        self.t("then");
        for i in 0..1 + self.below(3) {
            if i > 0 {
                self.t(",");
            }
            self.name();
            if self.chance(40) {
                let s = self.pick(STRINGS);
                self.t(s);
            }
            if self.chance(40) {
                self.t("via");
                if self.chance(50) {
                    self.field();
                } else {
                    self.name();
                }
            }
        }
        for _ in 0..self.below(3) {
            if self.chance(50) {
                self.t("priority");
                let n = self.pick(SIGNED);
                self.t(n);
            } else {
                self.holdout();
            }
        }
    }

    fn given_value(&mut self, depth: usize) {
        match self.below(if depth > 0 { 8 } else { 7 }) {
            0 => self.literal(),
            1 => self.t("null"),
            2 => {
                let v = self.pick(SIGNED);
                self.t(v)
            }
            3 => {
                let v = self.pick(STRINGS);
                self.t(v)
            }
            4 => {
                let v = self.pick(DATES);
                self.t(v)
            }
            5 => {
                let v = self.pick(WORDS);
                self.t(v)
            }
            6 => {
                let v = self.pick(&["true", "false"]);
                self.t(v)
            }
            _ => {
                self.t("[");
                let n = self.below(4);
                for i in 0..n {
                    if i > 0 {
                        self.t(",");
                    }
                    self.given_value(depth - 1);
                }
                if n > 0 && self.chance(20) {
                    self.t(",");
                }
                self.t("]");
            }
        }
    }

    fn test(&mut self) {
        self.t("test");
        self.name();
        if self.chance(60) {
            self.t("as");
            self.t("of");
            let d = self.pick(DATES);
            self.t(d);
        }
        self.t("{");
        if self.chance(80) {
            self.t("given");
            self.t("{");
            let n = self.below(12);
            for i in 0..n {
                if i > 0 {
                    self.t(",");
                }
                self.name();
                self.t(":");
                self.given_value(2);
            }
            if n > 0 && self.chance(20) {
                self.t(",");
            }
            self.t("}");
        }
        for _ in 0..self.below(5) {
            self.t("expect");
            match self.below(10) {
                0 => {
                    self.t("stage");
                    self.name();
                }
                1 => {
                    self.t("no");
                    self.t("stage");
                    if self.chance(50) {
                        self.t("in");
                        self.name();
                    }
                }
                2 => {
                    self.t("action");
                    self.name();
                }
                3 => {
                    self.t("no");
                    self.t("action");
                    self.name();
                }
                4 => {
                    self.t("no");
                    self.t("actions");
                }
                5 => self.t("suppressed"),
                6 => {
                    self.t("not");
                    self.t("suppressed");
                }
                7 => {
                    self.t("segment");
                    self.name();
                }
                8 => {
                    self.t("no");
                    self.t("segment");
                    self.name();
                }
                _ => {
                    self.t("holdout");
                    self.name();
                }
            }
        }
        self.t("}");
    }

    /// The tokens joined by spaces, line breaks, blank lines and comments.
    fn source(&mut self) -> String {
        let tokens = std::mem::take(&mut self.tokens);
        let mut out = String::new();
        if self.chance(30) {
            let c = self.pick(COMMENTS);
            out.push_str(&c);
            out.push_str("\n\n");
        }
        for token in tokens {
            out.push_str(&token);
            let separator = match self.below(20) {
                0..=10 => " ".to_string(),
                11 | 12 => "\n".to_string(),
                13 => "\n\n".to_string(),
                14 => "\n    ".to_string(),
                15 => "\t".to_string(),
                16 => format!("  {}\n", self.pick(COMMENTS)),
                17 => format!("\n{}\n", self.pick(COMMENTS)),
                18 => format!("\n\n  {}\n\n", self.pick(COMMENTS)),
                _ => "   ".to_string(),
            };
            out.push_str(&separator);
        }
        out
    }
}

#[test]
fn generated_playbooks() {
    for seed in 0..1500u64 {
        let mut g = Gen::new(seed);
        for _ in 0..1 + g.below(8) {
            g.item();
        }
        let source = g.source();
        let parsed = parse(&source);
        assert!(
            parsed.diagnostics.is_empty(),
            "seed {seed}: the generator wrote a playbook that does not parse: {:?}\n{source}",
            parsed.diagnostics
        );
        assert_formats_well(&source, &format!("seed {seed}"));
    }
}

// ───────────────────────────── the command line ─────────────────────────────

const MESSY: &str = "customer { id text key  orders number }\nwhen orders>3 then surprise\n";
const TIDY: &str =
    "customer {\n  id      text key\n  orders  number\n}\n\nwhen orders > 3 then surprise\n";

fn playbook(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the playbook binary runs");
    let input = stdin.unwrap_or("").to_string();
    let mut pipe = child.stdin.take().expect("a stdin pipe");
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut pipe, input.as_bytes());
    });
    let out = child.wait_with_output().expect("the binary finishes");
    writer.join().expect("stdin written");
    out
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("an exit code")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, content).expect("a file");
    }
    dir
}

#[test]
fn the_tidy_form_is_what_fmt_prints() {
    assert_eq!(format(MESSY).expect("formats"), TIDY);
}

#[test]
fn check_passes_formatted_files() {
    let dir = folder(&[("a.playbook", TIDY)]);
    let out = playbook(dir.path(), &["fmt", "--check", "a.playbook"], None);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "1 file already formatted\n");
}

#[test]
fn check_prints_a_diff_and_changes_nothing() {
    let dir = folder(&[("a.playbook", MESSY), ("sub/b.playbook", TIDY)]);
    let out = playbook(dir.path(), &["fmt", "--check", "."], None);
    assert_eq!(code(&out), 1);
    assert_eq!(
        text(&out.stdout),
        "\
--- a/a.playbook
+++ b/a.playbook
@@ -1,2 +1,6 @@
-customer { id text key  orders number }
-when orders>3 then surprise
+customer {
+  id      text key
+  orders  number
+}
+
+when orders > 3 then surprise
"
    );
    assert_eq!(
        text(&out.stderr),
        "1 of 2 files not formatted; `playbook fmt` rewrites it\n"
    );
    let after = std::fs::read_to_string(dir.path().join("a.playbook")).expect("the file");
    assert_eq!(after, MESSY);
}

#[test]
fn fmt_rewrites_files_in_place() {
    let dir = folder(&[("a.playbook", MESSY), ("b.playbook", TIDY)]);
    let out = playbook(dir.path(), &["fmt", "a.playbook", "b.playbook"], None);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "formatted 2 files: 1 changed\n");
    for name in ["a.playbook", "b.playbook"] {
        let after = std::fs::read_to_string(dir.path().join(name)).expect("the file");
        assert_eq!(after, TIDY, "{name}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the folder")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(left.len(), 2, "a temporary file was left behind: {left:?}");
}

#[test]
fn fmt_stdin_prints_to_stdout() {
    let dir = folder(&[]);
    let out = playbook(dir.path(), &["fmt", "-"], Some(MESSY));
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), TIDY);
    assert_eq!(text(&out.stderr), "");
    let out = playbook(dir.path(), &["fmt", "-"], Some(TIDY));
    assert_eq!((code(&out), text(&out.stdout)), (0, TIDY.to_string()));
    let out = playbook(dir.path(), &["fmt", "--check", "-"], Some(MESSY));
    assert_eq!(code(&out), 1);
    assert!(text(&out.stdout).starts_with("--- a/<stdin>\n+++ b/<stdin>\n@@ "));
}

#[test]
fn syntax_errors_are_reported_and_the_file_left_alone() {
    let broken = "when orders > then x\n";
    let dir = folder(&[("bad.playbook", broken), ("good.playbook", MESSY)]);
    let out = playbook(dir.path(), &["fmt", "bad.playbook", "good.playbook"], None);
    assert_eq!(code(&out), 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.playbook"), "{stderr}");
    assert!(
        stderr.contains("1 file with syntax errors left as they are"),
        "{stderr}"
    );
    let bad = std::fs::read_to_string(dir.path().join("bad.playbook")).expect("the file");
    assert_eq!(bad, broken);
    let good = std::fs::read_to_string(dir.path().join("good.playbook")).expect("the file");
    assert_eq!(good, TIDY);
    let out = playbook(dir.path(), &["fmt", "-"], Some(broken));
    assert_eq!((code(&out), text(&out.stdout)), (1, String::new()));
}

#[test]
fn usage_errors_exit_2() {
    let dir = folder(&[("a.playbook", TIDY)]);
    assert_eq!(code(&playbook(dir.path(), &["fmt"], None)), 2);
    assert_eq!(
        code(&playbook(dir.path(), &["fmt", "missing.playbook"], None)),
        2
    );
    assert_eq!(
        code(&playbook(dir.path(), &["fmt", "-", "a.playbook"], None)),
        2
    );
}
