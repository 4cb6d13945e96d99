//! Access-control benchmark (not a test): `cargo bench -p app --features ssr --bench access`.
//!
//! Generates one tenant with THINGDECK_BENCH_DEVICES devices (default 1,000,000), 100,000 customers (depth ≤ 4),
//! 10,000 device groups, a customer "Big" owning 10,000 devices with a customer administrator, and a customer
//! "Sharer" whose user sees 10 shared groups; then prints p50/p99 of `check` (the decision with cached
//! permissions, cold and warm owner tree; and a whole request's load + decide) and of first and deep pages
//! of the user's device list for the three users, with and without text search, and the ratio against a
//! ThingsBoard-style query (recursive CTE over the customer tree, OFFSET paging, exact count) on the same data.
//! Runs on SQLite, and on PostgreSQL when THINGDECK_TEST_DATABASE_URL is set. Figures are from one run.

use app::backend::accounts::users;
use app::backend::authz::{entities, snapshot};
use app::backend::bootstrap;
use app::backend::groups::naming::{NameConflict, SaveOptions};
use app::backend::kernel::config::Config;
use app::backend::kernel::db::Db;
use app::backend::kernel::paging::PageLink;
use app::backend::kernel::principal::Principal;
use app::backend::owners::customers;
use app::backend::owners::tenants;
use app::backend::services::Services;
use app::backend::things;
use app::backend::things::kind::Kind;
use app::backend::things::lists::{self, Scope};
use app::model::permissions::Operation;
use app::model::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

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

fn user(tenant: Option<TenantId>, customer: Option<CustomerId>, email: &str, a: Authority) -> User {
    User {
        id: None,
        created_time: None,
        tenant_id: tenant,
        customer_id: customer,
        email: Some(email.into()),
        name: None,
        authority: Some(a),
        first_name: None,
        last_name: None,
        phone: None,
        additional_info: None,
        version: None,
    }
}

/// Small deterministic generator (the data must not depend on a crate's RNG version).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Inserts rows of `cols` values each, 500 rows per statement, committing every 20 statements (one huge
/// transaction would make PostgreSQL chain a million versions of the tenant's `subtree_count` row).
async fn bulk(svc: &Services, table: &str, cols: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let mut tx = svc.db.pool.begin().await.expect("tx");
    let mut batch: Vec<Vec<String>> = Vec::new();
    let mut statements = 0;
    for r in rows {
        batch.push(r);
        if batch.len() == 500 {
            exec(&mut tx, table, std::mem::take(&mut batch), cols).await;
            statements += 1;
            if statements % 20 == 0 {
                tx.commit().await.expect("commit");
                tx = svc.db.pool.begin().await.expect("tx");
            }
        }
    }
    if !batch.is_empty() {
        exec(&mut tx, table, batch, cols).await;
    }
    tx.commit().await.expect("commit");
}

async fn exec(tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str, rows: Vec<Vec<String>>, cols: &[&str]) {
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let ph: Vec<String> = (0..cols.len()).map(|c| format!("${}", r * cols.len() + c + 1)).collect();
            format!("({})", ph.join(", "))
        })
        .collect();
    let sql = format!("INSERT INTO {table} ({}) VALUES {}", cols.join(", "), tuples.join(", "));
    let mut q = sqlx::query(&sql);
    for r in rows {
        for (v, c) in r.into_iter().zip(cols) {
            q = if matches!(*c, "created_time" | "version" | "depth") {
                q.bind(v.parse::<i64>().expect("number"))
            } else if v.is_empty() {
                q.bind(None::<String>)
            } else {
                q.bind(v)
            };
        }
    }
    q.execute(&mut **tx).await.expect("bulk insert");
}

fn link(size: i64, page: i64, search: Option<&str>) -> PageLink {
    let mut q: HashMap<String, String> = HashMap::from([
        ("pageSize".to_string(), size.to_string()),
        ("page".to_string(), page.to_string()),
        ("sortProperty".to_string(), "name".to_string()),
    ]);
    if let Some(s) = search {
        q.insert("textSearch".into(), s.into());
    }
    PageLink::from_query(&q).expect("link")
}

fn pct(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99))
}

async fn run(url: &str, store: &str, devices: usize) {
    let vars: HashMap<&str, String> =
        HashMap::from([("THINGDECK_DATABASE_URL", url.to_string()), ("THINGDECK_JWT_SECRET", "x".repeat(40))]);
    let config = Config::load(None, &|k| vars.get(k).cloned()).expect("config");
    let svc = bootstrap::services(Db::open(url).await.expect("store"), config, 1000).await.expect("services");
    let started = Instant::now();
    let sys = app::backend::accounts::creation::create_sysadmin(&svc, "sys@bench.test", "sysadmin-password")
        .await
        .expect("sysadmin");
    let sys = principal(&app::backend::accounts::records::find(&svc.db, sys).await.unwrap().unwrap());
    let t = tenants::save(&svc, &sys, &Tenant { title: Some("Bench".into()), ..Tenant::default() }).await.unwrap();
    let tid = t.id.unwrap();
    let admin_dto = user(Some(tid), None, "admin@bench.test", Authority::TenantAdmin);
    let admin = principal(&users::save(&svc, &sys, &admin_dto, false, &[]).await.unwrap());
    let none = SaveOptions { entity_group_ids: vec![], name_conflict: NameConflict::Fail };
    let customer = |title: &str| Customer { title: Some(title.into()), ..Customer::default() };
    let big = customers::save(&svc, &admin, &customer("Big"), &none).await.unwrap().id.unwrap();
    let sharer = customers::save(&svc, &admin, &customer("Sharer"), &none).await.unwrap().id.unwrap();
    let group_of = |owner: Uuid, name: &'static str| {
        let pool = svc.db.pool.clone();
        async move {
            let sql = "SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = $2";
            let id: String = sqlx::query_scalar(sql).bind(owner.to_string()).bind(name).fetch_one(&pool).await.unwrap();
            Uuid::parse_str(&id).unwrap()
        }
    };
    let big_admins = group_of(big.0, "Customer Administrators").await;
    let dto = user(None, Some(big), "big@bench.test", Authority::CustomerUser);
    let cadmin = principal(&users::save(&svc, &admin, &dto, false, &[big_admins]).await.unwrap());
    let sharer_users = group_of(sharer.0, "Customer Users").await;
    let dto = user(None, Some(sharer), "viewer@bench.test", Authority::CustomerUser);
    let cuser = principal(&users::save(&svc, &admin, &dto, false, &[sharer_users]).await.unwrap());

    // 100,000 customers in four levels, with their closure rows.
    let tenant = tid.0.to_string();
    let n_customers = 100_000usize;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parents: Vec<Option<usize>> = Vec::with_capacity(n_customers);
    for i in 0..n_customers {
        parents.push(match i {
            0..1000 => None,
            1000..10_000 => Some(rng.below(1000)),
            10_000..50_000 => Some(1000 + rng.below(9000)),
            _ => Some(10_000 + rng.below(40_000)),
        });
    }
    let cid: Vec<String> = (0..n_customers).map(|_| Uuid::now_v7().to_string()).collect();
    bulk(
        &svc,
        "customer",
        &["id", "tenant_id", "parent_customer_id", "created_time", "title", "title_lower", "version"],
        (0..n_customers).map(|i| {
            vec![
                cid[i].clone(),
                tenant.clone(),
                parents[i].map(|p| cid[p].clone()).unwrap_or_default(),
                "1".into(),
                format!("Customer {i:06}"),
                format!("customer {i:06}"),
                "1".into(),
            ]
        }),
    )
    .await;
    let closure = (0..n_customers).flat_map(|i| {
        let mut rows = vec![vec![tenant.clone(), tenant.clone(), cid[i].clone(), "0".to_string()]];
        rows[0][1] = cid[i].clone();
        let mut up = parents[i];
        let mut d = 1;
        while let Some(p) = up {
            rows.push(vec![tenant.clone(), cid[p].clone(), cid[i].clone(), d.to_string()]);
            up = parents[p];
            d += 1;
        }
        rows.push(vec![tenant.clone(), tenant.clone(), cid[i].clone(), d.to_string()]);
        rows
    });
    bulk(&svc, "owner_closure", &["tenant_id", "ancestor", "descendant", "depth"], closure).await;

    // Devices: 10,000 owned by Big, 30% of the rest by the tenant, the others by random customers.
    let big_s = big.0.to_string();
    let dev_ids: Vec<String> = (0..devices).map(|_| Uuid::now_v7().to_string()).collect();
    let owners: Vec<String> = (0..devices)
        .map(|i| {
            if i % (devices / 10_000).max(1) == 0 {
                big_s.clone()
            } else if rng.below(10) < 3 {
                tenant.clone()
            } else {
                cid[rng.below(n_customers)].clone()
            }
        })
        .collect();
    bulk(
        &svc,
        "device",
        &["id", "tenant_id", "owner_id", "created_time", "name", "name_lower", "type", "version"],
        (0..devices).map(|i| {
            vec![
                dev_ids[i].clone(),
                tenant.clone(),
                owners[i].clone(),
                i.to_string(),
                format!("Device {i:07}"),
                format!("device {i:07}"),
                "default".into(),
                "1".into(),
            ]
        }),
    )
    .await;
    // 10,000 tenant device groups of 20 tenant-owned devices; 10 of them shared with Sharer's users.
    let tenant_devs: Vec<usize> = (0..devices).filter(|i| owners[*i] == tenant).collect();
    let group_ids: Vec<String> = (0..10_000).map(|_| Uuid::now_v7().to_string()).collect();
    bulk(
        &svc,
        "entity_group",
        &["id", "tenant_id", "owner_id", "owner_type", "group_type", "name", "name_lower", "created_time", "version"],
        group_ids.iter().enumerate().map(|(i, g)| {
            vec![
                g.clone(),
                tenant.clone(),
                tenant.clone(),
                "TENANT".into(),
                "DEVICE".into(),
                format!("Group {i}"),
                format!("group {i}"),
                "1".into(),
                "1".into(),
            ]
        }),
    )
    .await;
    let mut seen = std::collections::HashSet::new();
    let members = group_ids.iter().flat_map(|g| {
        (0..20)
            .map(|_| vec![g.clone(), dev_ids[tenant_devs[rng.below(tenant_devs.len())]].clone()])
            .filter(|r| seen.insert((r[0].clone(), r[1].clone())))
            .collect::<Vec<_>>()
    });
    bulk(&svc, "entity_group_member", &["group_id", "entity_id"], members).await;
    for g in group_ids.iter().take(10) {
        let req: app::backend::groups::sharing::ShareGroupRequest = serde_json::from_value(serde_json::json!({
            "userGroupId": {"entityType": "ENTITY_GROUP", "id": sharer_users}, "readElseWrite": true
        }))
        .unwrap();
        app::backend::groups::sharing::share(&svc, &admin, EntityGroupId(Uuid::parse_str(g).unwrap()), &req)
            .await
            .unwrap();
    }
    sqlx::query("ANALYZE").execute(&svc.db.pool).await.unwrap();
    println!(
        "[{store}] generated {devices} devices, {n_customers} customers, 10000 groups in {:.1?}",
        started.elapsed()
    );

    // check(): the decision for 2000 random devices (their rows already loaded, as a handler has them), inside
    // one request scope (epochs read once), cached merged permissions; the owner tree cold, then warm.
    let sample: Vec<Uuid> = (0..2000).map(|_| Uuid::parse_str(&dev_ids[rng.below(devices)]).unwrap()).collect();
    let mut refs = Vec::new();
    for d in &sample {
        refs.push(things::get_ref(&svc, Kind::Device, *d).await.unwrap().unwrap());
    }
    for (who, p) in [("customer admin", &cadmin), ("customer user (shared)", &cuser)] {
        for pass in ["cold tree", "warm tree"] {
            let times = snapshot::scope(async {
                let _ = entities::decide(&svc, p, Operation::Read, &refs[0]).await.unwrap();
                let mut times = Vec::new();
                for r in &refs {
                    let t0 = Instant::now();
                    let _ = entities::decide(&svc, p, Operation::Read, r).await.unwrap();
                    times.push(t0.elapsed());
                }
                times
            })
            .await;
            let (p50, p99) = pct(times);
            println!(
                "[{store}] check {who}, {pass} (decide, cached permissions): p50 {:.1} µs, p99 {:.1} µs",
                p50 * 1000.0,
                p99 * 1000.0
            );
        }
    }
    let mut times = Vec::new();
    for d in &sample {
        let t0 = Instant::now();
        snapshot::scope(async {
            let t = things::get_ref(&svc, Kind::Device, *d).await.unwrap().unwrap();
            let _ = entities::decide(&svc, &cadmin, Operation::Read, &t).await.unwrap();
        })
        .await;
        times.push(t0.elapsed());
    }
    let (p50, p99) = pct(times);
    println!(
        "[{store}] check as a whole request (epoch read + load row + decide): p50 {:.1} µs, p99 {:.1} µs",
        p50 * 1000.0,
        p99 * 1000.0
    );

    let cases: [(&str, &Principal); 3] =
        [("tenant admin", &admin), ("customer admin (10k)", &cadmin), ("customer user (shared)", &cuser)];
    for (who, p) in cases {
        for (label, page, search) in
            [("first page", 0, None), ("page 50", 50, None), ("first page, search", 0, Some("device 00012"))]
        {
            let mut times = Vec::new();
            let mut total = 0;
            for _ in 0..30 {
                let t0 = Instant::now();
                let pg =
                    snapshot::scope(lists::list(&svc, p, Kind::Device, Scope::Tenant, None, &link(20, page, search)))
                        .await
                        .unwrap();
                times.push(t0.elapsed());
                total = pg.total_elements;
            }
            let (p50, p99) = pct(times);
            println!("[{store}] /api/user/devices {who}, {label}: {total} rows, p50 {p50:.2} ms, p99 {p99:.2} ms");
        }
    }

    // ThingsBoard-style on the same data: recursive CTE over the customer tree, OFFSET paging, exact count.
    let tb_sql = "WITH RECURSIVE sub(id) AS (SELECT $2 UNION ALL SELECT c.id FROM customer c JOIN sub ON c.parent_customer_id = sub.id) \
                  SELECT d.id, d.name FROM device d WHERE d.tenant_id = $1 AND d.owner_id IN (SELECT id FROM sub) \
                  ORDER BY d.name_lower LIMIT 20 OFFSET $3";
    let tb_count = "WITH RECURSIVE sub(id) AS (SELECT $2 UNION ALL SELECT c.id FROM customer c JOIN sub ON c.parent_customer_id = sub.id) \
                    SELECT COUNT(*) FROM device d WHERE d.tenant_id = $1 AND d.owner_id IN (SELECT id FROM sub)";
    for (label, root, p) in [("tenant admin", tenant.clone(), &admin), ("customer admin (10k)", big_s.clone(), &cadmin)]
    {
        for page in [0i64, 50] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            for _ in 0..30 {
                let t0 = Instant::now();
                snapshot::scope(lists::list(&svc, p, Kind::Device, Scope::Tenant, None, &link(20, page, None)))
                    .await
                    .unwrap();
                ours.push(t0.elapsed());
                let t0 = Instant::now();
                let _: i64 =
                    sqlx::query_scalar(tb_count).bind(&tenant).bind(&root).fetch_one(&svc.db.pool).await.unwrap();
                sqlx::query(tb_sql).bind(&tenant).bind(&root).bind(page * 20).fetch_all(&svc.db.pool).await.unwrap();
                theirs.push(t0.elapsed());
            }
            let ((o50, _), (t50, t99)) = (pct(ours), pct(theirs));
            println!(
                "[{store}] ThingsBoard-style {label}, page {page}: p50 {t50:.2} ms, p99 {t99:.2} ms; ours p50 {o50:.2} ms; ratio {:.1}x",
                t50 / o50
            );
        }
    }
    svc.db.close().await;
}

fn main() {
    let devices: usize =
        std::env::var("THINGDECK_BENCH_DEVICES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // THINGDECK_BENCH_STORE=sqlite|postgres runs one store only.
    let only = std::env::var("THINGDECK_BENCH_STORE").unwrap_or_default();
    if only != "postgres" {
        let dir = std::env::temp_dir().join(format!("td-bench-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        rt.block_on(run(&format!("sqlite:{}/bench.db", dir.display()), "sqlite", devices));
        let _ = std::fs::remove_dir_all(&dir);
    }
    if let Ok(admin) = std::env::var("THINGDECK_TEST_DATABASE_URL")
        .map_err(|_| ())
        .and_then(|u| if only == "sqlite" { Err(()) } else { Ok(u) })
    {
        rt.block_on(async {
            use sqlx::Connection;
            let name = format!("td_bench_{}", Uuid::new_v4().simple());
            let mut c = sqlx::PgConnection::connect(&admin).await.expect("postgres");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin));
            run(&url, "postgres", devices).await;
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut c).await.unwrap();
        });
    }
}
