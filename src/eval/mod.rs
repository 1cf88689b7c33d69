//! Evaluation: a checked model compiled once into a [`Program`], run per customer.

pub mod compile;
pub mod decision;
pub mod expect;
pub mod explain;
pub mod program;
pub mod run;
#[cfg(test)]
mod tests;

pub use compile::compile;
pub use program::{Program, Tri};
pub use run::{Cell, ListCell, Outcome, Row};
