//! The owner tree: tenants, customers and sub-customers, the closure table that answers "is this inside that",
//! the per-subtree counters, owner changes, and the owner names and groups shown beside listed entities.

pub mod contacts;
pub mod counts;
pub mod customer_lists;
pub mod customers;
pub mod infos;
pub mod owner_change;
pub mod tenants;
pub mod tree;
