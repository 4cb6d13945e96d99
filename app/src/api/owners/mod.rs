//! Tenants and customers.

pub mod customers;
pub mod tenants;
