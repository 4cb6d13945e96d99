//! The JWTs a session is used through: the access token and the rotating refresh token of a full session, the
//! scoped token of a pending sign-in, and refreshing (a replayed refresh token ends the session).

use crate::backend::accounts::records::UserRecord;
use crate::backend::identity::jwt::AccessClaims;
use crate::backend::identity::jwt::ISSUER;
use crate::backend::identity::jwt::RefreshClaims;
use crate::backend::identity::sessions::Stage;
use crate::backend::identity::sessions::load;
use crate::backend::identity::sessions::revoke;
use crate::backend::identity::sessions::session_ended;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::services::Services;
use crate::model::JwtPair;
use crate::model::UserId;
use uuid::Uuid;

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
