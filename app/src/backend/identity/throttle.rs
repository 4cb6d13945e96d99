//! Guessing limits for sign-in. Two layers: a per-address rate (in memory, per node) and a per-account cap of
//! failed guesses per hour (in the database, so every node and restarts see it). An address that has signed in
//! to the account before counts against a separate, small bucket, so an attacker who burns the main bucket cannot
//! lock the owner out; everyone else waits at most until the hour window ends. The two buckets add up to 100.

use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::services::Services;
use sqlx::Row;
use std::net::IpAddr;

/// Failed guesses per hour from addresses that never signed in to the account.
pub const UNTRUSTED_FAILURES_PER_HOUR: i64 = 90;
/// Failed guesses per hour from addresses that did; with the above, at most 100 per account (ASVS 2.2.1).
pub const TRUSTED_FAILURES_PER_HOUR: i64 = 10;
const WINDOW_MS: i64 = 3_600_000;
const TRUST_MS: i64 = 30 * 24 * 3_600_000;

fn ip_key(ip: IpAddr) -> String {
    hash_secret("ip", &ip.to_string())
}

/// Which failure bucket an attempt from `ip` draws on; refuses with 429 when it is empty.
pub async fn check_account(svc: &Services, account: &str, ip: IpAddr) -> ServiceResult<String> {
    let trusted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM login_trusted WHERE account = $1 AND ip_hash = $2 AND expires > $3")
            .bind(account)
            .bind(ip_key(ip))
            .bind(now_ms())
            .fetch_one(&svc.db.pool)
            .await?;
    let (bucket, cap) = if trusted > 0 {
        (format!("{account}\ttrusted"), TRUSTED_FAILURES_PER_HOUR)
    } else {
        (account.to_string(), UNTRUSTED_FAILURES_PER_HOUR)
    };
    let row = sqlx::query("SELECT window_start, failures FROM login_throttle WHERE account = $1")
        .bind(&bucket)
        .fetch_optional(&svc.db.pool)
        .await?;
    if let Some(row) = row {
        let start: i64 = row.try_get("window_start")?;
        let failures: i64 = row.try_get("failures")?;
        if now_ms() - start < WINDOW_MS && failures >= cap {
            return Err(ServiceError::TooManyRequests(
                "Too many failed sign-in attempts for this account, try again later".into(),
            ));
        }
    }
    Ok(bucket)
}

/// Counts a failed guess against the bucket `check_account` named.
pub async fn record_failure(svc: &Services, bucket: &str) -> ServiceResult<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO login_throttle (account, window_start, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (account) DO UPDATE SET \
           failures = CASE WHEN $2 - login_throttle.window_start >= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN $2 - login_throttle.window_start >= $3 THEN $2 ELSE login_throttle.window_start END",
    )
    .bind(bucket)
    .bind(now)
    .bind(WINDOW_MS)
    .execute(svc.db.writer())
    .await?;
    Ok(())
}

/// A successful sign-in: the address becomes trusted for the account.
pub async fn record_success(svc: &Services, account: &str, ip: IpAddr) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO login_trusted (account, ip_hash, expires) VALUES ($1, $2, $3) \
         ON CONFLICT (account, ip_hash) DO UPDATE SET expires = $3",
    )
    .bind(account)
    .bind(ip_key(ip))
    .bind(now_ms() + TRUST_MS)
    .execute(svc.db.writer())
    .await?;
    Ok(())
}
