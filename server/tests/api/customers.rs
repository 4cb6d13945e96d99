//! Customers and sub-customers: the owner tree, its lists, and ThingsBoard's deletion rules.

use crate::both;
use crate::harness::*;
use serde_json::{Value, json};

struct World {
    srv: Server,
    sys: String,
    admin: String,
    tenant: String,
}

async fn world(store: Store) -> World {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Building Co").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@building.io", "admin-password").await;
    World { srv, sys, admin, tenant }
}

impl World {
    async fn customer(&self, title: &str, parent: Option<&str>) -> String {
        let mut body = json!({"title": title});
        if let Some(p) = parent {
            body["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": p});
        }
        let (s, c) = self.srv.post("/api/customer", Some(&self.admin), body).await;
        assert_eq!(s, 200, "{c}");
        c["id"]["id"].as_str().unwrap().to_string()
    }

    async fn titles(&self, path: &str) -> Vec<String> {
        let (s, page) = self.srv.get(path, Some(&self.admin)).await;
        assert_eq!(s, 200, "{path}: {page}");
        let mut t: Vec<String> =
            page["data"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().into()).collect();
        t.sort();
        t
    }
}

both!(customer_crud_and_validation, |store| async move {
    let w = world(store).await;
    let (s, c) =
        w.srv.post("/api/customer", Some(&w.admin), json!({"title": "Office A", "email": "a@office.io"})).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["id"]["entityType"], "CUSTOMER");
    assert_eq!(c["tenantId"]["id"], w.tenant);
    assert_eq!(c["ownerId"], json!({"entityType": "TENANT", "id": w.tenant}));
    assert_eq!(c["customerId"]["id"], "13814000-1dd2-11b2-8080-808080808080");
    assert_eq!(c["name"], "Office A");
    assert_eq!(c["version"], 1);
    let id = c["id"]["id"].as_str().unwrap().to_string();

    let (_, info) = w.srv.get(&format!("/api/customer/info/{id}"), Some(&w.admin)).await;
    assert_eq!(info["ownerName"], "Building Co");
    assert_eq!(info["groups"].as_array().unwrap().len(), 1);
    assert_eq!(info["groups"][0]["name"], "All");

    let mut upd = c.clone();
    upd["city"] = json!("Delft");
    let (s, c2) = w.srv.post("/api/customer", Some(&w.admin), upd.clone()).await;
    assert_eq!((s, c2["version"].as_i64()), (200, Some(2)), "{c2}");
    assert_error(&w.srv.post("/api/customer", Some(&w.admin), upd).await, 409, 35);

    let missing = w.srv.post("/api/customer", Some(&w.admin), json!({"city": "x"})).await;
    assert_error(&missing, 400, 30);
    assert_eq!(missing.1["message"], "Customer title should be specified");
    assert_error(&w.srv.post("/api/customer", Some(&w.admin), json!({"title": "public"})).await, 400, 30);
    let dup = w.srv.post("/api/customer", Some(&w.admin), json!({"title": "office a"})).await;
    assert_error(&dup, 400, 30);
    assert_eq!(dup.1["message"], "Customer with such title already exists!");
    let (_, u1) = w
        .srv
        .post(
            "/api/customer?nameConflictPolicy=UNIQUIFY&uniquifyStrategy=INCREMENTAL",
            Some(&w.admin),
            json!({"title": "Office A"}),
        )
        .await;
    assert_eq!(u1["title"], "Office A_1");
    let (_, u2) = w
        .srv
        .post(
            "/api/customer?nameConflictPolicy=UNIQUIFY&uniquifyStrategy=INCREMENTAL",
            Some(&w.admin),
            json!({"title": "Office A"}),
        )
        .await;
    assert_eq!(u2["title"], "Office A_2");
    let (_, r) = w
        .srv
        .post(
            "/api/customer?nameConflictPolicy=UNIQUIFY&uniquifySeparator=-",
            Some(&w.admin),
            json!({"title": "Office A"}),
        )
        .await;
    assert!(r["title"].as_str().unwrap().starts_with("Office A-") && r["title"].as_str().unwrap().len() > 9, "{r}");
    assert_error(
        &w.srv.post("/api/customer?nameConflictPolicy=MAYBE", Some(&w.admin), json!({"title": "Z"})).await,
        400,
        31,
    );

    let (s, by) = w.srv.get("/api/tenant/customers?customerTitle=office%20a", Some(&w.admin)).await;
    assert_eq!((s, by["id"]["id"].as_str()), (200, Some(id.as_str())));
    assert_error(&w.srv.get("/api/tenant/customers?customerTitle=nobody", Some(&w.admin)).await, 404, 32);

    // The system administrator does not manage customers; another tenant cannot see them.
    assert_error(&w.srv.get(&format!("/api/customer/{id}"), Some(&w.sys)).await, 403, 20);
    let other = w.srv.tenant(&w.sys, "Other Co").await;
    let other_admin = w.srv.tenant_admin(&w.sys, &other, "o@other.io", "other-password").await;
    assert_error(&w.srv.get(&format!("/api/customer/{id}"), Some(&other_admin)).await, 404, 32);
    assert_error(&w.srv.delete(&format!("/api/customer/{id}"), Some(&other_admin)).await, 404, 32);
    let (_, theirs) = w.srv.get("/api/customers?pageSize=50&page=0", Some(&other_admin)).await;
    assert_eq!(theirs["totalElements"], 0);
    w.srv.stop();
});

both!(sub_customers_form_a_tree_listed_in_sql, |store| async move {
    let w = world(store).await;
    let a = w.customer("A", None).await;
    w.customer("B", None).await;
    let a1 = w.customer("A1", Some(&a)).await;
    w.customer("A2", Some(&a)).await;
    w.customer("A1a", Some(&a1)).await;
    assert_eq!(w.titles("/api/customers?pageSize=50&page=0").await, ["A", "B"]);
    assert_eq!(w.titles("/api/customerInfos/all?pageSize=50&page=0").await, ["A", "B"]);
    assert_eq!(
        w.titles("/api/customerInfos/all?pageSize=50&page=0&includeCustomers=true").await,
        ["A", "A1", "A1a", "A2", "B"]
    );
    assert_eq!(w.titles(&format!("/api/customer/{a}/customerInfos?pageSize=50&page=0")).await, ["A1", "A2"]);
    assert_eq!(
        w.titles(&format!("/api/customer/{a}/customerInfos?pageSize=50&page=0&includeCustomers=true")).await,
        ["A1", "A1a", "A2"]
    );
    assert_eq!(
        w.titles("/api/customerInfos/all?pageSize=50&page=0&includeCustomers=true&textSearch=a1").await,
        ["A1", "A1a"]
    );
    let (_, a1_info) = w.srv.get(&format!("/api/customer/info/{a1}"), Some(&w.admin)).await;
    assert_eq!(a1_info["ownerName"], "A");
    assert_eq!(a1_info["ownerId"], json!({"entityType": "CUSTOMER", "id": a}));
    assert_eq!(a1_info["parentCustomerId"]["id"], a);
    for size in [1, 2, 3] {
        let mut seen = Vec::new();
        for page in 0..10 {
            let (_, p) = w
                .srv
                .get(
                    &format!(
                        "/api/customerInfos/all?pageSize={size}&page={page}&includeCustomers=true&sortProperty=title"
                    ),
                    Some(&w.admin),
                )
                .await;
            seen.extend(p["data"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_string()));
            if p["hasNext"] == false {
                break;
            }
        }
        assert_eq!(seen, ["A", "A1", "A1a", "A2", "B"], "page size {size}");
    }
    let bogus = "6a1e2b9c-0000-4000-8000-000000000000";
    assert_error(
        &w.srv
            .post(
                "/api/customer",
                Some(&w.admin),
                json!({"title": "X", "parentCustomerId": {"entityType": "CUSTOMER", "id": bogus}}),
            )
            .await,
        404,
        32,
    );
    let mut moved: Value = w.srv.get(&format!("/api/customer/{a1}"), Some(&w.admin)).await.1;
    moved["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": w.tenant});
    assert_error(&w.srv.post("/api/customer", Some(&w.admin), moved).await, 400, 30);
    w.srv.stop();
});

both!(deleting_a_customer_moves_its_children_up_and_removes_its_users, |store| async move {
    let w = world(store).await;
    let a = w.customer("A", None).await;
    let a1 = w.customer("A1", Some(&a)).await;
    let a1a = w.customer("A1a", Some(&a1)).await;
    w.customer("A1b", Some(&a1)).await;
    // A user of A1 (customer users get their API with user groups; seeded directly here).
    let db = w.srv.db().await;
    let uid = "0a0b0c0d-0000-4000-8000-000000000001";
    sqlx::query("INSERT INTO tb_user (id, created_time, tenant_id, customer_id, authority, email, email_lower, version) VALUES ($1, 1, $2, $3, 'CUSTOMER_USER', 'u@a1.io', 'u@a1.io', 1)")
        .bind(uid).bind(&w.tenant).bind(&a1).execute(&db).await.unwrap();
    sqlx::query("INSERT INTO user_credentials (user_id, password_hash, enabled) VALUES ($1, NULL, 0)")
        .bind(uid)
        .execute(&db)
        .await
        .unwrap();

    assert_eq!(w.srv.delete(&format!("/api/customer/{a1}"), Some(&w.admin)).await.0, 200);
    assert_error(&w.srv.get(&format!("/api/customer/{a1}"), Some(&w.admin)).await, 404, 32);
    let (_, child) = w.srv.get(&format!("/api/customer/info/{a1a}"), Some(&w.admin)).await;
    assert_eq!(child["parentCustomerId"]["id"], a);
    assert_eq!(child["ownerName"], "A");
    assert_eq!(child["groups"].as_array().unwrap().len(), 1, "member of its new owner's All group only");
    assert_eq!(w.titles(&format!("/api/customer/{a}/customerInfos?pageSize=50&page=0")).await, ["A1a", "A1b"]);
    assert_eq!(
        w.titles(&format!("/api/customer/{a}/customerInfos?pageSize=50&page=0&includeCustomers=true")).await,
        ["A1a", "A1b"]
    );
    let users: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tb_user WHERE id = $1").bind(uid).fetch_one(&db).await.unwrap();
    assert_eq!(users, 0, "the customer's users are deleted");
    let groups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entity_group WHERE owner_id = $1")
        .bind(&a1)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(groups, 0);
    let paths: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM owner_closure WHERE ancestor = $1 OR descendant = $1")
        .bind(&a1)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(paths, 0);

    // Deleting a top-level customer makes its children top-level.
    assert_eq!(w.srv.delete(&format!("/api/customer/{a}"), Some(&w.admin)).await.0, 200);
    assert_eq!(w.titles("/api/customers?pageSize=50&page=0").await, ["A1a", "A1b"]);
    let (_, top) = w.srv.get(&format!("/api/customer/{a1a}"), Some(&w.admin)).await;
    assert_eq!(top["ownerId"]["entityType"], "TENANT");
    assert!(top["parentCustomerId"].is_null());
    // The closure stays exact: each remaining customer has exactly its tenant above it.
    let depths: Vec<i64> = sqlx::query_scalar("SELECT depth FROM owner_closure WHERE descendant = $1 ORDER BY depth")
        .bind(&a1a)
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(depths, [0, 1]);
    db.close().await;
    w.srv.stop();
});

both!(group_joins_on_create_are_checked_and_atomic, |store| async move {
    let w = world(store).await;
    let db = w.srv.db().await;
    let device_all: String =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'DEVICE'")
            .bind(&w.tenant)
            .fetch_one(&db)
            .await
            .unwrap();
    let customer_all: String =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'CUSTOMER'")
            .bind(&w.tenant)
            .fetch_one(&db)
            .await
            .unwrap();
    let count =
        || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM customer").fetch_one(&db).await.unwrap() };
    assert_error(
        &w.srv.post(&format!("/api/customer?entityGroupId={device_all}"), Some(&w.admin), json!({"title": "T1"})).await,
        400,
        31,
    );
    assert_error(
        &w.srv
            .post(
                "/api/customer?entityGroupIds=6a1e2b9c-0000-4000-8000-000000000000",
                Some(&w.admin),
                json!({"title": "T1"}),
            )
            .await,
        404,
        32,
    );
    assert_error(
        &w.srv.post("/api/customer?entityGroupIds=nope", Some(&w.admin), json!({"title": "T1"})).await,
        400,
        31,
    );
    assert_eq!(count().await, 0, "a refused create leaves nothing behind");
    let (s, _) = w
        .srv
        .post(&format!("/api/customer?entityGroupIds={customer_all}"), Some(&w.admin), json!({"title": "T1"}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(count().await, 1);
    // Deleting the tenant removes its whole tree.
    let a = w.customer("Deep", None).await;
    let b = w.customer("Deeper", Some(&a)).await;
    w.customer("Deepest", Some(&b)).await;
    assert_eq!(w.srv.delete(&format!("/api/tenant/{}", w.tenant), Some(&w.sys)).await.0, 200);
    assert_eq!(count().await, 0);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM owner_closure").fetch_one(&db).await.unwrap();
    assert_eq!(left, 0);
    db.close().await;
    w.srv.stop();
});
