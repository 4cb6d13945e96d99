//! What the console offers a user: the sections and buttons its merged permissions allow, from the same `Merged`
//! the decisions use. The services still decide every call; this only keeps the console from offering what would
//! be refused.

use crate::backend::authz::allowed::allowed_resources;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::Authority;
use crate::model::permissions::Abilities;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;

/// The resources the console has sections or buttons for.
const SECTIONS: [Resource; 14] = [
    Resource::Customer,
    Resource::CustomerGroup,
    Resource::User,
    Resource::UserGroup,
    Resource::Role,
    Resource::GroupPermission,
    Resource::Device,
    Resource::DeviceGroup,
    Resource::Asset,
    Resource::AssetGroup,
    Resource::Dashboard,
    Resource::DashboardGroup,
    Resource::Edge,
    Resource::EdgeGroup,
];

/// The caller's abilities: Generic grants over its own subtree, plus what Group roles give on shared groups.
pub async fn abilities(svc: &Services, p: &Principal) -> ServiceResult<Abilities> {
    if p.authority == Authority::SysAdmin {
        let ops = vec![Operation::Read, Operation::Write, Operation::Create, Operation::Delete];
        return Ok(Abilities(vec![(Resource::Tenant, ops)]));
    }
    let Some(m) = svc.permissions.get(&svc.db.pool, p).await? else { return Ok(Abilities::default()) };
    let usable = allowed_resources(p.authority);
    let mut out = Vec::new();
    for res in SECTIONS.into_iter().filter(|r| usable.contains(r)) {
        let ops: Vec<Operation> = res
            .vocabulary()
            .iter()
            .filter(|op| *op != Operation::All)
            .filter(|op| {
                m.generic.allows(res, *op)
                    || m.groups.values().any(|(t, granted)| {
                        Resource::parse(t) == Some(res) && op.allowed_for_group_role() && granted.allows(*op)
                    })
            })
            .collect();
        if !ops.is_empty() {
            out.push((res, ops));
        }
    }
    Ok(Abilities(out))
}
