//! Server-only services. The REST API (`rest`) and the console's server functions both call these; none of
//! this is compiled into the browser bundle.

pub mod auth;
pub mod authz;
pub mod bootstrap;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod counts;
pub mod customers;
pub mod db;
pub mod entity_groups;
pub mod error;
pub mod group_permissions;
pub mod infos;
pub mod jwt;
pub mod naming;
pub mod owners;
pub mod ownership;
pub mod paging;
pub mod passwords;
pub mod principal;
pub mod public_groups;
pub mod rest;
pub mod roles;
pub mod search;
pub mod sessions;
pub mod share_warnings;
pub mod state;
pub mod tenants;
pub mod things;
pub mod throttle;
pub mod tokens;
pub mod user_lifecycle;
pub mod user_lists;
pub mod users;
pub mod validate;
