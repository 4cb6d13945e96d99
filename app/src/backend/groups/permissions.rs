//! Group permissions: a role bound to a user group, generically (over the user group owner's subtree) or for one
//! entity group. Every change bumps the tenant's permission epoch in the same transaction, so the next request on
//! any node sees it.

use crate::backend::audit;
use crate::backend::authz::delegation;
use crate::backend::authz::delegation::GroupObject;
use crate::backend::authz::role_grammar::RolePermissions;
use crate::backend::groups::roles;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::EntityGroupId;
use crate::model::EntityType;
use crate::model::GroupPermission;
use crate::model::GroupPermissionId;
use crate::model::RoleId;
use crate::model::TenantId;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
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
    /// Whose user group it is: two customers both have a "Customer Users" group.
    pub user_group_owner_id: crate::model::EntityId,
    pub user_group_owner_name: String,
    pub entity_group_name: Option<String>,
    pub entity_group_owner_id: Option<crate::model::EntityId>,
    pub entity_group_owner_name: Option<String>,
    pub read_only: bool,
}

/// An owner's id on the wire: the tenant's own or a customer's.
fn owner_ref(tenant: TenantId, owner: Uuid) -> crate::model::EntityId {
    let entity_type = if owner == tenant.0 { EntityType::Tenant } else { EntityType::Customer };
    crate::model::EntityId { entity_type, id: owner }
}

pub(crate) struct GroupRow {
    pub(crate) id: Uuid,
    pub(crate) tenant: Uuid,
    pub(crate) owner: Uuid,
    pub(crate) group_type: String,
    pub(crate) name: String,
}

impl GroupRow {
    pub(crate) fn object(&self) -> ServiceResult<GroupObject> {
        GroupObject::of_type(self.id, self.tenant, self.owner, &self.group_type)
    }
}

pub(crate) async fn group(svc: &Services, tenant: TenantId, id: Uuid) -> ServiceResult<GroupRow> {
    let r = sqlx::query("SELECT owner_id, group_type, name FROM entity_group WHERE id = $1 AND tenant_id = $2")
        .bind(id.to_string())
        .bind(tenant.0.to_string())
        .fetch_optional(&svc.db.pool)
        .await?
        .ok_or_else(|| ServiceError::not_found("Entity group", id))?;
    Ok(GroupRow {
        id,
        tenant: tenant.0,
        owner: Uuid::parse_str(&r.try_get::<String, _>("owner_id")?)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        group_type: r.try_get("group_type")?,
        name: r.try_get("name")?,
    })
}

pub(crate) fn uuid(s: &str) -> ServiceResult<Uuid> {
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

/// Reading group permissions of user groups owned by `owner`: a Generic GROUP_PERMISSION READ over it.
async fn check_read(svc: &Services, p: &Principal, owner: Uuid) -> ServiceResult<()> {
    crate::backend::authz::scopes::check_generic_over(svc, p, Resource::GroupPermission, Operation::Read, owner).await
}

/// The role's permissions as they bind, from a role the caller may read.
pub(crate) fn role_permissions(role: &crate::model::Role) -> ServiceResult<RolePermissions> {
    let t = role.role_type.ok_or_else(|| ServiceError::Internal("stored role without type".into()))?;
    crate::backend::authz::role_grammar::parse(t, role.permissions.as_ref(), role.excluded_permissions.as_ref())
}

/// What a group permission binds, checked: the user group, the role the caller may read and its permissions, and
/// for a Group role the entity group.
struct Bound {
    user_group: GroupRow,
    role: RoleId,
    entity_group: Option<GroupRow>,
}

/// Resolves and checks the binding `gp` asks for (ThingsBoard's messages for the wrong shapes), then asks
/// `authz::delegation` whether the caller may hand it on.
async fn resolve(svc: &Services, p: &Principal, gp: &GroupPermission) -> ServiceResult<Bound> {
    if gp.public == Some(true) || gp.is_public == Some(true) {
        return Err(ServiceError::InvalidArguments("Public group permissions are made by makePublic".into()));
    }
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let ug_id =
        gp.user_group_id.ok_or_else(|| ServiceError::InvalidArguments("User group should be specified".into()))?;
    let role_id = gp.role_id.ok_or_else(|| ServiceError::InvalidArguments("Role should be specified".into()))?;
    let user_group = group(svc, tenant, ug_id.0).await?;
    if user_group.group_type != "USER" {
        return Err(ServiceError::InvalidArguments("userGroupId must name a user group".into()));
    }
    let role = crate::backend::groups::role_api::get(svc, p, role_id).await?;
    let permissions = role_permissions(&role)?;
    let entity_group = match (&permissions, gp.entity_group_id.filter(|g| !g.is_null())) {
        (RolePermissions::Generic { .. }, Some(_)) => {
            return Err(ServiceError::InvalidArguments("A generic role is not bound to an entity group".into()));
        }
        (RolePermissions::Group(_), None) => {
            return Err(ServiceError::InvalidArguments("Entity group should be specified for a group role".into()));
        }
        (RolePermissions::Group(_), Some(g)) => Some(group(svc, tenant, g.0).await?),
        (RolePermissions::Generic { .. }, None) => None,
    };
    let on = entity_group.as_ref().map(GroupRow::object).transpose()?;
    delegation::check_bind(svc, p, user_group.owner, &permissions, on.as_ref()).await?;
    Ok(Bound { user_group, role: role_id, entity_group })
}

/// ThingsBoard's answer to a second identical binding, also when two requests race to make it.
fn duplicate() -> ServiceError {
    ServiceError::InvalidArguments(roles::DUPLICATE_BINDING.into())
}

fn unique_violation(e: sqlx::Error) -> ServiceError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => duplicate(),
        _ => e.into(),
    }
}

async fn exists(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_group: Uuid,
    role: Uuid,
    entity_group: Option<Uuid>,
    except: Option<Uuid>,
) -> ServiceResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_permission WHERE user_group_id = $1 AND role_id = $2 \
         AND COALESCE(entity_group_id, '') = $3 AND id <> $4",
    )
    .bind(user_group.to_string())
    .bind(role.to_string())
    .bind(entity_group.map(|g| g.to_string()).unwrap_or_default())
    .bind(except.map(|e| e.to_string()).unwrap_or_default())
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// `POST /api/groupPermission`: creates a binding, or with `id` changes one (ThingsBoard's "create or update").
/// Either way the caller must be allowed to hand on the new binding (`authz::delegation`), and to take away the
/// old one.
pub async fn create(svc: &Services, p: &Principal, gp: &GroupPermission) -> ServiceResult<GroupPermission> {
    if let Some(id) = gp.id {
        return update(svc, p, id, gp).await;
    }
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let b = resolve(svc, p, gp).await?;
    let eg = b.entity_group.as_ref().map(|g| g.id);
    let mut tx = svc.db.begin_write().await?;
    if exists(&mut tx, b.user_group.id, b.role.0, eg, None).await? {
        return Err(duplicate());
    }
    let id = roles::grant(&mut tx, tenant.0, b.user_group.id, b.role.0, eg).await?;
    tx.commit().await.map_err(unique_violation)?;
    let data = serde_json::json!({"userGroupId": b.user_group.id, "roleId": b.role.0, "entityGroupId": eg});
    let e = audit::Entry::by(p, audit::Action::Added, EntityType::GroupPermission, id, "")
        .under(tenant.0, b.user_group.owner);
    audit::record(svc, e.with(data)).await;
    get(svc, p, GroupPermissionId(id)).await
}

/// `POST /api/groupPermission` with an `id`: the binding becomes the one asked for, in one transaction.
async fn update(
    svc: &Services,
    p: &Principal,
    id: GroupPermissionId,
    gp: &GroupPermission,
) -> ServiceResult<GroupPermission> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let (old, old_owner) = load(svc, p, id).await?;
    if old.public == Some(true) {
        return Err(ServiceError::InvalidArguments("Public group permissions are changed by makePublic".into()));
    }
    let old_on = match old.entity_group_id {
        Some(g) => Some(group(svc, tenant, g.0).await?.object()?),
        None => None,
    };
    delegation::check_unbind(svc, p, old_owner, old_on.as_ref()).await?;
    let b = resolve(svc, p, gp).await?;
    let eg = b.entity_group.as_ref().map(|g| g.id);
    let mut tx = svc.db.begin_write().await?;
    if exists(&mut tx, b.user_group.id, b.role.0, eg, Some(id.0)).await? {
        return Err(duplicate());
    }
    let done = sqlx::query(
        "UPDATE group_permission SET user_group_id = $1, role_id = $2, entity_group_id = $3 WHERE id = $4 \
         AND tenant_id = $5",
    )
    .bind(b.user_group.id.to_string())
    .bind(b.role.0.to_string())
    .bind(eg.map(|g| g.to_string()))
    .bind(id.0.to_string())
    .bind(tenant.0.to_string())
    .execute(&mut *tx)
    .await
    .map_err(unique_violation)?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::not_found("Group permission", id));
    }
    crate::backend::authz::epochs::bump(&mut tx, tenant.0).await?;
    tx.commit().await.map_err(unique_violation)?;
    let data = serde_json::json!({"userGroupId": b.user_group.id, "roleId": b.role.0, "entityGroupId": eg});
    let e = audit::Entry::by(p, audit::Action::Updated, EntityType::GroupPermission, id.0, "")
        .under(tenant.0, b.user_group.owner);
    audit::record(svc, e.with(data)).await;
    get(svc, p, id).await
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
    check_read(svc, p, owner).await?;
    Ok(gp)
}

/// `DELETE /api/groupPermission/{id}`: revoking takes effect on the next request.
pub async fn delete(svc: &Services, p: &Principal, id: GroupPermissionId) -> ServiceResult<()> {
    let (gp, owner) = load(svc, p, id).await?;
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let on = match gp.entity_group_id {
        Some(g) => Some(group(svc, tenant, g.0).await?.object()?),
        None => None,
    };
    delegation::check_unbind(svc, p, owner, on.as_ref()).await?;
    if gp.public == Some(true) {
        return Err(ServiceError::InvalidArguments("Public group permissions are removed by makePrivate".into()));
    }
    let mut tx = svc.db.begin_write().await?;
    let done =
        sqlx::query("DELETE FROM group_permission WHERE id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        // Another request deleted it first: one of them succeeds.
        return Err(ServiceError::not_found("Group permission", id));
    }
    crate::backend::authz::epochs::bump(&mut tx, gp.tenant_id.map(|t| t.0).unwrap_or_default()).await?;
    tx.commit().await?;
    let data = serde_json::to_value(&gp).unwrap_or_default();
    let e = audit::Entry::by(p, audit::Action::Deleted, EntityType::GroupPermission, id.0, "");
    let e = match gp.tenant_id {
        Some(t) => e.under(t.0, owner),
        None => e,
    };
    audit::record(svc, e.with(data)).await;
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
    check_read(svc, p, g.owner).await?;
    let col = if by_user_group { "gp.user_group_id" } else { "gp.entity_group_id" };
    let rows = sqlx::query(&format!("{SELECT} WHERE {col} = $1 AND gp.tenant_id = $2 ORDER BY gp.created_time, gp.id"))
        .bind(group_id.0.to_string())
        .bind(tenant.0.to_string())
        .fetch_all(&svc.db.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut owners = Vec::with_capacity(rows.len() * 2);
    for r in &rows {
        let gp = from_row(r)?;
        let role = crate::backend::groups::role_api::get(svc, p, gp.role_id.unwrap_or(RoleId(Uuid::nil()))).await?;
        let ug_id = gp.user_group_id.map(|g| g.0).unwrap_or_default();
        let ug = group(svc, tenant, ug_id).await?;
        let eg = match gp.entity_group_id {
            Some(e) => Some((e.0, group(svc, tenant, e.0).await?)),
            None => None,
        };
        owners.push((ug_id, ug.owner));
        owners.push(eg.as_ref().map(|(id, g)| (*id, g.owner)).unwrap_or((ug_id, ug.owner)));
        out.push(GroupPermissionInfo {
            permission: gp,
            role,
            user_group_name: ug.name,
            user_group_owner_id: owner_ref(tenant, ug.owner),
            user_group_owner_name: String::new(),
            entity_group_name: eg.as_ref().map(|(_, g)| g.name.clone()),
            entity_group_owner_id: eg.as_ref().map(|(_, g)| owner_ref(tenant, g.owner)),
            entity_group_owner_name: None,
            read_only: false,
        });
    }
    let names = crate::backend::owners::infos::owners_and_groups(svc, &owners).await?;
    for (info, pair) in out.iter_mut().zip(names.chunks(2)) {
        if let [(ug_owner, _), (eg_owner, _)] = pair {
            info.user_group_owner_name = ug_owner.clone();
            if info.entity_group_owner_id.is_some() {
                info.entity_group_owner_name = Some(eg_owner.clone());
            }
        }
    }
    Ok(out)
}
