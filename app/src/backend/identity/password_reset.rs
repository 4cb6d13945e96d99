//! "Forgot password": a mailed link that sets a new password once. Requests always answer the same way and the
//! work happens after the answer, so neither the reply nor its timing tells whether an account exists. At most
//! five links per user per hour; a reset ends every session of the user and spends every outstanding link.

use crate::backend::accounts::records::UserRecord;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::LinkState;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::kernel::tokens::new_secret;
use crate::backend::mail::templates::Mail;
use crate::backend::services::Services;
use crate::backend::services::Svc;
use crate::model::UserId;
use sqlx::Row;
use uuid::Uuid;

/// Purpose tag of reset secrets.
pub const RESET: &str = "reset";
/// Links per user per hour (ThingsBoard's `5:3600`).
pub const PER_HOUR: i64 = 5;

/// `POST /api/noauth/resetPasswordByEmail`: answers at once; a link is mailed later if the account exists, is
/// active, mail is configured and the hourly allowance is not used up.
pub fn request(svc: Svc, email: &str) {
    let email = email.trim().to_lowercase();
    if email.is_empty() || email.len() > 255 {
        return;
    }
    tokio::spawn(async move {
        if let Err(e) = send_link(&svc, &email).await {
            tracing::warn!("password reset for a requested address not sent: {e}");
        }
    });
}

async fn send_link(svc: &Services, email: &str) -> ServiceResult<()> {
    let Some(u) = crate::backend::accounts::records::find_by_email(&svc.db, email).await? else { return Ok(()) };
    if !u.enabled || u.password_hash.is_none() || !svc.mailer.configured() {
        return Ok(());
    }
    let now = now_ms();
    let ttl_hours = crate::backend::identity::security_settings::current(svc).await?.password_reset_token_ttl;
    let mut tx = svc.db.begin_write().await?;
    // Locks the user's credentials row so concurrent requests count one after another.
    sqlx::query("UPDATE user_credentials SET failed_attempts = failed_attempts WHERE user_id = $1")
        .bind(u.id.0.to_string())
        .execute(&mut *tx)
        .await?;
    let recent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM password_reset WHERE user_id = $1 AND created_time > $2")
            .bind(u.id.0.to_string())
            .bind(now - 3_600_000)
            .fetch_one(&mut *tx)
            .await?;
    if recent >= PER_HOUR {
        tracing::info!("password reset allowance used up for a user");
        return Ok(());
    }
    let secret = new_secret();
    sqlx::query("DELETE FROM password_reset WHERE user_id = $1 AND created_time < $2")
        .bind(u.id.0.to_string())
        .bind(now - 25 * 3_600_000)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO password_reset (token_hash, user_id, created_time, expires_at, used) VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(hash_secret(RESET, &secret))
    .bind(u.id.0.to_string())
    .bind(now)
    .bind(now + ttl_hours * 3_600_000)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let link = format!("{}/api/noauth/resetPassword?resetToken={secret}", svc.config.public_url);
    svc.mailer.send(&u.email, &Mail::ResetPassword { link, ttl_minutes: ttl_hours * 60 }).await
}

/// Looks at a reset secret without using it (spent ones are unknown).
pub async fn state(svc: &Services, secret: &str) -> ServiceResult<LinkState> {
    let expires: Option<i64> =
        sqlx::query_scalar("SELECT expires_at FROM password_reset WHERE token_hash = $1 AND used = 0")
            .bind(hash_secret(RESET, secret))
            .fetch_optional(&svc.db.pool)
            .await?;
    Ok(LinkState::of(expires.map(Some), now_ms()))
}

/// `POST /api/noauth/resetPassword`: sets the new password, spends every reset link of the user and ends all
/// its sessions. Multi-factor sign-in stays required afterwards (the reset signs nobody in).
pub async fn reset(svc: &Services, secret: &str, password: &str) -> ServiceResult<UserRecord> {
    let invalid = || ServiceError::InvalidArguments("Invalid reset token!".into());
    if secret.is_empty() || secret.len() > 200 {
        return Err(invalid());
    }
    crate::backend::identity::passwords::check(svc, password).await?;
    let hash = svc.hasher.hash(password).await?;
    let mut tx = svc.db.begin_write().await?;
    let row = sqlx::query("SELECT user_id, expires_at FROM password_reset WHERE token_hash = $1 AND used = 0")
        .bind(hash_secret(RESET, secret))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(invalid)?;
    if row.try_get::<i64, _>("expires_at")? <= now_ms() {
        return Err(ServiceError::InvalidArguments("Password reset token expired".into()));
    }
    let user_id: String = row.try_get("user_id")?;
    let spent = sqlx::query("UPDATE password_reset SET used = 1 WHERE user_id = $1 AND used = 0")
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    if spent.rows_affected() == 0 {
        return Err(invalid());
    }
    sqlx::query("UPDATE user_credentials SET password_hash = $1 WHERE user_id = $2")
        .bind(hash)
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE auth_session SET revoked = 1 WHERE user_id = $1").bind(&user_id).execute(&mut *tx).await?;
    tx.commit().await?;
    let id = UserId(Uuid::parse_str(&user_id).map_err(|e| ServiceError::Internal(e.to_string()))?);
    svc.sessions.forget_user(id);
    let u = crate::backend::accounts::records::find(&svc.db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", id))?;
    let e = crate::backend::audit::Entry::by_user_itself(&u, crate::backend::audit::Action::CredentialsUpdated);
    crate::backend::audit::record(svc, e.with(serde_json::json!({"passwordReset": true}))).await;
    svc.mailer
        .send_later(u.email.clone(), Mail::PasswordWasReset { login_url: format!("{}/login", svc.config.public_url) });
    Ok(u)
}
