//! Account lockout, when the system administrator sets `maxFailedLoginAttempts`: the failure after that many
//! consecutive ones disables the account (ThingsBoard's rule: locked when the count exceeds the maximum), tells
//! the user and the optional notification address by mail, and ends its sessions. An administrator unlocks it
//! (`userCredentialsEnabled=true`). Lockout is off by default because anyone who knows an address can trigger
//! it; the per-account throttle (`throttle`) is what limits guessing without letting an attacker lock anyone out.

use crate::backend::accounts::records::UserRecord;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::mail::templates::Mail;
use crate::backend::services::Services;

/// Counts a failed password for an enabled account; answers whether this failure locked it.
pub async fn count_failure(svc: &Services, u: &UserRecord) -> ServiceResult<bool> {
    let settings = crate::backend::identity::security_settings::current(svc).await?;
    let Some(max) = settings.max_failed_login_attempts.filter(|n| *n > 0) else { return Ok(false) };
    let failures: i64 = sqlx::query_scalar(
        "UPDATE user_credentials SET failed_attempts = failed_attempts + 1 WHERE user_id = $1 RETURNING failed_attempts",
    )
    .bind(u.id.0.to_string())
    .fetch_one(svc.db.writer())
    .await?;
    if failures <= max {
        return Ok(false);
    }
    lock_with(svc, u, failures, settings.user_lockout_notification_email).await?;
    Ok(true)
}

/// Locks an account now (too many failed passwords or second-factor codes): disabled, every session ended,
/// audited, the user and the notification address told.
pub async fn lock(svc: &Services, u: &UserRecord, failures: i64) -> ServiceResult<()> {
    let settings = crate::backend::identity::security_settings::current(svc).await?;
    lock_with(svc, u, failures, settings.user_lockout_notification_email).await
}

async fn lock_with(svc: &Services, u: &UserRecord, failures: i64, notify: Option<String>) -> ServiceResult<()> {
    let mut tx = svc.db.begin_write().await?;
    sqlx::query("UPDATE user_credentials SET enabled = 0, locked_by_failures = 1 WHERE user_id = $1")
        .bind(u.id.0.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE auth_session SET revoked = 1 WHERE user_id = $1")
        .bind(u.id.0.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    svc.sessions.forget_user(u.id);
    crate::backend::audit::record_lockout(svc, u, failures).await;
    if svc.mailer.configured() {
        let mail = Mail::AccountLocked { email: u.email.clone(), attempts: failures };
        svc.mailer.send_later(u.email.clone(), mail.clone());
        if let Some(admin) = notify.filter(|e| !e.is_empty()) {
            svc.mailer.send_later(admin, mail);
        }
    }
    Ok(())
}

/// A successful sign-in starts the count again.
pub async fn clear(svc: &Services, u: &UserRecord) -> ServiceResult<()> {
    sqlx::query("UPDATE user_credentials SET failed_attempts = 0, locked_by_failures = 0 WHERE user_id = $1 AND failed_attempts <> 0")
        .bind(u.id.0.to_string())
        .execute(svc.db.writer())
        .await?;
    Ok(())
}
