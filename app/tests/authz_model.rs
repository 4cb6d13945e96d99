//! Property test: random worlds (customer trees up to depth 4, devices owned anywhere in them, customer users in
//! predefined and custom user groups, custom Generic roles with ALL and exclusions, custom customer and device
//! groups, Group-role shares) are built through the real services on SQLite (and PostgreSQL when
//! THINGDECK_TEST_DATABASE_URL is set). For every (user, operation, customer or device) the SQL-backed decision
//! must equal a plain reference model, and paged lists (page sizes 1, 2, 7, 50) must concatenate to exactly the
//! customers and devices the model lets the user read. The permission explainer must give the same answer.
//! Then a random sequence of revokes, new shares, device moves and deletes and user-group changes is applied, and
//! everything is checked again — through the same services (warm permission cache) and through a second set of
//! services on the same database that cached the old state (a second node).
#![cfg(feature = "ssr")]

use app::backend::authz::Decision;
use app::backend::authz::entities;
use app::backend::config::Config;
use app::backend::db::Db;
use app::backend::entity_groups::service as groups;
use app::backend::naming::{NameConflict, SaveOptions};
use app::backend::ownership::{self, NewOwner};
use app::backend::paging::PageLink;
use app::backend::principal::Principal;
use app::backend::state::Services;
use app::backend::things::{self, Kind, Scope};
use app::backend::{bootstrap, customers, group_permissions, roles, tenants, users};
use app::model::permissions::{Operation, Resource};
use app::model::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

const OPS: [Operation; 4] = [Operation::Read, Operation::Write, Operation::Delete, Operation::ChangeOwner];
const ALL_OPS: [Operation; 6] =
    [Operation::All, Operation::Read, Operation::Write, Operation::Delete, Operation::Create, Operation::ChangeOwner];

/// What a custom group holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Holds {
    Customers,
    Devices,
}

/// An entity the model decides on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Customer(usize),
    Device(usize),
}

/// A change applied after the first round of checks.
#[derive(Clone, Debug)]
enum Step {
    /// Delete the n-th share's group permission (if it exists).
    Revoke(usize),
    /// A new share: (customer whose "Customer Users" group receives, group index, group-role operations).
    Share(usize, usize, Vec<Operation>),
    /// Give device d to customer c (None = the tenant).
    MoveDevice(usize, Option<usize>),
    DeleteDevice(usize),
    /// Put user u into or out of its customer's "Customer Users" group.
    ToggleUsers(usize),
    /// Move customer c (with its subtree) under customer p (None = the tenant), unless that is inside c.
    MoveCustomer(usize, Option<usize>),
    /// Create a device straight into custom group g (if it holds devices), owned by the group's owner: membership
    /// changes that no service bumps an epoch for, only the database trigger.
    CreateDevice(usize),
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
    /// One custom Generic role for every customer's custom user group: (permissions, excluded).
    custom_role: (BTreeMap<Resource, Vec<Operation>>, BTreeMap<Resource, Vec<Operation>>),
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

fn world() -> impl Strategy<Value = World> {
    (2usize..7).prop_flat_map(|n| {
        let parents = (0..n)
            .map(|i| if i == 0 { Just(None).boxed() } else { prop::option::of(0..i).boxed() })
            .collect::<Vec<_>>();
        let devices = prop::collection::vec(prop::option::of(0..n), 0..6);
        let res = prop::sample::select(vec![Resource::All, Resource::Customer, Resource::User, Resource::Device]);
        let op = prop::sample::select(ALL_OPS.to_vec());
        let perms = prop::collection::btree_map(res.clone(), prop::collection::vec(op.clone(), 1..3), 1..3);
        let excluded = prop::collection::btree_map(res, prop::collection::vec(op, 1..2), 0..2);
        let users = prop::collection::vec((0..n, any::<bool>(), any::<bool>(), any::<bool>()), 1..4);
        let holds = prop::sample::select(vec![Holds::Customers, Holds::Devices]);
        let groups =
            prop::collection::vec((holds, prop::option::of(0..n), prop::collection::vec(0..6usize, 0..4)), 0..4);
        let group_ops = || {
            prop::collection::vec(
                prop::sample::select(vec![Operation::Read, Operation::Write, Operation::Delete, Operation::All]),
                1..3,
            )
        };
        let shares = prop::collection::vec((0..n, 0usize..4, group_ops()), 0..3);
        let step = prop_oneof![
            (0usize..4).prop_map(Step::Revoke),
            (0..n, 0usize..4, group_ops()).prop_map(|(c, g, o)| Step::Share(c, g, o)),
            (0usize..6, prop::option::of(0..n)).prop_map(|(d, c)| Step::MoveDevice(d, c)),
            (0usize..6).prop_map(Step::DeleteDevice),
            (0usize..3).prop_map(Step::ToggleUsers),
            (0..n, prop::option::of(0..n)).prop_map(|(c, p)| Step::MoveCustomer(c, p)),
            (0usize..4).prop_map(Step::CreateDevice),
        ];
        let steps = prop::collection::vec(step, 0..5);
        (parents, devices, users, (perms, excluded), groups, shares, steps).prop_map(
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

/// The plain reference: ThingsBoard PE's rule, written out directly, over the current state.
#[derive(Clone, Debug)]
struct Model {
    parents: Vec<Option<usize>>,
    /// Owner of each device; None once deleted.
    devices: Vec<Option<Option<usize>>>,
    users: Vec<(usize, bool, bool, bool)>,
    custom_role: (BTreeMap<Resource, Vec<Operation>>, BTreeMap<Resource, Vec<Operation>>),
    /// Each custom group: what it holds, its owner, its actual members.
    groups: Vec<(Holds, Option<usize>, BTreeSet<usize>)>,
    /// Shares in force (revoked ones are None).
    shares: Vec<Option<(usize, usize, Vec<Operation>)>>,
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
    fn names(m: &BTreeMap<Resource, Vec<Operation>>, r: Resource, op: Operation) -> bool {
        m.get(&r).is_some_and(|ops| ops.contains(&op) || ops.contains(&Operation::All))
    }
    fn role_allows(&self, r: Resource, op: Operation) -> bool {
        let (p, x) = &self.custom_role;
        let g = |m: &BTreeMap<Resource, Vec<Operation>>| Self::names(m, r, op) || Self::names(m, Resource::All, op);
        if x.values().all(|v| v.is_empty()) { g(p) } else { r.vocabulary().contains(op) && g(p) && !g(x) }
    }
    fn allows(&self, user: usize, op: Operation, t: Target) -> bool {
        let (home, is_admin, is_user, in_custom) = self.users[user];
        let root = Some(home);
        let (owner, resource, holds, index) = match t {
            Target::Customer(c) => (self.parents[c], Resource::Customer, Holds::Customers, c),
            Target::Device(d) => match self.devices[d] {
                Some(o) => (o, Resource::Device, Holds::Devices, d),
                None => return false,
            },
        };
        let read_only = matches!(op, Operation::Read);
        let generic = is_admin || (is_user && read_only) || (in_custom && self.role_allows(resource, op));
        if generic && self.within(root, owner) {
            return true;
        }
        if t == Target::Customer(home) && read_only {
            return true;
        }
        if op.allowed_for_group_role() && is_user {
            for (to, g, ops) in self.shares.iter().flatten() {
                let Some((held, g_owner, members)) = self.groups.get(*g) else { continue };
                let granted = ops.contains(&op) || ops.contains(&Operation::All);
                let owner_ok = !op.group_owner_only() || self.within(root, *g_owner);
                if *to == home && *held == holds && members.contains(&index) && granted && owner_ok {
                    return true;
                }
            }
        }
        false
    }
}

fn principal(u: &users::UserRecord) -> Principal {
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
    customers: Vec<CustomerId>,
    devices: Vec<Uuid>,
    users: Vec<Principal>,
    groups: Vec<EntityGroupId>,
    /// Group permission of each share (None when the share was skipped or revoked).
    shares: Vec<Option<GroupPermissionId>>,
    /// Each customer's "Customer Users" group.
    customer_users: Vec<Uuid>,
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

async fn share(
    svc: &Services,
    admin: &Principal,
    ids: &Ids,
    n: usize,
    (to, g, ops): &(usize, usize, Vec<Operation>),
) -> Option<GroupPermissionId> {
    let gid = ids.groups.get(*g)?;
    let perms = Value::Array(ops.iter().map(|o| json!(o.as_str())).collect());
    let r = roles::api::save(svc, admin, &role_dto(format!("Share {n}"), RoleType::Group, perms, None))
        .await
        .expect("group role")
        .id
        .unwrap();
    let gp = group_permissions::create(svc, admin, &binding(ids.customer_users[*to], r, Some(*gid))).await;
    Some(gp.expect("share").id.unwrap())
}

/// Every decision, explanation and list of every user against the model.
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
                let pg = customers::list_below(svc, p, ids.tenant.0, true, &link_by(size, page, "title")).await;
                let pg = pg.expect("customer list");
                seen_c.extend(pg.data.iter().map(|c| c.title.clone().unwrap()));
                if !pg.has_next {
                    break;
                }
            }
            for page in 0..100 {
                let pg = things::list(svc, p, Kind::Device, Scope::Tenant, None, &link_by(size, page, "name")).await;
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
    }
}

async fn run(w: World, url: String) {
    let svc = services(&url).await;
    let node2 = services(&url).await;
    let sys_id = users::create_sysadmin(&svc, "sys@model.test", "sysadmin-password").await.expect("sysadmin");
    let sys = principal(&users::find(&svc, sys_id).await.unwrap().unwrap());
    let t = tenants::save(&svc, &sys, &Tenant { title: Some("T".into()), ..Tenant::default() }).await.expect("tenant");
    let tid = t.id.unwrap();
    let admin_dto = user_dto(Some(tid), None, "admin@model.test".into(), Authority::TenantAdmin);
    let admin = principal(&users::save(&svc, &sys, &admin_dto, false, &[]).await.expect("tenant admin"));
    let none = SaveOptions { entity_group_ids: vec![], name_conflict: NameConflict::Fail };
    let mut ids = Ids {
        tenant: tid,
        customers: Vec::new(),
        devices: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
        shares: Vec::new(),
        customer_users: Vec::new(),
    };
    for (i, parent) in w.parents.iter().enumerate() {
        let c = Customer {
            title: Some(format!("C{i}")),
            parent_customer_id: parent.map(|p: usize| ids.customers[p]),
            ..Customer::default()
        };
        let c = customers::save(&svc, &admin, &c, &none).await.expect("customer").id.unwrap();
        ids.customers.push(c);
        ids.customer_users.push(user_group(&svc, c, "Customer Users").await);
    }
    for (i, owner) in w.devices.iter().enumerate() {
        let d = things::Draft {
            name: Some(format!("D{i}")),
            customer_id: owner.map(|o| ids.customers[o].0),
            ..things::Draft::default()
        };
        ids.devices.push(things::save(&svc, &admin, Kind::Device, &d, &none).await.expect("device").id);
    }
    // Every customer gets a custom user group bound to the custom Generic role.
    let custom = role_dto(
        "Custom".into(),
        RoleType::Generic,
        serde_json::to_value(&w.custom_role.0).unwrap(),
        Some(serde_json::to_value(&w.custom_role.1).unwrap()),
    );
    let custom_role = roles::api::save(&svc, &admin, &custom).await.expect("custom role").id.unwrap();
    let mut custom_groups = Vec::new();
    for c in &ids.customers {
        let owner = EntityId { entity_type: EntityType::Customer, id: c.0 };
        let g = groups::save(&svc, &admin, &group_dto("USER", "Custom users".into(), owner)).await.expect("group");
        group_permissions::create(&svc, &admin, &binding(g.id.unwrap().0, custom_role, None)).await.expect("bind");
        custom_groups.push(g.id.unwrap().0);
    }
    for (k, (home, is_admin, is_user, in_custom)) in w.users.iter().enumerate() {
        let mut gs = Vec::new();
        if *is_admin {
            gs.push(user_group(&svc, ids.customers[*home], "Customer Administrators").await);
        }
        if *is_user {
            gs.push(ids.customer_users[*home]);
        }
        if *in_custom {
            gs.push(custom_groups[*home]);
        }
        let dto = user_dto(None, Some(ids.customers[*home]), format!("u{k}@model.test"), Authority::CustomerUser);
        ids.users.push(principal(&users::save(&svc, &admin, &dto, false, &gs).await.expect("customer user")));
    }
    // Custom customer and device groups with owner-scoped members.
    let mut model = Model {
        parents: w.parents.clone(),
        devices: w.devices.iter().map(|d| Some(*d)).collect(),
        users: w.users.clone(),
        custom_role: w.custom_role.clone(),
        groups: Vec::new(),
        shares: Vec::new(),
    };
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
        groups::change_members(&svc, &admin, g.id.unwrap(), &list, true).await.expect("members");
        model.groups.push((*holds, *owner, members));
        ids.groups.push(g.id.unwrap());
    }
    for (si, s) in w.shares.iter().enumerate() {
        let gp = share(&svc, &admin, &ids, si, s).await;
        model.shares.push(gp.map(|_| s.clone()));
        ids.shares.push(gp);
    }
    verify(&svc, &model, &ids, &w, "built").await;
    verify(&node2, &model, &ids, &w, "built, second node").await;

    for (n, step) in w.steps.iter().enumerate() {
        match step {
            Step::Revoke(i) => {
                if let Some(gp) = ids.shares.get_mut(*i).and_then(Option::take) {
                    group_permissions::delete(&svc, &admin, gp).await.expect("revoke");
                    model.shares[*i] = None;
                }
            }
            Step::Share(to, g, ops) => {
                let s = (*to, *g, ops.clone());
                let gp = share(&svc, &admin, &ids, 100 + n, &s).await;
                model.shares.push(gp.map(|_| s));
                ids.shares.push(gp);
            }
            Step::MoveDevice(d, to) => {
                let Some(Some(current)) = model.devices.get(*d).copied() else { continue };
                if current == *to {
                    continue;
                }
                let target = match to {
                    Some(c) => NewOwner::Customer(ids.customers[*c].0),
                    None => NewOwner::Tenant(tid.0),
                };
                ownership::change_owner(&svc, &admin, target, "DEVICE", ids.devices[*d], &[], None)
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
                    things::delete(&svc, &admin, Kind::Device, ids.devices[*d]).await.expect("delete device");
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
                    continue;
                }
                let target = match to {
                    Some(p) => NewOwner::Customer(ids.customers[*p].0),
                    None => NewOwner::Tenant(tid.0),
                };
                ownership::change_owner(&svc, &admin, target, "CUSTOMER", ids.customers[*c].0, &[], None)
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
                let Some((Holds::Devices, owner, members)) = model.groups.get_mut(*g) else { continue };
                let d = things::Draft {
                    name: Some(format!("D{}", ids.devices.len())),
                    customer_id: owner.map(|o| ids.customers[o].0),
                    ..things::Draft::default()
                };
                let into = SaveOptions { entity_group_ids: vec![ids.groups[*g].0], name_conflict: NameConflict::Fail };
                let id = things::save(&svc, &admin, Kind::Device, &d, &into).await.expect("device into group").id;
                members.insert(ids.devices.len());
                model.devices.push(Some(*owner));
                ids.devices.push(id);
            }
            Step::ToggleUsers(u) => {
                let Some(user) = model.users.get_mut(*u) else { continue };
                let group = EntityGroupId(ids.customer_users[user.0]);
                let uid = ids.users[*u].user_id.0;
                groups::change_members(&svc, &admin, group, &[uid], !user.2).await.expect("toggle membership");
                user.2 = !user.2;
            }
        }
    }
    if !w.steps.is_empty() {
        verify(&svc, &model, &ids, &w, "after steps").await;
        verify(&node2, &model, &ids, &w, "after steps, second node").await;
    }
    svc.db.close().await;
    node2.db.close().await;
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
