//! Entity groups: custom groups, the automatic "All" groups, owner-scoped membership and sharing.

use crate::both;
use crate::customer_roles::{customer_user, group_id};
use crate::harness::*;
use serde_json::{Value, json};

fn names(v: &Value) -> Vec<String> {
    let list = if v.is_array() { v.as_array().unwrap() } else { v["data"].as_array().unwrap() };
    let mut n: Vec<String> = list.iter().map(|g| g["name"].as_str().unwrap().to_string()).collect();
    n.sort();
    n
}

both!(entity_groups_membership_and_sharing, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Tower").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@tower.io", "admin-password").await;
    let cust = |title: &str, parent: Option<&str>| {
        let mut b = json!({"title": title});
        if let Some(p) = parent {
            b["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": p});
        }
        b
    };
    let a = srv.post("/api/customer", Some(&admin), cust("A", None)).await.1["id"]["id"].as_str().unwrap().to_string();
    let b = srv.post("/api/customer", Some(&admin), cust("B", None)).await.1["id"]["id"].as_str().unwrap().to_string();
    let a1 =
        srv.post("/api/customer", Some(&admin), cust("A1", Some(&a))).await.1["id"]["id"].as_str().unwrap().to_string();

    let (s, all) = srv.get(&format!("/api/entityGroup/all/TENANT/{tenant}/CUSTOMER"), Some(&admin)).await;
    assert_eq!(s, 200, "{all}");
    assert_eq!(all["groupAll"], true);
    assert_eq!(all["ownerIds"], json!([{"entityType": "TENANT", "id": tenant}]));
    let all_id = all["id"]["id"].as_str().unwrap().to_string();
    let (_, a_all) = srv.get(&format!("/api/entityGroup/all/CUSTOMER/{a}/CUSTOMER"), Some(&admin)).await;
    assert_eq!(a_all["ownerIds"], json!([{"entityType": "CUSTOMER", "id": a}, {"entityType": "TENANT", "id": tenant}]));

    // Custom groups: unique per owner and type, reserved names refused.
    let (s, renters) =
        srv.post("/api/entityGroup", Some(&admin), json!({"name": "Office renters", "type": "CUSTOMER"})).await;
    assert_eq!(s, 200, "{renters}");
    assert_eq!(renters["ownerId"], json!({"entityType": "TENANT", "id": tenant}));
    let renters_id = renters["id"]["id"].as_str().unwrap().to_string();
    assert_error(
        &srv.post("/api/entityGroup", Some(&admin), json!({"name": "office RENTERS", "type": "CUSTOMER"})).await,
        400,
        30,
    );
    assert_error(&srv.post("/api/entityGroup", Some(&admin), json!({"name": "All", "type": "DEVICE"})).await, 400, 30);
    assert_error(
        &srv.post("/api/entityGroup", Some(&admin), json!({"name": "Customer Users", "type": "USER"})).await,
        400,
        30,
    );
    assert_error(&srv.post("/api/entityGroup", Some(&admin), json!({"name": "x", "type": "GALAXY"})).await, 400, 30);
    let (s, _) = srv.post("/api/entityGroup", Some(&admin), json!({"name": "Office renters", "type": "DEVICE"})).await;
    assert_eq!(s, 200, "same name, other type");
    let (_, paged) = srv.get("/api/entityGroups/CUSTOMER?pageSize=10&page=0", Some(&admin)).await;
    assert_eq!(names(&paged), ["All", "Office renters"]);
    let (_, found) = srv.get("/api/entityGroups/CUSTOMER?pageSize=10&page=0&textSearch=RENT", Some(&admin)).await;
    assert_eq!(names(&found), ["Office renters"]);
    let (_, plain) = srv.get("/api/entityGroups/CUSTOMER", Some(&admin)).await;
    assert!(plain.is_array(), "unpaged lists are plain arrays: {plain}");

    // Membership is owner-scoped, never touches "All", and is all or nothing.
    let add = |gid: &str, ids: Vec<&str>| (format!("/api/entityGroup/{gid}/addEntities"), json!(ids));
    let (path, body) = add(&renters_id, vec![&a, &b]);
    assert_eq!(srv.post(&path, Some(&admin), body).await.0, 200);
    let (path, body) = add(&renters_id, vec![&a1]);
    assert_error(&srv.post(&path, Some(&admin), body).await, 400, 31);
    let (path, body) = add(&all_id, vec![&a]);
    assert_error(&srv.post(&path, Some(&admin), body).await, 400, 31);
    let (_, empty) = srv.post("/api/entityGroup", Some(&admin), json!({"name": "Empty", "type": "CUSTOMER"})).await;
    let empty_id = empty["id"]["id"].as_str().unwrap().to_string();
    let (path, body) = add(&empty_id, vec![&a, "6a1e2b9c-0000-4000-8000-000000000000"]);
    assert_error(&srv.post(&path, Some(&admin), body).await, 404, 32);
    let (_, members) = srv.get(&format!("/api/entityGroup/{empty_id}/entities?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(members["totalElements"], 0, "a refused batch adds nothing");
    let (_, members) =
        srv.get(&format!("/api/entityGroup/{renters_id}/entities?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(names(&members), ["A", "B"]);
    assert_eq!(members["data"][0]["id"]["entityType"], "CUSTOMER");
    let (_, of_a) = srv.get(&format!("/api/entityGroups/CUSTOMER/{a}"), Some(&admin)).await;
    assert_eq!(of_a.as_array().unwrap().len(), 2, "All and Office renters: {of_a}");
    assert_eq!(
        srv.post(&format!("/api/entityGroup/{renters_id}/deleteEntities"), Some(&admin), json!([b])).await.0,
        200
    );
    let (_, members) =
        srv.get(&format!("/api/entityGroup/{renters_id}/entities?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(names(&members), ["A"]);

    // Share the group read-only with B's users.
    let b_users = group_id(&srv, &b, "Customer Users").await;
    let bu = customer_user(&srv, &admin, &b, &b_users, "bu@b.io").await;
    assert_error(&srv.get(&format!("/api/entityGroup/{renters_id}"), Some(&bu)).await, 403, 20);
    let (_, viewer) =
        srv.post("/api/role", Some(&admin), json!({"name": "Viewer", "type": "GROUP", "permissions": ["READ"]})).await;
    let share = json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "roleId": viewer["id"],
                       "entityGroupId": {"entityType": "ENTITY_GROUP", "id": renters_id}});
    assert_eq!(srv.post("/api/groupPermission", Some(&admin), share).await.0, 200);
    assert_eq!(srv.get(&format!("/api/entityGroup/{renters_id}"), Some(&bu)).await.0, 200);
    let (s, typed) = srv.get(&format!("/api/entityGroup/{renters_id}/customers?pageSize=10&page=0"), Some(&bu)).await;
    assert_eq!(s, 200, "{typed}");
    assert_eq!(typed["data"][0]["title"], "A");
    assert_eq!(typed["data"][0]["ownerId"]["entityType"], "TENANT");
    assert_error(
        &srv.get(&format!("/api/entityGroup/{renters_id}/users?pageSize=10&page=0"), Some(&admin)).await,
        400,
        31,
    );
    let (_, people) = srv.get(&format!("/api/entityGroup/{b_users}/users?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(people["data"][0]["email"], "bu@b.io");
    assert_eq!(people["totalElements"], 1);
    assert_eq!(
        srv.get(&format!("/api/customer/{a}"), Some(&bu)).await.0,
        200,
        "members of a shared group are readable"
    );
    let (_, mine) = srv.get("/api/entityGroups/CUSTOMER?pageSize=10&page=0", Some(&bu)).await;
    assert_eq!(names(&mine), ["All", "Office renters"]);
    let (_, own_only) = srv.get("/api/entityGroups/CUSTOMER?pageSize=10&page=0&includeShared=false", Some(&bu)).await;
    assert_eq!(names(&own_only), ["All"]);
    let mut rename = srv.get(&format!("/api/entityGroup/{renters_id}"), Some(&bu)).await.1;
    rename["name"] = json!("Mine now");
    assert_error(&srv.post("/api/entityGroup", Some(&bu), rename).await, 403, 20);
    assert_error(&srv.delete(&format!("/api/entityGroup/{renters_id}"), Some(&bu)).await, 403, 20);
    assert_error(
        &srv.post(&format!("/api/entityGroup/{renters_id}/addEntities"), Some(&bu), json!([b])).await,
        403,
        20,
    );
    assert_error(
        &srv.get(&format!("/api/entityGroups/CUSTOMER/{a}/CUSTOMER?pageSize=10&page=0"), Some(&bu)).await,
        403,
        20,
    );
    let (_, a_groups) =
        srv.get(&format!("/api/entityGroups/CUSTOMER/{a}/CUSTOMER?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(names(&a_groups), ["All"]);

    // Deleting the group ends the share at once; the customers stay.
    assert_error(&srv.delete(&format!("/api/entityGroup/{all_id}"), Some(&admin)).await, 400, 30);
    assert_eq!(srv.delete(&format!("/api/entityGroup/{renters_id}"), Some(&admin)).await.0, 200);
    assert_error(&srv.get(&format!("/api/customer/{a}"), Some(&bu)).await, 403, 20);
    assert_eq!(srv.get(&format!("/api/customer/{a}"), Some(&admin)).await.0, 200);
    srv.stop();
});
