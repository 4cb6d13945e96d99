//! A user's merged permissions: every role of every user group the user is in, folded into one `Generic` grant
//! table (applied to the user's owner subtree) and one operation set per entity group (Group roles). Cached per
//! user against the tenant's permission epoch, which any change to roles, group permissions, memberships or
//! owners bumps in its own transaction; the epoch is read from the database once per request (`snapshot`), so
//! every node sees a change on its next request.

use crate::backend::authz::grants::GenericGrant;
use crate::backend::authz::role_grammar::RolePermissions;
use crate::backend::authz::snapshot;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::model::RoleType;
use crate::model::permissions::OpSet;
use crate::model::permissions::Operation;
use dashmap::DashMap;
use sqlx::AnyPool;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// What one user may do.
#[derive(Clone, Debug, Default)]
pub struct Merged {
    /// The tenant everything here lives in.
    pub tenant: Uuid,
    /// The owner whose subtree the generic grant covers: the user's tenant or customer.
    pub root: Uuid,
    pub generic: GenericGrant,
    /// Entity group → (its group type, operations granted on its members).
    pub groups: HashMap<Uuid, (String, OpSet)>,
}

/// Per-node cache of merged permissions, read through the pool it is given (it holds no services).
#[derive(Default)]
pub struct PermissionCache {
    by_user: DashMap<Uuid, (i64, Arc<Merged>)>,
}

async fn load(pool: &AnyPool, p: &Principal, tenant: Uuid, root: Uuid) -> ServiceResult<Merged> {
    let rows = sqlx::query(
        "SELECT r.role_type, r.permissions, r.excluded_permissions, gp.entity_group_id, eg.group_type \
         FROM entity_group_member m \
         JOIN entity_group ug ON ug.id = m.group_id AND ug.group_type = 'USER' \
         JOIN group_permission gp ON gp.user_group_id = ug.id \
         JOIN role r ON r.id = gp.role_id \
         LEFT JOIN entity_group eg ON eg.id = gp.entity_group_id \
         WHERE m.entity_id = $1",
    )
    .bind(p.user_id.0.to_string())
    .fetch_all(pool)
    .await?;
    fold(rows, tenant, root)
}

/// What membership of one user group alone grants (a user of its owner in only that group); not cached. The
/// share warning asks it what a customer's users will see.
pub async fn for_user_group(pool: &AnyPool, user_group: Uuid, tenant: Uuid, root: Uuid) -> ServiceResult<Merged> {
    let rows = sqlx::query(
        "SELECT r.role_type, r.permissions, r.excluded_permissions, gp.entity_group_id, eg.group_type \
         FROM group_permission gp \
         JOIN role r ON r.id = gp.role_id \
         LEFT JOIN entity_group eg ON eg.id = gp.entity_group_id \
         WHERE gp.user_group_id = $1",
    )
    .bind(user_group.to_string())
    .fetch_all(pool)
    .await?;
    fold(rows, tenant, root)
}

fn fold(rows: Vec<sqlx::any::AnyRow>, tenant: Uuid, root: Uuid) -> ServiceResult<Merged> {
    let mut merged = Merged { tenant, root, ..Merged::default() };
    for r in rows {
        let role_type = match r.try_get::<String, _>("role_type")?.as_str() {
            "GROUP" => RoleType::Group,
            _ => RoleType::Generic,
        };
        let perms: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("permissions")?)
            .map_err(|e| ServiceError::Internal(format!("stored role permissions: {e}")))?;
        let excluded: Option<serde_json::Value> =
            r.try_get::<Option<String>, _>("excluded_permissions")?.and_then(|s| serde_json::from_str(&s).ok());
        match crate::backend::authz::role_grammar::parse(role_type, Some(&perms), excluded.as_ref()) {
            Ok(RolePermissions::Generic { permissions, excluded }) => {
                merged.generic.merge(&GenericGrant::of_role(&permissions, &excluded));
            }
            Ok(RolePermissions::Group(ops)) => {
                let Some(g) = r.try_get::<Option<String>, _>("entity_group_id")? else { continue };
                let g = Uuid::parse_str(&g).map_err(|e| ServiceError::Internal(e.to_string()))?;
                let gt: String = r.try_get::<Option<String>, _>("group_type")?.unwrap_or_default();
                let entry = merged.groups.entry(g).or_insert((gt, OpSet::EMPTY));
                entry.1 = entry.1.union(OpSet::of(&ops));
            }
            Err(e) => tracing::warn!(error = %e, "skipping an invalid stored role"),
        }
    }
    Ok(merged)
}

impl PermissionCache {
    /// The caller's merged permissions (`None` for the system administrator, who has no tenant).
    pub async fn get(&self, pool: &AnyPool, p: &Principal) -> ServiceResult<Option<Arc<Merged>>> {
        let Some(tenant) = p.tenant_id else { return Ok(None) };
        let root = p.owner().unwrap_or(tenant.0);
        let now = snapshot::epochs(pool, tenant.0).await?.permissions;
        if let Some(hit) = self.by_user.get(&p.user_id.0).filter(|e| e.0 == now).map(|e| e.1.clone()) {
            return Ok(Some(hit));
        }
        let merged = Arc::new(load(pool, p, tenant.0, root).await?);
        if self.by_user.len() > 100_000 {
            self.by_user.clear();
        }
        self.by_user.insert(p.user_id.0, (now, merged.clone()));
        Ok(Some(merged))
    }
}

impl Merged {
    /// Entity groups whose members the user may `op` through a Group role.
    pub fn groups_allowing(&self, op: Operation) -> Vec<Uuid> {
        let mut v: Vec<Uuid> = self.groups.iter().filter(|(_, (_, ops))| ops.allows(op)).map(|(g, _)| *g).collect();
        v.sort();
        v
    }
}
