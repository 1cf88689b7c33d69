//! Schema inference: the `customer { … }` block an export suggests, from a sample of its rows
//! read through `data`'s readers and typed by how a playbook uses each name.

pub mod infer;
pub mod sample;
