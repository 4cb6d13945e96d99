//! Roles and group permissions in storage, and the predefined ones ThingsBoard PE creates: per tenant the
//! "Tenant Administrators" and "Tenant Users" user groups with their Generic roles; per customer "Customer
//! Administrators" and "Customer Users", whose roles belong to the customer's owner (one pair per owner).

use super::authz::grants::{GenericPermissions, validate_generic, validate_group};
use super::clock::now_ms;
use super::entity_groups::{self, GroupType};
use super::error::{ServiceError, ServiceResult};
use crate::model::RoleType;
use crate::model::permissions::Operation;
use serde_json::{Value, json};
use sqlx::{Any, Transaction};
use uuid::Uuid;

/// A role's permissions, parsed and validated for its type.
#[derive(Clone, Debug, PartialEq)]
pub enum RolePermissions {
    Generic { permissions: GenericPermissions, excluded: GenericPermissions },
    Group(Vec<Operation>),
}

fn bad(msg: impl Into<String>) -> ServiceError {
    ServiceError::InvalidArguments(msg.into())
}

fn parse_generic(v: &Value) -> ServiceResult<GenericPermissions> {
    let obj =
        v.as_object().ok_or_else(|| bad("Generic role permissions must be an object of resource → operations"))?;
    let mut out = GenericPermissions::new();
    for (res, ops) in obj {
        let r =
            crate::model::permissions::Resource::parse(res).ok_or_else(|| bad(format!("Unknown resource {res}")))?;
        let list = ops.as_array().ok_or_else(|| bad(format!("Operations of {res} must be a list")))?;
        let mut parsed = Vec::with_capacity(list.len());
        for op in list {
            let name = op.as_str().unwrap_or_default();
            parsed.push(Operation::parse(name).ok_or_else(|| bad(format!("Unknown operation {op}")))?);
        }
        out.insert(r, parsed);
    }
    validate_generic(&out).map_err(|e| bad(e.0))?;
    Ok(out)
}

/// Parses `permissions` / `excludedPermissions` the way the role's type requires.
pub fn parse(
    role_type: RoleType,
    permissions: Option<&Value>,
    excluded: Option<&Value>,
) -> ServiceResult<RolePermissions> {
    let permissions =
        permissions.filter(|v| !v.is_null()).ok_or_else(|| bad("Role permissions should be specified"))?;
    let excluded = excluded.filter(|v| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()));
    match role_type {
        RoleType::Generic => Ok(RolePermissions::Generic {
            permissions: parse_generic(permissions)?,
            excluded: excluded.map(parse_generic).transpose()?.unwrap_or_default(),
        }),
        RoleType::Group => {
            if excluded.is_some() {
                return Err(bad("Excluded permissions are only supported by generic roles"));
            }
            let list =
                permissions.as_array().ok_or_else(|| bad("Group role permissions must be a list of operations"))?;
            let mut ops = Vec::with_capacity(list.len());
            for op in list {
                let name = op.as_str().unwrap_or_default();
                ops.push(Operation::parse(name).ok_or_else(|| bad(format!("Unknown operation {op}")))?);
            }
            validate_group(&ops).map_err(|e| bad(e.0))?;
            Ok(RolePermissions::Group(ops))
        }
    }
}

/// Permissions of ThingsBoard's predefined roles.
pub mod predefined {
    use serde_json::{Value, json};

    pub fn administrator() -> Value {
        json!({"ALL": ["ALL"]})
    }
    pub fn tenant_user() -> Value {
        json!({"ALL": ["READ", "RPC_CALL", "READ_CREDENTIALS", "READ_ATTRIBUTES", "READ_TELEMETRY", "READ_CALCULATED_FIELD"],
               "PROFILE": ["ALL"]})
    }
    pub fn customer_user() -> Value {
        json!({"ALL": ["READ", "RPC_CALL", "READ_CREDENTIALS", "READ_ATTRIBUTES", "READ_TELEMETRY"], "PROFILE": ["ALL"]})
    }
}

/// Records that permissions in the tenant changed (see `authz::cache`).
pub async fn bump_epoch(tx: &mut Transaction<'_, Any>, tenant: Uuid) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO permission_epoch (tenant_id, epoch) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET epoch = permission_epoch.epoch + 1",
    )
    .bind(tenant.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a role by owner and name, or creates it with the given permissions.
async fn find_or_create(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Option<Uuid>,
    name: &str,
    permissions: Value,
    description: &str,
) -> ServiceResult<Uuid> {
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT id FROM role WHERE tenant_id = $1 AND COALESCE(customer_id, '') = $2 AND name_lower = $3",
    )
    .bind(tenant.to_string())
    .bind(customer.map(|c| c.to_string()).unwrap_or_default())
    .bind(name.to_lowercase())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = existing {
        return Uuid::parse_str(&id).map_err(|e| ServiceError::Internal(e.to_string()));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO role (id, tenant_id, customer_id, created_time, name, name_lower, role_type, permissions, \
         excluded_permissions, additional_info, version) VALUES ($1, $2, $3, $4, $5, $6, 'GENERIC', $7, NULL, $8, 1)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(customer.map(|c| c.to_string()))
    .bind(now_ms())
    .bind(name)
    .bind(name.to_lowercase())
    .bind(permissions.to_string())
    .bind(json!({"description": description}).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Binds a role to a user group (generic when `entity_group` is `None`).
pub async fn grant(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    user_group: Uuid,
    role: Uuid,
    entity_group: Option<Uuid>,
) -> ServiceResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO group_permission (id, tenant_id, user_group_id, role_id, entity_group_id, is_public, created_time) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(user_group.to_string())
    .bind(role.to_string())
    .bind(entity_group.map(|g| g.to_string()))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    bump_epoch(tx, tenant).await?;
    Ok(id)
}

/// Name of the tenant administrators' user group.
pub const TENANT_ADMINISTRATORS: &str = "Tenant Administrators";
/// Name of the tenant users' user group.
pub const TENANT_USERS: &str = "Tenant Users";
/// Name of a customer's administrators' user group.
pub const CUSTOMER_ADMINISTRATORS: &str = "Customer Administrators";
/// Name of a customer's users' user group.
pub const CUSTOMER_USERS: &str = "Customer Users";

/// A new tenant's predefined user groups and roles.
pub async fn create_tenant_defaults(tx: &mut Transaction<'_, Any>, tenant: Uuid) -> ServiceResult<()> {
    for (group, role, perms, what) in [
        (
            TENANT_ADMINISTRATORS,
            "Tenant Administrator",
            predefined::administrator(),
            "Autogenerated Tenant Administrator role with all permissions.",
        ),
        (
            TENANT_USERS,
            "Tenant User",
            predefined::tenant_user(),
            "Autogenerated Tenant User role with read-only permissions.",
        ),
    ] {
        let g = entity_groups::create_group(tx, tenant, tenant, "TENANT", GroupType::User, group).await?;
        let r = find_or_create(tx, tenant, None, role, perms, what).await?;
        grant(tx, tenant, g, r, None).await?;
    }
    Ok(())
}

/// A new customer's predefined user groups; their roles belong to the customer's owner.
pub async fn create_customer_defaults(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Uuid,
    owner_customer: Option<Uuid>,
) -> ServiceResult<()> {
    for (group, role, perms, what) in [
        (
            CUSTOMER_ADMINISTRATORS,
            "Customer Administrator",
            predefined::administrator(),
            "Autogenerated Customer Administrator role with all permissions.",
        ),
        (
            CUSTOMER_USERS,
            "Customer User",
            predefined::customer_user(),
            "Autogenerated Customer User role with read-only permissions.",
        ),
    ] {
        let g = entity_groups::create_group(tx, tenant, customer, "CUSTOMER", GroupType::User, group).await?;
        let r = find_or_create(tx, tenant, owner_customer, role, perms, what).await?;
        grant(tx, tenant, g, r, None).await?;
    }
    Ok(())
}

/// After a customer moved to another owner: its predefined groups are bound to the new owner's predefined roles
/// (bindings to roles of the old owner are gone with it or dropped here).
pub async fn rebind_customer_defaults(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Uuid,
    owner_customer: Option<Uuid>,
) -> ServiceResult<()> {
    for (group, role, perms, what) in [
        (
            CUSTOMER_ADMINISTRATORS,
            "Customer Administrator",
            predefined::administrator(),
            "Autogenerated Customer Administrator role with all permissions.",
        ),
        (
            CUSTOMER_USERS,
            "Customer User",
            predefined::customer_user(),
            "Autogenerated Customer User role with read-only permissions.",
        ),
    ] {
        let g: Option<String> = sqlx::query_scalar(
            "SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name_lower = $2",
        )
        .bind(customer.to_string())
        .bind(group.to_lowercase())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(g) = g else { continue };
        sqlx::query(
            "DELETE FROM group_permission WHERE user_group_id = $1 AND entity_group_id IS NULL AND role_id IN \
             (SELECT id FROM role WHERE name_lower = $2 AND COALESCE(customer_id, '') <> $3)",
        )
        .bind(&g)
        .bind(role.to_lowercase())
        .bind(owner_customer.map(|c| c.to_string()).unwrap_or_default())
        .execute(&mut **tx)
        .await?;
        let r = find_or_create(tx, tenant, owner_customer, role, perms, what).await?;
        sqlx::query(
            "INSERT INTO group_permission (id, tenant_id, user_group_id, role_id, entity_group_id, is_public, created_time) \
             VALUES ($1, $2, $3, $4, NULL, 0, $5) ON CONFLICT DO NOTHING",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(tenant.to_string())
        .bind(&g)
        .bind(r.to_string())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    }
    bump_epoch(tx, tenant).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_by_type() {
        let g = parse(
            RoleType::Generic,
            Some(&json!({"DEVICE": ["READ", "RPC_CALL"]})),
            Some(&json!({"DEVICE": ["DELETE"]})),
        );
        assert!(matches!(g, Ok(RolePermissions::Generic { .. })));
        assert!(parse(RoleType::Generic, Some(&json!({"NOPE": ["READ"]})), None).is_err());
        assert!(parse(RoleType::Generic, Some(&json!({"ASSET": ["RPC_CALL"]})), None).is_err());
        assert!(parse(RoleType::Group, Some(&json!(["READ", "WRITE"])), None).is_ok());
        assert!(parse(RoleType::Group, Some(&json!(["CHANGE_OWNER"])), None).is_err());
        assert!(parse(RoleType::Group, Some(&json!(["READ"])), Some(&json!({"DEVICE": ["READ"]}))).is_err());
        assert!(parse(RoleType::Group, Some(&json!(["READ"])), Some(&json!({}))).is_ok());
        assert!(parse(RoleType::Generic, None, None).is_err());
        for p in [predefined::administrator(), predefined::tenant_user(), predefined::customer_user()] {
            assert!(parse(RoleType::Generic, Some(&p), None).is_ok(), "{p}");
        }
    }
}
