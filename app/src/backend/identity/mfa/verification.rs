//! The second step of a sign-in: which factors the user may use, a code checked once per time step (backup codes
//! spent with a compare-and-swap) under the per-user rate limit, wrong codes counted toward ending the pending
//! sign-in and the lockout, and completing the sign-in — also a sign-in held until the user enrols a factor.

use crate::backend::accounts::records::UserRecord;
use crate::backend::audit;
use crate::backend::identity::lockout;
use crate::backend::identity::mfa::BACKUP_PURPOSE;
use crate::backend::identity::mfa::CODES_PER_SIGN_IN;
use crate::backend::identity::mfa::bad;
use crate::backend::identity::mfa::enrolment::account_settings;
use crate::backend::identity::mfa::ensure_row;
use crate::backend::identity::mfa::secrets::issuer_or_default;
use crate::backend::identity::mfa::secrets::totp;
use crate::backend::identity::mfa::secrets::unseal;
use crate::backend::identity::mfa::stored;
use crate::backend::identity::session_cache::SessionView;
use crate::backend::identity::sessions;
use crate::backend::identity::sessions::SessionKind;
use crate::backend::identity::two_fa_settings as settings;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::services::Services;
use crate::model::JwtPair;
use crate::model::UserId;
use crate::model::mfa::PlatformTwoFaSettings;
use crate::model::mfa::TwoFaAccountConfig;
use crate::model::mfa::TwoFaProviderInfo;
use crate::model::mfa::TwoFaProviderType;

/// `GET /api/auth/2fa/providers`: what a pending sign-in may answer with.
pub async fn sign_in_providers(svc: &Services, view: &SessionView) -> ServiceResult<Vec<TwoFaProviderInfo>> {
    let a = account_settings(svc, view).await?;
    Ok(a.configs
        .iter()
        .filter_map(|(name, c)| {
            let default = match c {
                TwoFaAccountConfig::Totp { use_by_default, .. } => *use_by_default,
                TwoFaAccountConfig::BackupCode { use_by_default, .. } => *use_by_default,
            };
            Some(TwoFaProviderInfo {
                provider_type: TwoFaProviderType::parse(name)?,
                default,
                contact: None,
                min_verification_code_send_period: None,
            })
        })
        .collect())
}

/// Counts one code check against the user's rate limit; 429 when the window is full.
async fn take_check(svc: &Services, user: UserId, s: &PlatformTwoFaSettings) -> ServiceResult<()> {
    let Some((n, secs)) = settings::rate_limit(s) else { return Ok(()) };
    ensure_row(svc, user).await?;
    let now = now_ms();
    let checks: i64 = sqlx::query_scalar(
        "UPDATE user_mfa SET window_start = CASE WHEN window_start <= $1 THEN $2 ELSE window_start END, \
         window_checks = CASE WHEN window_start <= $1 THEN 1 ELSE window_checks + 1 END \
         WHERE user_id = $3 RETURNING window_checks",
    )
    .bind(now - secs * 1000)
    .bind(now)
    .bind(user.0.to_string())
    .fetch_one(svc.db.writer())
    .await?;
    if checks > n {
        return Err(ServiceError::TooManyRequests("Too many verification code checks; try again later".into()));
    }
    Ok(())
}

/// Whether `code` is right for factor `t`, spending it (a TOTP step or a backup code is accepted once).
async fn spend(svc: &Services, u: &UserRecord, t: TwoFaProviderType, code: &str) -> ServiceResult<bool> {
    let st = stored(svc, u.id).await?;
    let code = code.trim();
    match t {
        TwoFaProviderType::Totp => {
            let Some(sealed) = st.totp else { return Ok(false) };
            let s = settings::effective(svc, u.tenant_id).await?;
            let issuer = issuer_or_default(&s);
            let t = totp(unseal(svc, u.id, &sealed)?, &issuer, &u.email)?;
            let Some(step) = t.check(code, now_ms() as u64 / 1000) else { return Ok(false) };
            let step = step as i64;
            // The conditional update is what makes a step usable once, across nodes.
            let spent = sqlx::query("UPDATE user_mfa SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
                .bind(step)
                .bind(u.id.0.to_string())
                .execute(svc.db.writer())
                .await?
                .rows_affected();
            Ok(spent == 1 && step > st.last_step)
        }
        TwoFaProviderType::BackupCode => {
            let h = hash_secret(BACKUP_PURPOSE, code);
            if code.is_empty() || !st.backup.contains(&h) {
                return Ok(false);
            }
            let old = serde_json::Value::from(st.backup.clone()).to_string();
            let rest: Vec<String> = st.backup.into_iter().filter(|c| *c != h).collect();
            let spent = sqlx::query("UPDATE user_mfa SET backup_codes = $1 WHERE user_id = $2 AND backup_codes = $3")
                .bind(serde_json::Value::from(rest).to_string())
                .bind(u.id.0.to_string())
                .bind(old)
                .execute(svc.db.writer())
                .await?
                .rows_affected();
            Ok(spent == 1)
        }
    }
}

/// `POST /api/auth/2fa/verification/check`: completes a pending sign-in with a code. Wrong codes count against
/// the pending sign-in (it ends after `CODES_PER_SIGN_IN`) and the account (locked after the configured number).
pub async fn check(
    svc: &Services,
    view: &SessionView,
    kind: SessionKind,
    t: TwoFaProviderType,
    code: &str,
) -> ServiceResult<()> {
    let u = &view.user;
    let s = settings::effective(svc, u.tenant_id).await?;
    take_check(svc, u.id, &s).await?;
    if code.len() > 64 || !spend(svc, u, t, code).await? {
        let sid = view.principal.session_id;
        let e = audit::Entry::by_user_itself(u, audit::Action::Login).failed("Verification code is incorrect");
        audit::record(svc, e.with(serde_json::json!({"twoFaProvider": t.as_str()}))).await;
        let user_failures: i64 =
            sqlx::query_scalar("UPDATE user_mfa SET failures = failures + 1 WHERE user_id = $1 RETURNING failures")
                .bind(u.id.0.to_string())
                .fetch_optional(svc.db.writer())
                .await?
                .unwrap_or(0);
        let max = s.max_verification_failures_before_user_lockout;
        if max > 0 && user_failures > max {
            lockout::lock(svc, u, user_failures).await?;
            return Err(ServiceError::BadCredentials("User account is locked due to security policy".into()));
        }
        if sessions::count_code_failure(svc, sid).await? >= CODES_PER_SIGN_IN {
            sessions::revoke(svc, sid).await?;
            return Err(ServiceError::Unauthenticated("Too many wrong codes; sign in again".into()));
        }
        return Err(bad("Verification code is incorrect"));
    }
    sqlx::query("UPDATE user_mfa SET failures = 0 WHERE user_id = $1")
        .bind(u.id.0.to_string())
        .execute(svc.db.writer())
        .await?;
    complete(svc, view, kind, Some(t)).await
}

/// Turns a pending session into a full one (once) and audits the sign-in.
pub async fn complete(
    svc: &Services,
    view: &SessionView,
    kind: SessionKind,
    factor: Option<TwoFaProviderType>,
) -> ServiceResult<()> {
    if !sessions::promote(svc, view.principal.session_id, view.user.id, kind).await? {
        return Err(ServiceError::Unauthenticated("Authentication failed".into()));
    }
    let e = audit::Entry::by_user_itself(&view.user, audit::Action::Login);
    audit::record(svc, e.with(serde_json::json!({"twoFaProvider": factor.map(|f| f.as_str())}))).await;
    Ok(())
}

/// The session that enrolled the user's TOTP, if any.
async fn enrolled_by(svc: &Services, user: UserId) -> ServiceResult<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT enrolled_session FROM user_mfa WHERE user_id = $1 AND totp_secret IS NOT NULL",
    )
    .bind(user.0.to_string())
    .fetch_optional(&svc.db.pool)
    .await?
    .flatten())
}

/// A sign-in held for enrolment may enrol only while the user has no factor, or the one it enrolled itself:
/// someone who knows only the password cannot replace a factor the user has set up meanwhile.
pub async fn guard_configure(svc: &Services, view: &SessionView) -> ServiceResult<()> {
    if stored(svc, view.user.id).await?.totp.is_none() {
        return Ok(());
    }
    match enrolled_by(svc, view.user.id).await? {
        Some(s) if s == view.principal.session_id.to_string() => Ok(()),
        _ => Err(ServiceError::Unauthenticated("A second factor is set up already; sign in again".into())),
    }
}

/// `POST /api/auth/2fa/login`: the enrolment this pending sign-in made is done; the session becomes a full one.
/// A factor enrolled through another session does not count (that would let a password alone in).
pub async fn finish_configuration(svc: &Services, view: &SessionView) -> ServiceResult<JwtPair> {
    if enrolled_by(svc, view.user.id).await?.as_deref() != Some(view.principal.session_id.to_string().as_str()) {
        return Err(bad("Configure a 2FA provider first"));
    }
    complete(svc, view, SessionKind::Api, None).await?;
    crate::backend::identity::session_tokens::issue_pair(svc, &view.user, view.principal.session_id, None).await
}
