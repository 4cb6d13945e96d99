//! The permission explainer (beyond ThingsBoard): for a user, an operation and an entity, the chain that grants
//! it — user group → group permission → role → owner subtree or shared entity group — or what is missing. It
//! walks the same facts as `merged` and `entities`, keeping where each grant came from; a test holds it to the
//! same answer as the real check.

use crate::backend::authz::entities::EntityRef;
use crate::backend::authz::entities::within;
use crate::backend::authz::grants::GenericGrant;
use crate::backend::authz::role_grammar::RolePermissions;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::RoleType;
use crate::model::UserId;
use crate::model::permissions::OpSet;
use crate::model::permissions::Operation;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
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
    /// Grants through user groups or roles the asker may not read: counted, not named (`redact`).
    pub hidden_grants: usize,
}

/// One role bound to one user group: the unit every grant comes from. The console lists them to say what a user
/// can do and why.
#[derive(Clone, Debug)]
pub struct Binding {
    pub user_group_id: Uuid,
    pub user_group_name: String,
    /// The user group's owner: its members' owner, so the root of what a Generic role covers.
    pub user_group_owner: Uuid,
    pub user_group_members: i64,
    pub group_permission_id: Uuid,
    pub role_id: Uuid,
    pub role_name: String,
    pub permissions: RolePermissions,
    /// For a Group role: the entity group's id, name and owner.
    pub entity_group: Option<(Uuid, String, Uuid)>,
    /// For a Group role: what the entity group holds (`DEVICE`…).
    pub entity_group_type: Option<String>,
}

const BINDINGS: &str = "SELECT ug.id AS ug_id, ug.name AS ug_name, ug.owner_id AS ug_owner, gp.id AS gp_id, \
     (SELECT COUNT(*) FROM entity_group_member um WHERE um.group_id = ug.id) AS ug_members, \
     r.id AS role_id, r.name AS role_name, r.role_type, r.permissions, r.excluded_permissions, gp.entity_group_id, \
     eg.name AS eg_name, eg.owner_id AS eg_owner, eg.group_type AS eg_type \
     FROM group_permission gp \
     JOIN entity_group ug ON ug.id = gp.user_group_id AND ug.group_type = 'USER' \
     JOIN role r ON r.id = gp.role_id \
     LEFT JOIN entity_group eg ON eg.id = gp.entity_group_id";

fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(e.to_string()))
}

fn binding(r: &AnyRow) -> ServiceResult<Option<Binding>> {
    let role_type = if r.try_get::<String, _>("role_type")? == "GROUP" { RoleType::Group } else { RoleType::Generic };
    let perms: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("permissions")?)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let excluded = r.try_get::<Option<String>, _>("excluded_permissions")?.and_then(|s| serde_json::from_str(&s).ok());
    // A stored role that no longer parses grants nothing, as in `merged`.
    let Ok(permissions) = crate::backend::authz::role_grammar::parse(role_type, Some(&perms), excluded.as_ref()) else {
        return Ok(None);
    };
    let entity_group = match r.try_get::<Option<String>, _>("entity_group_id")? {
        Some(g) => Some((
            uuid(&g)?,
            r.try_get::<Option<String>, _>("eg_name")?.unwrap_or_default(),
            uuid(&r.try_get::<Option<String>, _>("eg_owner")?.unwrap_or_default())?,
        )),
        None => None,
    };
    Ok(Some(Binding {
        user_group_id: uuid(&r.try_get::<String, _>("ug_id")?)?,
        user_group_name: r.try_get("ug_name")?,
        user_group_owner: uuid(&r.try_get::<String, _>("ug_owner")?)?,
        user_group_members: r.try_get("ug_members")?,
        group_permission_id: uuid(&r.try_get::<String, _>("gp_id")?)?,
        role_id: uuid(&r.try_get::<String, _>("role_id")?)?,
        role_name: r.try_get("role_name")?,
        permissions,
        entity_group,
        entity_group_type: r.try_get("eg_type")?,
    }))
}

/// The bindings `filter` (a WHERE clause over `gp`, `ug`, `r`, `eg`) selects, with `binds` as `$1…`.
pub(super) async fn bindings(svc: &Services, filter: &str, binds: &[Uuid]) -> ServiceResult<Vec<Binding>> {
    let sql = format!("{BINDINGS} {filter} ORDER BY ug.name_lower, ug.id, r.name_lower, r.id");
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    let rows = q.fetch_all(&svc.db.pool).await?;
    Ok(rows.iter().map(binding).collect::<ServiceResult<Vec<_>>>()?.into_iter().flatten().collect())
}

/// Every role bound to a user group `user` is in.
pub async fn bindings_of_user(svc: &Services, user: UserId) -> ServiceResult<Vec<Binding>> {
    bindings(svc, "JOIN entity_group_member m ON m.group_id = ug.id WHERE m.entity_id = $1", &[user.0]).await
}

impl Binding {
    /// How this binding grants `op` on `e` to a member whose owner is `root` (`root_covers`: whether `e`'s owner is
    /// in `root`'s subtree), if it does.
    async fn grant(
        &self,
        svc: &Services,
        root: Uuid,
        root_covers: bool,
        op: Operation,
        e: &EntityRef,
    ) -> ServiceResult<Option<Grant>> {
        let link = |via, scope_id, scope_name| Grant {
            via,
            user_group_id: Some(self.user_group_id),
            user_group_name: Some(self.user_group_name.clone()),
            group_permission_id: Some(self.group_permission_id),
            role_id: Some(self.role_id),
            role_name: Some(self.role_name.clone()),
            scope_id,
            scope_name,
        };
        match &self.permissions {
            RolePermissions::Generic { permissions, excluded } => {
                let allows = root_covers && GenericGrant::of_role(permissions, excluded).allows(e.resource, op);
                Ok(allows.then(|| link("GENERIC", Some(root), None)))
            }
            RolePermissions::Group(ops) => {
                let Some((g, name, owner)) = &self.entity_group else { return Ok(None) };
                if !op.allowed_for_group_role() || !OpSet::of(ops).allows(op) {
                    return Ok(None);
                }
                let member: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM entity_group_member WHERE group_id = $1 AND entity_id = $2",
                )
                .bind(g.to_string())
                .bind(e.id.to_string())
                .fetch_one(&svc.db.pool)
                .await?;
                let owner_ok = !op.group_owner_only() || within(svc, e.tenant, root, *owner).await?;
                Ok((member > 0 && owner_ok).then(|| link("GROUP", Some(*g), Some(name.clone()))))
            }
        }
    }
}

/// Explains `op` on `e` for the user `subject` (whose principal is given).
pub async fn explain(svc: &Services, subject: &Principal, op: Operation, e: &EntityRef) -> ServiceResult<Explanation> {
    let root = subject.owner().ok_or(ServiceError::Forbidden)?;
    let owner_in_subtree = within(svc, e.tenant, root, e.owner).await?;
    let mut grants = Vec::new();
    for b in bindings_of_user(svc, subject.user_id).await? {
        grants.extend(b.grant(svc, root, owner_in_subtree, op, e).await?);
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
    Ok(Explanation { allowed, operation: op.as_str(), grants, missing, hidden_grants: 0 })
}

/// How many users the own-customer rule lets read `customer` (its own users, whatever their roles): the rule
/// has no user group, so `who_can` cannot list it and "who can see this" adds it as its own row.
pub async fn own_customer_readers(svc: &Services, customer: Uuid) -> ServiceResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tb_user WHERE customer_id = $1")
        .bind(customer.to_string())
        .fetch_one(&svc.db.pool)
        .await?)
}

/// Every grant of `op` on `e` in its tenant, one per (user group, role) that gives it to all the group's members:
/// "who can see this and why". A customer's own users reading their customer are not listed
/// (`own_customer_readers` counts them).
pub async fn who_can(svc: &Services, op: Operation, e: &EntityRef) -> ServiceResult<Vec<(Binding, Grant)>> {
    let mut out = Vec::new();
    // Group roles only matter on groups that hold the entity; the rest of the tenant's bindings are Generic.
    let filter = "WHERE gp.tenant_id = $1 AND (gp.entity_group_id IS NULL OR gp.entity_group_id IN \
                  (SELECT group_id FROM entity_group_member WHERE entity_id = $2))";
    for b in bindings(svc, filter, &[e.tenant, e.id]).await? {
        let covers = within(svc, e.tenant, b.user_group_owner, e.owner).await?;
        if let Some(g) = b.grant(svc, b.user_group_owner, covers, op, e).await? {
            out.push((b, g));
        }
    }
    Ok(out)
}
