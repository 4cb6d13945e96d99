//! Checks and list filters for owned entities (customers, users, devices, assets, dashboards, edges: one
//! rule for all). ThingsBoard PE's rule:
//! - a Generic grant of `op` on the entity's resource applies when the user's owner is the entity's owner or one
//!   of its ancestors (the user's owner subtree contains the entity's owner);
//! - otherwise a Group role grants `op` on the members of its entity group (owner-only operations such as CREATE
//!   and DELETE additionally need the user's owner to be the group's owner or above it);
//! - a customer's own users may always read their customer.
//!
//! Lists use the same rule as one SQL predicate: an owner-subtree branch OR a group-membership branch.

use crate::backend::authz::Decision;
use crate::backend::authz::merged::Merged;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::Authority;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use std::sync::Arc;
use uuid::Uuid;

/// What a check needs to know about an entity.
#[derive(Clone, Copy, Debug)]
pub struct EntityRef {
    pub tenant: Uuid,
    pub id: Uuid,
    /// The tenant or the customer that owns it.
    pub owner: Uuid,
    pub resource: Resource,
}

/// Whether `node` is `ancestor` or below it in `tenant`'s owner tree (from the node's in-memory tree).
pub async fn within(svc: &Services, tenant: Uuid, ancestor: Uuid, node: Uuid) -> ServiceResult<bool> {
    svc.owner_trees.within(&svc.db.pool, tenant, ancestor, node).await
}

async fn merged(svc: &Services, p: &Principal) -> ServiceResult<Option<Arc<Merged>>> {
    svc.permissions.get(&svc.db.pool, p).await
}

/// ThingsBoard's decision for `op` on one entity.
pub async fn decide(svc: &Services, p: &Principal, op: Operation, e: &EntityRef) -> ServiceResult<Decision> {
    if p.authority == Authority::SysAdmin {
        return Ok(Decision::Forbidden);
    }
    if p.tenant_id.map(|t| t.0) != Some(e.tenant) {
        return Ok(Decision::Hidden);
    }
    let Some(m) = merged(svc, p).await? else { return Ok(Decision::Forbidden) };
    decide_merged(svc, &m, op, e).await
}

/// The same decision for given merged permissions (of a user, or of one user group for the share warning); the
/// caller has established that the entity is in the tenant.
pub async fn decide_merged(svc: &Services, m: &Merged, op: Operation, e: &EntityRef) -> ServiceResult<Decision> {
    if m.generic.allows(e.resource, op) && within(svc, m.tenant, m.root, e.owner).await? {
        return Ok(Decision::Allow);
    }
    if e.resource == Resource::Customer && e.id == m.root && op == Operation::Read {
        return Ok(Decision::Allow);
    }
    if op.allowed_for_group_role() {
        for g in m.groups_allowing(op) {
            let Some(owner) = svc.group_members.owner_if_member(&svc.db.pool, m.tenant, g, e.id).await? else {
                continue;
            };
            if !op.group_owner_only() || within(svc, m.tenant, m.root, owner).await? {
                return Ok(Decision::Allow);
            }
        }
    }
    Ok(Decision::Forbidden)
}

/// `decide`, as 403 / 404.
pub async fn check(svc: &Services, p: &Principal, op: Operation, e: &EntityRef, what: &str) -> ServiceResult<()> {
    match decide(svc, p, op, e).await? {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ServiceError::Forbidden),
        Decision::Hidden => Err(ServiceError::not_found(what, e.id)),
    }
}

/// Creating under `owner` needs a Generic grant (ThingsBoard allows no group role to create).
pub async fn check_create(
    svc: &Services,
    p: &Principal,
    resource: Resource,
    tenant: Uuid,
    owner: Uuid,
) -> ServiceResult<()> {
    if p.authority == Authority::SysAdmin {
        return Err(ServiceError::Forbidden);
    }
    if p.tenant_id.map(|t| t.0) != Some(tenant) {
        return Err(ServiceError::Forbidden);
    }
    let Some(m) = merged(svc, p).await? else { return Err(ServiceError::Forbidden) };
    if m.generic.allows(resource, Operation::Create) && within(svc, m.tenant, m.root, owner).await? {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A visibility predicate for a list query, with its bind values in order.
#[derive(Clone, Debug, PartialEq)]
pub enum ListFilter {
    /// Everything in the tenant is visible (tenant-wide Generic grant): no extra predicate.
    Everything,
    /// Nothing is visible: skip the query.
    Nothing,
    /// `sql` uses placeholders from `$first` on, bound to `binds`; `subtree` names the owner when the predicate
    /// is exactly "owned inside this owner's subtree" (its total is then kept in `subtree_count`).
    Where { sql: String, binds: Vec<String>, subtree: Option<Uuid> },
}

impl ListFilter {
    /// ANDs the filter into a query's WHERE clause (`from` already holds at least one condition); answers false
    /// when nothing is visible and the query need not run.
    pub fn apply(self, from: &mut String, binds: &mut Vec<String>) -> bool {
        match self {
            ListFilter::Everything => true,
            ListFilter::Nothing => false,
            ListFilter::Where { sql, binds: more, .. } => {
                from.push_str(" AND ");
                from.push_str(&sql);
                binds.extend(more);
                true
            }
        }
    }
}

/// Subtrees up to this many owners are bound as a list (an index range per owner, in order when there is one);
/// larger ones stay a join with the closure.
const OWNER_LIST_MAX: usize = 200;

/// `owner_col` inside `root`'s subtree, numbering placeholders from `n`.
async fn subtree_sql(svc: &Services, owner_col: &str, root: Uuid, n: usize) -> ServiceResult<(String, Vec<String>)> {
    let owners: Vec<String> = sqlx::query_scalar("SELECT descendant FROM owner_closure WHERE ancestor = $1 LIMIT $2")
        .bind(root.to_string())
        .bind(OWNER_LIST_MAX as i64 + 1)
        .fetch_all(&svc.db.pool)
        .await?;
    Ok(match owners.len() {
        0 => ("1 = 0".to_string(), Vec::new()),
        1 => (format!("{owner_col} = ${n}"), owners),
        len if len <= OWNER_LIST_MAX => {
            let ph: Vec<String> = (n..n + len).map(|i| format!("${i}")).collect();
            (format!("{owner_col} IN ({})", ph.join(", ")), owners)
        }
        _ => (
            format!("{owner_col} IN (SELECT v.descendant FROM owner_closure v WHERE v.ancestor = ${n})"),
            vec![root.to_string()],
        ),
    })
}

/// Where a list's rows come from, so visibility can be written both as a predicate on the outer row and as a set
/// of ids drawn from the same table.
#[derive(Clone, Copy, Debug)]
pub struct ListSource {
    /// The table the list reads.
    pub table: &'static str,
    /// The outer query's alias for it.
    pub alias: &'static str,
    /// A row's owner, written for a given alias (customers are owned by their parent or the tenant).
    pub owner: fn(&str) -> String,
}

/// Which `resource` entities the caller may `op`, as SQL over `src`, numbering placeholders from `first`.
///
/// One reason to see a row gives a predicate on the outer row (an index range on the owner, in name order). Several
/// reasons give `id IN (… UNION …)`: PostgreSQL cannot turn `owner IN (…) OR id IN (members)` into anything but a scan
/// of every row of the tenant, while a union of small id sets is joined by primary key on both engines.
pub async fn list_filter(
    svc: &Services,
    p: &Principal,
    op: Operation,
    resource: Resource,
    src: ListSource,
    first: usize,
) -> ServiceResult<ListFilter> {
    if p.authority == Authority::SysAdmin {
        return Err(ServiceError::Forbidden);
    }
    let Some(tenant) = p.tenant_id else { return Err(ServiceError::Forbidden) };
    let Some(m) = merged(svc, p).await? else { return Err(ServiceError::Forbidden) };
    let generic = m.generic.allows(resource, op);
    if generic && m.root == tenant.0 {
        return Ok(ListFilter::Everything);
    }
    let own_customer = resource == Resource::Customer && op == Operation::Read && m.root != tenant.0;
    let groups = if op.allowed_for_group_role() { m.groups_allowing(op) } else { Vec::new() };
    let reasons = usize::from(generic) + usize::from(own_customer) + usize::from(!groups.is_empty());
    if reasons == 0 {
        return Ok(ListFilter::Nothing);
    }
    // With one reason the predicate is on the outer row; with several each becomes a set of ids (inner alias `s`).
    let single = reasons == 1;
    let alias = if single { src.alias } else { "s" };
    let mut row_preds = Vec::new();
    let mut id_sets = Vec::new();
    let mut binds = Vec::new();
    let mut n = first;
    if generic {
        let (sql, more) = subtree_sql(svc, &(src.owner)(alias), m.root, n).await?;
        row_preds.push(sql);
        n += more.len();
        binds.extend(more);
    }
    if own_customer {
        row_preds.push(format!("{alias}.id = ${n}"));
        binds.push(m.root.to_string());
        n += 1;
    }
    if !groups.is_empty() {
        let ph: Vec<String> = (0..groups.len()).map(|i| format!("${}", n + i)).collect();
        id_sets
            .push(format!("SELECT gm.entity_id FROM entity_group_member gm WHERE gm.group_id IN ({})", ph.join(", ")));
        binds.extend(groups.iter().map(Uuid::to_string));
    }
    let sql = match row_preds.pop() {
        Some(pred) if single => pred,
        last => {
            let selects =
                row_preds.into_iter().chain(last).map(|p| format!("SELECT s.id FROM {} s WHERE {p}", src.table));
            format!("{}.id IN ({})", src.alias, selects.chain(id_sets).collect::<Vec<_>>().join(" UNION "))
        }
    };
    let subtree = (generic && single).then_some(m.root);
    Ok(ListFilter::Where { sql: format!("({sql})"), binds, subtree })
}
