//! Login sessions. Every token pair and every browser cookie belongs to a row in `auth_session`; revoking the row
//! ends them. Resolved sessions are cached per node for a few seconds and dropped at once on this node when
//! revoked or when their user changes.

use super::clock::now_ms;
use super::error::{ServiceError, ServiceResult};
use super::jwt::{AccessClaims, ISSUER, RefreshClaims};
use super::principal::Principal;
use super::state::Services;
use super::tokens::{hash_secret, new_secret};
use super::users::{self, USER_COLUMNS, UserRecord};
use crate::model::{JwtPair, TenantId, UserId};
use dashmap::DashMap;
use sqlx::Row;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Purpose tag of browser cookie secrets.
pub const COOKIE: &str = "cookie";
/// How long a browser session lasts without signing in again (ASVS L2: at most 12 h).
pub const BROWSER_SESSION_MS: i64 = 12 * 3_600_000;
/// How long a node trusts a cached session before looking again.
const CACHE_TTL: Duration = Duration::from_secs(5);

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

/// A resolved, valid session.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub principal: Principal,
    pub user: UserRecord,
}

/// Per-node cache of resolved sessions.
#[derive(Default)]
pub struct SessionCache {
    by_session: DashMap<Uuid, (Instant, Arc<SessionView>)>,
}

impl SessionCache {
    fn get(&self, id: Uuid) -> Option<Arc<SessionView>> {
        let hit = self.by_session.get(&id).map(|e| (e.0, e.1.clone()));
        match hit {
            Some((at, v)) if at.elapsed() < CACHE_TTL => Some(v),
            Some(_) => {
                self.by_session.remove(&id);
                None
            }
            None => None,
        }
    }

    fn put(&self, id: Uuid, v: Arc<SessionView>) {
        if self.by_session.len() > 100_000 {
            self.by_session.retain(|_, e| e.0.elapsed() < CACHE_TTL);
        }
        self.by_session.insert(id, (Instant::now(), v));
    }

    /// Drops one session.
    pub fn forget_session(&self, id: Uuid) {
        self.by_session.remove(&id);
    }

    /// Drops every session of a user (password, profile or status changed).
    pub fn forget_user(&self, user: UserId) {
        self.by_session.retain(|_, e| e.1.principal.user_id != user);
    }

    /// Drops every session of a tenant (tenant deleted).
    pub fn forget_tenant(&self, tenant: TenantId) {
        self.by_session.retain(|_, e| e.1.principal.tenant_id != Some(tenant));
    }
}

/// Opens a session row; for browsers also returns the cookie secret.
pub async fn open(svc: &Services, user: &UserRecord, kind: SessionKind) -> ServiceResult<(Uuid, Option<String>)> {
    open_as(svc, user, kind, None).await
}

/// Opens a session that acts as `user`, on behalf of `impersonator` when set ("Log in as user": the user's
/// last sign-in time is left alone).
pub async fn open_as(
    svc: &Services,
    user: &UserRecord,
    kind: SessionKind,
    impersonator: Option<UserId>,
) -> ServiceResult<(Uuid, Option<String>)> {
    let id = Uuid::new_v4();
    let now = now_ms();
    let (expires, cookie) = match kind {
        SessionKind::Api => (now + svc.config.refresh_token_ttl_secs * 1000, None),
        SessionKind::Browser => (now + BROWSER_SESSION_MS, Some(new_secret())),
    };
    sqlx::query(
        "INSERT INTO auth_session (id, user_id, kind, created_time, expires_at, refresh_jti, cookie_hash, revoked, \
         impersonated_by) VALUES ($1, $2, $3, $4, $5, NULL, $6, 0, $7)",
    )
    .bind(id.to_string())
    .bind(user.id.0.to_string())
    .bind(kind.as_str())
    .bind(now)
    .bind(expires)
    .bind(cookie.as_ref().map(|c| hash_secret(COOKIE, c)))
    .bind(impersonator.map(|u| u.0.to_string()))
    .execute(&svc.db.pool)
    .await?;
    if impersonator.is_some() {
        return Ok((id, cookie));
    }
    sqlx::query("UPDATE user_credentials SET last_login_ts = $1 WHERE user_id = $2")
        .bind(now)
        .bind(user.id.0.to_string())
        .execute(&svc.db.pool)
        .await?;
    Ok((id, cookie))
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
    let scope = user.authority.as_str().to_string();
    let access = AccessClaims {
        sub: user.email.clone(),
        user_id: user.id.0,
        scopes: vec![scope],
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
        exp: now_s + svc.config.access_token_ttl_secs,
    };
    let refresh = RefreshClaims {
        sub: user.email.clone(),
        user_id: user.id.0,
        scopes: vec!["REFRESH_TOKEN".into()],
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
        .execute(&svc.db.pool)
        .await?;
    Ok(JwtPair { token: svc.jwt.sign(&access)?, refresh_token: svc.jwt.sign(&refresh)? })
}

async fn load(
    svc: &Services,
    where_clause: &str,
    key: String,
) -> ServiceResult<Option<(Uuid, SessionView, Option<String>)>> {
    let sql = format!(
        "SELECT s.id AS session_id, s.revoked, s.expires_at, s.refresh_jti, s.impersonated_by, {USER_COLUMNS} \
         FROM auth_session s JOIN tb_user u ON u.id = s.user_id JOIN user_credentials c ON c.user_id = u.id WHERE {where_clause}"
    );
    let Some(row) = sqlx::query(&sql).bind(key).fetch_optional(&svc.db.pool).await? else { return Ok(None) };
    let revoked: i64 = row.try_get("revoked")?;
    let expires: i64 = row.try_get("expires_at")?;
    let user = users::from_row(&row)?;
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
    let (sid, view, _) =
        load(svc, "s.id = $1 AND s.kind = 'api'", claims.session_id.to_string()).await?.ok_or_else(session_ended)?;
    if view.user.id.0 != claims.user_id {
        return Err(session_ended());
    }
    let view = Arc::new(view);
    svc.sessions.put(sid, view.clone());
    Ok(view)
}

/// Resolves a browser cookie to a live session.
pub async fn from_cookie(svc: &Services, cookie: &str) -> ServiceResult<Arc<SessionView>> {
    let (_, view, _) = load(svc, "s.cookie_hash = $1", hash_secret(COOKIE, cookie)).await?.ok_or_else(session_ended)?;
    Ok(Arc::new(view))
}

/// Rotates a token pair: the refresh token must be the session's current one. A replayed older refresh token
/// means the pair leaked, so the whole session is ended.
pub async fn refresh(svc: &Services, refresh_token: &str) -> ServiceResult<JwtPair> {
    let claims = svc.jwt.refresh(refresh_token)?;
    let (sid, view, jti) =
        load(svc, "s.id = $1 AND s.kind = 'api'", claims.session_id.to_string()).await?.ok_or_else(session_ended)?;
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
        .execute(&svc.db.pool)
        .await?;
    svc.sessions.forget_session(session_id);
    Ok(())
}

/// Ends every session of a user except `keep`.
pub async fn revoke_others(svc: &Services, user: UserId, keep: Option<Uuid>) -> ServiceResult<()> {
    sqlx::query("UPDATE auth_session SET revoked = 1 WHERE user_id = $1 AND id <> $2")
        .bind(user.0.to_string())
        .bind(keep.map(|k| k.to_string()).unwrap_or_default())
        .execute(&svc.db.pool)
        .await?;
    svc.sessions.forget_user(user);
    Ok(())
}
