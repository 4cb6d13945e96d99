//! "Can this user do that to this entity, and why": the explainer as a service, for the REST endpoint and the
//! console alike. The caller must be able to read both the user and the entity, so asking reveals nothing the
//! caller could not already see (an entity of another customer answers 403/404, not "not allowed").

use crate::backend::accounts::users;
use crate::backend::authz::entities::EntityRef;
use crate::backend::authz::explain::Binding;
use crate::backend::authz::explain::Explanation;
use crate::backend::authz::explain::Grant;
use crate::backend::authz::explain::explain;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::owners::customers;
use crate::backend::services::Services;
use crate::backend::things;
use crate::backend::things::kind::Kind;
use crate::model::CustomerId;
use crate::model::EntityGroupId;
use crate::model::RoleId;
use crate::model::UserId;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use uuid::Uuid;

/// Explains `op` by `subject` on the entity `entity_type`/`entity_id`, both read with the caller's rights.
pub async fn for_user(
    svc: &Services,
    caller: &Principal,
    subject: UserId,
    op: Operation,
    entity_type: &str,
    entity_id: Uuid,
) -> ServiceResult<Explanation> {
    let user = users::get(svc, caller, subject).await?;
    let tenant = user
        .tenant_id
        .ok_or_else(|| ServiceError::InvalidArguments("The system administrator's rights are not role-based".into()))?;
    let e = match entity_type {
        "CUSTOMER" => Some(customers::entity_ref(&customers::get(svc, caller, CustomerId(entity_id)).await?)?),
        "USER" => {
            let u = users::get(svc, caller, UserId(entity_id)).await?;
            u.tenant_id.map(|t| EntityRef { tenant: t.0, id: u.id.0, owner: u.owner(), resource: Resource::User })
        }
        other => match Kind::parse(other) {
            Some(kind) => {
                Some(things::entity_ref(&things::get_checked(svc, caller, kind, entity_id, Operation::Read).await?))
            }
            None => {
                return Err(ServiceError::BadRequestParams(format!("Explanations for {other} are not available yet")));
            }
        },
    };
    let e = e
        .filter(|e| e.tenant == tenant.0)
        .ok_or_else(|| ServiceError::NotFound(format!("Entity with id [{entity_id}] is not found")))?;
    redact(svc, caller, explain(svc, &user.principal(), op, &e).await?).await
}

/// Keeps only the grants whose user group and role the caller may read itself (the rest are counted), and names
/// a shared entity group only when the caller may read it: an explanation never names what the asker cannot see.
async fn redact(svc: &Services, caller: &Principal, mut e: Explanation) -> ServiceResult<Explanation> {
    let mut kept = Vec::with_capacity(e.grants.len());
    for mut g in std::mem::take(&mut e.grants) {
        let group_ok = match g.user_group_id {
            Some(ug) => readable_group(svc, caller, ug).await?,
            None => true,
        };
        let role_ok = match g.role_id {
            Some(r) => readable(crate::backend::groups::role_api::get(svc, caller, RoleId(r)).await)?,
            None => true,
        };
        if !(group_ok && role_ok) {
            e.hidden_grants += 1;
            continue;
        }
        if g.via == "GROUP"
            && let Some(scope) = g.scope_id
            && !readable_group(svc, caller, scope).await?
        {
            g.scope_name = None;
        }
        kept.push(g);
    }
    e.grants = kept;
    Ok(e)
}

/// "Who can see this and why" for the caller: the bindings that grant `op` on `e`, only through user groups the
/// caller may read (the rest counted).
pub async fn who_can(
    svc: &Services,
    caller: &Principal,
    op: Operation,
    e: &EntityRef,
) -> ServiceResult<(Vec<(Binding, Grant)>, usize)> {
    let mut rows = Vec::new();
    let mut hidden = 0;
    for (b, g) in crate::backend::authz::explain::who_can(svc, op, e).await? {
        if readable_group(svc, caller, b.user_group_id).await? {
            rows.push((b, g));
        } else {
            hidden += 1;
        }
    }
    Ok((rows, hidden))
}

/// The roles bound to `user`'s groups, for "what can this user do", only through user groups the caller may read
/// (the rest counted).
pub async fn bindings_of_user(
    svc: &Services,
    caller: &Principal,
    user: UserId,
) -> ServiceResult<(Vec<Binding>, usize)> {
    let mut kept = Vec::new();
    let mut hidden = 0;
    for b in crate::backend::authz::explain::bindings_of_user(svc, user).await? {
        if readable_group(svc, caller, b.user_group_id).await? {
            kept.push(b);
        } else {
            hidden += 1;
        }
    }
    Ok((kept, hidden))
}

async fn readable_group(svc: &Services, caller: &Principal, id: Uuid) -> ServiceResult<bool> {
    readable(crate::backend::groups::service::get_checked(svc, caller, EntityGroupId(id), Operation::Read).await)
}

/// A read the caller may or may not make: refusals are `false`, real failures stay errors.
fn readable<T>(r: ServiceResult<T>) -> ServiceResult<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(ServiceError::Forbidden | ServiceError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
