//! Entity groups and what hangs off them: groups and their members, roles, group permissions (bindings) and
//! sharing, public groups, the share warning, and the naming rules of creates.

pub mod group_type;
pub mod lists;
pub mod members;
pub mod naming;
pub mod permissions;
pub mod public;
pub mod role_api;
pub mod roles;
pub mod service;
pub mod share_warnings;
pub mod sharing;
pub mod store;
