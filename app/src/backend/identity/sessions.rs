//! Login sessions. Every token pair and every browser cookie belongs to a row in `auth_session`; revoking the row
//! ends them. Resolved sessions are cached per node for a few seconds and dropped at once on this node when
//! revoked or when their user changes.

use crate::backend::accounts::records::USER_COLUMNS;
use crate::backend::accounts::records::UserRecord;
use crate::backend::identity::session_cache::SessionView;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::kernel::tokens::new_secret;
use crate::backend::services::Services;
use crate::model::UserId;
use sqlx::Row;
use std::sync::Arc;
use uuid::Uuid;

/// Purpose tag of browser cookie secrets.
pub const COOKIE: &str = "cookie";
/// How long a browser session lasts without signing in again (ASVS L2: at most 12 h).
pub const BROWSER_SESSION_MS: i64 = 12 * 3_600_000;

/// How a session was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// A JWT pair from `/api/auth/login` or activation.
    Api,
    /// An HttpOnly cookie of the console.
    Browser,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Browser => "browser",
        }
    }
}

/// How far a session has come through sign-in. Only `Full` sessions act for their user; the others can only
/// finish the sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Full,
    /// The password was right; a second factor is pending.
    Verify,
    /// The password was right; the user must enrol a second factor first.
    Configure,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Full => "full",
            Stage::Verify => "verify",
            Stage::Configure => "configure",
        }
    }

    /// The JWT scope of a pending stage's token.
    pub fn scope(self) -> &'static str {
        match self {
            Stage::Full => "",
            Stage::Verify => crate::backend::identity::jwt::PRE_VERIFICATION_SCOPE,
            Stage::Configure => crate::backend::identity::jwt::MFA_CONFIGURATION_SCOPE,
        }
    }
}

/// Opens a session row; for browsers also returns the cookie secret.
pub async fn open(svc: &Services, user: &UserRecord, kind: SessionKind) -> ServiceResult<(Uuid, Option<String>)> {
    open_as(svc, user, kind, None).await
}

fn full_expiry(svc: &Services, kind: SessionKind, now: i64) -> i64 {
    match kind {
        SessionKind::Api => now + svc.config.refresh_token_ttl_secs * 1000,
        SessionKind::Browser => now + BROWSER_SESSION_MS,
    }
}

async fn insert(
    svc: &Services,
    user: &UserRecord,
    kind: SessionKind,
    stage: Stage,
    expires: i64,
    impersonator: Option<UserId>,
) -> ServiceResult<(Uuid, Option<String>)> {
    let id = Uuid::new_v4();
    let cookie = (kind == SessionKind::Browser).then(new_secret);
    sqlx::query(
        "INSERT INTO auth_session (id, user_id, kind, created_time, expires_at, refresh_jti, cookie_hash, revoked, \
         impersonated_by, stage) VALUES ($1, $2, $3, $4, $5, NULL, $6, 0, $7, $8)",
    )
    .bind(id.to_string())
    .bind(user.id.0.to_string())
    .bind(kind.as_str())
    .bind(now_ms())
    .bind(expires)
    .bind(cookie.as_ref().map(|c| hash_secret(COOKIE, c)))
    .bind(impersonator.map(|u| u.0.to_string()))
    .bind(stage.as_str())
    .execute(svc.db.writer())
    .await?;
    Ok((id, cookie))
}

async fn touch_last_login(svc: &Services, user: UserId) -> ServiceResult<()> {
    sqlx::query("UPDATE user_credentials SET last_login_ts = $1 WHERE user_id = $2")
        .bind(now_ms())
        .bind(user.0.to_string())
        .execute(svc.db.writer())
        .await?;
    Ok(())
}

/// Opens a session that acts as `user`, on behalf of `impersonator` when set ("Log in as user": the user's
/// last sign-in time is left alone).
pub async fn open_as(
    svc: &Services,
    user: &UserRecord,
    kind: SessionKind,
    impersonator: Option<UserId>,
) -> ServiceResult<(Uuid, Option<String>)> {
    let opened = insert(svc, user, kind, Stage::Full, full_expiry(svc, kind, now_ms()), impersonator).await?;
    if impersonator.is_none() {
        touch_last_login(svc, user.id).await?;
    }
    Ok(opened)
}

/// Opens a session whose sign-in waits for a second factor (`Verify`) or an enrolment (`Configure`); it ends
/// after `ttl_secs` unless `promote` completes it first.
pub async fn open_pending(
    svc: &Services,
    user: &UserRecord,
    kind: SessionKind,
    stage: Stage,
    ttl_secs: i64,
) -> ServiceResult<(Uuid, Option<String>)> {
    insert(svc, user, kind, stage, now_ms() + ttl_secs * 1000, None).await
}

/// Completes a pending sign-in: the session becomes a full one. `false` when it is not pending any more (already
/// completed, ended or expired), so one code can complete one sign-in only.
pub async fn promote(svc: &Services, session_id: Uuid, user: UserId, kind: SessionKind) -> ServiceResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE auth_session SET stage = 'full', expires_at = $1 \
         WHERE id = $2 AND stage <> 'full' AND revoked = 0 AND expires_at > $3",
    )
    .bind(full_expiry(svc, kind, now))
    .bind(session_id.to_string())
    .bind(now)
    .execute(svc.db.writer())
    .await?
    .rows_affected()
        == 1;
    if done {
        touch_last_login(svc, user).await?;
    }
    Ok(done)
}

/// Counts a wrong second-factor code against a pending session; returns how many it has had.
pub async fn count_code_failure(svc: &Services, session_id: Uuid) -> ServiceResult<i64> {
    let n: Option<i64> = sqlx::query_scalar(
        "UPDATE auth_session SET mfa_failures = mfa_failures + 1 WHERE id = $1 AND stage <> 'full' RETURNING mfa_failures",
    )
    .bind(session_id.to_string())
    .fetch_optional(svc.db.writer())
    .await?;
    Ok(n.unwrap_or(i64::MAX))
}

pub(crate) async fn load(
    svc: &Services,
    where_clause: &str,
    key: String,
    stage: Stage,
) -> ServiceResult<Option<(Uuid, SessionView, Option<String>)>> {
    let sql = format!(
        "SELECT s.id AS session_id, s.revoked, s.expires_at, s.refresh_jti, s.impersonated_by, {USER_COLUMNS} \
         FROM auth_session s JOIN tb_user u ON u.id = s.user_id JOIN user_credentials c ON c.user_id = u.id \
         WHERE {where_clause} AND s.stage = '{}'",
        stage.as_str()
    );
    let Some(row) = sqlx::query(&sql).bind(key).fetch_optional(&svc.db.pool).await? else { return Ok(None) };
    let revoked: i64 = row.try_get("revoked")?;
    let expires: i64 = row.try_get("expires_at")?;
    let user = crate::backend::accounts::records::from_row(&row)?;
    if revoked != 0 || expires <= now_ms() || !user.enabled {
        return Ok(None);
    }
    let sid: String = row.try_get("session_id")?;
    let sid = Uuid::parse_str(&sid).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let jti: Option<String> = row.try_get("refresh_jti")?;
    let principal = Principal {
        user_id: user.id,
        session_id: sid,
        authority: user.authority,
        tenant_id: user.tenant_id,
        customer_id: user.customer_id,
        email: user.email.clone(),
        impersonated_by: row
            .try_get::<Option<String>, _>("impersonated_by")?
            .and_then(|s| Uuid::parse_str(&s).ok())
            .map(UserId),
    };
    Ok(Some((sid, SessionView { principal, user }, jti)))
}

pub(crate) fn session_ended() -> ServiceError {
    ServiceError::Unauthenticated("Authentication failed".into())
}

/// Resolves an access token to a live session.
pub async fn from_access_token(svc: &Services, token: &str) -> ServiceResult<Arc<SessionView>> {
    let claims = svc.jwt.access(token)?;
    if let Some(v) = svc.sessions.get(claims.session_id) {
        return Ok(v);
    }
    let (sid, view, _) = load(svc, "s.id = $1 AND s.kind = 'api'", claims.session_id.to_string(), Stage::Full)
        .await?
        .ok_or_else(session_ended)?;
    if view.user.id.0 != claims.user_id {
        return Err(session_ended());
    }
    let view = Arc::new(view);
    svc.sessions.put(sid, view.clone());
    Ok(view)
}

/// Resolves the token of a pending sign-in at `stage` (never cached: these live minutes and are used a few times).
pub async fn from_pending_token(svc: &Services, token: &str, stage: Stage) -> ServiceResult<SessionView> {
    let claims = svc.jwt.pending(token, stage.scope())?;
    let (_, view, _) = load(svc, "s.id = $1 AND s.kind = 'api'", claims.session_id.to_string(), stage)
        .await?
        .ok_or_else(session_ended)?;
    if view.user.id.0 != claims.user_id {
        return Err(session_ended());
    }
    Ok(view)
}

/// Resolves a browser cookie to a live session.
pub async fn from_cookie(svc: &Services, cookie: &str) -> ServiceResult<Arc<SessionView>> {
    let (_, view, _) =
        load(svc, "s.cookie_hash = $1", hash_secret(COOKIE, cookie), Stage::Full).await?.ok_or_else(session_ended)?;
    Ok(Arc::new(view))
}

/// Resolves a browser cookie of a pending sign-in at `stage`.
pub async fn from_pending_cookie(svc: &Services, cookie: &str, stage: Stage) -> ServiceResult<SessionView> {
    let (_, view, _) =
        load(svc, "s.cookie_hash = $1", hash_secret(COOKIE, cookie), stage).await?.ok_or_else(session_ended)?;
    Ok(view)
}

/// Ends one session now.
pub async fn revoke(svc: &Services, session_id: Uuid) -> ServiceResult<()> {
    sqlx::query("UPDATE auth_session SET revoked = 1 WHERE id = $1")
        .bind(session_id.to_string())
        .execute(svc.db.writer())
        .await?;
    svc.sessions.forget_session(session_id);
    Ok(())
}

/// Ends every session of a user except `keep`.
pub async fn revoke_others(svc: &Services, user: UserId, keep: Option<Uuid>) -> ServiceResult<()> {
    sqlx::query("UPDATE auth_session SET revoked = 1 WHERE user_id = $1 AND id <> $2")
        .bind(user.0.to_string())
        .bind(keep.map(|k| k.to_string()).unwrap_or_default())
        .execute(svc.db.writer())
        .await?;
    svc.sessions.forget_user(user);
    Ok(())
}
