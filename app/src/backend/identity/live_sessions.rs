//! A user's own live sessions, as its profile lists them, and ending one of them.

use crate::backend::identity::sessions::SessionKind;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::UserId;
use sqlx::Row;
use uuid::Uuid;

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
