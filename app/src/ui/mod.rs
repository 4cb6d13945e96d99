//! The console's pages and the pieces they share.

pub mod auth_pages;
pub mod common;
pub mod confirm;
pub mod customers;
pub mod explain;
pub mod group_page;
pub mod group_sharing;
pub mod groups;
pub mod layout;
pub mod owner_page;
pub mod owner_picker;
pub mod pickers;
pub mod profile;
pub mod roles;
pub mod routes;
pub mod tenants;
pub mod things;
pub mod user_access;
pub mod user_groups;
pub mod user_page;
pub mod users;
