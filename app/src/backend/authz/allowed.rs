//! `GET /api/permissions/allowedPermissions` in ThingsBoard's `AllowedPermissionsInfo` shape: the vocabulary,
//! the group-role rules, the resources the authority may use, and the caller's merged permissions.

use crate::backend::authz::merged::Merged;
use crate::model::Authority;
use crate::model::permissions::OpSet;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use serde_json::{Map, Value, json};
use uuid::Uuid;

fn ops(set: OpSet) -> Value {
    Value::Array(set.iter().map(|o| json!(o.as_str())).collect())
}

fn names(list: &[Resource]) -> Value {
    Value::Array(list.iter().map(|r| json!(r.as_str())).collect())
}

/// Resources each authority may use at all (ThingsBoard's `allowedResources`).
pub fn allowed_resources(authority: Authority) -> Vec<Resource> {
    use Resource::*;
    match authority {
        Authority::SysAdmin => vec![
            All,
            Profile,
            AdminSettings,
            Tenant,
            TenantProfile,
            RuleChain,
            User,
            WidgetsBundle,
            WidgetType,
            WhiteLabeling,
            Dashboard,
            Alarm,
            AuditLog,
            Oauth2Client,
            Domain,
            MobileApp,
            MobileAppBundle,
            Queue,
            QueueStats,
            TbResource,
            Notification,
        ],
        Authority::TenantAdmin => Resource::EVERY
            .iter()
            .copied()
            .filter(|r| {
                !matches!(
                    r,
                    AdminSettings | TenantProfile | Oauth2ConfigurationTemplate | MobileAppSettings | CustomMenu
                )
            })
            .chain([MobileAppSettings])
            .collect(),
        Authority::CustomerUser => vec![
            All,
            Profile,
            Alarm,
            Device,
            Asset,
            EntityView,
            Edge,
            Customer,
            Dashboard,
            User,
            WidgetsBundle,
            WidgetType,
            Role,
            SchedulerEvent,
            BlobEntity,
            CustomerGroup,
            UserGroup,
            DeviceGroup,
            AssetGroup,
            DashboardGroup,
            EntityViewGroup,
            EdgeGroup,
            GroupPermission,
            WhiteLabeling,
            Domain,
            Oauth2Client,
            AuditLog,
            DeviceProfile,
            AssetProfile,
            MobileAppSettings,
            ReportTemplate,
            Report,
            Job,
            ApiKey,
        ],
    }
}

/// The whole answer.
pub fn allowed_permissions(authority: Authority, owner: (&str, Uuid), merged: Option<&Merged>) -> Value {
    let mut by_resource = Map::new();
    for r in Resource::EVERY {
        by_resource.insert(r.as_str().into(), ops(r.vocabulary()));
    }
    let group_role = Operation::EVERY.iter().copied().filter(|o| o.allowed_for_group_role());
    let owner_only = Operation::EVERY.iter().copied().filter(|o| o.group_owner_only());
    let group_owner_only = Operation::EVERY.iter().copied().filter(|o| o.group_operation_owner_only());
    let user_permissions = match merged {
        None => json!({"genericPermissions": {"ALL": ["ALL"]}, "groupPermissions": {}}),
        Some(m) => {
            let mut groups = Map::new();
            for (g, (t, set)) in &m.groups {
                groups.insert(g.to_string(), json!({"entityType": t, "operations": ops(*set)}));
            }
            let generic: Map<String, Value> = m
                .generic
                .to_wire()
                .into_iter()
                .map(|(r, list)| {
                    (r.as_str().to_string(), Value::Array(list.iter().map(|o| json!(o.as_str())).collect()))
                })
                .collect();
            let mut read_entity = Map::new();
            for (t, r) in [
                ("CUSTOMER", Resource::Customer),
                ("DEVICE", Resource::Device),
                ("ASSET", Resource::Asset),
                ("DASHBOARD", Resource::Dashboard),
                ("USER", Resource::User),
                ("EDGE", Resource::Edge),
            ] {
                let ids: Vec<String> = m
                    .groups
                    .iter()
                    .filter(|(_, (gt, set))| gt == t && set.allows(Operation::Read))
                    .map(|(g, _)| g.to_string())
                    .collect();
                read_entity.insert(
                    t.into(),
                    json!({"entityGroupIds": ids, "hasGenericRead": m.generic.allows(r, Operation::Read)}),
                );
            }
            json!({"genericPermissions": generic, "groupPermissions": groups, "readEntityPermissions": read_entity})
        }
    };
    json!({
        "operationsByResource": by_resource,
        "allowedForGroupRoleOperations": group_role.map(|o| o.as_str()).collect::<Vec<_>>(),
        "allowedForGroupOwnerOnlyOperations": owner_only.map(|o| o.as_str()).collect::<Vec<_>>(),
        "allowedForGroupOwnerOnlyGroupOperations": group_owner_only.map(|o| o.as_str()).collect::<Vec<_>>(),
        "allowedResources": names(&allowed_resources(authority)),
        "userPermissions": user_permissions,
        "userOwnerId": {"entityType": owner.0, "id": owner.1},
    })
}

/// The caller's `AllowedPermissionsInfo`.
pub async fn for_caller(
    svc: &crate::backend::services::Services,
    p: &crate::backend::kernel::principal::Principal,
) -> crate::backend::kernel::error::ServiceResult<Value> {
    let merged = svc.permissions.get(&svc.db.pool, p).await?;
    let owner = match (p.customer_id.filter(|c| !c.is_null()), p.tenant_id) {
        (Some(c), _) => ("CUSTOMER", c.0),
        (None, Some(t)) => ("TENANT", t.0),
        (None, None) => ("TENANT", crate::model::NULL_UUID),
    };
    Ok(allowed_permissions(p.authority, owner, merged.as_deref()))
}
