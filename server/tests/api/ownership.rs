//! Changing owners: customers move with their subtree, users between customers; groups are left and joined.

use crate::both;
use crate::customer_roles::{customer_user, group_id};
use crate::harness::*;
use serde_json::json;

both!(owner_changes, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Estate").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@estate.io", "admin-password").await;
    let mk = |title: &str, parent: Option<&str>| {
        let mut b = json!({"title": title});
        if let Some(p) = parent {
            b["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": p});
        }
        b
    };
    let id = |v: serde_json::Value| v["id"]["id"].as_str().unwrap().to_string();
    let a = id(srv.post("/api/customer", Some(&admin), mk("A", None)).await.1);
    let b = id(srv.post("/api/customer", Some(&admin), mk("B", None)).await.1);
    let b1 = id(srv.post("/api/customer", Some(&admin), mk("B1", Some(&b))).await.1);
    let (_, moved) = srv
        .post(
            "/api/entityGroup",
            Some(&admin),
            json!({"name": "Moved in", "type": "CUSTOMER", "ownerId": {"entityType": "CUSTOMER", "id": a}}),
        )
        .await;
    let moved = id(moved);

    // B (with B1) moves under A, straight into one of A's groups; the Python client's comma-string body works.
    let r = srv.post_raw(&format!("/api/owner/CUSTOMER/{a}/CUSTOMER/{b}"), Some(&admin), &format!("\"{moved}\"")).await;
    assert_eq!(r.0, 200, "{}", r.1);
    let (_, info) = srv.get(&format!("/api/customer/info/{b}"), Some(&admin)).await;
    assert_eq!(info["parentCustomerId"]["id"], a);
    let mut groups: Vec<String> =
        info["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().into()).collect();
    groups.sort();
    assert_eq!(groups, ["All", "Moved in"]);
    let (_, below) = srv
        .get(&format!("/api/customer/{a}/customerInfos?pageSize=10&page=0&includeCustomers=true"), Some(&admin))
        .await;
    assert_eq!(below["totalElements"], 2, "B and B1 are now below A");
    let b_users = group_id(&srv, &b, "Customer Users").await;
    let (_, perms) = srv.get(&format!("/api/userGroup/{b_users}/groupPermissions"), Some(&admin)).await;
    assert_eq!(perms[0]["role"]["ownerId"]["id"], a, "B's predefined groups use its new owner's roles");

    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{b1}/CUSTOMER/{a}"), Some(&admin), json!([])).await, 400, 30);
    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{a}/CUSTOMER/{a}"), Some(&admin), json!([])).await, 400, 30);
    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{a}/CUSTOMER/{b}"), Some(&admin), json!([])).await, 400, 30);
    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{a}/DEVICE/{b}"), Some(&admin), json!([])).await, 404, 32);
    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{a}/ROLE/{b}"), Some(&admin), json!([])).await, 400, 31);
    assert_error(
        &srv.post(
            &format!("/api/owner/CUSTOMER/6a1e2b9c-0000-4000-8000-000000000000/CUSTOMER/{b}"),
            Some(&admin),
            json!([]),
        )
        .await,
        404,
        32,
    );

    // A's administrator moves customers within A's subtree only.
    let a_admins = group_id(&srv, &a, "Customer Administrators").await;
    let ca = customer_user(&srv, &admin, &a, &a_admins, "head@a.io").await;
    let a2 = id(srv.post("/api/customer", Some(&ca), mk("A2", Some(&a))).await.1);
    assert_eq!(srv.post(&format!("/api/owner/CUSTOMER/{a2}/CUSTOMER/{b1}"), Some(&ca), json!([])).await.0, 200);
    assert_error(&srv.post(&format!("/api/owner/TENANT/{tenant}/CUSTOMER/{b1}"), Some(&ca), json!([])).await, 403, 20);

    // Back to the tenant.
    assert_eq!(srv.post(&format!("/api/owner/TENANT/{tenant}/CUSTOMER/{b}"), Some(&admin), json!([])).await.0, 200);
    let (_, top) = srv.get(&format!("/api/customer/{b}"), Some(&admin)).await;
    assert!(top["parentCustomerId"].is_null());
    assert_eq!(top["ownerId"]["entityType"], "TENANT");

    // A customer user moves from A to B: it leaves A's groups (and A's roles) at once.
    let a_users = group_id(&srv, &a, "Customer Users").await;
    let cu = customer_user(&srv, &admin, &a, &a_users, "cu@a.io").await;
    assert_eq!(srv.get(&format!("/api/customer/{a2}"), Some(&cu)).await.0, 200);
    let (_, me) = srv.get("/api/auth/user", Some(&cu)).await;
    let uid = me["id"]["id"].as_str().unwrap().to_string();
    assert_eq!(srv.post(&format!("/api/owner/CUSTOMER/{b}/USER/{uid}"), Some(&admin), json!([b_users])).await.0, 200);
    let (_, me) = srv.get("/api/auth/user", Some(&cu)).await;
    assert_eq!(me["customerId"]["id"], b);
    assert_error(&srv.get(&format!("/api/customer/{a2}"), Some(&cu)).await, 403, 20);
    assert_eq!(srv.get(&format!("/api/customer/{b}"), Some(&cu)).await.0, 200);
    let admin_id = srv.get("/api/auth/user", Some(&admin)).await.1["id"]["id"].as_str().unwrap().to_string();
    assert_error(
        &srv.post(&format!("/api/owner/CUSTOMER/{b}/USER/{admin_id}"), Some(&admin), json!([])).await,
        400,
        30,
    );
    srv.stop();
});
