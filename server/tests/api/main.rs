//! Integration tests: the real binary over HTTP, each test on SQLite and on PostgreSQL.

mod harness;

mod auth;
mod cli;
mod console;
mod customer_roles;
mod customers;
mod customers_console;
mod entity_groups;
mod explain_console;
mod group_permissions;
mod groups_console;
mod impersonation;
mod mail;
mod mfa;
mod ownership;
mod review;
mod roles_console;
mod scenarios;
mod sharing;
mod tenants;
mod things;
mod things_console;
mod user_settings;
mod users;
mod users_console;
