//! The permission explainer (beyond ThingsBoard): for a user, an operation and an entity, the chain that grants
//! it — user group → group permission → role → owner subtree or shared entity group — or what is missing. It
//! walks the same facts as `merged` and `entities`, keeping where each grant came from; a test holds it to the
//! same answer as the real check.

use super::entities::{EntityRef, within};
use super::grants::GenericGrant;
use crate::backend::error::{ServiceError, ServiceResult};
use crate::backend::principal::Principal;
use crate::backend::roles::{self, RolePermissions};
use crate::backend::state::Services;
use crate::model::RoleType;
use crate::model::permissions::{OpSet, Operation};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

/// One link of a granting chain.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// `GENERIC` (role over the user's owner subtree), `GROUP` (role on a shared group) or `OWN_CUSTOMER`.
    pub via: &'static str,
    pub user_group_id: Option<Uuid>,
    pub user_group_name: Option<String>,
    pub group_permission_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub role_name: Option<String>,
    /// For `GENERIC`: the owner whose subtree the role covers. For `GROUP`: the entity group.
    pub scope_id: Option<Uuid>,
    pub scope_name: Option<String>,
}

/// The explainer's answer.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub allowed: bool,
    pub operation: &'static str,
    pub grants: Vec<Grant>,
    /// When not allowed: what would be needed.
    pub missing: Option<String>,
}

/// Explains `op` on `e` for the user `subject` (whose principal is given).
pub async fn explain(svc: &Services, subject: &Principal, op: Operation, e: &EntityRef) -> ServiceResult<Explanation> {
    let root = subject
        .customer_id
        .filter(|c| !c.is_null())
        .map(|c| c.0)
        .or(subject.tenant_id.map(|t| t.0))
        .ok_or(ServiceError::Forbidden)?;
    let rows = sqlx::query(
        "SELECT ug.id AS ug_id, ug.name AS ug_name, gp.id AS gp_id, r.id AS role_id, r.name AS role_name, r.role_type, \
         r.permissions, r.excluded_permissions, gp.entity_group_id, eg.name AS eg_name, eg.owner_id AS eg_owner \
         FROM entity_group_member m \
         JOIN entity_group ug ON ug.id = m.group_id AND ug.group_type = 'USER' \
         JOIN group_permission gp ON gp.user_group_id = ug.id \
         JOIN role r ON r.id = gp.role_id \
         LEFT JOIN entity_group eg ON eg.id = gp.entity_group_id \
         WHERE m.entity_id = $1 ORDER BY ug.name, r.name",
    )
    .bind(subject.user_id.0.to_string())
    .fetch_all(&svc.db.pool)
    .await?;
    let id = |s: String| Uuid::parse_str(&s).map_err(|e| ServiceError::Internal(e.to_string()));
    let owner_in_subtree = within(svc, e.tenant, root, e.owner).await?;
    let mut grants = Vec::new();
    for r in rows {
        let role_type =
            if r.try_get::<String, _>("role_type")? == "GROUP" { RoleType::Group } else { RoleType::Generic };
        let perms: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("permissions")?)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let excluded =
            r.try_get::<Option<String>, _>("excluded_permissions")?.and_then(|s| serde_json::from_str(&s).ok());
        let link = |via, scope_id, scope_name| -> ServiceResult<Grant> {
            Ok(Grant {
                via,
                user_group_id: Some(id(r.try_get("ug_id")?)?),
                user_group_name: Some(r.try_get("ug_name")?),
                group_permission_id: Some(id(r.try_get("gp_id")?)?),
                role_id: Some(id(r.try_get("role_id")?)?),
                role_name: Some(r.try_get("role_name")?),
                scope_id,
                scope_name,
            })
        };
        match roles::parse(role_type, Some(&perms), excluded.as_ref()) {
            Ok(RolePermissions::Generic { permissions, excluded }) => {
                if owner_in_subtree && GenericGrant::of_role(&permissions, &excluded).allows(e.resource, op) {
                    grants.push(link("GENERIC", Some(root), None)?);
                }
            }
            Ok(RolePermissions::Group(ops)) => {
                let Some(g) = r.try_get::<Option<String>, _>("entity_group_id")? else { continue };
                if !op.allowed_for_group_role() || !OpSet::of(&ops).allows(op) {
                    continue;
                }
                let member: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM entity_group_member WHERE group_id = $1 AND entity_id = $2",
                )
                .bind(&g)
                .bind(e.id.to_string())
                .fetch_one(&svc.db.pool)
                .await?;
                let owner_ok = !op.group_owner_only()
                    || match r.try_get::<Option<String>, _>("eg_owner")? {
                        Some(o) => within(svc, e.tenant, root, id(o)?).await?,
                        None => false,
                    };
                if member > 0 && owner_ok {
                    grants.push(link("GROUP", Some(id(g)?), r.try_get("eg_name")?)?);
                }
            }
            Err(_) => {}
        }
    }
    if e.resource == crate::model::permissions::Resource::Customer && e.id == root && op == Operation::Read {
        grants.push(Grant {
            via: "OWN_CUSTOMER",
            user_group_id: None,
            user_group_name: None,
            group_permission_id: None,
            role_id: None,
            role_name: None,
            scope_id: Some(root),
            scope_name: None,
        });
    }
    let allowed = !grants.is_empty();
    let missing = (!allowed).then(|| {
        let mut m = format!("No role of the user's groups grants {} on {} ", op.as_str(), e.resource.as_str());
        if owner_in_subtree {
            m.push_str(
                "(the entity is inside the user's owner subtree, so a Generic role with that operation would do)",
            );
        } else {
            m.push_str("over the entity's owner (it is outside the user's owner subtree)");
            if op.allowed_for_group_role() {
                m.push_str(", and no entity group containing it is shared with the user's groups with that operation");
            }
        }
        m
    });
    Ok(Explanation { allowed, operation: op.as_str(), grants, missing })
}
