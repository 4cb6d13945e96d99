//! The system administrator's security settings: password policy, lockout threshold and link lifetimes. Stored as
//! one JSON row in `settings` and read from the database on each use (one primary-key read), so every node
//! applies a change from the next request on.

use crate::backend::authz;
use crate::backend::authz::Operation;
use crate::backend::authz::Target;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::SecuritySettings;

const KEY: &str = "security_settings";

/// The settings in force (defaults until the system administrator saves some).
pub async fn current(svc: &Services) -> ServiceResult<SecuritySettings> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(KEY).fetch_optional(&svc.db.pool).await?;
    Ok(stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// `GET /api/admin/securitySettings`.
pub async fn get(svc: &Services, p: &Principal) -> ServiceResult<SecuritySettings> {
    authz::check(p, Operation::Read, Target::AdminSettings, "Settings", "security")?;
    current(svc).await
}

/// `POST /api/admin/securitySettings`: validated whole, then stored.
pub async fn save(svc: &Services, p: &Principal, s: SecuritySettings) -> ServiceResult<SecuritySettings> {
    authz::check(p, Operation::Write, Target::AdminSettings, "Settings", "security")?;
    validate(&s)?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
        .bind(KEY)
        .bind(serde_json::to_string(&s).map_err(|e| ServiceError::Internal(e.to_string()))?)
        .execute(svc.db.writer())
        .await?;
    Ok(s)
}

fn validate(s: &SecuritySettings) -> ServiceResult<()> {
    let bad = |m: &str| Err(ServiceError::InvalidArguments(m.to_string()));
    let pp = &s.password_policy;
    if !(8..=128).contains(&pp.minimum_length) {
        return bad("passwordPolicy.minimumLength must be between 8 and 128");
    }
    if pp.maximum_length < 64 || pp.maximum_length > 4096 || pp.maximum_length < pp.minimum_length {
        return bad("passwordPolicy.maximumLength must be between 64 and 4096 and not below minimumLength");
    }
    if !(1..=24).contains(&s.user_activation_token_ttl) {
        return bad("userActivationTokenTtl must be between 1 and 24 hours");
    }
    if !(1..=24).contains(&s.password_reset_token_ttl) {
        return bad("passwordResetTokenTtl must be between 1 and 24 hours");
    }
    if s.max_failed_login_attempts.is_some_and(|n| !(0..=100).contains(&n)) {
        return bad("maxFailedLoginAttempts must be between 0 and 100");
    }
    if let Some(e) = s.user_lockout_notification_email.as_deref().filter(|e| !e.is_empty())
        && !crate::backend::kernel::validate::is_email(e)
    {
        return bad("userLockoutNotificationEmail is not an email address");
    }
    Ok(())
}
