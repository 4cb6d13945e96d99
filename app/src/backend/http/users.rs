//! `/api/user*`, `/api/users*`, `/api/customer/{id}/user*`: users, their lists, activation links, deletion and
//! suspension.

use crate::backend::accounts::lifecycle;
use crate::backend::accounts::lists;
use crate::backend::accounts::lists::UserScope;
use crate::backend::accounts::records::UserRecord;
use crate::backend::accounts::users;
use crate::backend::audit;
use crate::backend::audit::AuditScope;
use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PathId;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::extract::flag;
use crate::backend::http::extract::parse_ids;
use crate::backend::http::state::AppState;
use crate::backend::identity::activation;
use crate::backend::identity::impersonation;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::owners::customers;
use crate::model::AuditLog;
use crate::model::CustomerId;
use crate::model::JwtPair;
use crate::model::PageData;
use crate::model::TenantId;
use crate::model::User;
use crate::model::UserActivationLink;
use crate::model::UserEmailInfo;
use crate::model::UserId;
use crate::model::UserInfo;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use std::collections::HashMap;
use uuid::Uuid;

pub async fn save(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
    JsonBody(u): JsonBody<User>,
) -> ServiceResult<Json<User>> {
    let send = flag(&q, "sendActivationMail", true)?;
    let groups = crate::backend::groups::store::ids_from_query(&q)?;
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
    let link = activation::link(&s.svc, &p, UserId(id)).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], link.value))
}

pub async fn activation_link_info(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<Json<UserActivationLink>> {
    Ok(Json(activation::link(&s.svc, &p, UserId(id)).await?))
}

pub async fn tenant_users(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<User>>> {
    Ok(Json(users::list_tenant_users(&s.svc, &p, TenantId(id), &PageLink::from_query(&q)?).await?))
}

fn dtos(page: PageData<UserRecord>) -> PageData<User> {
    page.map(|u| u.to_dto())
}

/// `includeCustomers=true` widens an owner's list to its whole subtree.
fn owner_scope(q: &HashMap<String, String>, owner: Uuid) -> ServiceResult<UserScope> {
    Ok(if flag(q, "includeCustomers", false)? { UserScope::Subtree(owner) } else { UserScope::Owner(owner) })
}

pub async fn info(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<UserInfo>> {
    Ok(Json(users::info(&s.svc, &p, UserId(id)).await?))
}

pub async fn delete(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<StatusCode> {
    lifecycle::delete(&s.svc, &p, UserId(id)).await?;
    Ok(StatusCode::OK)
}

pub async fn credentials_enabled(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<StatusCode> {
    let enabled = flag(&q, "userCredentialsEnabled", true)?;
    lifecycle::set_enabled(&s.svc, &p, UserId(id), enabled).await?;
    Ok(StatusCode::OK)
}

pub async fn visible(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<User>>> {
    Ok(Json(dtos(lists::list(&s.svc, &p, UserScope::Visible, &PageLink::from_query(&q)?).await?)))
}

pub async fn infos_all(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<UserInfo>>> {
    let owner = p.owner().ok_or(ServiceError::Forbidden)?;
    let page = lists::list(&s.svc, &p, owner_scope(&q, owner)?, &PageLink::from_query(&q)?).await?;
    Ok(Json(lists::infos(&s.svc, page).await?))
}

pub async fn customer_users(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<User>>> {
    customers::get(&s.svc, &p, CustomerId(id)).await?;
    Ok(Json(dtos(lists::list(&s.svc, &p, UserScope::Owner(id), &PageLink::from_query(&q)?).await?)))
}

pub async fn customer_user_infos(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<UserInfo>>> {
    customers::get(&s.svc, &p, CustomerId(id)).await?;
    let page = lists::list(&s.svc, &p, owner_scope(&q, id)?, &PageLink::from_query(&q)?).await?;
    Ok(Json(lists::infos(&s.svc, page).await?))
}

pub async fn email_infos(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<UserEmailInfo>>> {
    let page = lists::list(&s.svc, &p, UserScope::Visible, &PageLink::from_query(&q)?).await?;
    Ok(Json(lists::email_infos(page)))
}

pub async fn by_ids(State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap) -> ServiceResult<Json<Vec<User>>> {
    let ids = parse_ids(q.get("userIds"), "userIds")?;
    Ok(Json(lists::by_ids(&s.svc, &p, ids).await?.iter().map(UserRecord::to_dto).collect()))
}

pub async fn send_activation_mail(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<StatusCode> {
    let email = q
        .get("email")
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ServiceError::BadRequestParams("Required request parameter 'email' is not present".into()))?;
    activation::resend(&s.svc, &p, email).await?;
    Ok(StatusCode::OK)
}

pub async fn token(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<JwtPair>> {
    Ok(Json(impersonation::token(&s.svc, &p, UserId(id)).await?))
}

pub async fn token_access_enabled(State(s): State<AppState>, Auth(_): Auth) -> ServiceResult<Json<bool>> {
    Ok(Json(impersonation::enabled(&s.svc).await?))
}

pub async fn audit_logs(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<AuditLog>>> {
    Ok(Json(audit::list(&s.svc, &p, AuditScope::Everything, &q).await?))
}

pub async fn user_audit_logs(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<AuditLog>>> {
    users::get(&s.svc, &p, UserId(id)).await?;
    Ok(Json(audit::list(&s.svc, &p, AuditScope::User(id), &q).await?))
}

pub async fn customer_audit_logs(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<AuditLog>>> {
    customers::get(&s.svc, &p, CustomerId(id)).await?;
    Ok(Json(audit::list(&s.svc, &p, AuditScope::Customer(id), &q).await?))
}
