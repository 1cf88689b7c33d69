//! `playbook test FILES|DIRS`: runs the `test` blocks.

use super::choices::DiagnosticsFormat;
use super::common::{as_of, load_checked, report};
use super::config::{ConfigArgs, Settings};
use super::files::find_playbooks;
use super::{usage_error, Exit};
use crate::check::SchemaSource;
use crate::eval::expect::run_tests;
use crate::render::Format;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Playbook files, or folders to search for `*.playbook` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The evaluation date for tests without `as of` (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// How problems are printed: for people, as JSON lines, or as GitHub Actions annotations.
    #[arg(long = "diagnostics", value_name = "FORMAT", alias = "format", value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub diagnostics: DiagnosticsFormat,
    /// List the rules that no test makes fire and the stages no test's customer is in.
    #[arg(long)]
    pub coverage: bool,
    /// Run only the tests whose name contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Name every test that runs, with `ok` or `FAILED`.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: TestArgs) -> Exit {
    let files = match find_playbooks(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    // Checked before any playbook is read, as before: a bad --as-of is a usage error.
    if let Err(e) = as_of(args.as_of.as_deref()) {
        return usage_error(e);
    }
    let mut settings = Settings::new(&args.config);
    let filter = args.filter.as_ref().map(|f| f.to_lowercase());
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for path in &files {
        // `--as-of`, else the playbook's settings, else today.
        let as_of = match settings
            .for_playbook(path)
            .and_then(|c| as_of(args.as_of.as_deref().or(c.as_of.as_deref())))
        {
            Ok(d) => d,
            Err(e) => return usage_error(e),
        };
        let (loaded, model) = match load_checked(
            path,
            SchemaSource::FromTests,
            Format::from(args.diagnostics),
        ) {
            Ok(Some(x)) => x,
            Ok(None) => {
                broken += 1;
                continue;
            }
            Err(e) => return usage_error(e),
        };
        let program = crate::eval::lower(&model);
        let mut results = run_tests(&program, &loaded.file.text, as_of);
        if let Some(filter) = &filter {
            results.retain(|r| r.name.to_lowercase().contains(filter));
        }
        let json = args.diagnostics == DiagnosticsFormat::Json;
        for result in &results {
            if args.verbose {
                let ok = result.failures.is_empty();
                if json {
                    #[derive(serde::Serialize)]
                    struct Ran<'a> {
                        file: &'a str,
                        test: &'a str,
                        result: &'a str,
                    }
                    let ran = Ran {
                        file: &loaded.file.name,
                        test: &result.name,
                        result: if ok { "ok" } else { "failed" },
                    };
                    println!("{}", serde_json::to_string(&ran).unwrap_or_default());
                } else {
                    let verdict = if ok { "ok" } else { "FAILED" };
                    println!("{verdict}: {}: {}", loaded.file.name, result.name);
                }
            }
            if result.failures.is_empty() {
                passed += 1;
            } else {
                failed += 1;
                let format = Format::from(args.diagnostics);
                report(&result.failures, &loaded, format);
                // Why, for people: the test customer's values and every condition's outcome.
                if let (Format::Human, Some(why)) = (format, &result.why) {
                    eprintln!("{}", why_lines(why));
                }
            }
        }
        if args.coverage && json {
            println!("{}", coverage_json(&program, &results, &loaded.file));
        } else if args.coverage {
            print_coverage(&program, &results, &loaded.file.name);
        }
    }
    if broken > 0 {
        eprintln!("{broken} playbook file(s) have errors; their tests did not run");
    }
    // A filter that matches nothing ran nothing: that is no pass (a misspelt name in CI).
    if let (Some(f), 0) = (&args.filter, passed + failed) {
        eprintln!("error: no test's name contains `{f}`");
        return Exit::Findings;
    }
    // With `--diagnostics json` standard output is JSON lines only, the summary included.
    if args.diagnostics == DiagnosticsFormat::Json {
        // Written by hand to keep the order people read it in: passed, failed, broken.
        println!(r#"{{"passed":{passed},"failed":{failed},"broken":{broken}}}"#);
    } else {
        println!("{passed} passed, {failed} failed");
    }
    if failed > 0 || broken > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// A failed test's explanation under its failures: `why:` and the explain text, each line in
/// the margin of the diagnostics above it.
fn why_lines(why: &str) -> String {
    let mut lines = why.trim_end().lines();
    let first = lines.next().unwrap_or_default();
    let rest = lines.map(|l| {
        if l.is_empty() {
            "  │".to_string()
        } else {
            format!("  │ {l}")
        }
    });
    std::iter::once(format!("  why: {first}"))
        .chain(rest)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rules and stages that no test exercises.
fn print_coverage(
    program: &crate::eval::Program,
    results: &[crate::eval::expect::TestResult],
    file: &str,
) {
    let mut lines = Vec::new();
    for (r, rule) in program.rules.iter().enumerate() {
        if !results.iter().any(|t| t.rules_fired.contains(&(r as u32))) {
            lines.push(format!("  rule {} fires in no test", rule.name));
        }
    }
    for (j, journey) in program.journeys.iter().enumerate() {
        for (s, stage) in journey.stages.iter().enumerate() {
            if !results
                .iter()
                .any(|t| t.stages.get(j).copied().flatten() == Some(s as u16))
            {
                lines.push(format!(
                    "  stage {}.{stage}: no test's customer is in it",
                    journey.name
                ));
            }
        }
    }
    if lines.is_empty() {
        println!("{file}: every rule fires and every stage is reached in some test");
    } else {
        println!("{file}: not covered by tests:\n{}", lines.join("\n"));
    }
}

/// `--coverage --diagnostics json`: one object per playbook file, every rule and stage with the
/// tests that exercise it (an empty list is a gap), and the counts.
fn coverage_json(
    program: &crate::eval::Program,
    results: &[crate::eval::expect::TestResult],
    file: &crate::render::SourceFile,
) -> String {
    #[derive(serde::Serialize)]
    struct Coverage<'a> {
        file: &'a str,
        covered: Counts,
        rules: Vec<Item<'a>>,
        stages: Vec<Item<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Counts {
        rules: Count,
        stages: Count,
    }
    #[derive(serde::Serialize)]
    struct Count {
        covered: usize,
        total: usize,
    }
    #[derive(serde::Serialize)]
    struct Item<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        journey: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        stage: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rule: Option<&'a str>,
        line: usize,
        tests: Vec<&'a str>,
    }
    let model = &program.model;
    let names = |hit: &dyn Fn(&crate::eval::expect::TestResult) -> bool| -> Vec<&str> {
        results
            .iter()
            .filter(|t| hit(t))
            .map(|t| t.name.as_str())
            .collect()
    };
    let rules: Vec<Item> = model
        .rules
        .iter()
        .enumerate()
        .map(|(r, rule)| Item {
            journey: None,
            stage: None,
            rule: Some(&rule.name),
            line: file.line_col(rule.span.start).0,
            tests: names(&|t| t.rules_fired.contains(&(r as u32))),
        })
        .collect();
    let mut stages = Vec::new();
    for (j, journey) in model.journeys.iter().enumerate() {
        for (s, stage) in journey.stages.iter().enumerate() {
            stages.push(Item {
                journey: Some(&journey.name),
                stage: Some(&stage.name),
                rule: None,
                line: file.line_col(stage.span.start).0,
                tests: names(&|t| t.stages.get(j).copied().flatten() == Some(s as u16)),
            });
        }
    }
    let count = |items: &[Item]| Count {
        covered: items.iter().filter(|i| !i.tests.is_empty()).count(),
        total: items.len(),
    };
    let coverage = Coverage {
        file: &file.name,
        covered: Counts {
            rules: count(&rules),
            stages: count(&stages),
        },
        rules,
        stages,
    };
    serde_json::to_string(&coverage).unwrap_or_default()
}
