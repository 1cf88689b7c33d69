//! Every example in the language contract (tests/data/design/language.md) parses,
//! checks without errors, and means what the page says.

use playbook::ast::{CompareOp, Expr, ExprKind, Item, Playbook};
use playbook::check::{check, CondKind, Model, SchemaSource};
use playbook::diagnostic::Diagnostic;
use playbook::syntax::parse;

/// The fields the inline examples talk about: §1's customer block and a few more.
const SCHEMA: &str = r#"
customer {
  id                 text key
  orders             number
  lifetime_value     number
  first_order        date?
  last_order         date?
  nps                number?
  complaint          one of none, open, resolved
  opted_in           bool
  birthday           date?
  channel_pref       one of email, sms, post
  tags               list of text
  city               text from "Woonplaats"
  contract_end       date?
  marketing_consent  bool?
  n                  number
}

journey relatie_fase {
  stage meerwaarde  when orders >= 1
  stage vertrouwen  when orders >= 2 and complaint is not open
  stage relatie     when nps >= 8
}

segment slapers = orders >= 3 and last_order more than 90 days ago
"#;

fn render(diagnostics: &[Diagnostic], source: &str) -> String {
    let file = playbook::render::SourceFile::new("example.playbook", source);
    diagnostics
        .iter()
        .map(|d| playbook::render::human(d, &file, false))
        .collect()
}

/// Parses with no syntax diagnostics and checks with no errors; returns the tree and model.
fn accepted(source: &str) -> (Playbook, Model) {
    let parsed = parse(source);
    assert!(
        parsed.diagnostics.is_empty(),
        "does not parse:\n{source}\n{}",
        render(&parsed.diagnostics, source)
    );
    let checked = check(&parsed.playbook, source, SchemaSource::File);
    let errors: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    assert!(
        errors.is_empty(),
        "does not check:\n{source}\n{}",
        render(&errors, source)
    );
    let model = checked.model.expect("a model when there are no errors");
    (parsed.playbook, model)
}

/// A condition from the contract as the only rule of a playbook with the shared schema.
fn condition(cond: &str) {
    let source =
        format!("{SCHEMA}\nrule example when customer in slapers or ({cond}) then surprise\n");
    accepted(&source);
}

/// A whole item (or several) after the shared schema.
fn items(text: &str) -> Model {
    accepted(&format!("{SCHEMA}\n{text}\n")).1
}

fn contract() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/design/language.md");
    std::fs::read_to_string(path)
        .expect("tests/data/design/language.md (a copy of the language contract)")
}

/// The code blocks of the contract, in order.
fn code_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().starts_with("```")) {
            (None, true) => current = Some(String::new()),
            (Some(_), true) => blocks.extend(current.take()),
            (Some(block), false) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, false) => {}
        }
    }
    blocks
}

// ───────────────────────────── §1 ─────────────────────────────

#[test]
fn section_1_example_verbatim() {
    let blocks = code_blocks(&contract());
    let example = blocks.first().expect("the §1 code block");
    assert!(
        example.starts_with("# relatie-fase-model.playbook"),
        "the first block is §1's example"
    );
    let (playbook, model) = accepted(example);
    let all = check(&playbook, example, SchemaSource::File).diagnostics;
    // No error and no warning; only the notes that `welcome` and `referral` are declared for
    // rules still to come (the vocabulary is wider than the rules, as §5 allows).
    let notes: Vec<&str> = all
        .iter()
        .filter(|d| d.severity == playbook::diagnostic::Severity::Note)
        .map(|d| &example[d.span().range()])
        .collect();
    assert!(
        all.len() == notes.len() && notes == ["welcome", "referral"],
        "§1 gives more than the notes on `welcome` and `referral`:\n{}",
        render(&all, example)
    );
    assert_eq!(model.title.as_deref(), Some("Relatie fase model"));
    assert_eq!(model.fields.len(), 12);
    assert_eq!(model.journeys.len(), 1);
    assert_eq!(model.journeys[0].stages.len(), 4);
    assert_eq!(model.segments.len(), 1);
    assert_eq!(
        model.actions,
        [
            "surprise",
            "winback",
            "birthday_gift",
            "upsell",
            "welcome",
            "referral"
        ]
    );
    let names: Vec<&str> = model.rules.iter().map(|r| r.name.as_str()).collect();
    // The unnamed rule is named after the line of its `when` within the block.
    let when_line = example
        .lines()
        .position(|l| l.starts_with("when customer in vertrouwen"))
        .expect("the unnamed rule")
        + 1;
    assert_eq!(
        names,
        [
            format!("rule@{when_line}").as_str(),
            "win slapers terug",
            "verjaardag",
            "upsell_relatie"
        ]
    );
    assert_eq!(model.rules[1].priority, 5.0);
    assert_eq!(
        model.rules[3].holdout.as_ref().map(|h| h.basis_points),
        Some(1000)
    );
    assert_eq!(model.tests.len(), 1);
    assert_eq!(model.policy.max_actions, Some(2));
}

#[test]
fn section_1_names() {
    items("segment meerwaarde_2 = orders > 1\nsegment vérrassen = customer in meerwaarde_2\nsegment fase_2 = customer in vérrassen\nsegment \"verras na klacht\" = customer in fase_2\nwhen customer in \"verras na klacht\" then surprise");
}

// ───────────────────────────── §4 ─────────────────────────────

#[test]
fn section_4_every_form() {
    for cond in [
        "customer in slapers",
        "customer not in slapers",
        "customer in vertrouwen",
        "customer not in vertrouwen",
        "customer reached vertrouwen",
        "complaint resolved",
        "complaint is resolved",
        "complaint is not resolved",
        "opted_in",
        "not opted_in",
        "orders = 3",
        "orders != 3",
        "orders < 3",
        "orders <= 3",
        "orders > 3",
        "orders >= 3",
        "city = \"Utrecht\"",
        "last_order > 2026-11-23",
        "complaint = resolved",
        "complaint != open",
        "lifetime_value > orders",
        "last_order >= first_order",
        "orders between 2 and 5",
        "last_order between 2026-01-01 and 2026-12-31",
        "complaint in [none, open, resolved]",
        "complaint not in [open]",
        "city in [\"Utrecht\", \"Zeist\"]",
        "tags has \"x\"",
        "city contains \"x\"",
        "city starts with \"x\"",
        "city ends with \"x\"",
        "nps is missing",
        "nps is present",
        "last_order within 30 days",
        "last_order within 4 weeks",
        "last_order more than 90 days ago",
        "contract_end within next 30 days",
        "anniversary of birthday within next 7 days",
        "days_since(last_order) > 30",
        "days_until(contract_end) < 14",
        "days_since(last_order) / orders > 30",
        "orders + 1 > 2",
        "orders - 1 > 2",
        "orders * 2 > lifetime_value / 10",
        "(orders > 1 or nps >= 8) and not opted_in",
    ] {
        condition(cond);
    }
}

// ───────────────────────────── §5, §6 ─────────────────────────────

#[test]
fn section_5_segments_and_actions() {
    let model = items(
        "segment trouw = customer in later and orders > 5\nsegment later = lifetime_value > 500\nactions a, b, c\nwhen customer in trouw then a, b, c",
    );
    assert_eq!(model.actions, ["a", "b", "c"]);
    assert_eq!(model.segments.len(), 3);
}

#[test]
fn section_6_rules() {
    let model = items(
        r#"rule "win slapers terug" when customer in slapers unless complaint open then winback "we-missen-je" via channel_pref, surprise via email priority 5 holdout 10% salt "q4-pilot"
rule verjaardag when anniversary of birthday within next 7 days then birthday_gift via email
when orders > 1 then welcome
rule pilot when orders > 2 then upsell holdout 12.5%"#,
    );
    let win = &model.rules[0];
    assert_eq!(win.name, "win slapers terug");
    assert!(win.unless.is_some());
    assert_eq!(win.actions.len(), 2);
    assert_eq!(win.actions[0].argument.as_deref(), Some("we-missen-je"));
    assert!(matches!(
        win.actions[0].channel,
        playbook::check::Channel::Field(_)
    ));
    assert_eq!(
        win.actions[1].channel,
        playbook::check::Channel::Word("email".into())
    );
    assert_eq!(win.priority, 5.0);
    let holdout = win.holdout.as_ref().expect("a holdout");
    assert_eq!(
        (holdout.basis_points, holdout.salt.as_str()),
        (1000, "q4-pilot")
    );
    assert!(model.rules[2].name.starts_with("rule@"));
    let pilot = model.rules[3].holdout.as_ref().expect("a holdout");
    assert_eq!((pilot.basis_points, pilot.salt.as_str()), (1250, "pilot"));
}

// ───────────────────────────── §7, §8 ─────────────────────────────

#[test]
fn section_7_policy() {
    let model = items(
        r#"playbook "Beleid"
actions surprise, referral, upsell
policy {
  suppress when not opted_in      # e.g. not opted_in: such customers get no actions
  suppress referral, upsell when not marketing_consent   # per action
  max 2 actions per customer   # keep the N of highest priority
  holdout 5% salt "S"        # a global control group
  decimal comma                # numbers in exports use 12,50
}
when customer in slapers then surprise, referral, upsell"#,
    );
    assert_eq!(model.policy.suppress.len(), 2);
    assert_eq!(model.policy.suppress[1].actions.len(), 2);
    assert_eq!(model.policy.max_actions, Some(2));
    assert!(model.policy.decimal_comma);
    let holdout = model.policy.holdout.as_ref().expect("a policy holdout");
    assert_eq!((holdout.basis_points, holdout.salt.as_str()), (500, "S"));
    // Without a salt, the title is the salt.
    let model =
        items("playbook \"Titel\"\npolicy { holdout 7% }\nwhen customer in slapers then surprise");
    let holdout = model.policy.holdout.as_ref().expect("a policy holdout");
    assert_eq!(
        (holdout.basis_points, holdout.salt.as_str()),
        (700, "Titel")
    );
}

#[test]
fn section_8_tests() {
    let model = items(
        r#"journey fase from column Fase { stage nieuw stage trouw }
when customer in slapers then winback
test "NAME" as of 2026-11-23 {
  given { orders: 3, complaint: resolved, nps: null, opted_in: true, tags: [], last_order: 2026-01-01, Fase: trouw }
  expect stage meerwaarde
  expect no stage in relatie_fase
  expect no stage
  expect action winback
  expect no action winback
  expect no actions
  expect suppressed
  expect segment slapers
  expect holdout winback
}
test "kolom" { given { Fase: trouw } expect stage trouw }"#,
    );
    assert_eq!(model.tests.len(), 2);
    assert_eq!(model.tests[0].expectations.len(), 9);
    assert_eq!(
        model.tests[1].columns,
        [("Fase".to_string(), "trouw".to_string())]
    );
}

// ───────────────────────────── §11 ─────────────────────────────

#[test]
fn section_11_small_forms() {
    for cond in [
        "last_order within 1 day",
        "last_order within 1 week",
        "last_order more than 1 week ago",
        "contract_end within next 1 day",
        "nps is not missing",
        "-n < 3",
        "tags has vip",
        "city amsterdam",
        "city is \"Den Haag\"",
        "city is not amsterdam",
        "opted_in true",
        "opted_in false",
        "opted_in is true",
        "opted_in is not false",
        "complaint in []",
        "complaint not in []",
        "orders > +3",
        "orders > .5",
        "orders > 1e3",
        "orders > -3.5",
        "city = \"a \\\"quoted\\\" \\\\ text # not a comment\"",
        "city < \"m\"",
    ] {
        condition(cond);
    }
    items("policy { max 1 action per customer }\nwhen customer in slapers then surprise");
    let model = items("rule a when orders > 1 then x priority 2 holdout 10%\nrule b when orders > 2 then y holdout 10% priority 2");
    assert_eq!(model.rules[0].priority, model.rules[1].priority);
    assert_eq!(
        model.rules[0].holdout.as_ref().map(|h| h.basis_points),
        model.rules[1].holdout.as_ref().map(|h| h.basis_points)
    );
    items("rule neg when orders > 1 then x priority -3");
    items("when customer in slapers then surprise via \"email\"");
}

/// `F V` and `F is V`: V cannot be a keyword in `F V`, but can after `is`.
#[test]
fn section_11_keyword_words() {
    let source = "customer { id text key  status one of new, test, key, format }\nwhen status is test or status is key or status new then a";
    let parsed = parse(source);
    assert!(
        parsed.diagnostics.is_empty(),
        "{}",
        render(&parsed.diagnostics, source)
    );
    let source = "customer { id text key  status one of new, test }\nwhen status test then a";
    assert!(
        !parse(source).diagnostics.is_empty(),
        "`status test` must not parse"
    );
}

/// `F = w`: where a bare name could be a field or a word, the field wins.
#[test]
fn section_11_field_wins() {
    let source = "customer { id text key  a one of x, b  b one of x, b }\nwhen a = b then act";
    let (_, model) = accepted(source);
    let CondKind::Compare { right, .. } = &model.rules[0].condition.kind else {
        panic!("a comparison: {:?}", model.rules[0].condition.kind);
    };
    // Fields: id 0, a 1, b 2.
    assert!(
        matches!(right.kind, playbook::check::ValueKind::Field(2)),
        "{right:?}"
    );
}

#[test]
fn section_11_missing_tests_are_not_words() {
    let source = "customer { id text key  state one of missing, present }\nwhen state is missing then a\nwhen state is present then b";
    let (_, model) = accepted(source);
    for rule in &model.rules {
        assert!(
            matches!(rule.condition.kind, CondKind::Missing { .. }),
            "{:?}",
            rule.condition.kind
        );
    }
}

// ───────────────────────────── structure ─────────────────────────────

fn only_rule_condition(source: &str) -> Expr {
    let parsed = parse(source);
    assert!(
        parsed.diagnostics.is_empty(),
        "{}",
        render(&parsed.diagnostics, source)
    );
    let mut rules = parsed.playbook.items.into_iter().filter_map(|i| match i {
        Item::Rule(r) => Some(r),
        _ => None,
    });
    let rule = rules.next().expect("a rule");
    assert!(rules.next().is_none(), "one rule");
    rule.condition
}

/// The tree as an s-expression: `(and (not a) b)`.
fn sexpr(e: &Expr) -> String {
    let list = |head: &str, items: &[Expr]| {
        format!(
            "({head} {})",
            items.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        )
    };
    match &e.kind {
        ExprKind::And(items) => list("and", items),
        ExprKind::Or(items) => list("or", items),
        ExprKind::Not(inner) => format!("(not {})", sexpr(inner)),
        ExprKind::Paren(inner) => sexpr(inner),
        ExprKind::Name(n) => n.text.clone(),
        ExprKind::Word(w) => format!("'{w}"),
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Neg(inner) => format!("(- {})", sexpr(inner)),
        ExprKind::Compare { op, left, right } => {
            format!("({} {} {})", op.symbol(), sexpr(left), sexpr(right))
        }
        ExprKind::Arith { op, left, right } => {
            format!("({} {} {})", op.symbol(), sexpr(left), sexpr(right))
        }
        ExprKind::IsWord {
            value,
            negated,
            word,
        } => {
            format!(
                "({} {} {})",
                if *negated { "is-not" } else { "is" },
                sexpr(value),
                sexpr(word)
            )
        }
        ExprKind::CustomerIn { negated, target } => {
            format!(
                "({} {})",
                if *negated { "not-in" } else { "in" },
                target.text
            )
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn one_line_rule_is_one_rule_with_two_parts() {
    let source = "when customer in vertrouwen and complaint resolved then surprise";
    assert_eq!(
        sexpr(&only_rule_condition(source)),
        "(and (in vertrouwen) (is complaint 'resolved))"
    );
    let schema = "customer { id text key complaint one of none, open, resolved }\njourney j { stage vertrouwen when complaint is none }\n";
    let full = format!("{schema}{source}");
    let (_, model) = accepted(&full);
    assert_eq!(model.rules.len(), 1);
    assert_eq!(model.rules[0].name, "rule@3");
    let CondKind::And(parts) = &model.rules[0].condition.kind else {
        panic!("an `and`: {:?}", model.rules[0].condition.kind);
    };
    assert_eq!(parts.len(), 2);
    // On the first line of a file, the same rule is rule@1.
    let first = format!("{source}\n{schema}");
    let (_, model) = accepted(&first);
    assert_eq!(model.rules[0].name, "rule@1");
}

#[test]
fn precedence_or_and_not_comparison() {
    let cases = [
        ("not a and b", "(and (not a) b)"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not x = 1", "(not (= x 1))"),
        ("not a or not b and c", "(or (not a) (and (not b) c))"),
        (
            "a = 1 or b = 2 and not c > 3",
            "(or (= a 1) (and (= b 2) (not (> c 3))))",
        ),
        ("a + b * c > d - e / f", "(> (+ a (* b c)) (- d (/ e f)))"),
        ("-a < 3", "(< (- a) 3)"),
        ("(a or b) and c", "(and (or a b) c)"),
        ("a and b and c and d", "(and a b c d)"),
        (
            "complaint is not open and opted_in",
            "(and (is-not complaint 'open) opted_in)",
        ),
    ];
    for (cond, expected) in cases {
        let source = format!("when {cond} then x");
        assert_eq!(sexpr(&only_rule_condition(&source)), expected, "{cond}");
    }
    let e = only_rule_condition("when a between 1 and 2 and b then x");
    let ExprKind::And(parts) = &e.kind else {
        panic!("{e:?}")
    };
    assert!(
        matches!(parts[0].kind, ExprKind::Between { .. }),
        "{:?}",
        parts[0].kind
    );
}

#[test]
fn weeks_are_seven_days() {
    let e = only_rule_condition("when d within 2 weeks then x");
    let ExprKind::Within { days, future, .. } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!((days.value, *future), (14.0, false));
    let e = only_rule_condition("when d more than 1 week ago then x");
    let ExprKind::MoreThanAgo { days, .. } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(days.value, 7.0);
}

#[test]
fn comparison_operators() {
    for (op, expected) in [
        ("=", CompareOp::Eq),
        ("!=", CompareOp::Ne),
        ("<", CompareOp::Lt),
        ("<=", CompareOp::Le),
        (">", CompareOp::Gt),
        (">=", CompareOp::Ge),
    ] {
        let e = only_rule_condition(&format!("when a {op} 1 then x"));
        let ExprKind::Compare { op, .. } = e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(op, expected);
    }
}
