//! `/api/2fa/*` (settings and a user's own factors) and `/api/auth/2fa/*` (completing a sign-in with a code).

use crate::backend::http::extract::Auth;
use crate::backend::http::extract::Enrolling;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PendingConfigure;
use crate::backend::http::extract::PendingVerify;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::state::AppState;
use crate::backend::identity::sessions::SessionKind;
use crate::backend::identity::two_fa_settings;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::model::JwtPair;
use crate::model::mfa::AccountTwoFaSettings;
use crate::model::mfa::PlatformTwoFaSettings;
use crate::model::mfa::TwoFaAccountConfig;
use crate::model::mfa::TwoFaProviderInfo;
use crate::model::mfa::TwoFaProviderType;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;

fn provider(q: &HashMap<String, String>) -> ServiceResult<TwoFaProviderType> {
    let raw = q.get("providerType").ok_or_else(|| {
        ServiceError::BadRequestParams("Required request parameter 'providerType' is not present".into())
    })?;
    TwoFaProviderType::parse(raw).ok_or_else(|| match raw.to_ascii_uppercase().as_str() {
        "SMS" | "EMAIL" => ServiceError::InvalidArguments(format!("2FA provider {raw} is not supported")),
        _ => ServiceError::BadRequestParams(format!("Invalid value '{raw}' for parameter 'providerType'")),
    })
}

fn code(q: &HashMap<String, String>) -> Option<&str> {
    q.get("verificationCode").map(String::as_str)
}

pub async fn settings(State(s): State<AppState>, Auth(p): Auth) -> ServiceResult<Json<PlatformTwoFaSettings>> {
    Ok(Json(two_fa_settings::get(&s.svc, &p).await?))
}

pub async fn save_settings(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(body): JsonBody<PlatformTwoFaSettings>,
) -> ServiceResult<Json<PlatformTwoFaSettings>> {
    Ok(Json(two_fa_settings::save(&s.svc, &p, body).await?))
}

pub async fn providers(
    State(s): State<AppState>,
    Enrolling(v): Enrolling,
) -> ServiceResult<Json<Vec<TwoFaProviderType>>> {
    Ok(Json(crate::backend::identity::mfa::enrolment::available(&s.svc, &v).await?))
}

pub async fn generate(
    State(s): State<AppState>,
    Enrolling(v): Enrolling,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<TwoFaAccountConfig>> {
    Ok(Json(crate::backend::identity::mfa::enrolment::generate(&s.svc, &v, provider(&q)?).await?))
}

pub async fn save_config(
    State(s): State<AppState>,
    Enrolling(v): Enrolling,
    QueryMap(q): QueryMap,
    JsonBody(body): JsonBody<TwoFaAccountConfig>,
) -> ServiceResult<Json<AccountTwoFaSettings>> {
    Ok(Json(crate::backend::identity::mfa::enrolment::verify_and_save(&s.svc, &v, body, code(&q)).await?))
}

/// ThingsBoard sends a code here for SMS and e-mail; TOTP and backup codes need nothing sent.
pub async fn submit_config(
    Enrolling(v): Enrolling,
    JsonBody(_body): JsonBody<TwoFaAccountConfig>,
) -> ServiceResult<StatusCode> {
    v.principal.require_own_session()?;
    Ok(StatusCode::OK)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    use_by_default: bool,
}

pub async fn update_config(
    State(s): State<AppState>,
    Enrolling(v): Enrolling,
    QueryMap(q): QueryMap,
    JsonBody(body): JsonBody<UpdateRequest>,
) -> ServiceResult<Json<AccountTwoFaSettings>> {
    Ok(Json(
        crate::backend::identity::mfa::enrolment::set_default(&s.svc, &v, provider(&q)?, body.use_by_default).await?,
    ))
}

pub async fn delete_config(
    State(s): State<AppState>,
    Enrolling(v): Enrolling,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<AccountTwoFaSettings>> {
    Ok(Json(crate::backend::identity::mfa::enrolment::delete(&s.svc, &v, provider(&q)?).await?))
}

pub async fn account_settings(
    State(s): State<AppState>,
    Enrolling(v): Enrolling,
) -> ServiceResult<Json<AccountTwoFaSettings>> {
    Ok(Json(crate::backend::identity::mfa::enrolment::account_settings(&s.svc, &v).await?))
}

pub async fn sign_in_providers(
    State(s): State<AppState>,
    PendingVerify(v): PendingVerify,
) -> ServiceResult<Json<Vec<TwoFaProviderInfo>>> {
    Ok(Json(crate::backend::identity::mfa::verification::sign_in_providers(&s.svc, &v).await?))
}

/// Nothing to send for TOTP or backup codes; answers whether the provider is one the user has.
pub async fn send_code(
    State(s): State<AppState>,
    PendingVerify(v): PendingVerify,
    QueryMap(q): QueryMap,
) -> ServiceResult<StatusCode> {
    let t = provider(&q)?;
    if !crate::backend::identity::mfa::verification::sign_in_providers(&s.svc, &v)
        .await?
        .iter()
        .any(|p| p.provider_type == t)
    {
        return Err(ServiceError::InvalidArguments(format!("{} is not configured for this account", t.as_str())));
    }
    Ok(StatusCode::OK)
}

pub async fn check_code(
    State(s): State<AppState>,
    PendingVerify(v): PendingVerify,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<JwtPair>> {
    let t = provider(&q)?;
    let code = code(&q).ok_or_else(|| {
        ServiceError::BadRequestParams("Required request parameter 'verificationCode' is not present".into())
    })?;
    crate::backend::identity::mfa::verification::check(&s.svc, &v, SessionKind::Api, t, code).await?;
    Ok(Json(crate::backend::identity::session_tokens::issue_pair(&s.svc, &v.user, v.principal.session_id, None).await?))
}

pub async fn finish_configuration(
    State(s): State<AppState>,
    PendingConfigure(v): PendingConfigure,
) -> ServiceResult<Json<JwtPair>> {
    Ok(Json(crate::backend::identity::mfa::verification::finish_configuration(&s.svc, &v).await?))
}

pub async fn reset_for_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    crate::backend::http::extract::PathId(id): crate::backend::http::extract::PathId,
) -> ServiceResult<StatusCode> {
    crate::backend::identity::mfa::enrolment::reset_for(&s.svc, &p, crate::model::UserId(id)).await?;
    Ok(StatusCode::OK)
}
