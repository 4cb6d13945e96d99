//! Activation links. The secret is derived from a random per-user nonce with the server's link key (HMAC), so the
//! same link can be shown again while it is valid (ThingsBoard renews it only when under 15 minutes remain), yet
//! the database holds only the nonce and the secret's hash. The link is used once: activation clears both.

use crate::backend::accounts::records::UserRecord;
use crate::backend::authz::Operation;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::tokens::LinkState;
use crate::backend::kernel::tokens::derive_secret;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::kernel::tokens::new_secret;
use crate::backend::mail::templates::Mail;
use crate::backend::services::Services;
use crate::model::UserActivationLink;
use crate::model::UserId;
use sqlx::Row;
use uuid::Uuid;

/// Purpose tag of activation secrets.
pub const ACTIVATE: &str = "activate";
/// A link with less than this left is replaced by a new one when asked for again.
const RENEW_BELOW_MS: i64 = 15 * 60_000;

/// The link for a not-yet-activated user, re-shown while it has 15 minutes or more left, else renewed.
pub async fn issue(svc: &Services, u: &UserRecord) -> ServiceResult<UserActivationLink> {
    if u.password_hash.is_some() {
        return Err(ServiceError::InvalidArguments("User is already activated!".into()));
    }
    let row = sqlx::query("SELECT activate_nonce, activate_expires FROM user_credentials WHERE user_id = $1")
        .bind(u.id.0.to_string())
        .fetch_one(&svc.db.pool)
        .await?;
    let nonce: Option<String> = row.try_get("activate_nonce")?;
    let expires: Option<i64> = row.try_get("activate_expires")?;
    let now = now_ms();
    let (nonce, expires) = match (nonce, expires) {
        (Some(n), Some(e)) if e - now >= RENEW_BELOW_MS => (n, e),
        _ => {
            let ttl_ms =
                crate::backend::identity::security_settings::current(svc).await?.user_activation_token_ttl * 3_600_000;
            let n = new_secret();
            let secret = derive_secret(&svc.link_key, ACTIVATE, u.id.0, &n)?;
            sqlx::query(
                "UPDATE user_credentials SET activate_nonce = $1, activate_token_hash = $2, activate_expires = $3 \
                 WHERE user_id = $4 AND password_hash IS NULL",
            )
            .bind(&n)
            .bind(hash_secret(ACTIVATE, &secret))
            .bind(now + ttl_ms)
            .bind(u.id.0.to_string())
            .execute(svc.db.writer())
            .await?;
            (n, now + ttl_ms)
        }
    };
    let secret = derive_secret(&svc.link_key, ACTIVATE, u.id.0, &nonce)?;
    Ok(UserActivationLink {
        value: format!("{}/api/noauth/activate?activateToken={secret}", svc.config.public_url),
        ttl_ms: expires - now,
    })
}

/// `GET /api/user/{id}/activationLink(Info)`: for whoever may change the user.
pub async fn link(svc: &Services, p: &Principal, id: UserId) -> ServiceResult<UserActivationLink> {
    let u = crate::backend::accounts::records::find(&svc.db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", id))?;
    crate::backend::authz::users::check(svc, p, Operation::Write, &u).await?;
    issue(svc, &u).await
}

/// Mails the activation link to the user.
pub async fn send_mail(svc: &Services, u: &UserRecord) -> ServiceResult<()> {
    svc.mailer.require("user activation email")?;
    let link = issue(svc, u).await?;
    let ttl_hours = (link.ttl_ms + 3_599_999) / 3_600_000;
    svc.mailer.send(&u.email, &Mail::Activation { link: link.value, ttl_hours }).await
}

/// `POST /api/user/sendActivationMail?email=`: mails the link again to a user the caller may change.
///
/// A missing address and a user the caller may not change answer alike, without ids, so the call tells nobody
/// which addresses exist elsewhere.
pub async fn resend(svc: &Services, p: &Principal, email: &str) -> ServiceResult<()> {
    let unknown = || ServiceError::NotFound(format!("User with email '{}' is not found", email.trim()));
    let u = crate::backend::accounts::records::find_by_email(&svc.db, email).await?.ok_or_else(unknown)?;
    match crate::backend::authz::users::check(svc, p, Operation::Write, &u).await {
        Ok(()) => send_mail(svc, &u).await,
        Err(ServiceError::Forbidden | ServiceError::NotFound(_)) => Err(unknown()),
        Err(e) => Err(e),
    }
}

/// Looks at an activation secret without using it.
pub async fn state(svc: &Services, secret: &str) -> ServiceResult<LinkState> {
    let expires: Option<Option<i64>> =
        sqlx::query_scalar("SELECT activate_expires FROM user_credentials WHERE activate_token_hash = $1")
            .bind(hash_secret(ACTIVATE, secret))
            .fetch_optional(&svc.db.pool)
            .await?;
    Ok(LinkState::of(expires, now_ms()))
}

/// Sets the first password from an activation secret and enables the account; the secret is spent.
pub async fn activate(svc: &Services, secret: &str, password: &str) -> ServiceResult<UserRecord> {
    crate::backend::identity::passwords::check(svc, password).await?;
    let hash = svc.hasher.hash(password).await?;
    let mut tx = svc.db.begin_write().await?;
    let row = sqlx::query("SELECT user_id, activate_expires FROM user_credentials WHERE activate_token_hash = $1")
        .bind(hash_secret(ACTIVATE, secret))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ServiceError::InvalidArguments("Invalid activation token!".into()))?;
    let user_id: String = row.try_get("user_id")?;
    let exp: Option<i64> = row.try_get("activate_expires")?;
    if exp.unwrap_or(0) <= now_ms() {
        return Err(ServiceError::InvalidArguments("Activation token expired".into()));
    }
    let done = sqlx::query(
        "UPDATE user_credentials SET password_hash = $1, enabled = 1, activate_token_hash = NULL, \
         activate_expires = NULL, activate_nonce = NULL WHERE user_id = $2 AND activate_token_hash = $3",
    )
    .bind(hash)
    .bind(&user_id)
    .bind(hash_secret(ACTIVATE, secret))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(ServiceError::InvalidArguments("Invalid activation token!".into()));
    }
    tx.commit().await?;
    let id = UserId(Uuid::parse_str(&user_id).map_err(|e| ServiceError::Internal(e.to_string()))?);
    svc.sessions.forget_user(id);
    let u = crate::backend::accounts::records::find(&svc.db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", id))?;
    if svc.mailer.configured() {
        svc.mailer
            .send_later(u.email.clone(), Mail::Activated { login_url: format!("{}/login", svc.config.public_url) });
    }
    Ok(u)
}
