//! Entity groups (tabs, membership, sharing, a group's page) and roles.

pub mod entity_groups;
pub mod roles;
