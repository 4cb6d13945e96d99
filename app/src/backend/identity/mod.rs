//! Who is calling and how they prove it: sign-in, sessions and their cache, JWTs, passwords and the hasher pool,
//! guessing limits, lockout, second factors and their settings, activation and reset links, "log in as user",
//! security settings.

pub mod activation;
pub mod hasher;
pub mod impersonation;
pub mod ip_limiter;
pub mod jwt;
pub mod live_sessions;
pub mod lockout;
pub mod mfa;
pub mod password_reset;
pub mod passwords;
pub mod security_settings;
pub mod session_cache;
pub mod session_tokens;
pub mod sessions;
pub mod sign_in;
pub mod throttle;
pub mod two_fa_settings;
