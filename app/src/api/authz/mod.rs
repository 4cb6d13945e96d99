//! The access explainers.

pub mod explain;
