//! Signing in and out, the second factor, "log in as", and the profile.

pub mod profile;
pub mod session;
