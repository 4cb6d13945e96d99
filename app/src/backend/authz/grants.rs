//! Roles as grants: validating a role's permissions the way ThingsBoard PE does, expanding `excludedPermissions`,
//! and merging every role a user holds into one lookup table (`MergedGrants`), so a generic check is two bit tests.
//!
//! Rule (ThingsBoard PE 4.4): a Generic role grants `op` on `res` when its permissions name `op` or `ALL` under
//! `res` or under the `ALL` resource. If the role has excluded permissions, both maps are first expanded to
//! concrete resources and to each resource's vocabulary, and the excluded part is subtracted (per role, before
//! the roles are merged). A Group role is a list of operations for the one entity group it is bound to.

use crate::model::permissions::OpSet;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use std::collections::BTreeMap;

/// A Generic role's `permissions` (or `excludedPermissions`) as the wire has it.
pub type GenericPermissions = BTreeMap<Resource, Vec<Operation>>;

/// Why a role's permissions were refused, phrased for the API caller.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidRole(pub String);

/// Checks a Generic role: every operation must belong to its resource's vocabulary.
pub fn validate_generic(perms: &GenericPermissions) -> Result<(), InvalidRole> {
    for (res, ops) in perms {
        for op in ops {
            if !res.vocabulary().contains(*op) {
                return Err(InvalidRole(format!(
                    "Operation {} is not allowed for resource {}",
                    op.as_str(),
                    res.as_str()
                )));
            }
        }
    }
    Ok(())
}

/// Checks a Group role: only operations ThingsBoard allows in group roles, at least one.
pub fn validate_group(ops: &[Operation]) -> Result<(), InvalidRole> {
    if ops.is_empty() {
        return Err(InvalidRole("Group role permissions should be specified".into()));
    }
    match ops.iter().find(|o| !o.allowed_for_group_role()) {
        Some(op) => Err(InvalidRole(format!("Operation {} is not allowed for group role", op.as_str()))),
        None => Ok(()),
    }
}

/// One resource → operations table, indexed by `Resource::index`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericGrant {
    by_resource: Vec<OpSet>,
}

impl Default for GenericGrant {
    fn default() -> Self {
        GenericGrant { by_resource: vec![OpSet::EMPTY; Resource::EVERY.len()] }
    }
}

fn table(perms: &GenericPermissions) -> GenericGrant {
    let mut g = GenericGrant::default();
    for (res, ops) in perms {
        g.by_resource[res.index()] = g.by_resource[res.index()].union(OpSet::of(ops));
    }
    g
}

/// A concrete resource's operations once `ALL` (resource and operation) is spelled out in its vocabulary. The
/// result holds concrete operations only: a leftover `ALL` bit would grant back what was excluded.
fn expanded(g: &GenericGrant, res: Resource) -> OpSet {
    let vocab = res.vocabulary().minus(OpSet::of(&[Operation::All]));
    let raw = g.by_resource[res.index()].union(g.by_resource[Resource::All.index()]);
    if raw.contains(Operation::All) { vocab } else { raw.intersect(vocab) }
}

/// Every concrete (resource, operation) pair a decision can ask about: resources other than `ALL`, each with the
/// operations of its vocabulary other than `ALL`.
fn concrete() -> impl Iterator<Item = (Resource, Operation)> {
    Resource::EVERY
        .iter()
        .copied()
        .filter(|r| *r != Resource::All)
        .flat_map(|r| r.vocabulary().iter().filter(|o| *o != Operation::All).map(move |o| (r, o)))
}

impl GenericGrant {
    /// The grant of one Generic role, exclusions applied.
    pub fn of_role(perms: &GenericPermissions, excluded: &GenericPermissions) -> GenericGrant {
        let granted = table(perms);
        if excluded.values().all(|ops| ops.is_empty()) {
            return granted;
        }
        let minus = table(excluded);
        let mut out = GenericGrant::default();
        for res in Resource::EVERY.iter().copied().filter(|r| *r != Resource::All) {
            out.by_resource[res.index()] = expanded(&granted, res).minus(expanded(&minus, res));
        }
        out
    }

    /// Adds another role's grant (roles only ever add up).
    pub fn merge(&mut self, other: &GenericGrant) {
        for (a, b) in self.by_resource.iter_mut().zip(&other.by_resource) {
            *a = a.union(*b);
        }
    }

    /// ThingsBoard's `hasGenericPermission(res, op)`.
    pub fn allows(&self, res: Resource, op: Operation) -> bool {
        self.by_resource[res.index()].allows(op) || self.by_resource[Resource::All.index()].allows(op)
    }

    /// Whether every concrete operation this grant allows on a concrete resource, `other` allows too: what a
    /// caller must hold to hand this grant on ("never more than it holds"). `ALL` is compared spelled out, so
    /// `DEVICE: ALL` and the device vocabulary listed one by one are the same grant.
    pub fn within(&self, other: &GenericGrant) -> bool {
        concrete().all(|(res, op)| !self.allows(res, op) || other.allows(res, op))
    }

    /// Whether this grant allows every concrete operation on every concrete resource (an administrator of its
    /// subtree, exclusions none).
    pub fn is_everything(&self) -> bool {
        concrete().all(|(res, op)| self.allows(res, op))
    }

    /// The table as the wire shows it (`genericPermissions`), empty resources left out.
    pub fn to_wire(&self) -> GenericPermissions {
        Resource::EVERY
            .iter()
            .filter(|r| !self.by_resource[r.index()].is_empty())
            .map(|r| (*r, self.by_resource[r.index()].iter().collect()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn perms(pairs: &[(Resource, &[Operation])]) -> GenericPermissions {
        pairs.iter().map(|(r, o)| (*r, o.to_vec())).collect()
    }

    #[test]
    fn predefined_roles_behave_as_thingsboard() {
        use Operation as O;
        use Resource as R;
        let customer_user = GenericGrant::of_role(
            &perms(&[
                (R::All, &[O::Read, O::RpcCall, O::ReadCredentials, O::ReadAttributes, O::ReadTelemetry]),
                (R::Profile, &[O::All]),
            ]),
            &GenericPermissions::new(),
        );
        assert!(customer_user.allows(R::Device, O::Read));
        assert!(customer_user.allows(R::Device, O::RpcCall));
        assert!(!customer_user.allows(R::Device, O::Write));
        assert!(customer_user.allows(R::Profile, O::Write));
        let admin = GenericGrant::of_role(&perms(&[(R::All, &[O::All])]), &GenericPermissions::new());
        assert!(admin.allows(R::Device, O::Delete) && admin.allows(R::UserGroup, O::ShareGroup));
    }

    #[test]
    fn exclusions_subtract_after_expansion() {
        use Operation as O;
        use Resource as R;
        let site_manager = GenericGrant::of_role(&perms(&[(R::All, &[O::All])]), &perms(&[(R::Device, &[O::Delete])]));
        assert!(site_manager.allows(R::Device, O::Write));
        assert!(!site_manager.allows(R::Device, O::Delete));
        assert!(site_manager.allows(R::Asset, O::Delete));
        // Expanded: an operation outside a resource's vocabulary is no longer granted by ALL.
        assert!(!site_manager.allows(R::Asset, O::RpcCall));
    }

    #[test]
    fn role_validation() {
        use Operation as O;
        use Resource as R;
        assert!(validate_generic(&perms(&[(R::Device, &[O::RpcCall])])).is_ok());
        assert!(validate_generic(&perms(&[(R::Asset, &[O::RpcCall])])).is_err());
        assert!(validate_group(&[O::Read, O::Write]).is_ok());
        assert!(validate_group(&[O::ChangeOwner]).is_err());
        assert!(validate_group(&[]).is_err());
    }

    #[test]
    fn handing_on_compares_spelled_out_operations() {
        use Operation as O;
        use Resource as R;
        let none = GenericPermissions::new();
        let admin = GenericGrant::of_role(&perms(&[(R::All, &[O::All])]), &none);
        let no_delete = GenericGrant::of_role(&perms(&[(R::All, &[O::All])]), &perms(&[(R::Device, &[O::Delete])]));
        let devices = GenericGrant::of_role(&perms(&[(R::Device, &[O::All])]), &none);
        let reader = GenericGrant::of_role(&perms(&[(R::All, &[O::Read])]), &none);
        assert!(admin.is_everything() && !no_delete.is_everything() && !reader.is_everything());
        assert!(no_delete.within(&admin) && devices.within(&admin) && reader.within(&no_delete));
        assert!(!admin.within(&no_delete), "the excluded DELETE is more than the holder has");
        assert!(!devices.within(&no_delete));
        assert!(!devices.within(&reader) && !reader.within(&devices));
        let asset_ops = GenericGrant::of_role(&perms(&[(R::Asset, &[O::All])]), &none);
        assert!(asset_ops.within(&no_delete), "ALL on assets is the asset vocabulary, which the holder has");
    }

    /// The rule above, written as plainly as possible.
    fn reference(p: &GenericPermissions, x: &GenericPermissions, res: Resource, op: Operation) -> bool {
        let names = |m: &GenericPermissions, r: Resource| {
            m.get(&r).is_some_and(|ops| ops.contains(&op) || ops.contains(&Operation::All))
        };
        let granted = |m: &GenericPermissions| names(m, res) || names(m, Resource::All);
        if x.values().all(|ops| ops.is_empty()) {
            granted(p)
        } else {
            res.vocabulary().contains(op) && granted(p) && !granted(x)
        }
    }

    fn any_perms() -> impl Strategy<Value = GenericPermissions> {
        let res = prop::sample::select(Resource::EVERY.to_vec());
        let op = prop::sample::select(Operation::EVERY.to_vec());
        prop::collection::btree_map(res, prop::collection::vec(op, 0..4), 0..5)
    }

    proptest! {
        #[test]
        fn merged_grants_match_the_reference(roles in prop::collection::vec((any_perms(), any_perms()), 1..4)) {
            let mut merged = GenericGrant::default();
            for (p, x) in &roles {
                merged.merge(&GenericGrant::of_role(p, x));
            }
            for res in Resource::EVERY.iter().copied().filter(|r| *r != Resource::All) {
                for op in Operation::EVERY.iter().copied().filter(|o| *o != Operation::All) {
                    let expected = roles.iter().any(|(p, x)| reference(p, x, res, op));
                    prop_assert_eq!(merged.allows(res, op), expected, "{:?} {:?}", res, op);
                }
            }
        }
    }
}
