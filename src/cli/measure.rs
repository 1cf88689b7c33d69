//! `playbook measure DECISIONS OUTCOMES`: treated against held out, per rule and action.

use super::common::load_checked;
use super::outfile::{commit_all, existing_file, output_identity, Target};
use super::{usage_error, Exit};
use crate::check::SchemaSource;
use crate::measure::output::{render, Format};
use crate::measure::{self, read};
use crate::render::Format as RenderFormat;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct MeasureArgs {
    /// The decisions `playbook eval` wrote (NDJSON, JSON or CSV).
    pub decisions: PathBuf,
    /// The outcomes export (CSV): the customer id and the outcome columns.
    pub outcomes: PathBuf,
    /// The playbook the decisions were made with: tells the policy's control group from the
    /// rules' (without it, groups follow the holdout flags alone).
    #[arg(long, value_name = "PLAYBOOK")]
    pub playbook: Option<PathBuf>,
    /// An outcome column: yes/no (a conversion) or a number (revenue). Repeatable.
    #[arg(long, required = true, value_name = "COLUMN")]
    pub metric: Vec<String>,
    /// The outcomes' customer id column (default: id, customer_id, customer, klant_id or
    /// klantnummer).
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Numbers in the outcomes use a decimal comma (12,50).
    #[arg(long)]
    pub decimal_comma: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the results to this file (written whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: MeasureArgs) -> Exit {
    if let Some(out) = args.output.as_deref().and_then(output_identity) {
        for input in [&args.decisions, &args.outcomes] {
            if existing_file(input).as_ref() == Some(&out) {
                return usage_error(format!(
                    "refusing to write the results over {}",
                    input.display()
                ));
            }
        }
    }
    let read_file =
        |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let (decisions_bytes, outcomes_bytes) =
        match (read_file(&args.decisions), read_file(&args.outcomes)) {
            (Ok(d), Ok(o)) => (d, o),
            (Err(e), _) | (_, Err(e)) => return usage_error(e),
        };
    let (dname, oname) = (
        args.decisions.display().to_string(),
        args.outcomes.display().to_string(),
    );
    let joined = read::decisions(&dname, &decisions_bytes).and_then(|d| {
        read::outcomes(
            &oname,
            &outcomes_bytes,
            args.id.as_deref(),
            &args.metric,
            args.decimal_comma,
        )
        .map(|o| (d, o))
    });
    let (decisions, outcomes) = match joined {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Findings;
        }
    };
    let plan = match args.playbook.as_deref() {
        None => None,
        Some(path) => match load_checked(path, SchemaSource::File, RenderFormat::Human) {
            Ok(Some((_, model))) => Some(measure::Plan::of(&model)),
            Ok(None) => return Exit::Findings,
            Err(e) => return usage_error(e),
        },
    };
    if let Some(plan) = &plan {
        if let Err(e) = plan.check(&dname, &decisions) {
            eprintln!("error: {e}");
            return Exit::Findings;
        }
    }
    let m = measure::measure(
        &dname,
        &decisions,
        &oname,
        &outcomes,
        &args.metric,
        plan.as_ref(),
    );
    let mut target = match Target::open(args.output.as_deref(), "the results") {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    let text = render(&m, args.format);
    if let Err(e) = target.writer().write_all(text.as_bytes()) {
        target.discard();
        return usage_error(e);
    }
    match commit_all(vec![target]) {
        Ok(()) => Exit::Ok,
        Err(e) => usage_error(e),
    }
}
