//! Server-only services, grouped by domain over a ground floor (`kernel`) that imports none of them. The REST API
//! (`http`) and the console's server functions both call these; none of this is compiled into the browser bundle.

pub mod accounts;
pub mod audit;
pub mod authz;
pub mod bootstrap;
pub mod groups;
pub mod http;
pub mod identity;
pub mod kernel;
pub mod mail;
pub mod owners;
pub mod services;
pub mod things;
