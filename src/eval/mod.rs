//! Evaluation: a checked model lowered once into a [`Program`](crate::eval::Program), bound to an export's header
//! ([`bind`](crate::eval::bind())), and run per customer.

pub mod bind;
pub mod decision;
pub mod expect;
pub mod explain;
pub mod lower;
pub mod program;
pub mod run;
#[cfg(test)]
mod tests;

pub use bind::{absent_columns, bind, near_columns};
pub use lower::lower;
pub use program::{Program, Tri};
pub use run::Outcome;

use crate::check::model::Model;
use crate::diagnostic::Diagnostic;
use crate::row::Binding;

/// Lowers the model and binds it to an export with this header.
pub fn compile(model: &Model, header: &[String]) -> Result<(Program, Binding), Vec<Diagnostic>> {
    let program = lower(model);
    let binding = bind(&program, header)?;
    Ok((program, binding))
}
