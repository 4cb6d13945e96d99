//! `/api/auth/*` and `/api/noauth/*`: sign-in, rotation, logout, password change, activation.

use crate::backend::http::extract::Auth;
use crate::backend::http::extract::AuthSession;
use crate::backend::http::extract::ClientIp;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::state::AppState;
use crate::backend::identity::activation;
use crate::backend::identity::password_reset;
use crate::backend::identity::passwords;
use crate::backend::identity::security_settings;
use crate::backend::identity::sign_in;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::LinkState;
use crate::model::JwtPair;
use crate::model::SecuritySettings;
use crate::model::User;
use crate::model::UserPasswordPolicy;
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
    Ok(Json(sign_in::login(&s.svc, &r.username, &r.password, ip).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    refresh_token: String,
}

pub async fn token(State(s): State<AppState>, JsonBody(r): JsonBody<RefreshRequest>) -> ServiceResult<Json<JwtPair>> {
    Ok(Json(crate::backend::identity::session_tokens::refresh(&s.svc, &r.refresh_token).await?))
}

/// Answers from the resolved session: the user record was read with it (and is dropped from the cache on change).
pub async fn user(AuthSession(view): AuthSession) -> Json<User> {
    Json(view.user.to_dto())
}

pub async fn logout(State(s): State<AppState>, Auth(p): Auth) -> ServiceResult<StatusCode> {
    sign_in::logout(&s.svc, &p).await?;
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
    match sign_in::change_password(&s.svc, &p, &r.current_password, &r.new_password).await? {
        sign_in::Renewed::Api(pair) => Ok(Json(pair).into_response()),
        sign_in::Renewed::Browser => Ok(StatusCode::OK.into_response()),
    }
}

pub async fn password_policy(State(s): State<AppState>) -> ServiceResult<Json<UserPasswordPolicy>> {
    Ok(Json(passwords::policy(&s.svc).await?))
}

/// The link in an activation message: on to the set-password page, or to the "expired" page.
pub async fn check_activate(State(s): State<AppState>, QueryMap(q): QueryMap) -> ServiceResult<Response> {
    let token = link_token(&q, "activateToken")?;
    let state = activation::state(&s.svc, token).await?;
    follow(state, format!("/login/createPassword?activateToken={token}"), "/activationLinkExpired", "Activation")
}

/// The secret a mailed link carries in `name`.
fn link_token<'q>(q: &'q std::collections::HashMap<String, String>, name: &str) -> ServiceResult<&'q str> {
    q.get(name)
        .filter(|t| !t.is_empty() && t.len() < 200)
        .map(String::as_str)
        .ok_or_else(|| ServiceError::BadRequestParams(format!("Required request parameter '{name}' is not present")))
}

/// A mailed link's answer: 303 on to its page, or to the page that offers a new link; 409 for unknown secrets.
fn follow(state: LinkState, valid: String, expired: &str, what: &str) -> ServiceResult<Response> {
    let to = match state {
        LinkState::Valid => valid,
        LinkState::Expired => expired.to_string(),
        LinkState::Unknown => return Err(ServiceError::Conflict(format!("{what} token is not valid"))),
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
    Ok(Json(sign_in::activate(&s.svc, &r.activate_token, &r.password).await?))
}

#[derive(Deserialize)]
pub struct ResetByEmailRequest {
    email: String,
}

/// Always 200, whether or not the account exists (the mail goes out after the answer).
pub async fn reset_by_email(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(r): JsonBody<ResetByEmailRequest>,
) -> ServiceResult<StatusCode> {
    s.svc.ip_limiter.check(ip)?;
    password_reset::request(s.svc.clone(), &r.email);
    Ok(StatusCode::OK)
}

/// The link in a reset message: on to the reset page, or to the "expired" page that offers a new link.
pub async fn check_reset(State(s): State<AppState>, QueryMap(q): QueryMap) -> ServiceResult<Response> {
    let token = link_token(&q, "resetToken")?;
    let state = password_reset::state(&s.svc, token).await?;
    follow(state, format!("/login/resetPassword?resetToken={token}"), "/passwordResetLinkExpired", "Password reset")
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequest {
    reset_token: String,
    password: String,
}

pub async fn reset(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(r): JsonBody<ResetRequest>,
) -> ServiceResult<StatusCode> {
    s.svc.ip_limiter.check(ip)?;
    password_reset::reset(&s.svc, &r.reset_token, &r.password).await?;
    Ok(StatusCode::OK)
}

pub async fn security_settings(State(s): State<AppState>, Auth(p): Auth) -> ServiceResult<Json<SecuritySettings>> {
    Ok(Json(security_settings::get(&s.svc, &p).await?))
}

pub async fn save_security_settings(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(body): JsonBody<SecuritySettings>,
) -> ServiceResult<Json<SecuritySettings>> {
    Ok(Json(security_settings::save(&s.svc, &p, body).await?))
}
