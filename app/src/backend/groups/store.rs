//! Entity groups. Every owner (tenant or customer) has an "All" group per entity type, created with the owner;
//! an entity is always in its owner's "All" group and may join more groups of the same owner.

use crate::backend::groups::group_type::GroupType;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceResult;
use sqlx::{Any, Transaction};
use uuid::Uuid;

/// Reads `entityGroupId` and `entityGroupIds` (comma-separated UUIDs) from a query string.
pub fn ids_from_query(q: &std::collections::HashMap<String, String>) -> ServiceResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    for raw in q.get("entityGroupId").into_iter().chain(q.get("entityGroupIds")) {
        for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            ids.push(Uuid::parse_str(part).map_err(|_| {
                crate::backend::kernel::error::ServiceError::BadRequestParams(format!("Invalid UUID string: {part}"))
            })?);
        }
    }
    Ok(ids)
}

/// Name of the automatic groups.
pub const ALL: &str = "All";

/// Names only the system gives to groups.
pub const RESERVED: [&str; 6] =
    ["All", "Tenant Users", "Tenant Administrators", "Customer Users", "Customer Administrators", "Public Users"];

/// Creates the "All" groups of a new owner.
pub async fn create_all_groups(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    owner: Uuid,
    owner_type: &str,
) -> ServiceResult<()> {
    for t in GroupType::EVERY {
        create_group(tx, tenant, owner, owner_type, t, ALL).await?;
    }
    Ok(())
}

/// Puts an entity into its owner's "All" group of `group_type`.
pub async fn join_all(
    tx: &mut Transaction<'_, Any>,
    owner: Uuid,
    group_type: GroupType,
    entity: Uuid,
) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO entity_group_member (group_id, entity_id) \
         SELECT id, $1 FROM entity_group WHERE owner_id = $2 AND group_type = $3 AND name = 'All'",
    )
    .bind(entity.to_string())
    .bind(owner.to_string())
    .bind(group_type.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes an entity out of every group (before it moves to another owner or is deleted).
pub async fn leave_all_groups(tx: &mut Transaction<'_, Any>, entity: Uuid) -> ServiceResult<()> {
    sqlx::query("DELETE FROM entity_group_member WHERE entity_id = $1")
        .bind(entity.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes every group an owner has (members go with them).
pub async fn delete_owned(tx: &mut Transaction<'_, Any>, owner: Uuid) -> ServiceResult<()> {
    sqlx::query("DELETE FROM entity_group WHERE owner_id = $1").bind(owner.to_string()).execute(&mut **tx).await?;
    Ok(())
}

/// Adds an entity to a named group, which must be of `group_type` and belong to the entity's owner (membership
/// is owner-scoped). Adding to "All" is a no-op: every entity is already there.
pub async fn join(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    owner: Uuid,
    group_type: GroupType,
    group: Uuid,
    entity: Uuid,
) -> ServiceResult<()> {
    use crate::backend::kernel::error::ServiceError;
    use sqlx::Row;
    let row = sqlx::query("SELECT owner_id, group_type, name FROM entity_group WHERE id = $1 AND tenant_id = $2")
        .bind(group.to_string())
        .bind(tenant.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ServiceError::not_found("Entity group", group))?;
    let g_owner: String = row.try_get("owner_id")?;
    let g_type: String = row.try_get("group_type")?;
    let name: String = row.try_get("name")?;
    if g_type != group_type.as_str() {
        return Err(ServiceError::BadRequestParams(format!(
            "Entity group [{group}] holds {g_type} entities, not {}",
            group_type.as_str()
        )));
    }
    if g_owner != owner.to_string() {
        return Err(ServiceError::BadRequestParams("An entity can only join groups of its own owner".into()));
    }
    if name == ALL {
        return Ok(());
    }
    sqlx::query("INSERT INTO entity_group_member (group_id, entity_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(group.to_string())
        .bind(entity.to_string())
        .execute(&mut **tx)
        .await?;
    // A shared group's member epoch may have moved (its trigger): later checks in this request read it afresh.
    crate::backend::authz::snapshot::forget(tenant);
    Ok(())
}

/// Creates a named group of `owner` and returns its id.
pub async fn create_group(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    owner: Uuid,
    owner_type: &str,
    group_type: GroupType,
    name: &str,
) -> ServiceResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entity_group (id, tenant_id, owner_id, owner_type, group_type, name, name_lower, created_time, \
         additional_info, configuration, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, 1)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(owner.to_string())
    .bind(owner_type)
    .bind(group_type.as_str())
    .bind(name)
    .bind(name.to_lowercase())
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            crate::backend::kernel::error::ServiceError::InvalidArguments(
                "Entity group with such name, type and owner already exists!".into(),
            )
        }
        _ => e.into(),
    })?;
    Ok(id)
}

/// Adds an entity to the group of `owner` called `name` (used for the predefined user groups).
pub async fn join_named(
    tx: &mut Transaction<'_, Any>,
    owner: Uuid,
    group_type: GroupType,
    name: &str,
    entity: Uuid,
) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO entity_group_member (group_id, entity_id) \
         SELECT id, $1 FROM entity_group WHERE owner_id = $2 AND group_type = $3 AND name_lower = $4",
    )
    .bind(entity.to_string())
    .bind(owner.to_string())
    .bind(group_type.as_str())
    .bind(name.to_lowercase())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
