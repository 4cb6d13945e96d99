//! Property test: random worlds (customer trees up to depth 4, devices owned anywhere in them, customer users in
//! predefined and custom user groups, a custom Generic role with ALL and exclusions over the entities and the
//! administrative resources, custom customer and device groups, Group-role shares) are built through the real
//! services on SQLite (and PostgreSQL when THINGDECK_TEST_DATABASE_URL is set). For every (user, operation,
//! customer or device) the SQL-backed decision must equal a plain reference model, paged lists (page sizes 1, 2, 7,
//! 50) must concatenate to exactly the customers and devices the model lets the user read, every group-member list
//! must answer exactly the members of a group the model lets the user read (and refuse the others), and the
//! permission explainer must give the same answer.
//!
//! Then a random sequence of steps is applied: revokes, new shares, device and customer moves, deletes, membership
//! toggles, and administrative operations performed by every kind of caller — the tenant administrator, customer
//! and sub-customer administrators, users holding the custom role, plain users — binding Generic and Group roles to
//! user groups and putting users into user groups. The model says which of those the caller may do; the services
//! must agree on each, and afterwards everything is checked again, through the same services (warm caches) and
//! through a second set of services on the same database that cached the old state (a second node). No sequence
//! may give a user a permission the model does not.
#![cfg(feature = "ssr")]

use app::backend::accounts::users;
use app::backend::authz::Decision;
use app::backend::authz::entities;
use app::backend::bootstrap;
use app::backend::groups::group_type::GroupType;
use app::backend::groups::naming::{NameConflict, SaveOptions};
use app::backend::groups::permissions as group_permissions;
use app::backend::groups::roles;
use app::backend::groups::service as groups;
use app::backend::kernel::config::Config;
use app::backend::kernel::db::Db;
use app::backend::kernel::paging::PageLink;
use app::backend::kernel::principal::Principal;
use app::backend::owners::customers;
use app::backend::owners::owner_change::{self, NewOwner};
use app::backend::owners::tenants;
use app::backend::services::Services;
use app::backend::things;
use app::backend::things::kind::Kind;
use app::backend::things::lists::{self, Scope};
use app::model::permissions::{Operation, Resource};
use app::model::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

const OPS: [Operation; 4] = [Operation::Read, Operation::Write, Operation::Delete, Operation::ChangeOwner];

type Perms = BTreeMap<Resource, Vec<Operation>>;

/// What a custom group holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Holds {
    Customers,
    Devices,
}

impl Holds {
    fn member(self) -> Resource {
        if self == Holds::Customers { Resource::Customer } else { Resource::Device }
    }
    fn group(self) -> Resource {
        if self == Holds::Customers { Resource::CustomerGroup } else { Resource::DeviceGroup }
    }
}

/// An entity the model decides on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Customer(usize),
    Device(usize),
}

/// The user groups every customer has that the model follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum UserGroup {
    /// "Customer Administrators", bound to the predefined ALL role.
    Admins,
    /// "Customer Users", bound to the predefined read-only role.
    Users,
    /// "Custom users", bound to the world's custom Generic role.
    Custom,
}

const USER_GROUPS: [UserGroup; 3] = [UserGroup::Admins, UserGroup::Users, UserGroup::Custom];

/// A Generic role the model knows (all owned by the tenant, so readable by anyone with ROLE READ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum GenericRole {
    Admin,
    CustomerUser,
    Custom,
}

/// What a binding grants: a Generic role, or a Group role's operations on custom group `g`.
#[derive(Clone, Debug, PartialEq)]
enum Grant {
    Generic(GenericRole),
    Group(Vec<Operation>, usize),
}

/// Who performs an administrative step.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Tenant,
    /// The n-th user (modulo the number of users).
    User(usize),
}

/// A change applied after the first round of checks.
#[derive(Clone, Debug)]
enum Step {
    /// The tenant administrator deletes the n-th revocable binding (modulo their number), if any.
    Revoke(usize),
    /// A new share by the tenant administrator: (customer whose "Customer Users" receives, group, operations).
    Share(usize, usize, Vec<Operation>),
    /// Give device d to customer c (None = the tenant).
    MoveDevice(usize, Option<usize>),
    DeleteDevice(usize),
    /// The tenant administrator puts user u into or out of its customer's "Customer Users" group.
    ToggleUsers(usize),
    /// Move customer c (with its subtree) under customer p (None = the tenant), unless that is inside c.
    MoveCustomer(usize, Option<usize>),
    /// Create a device straight into custom group g (if it holds devices), owned by the group's owner: membership
    /// changes that no service bumps an epoch for, only the database trigger.
    CreateDevice(usize),
    /// `caller` binds a role to customer c's user group (POST /api/groupPermission).
    Bind(Caller, usize, UserGroup, Grant),
    /// `caller` puts user u into its customer's user group (POST /api/entityGroup/{id}/addEntities).
    Join(Caller, usize, UserGroup),
}

/// A world as plain data.
#[derive(Clone, Debug)]
struct World {
    /// Parent of customer i: None = tenant, Some(j) with j < i.
    parents: Vec<Option<usize>>,
    /// Owner of device i: None = tenant, Some(c).
    devices: Vec<Option<usize>>,
    /// Each user: its customer, whether it is in "Customer Administrators", "Customer Users", the custom group.
    users: Vec<(usize, bool, bool, bool)>,
    /// The custom Generic role every customer's "Custom users" group is bound to: (permissions, excluded).
    custom_role: (Perms, Perms),
    /// Custom groups: (what they hold, owner customer or None = tenant, wanted members (owner-scoped later)).
    groups: Vec<(Holds, Option<usize>, Vec<usize>)>,
    /// Shares: (customer whose "Customer Users" group receives, group index, group-role operations).
    shares: Vec<(usize, usize, Vec<Operation>)>,
    steps: Vec<Step>,
}

fn depth(parents: &[Option<usize>], i: usize) -> usize {
    match parents[i] {
        None => 1,
        Some(p) => 1 + depth(parents, p),
    }
}

/// A Generic role's permissions, valid for each resource's vocabulary (an operation a resource does not know
/// makes the role invalid; it becomes ALL there).
fn perms(max: usize) -> impl Strategy<Value = Perms> {
    let res = prop::sample::select(vec![
        Resource::All,
        Resource::Customer,
        Resource::User,
        Resource::Device,
        Resource::GroupPermission,
        Resource::UserGroup,
        Resource::Role,
        Resource::DeviceGroup,
        Resource::CustomerGroup,
    ]);
    let op = prop::sample::select(vec![
        Operation::All,
        Operation::Read,
        Operation::Write,
        Operation::Delete,
        Operation::Create,
        Operation::ChangeOwner,
        Operation::AddToGroup,
        Operation::ShareGroup,
    ]);
    prop::collection::btree_map(res, prop::collection::vec(op, 1..4), 1..max).prop_map(|m| {
        m.into_iter()
            .map(|(r, ops)| {
                let ops: Vec<Operation> = ops.into_iter().filter(|o| r.vocabulary().contains(*o)).collect();
                (r, if ops.is_empty() { vec![Operation::All] } else { ops })
            })
            .collect()
    })
}

fn group_ops() -> impl Strategy<Value = Vec<Operation>> {
    prop::collection::vec(
        prop::sample::select(vec![
            Operation::Read,
            Operation::Write,
            Operation::Delete,
            Operation::ShareGroup,
            Operation::All,
        ]),
        1..3,
    )
}

fn world() -> impl Strategy<Value = World> {
    (2usize..7).prop_flat_map(|n| {
        let parents = (0..n)
            .map(|i| if i == 0 { Just(None).boxed() } else { prop::option::of(0..i).boxed() })
            .collect::<Vec<_>>();
        let devices = prop::collection::vec(prop::option::of(0..n), 0..6);
        let excluded = prop::option::of(perms(3)).prop_map(Option::unwrap_or_default);
        let users = prop::collection::vec((0..n, any::<bool>(), any::<bool>(), any::<bool>()), 1..5);
        let holds = prop::sample::select(vec![Holds::Customers, Holds::Devices]);
        let groups =
            prop::collection::vec((holds, prop::option::of(0..n), prop::collection::vec(0..6usize, 0..4)), 0..4);
        let shares = prop::collection::vec((0..n, 0usize..4, group_ops()), 0..3);
        let caller = prop_oneof![Just(Caller::Tenant), (0usize..5).prop_map(Caller::User)];
        let user_group = prop::sample::select(USER_GROUPS.to_vec());
        let generic = prop::sample::select(vec![GenericRole::Admin, GenericRole::CustomerUser, GenericRole::Custom]);
        let grant = prop_oneof![
            generic.prop_map(Grant::Generic),
            (group_ops(), 0usize..4).prop_map(|(o, g)| Grant::Group(o, g)),
        ];
        let step = prop_oneof![
            1 => (0usize..8).prop_map(Step::Revoke),
            1 => (0..n, 0usize..4, group_ops()).prop_map(|(c, g, o)| Step::Share(c, g, o)),
            1 => (0usize..6, prop::option::of(0..n)).prop_map(|(d, c)| Step::MoveDevice(d, c)),
            1 => (0usize..6).prop_map(Step::DeleteDevice),
            1 => (0usize..4).prop_map(Step::ToggleUsers),
            1 => (0..n, prop::option::of(0..n)).prop_map(|(c, p)| Step::MoveCustomer(c, p)),
            1 => (0usize..4).prop_map(Step::CreateDevice),
            3 => (caller.clone(), 0..n, user_group.clone(), grant).prop_map(|(c, to, k, g)| Step::Bind(c, to, k, g)),
            3 => (caller, 0usize..5, user_group).prop_map(|(c, u, k)| Step::Join(c, u, k)),
        ];
        let steps = prop::collection::vec(step, 0..8);
        (parents, devices, users, (perms(4), excluded), groups, shares, steps).prop_map(
            |(mut parents, devices, users, custom_role, groups, shares, steps)| {
                for i in 0..parents.len() {
                    if depth(&parents, i) > 4 {
                        parents[i] = None;
                    }
                }
                World { parents, devices, users, custom_role, groups, shares, steps }
            },
        )
    })
}

/// The plain reference: ThingsBoard PE's rule and Thingdeck's rule for handing permissions on, written out
/// directly over the current state.
#[derive(Clone, Debug)]
struct Model {
    parents: Vec<Option<usize>>,
    /// Owner of each device; None once deleted.
    devices: Vec<Option<Option<usize>>>,
    /// Each user: its customer and the user groups of that customer it is in.
    users: Vec<(usize, BTreeSet<UserGroup>)>,
    custom_role: (Perms, Perms),
    /// Each custom group: what it holds, its owner, its actual members.
    groups: Vec<(Holds, Option<usize>, BTreeSet<usize>)>,
    /// Bindings in force (removed ones are None): (customer, its user group, what is bound).
    bindings: Vec<Option<(usize, UserGroup, Grant)>>,
    /// Bindings made with the tenant's model roles (binding the same role again is a duplicate, answered 400).
    model_made: BTreeSet<(usize, UserGroup, GenericRole)>,
}

fn names(m: &Perms, r: Resource, op: Operation) -> bool {
    m.get(&r).is_some_and(|ops| ops.contains(&op) || ops.contains(&Operation::All))
}

/// A Generic role's grant: `op` or ALL under `r` or under the ALL resource; with exclusions, both sides spelled
/// out over the resource's vocabulary first (so such a role holds no literal ALL anywhere).
fn role_allows((p, x): (&Perms, &Perms), r: Resource, op: Operation) -> bool {
    let g = |m: &Perms| names(m, r, op) || names(m, Resource::All, op);
    if x.values().all(|v| v.is_empty()) {
        g(p)
    } else {
        op != Operation::All && r.vocabulary().contains(op) && g(p) && !g(x)
    }
}

/// Every concrete (resource, operation) pair.
fn concrete() -> impl Iterator<Item = (Resource, Operation)> {
    Resource::EVERY
        .iter()
        .copied()
        .filter(|r| *r != Resource::All)
        .flat_map(|r| r.vocabulary().iter().filter(|o| *o != Operation::All).map(move |o| (r, o)))
}

impl Model {
    /// Whether `node` (None = tenant) is `root` or below it.
    fn within(&self, root: Option<usize>, node: Option<usize>) -> bool {
        match (root, node) {
            (None, _) => true,
            (Some(r), Some(n)) if r == n => true,
            (Some(r), Some(n)) => self.within(Some(r), self.parents[n]),
            (Some(_), None) => false,
        }
    }

    fn generic_allows(&self, role: GenericRole, r: Resource, op: Operation) -> bool {
        let empty = Perms::new();
        let customer_user: Perms = [
            (
                Resource::All,
                vec![
                    Operation::Read,
                    Operation::RpcCall,
                    Operation::ReadCredentials,
                    Operation::ReadAttributes,
                    Operation::ReadTelemetry,
                ],
            ),
            (Resource::Profile, vec![Operation::All]),
        ]
        .into_iter()
        .collect();
        match role {
            GenericRole::Admin => true,
            GenericRole::CustomerUser => role_allows((&customer_user, &empty), r, op),
            GenericRole::Custom => role_allows((&self.custom_role.0, &self.custom_role.1), r, op),
        }
    }

    /// The bindings that reach the caller: of the user groups it is in.
    fn bindings_of(&self, u: usize) -> impl Iterator<Item = &Grant> {
        let (home, kinds) = &self.users[u];
        self.bindings.iter().flatten().filter(move |(c, k, _)| c == home && kinds.contains(k)).map(|(_, _, g)| g)
    }

    /// The caller's Generic grants (the tenant administrator holds everything).
    fn caller_allows(&self, c: Option<usize>, r: Resource, op: Operation) -> bool {
        match c {
            None => true,
            Some(u) => {
                self.bindings_of(u).any(|g| matches!(g, Grant::Generic(role) if self.generic_allows(*role, r, op)))
            }
        }
    }

    /// What the caller's Group roles give on custom group `g`.
    fn caller_group_ops(&self, c: Option<usize>, g: usize, op: Operation) -> bool {
        let Some(u) = c else { return false };
        self.bindings_of(u).any(
            |b| matches!(b, Grant::Group(ops, bg) if *bg == g && (ops.contains(&op) || ops.contains(&Operation::All))),
        )
    }

    fn root(&self, c: Option<usize>) -> Option<usize> {
        c.map(|u| self.users[u].0)
    }

    fn allows(&self, user: usize, op: Operation, t: Target) -> bool {
        let home = self.users[user].0;
        let (owner, resource, holds, index) = match t {
            Target::Customer(c) => (self.parents[c], Resource::Customer, Holds::Customers, c),
            Target::Device(d) => match self.devices[d] {
                Some(o) => (o, Resource::Device, Holds::Devices, d),
                None => return false,
            },
        };
        if self.caller_allows(Some(user), resource, op) && self.within(Some(home), owner) {
            return true;
        }
        if t == Target::Customer(home) && op == Operation::Read {
            return true;
        }
        op.allowed_for_group_role()
            && self.groups.iter().enumerate().any(|(gi, (held, g_owner, members))| {
                *held == holds
                    && members.contains(&index)
                    && self.caller_group_ops(Some(user), gi, op)
                    && (!op.group_owner_only() || self.within(Some(home), *g_owner))
            })
    }

    /// READ on custom group `g` itself: a Generic `<TYPE>_GROUP` READ over its owner, or a Group role on it.
    fn reads_group(&self, user: usize, g: usize) -> bool {
        let (held, owner, _) = &self.groups[g];
        (self.caller_allows(Some(user), held.group(), Operation::Read) && self.within(Some(self.users[user].0), *owner))
            || self.caller_group_ops(Some(user), g, Operation::Read)
    }

    /// READ on customer c's "Customer Users" group: Generic USER_GROUP READ over c.
    fn reads_user_group(&self, user: usize, c: usize) -> bool {
        self.caller_allows(Some(user), Resource::UserGroup, Operation::Read)
            && self.within(Some(self.users[user].0), Some(c))
    }

    /// The caller holds `op` on group `g` and its members (a Group role on it, or Generic grants on both the
    /// members' resource and the group's over its owner).
    fn holds(&self, c: Option<usize>, g: usize, op: Operation) -> bool {
        let (held, owner, _) = &self.groups[g];
        let generic = |r: Resource| !r.vocabulary().contains(op) || self.caller_allows(c, r, op);
        self.caller_group_ops(c, g, op)
            || (self.within(self.root(c), *owner) && generic(held.member()) && generic(held.group()))
    }

    fn within_caller(&self, c: Option<usize>, role: GenericRole) -> bool {
        concrete().all(|(r, op)| !self.generic_allows(role, r, op) || self.caller_allows(c, r, op))
    }

    fn is_everything(&self, c: Option<usize>) -> bool {
        concrete().all(|(r, op)| self.caller_allows(c, r, op))
    }

    /// May the caller bind `grant` to customer `to`'s user group? Only to a user group it manages (GROUP_PERMISSION
    /// CREATE over its customer), a role it may read (ROLE READ: the roles are the tenant's), a Generic role
    /// within its own Generic grants, a Group role only on a group it owns (WRITE) or may share (SHARE_GROUP) and
    /// only with operations it holds there.
    fn may_bind(&self, c: Option<usize>, to: usize, grant: &Grant) -> bool {
        let manages = self.caller_allows(c, Resource::GroupPermission, Operation::Create)
            && self.within(self.root(c), Some(to))
            && self.caller_allows(c, Resource::Role, Operation::Read);
        manages
            && match grant {
                Grant::Generic(role) => self.within_caller(c, *role),
                Grant::Group(ops, g) => {
                    let (held, owner, _) = &self.groups[*g];
                    let owner_side = self.within(self.root(c), *owner);
                    let may_share = (owner_side
                        && (self.caller_allows(c, held.group(), Operation::Write)
                            || self.caller_allows(c, held.group(), Operation::ShareGroup)))
                        || self.caller_group_ops(c, *g, Operation::ShareGroup);
                    may_share && ops.iter().all(|op| self.holds(c, *g, *op))
                }
            }
    }

    /// May the caller put user `u` into its customer's user group `k`? ADD_TO_GROUP on that group, READ on the
    /// user (unless it is the caller), and handing on everything bound to the group (a Group role's operations
    /// also when the caller administers the group's customer: every operation over it).
    fn may_join(&self, c: Option<usize>, u: usize, k: UserGroup) -> bool {
        let home = self.users[u].0;
        let over = self.within(self.root(c), Some(home));
        let add = self.caller_allows(c, Resource::UserGroup, Operation::AddToGroup) && over;
        let read = c == Some(u) || (self.caller_allows(c, Resource::User, Operation::Read) && over);
        add && read
            && self.bindings.iter().flatten().filter(|(bc, bk, _)| *bc == home && *bk == k).all(|(_, _, g)| match g {
                Grant::Generic(role) => self.within_caller(c, *role),
                Grant::Group(ops, g) => (self.is_everything(c) && over) || ops.iter().all(|op| self.holds(c, *g, *op)),
            })
    }
}

fn principal(u: &app::backend::accounts::records::UserRecord) -> Principal {
    Principal {
        user_id: u.id,
        session_id: Uuid::new_v4(),
        authority: u.authority,
        tenant_id: u.tenant_id,
        customer_id: u.customer_id,
        email: u.email.clone(),
        impersonated_by: None,
    }
}

async fn services(url: &str) -> Services {
    let vars: HashMap<&str, String> =
        HashMap::from([("THINGDECK_DATABASE_URL", url.to_string()), ("THINGDECK_JWT_SECRET", "x".repeat(40))]);
    let config = Config::load(None, &|k| vars.get(k).cloned()).expect("config");
    let db = Db::open(url).await.expect("store");
    bootstrap::services(db, config, 1000).await.expect("services")
}

fn link_by(size: i64, page: i64, sort: &str) -> PageLink {
    let q: HashMap<String, String> = HashMap::from([
        ("pageSize".to_string(), size.to_string()),
        ("page".to_string(), page.to_string()),
        ("sortProperty".to_string(), sort.to_string()),
    ]);
    PageLink::from_query(&q).expect("page link")
}

fn group_dto(t: &str, name: String, owner: EntityId) -> EntityGroupInfo {
    EntityGroupInfo {
        id: None,
        created_time: None,
        group_type: Some(t.into()),
        name: Some(name),
        owner_id: Some(owner),
        tenant_id: None,
        additional_info: None,
        configuration: None,
        version: None,
        group_all: false,
        owner_ids: vec![],
    }
}

fn role_dto(name: String, t: RoleType, permissions: Value, excluded: Option<Value>) -> Role {
    Role {
        id: None,
        created_time: None,
        tenant_id: None,
        customer_id: None,
        owner_id: None,
        name: Some(name),
        role_type: Some(t),
        permissions: Some(permissions),
        excluded_permissions: excluded,
        additional_info: None,
        version: None,
    }
}

fn binding(user_group: Uuid, role: RoleId, entity_group: Option<EntityGroupId>) -> GroupPermission {
    GroupPermission {
        id: None,
        created_time: None,
        tenant_id: None,
        user_group_id: Some(EntityGroupId(user_group)),
        role_id: Some(role),
        entity_group_id: entity_group,
        entity_group_type: None,
        public: None,
        is_public: None,
        name: None,
    }
}

fn user_dto(tenant: Option<TenantId>, customer: Option<CustomerId>, email: String, a: Authority) -> User {
    User {
        id: None,
        created_time: None,
        tenant_id: tenant,
        customer_id: customer,
        email: Some(email),
        name: None,
        authority: Some(a),
        first_name: None,
        last_name: None,
        phone: None,
        additional_info: None,
        version: None,
    }
}

/// The ids the SQL side uses for the model's indexes.
struct Ids {
    tenant: TenantId,
    admin: Principal,
    customers: Vec<CustomerId>,
    devices: Vec<Uuid>,
    users: Vec<Principal>,
    groups: Vec<EntityGroupId>,
    /// Each customer's user groups.
    user_groups: Vec<BTreeMap<UserGroup, Uuid>>,
    /// The tenant's copies of the Generic roles.
    generic_roles: BTreeMap<&'static str, RoleId>,
    /// Group permission of each model binding (None for the predefined ones and those gone).
    bindings: Vec<Option<GroupPermissionId>>,
    roles_made: usize,
}

impl Ids {
    fn caller(&self, c: Caller) -> (Option<usize>, Principal) {
        match c {
            Caller::Tenant => (None, self.admin.clone()),
            Caller::User(u) => {
                let u = u % self.users.len();
                (Some(u), self.users[u].clone())
            }
        }
    }
}

async fn user_group(svc: &Services, owner: CustomerId, name: &str) -> Uuid {
    let id: String =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = $2")
            .bind(owner.0.to_string())
            .bind(name)
            .fetch_one(&svc.db.pool)
            .await
            .expect("user group");
    Uuid::parse_str(&id).unwrap()
}

/// The role a grant binds: the tenant's Generic copies, or a fresh tenant Group role with the operations.
async fn role_for(svc: &Services, ids: &mut Ids, grant: &Grant) -> (RoleId, Option<EntityGroupId>) {
    match grant {
        Grant::Generic(GenericRole::Admin) => (ids.generic_roles["admin"], None),
        Grant::Generic(GenericRole::CustomerUser) => (ids.generic_roles["user"], None),
        Grant::Generic(GenericRole::Custom) => (ids.generic_roles["custom"], None),
        Grant::Group(ops, g) => {
            ids.roles_made += 1;
            let perms = Value::Array(ops.iter().map(|o| json!(o.as_str())).collect());
            let name = format!("Group role {}", ids.roles_made);
            let r =
                app::backend::groups::role_api::save(svc, &ids.admin, &role_dto(name, RoleType::Group, perms, None))
                    .await
                    .expect("group role")
                    .id
                    .unwrap();
            (r, Some(ids.groups[*g]))
        }
    }
}

/// The kept subtree totals equal a fresh count.
async fn verify_counts(svc: &Services, when: &str) {
    let kept: Vec<(String, i64)> =
        sqlx::query_as("SELECT owner_id, n FROM subtree_count WHERE kind = 'DEVICE' AND n <> 0 ORDER BY owner_id")
            .fetch_all(&svc.db.pool)
            .await
            .unwrap();
    let fresh: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.ancestor, COUNT(*) FROM device d JOIN owner_closure c ON c.descendant = d.owner_id \
         GROUP BY c.ancestor ORDER BY c.ancestor",
    )
    .fetch_all(&svc.db.pool)
    .await
    .unwrap();
    assert_eq!(kept, fresh, "{when}: subtree_count drifted");
}

/// Every group-member list of every custom group and every customer's "Customer Users" group, against the model.
async fn verify_members(svc: &Services, model: &Model, ids: &Ids, u: usize, when: &str) {
    let p = &ids.users[u];
    for (gi, (held, _, members)) in model.groups.iter().enumerate() {
        let expected: Vec<String> = {
            let prefix = if *held == Holds::Customers { "C" } else { "D" };
            let mut v: Vec<String> = members.iter().map(|m| format!("{prefix}{m}")).collect();
            v.sort();
            v
        };
        let read = groups::read(svc, p, ids.groups[gi], None).await;
        if !model.reads_group(u, gi) {
            assert!(read.is_err(), "{when}: user {u} reads group {gi}");
            continue;
        }
        let (_, g) = read.unwrap_or_else(|e| panic!("{when}: user {u} refused group {gi}: {e:?}"));
        let link = link_by(50, 0, "name");
        let mut listed: Vec<String> = app::backend::groups::members::members(svc, &g, &link)
            .await
            .expect("members")
            .data
            .into_iter()
            .map(|e| e.name)
            .collect();
        listed.sort();
        assert_eq!(listed, expected, "{when}: user {u} /entities of group {gi}");
        let mut typed: Vec<String> = match held {
            Holds::Devices => lists::list(svc, p, Kind::Device, Scope::Group(g.clone()), None, &link)
                .await
                .expect("group devices")
                .data
                .into_iter()
                .map(|d| d.name)
                .collect(),
            Holds::Customers => app::backend::owners::customer_lists::in_group(svc, &g, &link_by(50, 0, "title"))
                .await
                .expect("group customers")
                .data
                .into_iter()
                .map(|c| c.title.unwrap_or_default())
                .collect(),
        };
        typed.sort();
        assert_eq!(typed, expected, "{when}: user {u} typed member list of group {gi}");
    }
    for (c, ugs) in ids.user_groups.iter().enumerate() {
        let read = groups::read(svc, p, EntityGroupId(ugs[&UserGroup::Users]), Some(GroupType::User)).await;
        if !model.reads_user_group(u, c) {
            assert!(read.is_err(), "{when}: user {u} reads C{c}'s Customer Users");
            continue;
        }
        let (_, g) = read.expect("readable user group");
        let mut listed: Vec<String> = users::in_group(svc, &g, &link_by(50, 0, "email"))
            .await
            .expect("group users")
            .data
            .into_iter()
            .filter_map(|u| u.email)
            .collect();
        listed.sort();
        let mut expected: Vec<String> = (0..model.users.len())
            .filter(|m| model.users[*m].0 == c && model.users[*m].1.contains(&UserGroup::Users))
            .map(|m| format!("u{m}@model.test"))
            .collect();
        expected.sort();
        assert_eq!(listed, expected, "{when}: user {u} members of C{c}'s Customer Users");
    }
}

/// Every decision, explanation, list and member list of every user against the model.
async fn verify(svc: &Services, model: &Model, ids: &Ids, w: &World, when: &str) {
    verify_counts(svc, when).await;
    for (u, p) in ids.users.iter().enumerate() {
        let mut targets: Vec<Target> = (0..ids.customers.len()).map(Target::Customer).collect();
        targets.extend((0..ids.devices.len()).filter(|d| model.devices[*d].is_some()).map(Target::Device));
        for t in targets {
            let e = match t {
                Target::Customer(c) => customers::get_ref(svc, ids.customers[c]).await.unwrap().unwrap(),
                Target::Device(d) => things::get_ref(svc, Kind::Device, ids.devices[d]).await.unwrap().unwrap(),
            };
            for op in OPS {
                let sql = entities::decide(svc, p, op, &e).await.expect("decide") == Decision::Allow;
                assert_eq!(sql, model.allows(u, op, t), "{when}: user {u} {op:?} {t:?} in {w:?}");
                let why = app::backend::authz::explain::explain(svc, p, op, &e).await.expect("explain");
                assert_eq!(why.allowed, sql, "{when}: explainer disagrees: user {u} {op:?} {t:?}: {why:?}");
            }
        }
        let readable = |t: fn(usize) -> Target, n: usize, prefix: &str| {
            let mut v: Vec<String> =
                (0..n).filter(|i| model.allows(u, Operation::Read, t(*i))).map(|i| format!("{prefix}{i}")).collect();
            v.sort();
            v
        };
        let customers_expected = readable(Target::Customer, ids.customers.len(), "C");
        let devices_expected = readable(Target::Device, ids.devices.len(), "D");
        for size in [1, 2, 7, 50] {
            let (mut seen_c, mut seen_d) = (Vec::new(), Vec::new());
            for page in 0..100 {
                let pg = app::backend::owners::customer_lists::list_below(
                    svc,
                    p,
                    ids.tenant.0,
                    true,
                    &link_by(size, page, "title"),
                )
                .await;
                let pg = pg.expect("customer list");
                seen_c.extend(pg.data.iter().map(|c| c.title.clone().unwrap()));
                if !pg.has_next {
                    break;
                }
            }
            for page in 0..100 {
                let pg = lists::list(svc, p, Kind::Device, Scope::Tenant, None, &link_by(size, page, "name")).await;
                let pg = pg.expect("device list");
                assert_eq!(pg.total_elements as usize, devices_expected.len(), "{when}: user {u} device total");
                seen_d.extend(pg.data.iter().map(|d| d.name.clone()));
                if !pg.has_next {
                    break;
                }
            }
            assert_eq!(seen_c, customers_expected, "{when}: user {u} customers, page size {size} in {w:?}");
            assert_eq!(seen_d, devices_expected, "{when}: user {u} devices, page size {size} in {w:?}");
        }
        verify_members(svc, model, ids, u, when).await;
    }
}

async fn run(w: World, url: String) {
    let svc = services(&url).await;
    let node2 = services(&url).await;
    let sys_id = app::backend::accounts::creation::create_sysadmin(&svc, "sys@model.test", "sysadmin-password")
        .await
        .expect("sysadmin");
    let sys = principal(&app::backend::accounts::records::find(&svc.db, sys_id).await.unwrap().unwrap());
    let t = tenants::save(&svc, &sys, &Tenant { title: Some("T".into()), ..Tenant::default() }).await.expect("tenant");
    let tid = t.id.unwrap();
    let admin_dto = user_dto(Some(tid), None, "admin@model.test".into(), Authority::TenantAdmin);
    let admin = principal(&users::save(&svc, &sys, &admin_dto, false, &[]).await.expect("tenant admin"));
    let none = SaveOptions { entity_group_ids: vec![], name_conflict: NameConflict::Fail };
    let mut ids = Ids {
        tenant: tid,
        admin: admin.clone(),
        customers: Vec::new(),
        devices: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
        user_groups: Vec::new(),
        generic_roles: BTreeMap::new(),
        bindings: Vec::new(),
        roles_made: 0,
    };
    let mut model = Model {
        parents: w.parents.clone(),
        devices: w.devices.iter().map(|d| Some(*d)).collect(),
        users: Vec::new(),
        custom_role: w.custom_role.clone(),
        groups: Vec::new(),
        bindings: Vec::new(),
        model_made: BTreeSet::new(),
    };
    for (i, parent) in w.parents.iter().enumerate() {
        let c = Customer {
            title: Some(format!("C{i}")),
            parent_customer_id: parent.map(|p: usize| ids.customers[p]),
            ..Customer::default()
        };
        let c = customers::save(&svc, &admin, &c, &none).await.expect("customer").id.unwrap();
        ids.customers.push(c);
        let mut ugs = BTreeMap::new();
        ugs.insert(UserGroup::Admins, user_group(&svc, c, "Customer Administrators").await);
        ugs.insert(UserGroup::Users, user_group(&svc, c, "Customer Users").await);
        ids.user_groups.push(ugs);
        model.bindings.push(Some((i, UserGroup::Admins, Grant::Generic(GenericRole::Admin))));
        model.bindings.push(Some((i, UserGroup::Users, Grant::Generic(GenericRole::CustomerUser))));
        ids.bindings.extend([None, None]);
    }
    for (i, owner) in w.devices.iter().enumerate() {
        let d = things::Draft {
            name: Some(format!("D{i}")),
            customer_id: owner.map(|o| ids.customers[o].0),
            ..things::Draft::default()
        };
        ids.devices.push(things::save(&svc, &admin, Kind::Device, &d, &none).await.expect("device").id);
    }
    // The tenant's own copies of the Generic roles the model binds, and the custom one.
    for (key, perms, excluded) in [
        ("admin", roles::predefined::administrator(), None),
        ("user", roles::predefined::customer_user(), None),
        (
            "custom",
            serde_json::to_value(&w.custom_role.0).unwrap(),
            Some(serde_json::to_value(&w.custom_role.1).unwrap()),
        ),
    ] {
        let dto = role_dto(format!("Model {key}"), RoleType::Generic, perms, excluded);
        let r = app::backend::groups::role_api::save(&svc, &admin, &dto).await.expect("generic role").id.unwrap();
        ids.generic_roles.insert(key, r);
    }
    // Every customer gets a custom user group bound to the custom Generic role.
    for (i, c) in ids.customers.clone().iter().enumerate() {
        let owner = EntityId { entity_type: EntityType::Customer, id: c.0 };
        let g = groups::save(&svc, &admin, &group_dto("USER", "Custom users".into(), owner)).await.expect("group");
        let custom = ids.generic_roles["custom"];
        group_permissions::create(&svc, &admin, &binding(g.id.unwrap().0, custom, None)).await.expect("bind");
        ids.user_groups[i].insert(UserGroup::Custom, g.id.unwrap().0);
        model.bindings.push(Some((i, UserGroup::Custom, Grant::Generic(GenericRole::Custom))));
        model.model_made.insert((i, UserGroup::Custom, GenericRole::Custom));
        ids.bindings.push(None);
    }
    for (k, (home, is_admin, is_user, in_custom)) in w.users.iter().enumerate() {
        let mut kinds = BTreeSet::new();
        for (on, kind) in
            [(*is_admin, UserGroup::Admins), (*is_user, UserGroup::Users), (*in_custom, UserGroup::Custom)]
        {
            if on {
                kinds.insert(kind);
            }
        }
        let gs: Vec<Uuid> = kinds.iter().map(|kind| ids.user_groups[*home][kind]).collect();
        let dto = user_dto(None, Some(ids.customers[*home]), format!("u{k}@model.test"), Authority::CustomerUser);
        ids.users.push(principal(&users::save(&svc, &admin, &dto, false, &gs).await.expect("customer user")));
        model.users.push((*home, kinds));
    }
    // Custom customer and device groups with owner-scoped members.
    for (gi, (holds, owner, wanted)) in w.groups.iter().enumerate() {
        let owner_id = match owner {
            Some(o) => EntityId { entity_type: EntityType::Customer, id: ids.customers[*o].0 },
            None => EntityId { entity_type: EntityType::Tenant, id: tid.0 },
        };
        let t = if *holds == Holds::Customers { "CUSTOMER" } else { "DEVICE" };
        let g = groups::save(&svc, &admin, &group_dto(t, format!("G{gi}"), owner_id)).await.expect("group");
        let members: BTreeSet<usize> = wanted
            .iter()
            .copied()
            .filter(|i| match holds {
                Holds::Customers => *i < w.parents.len() && w.parents[*i] == *owner,
                Holds::Devices => *i < w.devices.len() && w.devices[*i] == *owner,
            })
            .collect();
        let list: Vec<Uuid> = members
            .iter()
            .map(|i| if *holds == Holds::Customers { ids.customers[*i].0 } else { ids.devices[*i] })
            .collect();
        app::backend::groups::members::change_members(&svc, &admin, g.id.unwrap(), &list, true).await.expect("members");
        model.groups.push((*holds, *owner, members));
        ids.groups.push(g.id.unwrap());
    }
    for (to, g, ops) in &w.shares {
        bind(
            &svc,
            &mut model,
            &mut ids,
            Caller::Tenant,
            *to,
            UserGroup::Users,
            &Grant::Group(ops.clone(), *g),
            "share",
        )
        .await;
    }
    verify(&svc, &model, &ids, &w, "built").await;
    verify(&node2, &model, &ids, &w, "built, second node").await;

    for step in &w.steps {
        apply(&svc, &mut model, &mut ids, step, tid).await;
    }
    if !w.steps.is_empty() {
        verify(&svc, &model, &ids, &w, "after steps").await;
        verify(&node2, &model, &ids, &w, "after steps, second node").await;
    }
    svc.db.close().await;
    node2.db.close().await;
}

/// One administrative bind by `caller`: the service must do it exactly when the model allows it (and it is no
/// duplicate), and the model follows.
#[allow(clippy::too_many_arguments)]
async fn bind(
    svc: &Services,
    model: &mut Model,
    ids: &mut Ids,
    caller: Caller,
    to: usize,
    k: UserGroup,
    grant: &Grant,
    what: &str,
) {
    if let Grant::Group(_, g) = grant
        && *g >= ids.groups.len()
    {
        return;
    }
    let (c, p) = ids.caller(caller);
    // Group grants bind a fresh role each time, so only a Generic model role can be bound twice.
    let duplicate = match grant {
        Grant::Generic(role) => model.model_made.contains(&(to, k, *role)),
        Grant::Group(..) => false,
    };
    let expected = model.may_bind(c, to, grant) && !duplicate;
    let (role, on) = role_for(svc, ids, grant).await;
    let got = group_permissions::create(svc, &p, &binding(ids.user_groups[to][&k], role, on)).await;
    assert_eq!(
        got.is_ok(),
        expected,
        "{what}: {caller:?} ({c:?}) binds {grant:?} to C{to} {k:?}: {got:?} in {model:?}"
    );
    if let Ok(gp) = got {
        model.bindings.push(Some((to, k, grant.clone())));
        if let Grant::Generic(role) = grant {
            model.model_made.insert((to, k, *role));
        }
        ids.bindings.push(gp.id);
    }
}

async fn apply(svc: &Services, model: &mut Model, ids: &mut Ids, step: &Step, tid: TenantId) {
    match step {
        Step::Revoke(i) => {
            let revocable: Vec<usize> = (0..ids.bindings.len()).filter(|b| ids.bindings[*b].is_some()).collect();
            if revocable.is_empty() {
                return;
            }
            let b = revocable[i % revocable.len()];
            let gp = ids.bindings[b].take().unwrap();
            group_permissions::delete(svc, &ids.admin, gp).await.expect("revoke");
            if let Some((c, k, Grant::Generic(role))) = model.bindings[b].take() {
                model.model_made.remove(&(c, k, role));
            }
        }
        Step::Share(to, g, ops) => {
            let grant = Grant::Group(ops.clone(), *g);
            bind(svc, model, ids, Caller::Tenant, *to, UserGroup::Users, &grant, "share").await;
        }
        Step::Bind(caller, to, k, grant) => bind(svc, model, ids, *caller, *to, *k, grant, "bind").await,
        Step::Join(caller, u, k) => {
            let u = u % ids.users.len();
            let (c, p) = ids.caller(*caller);
            let expected = model.may_join(c, u, *k);
            let group = EntityGroupId(ids.user_groups[model.users[u].0][k]);
            let got =
                app::backend::groups::members::change_members(svc, &p, group, &[ids.users[u].user_id.0], true).await;
            assert_eq!(got.is_ok(), expected, "{caller:?} ({c:?}) puts user {u} into {k:?}: {got:?} in {model:?}");
            if got.is_ok() {
                model.users[u].1.insert(*k);
            }
        }
        Step::MoveDevice(d, to) => {
            let Some(Some(current)) = model.devices.get(*d).copied() else { return };
            if current == *to {
                return;
            }
            let target = match to {
                Some(c) => NewOwner::Customer(ids.customers[*c].0),
                None => NewOwner::Tenant(tid.0),
            };
            owner_change::change_owner(svc, &ids.admin, target, "DEVICE", ids.devices[*d], &[], None)
                .await
                .expect("move");
            model.devices[*d] = Some(*to);
            for (held, _, members) in model.groups.iter_mut() {
                if *held == Holds::Devices {
                    members.remove(d);
                }
            }
        }
        Step::DeleteDevice(d) => {
            if model.devices.get(*d).is_some_and(Option::is_some) {
                things::delete(svc, &ids.admin, Kind::Device, ids.devices[*d]).await.expect("delete device");
                model.devices[*d] = None;
                for (held, _, members) in model.groups.iter_mut() {
                    if *held == Holds::Devices {
                        members.remove(d);
                    }
                }
            }
        }
        Step::MoveCustomer(c, to) => {
            if model.parents[*c] == *to || to.is_some_and(|p| model.within(Some(*c), Some(p))) {
                return;
            }
            let target = match to {
                Some(p) => NewOwner::Customer(ids.customers[*p].0),
                None => NewOwner::Tenant(tid.0),
            };
            owner_change::change_owner(svc, &ids.admin, target, "CUSTOMER", ids.customers[*c].0, &[], None)
                .await
                .expect("move customer");
            model.parents[*c] = *to;
            for (held, _, members) in model.groups.iter_mut() {
                if *held == Holds::Customers {
                    members.remove(c);
                }
            }
        }
        Step::CreateDevice(g) => {
            let Some((Holds::Devices, owner, members)) = model.groups.get_mut(*g) else { return };
            let d = things::Draft {
                name: Some(format!("D{}", ids.devices.len())),
                customer_id: owner.map(|o| ids.customers[o].0),
                ..things::Draft::default()
            };
            let into = SaveOptions { entity_group_ids: vec![ids.groups[*g].0], name_conflict: NameConflict::Fail };
            let id = things::save(svc, &ids.admin, Kind::Device, &d, &into).await.expect("device into group").id;
            members.insert(ids.devices.len());
            model.devices.push(Some(*owner));
            ids.devices.push(id);
        }
        Step::ToggleUsers(u) => {
            let Some(user) = model.users.get_mut(*u) else { return };
            let group = EntityGroupId(ids.user_groups[user.0][&UserGroup::Users]);
            let uid = ids.users[*u].user_id.0;
            let joined = user.1.contains(&UserGroup::Users);
            app::backend::groups::members::change_members(svc, &ids.admin, group, &[uid], !joined)
                .await
                .expect("toggle membership");
            if joined {
                user.1.remove(&UserGroup::Users);
            } else {
                user.1.insert(UserGroup::Users);
            }
        }
    }
}

/// Runs `w` on a fresh PostgreSQL database (when one is configured), dropped afterwards.
async fn run_on_postgres(w: World) {
    use sqlx::Connection;
    let Some(admin) = std::env::var("THINGDECK_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) else { return };
    let name = format!("td_model_{}", Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.expect("postgres");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.expect("create db");
    run(w, format!("{}/{name}", admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin))).await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut c).await.expect("drop db");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn sql_decisions_and_lists_match_the_model(w in world()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = std::env::temp_dir().join(format!("td-model-{}", Uuid::new_v4()));
        rt.block_on(run(w.clone(), format!("sqlite:{}/m.db", dir.display())));
        let _ = std::fs::remove_dir_all(&dir);
        rt.block_on(run_on_postgres(w));
    }
}
