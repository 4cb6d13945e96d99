//! Who may see, change and create users. Users are owned entities (by their customer, or by the tenant) and the
//! role rule for owned entities decides, except where ThingsBoard decides by authority: the system administrator
//! (who manages tenant administrators, not customers' users) and a user reading or editing its own profile.

use crate::backend::accounts::records::UserRecord;
use crate::backend::authz::Operation;
use crate::backend::authz::Target;
use crate::backend::authz::entities;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::Authority;
use crate::model::CustomerId;
use crate::model::TenantId;
use crate::model::permissions::Operation as Op;
use crate::model::permissions::Resource;

/// `op` on an existing user, as 403 / 404.
pub async fn check(svc: &Services, p: &Principal, op: Operation, u: &UserRecord) -> ServiceResult<()> {
    if p.authority == Authority::SysAdmin || u.tenant_id.is_none() {
        return crate::backend::authz::check(p, op, u.target(), "User", u.id);
    }
    if u.id == p.user_id && matches!(op, Operation::Read | Operation::Write) {
        return Ok(());
    }
    let tenant = u.tenant_id.map(|t| t.0).unwrap_or_default();
    let owner = u.customer_id.filter(|c| !c.is_null()).map(|c| c.0).unwrap_or(tenant);
    let op = match op {
        Operation::Read => Op::Read,
        Operation::Write => Op::Write,
        Operation::Create => Op::Create,
        Operation::Delete => Op::Delete,
        Operation::ReadCredentials => Op::ReadCredentials,
        Operation::Impersonate => Op::Impersonate,
    };
    let e = entities::EntityRef { tenant, id: u.id.0, owner, resource: Resource::User };
    entities::check(svc, p, op, &e, "User").await
}

/// Where a new user of `authority` asked for by the caller goes (tenant, customer), once the caller may create it
/// there: the system administrator creates tenant administrators of a named tenant; tenant and customer users
/// create customer users under a customer they hold USER CREATE over.
pub async fn placement(
    svc: &Services,
    p: &Principal,
    authority: Authority,
    tenant: Option<TenantId>,
    customer: Option<CustomerId>,
) -> ServiceResult<(Option<TenantId>, Option<CustomerId>)> {
    match (p.authority, authority) {
        (Authority::SysAdmin, Authority::TenantAdmin) => {
            let tenant = tenant.filter(|t| !t.is_null());
            if tenant.is_none() {
                return Err(ServiceError::InvalidArguments("Tenant administrator should be assigned to tenant".into()));
            }
            crate::backend::authz::check(p, Operation::Create, Target::NewUser { tenant, authority }, "User", "new")?;
            Ok((tenant, None))
        }
        (Authority::TenantAdmin | Authority::CustomerUser, Authority::TenantAdmin) => {
            // Tenant-level users: created by whoever holds USER CREATE over the tenant itself.
            let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
            entities::check_create(svc, p, Resource::User, tenant.0, tenant.0).await?;
            Ok((Some(tenant), None))
        }
        (Authority::TenantAdmin | Authority::CustomerUser, Authority::CustomerUser) => {
            let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
            let customer = customer
                .filter(|c| !c.is_null())
                .ok_or_else(|| ServiceError::InvalidArguments("Customer user should be assigned to customer".into()))?;
            entities::check_create(svc, p, Resource::User, tenant.0, customer.0).await?;
            Ok((Some(tenant), Some(customer)))
        }
        _ => {
            crate::backend::authz::check(p, Operation::Create, Target::NewUser { tenant, authority }, "User", "new")?;
            Err(ServiceError::Forbidden)
        }
    }
}

/// Which users a list may show the caller, as SQL over `src` with placeholders from `first`: the system
/// administrator sees the platform's users and tenant administrators, never customers' users (ThingsBoard's
/// rule); everyone else what USER READ allows, and always their own profile.
pub async fn list_filter(
    svc: &Services,
    p: &Principal,
    src: entities::ListSource,
    first: usize,
) -> ServiceResult<entities::ListFilter> {
    use entities::ListFilter;
    let a = src.alias;
    if p.authority == Authority::SysAdmin {
        let sql = format!("{a}.authority <> 'CUSTOMER_USER'");
        return Ok(ListFilter::Where { sql, binds: Vec::new(), subtree: None });
    }
    let me = p.user_id.0.to_string();
    Ok(match entities::list_filter(svc, p, Op::Read, Resource::User, src, first).await? {
        ListFilter::Everything => ListFilter::Everything,
        ListFilter::Nothing => ListFilter::Where { sql: format!("{a}.id = ${first}"), binds: vec![me], subtree: None },
        ListFilter::Where { sql, mut binds, .. } => {
            let sql = format!("({sql} OR {a}.id = ${})", first + binds.len());
            binds.push(me);
            ListFilter::Where { sql, binds, subtree: None }
        }
    })
}

/// "Log in as" `u`: beyond the IMPERSONATE grant, only the system administrator acts as administrators; everyone
/// else acts only as customers' users.
pub async fn check_impersonate(svc: &Services, p: &Principal, u: &UserRecord) -> ServiceResult<()> {
    if p.authority != Authority::SysAdmin && u.authority != Authority::CustomerUser {
        return Err(ServiceError::Forbidden);
    }
    check(svc, p, Operation::Impersonate, u).await
}

/// `/api/tenant/{id}/users`: for the system administrator (who sees the tenant administrators only) and the
/// tenant's own administrators. Answers whether the list is limited to tenant administrators.
pub fn tenant_list_admins_only(p: &Principal, tenant: TenantId) -> ServiceResult<bool> {
    crate::backend::authz::check(p, Operation::Read, Target::Tenant(tenant), "Tenant", tenant)?;
    match p.authority {
        Authority::SysAdmin => Ok(true),
        Authority::TenantAdmin => Ok(false),
        Authority::CustomerUser => Err(ServiceError::Forbidden),
    }
}

/// Deleting `u`: the user rule, and the system administrator never deletes itself (ThingsBoard's own refusal).
pub async fn check_delete(svc: &Services, p: &Principal, u: &UserRecord) -> ServiceResult<()> {
    if p.authority == Authority::SysAdmin && u.id == p.user_id {
        return Err(ServiceError::InvalidArguments("Sysadmin is not allowed to delete himself".into()));
    }
    check(svc, p, Operation::Delete, u).await
}

/// Whether the caller places a new user's groups as the platform's administrator (only the system administrator,
/// creating a tenant administrator): then the new user joins "Tenant Administrators" when no group is named, and
/// the groups named are not checked against tenant permissions the system administrator does not have.
pub fn places_as_platform(p: &Principal) -> bool {
    p.authority == Authority::SysAdmin
}
