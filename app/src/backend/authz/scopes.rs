//! Rules for things that are not owned entities: entity groups as objects, roles, group permissions, and "is
//! this owner inside my subtree". Services ask these instead of reading merged permissions themselves, so every
//! decision stays in `authz`.

use crate::backend::authz::entities::within;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use uuid::Uuid;

async fn merged(svc: &Services, p: &Principal) -> ServiceResult<std::sync::Arc<crate::backend::authz::merged::Merged>> {
    svc.permissions.get(&svc.db.pool, p).await?.ok_or(ServiceError::Forbidden)
}

/// Which groups of a type the caller may read in lists: its own owner's (with a Generic grant) and the groups
/// shared with it.
pub struct GroupListScope {
    pub own_owner: Option<Uuid>,
    pub shared: Vec<Uuid>,
}

/// The scope of `GET /api/entityGroups/{type}`.
pub async fn group_list_scope(svc: &Services, p: &Principal, resource: Resource) -> ServiceResult<GroupListScope> {
    let m = merged(svc, p).await?;
    Ok(GroupListScope {
        own_owner: m.generic.allows(resource, Operation::Read).then_some(m.root),
        shared: m.groups_allowing(Operation::Read),
    })
}

/// A Generic grant of `op` on `resource` that covers `owner` (inside the caller's subtree), or 403.
pub async fn check_generic_over(
    svc: &Services,
    p: &Principal,
    resource: Resource,
    op: Operation,
    owner: Uuid,
) -> ServiceResult<()> {
    let m = merged(svc, p).await?;
    if m.generic.allows(resource, op) && within(svc, m.tenant, m.root, owner).await? {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Tenant-wide lists (`/api/tenant/devices` …) are for tenant administrators only, as in ThingsBoard.
pub fn check_tenant_admin(p: &Principal) -> ServiceResult<()> {
    if p.authority == crate::model::Authority::TenantAdmin { Ok(()) } else { Err(ServiceError::Forbidden) }
}

/// Only the group's own owner side makes it public or private (ThingsBoard: caller's owner == group owner).
pub fn check_own_group(p: &Principal, group_owner: Uuid) -> ServiceResult<()> {
    if p.owner() == Some(group_owner) { Ok(()) } else { Err(ServiceError::Forbidden) }
}

/// `owner` lies inside the caller's subtree, or 403 (targets of moves and shares).
pub async fn check_in_subtree(svc: &Services, p: &Principal, owner: Uuid) -> ServiceResult<()> {
    let m = merged(svc, p).await?;
    if within(svc, m.tenant, m.root, owner).await? { Ok(()) } else { Err(ServiceError::Forbidden) }
}

/// Roles are readable with ROLE READ when owned inside the caller's subtree or above it (the roles that apply to
/// it and that it may share with). Returns the caller's owner, which role lists filter by in SQL.
pub async fn role_read_root(svc: &Services, p: &Principal) -> ServiceResult<Uuid> {
    let m = merged(svc, p).await?;
    if m.generic.allows(Resource::Role, Operation::Read) { Ok(m.root) } else { Err(ServiceError::Forbidden) }
}

/// The single-role form of `role_read_root`.
pub async fn check_role_read(svc: &Services, p: &Principal, role_owner: Uuid) -> ServiceResult<()> {
    let root = role_read_root(svc, p).await?;
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?.0;
    if within(svc, tenant, root, role_owner).await? || within(svc, tenant, role_owner, root).await? {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Which audit entries a list may show the caller, as SQL over `src` with placeholders from `first`: the system
/// administrator audits the platform level (tenants, entries outside any customer); everyone else the entries
/// filed under owners it may READ `AUDIT_LOG` over, and 403 when that is none.
pub async fn audit_filter(
    svc: &Services,
    p: &Principal,
    src: crate::backend::authz::entities::ListSource,
    first: usize,
) -> ServiceResult<crate::backend::authz::entities::ListFilter> {
    use crate::backend::authz::entities::ListFilter;
    use crate::backend::authz::entities::list_filter;
    if p.authority == crate::model::Authority::SysAdmin {
        let a = src.alias;
        let sql = format!("({a}.tenant_id IS NULL OR {a}.entity_type = 'TENANT' OR {a}.customer_id IS NULL)");
        return Ok(ListFilter::Where { sql, binds: Vec::new(), subtree: None });
    }
    match list_filter(svc, p, Operation::Read, Resource::AuditLog, src, first).await? {
        ListFilter::Nothing => Err(ServiceError::Forbidden),
        other => Ok(other),
    }
}

/// Whose two-factor settings the caller administers: the system administrator the platform's (`None`), a tenant
/// administrator its tenant's; customer users none.
pub fn two_fa_settings_scope(p: &Principal) -> ServiceResult<Option<crate::model::TenantId>> {
    match p.authority {
        crate::model::Authority::SysAdmin => Ok(None),
        crate::model::Authority::TenantAdmin => p.tenant_id.map(Some).ok_or(ServiceError::Forbidden),
        crate::model::Authority::CustomerUser => Err(ServiceError::Forbidden),
    }
}
