//! `playbook`: a rules engine and small language for loyalty marketers.
//!
//! A playbook places each customer of a CRM export in a stage of a journey and decides what
//! to do for them. The library's face is [`Engine`]: a playbook parsed, checked and lowered
//! once, that decides for one customer or for a whole export exactly as `playbook eval`
//! does; decisions are serde types ([`Decision`]).
//!
//! ```
//! use playbook::{dates::parse_iso, Engine};
//!
//! let engine = Engine::new(
//!     "customer {\n  id text key\n  orders number\n}\n\
//!      rule loyal when orders >= 10 then surprise\n",
//! )
//! .expect("the playbook checks");
//! let as_of = parse_iso("2026-11-23").expect("a date");
//! let decision = engine.decide(&[("id", "C1"), ("orders", "12")], as_of)?;
//! assert_eq!(decision.actions[0].action, "surprise");
//! println!("{}", serde_json::to_string(&decision)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The layers below it, in the order data flows (docs/architecture.md): source text →
//! `syntax` (AST with spans) → `check` (resolved, typed model) → `eval` (lowered once, bound
//! to a header, run per customer) ← `data` (exports → rows, on the vocabulary of `row`);
//! `runner` (read → decide → write); `sql`; the command line on top. They are public for the
//! binary, the fuzz targets and the tests, and hidden from these docs: their items may change
//! between versions, the face may not. [`dates`] (the evaluation date) and [`diagnostic`]
//! (problems in a playbook) are part of the face.

mod engine;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use engine::{DecideError, Engine};
pub use eval::decision::{ActionDecision, Decision};

/// The typed syntax tree with spans.
#[doc(hidden)]
pub mod ast;
/// Checking: names, types, lints → a resolved model.
#[doc(hidden)]
pub mod check;
/// The command line.
#[doc(hidden)]
pub mod cli;
/// Exports in: readers, encodings, rows, data errors.
#[doc(hidden)]
pub mod data;
/// Calendar dates as day numbers, and date formats.
pub mod dates;
/// Problems found in playbooks, with codes, places and help.
pub mod diagnostic;
/// Comparing the decisions of two versions of a playbook.
#[doc(hidden)]
pub mod diff;
/// Evaluation: a model lowered once, bound to a header, run per customer.
#[doc(hidden)]
pub mod eval;
/// The canonical layout of playbook files.
#[doc(hidden)]
pub mod fmt;
/// The language server for editors (`playbook lsp`).
pub mod lsp;
/// Pilot results: treated against held out, from decisions and outcomes.
#[doc(hidden)]
pub mod measure;
/// Rendering diagnostics for people, tools and CI.
#[doc(hidden)]
pub mod render;
/// The HTML report: what a playbook does to an export, as charts and tables.
#[doc(hidden)]
pub mod report;
/// What a row is: typed cells, slots and the value words, below both `data` and `eval`.
#[doc(hidden)]
pub mod row;
/// Running a playbook over exports, in parallel, with a summary.
#[doc(hidden)]
pub mod runner;
/// Inferring a `customer { … }` block from an export.
#[doc(hidden)]
pub mod schema;
/// Compiling a playbook to SQL for DuckDB, PostgreSQL, Spark, BigQuery and Snowflake.
#[doc(hidden)]
pub mod sql;
/// Parsing: grammar → AST.
#[doc(hidden)]
pub mod syntax;
/// Text made safe to print.
#[doc(hidden)]
pub mod text;
