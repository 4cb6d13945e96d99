//! Login sessions. Every token pair and every browser cookie belongs to a row in `auth_session`; revoking the row
//! ends them. Resolved sessions are cached per node for a few seconds and dropped at once on this node when
//! revoked or when their user changes.

use crate::backend::accounts::records::USER_COLUMNS;
use crate::backend::accounts::records::UserRecord;
use crate::backend::identity::jwt::AccessClaims;
use crate::backend::identity::jwt::ISSUER;
use crate::backend::identity::jwt::RefreshClaims;
use crate::backend::identity::session_cache::SessionView;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::kernel::tokens::new_secret;
use crate::backend::services::Services;
use crate::model::JwtPair;
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

/// The access claims of `user` in `session_id`, with one scope, valid `ttl_secs`.
fn access_claims(
    user: &UserRecord,
    session_id: Uuid,
    scope: &str,
    impersonated_by: Option<UserId>,
    ttl_secs: i64,
) -> AccessClaims {
    let now_s = now_ms() / 1000;
    AccessClaims {
        sub: user.email.clone(),
        user_id: user.id.0,
        scopes: vec![scope.to_string()],
        session_id,
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        enabled: user.enabled,
        is_public: false,
        impersonated_by: impersonated_by.map(|u| u.0),
        tenant_id: Some(user.tenant_id.map(|t| t.0).unwrap_or(crate::model::NULL_UUID)),
        customer_id: Some(user.customer_id.map(|c| c.0).unwrap_or(crate::model::NULL_UUID)),
        iss: ISSUER.into(),
        iat: now_s,
        exp: now_s + ttl_secs,
    }
}

/// The token of a pending sign-in (no refresh token: it cannot outlive its stage).
pub fn issue_pending(
    svc: &Services,
    user: &UserRecord,
    session_id: Uuid,
    stage: Stage,
    ttl_secs: i64,
) -> ServiceResult<JwtPair> {
    let claims = access_claims(user, session_id, stage.scope(), None, ttl_secs);
    Ok(JwtPair { token: svc.jwt.sign(&claims)?, refresh_token: None, scope: Some(stage.scope().to_string()) })
}

/// Signs a new access token and a new refresh token for a session, rotating the refresh token's id so an older
/// refresh token no longer works.
pub async fn issue_pair(
    svc: &Services,
    user: &UserRecord,
    session_id: Uuid,
    impersonated_by: Option<UserId>,
) -> ServiceResult<JwtPair> {
    let now_s = now_ms() / 1000;
    let jti = Uuid::new_v4();
    let access =
        access_claims(user, session_id, user.authority.as_str(), impersonated_by, svc.config.access_token_ttl_secs);
    let refresh = RefreshClaims {
        sub: user.email.clone(),
        user_id: user.id.0,
        scopes: vec![crate::backend::identity::jwt::REFRESH_SCOPE.into()],
        session_id,
        is_public: false,
        jti,
        iss: ISSUER.into(),
        iat: now_s,
        exp: now_s + svc.config.refresh_token_ttl_secs,
    };
    sqlx::query("UPDATE auth_session SET refresh_jti = $1, expires_at = $2 WHERE id = $3 AND revoked = 0")
        .bind(jti.to_string())
        .bind(refresh.exp * 1000)
        .bind(session_id.to_string())
        .execute(svc.db.writer())
        .await?;
    Ok(JwtPair { token: svc.jwt.sign(&access)?, refresh_token: Some(svc.jwt.sign(&refresh)?), scope: None })
}

async fn load(
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

fn session_ended() -> ServiceError {
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

/// Rotates a token pair: the refresh token must be the session's current one. A replayed older refresh token
/// means the pair leaked, so the whole session is ended.
pub async fn refresh(svc: &Services, refresh_token: &str) -> ServiceResult<JwtPair> {
    let claims = svc.jwt.refresh(refresh_token)?;
    let (sid, view, jti) = load(svc, "s.id = $1 AND s.kind = 'api'", claims.session_id.to_string(), Stage::Full)
        .await?
        .ok_or_else(session_ended)?;
    if jti.as_deref() != Some(claims.jti.to_string().as_str()) {
        revoke(svc, sid).await?;
        return Err(session_ended());
    }
    issue_pair(svc, &view.user, sid, view.principal.impersonated_by).await
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

/// One of a user's live sessions, as its owner sees them on the profile page.
#[derive(Clone, Debug)]
pub struct LiveSession {
    pub id: Uuid,
    pub kind: SessionKind,
    pub created_time: i64,
    pub expires_at: i64,
    /// "Log in as user": who acts through it.
    pub impersonated_by: Option<String>,
}

/// The user's sessions that can still act (signed in fully, not revoked, not expired), newest first.
pub async fn live(svc: &Services, user: UserId) -> ServiceResult<Vec<LiveSession>> {
    let rows = sqlx::query(
        "SELECT s.id, s.kind, s.created_time, s.expires_at, u.email AS by_email FROM auth_session s \
         LEFT JOIN tb_user u ON u.id = s.impersonated_by \
         WHERE s.user_id = $1 AND s.revoked = 0 AND s.stage = 'full' AND s.expires_at > $2 \
         ORDER BY s.created_time DESC, s.id LIMIT 200",
    )
    .bind(user.0.to_string())
    .bind(now_ms())
    .fetch_all(&svc.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LiveSession {
                id: Uuid::parse_str(&r.try_get::<String, _>("id")?)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                kind: if r.try_get::<String, _>("kind")? == "browser" {
                    SessionKind::Browser
                } else {
                    SessionKind::Api
                },
                created_time: r.try_get("created_time")?,
                expires_at: r.try_get("expires_at")?,
                impersonated_by: r.try_get("by_email")?,
            })
        })
        .collect()
}

/// Ends one of the caller's own sessions (not someone else's: that answers "not found").
pub async fn end_own(svc: &Services, p: &Principal, session_id: Uuid) -> ServiceResult<()> {
    p.require_own_session()?;
    let done = sqlx::query("UPDATE auth_session SET revoked = 1 WHERE id = $1 AND user_id = $2 AND revoked = 0")
        .bind(session_id.to_string())
        .bind(p.user_id.0.to_string())
        .execute(svc.db.writer())
        .await?
        .rows_affected();
    if done == 0 {
        return Err(ServiceError::NotFound(format!("Session with id [{session_id}] is not found")));
    }
    svc.sessions.forget_session(session_id);
    Ok(())
}
