//! Entity groups as objects of decisions: reading, renaming, sharing, filling a group is decided on the group
//! itself (ThingsBoard PE: a Generic `<TYPE>_GROUP` grant over the caller's owner subtree, or a Group role bound
//! to this group except for the operations only the group's owner side may do). Reading a group lets the caller
//! list all its members, as ThingsBoard answers `/api/entityGroup/{id}/…`: `ReadableGroup`, which only this
//! module makes, is what every member list takes, so no list of members can skip the check.

use crate::backend::authz::Decision;
use crate::backend::authz::entities::within;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use uuid::Uuid;

/// An entity group as the rule sees it: where it sits and what its grants name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupObject {
    pub id: Uuid,
    pub tenant: Uuid,
    pub owner: Uuid,
    /// The resource of its members (`DEVICE`).
    pub members: Resource,
    /// The resource of the group itself (`DEVICE_GROUP`).
    pub resource: Resource,
}

impl GroupObject {
    /// From a stored group row's type (`DEVICE`, `USER`…).
    pub fn of_type(id: Uuid, tenant: Uuid, owner: Uuid, group_type: &str) -> ServiceResult<GroupObject> {
        let bad = || ServiceError::Internal(format!("entity group type {group_type}"));
        Ok(GroupObject {
            id,
            tenant,
            owner,
            members: Resource::parse(group_type).ok_or_else(bad)?,
            resource: Resource::parse(&format!("{group_type}_GROUP")).ok_or_else(bad)?,
        })
    }
}

/// ThingsBoard's decision for `op` on the group object itself.
pub async fn decide(svc: &Services, p: &Principal, op: Operation, g: &GroupObject) -> ServiceResult<Decision> {
    if p.tenant_id.map(|t| t.0) != Some(g.tenant) {
        return Ok(Decision::Hidden);
    }
    let Some(m) = svc.permissions.get(&svc.db.pool, p).await? else { return Ok(Decision::Forbidden) };
    if m.generic.allows(g.resource, op) && within(svc, m.tenant, m.root, g.owner).await? {
        return Ok(Decision::Allow);
    }
    if op.allowed_for_group_role()
        && !op.group_operation_owner_only()
        && m.groups.get(&g.id).is_some_and(|(_, ops)| ops.allows(op))
    {
        return Ok(Decision::Allow);
    }
    Ok(Decision::Forbidden)
}

/// `decide`, as 403 / 404.
pub async fn check(svc: &Services, p: &Principal, op: Operation, g: &GroupObject) -> ServiceResult<()> {
    match decide(svc, p, op, g).await? {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ServiceError::Forbidden),
        Decision::Hidden => Err(ServiceError::not_found("Entity group", g.id)),
    }
}

/// A group the caller may read, so all of its members may be listed to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadableGroup(GroupObject);

impl ReadableGroup {
    pub fn id(&self) -> Uuid {
        self.0.id
    }

    pub fn tenant(&self) -> Uuid {
        self.0.tenant
    }

    pub fn owner(&self) -> Uuid {
        self.0.owner
    }

    /// What its members are (`DEVICE`, `USER`…).
    pub fn members(&self) -> Resource {
        self.0.members
    }
}

/// READ on `g`, as the proof member lists ask for.
pub async fn readable(svc: &Services, p: &Principal, g: GroupObject) -> ServiceResult<ReadableGroup> {
    check(svc, p, Operation::Read, &g).await?;
    Ok(ReadableGroup(g))
}
