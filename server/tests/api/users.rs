//! Users: lists scoped by owner and roles, deletion, suspension, tenant-level users, dashboards in
//! `additionalInfo` — on both stores.

use crate::both;
use crate::customer_roles::{customer_user, group_id};
use crate::harness::*;
use serde_json::{Value, json};

/// A tenant with customers A (with sub-customer A1) and B and one user in each, plus A's administrator.
pub struct World {
    pub srv: Server,
    pub sys: String,
    pub admin: String,
    pub a: String,
    pub a1: String,
    pub b: String,
    pub a_admin: String,
    pub a_user: String,
}

pub async fn world(store: Store) -> World {
    world_on(Server::start(store, &[]).await).await
}

pub async fn world_on(srv: Server) -> World {
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Acme").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@acme.io", "admin-password").await;
    let customer = |title: &'static str, parent: Option<String>| {
        let mut body = json!({"title": title});
        if let Some(p) = parent {
            body["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": p});
        }
        body
    };
    let a = id_of(&srv.post("/api/customer", Some(&admin), customer("A", None)).await.1);
    let a1 = id_of(&srv.post("/api/customer", Some(&admin), customer("A1", Some(a.clone()))).await.1);
    let b = id_of(&srv.post("/api/customer", Some(&admin), customer("B", None)).await.1);
    let a_admins = group_id(&srv, &a, "Customer Administrators").await;
    let a_users = group_id(&srv, &a, "Customer Users").await;
    let a_admin = customer_user(&srv, &admin, &a, &a_admins, "boss@a.io").await;
    let a_user = customer_user(&srv, &admin, &a, &a_users, "user@a.io").await;
    customer_user(&srv, &admin, &a1, &group_id(&srv, &a1, "Customer Users").await, "user@a1.io").await;
    customer_user(&srv, &admin, &b, &group_id(&srv, &b, "Customer Users").await, "user@b.io").await;
    World { srv, sys, admin, a, a1, b, a_admin, a_user }
}

pub fn emails(page: &Value) -> Vec<String> {
    let list = page["data"].as_array().or(page.as_array()).unwrap_or_else(|| panic!("not a list: {page}"));
    let mut e: Vec<String> = list.iter().map(|u| u["email"].as_str().unwrap().to_string()).collect();
    e.sort();
    e
}

pub async fn user_id(srv: &Server, token: &str, email: &str) -> String {
    let (s, page) = srv.get(&format!("/api/users/info?pageSize=10&page=0&textSearch={email}"), Some(token)).await;
    assert_eq!(s, 200, "{page}");
    let hit = page["data"].as_array().unwrap().iter().find(|u| u["email"] == email).expect("user listed");
    hit["id"]["id"].as_str().unwrap().to_string()
}

both!(lists_follow_owners_and_roles, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let page = "pageSize=20&page=0";
    let (s, p) = srv.get(&format!("/api/customer/{}/users?{page}", w.a), Some(&w.admin)).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(emails(&p), ["boss@a.io", "user@a.io"]);
    let (_, p) =
        srv.get(&format!("/api/customer/{}/userInfos?{page}&includeCustomers=true", w.a), Some(&w.admin)).await;
    assert_eq!(emails(&p), ["boss@a.io", "user@a.io", "user@a1.io"]);
    let a1_info = p["data"].as_array().unwrap().iter().find(|u| u["email"] == "user@a1.io").unwrap();
    assert_eq!(a1_info["ownerName"], "A1");
    let groups: Vec<&str> = a1_info["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(groups, ["All", "Customer Users"]);
    let (_, p) = srv.get(&format!("/api/userInfos/all?{page}"), Some(&w.admin)).await;
    assert_eq!(emails(&p), ["admin@acme.io"]);
    let (_, p) = srv.get(&format!("/api/userInfos/all?{page}&includeCustomers=true"), Some(&w.admin)).await;
    assert_eq!(emails(&p), ["admin@acme.io", "boss@a.io", "user@a.io", "user@a1.io", "user@b.io"]);
    let (_, p) = srv.get(&format!("/api/user/users?{page}&sortProperty=email&sortOrder=DESC"), Some(&w.admin)).await;
    assert_eq!(p["data"][0]["email"], "user@b.io");
    assert_eq!(p["totalElements"], 5);

    // A's administrator sees A's subtree only; B's customer is another part of the tree.
    let (_, p) = srv.get(&format!("/api/user/users?{page}"), Some(&w.a_admin)).await;
    assert_eq!(emails(&p), ["boss@a.io", "user@a.io", "user@a1.io"]);
    let (_, p) = srv.get(&format!("/api/userInfos/all?{page}&includeCustomers=true"), Some(&w.a_admin)).await;
    assert_eq!(emails(&p), ["boss@a.io", "user@a.io", "user@a1.io"]);
    assert_error(&srv.get(&format!("/api/customer/{}/users?{page}", w.b), Some(&w.a_admin)).await, 403, 20);
    let b_user = user_id(srv, &w.admin, "user@b.io").await;
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    let (s, l) = srv.get(&format!("/api/users/list?userIds={b_user},{a_user}"), Some(&w.a_admin)).await;
    assert_eq!(s, 200, "{l}");
    assert_eq!(emails(&l), ["user@a.io"]);
    assert_error(&srv.get(&format!("/api/user/{b_user}"), Some(&w.a_admin)).await, 403, 20);
    let (s, info) = srv.get(&format!("/api/user/info/{a_user}"), Some(&w.a_admin)).await;
    assert_eq!(s, 200, "{info}");
    assert_eq!(info["ownerName"], "A");
    let (_, p) = srv.get(&format!("/api/users/info?{page}&textSearch=A1.IO"), Some(&w.a_admin)).await;
    assert_eq!(p["data"].as_array().unwrap().len(), 1);
    assert_eq!(p["data"][0]["email"], "user@a1.io");
    assert!(p["data"][0]["id"]["id"].is_string() && p["data"][0].get("authority").is_none(), "{p}");

    // A's plain user reads its customer's users (the Customer User role reads everything of its customer).
    let (_, p) = srv.get(&format!("/api/user/users?{page}"), Some(&w.a_user)).await;
    assert!(!emails(&p).contains(&"user@b.io".to_string()) && emails(&p).contains(&"user@a.io".to_string()));

    // The system administrator sees tenant administrators, never customers' users.
    let (_, p) = srv.get(&format!("/api/user/users?{page}"), Some(&w.sys)).await;
    assert!(emails(&p).contains(&"admin@acme.io".to_string()) && !emails(&p).contains(&"user@a.io".to_string()));

    // Bad input is a ThingsBoard error and changes nothing.
    assert_error(&srv.get("/api/users/list?userIds=nope", Some(&w.admin)).await, 400, 31);
    assert_error(&srv.get(&format!("/api/customer/{}/users", w.a), Some(&w.admin)).await, 400, 31);
    assert_error(&srv.get(&format!("/api/user/users?{page}&sortProperty=password"), Some(&w.admin)).await, 400, 30);
    assert_error(
        &srv.get(&format!("/api/customer/{}/users?{page}", uuid::Uuid::new_v4()), Some(&w.admin)).await,
        404,
        32,
    );
    let _ = (&w.a1, &w.a_user);
});

both!(deleting_a_user_ends_it_everywhere, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    // A's administrator creates a device; deleting the administrator leaves the device.
    let boss = user_id(srv, &w.admin, "boss@a.io").await;
    let (s, dev) = srv
        .post(
            "/api/device",
            Some(&w.a_admin),
            json!({"name": "Pump", "customerId": {"entityType": "CUSTOMER", "id": w.a}}),
        )
        .await;
    assert_eq!(s, 200, "{dev}");

    // Another customer's administrator and another tenant cannot.
    let (s, _) = srv.get("/api/auth/user", Some(&w.a_user)).await;
    assert_eq!(s, 200);
    let tenant2 = srv.tenant(&w.sys, "Other").await;
    let other = srv.tenant_admin(&w.sys, &tenant2, "admin@other.io", "admin-password").await;
    assert_error(&srv.delete(&format!("/api/user/{a_user}"), Some(&other)).await, 404, 32);
    assert_error(&srv.delete(&format!("/api/user/{boss}"), Some(&w.a_user)).await, 403, 20);

    let (s, body) = srv.delete(&format!("/api/user/{a_user}"), Some(&w.a_admin)).await;
    assert_eq!(s, 200, "{body}");
    assert_error(&srv.get("/api/auth/user", Some(&w.a_user)).await, 401, 10);
    assert_error(&srv.get(&format!("/api/user/{a_user}"), Some(&w.admin)).await, 404, 32);
    let db = srv.db().await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entity_group_member WHERE entity_id = $1")
        .bind(&a_user)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0, "a deleted user is in no group, All included");

    let (s, _) = srv.delete(&format!("/api/user/{boss}"), Some(&w.admin)).await;
    assert_eq!(s, 200);
    let (s, d) = srv.get(&format!("/api/device/{}", id_of(&dev)), Some(&w.admin)).await;
    assert_eq!(s, 200, "what a deleted user created stays: {d}");

    // The last tenant administrator stays; the system administrator cannot delete itself.
    let me = user_id(srv, &w.admin, "admin@acme.io").await;
    let r = srv.delete(&format!("/api/user/{me}"), Some(&w.admin)).await;
    assert_error(&r, 400, 30);
    assert_eq!(r.1["message"], "At least one tenant administrator must remain!");
    let (_, sys_user) = srv.get("/api/auth/user", Some(&w.sys)).await;
    assert_error(&srv.delete(&format!("/api/user/{}", id_of(&sys_user)), Some(&w.sys)).await, 400, 30);
    db.close().await;
});

both!(disabling_ends_sessions_and_enabling_lets_back_in, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    let url = |on: bool| format!("/api/user/{a_user}/userCredentialsEnabled?userCredentialsEnabled={on}");
    assert_error(&srv.post(&url(false), Some(&w.a_user), json!({})).await, 400, 30);
    let boss = user_id(srv, &w.admin, "boss@a.io").await;
    let r = srv
        .post(
            &format!("/api/user/{boss}/userCredentialsEnabled?userCredentialsEnabled=false"),
            Some(&w.a_user),
            json!({}),
        )
        .await;
    assert_error(&r, 403, 20);
    let (s, _) = srv.post(&url(false), Some(&w.admin), json!({})).await;
    assert_eq!(s, 200);
    assert_error(&srv.get("/api/auth/user", Some(&w.a_user)).await, 401, 10);
    let r = srv.post("/api/auth/login", None, json!({"username": "user@a.io", "password": "customer-pass"})).await;
    assert_error(&r, 401, 10);
    let (_, u) = srv.get(&format!("/api/user/{a_user}"), Some(&w.admin)).await;
    assert_eq!(u["additionalInfo"]["userCredentialsEnabled"], false);
    let (s, _) = srv.post(&url(true), Some(&w.admin), json!({})).await;
    assert_eq!(s, 200);
    srv.login("user@a.io", "customer-pass").await;
    let me = user_id(srv, &w.admin, "admin@acme.io").await;
    let r = srv
        .post(&format!("/api/user/{me}/userCredentialsEnabled?userCredentialsEnabled=false"), Some(&w.admin), json!({}))
        .await;
    assert_error(&r, 400, 30);
    assert_error(
        &srv.post(
            &format!("/api/user/{a_user}/userCredentialsEnabled?userCredentialsEnabled=maybe"),
            Some(&w.admin),
            json!({}),
        )
        .await,
        400,
        31,
    );
});

both!(tenant_users_and_dashboard_references, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    // A tenant administrator creates tenant-level users into the user groups it names; named none, the user is
    // only in "All" and may do nothing (the seed: "A user created without being added to a specific group … will
    // not have any access rights"). Only the system administrator's tenant administrators join "Tenant
    // Administrators" unasked.
    let (s, u) = srv
        .post(
            "/api/user?sendActivationMail=false",
            Some(&w.admin),
            json!({"email": "ops@acme.io", "authority": "TENANT_ADMIN"}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    let (_, info) = srv.get(&format!("/api/user/info/{}", id_of(&u)), Some(&w.admin)).await;
    let names: Vec<&str> = info["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["All"]);
    let tenant_users = group_id(srv, info["tenantId"]["id"].as_str().unwrap(), "Tenant Users").await;
    let (s, u2) = srv
        .post(
            &format!("/api/user?sendActivationMail=false&entityGroupIds={tenant_users}"),
            Some(&w.admin),
            json!({"email": "viewer@acme.io", "authority": "TENANT_ADMIN"}),
        )
        .await;
    assert_eq!(s, 200, "{u2}");
    let (_, info) = srv.get(&format!("/api/user/info/{}", id_of(&u2)), Some(&w.admin)).await;
    let names: Vec<&str> = info["groups"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["All", "Tenant Users"]);
    assert_error(
        &srv.post(
            "/api/user?sendActivationMail=false",
            Some(&w.a_admin),
            json!({"email": "x@acme.io", "authority": "TENANT_ADMIN"}),
        )
        .await,
        403,
        20,
    );

    // Dashboard references that name nothing are dropped on read.
    let (_, d) = srv.post("/api/dashboard", Some(&w.admin), json!({"title": "Wall"})).await;
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    let (_, mut u) = srv.get(&format!("/api/user/{a_user}"), Some(&w.admin)).await;
    u["additionalInfo"]["defaultDashboardId"] = json!(id_of(&d));
    u["additionalInfo"]["defaultDashboardFullscreen"] = json!(true);
    u["additionalInfo"]["homeDashboardId"] = json!(uuid::Uuid::new_v4().to_string());
    let (s, saved) = srv.post("/api/user", Some(&w.admin), u).await;
    assert_eq!(s, 200, "{saved}");
    let (_, u) = srv.get(&format!("/api/user/{a_user}"), Some(&w.admin)).await;
    assert_eq!(u["additionalInfo"]["defaultDashboardId"], id_of(&d));
    assert!(u["additionalInfo"].get("homeDashboardId").is_none(), "{u}");
    srv.delete(&format!("/api/dashboard/{}", id_of(&d)), Some(&w.admin)).await;
    let (_, p) = srv.get(&format!("/api/customer/{}/users?pageSize=10&page=0", w.a), Some(&w.admin)).await;
    let listed = p["data"].as_array().unwrap().iter().find(|x| x["email"] == "user@a.io").unwrap();
    assert!(listed["additionalInfo"].get("defaultDashboardId").is_none(), "{listed}");
    assert_eq!(listed["additionalInfo"]["defaultDashboardFullscreen"], true);
});

both!(user_groups_grant_through_roles_only_and_their_changes_are_audited, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let a_owner = json!({"entityType": "CUSTOMER", "id": w.a});
    let (s, ops) =
        srv.post("/api/entityGroup", Some(&w.admin), json!({"name": "Ops", "type": "USER", "ownerId": a_owner})).await;
    assert_eq!(s, 200, "{ops}");
    let ops_id = id_of(&ops);
    let plain = customer_user(srv, &w.admin, &w.a, &ops_id, "plain@a.io").await;
    let plain_id = user_id(srv, &w.admin, "plain@a.io").await;
    // Membership of "All" (and of a group without roles) grants nothing (a user always reads its own customer,
    // so the probe is the sub-customer A1).
    assert_error(&srv.get(&format!("/api/customer/{}", w.a1), Some(&plain)).await, 403, 20);
    let (_, role) = srv
        .post(
            "/api/role",
            Some(&w.admin),
            json!({"name": "Readers", "type": "GENERIC", "permissions": {"CUSTOMER": ["READ"]}}),
        )
        .await;
    let gp = json!({"roleId": role["id"], "userGroupId": {"entityType": "ENTITY_GROUP", "id": ops_id}});
    assert_eq!(srv.post("/api/groupPermission", Some(&w.admin), gp).await.0, 200);
    assert_eq!(srv.get(&format!("/api/customer/{}", w.a1), Some(&plain)).await.0, 200);
    // Leaving the group takes its permissions away at once; so does deleting the group. The user stays.
    let leave = srv.post(&format!("/api/entityGroup/{ops_id}/deleteEntities"), Some(&w.admin), json!([plain_id])).await;
    assert_eq!(leave.0, 200, "{}", leave.1);
    assert_error(&srv.get(&format!("/api/customer/{}", w.a1), Some(&plain)).await, 403, 20);
    let join = srv.post(&format!("/api/entityGroup/{ops_id}/addEntities"), Some(&w.admin), json!([plain_id])).await;
    assert_eq!(join.0, 200);
    assert_eq!(srv.get(&format!("/api/customer/{}", w.a1), Some(&plain)).await.0, 200);
    let mut renamed = ops.clone();
    renamed["name"] = json!("Operations");
    assert_eq!(srv.post("/api/entityGroup", Some(&w.admin), renamed).await.0, 200);
    assert_eq!(srv.delete(&format!("/api/entityGroup/{ops_id}"), Some(&w.admin)).await.0, 200);
    assert_error(&srv.get(&format!("/api/customer/{}", w.a1), Some(&plain)).await, 403, 20);
    assert_eq!(srv.get(&format!("/api/user/{plain_id}"), Some(&w.admin)).await.0, 200);

    let (_, logs) = srv.get("/api/audit/logs?pageSize=100&page=0", Some(&w.admin)).await;
    let about_ops: Vec<(String, serde_json::Value)> = logs["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["entityId"]["id"] == ops_id.as_str())
        .map(|l| (l["actionType"].as_str().unwrap().to_string(), l["actionData"].clone()))
        .collect();
    let kinds: Vec<&str> = about_ops.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["DELETED", "UPDATED", "ADDED_TO_ENTITY_GROUP", "REMOVED_FROM_ENTITY_GROUP", "ADDED"],
        "newest first: {about_ops:?}"
    );
    assert_eq!(about_ops[1].1["previousName"], "Ops");
    assert_eq!(about_ops[3].1["entityIds"], json!([plain_id]));
    assert_eq!(about_ops[4].1["groupType"], "USER");
    // Filed under the group's owner: A's administrator sees what the tenant administrator did to A's group.
    let (s, a_logs) = srv.get(&format!("/api/audit/logs/customer/{}?pageSize=100&page=0", w.a), Some(&w.a_admin)).await;
    assert_eq!(s, 200, "{a_logs}");
    let seen = a_logs["data"].as_array().unwrap().iter().filter(|l| l["entityId"]["id"] == ops_id.as_str()).count();
    assert_eq!(seen, 5, "{a_logs}");
});
