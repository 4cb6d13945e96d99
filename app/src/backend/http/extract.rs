//! Request extractors whose every rejection is a ThingsBoard error body, so malformed input never produces
//! axum's plain-text errors.

use crate::backend::http::state::AppState;
use crate::backend::identity::sessions;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::principal::Principal;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use uuid::Uuid;

/// The caller behind `X-Authorization: Bearer …` (or `Authorization: Bearer …`).
pub struct Auth(pub Principal);

/// The caller's whole resolved session (principal and user record), for handlers that answer from it.
pub struct AuthSession(pub std::sync::Arc<crate::backend::identity::session_cache::SessionView>);

fn bearer(parts: &Parts) -> Option<&str> {
    for name in ["x-authorization", "authorization"] {
        if let Some(v) = parts.headers.get(name).and_then(|v| v.to_str().ok()) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            if v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ") {
                return Some(v[7..].trim());
            }
        }
    }
    None
}

impl FromRequestParts<AppState> for AuthSession {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| ServiceError::Unauthenticated("Authentication failed".into()))?;
        Ok(AuthSession(sessions::from_access_token(&state.svc, token).await?))
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthSession(view) = AuthSession::from_request_parts(parts, state).await?;
        Ok(Auth(view.principal.clone()))
    }
}

/// A JSON body; unreadable input is 400 / 31.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ServiceError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(e) => Err(ServiceError::BadRequestParams(format!("Invalid request body: {}", e.body_text()))),
        }
    }
}

/// The query string as a map; the services validate what they read from it.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|q| QueryMap(q.0))
            .map_err(|e| ServiceError::BadRequestParams(format!("Invalid query: {}", e.body_text())))
    }
}

/// One UUID path segment.
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ServiceError::BadRequestParams(e.body_text()))?;
        Uuid::parse_str(&raw)
            .map(PathId)
            .map_err(|_| ServiceError::BadRequestParams(format!("Invalid UUID string: {raw}")))
    }
}

/// The peer address (the server runs with connect info).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        Ok(ClientIp(ip))
    }
}

/// Reads a boolean query flag (`true`/`false`), with a default.
pub fn flag(q: &HashMap<String, String>, name: &str, default: bool) -> Result<bool, ServiceError> {
    match q.get(name).map(|s| s.to_ascii_lowercase()) {
        None => Ok(default),
        Some(s) if s == "true" => Ok(true),
        Some(s) if s == "false" => Ok(false),
        Some(s) => Err(ServiceError::BadRequestParams(format!("Invalid value '{s}' for parameter '{name}'"))),
    }
}

/// A required comma-separated list of UUIDs (`deviceIds`, `userIds`…).
pub fn parse_ids(raw: Option<&String>, name: &str) -> Result<Vec<Uuid>, ServiceError> {
    let raw = raw
        .ok_or_else(|| ServiceError::BadRequestParams(format!("Required request parameter '{name}' is not present")))?;
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Uuid::parse_str(s).map_err(|_| ServiceError::BadRequestParams(format!("Invalid UUID string: {s}"))))
        .collect()
}

async fn pending(
    parts: &Parts,
    state: &AppState,
    stage: sessions::Stage,
) -> Result<crate::backend::identity::session_cache::SessionView, ServiceError> {
    let token = bearer(parts).ok_or_else(|| ServiceError::Unauthenticated("Authentication failed".into()))?;
    sessions::from_pending_token(&state.svc, token, stage).await
}

/// A sign-in that waits for its second factor (`PRE_VERIFICATION_TOKEN`).
pub struct PendingVerify(pub crate::backend::identity::session_cache::SessionView);

impl FromRequestParts<AppState> for PendingVerify {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PendingVerify(pending(parts, state, sessions::Stage::Verify).await?))
    }
}

/// A sign-in held until the user enrols a second factor (`MFA_CONFIGURATION_TOKEN`).
pub struct PendingConfigure(pub crate::backend::identity::session_cache::SessionView);

impl FromRequestParts<AppState> for PendingConfigure {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PendingConfigure(pending(parts, state, sessions::Stage::Configure).await?))
    }
}

/// Whoever may manage their own second factors: a signed-in user, or a sign-in held until it enrols one
/// (`MFA_CONFIGURATION_TOKEN`).
pub struct Enrolling(pub std::sync::Arc<crate::backend::identity::session_cache::SessionView>);

impl FromRequestParts<AppState> for Enrolling {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match AuthSession::from_request_parts(parts, state).await {
            Ok(AuthSession(v)) => Ok(Enrolling(v)),
            Err(full) => match pending(parts, state, sessions::Stage::Configure).await {
                Ok(v) => {
                    crate::backend::identity::mfa::verification::guard_configure(&state.svc, &v).await?;
                    Ok(Enrolling(std::sync::Arc::new(v)))
                }
                Err(_) => Err(full),
            },
        }
    }
}
