//! `/api/user*`: user creation and activation links.

use super::extract::{Auth, JsonBody, PathId, QueryMap, flag};
use crate::backend::error::ServiceResult;
use crate::backend::paging::PageLink;
use crate::backend::state::AppState;
use crate::backend::users;
use crate::model::{PageData, TenantId, User, UserActivationLink, UserId};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

pub async fn save(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
    JsonBody(u): JsonBody<User>,
) -> ServiceResult<Json<User>> {
    let send = flag(&q, "sendActivationMail", true)?;
    let groups = crate::backend::entity_groups::ids_from_query(&q)?;
    Ok(Json(users::save(&s.svc, &p, &u, send, &groups).await?.to_dto()))
}

pub async fn get(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<User>> {
    Ok(Json(users::get(&s.svc, &p, UserId(id)).await?.to_dto()))
}

pub async fn activation_link(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<impl IntoResponse> {
    let link = users::activation_link(&s.svc, &p, UserId(id)).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], link.value))
}

pub async fn activation_link_info(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<Json<UserActivationLink>> {
    Ok(Json(users::activation_link(&s.svc, &p, UserId(id)).await?))
}

pub async fn tenant_users(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<User>>> {
    Ok(Json(users::list_tenant_users(&s.svc, &p, TenantId(id), &PageLink::from_query(&q)?).await?))
}
