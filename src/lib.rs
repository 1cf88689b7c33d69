//! `playbook`: a rules engine and small language for loyalty marketers.
//!
//! The layers, in the order data flows through them:
//! source text → [`syntax`] (AST with spans) → [`check`] (resolved, typed model)
//! → [`eval`] (compiled program run per customer) ← [`data`] (exports in, decisions out).

/// The typed syntax tree with spans.
pub mod ast;
/// Problems found in playbooks, with codes, places and help.
pub mod diagnostic;
/// Parsing: grammar → AST.
pub mod syntax;
/// Checking: names, types, lints → a resolved model.
pub mod check;
/// Calendar dates as day numbers, and date formats.
pub mod dates;
/// Exports in, decisions out.
pub mod data;
/// Evaluation: compiled programs run per customer.
pub mod eval;
/// Comparing the decisions of two versions of a playbook.
pub mod diff;
/// Running a playbook over exports, in parallel, with a summary.
pub mod runner;
/// Rendering diagnostics for people, tools and CI.
pub mod render;
/// The command line.
pub mod cli;
