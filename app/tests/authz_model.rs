//! Property test: random worlds (customer trees up to depth 4, customer users in predefined and custom user
//! groups, custom Generic roles with ALL and exclusions, custom customer groups, Group-role shares) are built
//! through the real services on SQLite (and PostgreSQL when THINGDECK_TEST_DATABASE_URL is set). For every
//! (user, operation, customer) the SQL-backed decision must equal a plain reference model, and paged lists (page
//! sizes 1, 2, 7, 50) must concatenate to exactly the customers the model lets the user read. The permission
//! explainer must give the same answer as the check.
#![cfg(feature = "ssr")]

use app::backend::authz::Decision;
use app::backend::authz::entities;
use app::backend::config::Config;
use app::backend::db::Db;
use app::backend::entity_groups::service as groups;
use app::backend::paging::PageLink;
use app::backend::principal::Principal;
use app::backend::state::Services;
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

/// A world as plain data.
#[derive(Clone, Debug)]
struct World {
    /// Parent of customer i: None = tenant, Some(j) with j < i.
    parents: Vec<Option<usize>>,
    /// Each user: its customer, whether it is in "Customer Administrators", "Customer Users", the custom group.
    users: Vec<(usize, bool, bool, bool)>,
    /// One custom Generic role for every customer's custom user group: (permissions, excluded).
    custom_role: (BTreeMap<Resource, Vec<Operation>>, BTreeMap<Resource, Vec<Operation>>),
    /// Custom customer groups: (owner customer or None = tenant, members as customer indexes (filtered later)).
    groups: Vec<(Option<usize>, Vec<usize>)>,
    /// Shares: (customer whose "Customer Users" group receives, group index, group-role operations).
    shares: Vec<(usize, usize, Vec<Operation>)>,
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
        let res = prop::sample::select(vec![Resource::All, Resource::Customer, Resource::User, Resource::Device]);
        let op = prop::sample::select(ALL_OPS.to_vec());
        let perms = prop::collection::btree_map(res.clone(), prop::collection::vec(op.clone(), 1..3), 1..3);
        let excluded = prop::collection::btree_map(res, prop::collection::vec(op, 1..2), 0..2);
        let users = prop::collection::vec((0..n, any::<bool>(), any::<bool>(), any::<bool>()), 1..4);
        let groups = prop::collection::vec((prop::option::of(0..n), prop::collection::vec(0..n, 0..4)), 0..3);
        let group_ops = prop::collection::vec(
            prop::sample::select(vec![Operation::Read, Operation::Write, Operation::Delete, Operation::All]),
            1..3,
        );
        let shares = prop::collection::vec((0..n, 0usize..3, group_ops), 0..3);
        (parents, users, (perms, excluded), groups, shares).prop_map(
            |(mut parents, users, custom_role, groups, shares)| {
                for i in 0..parents.len() {
                    if depth(&parents, i) > 4 {
                        parents[i] = None;
                    }
                }
                World { parents, users, custom_role, groups, shares }
            },
        )
    })
}

/// The plain reference: ThingsBoard PE's rule for customers, written out directly.
struct Model<'a> {
    w: &'a World,
    /// Actual members of each custom group (owner-scoped).
    members: Vec<BTreeSet<usize>>,
}

impl Model<'_> {
    fn owner(&self, c: usize) -> Option<usize> {
        self.w.parents[c]
    }
    /// Whether `node` (None = tenant) is `root` or below it.
    fn within(&self, root: Option<usize>, node: Option<usize>) -> bool {
        match (root, node) {
            (None, _) => true,
            (Some(r), Some(n)) if r == n => true,
            (Some(r), Some(n)) => self.within(Some(r), self.owner(n)),
            (Some(_), None) => false,
        }
    }
    fn names(m: &BTreeMap<Resource, Vec<Operation>>, r: Resource, op: Operation) -> bool {
        m.get(&r).is_some_and(|ops| ops.contains(&op) || ops.contains(&Operation::All))
    }
    fn role_allows(
        p: &BTreeMap<Resource, Vec<Operation>>,
        x: &BTreeMap<Resource, Vec<Operation>>,
        op: Operation,
    ) -> bool {
        let g = |m: &BTreeMap<Resource, Vec<Operation>>| {
            Self::names(m, Resource::Customer, op) || Self::names(m, Resource::All, op)
        };
        if x.values().all(|v| v.is_empty()) {
            g(p)
        } else {
            Resource::Customer.vocabulary().contains(op) && g(p) && !g(x)
        }
    }
    fn allows(&self, user: usize, op: Operation, c: usize) -> bool {
        let (home, is_admin, is_user, in_custom) = self.w.users[user];
        let root = Some(home);
        let read_only = matches!(op, Operation::Read);
        let generic = is_admin
            || (is_user && read_only)
            || (in_custom && Self::role_allows(&self.w.custom_role.0, &self.w.custom_role.1, op));
        if generic && self.within(root, self.owner(c)) {
            return true;
        }
        if c == home && read_only {
            return true;
        }
        if op.allowed_for_group_role() && is_user {
            for (to, g, ops) in &self.w.shares {
                let Some(members) = self.members.get(*g) else { continue };
                let granted = ops.contains(&op) || ops.contains(&Operation::All);
                let owner_ok = !op.group_owner_only() || self.within(root, self.w.groups[*g].0);
                if *to == home && members.contains(&c) && granted && owner_ok {
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
    }
}

async fn services(url: &str) -> Services {
    let vars: HashMap<&str, String> =
        HashMap::from([("THINGDECK_DATABASE_URL", url.to_string()), ("THINGDECK_JWT_SECRET", "x".repeat(40))]);
    let config = Config::load(None, &|k| vars.get(k).cloned()).expect("config");
    let db = Db::open(url).await.expect("store");
    bootstrap::services(db, config, 1000).await.expect("services")
}

fn link(size: i64, page: i64) -> PageLink {
    let q: HashMap<String, String> = HashMap::from([
        ("pageSize".to_string(), size.to_string()),
        ("page".to_string(), page.to_string()),
        ("sortProperty".to_string(), "title".to_string()),
    ]);
    PageLink::from_query(&q).expect("page link")
}

async fn run(w: World, url: String) {
    let svc = services(&url).await;
    let sys_id = users::create_sysadmin(&svc, "sys@model.test", "sysadmin-password").await.expect("sysadmin");
    let sys = principal(&users::find(&svc, sys_id).await.unwrap().unwrap());
    let t = tenants::save(&svc, &sys, &Tenant { title: Some("T".into()), ..Tenant::default() }).await.expect("tenant");
    let tid = t.id.unwrap();
    let admin_dto = User {
        id: None,
        created_time: None,
        tenant_id: Some(tid),
        customer_id: None,
        email: Some("admin@model.test".into()),
        name: None,
        authority: Some(Authority::TenantAdmin),
        first_name: None,
        last_name: None,
        phone: None,
        additional_info: None,
        version: None,
    };
    let admin = principal(&users::save(&svc, &sys, &admin_dto, false, &[]).await.expect("tenant admin"));
    let none = customers::SaveOptions { entity_group_ids: vec![], name_conflict: customers::NameConflict::Fail };
    let mut ids = Vec::new();
    for (i, parent) in w.parents.iter().enumerate() {
        let c = Customer {
            title: Some(format!("C{i}")),
            parent_customer_id: parent.map(|p: usize| ids[p]),
            ..Customer::default()
        };
        ids.push(customers::save(&svc, &admin, &c, &none).await.expect("customer").id.unwrap());
    }
    let user_group = |owner: CustomerId, name: &'static str| {
        let pool = svc.db.pool.clone();
        async move {
            let id: String = sqlx::query_scalar(
                "SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = $2",
            )
            .bind(owner.0.to_string())
            .bind(name)
            .fetch_one(&pool)
            .await
            .expect("user group");
            Uuid::parse_str(&id).unwrap()
        }
    };
    // Every customer gets a custom user group bound to the custom Generic role.
    let role = Role {
        id: None,
        created_time: None,
        tenant_id: None,
        customer_id: None,
        owner_id: None,
        name: Some("Custom".into()),
        role_type: Some(RoleType::Generic),
        permissions: Some(serde_json::to_value(&w.custom_role.0).unwrap()),
        excluded_permissions: Some(serde_json::to_value(&w.custom_role.1).unwrap()),
        additional_info: None,
        version: None,
    };
    let custom_role = roles::api::save(&svc, &admin, &role).await.expect("custom role").id.unwrap();
    let mut custom_groups = Vec::new();
    for c in &ids {
        let g = groups::save(
            &svc,
            &admin,
            &EntityGroupInfo {
                id: None,
                created_time: None,
                group_type: Some("USER".into()),
                name: Some("Custom users".into()),
                owner_id: Some(EntityId { entity_type: EntityType::Customer, id: c.0 }),
                tenant_id: None,
                additional_info: None,
                configuration: None,
                version: None,
                group_all: false,
                owner_ids: vec![],
            },
        )
        .await
        .expect("custom user group");
        let gp = GroupPermission {
            id: None,
            created_time: None,
            tenant_id: None,
            user_group_id: g.id,
            role_id: Some(RoleId(custom_role.0)),
            entity_group_id: None,
            entity_group_type: None,
            public: None,
            is_public: None,
            name: None,
        };
        group_permissions::create(&svc, &admin, &gp).await.expect("custom binding");
        custom_groups.push(g.id.unwrap().0);
    }
    let mut people = Vec::new();
    for (k, (home, is_admin, is_user, in_custom)) in w.users.iter().enumerate() {
        let mut gs = Vec::new();
        if *is_admin {
            gs.push(user_group(ids[*home], "Customer Administrators").await);
        }
        if *is_user {
            gs.push(user_group(ids[*home], "Customer Users").await);
        }
        if *in_custom {
            gs.push(custom_groups[*home]);
        }
        let dto = User {
            id: None,
            created_time: None,
            tenant_id: None,
            customer_id: Some(ids[*home]),
            email: Some(format!("u{k}@model.test")),
            name: None,
            authority: Some(Authority::CustomerUser),
            first_name: None,
            last_name: None,
            phone: None,
            additional_info: None,
            version: None,
        };
        people.push(principal(&users::save(&svc, &admin, &dto, false, &gs).await.expect("customer user")));
    }
    // Custom customer groups with owner-scoped members, then shares to customers' "Customer Users".
    let mut model = Model { w: &w, members: Vec::new() };
    let mut group_ids = Vec::new();
    for (gi, (owner, wanted)) in w.groups.iter().enumerate() {
        let owner_id = match owner {
            Some(o) => EntityId { entity_type: EntityType::Customer, id: ids[*o].0 },
            None => EntityId { entity_type: EntityType::Tenant, id: tid.0 },
        };
        let g = groups::save(
            &svc,
            &admin,
            &EntityGroupInfo {
                id: None,
                created_time: None,
                group_type: Some("CUSTOMER".into()),
                name: Some(format!("G{gi}")),
                owner_id: Some(owner_id),
                tenant_id: None,
                additional_info: None,
                configuration: None,
                version: None,
                group_all: false,
                owner_ids: vec![],
            },
        )
        .await
        .expect("customer group");
        let members: BTreeSet<usize> = wanted.iter().copied().filter(|c| w.parents[*c] == *owner).collect();
        let list: Vec<Uuid> = members.iter().map(|c| ids[*c].0).collect();
        groups::change_members(&svc, &admin, g.id.unwrap(), &list, true).await.expect("members");
        model.members.push(members);
        group_ids.push(g.id.unwrap());
    }
    for (si, (to, g, ops)) in w.shares.iter().enumerate() {
        let Some(gid) = group_ids.get(*g) else { continue };
        let role = Role {
            id: None,
            created_time: None,
            tenant_id: None,
            customer_id: None,
            owner_id: None,
            name: Some(format!("Share {si}")),
            role_type: Some(RoleType::Group),
            permissions: Some(Value::Array(ops.iter().map(|o| json!(o.as_str())).collect())),
            excluded_permissions: None,
            additional_info: None,
            version: None,
        };
        let r = roles::api::save(&svc, &admin, &role).await.expect("group role").id.unwrap();
        let gp = GroupPermission {
            id: None,
            created_time: None,
            tenant_id: None,
            user_group_id: Some(EntityGroupId(user_group(ids[*to], "Customer Users").await)),
            role_id: Some(r),
            entity_group_id: Some(*gid),
            entity_group_type: None,
            public: None,
            is_public: None,
            name: None,
        };
        group_permissions::create(&svc, &admin, &gp).await.expect("share");
    }

    for (u, p) in people.iter().enumerate() {
        for (c, cid) in ids.iter().enumerate() {
            let e = customers::get_ref(&svc, *cid).await.unwrap().unwrap();
            for op in OPS {
                let sql = entities::decide(&svc, p, op, &e).await.expect("decide") == Decision::Allow;
                assert_eq!(sql, model.allows(u, op, c), "user {u} {op:?} customer {c} in {w:?}");
                let why = app::backend::authz::explain::explain(&svc, p, op, &e).await.expect("explain");
                assert_eq!(why.allowed, sql, "explainer disagrees: user {u} {op:?} customer {c}: {why:?}");
            }
        }
        let expected: Vec<String> = {
            let mut v: Vec<String> =
                (0..ids.len()).filter(|c| model.allows(u, Operation::Read, *c)).map(|c| format!("C{c}")).collect();
            v.sort();
            v
        };
        for size in [1, 2, 7, 50] {
            let mut seen = Vec::new();
            for page in 0..100 {
                let pg = customers::list_below(&svc, p, tid.0, true, &link(size, page)).await.expect("list");
                seen.extend(pg.data.iter().map(|c| c.title.clone().unwrap()));
                if !pg.has_next {
                    break;
                }
            }
            assert_eq!(seen, expected, "user {u} page size {size} in {w:?}");
        }
    }
    svc.db.close().await;
}

async fn pg_url() -> Option<String> {
    use sqlx::Connection;
    let admin = std::env::var("THINGDECK_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())?;
    let name = format!("td_model_{}", Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.expect("postgres");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.expect("create db");
    Some(format!("{}/{name}", admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn sql_decisions_and_lists_match_the_model(w in world()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = std::env::temp_dir().join(format!("td-model-{}", Uuid::new_v4()));
        rt.block_on(run(w.clone(), format!("sqlite:{}/m.db", dir.display())));
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(url) = rt.block_on(pg_url()) {
            rt.block_on(run(w, url));
        }
    }
}
