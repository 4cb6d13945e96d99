//! Sharing an entity group: `/share` binds Group roles on it to a user group (or an owner's "All" users) with the
//! automatic read-only or write role or chosen ones, `share-down` passes a role the caller holds on a shared group
//! to a user group below it. Both hand permissions on, so `authz::delegation` decides each binding first.

use crate::backend::audit;
use crate::backend::authz::delegation;
use crate::backend::authz::delegation::GroupObject;
use crate::backend::authz::role_grammar::RolePermissions;
use crate::backend::groups::permissions::group;
use crate::backend::groups::permissions::role_permissions;
use crate::backend::groups::permissions::uuid;
use crate::backend::groups::roles;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::EntityGroupId;
use crate::model::EntityType;
use crate::model::GroupPermissionId;
use crate::model::RoleId;
use crate::model::RoleType;
use crate::model::permissions::Operation;
use uuid::Uuid;

/// ThingsBoard's `ShareGroupRequest`.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareGroupRequest {
    #[serde(default)]
    pub owner_id: Option<crate::model::EntityId>,
    #[serde(default)]
    pub all_user_group: bool,
    #[serde(default)]
    pub user_group_id: Option<EntityGroupId>,
    #[serde(default)]
    pub read_else_write: Option<bool>,
    #[serde(default)]
    pub role_ids: Option<Vec<RoleId>>,
}

/// Roles `share` creates on demand, owned by the sharer's owner: name and operations.
const READ_ONLY_ROLE: (&str, &[&str]) =
    ("Entity Group Read-only User", &["READ", "RPC_CALL", "READ_CREDENTIALS", "READ_ATTRIBUTES", "READ_TELEMETRY"]);

const WRITE_ROLE: (&str, &[&str]) = ("Entity Group Write User", &["ALL"]);

/// `POST /api/entityGroup/{id}/share`: binds Group roles on the entity group to a user group (or to an owner's
/// "All" users). Needs WRITE on the entity group and GROUP_PERMISSION CREATE over the target user group.
/// Returns the new group permissions and the user group that received the share.
pub async fn share(
    svc: &Services,
    p: &Principal,
    group_id: EntityGroupId,
    req: &ShareGroupRequest,
) -> ServiceResult<(Vec<GroupPermissionId>, Uuid)> {
    use crate::backend::groups::service as groups;
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let g = groups::get_checked(svc, p, group_id, Operation::Write).await?;
    if g.group_type == crate::backend::groups::group_type::GroupType::User {
        return Err(ServiceError::InvalidArguments("User groups are not shared".into()));
    }
    let target = if req.all_user_group {
        let owner = req.owner_id.ok_or_else(|| ServiceError::InvalidArguments("ownerId should be specified".into()))?;
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND tenant_id = $2 AND group_type = 'USER' AND name = 'All'")
                .bind(owner.id.to_string())
                .bind(tenant.0.to_string())
                .fetch_optional(&svc.db.pool)
                .await?;
        uuid(&id.ok_or_else(|| ServiceError::NotFound(format!("Owner with id [{}] is not found", owner.id)))?)?
    } else {
        req.user_group_id.ok_or_else(|| ServiceError::InvalidArguments("userGroupId should be specified".into()))?.0
    };
    let ug = group(svc, tenant, target).await?;
    if ug.group_type != "USER" {
        return Err(ServiceError::InvalidArguments("userGroupId must name a user group".into()));
    }
    // ThingsBoard: WRITE on the receiving user group too, so nobody shares with a group it may not even read.
    groups::get_checked(svc, p, EntityGroupId(ug.id), Operation::Write).await?;
    let on = GroupObject::of_type(g.id, g.tenant, g.owner, g.group_type.as_str())?;
    // Every role is checked before anything is written: the chosen Group roles, or the automatic one.
    let chosen: Option<Vec<RoleId>> = req.role_ids.clone().filter(|ids| !ids.is_empty());
    let automatic = match &chosen {
        Some(ids) => {
            for r in ids {
                let role = crate::backend::groups::role_api::get(svc, p, *r).await?;
                if role.role_type != Some(RoleType::Group) {
                    return Err(ServiceError::InvalidArguments("Only group roles can be used to share a group".into()));
                }
                delegation::check_bind(svc, p, ug.owner, &role_permissions(&role)?, Some(&on)).await?;
            }
            None
        }
        None => {
            let (name, ops) = if req.read_else_write == Some(false) { WRITE_ROLE } else { READ_ONLY_ROLE };
            let perms = RolePermissions::Group(ops.iter().filter_map(|o| Operation::parse(o)).collect());
            delegation::check_bind(svc, p, ug.owner, &perms, Some(&on)).await?;
            Some((name, serde_json::json!(ops)))
        }
    };
    let mut tx = svc.db.begin_write().await?;
    let roles: Vec<Uuid> = match (chosen, automatic) {
        (Some(ids), _) => ids.into_iter().map(|r| r.0).collect(),
        (None, Some((name, perms))) => {
            let owner = p.customer_id.filter(|c| !c.is_null()).map(|c| c.0);
            vec![roles::find_or_create_group_role(&mut tx, tenant.0, owner, name, perms).await?]
        }
        (None, None) => Vec::new(),
    };
    let mut created = Vec::new();
    for r in roles {
        let same: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM group_permission WHERE user_group_id = $1 AND role_id = $2 AND entity_group_id = $3",
        )
        .bind(target.to_string())
        .bind(r.to_string())
        .bind(g.id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if same == 0 {
            created.push(GroupPermissionId(roles::grant(&mut tx, tenant.0, target, r, Some(g.id)).await?));
        }
    }
    tx.commit().await?;
    for gp in &created {
        let data = serde_json::json!({"entityGroupId": g.id, "userGroupId": target, "shared": true});
        audit::record(
            svc,
            audit::Entry::by(p, audit::Action::Added, EntityType::GroupPermission, gp.0, &g.name).with(data),
        )
        .await;
    }
    Ok((created, target))
}

/// `POST /api/entityGroup/{id}/{userGroupId}/{roleId}/share`: shares down to a user group within the caller's
/// subtree. Needs SHARE_GROUP on the group (generic, or through a Group role) and a Group role whose operations
/// the caller itself holds on the group.
pub async fn share_down(
    svc: &Services,
    p: &Principal,
    group_id: EntityGroupId,
    user_group: EntityGroupId,
    role_id: RoleId,
) -> ServiceResult<GroupPermissionId> {
    use crate::backend::groups::service as groups;
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let g = groups::get_checked(svc, p, group_id, Operation::ShareGroup).await?;
    let ug = group(svc, tenant, user_group.0).await?;
    if ug.group_type != "USER" {
        return Err(ServiceError::InvalidArguments("userGroupId must name a user group".into()));
    }
    let role = crate::backend::groups::role_api::get(svc, p, role_id).await?;
    if role.role_type != Some(RoleType::Group) {
        return Err(ServiceError::InvalidArguments("Only group roles can be used to share a group".into()));
    }
    let on = GroupObject::of_type(g.id, g.tenant, g.owner, g.group_type.as_str())?;
    delegation::check_bind(svc, p, ug.owner, &role_permissions(&role)?, Some(&on)).await?;
    let mut tx = svc.db.begin_write().await?;
    let same: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_permission WHERE user_group_id = $1 AND role_id = $2 AND entity_group_id = $3",
    )
    .bind(user_group.0.to_string())
    .bind(role_id.0.to_string())
    .bind(g.id.to_string())
    .fetch_one(&mut *tx)
    .await?;
    if same > 0 {
        return Err(ServiceError::InvalidArguments("Group permission with such parameters already exists!".into()));
    }
    let id = roles::grant(&mut tx, tenant.0, user_group.0, role_id.0, Some(g.id)).await?;
    tx.commit().await?;
    let data =
        serde_json::json!({"entityGroupId": g.id, "userGroupId": user_group.0, "roleId": role_id.0, "shared": true});
    audit::record(svc, audit::Entry::by(p, audit::Action::Added, EntityType::GroupPermission, id, &g.name).with(data))
        .await;
    Ok(GroupPermissionId(id))
}
