//! `/api/user/settings*`: the caller's own console settings.

use crate::backend::accounts::settings;
use crate::backend::accounts::settings::Kind;
use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceResult;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

pub async fn get_general(State(s): State<AppState>, Auth(p): Auth) -> ServiceResult<Json<Value>> {
    Ok(Json(settings::get(&s.svc, &p, Kind::General).await?))
}

pub async fn save(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(body): JsonBody<Value>,
) -> ServiceResult<Json<Value>> {
    Ok(Json(settings::save(&s.svc, &p, body).await?))
}

pub async fn update_general(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(body): JsonBody<Value>,
) -> ServiceResult<StatusCode> {
    settings::update(&s.svc, &p, Kind::General, body).await?;
    Ok(StatusCode::OK)
}

/// `GET /api/user/settings/{type}`.
pub async fn get(State(s): State<AppState>, Auth(p): Auth, Path(kind): Path<String>) -> ServiceResult<Json<Value>> {
    Ok(Json(settings::get(&s.svc, &p, Kind::parse(&kind)?).await?))
}

/// `PUT /api/user/settings/{type}`.
pub async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path(kind): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ServiceResult<StatusCode> {
    settings::update(&s.svc, &p, Kind::parse(&kind)?, body).await?;
    Ok(StatusCode::OK)
}

/// `DELETE /api/user/settings/{paths}`: paths of the general settings.
pub async fn delete_general(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path(paths): Path<String>,
) -> ServiceResult<StatusCode> {
    settings::delete(&s.svc, &p, Kind::General, &paths).await?;
    Ok(StatusCode::OK)
}

/// `DELETE /api/user/settings/{type}/{paths}`.
pub async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((kind, paths)): Path<(String, String)>,
) -> ServiceResult<StatusCode> {
    settings::delete(&s.svc, &p, Kind::parse(&kind)?, &paths).await?;
    Ok(StatusCode::OK)
}
