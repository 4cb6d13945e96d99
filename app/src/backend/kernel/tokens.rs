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

/// A random string of `len` letters and digits (device access tokens, edge keys: typed by people and devices,
/// so no punctuation). 20 characters carry about 119 bits.
pub fn new_alphanumeric(len: usize) -> String {
    use rand::Rng;
    rand::rngs::OsRng.sample_iter(&rand::distributions::Alphanumeric).take(len).map(char::from).collect()
}

/// A stable id derived from its parts (ids of things Thingdeck does not store yet, like device profiles).
pub fn derived_uuid(parts: &[&str]) -> uuid::Uuid {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

/// A secret computed from a stored nonce with the server's link key, so a link can be shown again without storing
/// it: whoever holds only the database cannot compute it.
pub fn derive_secret(
    key: &[u8; 32],
    purpose: &str,
    subject: uuid::Uuid,
    nonce: &str,
) -> crate::backend::kernel::error::ServiceResult<String> {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .map_err(|e| crate::backend::kernel::error::ServiceError::Internal(format!("hmac: {e}")))?;
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(subject.as_bytes());
    mac.update(&[0]);
    mac.update(nonce.as_bytes());
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The key `derive_secret` uses, derived from the signing secret every node shares.
pub fn link_key(signing_secret: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"thingdeck-links\0");
    h.update(signing_secret);
    h.finalize().into()
}

/// Where a mailed link's secret stands, for the redirect the link answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Valid,
    Expired,
    /// Never issued, or already used.
    Unknown,
}

impl LinkState {
    /// The state of a stored secret (`None`: not found) expiring at `expires` (ms).
    pub fn of(expires: Option<Option<i64>>, now: i64) -> LinkState {
        match expires {
            None => LinkState::Unknown,
            Some(e) if e.unwrap_or(0) > now => LinkState::Valid,
            Some(_) => LinkState::Expired,
        }
    }
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
