//! "Log in as user" (`GET /api/user/{id}/token`): a token pair for another user, for support. Allowed only with
//! the IMPERSONATE operation on the target (the access-control module decides) while the system administrator's
//! switch is on; by default a tenant administrator may act as its tenant's customer users and the system
//! administrator as tenant administrators. The session records who impersonates (the token carries it too), may
//! not change the user's credentials, and its start and end are audited.

use crate::backend::accounts::users;
use crate::backend::audit;
use crate::backend::authz::Operation;
use crate::backend::identity::sessions;
use crate::backend::identity::sessions::SessionKind;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::JwtPair;
use crate::model::UserId;

/// `GET /api/user/tokenAccessEnabled`.
pub async fn enabled(svc: &Services) -> ServiceResult<bool> {
    Ok(crate::backend::identity::security_settings::current(svc).await?.user_token_access_enabled)
}

/// A token pair acting as `target` on behalf of the caller.
pub async fn token(svc: &Services, p: &Principal, target: UserId) -> ServiceResult<JwtPair> {
    let (u, sid, _) = start(svc, p, target, SessionKind::Api).await?;
    crate::backend::identity::session_tokens::issue_pair(svc, &u, sid, Some(p.user_id)).await
}

/// Opens a session of `kind` acting as `target` on behalf of the caller (the console's "Log in as user" takes a
/// browser session); returns the target, the session and, for browsers, its cookie.
pub async fn start(
    svc: &Services,
    p: &Principal,
    target: UserId,
    kind: SessionKind,
) -> ServiceResult<(crate::backend::accounts::records::UserRecord, uuid::Uuid, Option<String>)> {
    if !enabled(svc).await? {
        return Err(ServiceError::Forbidden);
    }
    // No chains: an impersonated session cannot impersonate further.
    p.require_own_session()?;
    let u = crate::backend::accounts::records::find(&svc.db, target)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", target))?;
    users::check(svc, p, Operation::Read, &u).await?;
    if u.id == p.user_id {
        return Err(ServiceError::InvalidArguments("You are already signed in as yourself".into()));
    }
    crate::backend::authz::users::check_impersonate(svc, p, &u).await?;
    if !u.enabled {
        return Err(ServiceError::InvalidArguments("User account is not active".into()));
    }
    let (sid, cookie) = sessions::open_as(svc, &u, kind, Some(p.user_id)).await?;
    audit::record(svc, audit::Entry::on_user(Some(p), &u, audit::Action::LoginAsUser)).await;
    Ok((u, sid, cookie))
}
