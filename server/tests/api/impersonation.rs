//! "Log in as user" and the audit log it leaves, on both stores.

use crate::both;
use crate::harness::*;
use crate::users::{user_id, world};
use serde_json::json;

both!(log_in_as_user_is_limited_and_audited, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let (s, on) = srv.get("/api/user/tokenAccessEnabled", Some(&w.admin)).await;
    assert_eq!((s, on), (200, json!(true)));
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    let boss = user_id(srv, &w.admin, "boss@a.io").await;
    let me = user_id(srv, &w.admin, "admin@acme.io").await;

    let (s, pair) = srv.get(&format!("/api/user/{a_user}/token"), Some(&w.admin)).await;
    assert_eq!(s, 200, "{pair}");
    let as_user = pair["token"].as_str().unwrap().to_string();
    let c = claims(&as_user);
    assert_eq!(c["sub"], "user@a.io");
    assert_eq!(c["impersonatedBy"], me.as_str());
    let (_, who) = srv.get("/api/auth/user", Some(&as_user)).await;
    assert_eq!(who["email"], "user@a.io");
    // An impersonated session cannot change the password nor impersonate further.
    let r = srv
        .post(
            "/api/auth/changePassword",
            Some(&as_user),
            json!({"currentPassword": "customer-pass", "newPassword": "whatever-else-1"}),
        )
        .await;
    assert_error(&r, 403, 20);
    assert_error(&srv.get(&format!("/api/user/{boss}/token"), Some(&as_user)).await, 403, 20);
    // Customer users cannot; administrators are not impersonated by tenant administrators; nobody as itself.
    assert_error(&srv.get(&format!("/api/user/{boss}/token"), Some(&w.a_user)).await, 403, 20);
    assert_error(&srv.get(&format!("/api/user/{me}/token"), Some(&w.admin)).await, 400, 30);
    let tenant2 = srv.tenant(&w.sys, "Other").await;
    let other = srv.tenant_admin(&w.sys, &tenant2, "admin@other.io", "admin-password").await;
    assert_error(&srv.get(&format!("/api/user/{a_user}/token"), Some(&other)).await, 404, 32);
    let other_id = user_id(srv, &other, "admin@other.io").await;
    let (s, sys_as) = srv.get(&format!("/api/user/{other_id}/token"), Some(&w.sys)).await;
    assert_eq!(s, 200, "the system administrator acts as tenant administrators: {sys_as}");
    assert_error(&srv.get(&format!("/api/user/{a_user}/token"), Some(&w.sys)).await, 403, 20);

    let (s, _) = srv.post("/api/auth/logout", Some(&as_user), json!({})).await;
    assert_eq!(s, 200);
    let (s, logs) = srv.get(&format!("/api/audit/logs/user/{me}?pageSize=50&page=0"), Some(&w.admin)).await;
    assert_eq!(s, 200, "{logs}");
    let types: Vec<&str> = logs["data"].as_array().unwrap().iter().map(|l| l["actionType"].as_str().unwrap()).collect();
    assert!(types.contains(&"LOGIN_AS_USER") && types.contains(&"LOGOUT"), "{types:?}");
    let start = logs["data"].as_array().unwrap().iter().find(|l| l["actionType"] == "LOGIN_AS_USER").unwrap();
    assert_eq!(start["entityId"]["id"], a_user.as_str());
    assert_eq!(start["entityId"]["entityType"], "USER");
    assert_eq!(start["userName"], "admin@acme.io");
    assert_eq!(start["actionStatus"], "SUCCESS");

    // Admins see the audit of what they administer: A's administrator sees A's entries, not the tenant's.
    let (s, a_logs) = srv.get(&format!("/api/audit/logs/customer/{}?pageSize=50&page=0", w.a), Some(&w.a_admin)).await;
    assert_eq!(s, 200, "{a_logs}");
    assert!(a_logs["data"].as_array().unwrap().iter().all(|l| l["customerId"]["id"] == w.a.as_str()));
    let (_, all) = srv.get("/api/audit/logs?pageSize=100&page=0", Some(&w.a_admin)).await;
    assert!(all["data"].as_array().unwrap().iter().all(|l| l["customerId"]["id"].is_string()), "{all}");
    let (_, mine) = srv.get("/api/audit/logs?pageSize=100&page=0", Some(&w.a_user)).await;
    let in_a = |l: &serde_json::Value| l["customerId"]["id"] == w.a.as_str() || l["customerId"]["id"] == w.a1.as_str();
    assert!(mine["data"].as_array().unwrap().iter().all(in_a), "{mine}");
    assert!(all["data"].as_array().unwrap().iter().all(in_a), "{all}");
    let (_, tenant_view) = srv.get("/api/audit/logs?pageSize=100&page=0", Some(&w.admin)).await;
    assert!(tenant_view["totalElements"].as_i64().unwrap() > all["totalElements"].as_i64().unwrap());
    let failed =
        srv.post("/api/auth/login", None, json!({"username": "boss@a.io", "password": "wrong-password"})).await;
    assert_error(&failed, 401, 10);
    let (_, f) =
        srv.get(&format!("/api/audit/logs/user/{boss}?pageSize=10&page=0&actionTypes=LOGIN"), Some(&w.admin)).await;
    assert!(f["data"].as_array().unwrap().iter().any(|l| l["actionStatus"] == "FAILURE"), "{f}");
    assert_error(&srv.get("/api/audit/logs?pageSize=10&page=0&startTime=soon", Some(&w.admin)).await, 400, 31);

    // The system administrator's switch turns it off for everyone.
    let mut settings = srv.get("/api/admin/securitySettings", Some(&w.sys)).await.1;
    settings["userTokenAccessEnabled"] = json!(false);
    srv.post("/api/admin/securitySettings", Some(&w.sys), settings).await;
    assert_error(&srv.get(&format!("/api/user/{a_user}/token"), Some(&w.admin)).await, 403, 20);
});
