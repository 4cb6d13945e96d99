//! Signing in and out, token rotation and password change: the flows behind `/api/auth/*`, shared by the REST
//! API and the console's server functions.

use crate::backend::accounts::records::UserRecord;
use crate::backend::audit;
use crate::backend::identity::lockout;
use crate::backend::identity::mfa;
use crate::backend::identity::sessions;
use crate::backend::identity::sessions::SessionKind;
use crate::backend::identity::sessions::Stage;
use crate::backend::identity::throttle;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::JwtPair;
use std::net::IpAddr;
use uuid::Uuid;

/// The outcome of a password check that passed every gate.
pub struct SignedIn {
    pub user: UserRecord,
    pub session_id: Uuid,
    /// Set for browser sessions: the cookie secret.
    pub cookie: Option<String>,
    /// `Full`, or the second-factor step the session waits for.
    pub stage: Stage,
    /// How long a pending stage lasts.
    pub pending_secs: i64,
}

impl SignedIn {
    /// The token pair for an API session: a full pair, or the scoped token of the pending step.
    pub async fn pair(&self, svc: &Services) -> ServiceResult<JwtPair> {
        match self.stage {
            Stage::Full => {
                crate::backend::identity::session_tokens::issue_pair(svc, &self.user, self.session_id, None).await
            }
            stage => crate::backend::identity::session_tokens::issue_pending(
                svc,
                &self.user,
                self.session_id,
                stage,
                self.pending_secs,
            ),
        }
    }
}

/// Opens the session a user who proved its password gets: full, or waiting for its second factor (or for an
/// enforced enrolment). Only a full sign-in is audited as a login here.
pub async fn open_session(
    svc: &Services,
    user: UserRecord,
    kind: SessionKind,
    ip: Option<IpAddr>,
) -> ServiceResult<SignedIn> {
    let (req, settings) = mfa::requirement(svc, &user).await?;
    let pending_secs = settings.total_allowed_time_for_verification;
    let stage = req.stage();
    let (session_id, cookie) = if stage == Stage::Full {
        let e = audit::Entry::by_user_itself(&user, audit::Action::Login);
        let data = ip.map(|ip| serde_json::json!({"clientAddress": ip.to_string()})).unwrap_or_default();
        audit::record(svc, e.with(data)).await;
        sessions::open(svc, &user, kind).await?
    } else {
        sessions::open_pending(svc, &user, kind, stage, pending_secs).await?
    };
    Ok(SignedIn { user, session_id, cookie, stage, pending_secs })
}

fn bad_credentials() -> ServiceError {
    ServiceError::BadCredentials("Invalid username or password".into())
}

/// Checks email and password under both throttles and opens a session of `kind`.
pub async fn sign_in(
    svc: &Services,
    email: &str,
    password: &str,
    ip: IpAddr,
    kind: SessionKind,
) -> ServiceResult<SignedIn> {
    svc.ip_limiter.check(ip)?;
    let account = email.trim().to_lowercase();
    if account.is_empty() || account.len() > 255 || password.len() > 1024 {
        return Err(bad_credentials());
    }
    let bucket = throttle::check_account(svc, &account, ip).await?;
    let user = crate::backend::accounts::records::find_by_email(&svc.db, &account).await?;
    let ok = svc.hasher.verify(password, user.as_ref().and_then(|u| u.password_hash.as_deref())).await?;
    let user = match user {
        Some(u) if ok => u,
        other => {
            throttle::record_failure(svc, &bucket).await?;
            let Some(u) = other else { return Err(bad_credentials()) };
            let e = audit::Entry::by_user_itself(&u, audit::Action::Login).failed("Invalid username or password");
            audit::record(svc, e.with(serde_json::json!({"clientAddress": ip.to_string()}))).await;
            if u.enabled && lockout::count_failure(svc, &u).await? {
                return Err(ServiceError::BadCredentials("User account is locked due to security policy".into()));
            }
            return Err(bad_credentials());
        }
    };
    if !user.enabled {
        return Err(ServiceError::BadCredentials("User account is not active".into()));
    }
    throttle::record_success(svc, &account, ip).await?;
    lockout::clear(svc, &user).await?;
    open_session(svc, user, kind, Some(ip)).await
}

/// `POST /api/auth/login`: a full pair, or with a second factor the `PRE_VERIFICATION_TOKEN` (or, when one must
/// be enrolled first, the `MFA_CONFIGURATION_TOKEN`) that `/api/auth/2fa/*` completes.
pub async fn login(svc: &Services, email: &str, password: &str, ip: IpAddr) -> ServiceResult<JwtPair> {
    let s = sign_in(svc, email, password, ip, SessionKind::Api).await?;
    s.pair(svc).await
}

/// How the caller goes on after changing its password.
pub enum Renewed {
    /// An API session: a new session's token pair (ThingsBoard answers the change with one).
    Api(JwtPair),
    /// A console session: the same cookie (the browser that changed the password is the one that knows it).
    Browser,
}

/// `POST /api/auth/changePassword`: needs the current password; every other session of the user ends, and so
/// does the caller's own API session — no token issued before the change works after it; the caller continues
/// with the pair of a new session. A console session changing its password stays.
pub async fn change_password(svc: &Services, p: &Principal, current: &str, new: &str) -> ServiceResult<Renewed> {
    p.require_own_session()?;
    let user = crate::backend::accounts::records::find(&svc.db, p.user_id)
        .await?
        .ok_or_else(|| ServiceError::Unauthenticated("Authentication failed".into()))?;
    if !svc.hasher.verify(current, user.password_hash.as_deref()).await? {
        return Err(ServiceError::InvalidArguments("Current password doesn't match!".into()));
    }
    if current == new {
        return Err(ServiceError::InvalidArguments("New password should be different from existing!".into()));
    }
    crate::backend::identity::passwords::check(svc, new).await?;
    let hash = svc.hasher.hash(new).await?;
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM auth_session WHERE id = $1")
        .bind(p.session_id.to_string())
        .fetch_optional(&svc.db.pool)
        .await?;
    let mut tx = svc.db.begin_write().await?;
    sqlx::query("UPDATE user_credentials SET password_hash = $1 WHERE user_id = $2")
        .bind(hash)
        .bind(p.user_id.0.to_string())
        .execute(&mut *tx)
        .await?;
    let api = kind.as_deref() == Some("api");
    let keep = if api { String::new() } else { p.session_id.to_string() };
    sqlx::query("UPDATE auth_session SET revoked = 1 WHERE user_id = $1 AND id <> $2")
        .bind(p.user_id.0.to_string())
        .bind(keep)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    svc.sessions.forget_user(p.user_id);
    if !api {
        return Ok(Renewed::Browser);
    }
    let user = crate::backend::accounts::records::find(&svc.db, p.user_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", p.user_id))?;
    let (id, _) = sessions::open(svc, &user, SessionKind::Api).await?;
    Ok(Renewed::Api(crate::backend::identity::session_tokens::issue_pair(svc, &user, id, None).await?))
}

/// Activation completes by signing the user in (into enrolment first when the settings enforce a second factor).
pub async fn activate(svc: &Services, secret: &str, password: &str) -> ServiceResult<JwtPair> {
    let user = crate::backend::identity::activation::activate(svc, secret, password).await?;
    open_session(svc, user, SessionKind::Api, None).await?.pair(svc).await
}

/// `POST /api/auth/logout`: ends the session; the end of a "log in as" session is audited.
pub async fn logout(svc: &Services, p: &Principal) -> ServiceResult<()> {
    sessions::revoke(svc, p.session_id).await?;
    if let Some(by) = p.impersonated_by
        && let Some(u) = crate::backend::accounts::records::find(&svc.db, p.user_id).await?
    {
        let mut e = audit::Entry::on_user(None, &u, audit::Action::Logout);
        e.actor = Some((
            by.0,
            crate::backend::accounts::records::find(&svc.db, by).await?.map(|b| b.email).unwrap_or_default(),
        ));
        audit::record(svc, e.with(serde_json::json!({"impersonatedBy": by.0}))).await;
    }
    Ok(())
}
