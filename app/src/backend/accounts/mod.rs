//! User accounts: the users themselves, their lists, their life cycle (delete, enable, disable) and each user's own
//! console settings.

pub mod creation;
pub mod lifecycle;
pub mod lists;
pub mod records;
pub mod settings;
pub mod users;
