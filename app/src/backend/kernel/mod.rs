//! The ground floor every domain stands on and that imports none of them: the store, the service error, paging,
//! field validation, the clock, configuration, the caller (`Principal`) and secret helpers.

pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod paging;
pub mod principal;
pub mod tokens;
pub mod validate;
