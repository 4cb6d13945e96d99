//! Handing permissions on: binding a role to a user group (group permissions, shares), putting a user into a user
//! group (membership changes, new users, users moved to another customer) and widening a role that is bound. All
//! of them follow one rule — a caller never hands on more than it holds:
//! - only to user groups it manages: owned inside its owner subtree, with the Generic grant the change needs there;
//! - a Generic role only when the caller's own Generic grants allow everything the role grants (the role applies
//!   over the user group owner's subtree, which lies inside the caller's);
//! - a Group role only on an entity group the caller owns (WRITE on the group object, which only the owner side
//!   has) or may share (SHARE_GROUP), and only operations the caller itself holds on that group and its members;
//! - joining a user group hands on everything bound to it, so each binding must pass the same test, except that
//!   an administrator of the group's owner (every operation over its subtree) may hand on what others shared with
//!   that owner's user groups: a customer administrator fills its own "Customer Users", which the tenant shared a
//!   dashboard group with.
//!
//! The system administrator places tenant administrators and has no tenant permissions of its own.

use crate::backend::authz::Decision;
use crate::backend::authz::entities::within;
use crate::backend::authz::explain::Binding;
use crate::backend::authz::explain::bindings;
use crate::backend::authz::grants::GenericGrant;
pub use crate::backend::authz::groups::GroupObject;
use crate::backend::authz::merged::Merged;
use crate::backend::authz::role_grammar::RolePermissions;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::Authority;
use crate::model::permissions::OpSet;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use std::sync::Arc;
use uuid::Uuid;

async fn merged(svc: &Services, p: &Principal) -> ServiceResult<Arc<Merged>> {
    svc.permissions.get(&svc.db.pool, p).await?.ok_or(ServiceError::Forbidden)
}

fn allow(ok: bool) -> ServiceResult<()> {
    if ok { Ok(()) } else { Err(ServiceError::Forbidden) }
}

/// Whether the caller holds `op` on `g` and its members: through a Group role bound on `g`, or through Generic
/// grants over `g`'s owner on both the members' resource and the group's (an operation outside a resource's
/// vocabulary needs nothing there).
async fn holds(svc: &Services, m: &Merged, g: &GroupObject, op: Operation) -> ServiceResult<bool> {
    if m.groups.get(&g.id).is_some_and(|(_, ops)| ops.allows(op)) {
        return Ok(true);
    }
    let generic = |res: Resource| !res.vocabulary().contains(op) || m.generic.allows(res, op);
    Ok(generic(g.members) && generic(g.resource) && within(svc, m.tenant, m.root, g.owner).await?)
}

async fn holds_all(svc: &Services, m: &Merged, g: &GroupObject, ops: &[Operation]) -> ServiceResult<bool> {
    for op in ops {
        if !holds(svc, m, g, *op).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The caller may share `g`: it owns it (WRITE on the group object is the owner side's alone) or holds SHARE_GROUP.
async fn may_share(svc: &Services, p: &Principal, g: &GroupObject) -> ServiceResult<bool> {
    for op in [Operation::Write, Operation::ShareGroup] {
        if crate::backend::authz::groups::decide(svc, p, op, g).await? == Decision::Allow {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The caller manages group permissions of user groups owned by `owner`: a Generic GROUP_PERMISSION `op` there.
async fn manages(svc: &Services, m: &Merged, owner: Uuid, op: Operation) -> ServiceResult<bool> {
    Ok(m.generic.allows(Resource::GroupPermission, op) && within(svc, m.tenant, m.root, owner).await?)
}

/// Binding `role` to a user group owned by `user_group_owner` (on `on` for a Group role): `POST
/// /api/groupPermission`, `/share`, share-down, a user group's Roles section.
pub async fn check_bind(
    svc: &Services,
    p: &Principal,
    user_group_owner: Uuid,
    role: &RolePermissions,
    on: Option<&GroupObject>,
) -> ServiceResult<()> {
    let m = merged(svc, p).await?;
    allow(manages(svc, &m, user_group_owner, Operation::Create).await?)?;
    match (role, on) {
        (RolePermissions::Generic { permissions, excluded }, None) => {
            allow(GenericGrant::of_role(permissions, excluded).within(&m.generic))
        }
        (RolePermissions::Group(ops), Some(g)) if g.tenant == m.tenant => {
            allow(may_share(svc, p, g).await? && holds_all(svc, &m, g, ops).await?)
        }
        (RolePermissions::Group(_), Some(_)) => Err(ServiceError::Forbidden),
        (RolePermissions::Generic { .. }, Some(_)) => {
            Err(ServiceError::InvalidArguments("A generic role is not bound to an entity group".into()))
        }
        (RolePermissions::Group(_), None) => {
            Err(ServiceError::InvalidArguments("Entity group should be specified for a group role".into()))
        }
    }
}

/// Removing a binding from a user group owned by `user_group_owner` (of a Group role on `on`): the caller manages
/// the user group and, for a share, owns or may share the entity group, as binding it would need.
pub async fn check_unbind(
    svc: &Services,
    p: &Principal,
    user_group_owner: Uuid,
    on: Option<&GroupObject>,
) -> ServiceResult<()> {
    let m = merged(svc, p).await?;
    allow(manages(svc, &m, user_group_owner, Operation::Delete).await?)?;
    match on {
        Some(g) => allow(g.tenant == m.tenant && may_share(svc, p, g).await?),
        None => Ok(()),
    }
}

/// Whether the caller could hand on `b` to a member of a user group owned by `owner`.
async fn may_hand_on(svc: &Services, m: &Merged, owner: Uuid, b: &Binding) -> ServiceResult<bool> {
    match &b.permissions {
        RolePermissions::Generic { permissions, excluded } => {
            Ok(GenericGrant::of_role(permissions, excluded).within(&m.generic))
        }
        RolePermissions::Group(ops) => {
            let (Some((g, _, g_owner)), Some(t)) = (&b.entity_group, &b.entity_group_type) else { return Ok(true) };
            let g = GroupObject::of_type(*g, m.tenant, *g_owner, t)?;
            if m.generic.is_everything() && within(svc, m.tenant, m.root, owner).await? {
                return Ok(true);
            }
            holds_all(svc, m, &g, ops).await
        }
    }
}

/// Putting a user into `user_group` (owned by `owner`): everything bound to the group is handed on to the user.
/// Membership services check ADD_TO_GROUP on the group themselves; this is the part that follows from what the
/// group grants, asked also where a user joins a group implicitly (its new owner's "All" group).
pub async fn check_join(svc: &Services, p: &Principal, user_group: Uuid, owner: Uuid) -> ServiceResult<()> {
    if p.authority == Authority::SysAdmin {
        return Ok(());
    }
    let m = merged(svc, p).await?;
    allow(within(svc, m.tenant, m.root, owner).await?)?;
    for b in bindings(svc, "WHERE gp.user_group_id = $1 AND gp.is_public = 0", &[user_group]).await? {
        allow(may_hand_on(svc, &m, owner, &b).await?)?;
    }
    Ok(())
}

/// Changing role `role` from `old` to `new`: whatever the change adds reaches every user group the role is bound
/// to, so each of those must be the caller's to manage and the addition must be the caller's to hand on there.
/// A change that adds nothing is always allowed (the role's own WRITE is checked by the role service).
pub async fn check_widen(
    svc: &Services,
    p: &Principal,
    role: Uuid,
    old: &RolePermissions,
    new: &RolePermissions,
) -> ServiceResult<()> {
    let m = merged(svc, p).await?;
    let added_group_ops = match (old, new) {
        (
            RolePermissions::Generic { permissions: op, excluded: ox },
            RolePermissions::Generic { permissions: np, excluded: nx },
        ) => {
            let before = GenericGrant::of_role(op, ox);
            let after = GenericGrant::of_role(np, nx);
            if after.within(&before) {
                return Ok(());
            }
            let mut held = before;
            held.merge(&m.generic);
            allow(after.within(&held))?;
            Vec::new()
        }
        (RolePermissions::Group(before), RolePermissions::Group(after)) => {
            let before = OpSet::of(before);
            let added: Vec<Operation> = after.iter().copied().filter(|o| !before.allows(*o)).collect();
            if added.is_empty() {
                return Ok(());
            }
            added
        }
        _ => return Err(ServiceError::InvalidArguments("Role type can't be changed".into())),
    };
    for b in bindings(svc, "WHERE gp.role_id = $1 AND gp.is_public = 0", &[role]).await? {
        allow(within(svc, m.tenant, m.root, b.user_group_owner).await?)?;
        if let (Some((g, _, g_owner)), Some(t)) = (&b.entity_group, &b.entity_group_type) {
            let g = GroupObject::of_type(*g, m.tenant, *g_owner, t)?;
            allow(holds_all(svc, &m, &g, &added_group_ops).await?)?;
        }
    }
    Ok(())
}
