//! `/api/role*`, `/api/groupPermission*`, `/api/permissions/allowedPermissions`, `/api/permission/...`.

use crate::backend::accounts::users;
use crate::backend::authz::Decision;
use crate::backend::authz::allowed;
use crate::backend::authz::entities;
use crate::backend::groups::permissions;
use crate::backend::groups::permissions::GroupPermissionInfo;
use crate::backend::groups::role_api as roles;
use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PathId;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::owners::customers;
use crate::backend::things;
use crate::backend::things::kind::Kind;
use crate::model::CustomerId;
use crate::model::EntityGroupId;
use crate::model::GroupPermission;
use crate::model::GroupPermissionId;
use crate::model::PageData;
use crate::model::Role;
use crate::model::RoleId;
use crate::model::RoleType;
use crate::model::UserId;
use crate::model::permissions::Operation;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

pub async fn save_role(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(r): JsonBody<Role>,
) -> ServiceResult<Json<Role>> {
    Ok(Json(roles::save(&s.svc, &p, &r).await?))
}

pub async fn get_role(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<Role>> {
    Ok(Json(roles::get(&s.svc, &p, RoleId(id)).await?))
}

pub async fn delete_role(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<StatusCode> {
    roles::delete(&s.svc, &p, RoleId(id)).await?;
    Ok(StatusCode::OK)
}

pub async fn list_roles(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<Role>>> {
    let t = match q.get("type").map(String::as_str) {
        None | Some("") => None,
        Some("GENERIC") => Some(RoleType::Generic),
        Some("GROUP") => Some(RoleType::Group),
        Some(other) => return Err(ServiceError::BadRequestParams(format!("Invalid role type '{other}'"))),
    };
    Ok(Json(roles::list(&s.svc, &p, t, &PageLink::from_query(&q)?).await?))
}

pub async fn create_permission(
    State(s): State<AppState>,
    Auth(p): Auth,
    JsonBody(gp): JsonBody<GroupPermission>,
) -> ServiceResult<Json<GroupPermission>> {
    Ok(Json(permissions::create(&s.svc, &p, &gp).await?))
}

pub async fn get_permission(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<Json<GroupPermission>> {
    Ok(Json(permissions::get(&s.svc, &p, GroupPermissionId(id)).await?))
}

pub async fn delete_permission(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<StatusCode> {
    permissions::delete(&s.svc, &p, GroupPermissionId(id)).await?;
    Ok(StatusCode::OK)
}

pub async fn user_group_permissions(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<Json<Vec<GroupPermissionInfo>>> {
    Ok(Json(permissions::list_for_group(&s.svc, &p, EntityGroupId(id), true).await?))
}

pub async fn entity_group_permissions(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
) -> ServiceResult<Json<Vec<GroupPermissionInfo>>> {
    Ok(Json(permissions::list_for_group(&s.svc, &p, EntityGroupId(id), false).await?))
}

pub async fn allowed_permissions(State(s): State<AppState>, Auth(p): Auth) -> ServiceResult<Json<Value>> {
    Ok(Json(allowed::for_caller(&s.svc, &p).await?))
}

/// `GET /api/permission/{entityType}/{entityId}/{operation}` → whether the caller may.
pub async fn has_permission(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((entity_type, entity_id, operation)): Path<(String, String, String)>,
) -> ServiceResult<Json<bool>> {
    let id = uuid::Uuid::parse_str(&entity_id)
        .map_err(|_| ServiceError::BadRequestParams(format!("Invalid UUID string: {entity_id}")))?;
    let op = Operation::parse(&operation)
        .ok_or_else(|| ServiceError::BadRequestParams(format!("Unknown operation {operation}")))?;
    let outcome = match entity_type.as_str() {
        "CUSTOMER" => match customers::get_ref(&s.svc, CustomerId(id)).await? {
            Some(e) => entities::decide(&s.svc, &p, op, &e).await?,
            None => Decision::Hidden,
        },
        "USER" => match crate::backend::accounts::records::find(&s.svc.db, UserId(id)).await? {
            Some(u) => match users::check(&s.svc, &p, legacy_op(op)?, &u).await {
                Ok(()) => Decision::Allow,
                Err(ServiceError::NotFound(_)) => Decision::Hidden,
                Err(ServiceError::Forbidden) => Decision::Forbidden,
                Err(e) => return Err(e),
            },
            None => Decision::Hidden,
        },
        other => {
            let kind = Kind::parse(other).ok_or_else(|| {
                ServiceError::BadRequestParams(format!("Permission checks for {other} are not available yet"))
            })?;
            match things::get_ref(&s.svc, kind, id).await? {
                Some(e) => entities::decide(&s.svc, &p, op, &e).await?,
                None => Decision::Hidden,
            }
        }
    };
    match outcome {
        Decision::Allow => Ok(Json(true)),
        Decision::Forbidden => Ok(Json(false)),
        Decision::Hidden => Err(ServiceError::NotFound(format!("{entity_type} with id [{id}] is not found"))),
    }
}

fn legacy_op(op: Operation) -> ServiceResult<crate::backend::authz::Operation> {
    use crate::backend::authz::Operation as L;
    Ok(match op {
        Operation::Read => L::Read,
        Operation::Write => L::Write,
        Operation::Create => L::Create,
        Operation::Delete => L::Delete,
        Operation::ReadCredentials => L::ReadCredentials,
        other => {
            return Err(ServiceError::BadRequestParams(format!("{} is not checked for users yet", other.as_str())));
        }
    })
}

/// `GET /api/thingdeck/explain?userId=&entityType=&entityId=&operation=`: why a user may or may not do something.
/// The caller must be able to read the user and the entity (`explanations::for_user`).
pub async fn explain(
    State(s): State<AppState>,
    Auth(p): Auth,
    crate::backend::http::extract::QueryMap(q): crate::backend::http::extract::QueryMap,
) -> ServiceResult<Json<crate::backend::authz::explain::Explanation>> {
    let param = |name: &str| {
        q.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            ServiceError::BadRequestParams(format!("Required request parameter '{name}' is not present"))
        })
    };
    let uuid = |name: &str| -> ServiceResult<uuid::Uuid> {
        let v = param(name)?;
        uuid::Uuid::parse_str(v).map_err(|_| ServiceError::BadRequestParams(format!("Invalid UUID string: {v}")))
    };
    let subject = UserId(uuid("userId")?);
    let operation = param("operation")?;
    let op = Operation::parse(operation)
        .ok_or_else(|| ServiceError::BadRequestParams(format!("Unknown operation {operation}")))?;
    let entity_id = uuid("entityId")?;
    let e =
        crate::backend::authz::explanations::for_user(&s.svc, &p, subject, op, param("entityType")?, entity_id).await?;
    Ok(Json(e))
}
