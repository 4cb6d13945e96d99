//! `/api/auth/*` and `/api/noauth/*`: sign-in, rotation, logout, password change, activation.

use super::extract::{Auth, AuthSession, ClientIp, JsonBody, QueryMap};
use crate::backend::error::{ServiceError, ServiceResult};
use crate::backend::state::AppState;
use crate::backend::users::{self, ActivationState};
use crate::backend::{auth, passwords, sessions};
use crate::model::{JwtPair, User, UserPasswordPolicy};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LoginRequest {
    username: String,
    password: String,
}

pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(r): JsonBody<LoginRequest>,
) -> ServiceResult<Json<JwtPair>> {
    Ok(Json(auth::login(&s.svc, &r.username, &r.password, ip).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    refresh_token: String,
}

pub async fn token(State(s): State<AppState>, JsonBody(r): JsonBody<RefreshRequest>) -> ServiceResult<Json<JwtPair>> {
    Ok(Json(sessions::refresh(&s.svc, &r.refresh_token).await?))
}

/// Answers from the resolved session: the user record was read with it (and is dropped from the cache on change).
pub async fn user(AuthSession(view): AuthSession) -> Json<User> {
    Json(view.user.to_dto())
}

pub async fn logout(State(s): State<AppState>, Auth(p): Auth) -> ServiceResult<StatusCode> {
    sessions::revoke(&s.svc, p.session_id).await?;
    Ok(StatusCode::OK)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(r): JsonBody<ChangePasswordRequest>,
) -> ServiceResult<Response> {
    match auth::change_password(&s.svc, &p, &r.current_password, &r.new_password).await? {
        Some(pair) => Ok(Json(pair).into_response()),
        None => Ok(StatusCode::OK.into_response()),
    }
}

pub async fn password_policy() -> Json<UserPasswordPolicy> {
    Json(passwords::policy())
}

/// The link in an activation message: on to the set-password page, or to the "expired" page.
pub async fn check_activate(State(s): State<AppState>, QueryMap(q): QueryMap) -> ServiceResult<Response> {
    let token = q.get("activateToken").filter(|t| !t.is_empty() && t.len() < 200).ok_or_else(|| {
        ServiceError::BadRequestParams("Required request parameter 'activateToken' is not present".into())
    })?;
    let to = match users::activation_state(&s.svc, token).await? {
        ActivationState::Valid => format!("/login/createPassword?activateToken={token}"),
        ActivationState::Expired => "/activationLinkExpired".to_string(),
        ActivationState::Unknown => return Err(ServiceError::Conflict("Activation token is not valid".into())),
    };
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateRequest {
    activate_token: String,
    password: String,
}

pub async fn activate(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(r): JsonBody<ActivateRequest>,
) -> ServiceResult<Json<JwtPair>> {
    s.svc.ip_limiter.check(ip)?;
    Ok(Json(auth::activate(&s.svc, &r.activate_token, &r.password).await?))
}
