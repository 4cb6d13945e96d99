//! The one place that decides who may do what. Every REST handler and every server function asks here before it
//! reads or writes; nothing else compares authorities.
//!
//! `decide` covers what depends on authority alone (tenants, the system administrator's users). Owned entities
//! (customers, and the entity types that follow) are decided by `entities` from the caller's merged roles
//! (`merged`, built with `grants`), which also turns the same rule into SQL list filters.

pub mod allowed;
pub mod console;
pub mod delegation;
pub mod entities;
pub mod epochs;
pub mod explain;
pub mod explanations;
pub mod grants;
pub mod groups;
pub mod members;
pub mod merged;
pub mod role_grammar;
pub mod scopes;
pub mod snapshot;
pub mod tree;
pub mod users;

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::model::Authority;
use crate::model::TenantId;
use crate::model::UserId;

/// ThingsBoard's operation names (the subset this layer already decides on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Read,
    Write,
    Create,
    Delete,
    ReadCredentials,
    /// "Log in as user".
    Impersonate,
}

/// The thing an operation is aimed at, carrying what the decision needs (its tenant, its authority...).
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// The set of all tenants (listing, creating).
    AllTenants,
    /// One tenant.
    Tenant(TenantId),
    /// One user, with the tenant and authority it has.
    User { id: UserId, tenant: Option<TenantId>, authority: Authority },
    /// A new user of this authority in this tenant.
    NewUser { tenant: Option<TenantId>, authority: Authority },
    /// Platform-wide settings (security settings, the log-in-as switch): the system administrator's alone.
    AdminSettings,
}

/// What the caller should learn from a refusal: "no" (403) or "no such thing" (404, existence is not revealed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Forbidden,
    Hidden,
}

/// Pure decision; `check` turns it into an error.
pub fn decide(p: &Principal, op: Operation, target: Target) -> Decision {
    use Authority::*;
    use Decision::*;
    match (p.authority, target) {
        (SysAdmin, Target::AllTenants | Target::Tenant(_) | Target::AdminSettings) => Allow,
        (TenantAdmin | CustomerUser, Target::AdminSettings) => Forbidden,
        (SysAdmin, Target::User { authority, .. }) => {
            // The system administrator manages tenant administrators and itself, not customers' users.
            if authority == CustomerUser { Forbidden } else { Allow }
        }
        (SysAdmin, Target::NewUser { authority, tenant }) => {
            if authority == TenantAdmin && tenant.is_some() {
                Allow
            } else {
                Forbidden
            }
        }
        (TenantAdmin | CustomerUser, Target::AllTenants) => Forbidden,
        (TenantAdmin, Target::Tenant(t)) => {
            if p.tenant_id != Some(t) {
                Hidden
            } else if op == Operation::Read {
                // Only the system administrator creates, changes and deletes tenants.
                Allow
            } else {
                Forbidden
            }
        }
        (CustomerUser, Target::Tenant(t)) => {
            if p.tenant_id != Some(t) {
                Hidden
            } else {
                Forbidden
            }
        }
        (TenantAdmin | CustomerUser, Target::User { id, tenant, .. }) => {
            if tenant != p.tenant_id {
                Hidden
            } else if id == p.user_id && matches!(op, Operation::Read | Operation::Write) {
                Allow
            } else if p.authority == TenantAdmin {
                // Users inside the tenant: role-based rules arrive with user groups; until then admins read them.
                if op == Operation::Read { Allow } else { Forbidden }
            } else {
                Forbidden
            }
        }
        (TenantAdmin | CustomerUser, Target::NewUser { .. }) => Forbidden,
    }
}

/// Allows or fails with 403 / 404 as `decide` says; `what` names the entity in the 404 text.
pub fn check(
    p: &Principal,
    op: Operation,
    target: Target,
    what: &str,
    id: impl std::fmt::Display,
) -> ServiceResult<()> {
    match decide(p, op, target) {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ServiceError::Forbidden),
        Decision::Hidden => Err(ServiceError::not_found(what, id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn p(authority: Authority, tenant: Option<TenantId>) -> Principal {
        Principal {
            user_id: UserId(Uuid::new_v4()),
            session_id: Uuid::new_v4(),
            authority,
            tenant_id: tenant,
            customer_id: None,
            email: "x@y.zz".into(),
            impersonated_by: None,
        }
    }

    #[test]
    fn tenants_are_isolated() {
        let t1 = TenantId(Uuid::new_v4());
        let t2 = TenantId(Uuid::new_v4());
        let admin = p(Authority::TenantAdmin, Some(t1));
        assert_eq!(decide(&admin, Operation::Read, Target::Tenant(t1)), Decision::Allow);
        assert_eq!(decide(&admin, Operation::Read, Target::Tenant(t2)), Decision::Hidden);
        assert_eq!(decide(&admin, Operation::Write, Target::Tenant(t1)), Decision::Forbidden);
        assert_eq!(decide(&admin, Operation::Delete, Target::Tenant(t1)), Decision::Forbidden, "not even its own");
        assert_eq!(decide(&admin, Operation::Read, Target::AllTenants), Decision::Forbidden);
        let other_user =
            Target::User { id: UserId(Uuid::new_v4()), tenant: Some(t2), authority: Authority::TenantAdmin };
        assert_eq!(decide(&admin, Operation::Read, other_user), Decision::Hidden);
    }

    #[test]
    fn sysadmin_creates_only_tenant_admins_in_a_tenant() {
        let sys = p(Authority::SysAdmin, None);
        let t = Some(TenantId(Uuid::new_v4()));
        let ok = Target::NewUser { tenant: t, authority: Authority::TenantAdmin };
        assert_eq!(decide(&sys, Operation::Create, ok), Decision::Allow);
        let no_tenant = Target::NewUser { tenant: None, authority: Authority::TenantAdmin };
        assert_eq!(decide(&sys, Operation::Create, no_tenant), Decision::Forbidden);
        let cu = Target::NewUser { tenant: t, authority: Authority::CustomerUser };
        assert_eq!(decide(&sys, Operation::Create, cu), Decision::Forbidden);
    }
}
