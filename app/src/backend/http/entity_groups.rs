//! `/api/entityGroup*` and `/api/entityGroups*`.

use crate::backend::accounts::users;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::service as groups;
use crate::backend::groups::sharing::ShareGroupRequest;
use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PathId;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::extract::flag;
use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::owners::customers;
use crate::model::CustomerId;
use crate::model::EntityGroupId;
use crate::model::EntityGroupInfo;
use crate::model::PageData;
use crate::model::ShortEntityView;
use crate::model::UserId;
use crate::model::permissions::Operation;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use uuid::Uuid;

fn group_type(s: &str) -> ServiceResult<GroupType> {
    GroupType::parse(s).ok_or_else(|| ServiceError::BadRequestParams(format!("Unsupported group type {s}")))
}

fn id(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| ServiceError::BadRequestParams(format!("Invalid UUID string: {s}")))
}

fn owner(owner_type: &str, owner_id: &str) -> ServiceResult<Uuid> {
    match owner_type {
        "TENANT" | "CUSTOMER" => id(owner_id),
        other => Err(ServiceError::BadRequestParams(format!("Unsupported owner type {other}"))),
    }
}

/// Paged with `pageSize`/`page`, or the plain list ThingsBoard gives without them.
fn paged_or_list(q: &HashMap<String, String>, page: PageData<EntityGroupInfo>) -> Response {
    if q.contains_key("pageSize") { Json(page).into_response() } else { Json(page.data).into_response() }
}

fn link_or_all(q: &HashMap<String, String>) -> ServiceResult<PageLink> {
    if q.contains_key("pageSize") || q.contains_key("page") {
        return PageLink::from_query(q);
    }
    let mut all = q.clone();
    all.insert("pageSize".into(), crate::backend::kernel::paging::MAX_PAGE_SIZE.to_string());
    all.insert("page".into(), "0".into());
    PageLink::from_query(&all)
}

pub async fn save(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(g): JsonBody<EntityGroupInfo>,
) -> ServiceResult<Json<EntityGroupInfo>> {
    Ok(Json(groups::save(&s.svc, &p, &g).await?))
}

pub async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
) -> ServiceResult<Json<EntityGroupInfo>> {
    let g = groups::get_checked(&s.svc, &p, EntityGroupId(gid), Operation::Read).await?;
    Ok(Json(groups::info(&s.svc, &g).await?))
}

pub async fn delete(State(s): State<AppState>, Auth(p): Auth, PathId(gid): PathId) -> ServiceResult<StatusCode> {
    groups::delete(&s.svc, &p, EntityGroupId(gid)).await?;
    Ok(StatusCode::OK)
}

pub async fn by_type(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path(t): Path<String>,
    QueryMap(q): QueryMap,
) -> ServiceResult<Response> {
    let shared = flag(&q, "includeShared", true)?;
    let page =
        crate::backend::groups::lists::list_by_type(&s.svc, &p, group_type(&t)?, shared, &link_or_all(&q)?).await?;
    Ok(paged_or_list(&q, page))
}

/// Two segments after `/api/entityGroups`: the groups an entity is in (`{entityType}/{entityId}`).
pub async fn of_entity(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((entity_type, entity_id)): Path<(String, String)>,
) -> ServiceResult<Json<Vec<EntityGroupId>>> {
    let e = id(&entity_id)?;
    match entity_type.as_str() {
        "CUSTOMER" => {
            customers::get(&s.svc, &p, CustomerId(e)).await?;
        }
        "USER" => {
            users::get(&s.svc, &p, UserId(e)).await?;
        }
        other => {
            let kind = crate::backend::things::kind::Kind::parse(other)
                .ok_or_else(|| ServiceError::BadRequestParams(format!("Entities of type {other} are not in groups")))?;
            crate::backend::things::get_checked(&s.svc, &p, kind, e, Operation::Read).await?;
        }
    }
    Ok(Json(crate::backend::groups::members::groups_of(&s.svc, e).await?))
}

pub async fn by_owner(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((owner_type, owner_id, t)): Path<(String, String, String)>,
    QueryMap(q): QueryMap,
) -> ServiceResult<Response> {
    let page = crate::backend::groups::lists::list_by_owner(
        &s.svc,
        &p,
        owner(&owner_type, &owner_id)?,
        group_type(&t)?,
        &link_or_all(&q)?,
    )
    .await?;
    Ok(paged_or_list(&q, page))
}

pub async fn all_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((owner_type, owner_id, t)): Path<(String, String, String)>,
) -> ServiceResult<Json<EntityGroupInfo>> {
    Ok(Json(
        crate::backend::groups::lists::all_group(&s.svc, &p, owner(&owner_type, &owner_id)?, group_type(&t)?).await?,
    ))
}

fn ids(body: &[String]) -> ServiceResult<Vec<Uuid>> {
    body.iter().map(|s| id(s)).collect()
}

pub async fn add_entities(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
    JsonBody(body): JsonBody<Vec<String>>,
) -> ServiceResult<StatusCode> {
    crate::backend::groups::members::change_members(&s.svc, &p, EntityGroupId(gid), &ids(&body)?, true).await?;
    Ok(StatusCode::OK)
}

pub async fn delete_entities(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
    JsonBody(body): JsonBody<Vec<String>>,
) -> ServiceResult<StatusCode> {
    crate::backend::groups::members::change_members(&s.svc, &p, EntityGroupId(gid), &ids(&body)?, false).await?;
    Ok(StatusCode::OK)
}

pub async fn entities(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<ShortEntityView>>> {
    let (_, g) = groups::read(&s.svc, &p, EntityGroupId(gid), None).await?;
    Ok(Json(crate::backend::groups::members::members(&s.svc, &g, &PageLink::from_query(&q)?).await?))
}

pub async fn share(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
    JsonBody(req): JsonBody<ShareGroupRequest>,
) -> ServiceResult<Response> {
    let (_, user_group) = crate::backend::groups::sharing::share(&s.svc, &p, EntityGroupId(gid), &req).await?;
    // ThingsBoard answers with an empty body; for dashboard groups Thingdeck adds what the receivers can't see.
    let warnings =
        crate::backend::groups::share_warnings::for_group(&s.svc, &p, EntityGroupId(gid), user_group).await?;
    match warnings {
        None => Ok(StatusCode::OK.into_response()),
        Some(w) => Ok(Json(serde_json::json!({ "shareWarnings": w })).into_response()),
    }
}

/// `GET /api/thingdeck/shareWarnings?entityGroupId=&userGroupId=`: for a dashboard group, the devices and assets
/// its dashboards show that members of the user group cannot read.
pub async fn share_warnings(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<Vec<crate::model::ShareWarning>>> {
    let param = |name: &str| -> ServiceResult<Uuid> {
        let v = q.get(name).ok_or_else(|| {
            ServiceError::BadRequestParams(format!("Required request parameter '{name}' is not present"))
        })?;
        id(v)
    };
    let (g, ug) = (param("entityGroupId")?, param("userGroupId")?);
    let w = crate::backend::groups::share_warnings::for_group(&s.svc, &p, EntityGroupId(g), ug).await?;
    Ok(Json(w.ok_or_else(|| ServiceError::InvalidArguments("Only dashboard groups have share warnings".into()))?))
}

pub async fn share_down(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((gid, user_group, role)): Path<(String, String, String)>,
) -> ServiceResult<StatusCode> {
    crate::backend::groups::sharing::share_down(
        &s.svc,
        &p,
        EntityGroupId(id(&gid)?),
        EntityGroupId(id(&user_group)?),
        crate::model::RoleId(id(&role)?),
    )
    .await?;
    Ok(StatusCode::OK)
}

/// `POST /api/owner/{TENANT|CUSTOMER}/{ownerId}/{entityType}/{entityId}`; the optional body lists group ids as a
/// JSON array, or (as the Python client sends it) one comma-separated string.
pub async fn change_owner(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((owner_type, owner_id, entity_type, entity_id)): Path<(String, String, String, String)>,
    body: axum::body::Bytes,
) -> ServiceResult<StatusCode> {
    use crate::backend::owners::owner_change;
    use crate::backend::owners::owner_change::NewOwner;
    let owner = match owner_type.as_str() {
        "TENANT" => NewOwner::Tenant(id(&owner_id)?),
        "CUSTOMER" => NewOwner::Customer(id(&owner_id)?),
        other => return Err(ServiceError::BadRequestParams(format!("Unsupported owner type {other}"))),
    };
    let groups: Vec<Uuid> = if body.iter().all(u8::is_ascii_whitespace) {
        Vec::new()
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    let s = item
                        .as_str()
                        .ok_or_else(|| ServiceError::BadRequestParams("Group ids must be strings".into()))?;
                    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        out.push(id(part)?);
                    }
                }
                out
            }
            Ok(serde_json::Value::String(s)) => {
                s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(id).collect::<ServiceResult<_>>()?
            }
            _ => {
                return Err(ServiceError::BadRequestParams(
                    "Invalid request body: expected a list of group ids".into(),
                ));
            }
        }
    };
    owner_change::change_owner(&s.svc, &p, owner, &entity_type, id(&entity_id)?, &groups, None).await?;
    Ok(StatusCode::OK)
}

/// `GET /api/entityGroup/{id}/customers`.
pub async fn customers_of(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<crate::model::Customer>>> {
    let (_, g) = groups::read(&s.svc, &p, EntityGroupId(gid), Some(GroupType::Customer)).await?;
    Ok(Json(crate::backend::owners::customer_lists::in_group(&s.svc, &g, &PageLink::from_query(&q)?).await?))
}

/// `GET /api/entityGroup/{id}/users`.
pub async fn users_of(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(gid): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<crate::model::User>>> {
    let (_, g) = groups::read(&s.svc, &p, EntityGroupId(gid), Some(GroupType::User)).await?;
    Ok(Json(users::in_group(&s.svc, &g, &PageLink::from_query(&q)?).await?))
}

pub async fn make_public(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<StatusCode> {
    crate::backend::groups::public::make_public(&s.svc, &p, EntityGroupId(id)).await?;
    Ok(StatusCode::OK)
}

pub async fn make_private(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<StatusCode> {
    crate::backend::groups::public::make_private(&s.svc, &p, EntityGroupId(id)).await?;
    Ok(StatusCode::OK)
}
