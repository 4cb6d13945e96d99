//! Who may or must use a second factor: the platform's settings (system administrator) and each tenant's own
//! (tenant administrator; "use the system settings" by default). Stored as JSON rows in `settings` and read on
//! every use, so all nodes apply a change from the next sign-in on.

use crate::backend::authz;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::TenantId;
use crate::model::mfa::PlatformTwoFaSettings;
use crate::model::mfa::TwoFaProviderConfig;
use crate::model::mfa::TwoFaProviderType;

fn key(tenant: Option<TenantId>) -> String {
    match tenant {
        None => "two_fa_settings".into(),
        Some(t) => format!("two_fa_settings:{}", t.0),
    }
}

async fn stored(svc: &Services, tenant: Option<TenantId>) -> ServiceResult<Option<PlatformTwoFaSettings>> {
    let raw: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key(tenant))
        .fetch_optional(&svc.db.pool)
        .await?;
    Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
}

/// The settings that apply to a user of `tenant` (the platform's for the system administrator, and for tenants
/// that follow them).
pub async fn effective(svc: &Services, tenant: Option<TenantId>) -> ServiceResult<PlatformTwoFaSettings> {
    if tenant.is_some()
        && let Some(t) = stored(svc, tenant).await?
        && !t.use_system_two_factor_auth_settings
    {
        return Ok(t);
    }
    let mut s = stored(svc, None).await?.unwrap_or_default();
    s.use_system_two_factor_auth_settings = tenant.is_some();
    Ok(s)
}

/// `GET /api/2fa/settings`: the caller's own level.
pub async fn get(svc: &Services, p: &Principal) -> ServiceResult<PlatformTwoFaSettings> {
    let scope = authz::scopes::two_fa_settings_scope(p)?;
    match scope {
        None => Ok(PlatformTwoFaSettings { use_system_two_factor_auth_settings: false, ..effective(svc, None).await? }),
        Some(_) => Ok(match stored(svc, scope).await? {
            Some(s) => s,
            None => effective(svc, scope).await?,
        }),
    }
}

/// `POST /api/2fa/settings`: validated whole, then stored for the caller's level.
pub async fn save(svc: &Services, p: &Principal, mut s: PlatformTwoFaSettings) -> ServiceResult<PlatformTwoFaSettings> {
    let scope = authz::scopes::two_fa_settings_scope(p)?;
    if scope.is_none() {
        s.use_system_two_factor_auth_settings = false;
    }
    validate(&s)?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
        .bind(key(scope))
        .bind(serde_json::to_string(&s).map_err(|e| ServiceError::Internal(e.to_string()))?)
        .execute(svc.db.writer())
        .await?;
    Ok(s)
}

/// The `"checks:seconds"` rate limit, if one is set.
pub fn rate_limit(s: &PlatformTwoFaSettings) -> Option<(i64, i64)> {
    let raw = s.verification_code_check_rate_limit.as_deref()?.trim();
    if raw.is_empty() {
        return None;
    }
    let (n, secs) = raw.split_once(':')?;
    Some((n.trim().parse().ok()?, secs.trim().parse().ok()?))
}

/// The provider's configuration, if the settings enable it.
pub fn provider(s: &PlatformTwoFaSettings, t: TwoFaProviderType) -> Option<&TwoFaProviderConfig> {
    s.providers.iter().find(|p| p.provider_type() == t)
}

fn validate(s: &PlatformTwoFaSettings) -> ServiceResult<()> {
    let bad = |m: &str| Err(ServiceError::InvalidArguments(m.to_string()));
    let mut seen = Vec::new();
    for p in &s.providers {
        if seen.contains(&p.provider_type()) {
            return bad("Each 2FA provider may be configured once");
        }
        seen.push(p.provider_type());
        match p {
            TwoFaProviderConfig::Totp { issuer_name } => {
                let n = issuer_name.trim();
                if n.is_empty() || n.len() > 100 || n.contains(':') {
                    return bad("TOTP issuerName must be 1 to 100 characters without ':'");
                }
            }
            TwoFaProviderConfig::BackupCode { codes_quantity } => {
                if !(1..=50).contains(codes_quantity) {
                    return bad("BACKUP_CODE codesQuantity must be between 1 and 50");
                }
            }
        }
    }
    if seen == [TwoFaProviderType::BackupCode] {
        return bad("Backup codes need another 2FA provider");
    }
    if s.enforce_two_fa && !seen.contains(&TwoFaProviderType::Totp) {
        return bad("Enforcing 2FA needs the TOTP provider");
    }
    if let Some(raw) = s.verification_code_check_rate_limit.as_deref().filter(|r| !r.trim().is_empty()) {
        match rate_limit(s) {
            Some((n, secs)) if (1..=1000).contains(&n) && (1..=86_400).contains(&secs) => {}
            _ => return Err(ServiceError::InvalidArguments(format!("Invalid verificationCodeCheckRateLimit '{raw}'"))),
        }
    }
    if !(0..=1000).contains(&s.max_verification_failures_before_user_lockout) {
        return bad("maxVerificationFailuresBeforeUserLockout must be between 0 and 1000");
    }
    if !(60..=3600).contains(&s.total_allowed_time_for_verification) {
        return bad("totalAllowedTimeForVerification must be between 60 and 3600 seconds");
    }
    if !(0..=3600).contains(&s.min_verification_code_send_period) {
        return bad("minVerificationCodeSendPeriod must be between 0 and 3600 seconds");
    }
    Ok(())
}
