//! Group permissions: a role bound to a user group, generically (over the user group owner's subtree) or for one
//! entity group. Every change bumps the tenant's permission epoch in the same transaction, so the next request on
//! any node sees it.

use super::authz::entities;
use super::error::{ServiceError, ServiceResult};
use super::principal::Principal;
use super::roles;
use super::state::Services;
use crate::model::permissions::{Operation, Resource};
use crate::model::{EntityGroupId, GroupPermission, GroupPermissionId, RoleId, RoleType, TenantId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// A group permission with the names a console shows next to it (`GroupPermissionInfo`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPermissionInfo {
    #[serde(flatten)]
    pub permission: GroupPermission,
    pub role: crate::model::Role,
    pub user_group_name: String,
    pub entity_group_name: Option<String>,
    pub read_only: bool,
}

struct GroupRow {
    owner: Uuid,
    group_type: String,
    name: String,
}

async fn group(svc: &Services, tenant: TenantId, id: Uuid) -> ServiceResult<GroupRow> {
    let r = sqlx::query("SELECT owner_id, group_type, name FROM entity_group WHERE id = $1 AND tenant_id = $2")
        .bind(id.to_string())
        .bind(tenant.0.to_string())
        .fetch_optional(&svc.db.pool)
        .await?
        .ok_or_else(|| ServiceError::not_found("Entity group", id))?;
    Ok(GroupRow {
        owner: Uuid::parse_str(&r.try_get::<String, _>("owner_id")?)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        group_type: r.try_get("group_type")?,
        name: r.try_get("name")?,
    })
}

fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
}

fn from_row(r: &AnyRow) -> ServiceResult<GroupPermission> {
    let id = uuid(&r.try_get::<String, _>("id")?)?;
    let user_group = uuid(&r.try_get::<String, _>("user_group_id")?)?;
    let role = uuid(&r.try_get::<String, _>("role_id")?)?;
    let entity_group = r.try_get::<Option<String>, _>("entity_group_id")?.map(|s| uuid(&s)).transpose()?;
    let group_type: Option<String> = r.try_get("entity_group_type")?;
    let public = r.try_get::<i64, _>("is_public")? != 0;
    let name = match (entity_group, &group_type) {
        (Some(g), Some(t)) => format!("GROUP_{user_group}_{role}_{g}_{t}"),
        _ => format!("GENERIC_{user_group}_{role}"),
    };
    Ok(GroupPermission {
        id: Some(GroupPermissionId(id)),
        created_time: Some(r.try_get("created_time")?),
        tenant_id: Some(TenantId(uuid(&r.try_get::<String, _>("tenant_id")?)?)),
        user_group_id: Some(EntityGroupId(user_group)),
        role_id: Some(RoleId(role)),
        entity_group_id: entity_group.map(EntityGroupId),
        entity_group_type: group_type,
        public: Some(public),
        is_public: Some(public),
        name: Some(name),
    })
}

const SELECT: &str = "SELECT gp.id, gp.tenant_id, gp.user_group_id, gp.role_id, gp.entity_group_id, gp.is_public, \
     gp.created_time, eg.group_type AS entity_group_type FROM group_permission gp \
     LEFT JOIN entity_group eg ON eg.id = gp.entity_group_id";

/// The caller may manage group permissions of user groups owned within its subtree.
async fn check(svc: &Services, p: &Principal, op: Operation, user_group_owner: Uuid) -> ServiceResult<()> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    if op == Operation::Create {
        return entities::check_create(svc, p, Resource::GroupPermission, tenant.0, user_group_owner).await;
    }
    let Some(m) = svc.permissions.get(svc, p).await? else { return Err(ServiceError::Forbidden) };
    if m.generic.allows(Resource::GroupPermission, op) && entities::within(svc, m.root, user_group_owner).await? {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// `POST /api/groupPermission`.
pub async fn create(svc: &Services, p: &Principal, gp: &GroupPermission) -> ServiceResult<GroupPermission> {
    if gp.id.is_some() {
        return Err(ServiceError::InvalidArguments(
            "A group permission is not edited: delete it and create the one you need".into(),
        ));
    }
    if gp.public == Some(true) {
        return Err(ServiceError::InvalidArguments("Public group permissions are made by makePublic".into()));
    }
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let ug_id =
        gp.user_group_id.ok_or_else(|| ServiceError::InvalidArguments("User group should be specified".into()))?;
    let role_id = gp.role_id.ok_or_else(|| ServiceError::InvalidArguments("Role should be specified".into()))?;
    let ug = group(svc, tenant, ug_id.0).await?;
    if ug.group_type != "USER" {
        return Err(ServiceError::InvalidArguments("userGroupId must name a user group".into()));
    }
    check(svc, p, Operation::Create, ug.owner).await?;
    let role = roles::api::get(svc, p, role_id).await?;
    let entity_group = gp.entity_group_id.filter(|g| !g.is_null());
    match (role.role_type, entity_group) {
        (Some(RoleType::Generic), Some(_)) => {
            return Err(ServiceError::InvalidArguments("A generic role is not bound to an entity group".into()));
        }
        (Some(RoleType::Group), None) => {
            return Err(ServiceError::InvalidArguments("Entity group should be specified for a group role".into()));
        }
        (Some(RoleType::Group), Some(g)) => {
            group(svc, tenant, g.0).await?;
        }
        _ => {}
    }
    let mut tx = svc.db.pool.begin().await?;
    let same: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_permission WHERE user_group_id = $1 AND role_id = $2 \
         AND COALESCE(entity_group_id, '') = $3",
    )
    .bind(ug_id.0.to_string())
    .bind(role_id.0.to_string())
    .bind(entity_group.map(|g| g.0.to_string()).unwrap_or_default())
    .fetch_one(&mut *tx)
    .await?;
    if same > 0 {
        return Err(ServiceError::InvalidArguments("Group permission with such parameters already exists!".into()));
    }
    let id = roles::grant(&mut tx, tenant.0, ug_id.0, role_id.0, entity_group.map(|g| g.0)).await?;
    tx.commit().await?;
    get(svc, p, GroupPermissionId(id)).await
}

async fn load(svc: &Services, p: &Principal, id: GroupPermissionId) -> ServiceResult<(GroupPermission, Uuid)> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let row = sqlx::query(&format!("{SELECT} WHERE gp.id = $1 AND gp.tenant_id = $2"))
        .bind(id.0.to_string())
        .bind(tenant.0.to_string())
        .fetch_optional(&svc.db.pool)
        .await?
        .ok_or_else(|| ServiceError::not_found("Group permission", id))?;
    let gp = from_row(&row)?;
    let owner = group(svc, tenant, gp.user_group_id.map(|g| g.0).unwrap_or_default()).await?.owner;
    Ok((gp, owner))
}

/// `GET /api/groupPermission/{id}`.
pub async fn get(svc: &Services, p: &Principal, id: GroupPermissionId) -> ServiceResult<GroupPermission> {
    let (gp, owner) = load(svc, p, id).await?;
    check(svc, p, Operation::Read, owner).await?;
    Ok(gp)
}

/// `DELETE /api/groupPermission/{id}`: revoking takes effect on the next request.
pub async fn delete(svc: &Services, p: &Principal, id: GroupPermissionId) -> ServiceResult<()> {
    let (gp, owner) = load(svc, p, id).await?;
    check(svc, p, Operation::Delete, owner).await?;
    if gp.public == Some(true) {
        return Err(ServiceError::InvalidArguments("Public group permissions are removed by makePrivate".into()));
    }
    let mut tx = svc.db.pool.begin().await?;
    sqlx::query("DELETE FROM group_permission WHERE id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
    roles::bump_epoch(&mut tx, gp.tenant_id.map(|t| t.0).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /api/userGroup/{id}/groupPermissions` (`by_user_group = true`) and
/// `GET /api/entityGroup/{id}/groupPermissions`.
pub async fn list_for_group(
    svc: &Services,
    p: &Principal,
    group_id: EntityGroupId,
    by_user_group: bool,
) -> ServiceResult<Vec<GroupPermissionInfo>> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let g = group(svc, tenant, group_id.0).await?;
    check(svc, p, Operation::Read, g.owner).await?;
    let col = if by_user_group { "gp.user_group_id" } else { "gp.entity_group_id" };
    let rows = sqlx::query(&format!("{SELECT} WHERE {col} = $1 AND gp.tenant_id = $2 ORDER BY gp.created_time, gp.id"))
        .bind(group_id.0.to_string())
        .bind(tenant.0.to_string())
        .fetch_all(&svc.db.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let gp = from_row(r)?;
        let role = roles::api::get(svc, p, gp.role_id.unwrap_or(RoleId(Uuid::nil()))).await?;
        let ug = group(svc, tenant, gp.user_group_id.map(|g| g.0).unwrap_or_default()).await?;
        let eg = match gp.entity_group_id {
            Some(e) => Some(group(svc, tenant, e.0).await?.name),
            None => None,
        };
        out.push(GroupPermissionInfo {
            permission: gp,
            role,
            user_group_name: ug.name,
            entity_group_name: eg,
            read_only: false,
        });
    }
    Ok(out)
}
