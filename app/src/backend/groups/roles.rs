//! Roles and group permissions in storage, and the predefined ones ThingsBoard PE creates: per tenant the
//! "Tenant Administrators" and "Tenant Users" user groups with their Generic roles; per customer "Customer
//! Administrators" and "Customer Users", whose roles belong to the customer's owner (one pair per owner).

use crate::backend::authz::grants::GenericPermissions;
use crate::backend::authz::grants::validate_generic;
use crate::backend::authz::grants::validate_group;
use crate::backend::groups::store;
use crate::backend::groups::store::GroupType;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
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
    pub fn public_user() -> Value {
        json!({"DASHBOARD": ["READ"], "WIDGETS_BUNDLE": ["READ"], "WIDGET_TYPE": ["READ"], "ALARM": ["READ"]})
    }
    pub fn entity_group_public_user() -> Value {
        json!(["READ", "RPC_CALL", "READ_ATTRIBUTES", "READ_TELEMETRY"])
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
    crate::backend::authz::snapshot::forget(tenant);
    Ok(())
}

/// Finds a role by owner, name and type, or creates it with the given permissions (predefined and automatic
/// sharing roles).
async fn find_or_create(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Option<Uuid>,
    role_type: RoleType,
    name: &str,
    permissions: Value,
    description: &str,
) -> ServiceResult<Uuid> {
    let type_name = if role_type == RoleType::Group { "GROUP" } else { "GENERIC" };
    // Two transactions looking for the same role at once must not both create it. SQLite's write transactions
    // are serialised already; on PostgreSQL a transaction-scoped lock per (tenant, owner, name) does it.
    if (**tx).backend_name() == "PostgreSQL" {
        let key = lock_key(&[&tenant.to_string(), &customer.map(|c| c.to_string()).unwrap_or_default(), name]);
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut **tx).await?;
    }
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT id FROM role WHERE tenant_id = $1 AND COALESCE(customer_id, '') = $2 AND name_lower = $3 AND role_type = $4",
    )
    .bind(tenant.to_string())
    .bind(customer.map(|c| c.to_string()).unwrap_or_default())
    .bind(name.to_lowercase())
    .bind(type_name)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = existing {
        return Uuid::parse_str(&id).map_err(|e| ServiceError::Internal(e.to_string()));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO role (id, tenant_id, customer_id, created_time, name, name_lower, role_type, permissions, \
         excluded_permissions, additional_info, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, 1)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(customer.map(|c| c.to_string()))
    .bind(now_ms())
    .bind(name)
    .bind(name.to_lowercase())
    .bind(type_name)
    .bind(permissions.to_string())
    .bind(json!({"description": description}).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A stable 64-bit key for an advisory lock (FNV-1a over the parts, each ended by a zero byte).
fn lock_key(parts: &[&str]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes().chain(std::iter::once(0))) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// Finds or creates a Group role (the automatic sharing roles).
pub async fn find_or_create_group_role(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Option<Uuid>,
    name: &str,
    permissions: Value,
) -> ServiceResult<Uuid> {
    find_or_create(
        tx,
        tenant,
        customer,
        RoleType::Group,
        name,
        permissions,
        "Autogenerated role for sharing entity groups.",
    )
    .await
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
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => ServiceError::InvalidArguments(DUPLICATE_BINDING.into()),
        _ => e.into(),
    })?;
    bump_epoch(tx, tenant).await?;
    Ok(id)
}

/// ThingsBoard's message for a binding that exists already.
pub const DUPLICATE_BINDING: &str = "Group permission with such parameters already exists!";

/// The names of the roles the system makes (predefined, sharing and public roles): nobody else may use them, so
/// finding them by name always finds the system's.
pub const BUILT_IN: [&str; 8] = [
    "Tenant Administrator",
    "Tenant User",
    "Customer Administrator",
    "Customer User",
    "Public User",
    "Entity Group Read-only User",
    "Entity Group Write User",
    "Entity Group Public User",
];

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
        let g = store::create_group(tx, tenant, tenant, "TENANT", GroupType::User, group).await?;
        let r = find_or_create(tx, tenant, None, RoleType::Generic, role, perms, what).await?;
        grant(tx, tenant, g, r, None).await?;
    }
    Ok(())
}

/// The predefined customer user groups with their roles: (group, role, permissions, description).
fn customer_defaults() -> [(&'static str, &'static str, Value, &'static str); 2] {
    [
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
    ]
}

/// A new customer's predefined user groups; their roles belong to the customer's owner.
pub async fn create_customer_defaults(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Uuid,
    owner_customer: Option<Uuid>,
) -> ServiceResult<()> {
    for (group, role, perms, what) in customer_defaults() {
        let g = store::create_group(tx, tenant, customer, "CUSTOMER", GroupType::User, group).await?;
        let r = find_or_create(tx, tenant, owner_customer, RoleType::Generic, role, perms, what).await?;
        grant(tx, tenant, g, r, None).await?;
    }
    Ok(())
}

/// Name of a public customer's user group.
pub const PUBLIC_USERS: &str = "Public Users";

/// A new public customer's "Public Users" group with the "Public User" role; returns the group.
pub async fn create_public_defaults(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Uuid,
    owner_customer: Option<Uuid>,
) -> ServiceResult<Uuid> {
    let g = store::create_group(tx, tenant, customer, "CUSTOMER", GroupType::User, PUBLIC_USERS).await?;
    let what = "Autogenerated Public User role with read-only permissions.";
    let r =
        find_or_create(tx, tenant, owner_customer, RoleType::Generic, "Public User", predefined::public_user(), what)
            .await?;
    grant(tx, tenant, g, r, None).await?;
    Ok(g)
}

/// After a customer moved to another owner: its predefined groups are bound to the new owner's predefined roles
/// (bindings to roles of the old owner are gone with it or dropped here).
pub async fn rebind_customer_defaults(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    customer: Uuid,
    owner_customer: Option<Uuid>,
) -> ServiceResult<()> {
    for (group, role, perms, what) in customer_defaults() {
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
        let r = find_or_create(tx, tenant, owner_customer, RoleType::Generic, role, perms, what).await?;
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
    use crate::backend::groups::roles::*;

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

/// Role CRUD for `/api/role*`. Roles are standalone: only Generic ROLE grants apply, over the caller's subtree.
pub mod api {
    use crate::backend::authz::entities;
    use crate::backend::authz::entities::EntityRef;
    use crate::backend::groups::roles::*;
    use crate::backend::kernel::paging::PageLink;
    use crate::backend::kernel::principal::Principal;
    use crate::backend::services::Services;
    use crate::model::CustomerId;
    use crate::model::EntityId;
    use crate::model::EntityType;
    use crate::model::NULL_UUID;
    use crate::model::PageData;
    use crate::model::Role;
    use crate::model::RoleId;
    use crate::model::TenantId;
    use crate::model::permissions::Resource;
    use sqlx::Row;
    use sqlx::any::AnyRow;

    const COLUMNS: &str = "r.id, r.tenant_id, r.customer_id, r.created_time, r.name, r.role_type, r.permissions, \
         r.excluded_permissions, r.additional_info, r.version";

    fn uuid(s: &str) -> ServiceResult<Uuid> {
        Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
    }

    fn json_col(r: &AnyRow, col: &str) -> ServiceResult<Option<Value>> {
        Ok(r.try_get::<Option<String>, _>(col)?.and_then(|s| serde_json::from_str(&s).ok()))
    }

    fn from_row(r: &AnyRow) -> ServiceResult<Role> {
        let tenant = uuid(&r.try_get::<String, _>("tenant_id")?)?;
        let customer = r.try_get::<Option<String>, _>("customer_id")?.map(|s| uuid(&s)).transpose()?;
        Ok(Role {
            id: Some(RoleId(uuid(&r.try_get::<String, _>("id")?)?)),
            created_time: Some(r.try_get("created_time")?),
            tenant_id: Some(TenantId(tenant)),
            customer_id: Some(CustomerId(customer.unwrap_or(NULL_UUID))),
            owner_id: Some(match customer {
                Some(c) => EntityId { entity_type: EntityType::Customer, id: c },
                None => EntityId { entity_type: EntityType::Tenant, id: tenant },
            }),
            name: Some(r.try_get("name")?),
            role_type: Some(if r.try_get::<String, _>("role_type")? == "GROUP" {
                RoleType::Group
            } else {
                RoleType::Generic
            }),
            permissions: json_col(r, "permissions")?,
            excluded_permissions: json_col(r, "excluded_permissions")?,
            additional_info: json_col(r, "additional_info")?,
            version: Some(r.try_get("version")?),
        })
    }

    fn entity_ref(role: &Role) -> EntityRef {
        let tenant = role.tenant_id.map(|t| t.0).unwrap_or_default();
        let owner = role.customer_id.filter(|c| !c.is_null()).map(|c| c.0).unwrap_or(tenant);
        EntityRef { tenant, id: role.id.map(|r| r.0).unwrap_or_default(), owner, resource: Resource::Role }
    }

    async fn load(svc: &Services, id: RoleId) -> ServiceResult<Option<Role>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM role r WHERE r.id = $1"))
            .bind(id.0.to_string())
            .fetch_optional(&svc.db.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// `GET /api/role/{id}`: readable with ROLE READ when owned within the caller's subtree or above it (the
    /// same rule as `list`).
    pub async fn get(svc: &Services, p: &Principal, id: RoleId) -> ServiceResult<Role> {
        let role = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Role", id))?;
        let e = entity_ref(&role);
        if p.tenant_id.map(|t| t.0) != Some(e.tenant) {
            return Err(ServiceError::not_found("Role", id));
        }
        crate::backend::authz::scopes::check_role_read(svc, p, e.owner).await?;
        Ok(role)
    }

    fn name_taken() -> ServiceError {
        bad("Role with such name already exists!")
    }

    fn unique_violation(e: sqlx::Error) -> ServiceError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => name_taken(),
            _ => e.into(),
        }
    }

    /// Whether another role of the same owner has this name (role names are unique per owner).
    async fn taken(
        svc: &Services,
        tenant: Uuid,
        owner: Option<Uuid>,
        name: &str,
        except: Option<Uuid>,
    ) -> ServiceResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM role WHERE tenant_id = $1 AND COALESCE(customer_id, '') = $2 AND name_lower = $3 \
             AND id <> $4",
        )
        .bind(tenant.to_string())
        .bind(owner.map(|o| o.to_string()).unwrap_or_default())
        .bind(name.to_lowercase())
        .bind(except.map(|e| e.to_string()).unwrap_or_default())
        .fetch_one(&svc.db.pool)
        .await?;
        Ok(n > 0)
    }

    /// `POST /api/role`: a tenant's staff create tenant roles, a customer's staff roles of their customer. Names are
    /// unique per owner, and the built-in roles' names are the system's.
    pub async fn save(svc: &Services, p: &Principal, role: &Role) -> ServiceResult<Role> {
        let name = crate::backend::kernel::validate::required("Role", "name", &role.name)?;
        crate::backend::kernel::validate::max_len("name", &role.name)?;
        let reserved = BUILT_IN.iter().any(|b| b.eq_ignore_ascii_case(&name));
        let role_type = role.role_type.ok_or_else(|| bad("Role type should be specified"))?;
        let wanted = parse(role_type, role.permissions.as_ref(), role.excluded_permissions.as_ref())?;
        let excluded = role.excluded_permissions.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string());
        if let Some(id) = role.id {
            let current = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Role", id))?;
            entities::check(svc, p, Operation::Write, &entity_ref(&current), "Role").await?;
            if current.role_type != Some(role_type) {
                return Err(bad("Role type can't be changed"));
            }
            // What the change adds reaches every user group the role is bound to.
            let before = parse(role_type, current.permissions.as_ref(), current.excluded_permissions.as_ref())?;
            crate::backend::authz::delegation::check_widen(svc, p, id.0, &before, &wanted).await?;
            let renamed = !current.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&name));
            if renamed && reserved {
                return Err(bad(format!("Role name '{name}' is reserved for a built-in role")));
            }
            let e = entity_ref(&current);
            let owner = (e.owner != e.tenant).then_some(e.owner);
            if renamed && taken(svc, e.tenant, owner, &name, Some(id.0)).await? {
                return Err(name_taken());
            }
            let mut tx = svc.db.begin_write().await?;
            let done = sqlx::query(
                "UPDATE role SET name = $1, name_lower = $2, permissions = $3, excluded_permissions = $4, \
                 additional_info = $5, version = version + 1 WHERE id = $6 AND ($7 < 0 OR version = $7)",
            )
            .bind(&name)
            .bind(name.to_lowercase())
            .bind(role.permissions.as_ref().map(|v| v.to_string()).unwrap_or_default())
            .bind(excluded)
            .bind(role.additional_info.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string()))
            .bind(id.0.to_string())
            .bind(role.version.unwrap_or(-1))
            .execute(&mut *tx)
            .await
            .map_err(unique_violation)?;
            if done.rows_affected() == 0 {
                return Err(ServiceError::VersionConflict(
                    "Role was already changed by someone else! Reload it and try again.".into(),
                ));
            }
            bump_epoch(&mut tx, current.tenant_id.map(|t| t.0).unwrap_or_default()).await?;
            tx.commit().await?;
            return get(svc, p, id).await;
        }
        let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
        let customer = p.customer_id.filter(|c| !c.is_null()).map(|c| c.0);
        entities::check_create(svc, p, Resource::Role, tenant.0, customer.unwrap_or(tenant.0)).await?;
        if reserved {
            return Err(bad(format!("Role name '{name}' is reserved for a built-in role")));
        }
        if taken(svc, tenant.0, customer, &name, None).await? {
            return Err(name_taken());
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO role (id, tenant_id, customer_id, created_time, name, name_lower, role_type, permissions, \
             excluded_permissions, additional_info, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
        )
        .bind(id.to_string())
        .bind(tenant.0.to_string())
        .bind(customer.map(|c| c.to_string()))
        .bind(now_ms())
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(if role_type == RoleType::Group { "GROUP" } else { "GENERIC" })
        .bind(role.permissions.as_ref().map(|v| v.to_string()).unwrap_or_default())
        .bind(excluded)
        .bind(role.additional_info.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string()))
        .execute(svc.db.writer())
        .await
        .map_err(unique_violation)?;
        let e = crate::backend::audit::Entry::by(
            p,
            crate::backend::audit::Action::Added,
            crate::model::EntityType::Role,
            id,
            &name,
        );
        crate::backend::audit::record(svc, e).await;
        get(svc, p, RoleId(id)).await
    }

    /// `DELETE /api/role/{id}`: its group permissions go with it.
    pub async fn delete(svc: &Services, p: &Principal, id: RoleId) -> ServiceResult<()> {
        let role = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Role", id))?;
        entities::check(svc, p, Operation::Delete, &entity_ref(&role), "Role").await?;
        let mut tx = svc.db.begin_write().await?;
        sqlx::query("DELETE FROM role WHERE id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
        bump_epoch(&mut tx, role.tenant_id.map(|t| t.0).unwrap_or_default()).await?;
        tx.commit().await?;
        let e = crate::backend::audit::Entry::by(
            p,
            crate::backend::audit::Action::Deleted,
            crate::model::EntityType::Role,
            id.0,
            role.name.as_deref().unwrap_or(""),
        );
        crate::backend::audit::record(svc, e).await;
        Ok(())
    }

    /// `GET /api/roles?type=`: roles owned within the caller's subtree or by its owner's ancestors (the roles
    /// that apply to it and that it may share with), searched and paged in SQL.
    pub async fn list(
        svc: &Services,
        p: &Principal,
        role_type: Option<RoleType>,
        link: &PageLink,
    ) -> ServiceResult<PageData<Role>> {
        let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
        let root = crate::backend::authz::scopes::role_read_root(svc, p).await?;
        let order = link
            .order_by(&[("createdTime", "r.created_time"), ("name", "r.name_lower")], "r.created_time")?
            .replace(", id ", ", r.id ");
        let mut filter = String::from(
            "FROM role r WHERE r.tenant_id = $1 AND (EXISTS (SELECT 1 FROM owner_closure v WHERE v.ancestor = $2 \
             AND v.descendant = COALESCE(r.customer_id, r.tenant_id)) OR EXISTS (SELECT 1 FROM owner_closure w \
             WHERE w.descendant = $2 AND w.ancestor = COALESCE(r.customer_id, r.tenant_id)))",
        );
        let mut binds = vec![tenant.0.to_string(), root.to_string()];
        if let Some(t) = role_type {
            binds.push(if t == RoleType::Group { "GROUP".into() } else { "GENERIC".into() });
            filter.push_str(&format!(" AND r.role_type = ${}", binds.len()));
        }
        if let Some(pat) = link.like_pattern() {
            binds.push(pat);
            filter.push_str(&format!(" AND r.name_lower LIKE ${} ESCAPE '\\'", binds.len()));
        }
        crate::backend::kernel::paging::fetch(&svc.db.pool, COLUMNS, &filter, &order, &binds, link, from_row).await
    }
}
