//! Password hashing: argon2id on the blocking pool, a bounded number at a time, so parallel sign-ins cannot
//! exhaust memory and an unknown account costs the same time as a known one.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Longest wait for a hashing slot before the request is turned away with 429.
const QUEUE_LIMIT: usize = 64;

/// Hashes and verifies on the blocking pool, a bounded number at a time.
#[derive(Clone)]
pub struct PasswordHasherPool {
    permits: Arc<Semaphore>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    /// Verified against when the account does not exist, so both paths cost the same.
    dummy_hash: Arc<str>,
}

fn argon2() -> Argon2<'static> {
    // Spelled out rather than `default()` so an upstream default change cannot weaken it.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
}

fn verify_now(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

impl PasswordHasherPool {
    /// A pool running at most `parallel` hashes at once.
    pub fn new(parallel: usize) -> ServiceResult<Self> {
        Ok(PasswordHasherPool {
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            waiting: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            dummy_hash: hash_now("thingdeck-timing-equaliser")?.into(),
        })
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
        use std::sync::atomic::Ordering;
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= QUEUE_LIMIT {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ServiceError::TooManyRequests("Too many requests, please retry later".into()));
        }
        let permit = self.permits.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.map_err(|_| ServiceError::Internal("hasher closed".into()))?;
        let out = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("hash task: {e}")))?;
        Ok(out)
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let p = password.to_string();
        self.run(move || hash_now(&p)).await?
    }

    /// Checks a password; `None` (no such account) still spends the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> ServiceResult<bool> {
        let p = password.to_string();
        let (h, real) = match hash {
            Some(h) => (h.to_string(), true),
            None => (self.dummy_hash.to_string(), false),
        };
        let ok = self.run(move || verify_now(&p, &h)).await?;
        Ok(ok && real)
    }
}
