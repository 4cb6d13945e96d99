//! `/api/tenant*`: the system administrator's tenant management.

use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PathId;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::owners::tenants;
use crate::model::PageData;
use crate::model::Tenant;
use crate::model::TenantId;
use crate::model::TenantInfo;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn save(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(t): JsonBody<Tenant>,
) -> ServiceResult<Json<Tenant>> {
    Ok(Json(tenants::save(&s.svc, &p, &t).await?))
}

pub async fn get(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<Tenant>> {
    Ok(Json(tenants::get(&s.svc, &p, TenantId(id)).await?))
}

pub async fn info(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<TenantInfo>> {
    Ok(Json(tenants::get_info(&s.svc, &p, TenantId(id)).await?))
}

pub async fn delete(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<StatusCode> {
    tenants::delete(&s.svc, &p, TenantId(id)).await?;
    Ok(StatusCode::OK)
}

pub async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<Tenant>>> {
    Ok(Json(tenants::list(&s.svc, &p, &PageLink::from_query(&q)?).await?))
}

pub async fn list_infos(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<TenantInfo>>> {
    Ok(Json(tenants::list_infos(&s.svc, &p, &PageLink::from_query(&q)?).await?))
}
