//! `playbook`: a rules engine and small language for loyalty marketers.
//!
//! The layers, in the order data flows through them:
//! source text → [`syntax`] (AST with spans) → [`check`] (resolved, typed model)
//! → [`eval`] (compiled program run per customer) ← [`data`] (exports in, decisions out).

/// The typed syntax tree with spans.
pub mod ast;
/// Checking: names, types, lints → a resolved model.
pub mod check;
/// The command line.
pub mod cli;
/// Exports in, decisions out.
pub mod data;
/// Calendar dates as day numbers, and date formats.
pub mod dates;
/// Problems found in playbooks, with codes, places and help.
pub mod diagnostic;
/// Comparing the decisions of two versions of a playbook.
pub mod diff;
/// Evaluation: compiled programs run per customer.
pub mod eval;
/// The canonical layout of playbook files.
pub mod fmt;
/// Pilot results: treated against held out, from decisions and outcomes.
pub mod measure;
/// Rendering diagnostics for people, tools and CI.
pub mod render;
/// The HTML report: what a playbook does to an export, as charts and tables.
pub mod report;
/// Running a playbook over exports, in parallel, with a summary.
pub mod runner;
pub mod sql;
/// Parsing: grammar → AST.
pub mod syntax;
