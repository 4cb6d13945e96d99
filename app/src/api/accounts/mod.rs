//! Users: lists, add, edit, enable / disable, delete, owner and groups.

pub mod users;
