//! Role CRUD for `/api/role*`. Roles are standalone: only Generic ROLE grants apply, over the caller's subtree. Names are unique per
//! owner, the built-in roles' names are the system's, and widening a role that is bound asks `authz::delegation`.

use crate::backend::authz::entities;
use crate::backend::authz::entities::EntityRef;
use crate::backend::authz::role_grammar::bad;
use crate::backend::authz::role_grammar::parse;
use crate::backend::groups::roles::BUILT_IN;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
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
use crate::model::RoleType;
use crate::model::TenantId;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

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
        crate::backend::authz::epochs::bump(&mut tx, current.tenant_id.map(|t| t.0).unwrap_or_default()).await?;
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
    crate::backend::authz::epochs::bump(&mut tx, role.tenant_id.map(|t| t.0).unwrap_or_default()).await?;
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
