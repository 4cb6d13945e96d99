//! One-time secrets (activation and set-up links, browser session cookies): 256 random bits, handed out once and
//! stored only as a SHA-256 hash, so a copy of the database opens no account.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh URL-safe secret of 256 bits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret, bound to its purpose so a token of one kind never works as another.
pub fn hash_secret(purpose: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(purpose.as_bytes());
    h.update([0u8]);
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = new_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_secret());
        assert_ne!(hash_secret("activate", &a), hash_secret("reset", &a));
    }
}
