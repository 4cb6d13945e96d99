//! Sharing entity groups: read-only or write to a user group or an owner's "All" users, and sharing down.

use crate::both;
use crate::customer_roles::{customer_user, group_id};
use crate::harness::*;
use serde_json::json;

both!(sharing_groups_with_customers, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Building").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@building.io", "admin-password").await;
    let new_customer = |title: &str, parent: Option<&str>| {
        let mut b = json!({"title": title});
        if let Some(p) = parent {
            b["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": p});
        }
        b
    };
    let mut ids = std::collections::HashMap::new();
    for (t, parent) in [("A", None), ("B", None)] {
        let (_, c) = srv.post("/api/customer", Some(&admin), new_customer(t, parent)).await;
        ids.insert(t, c["id"]["id"].as_str().unwrap().to_string());
    }
    let (a, b) = (ids["A"].clone(), ids["B"].clone());
    let (_, g) =
        srv.post("/api/entityGroup", Some(&admin), json!({"name": "Shared offices", "type": "CUSTOMER"})).await;
    let gid = g["id"]["id"].as_str().unwrap().to_string();
    assert_eq!(srv.post(&format!("/api/entityGroup/{gid}/addEntities"), Some(&admin), json!([a])).await.0, 200);
    let b_users = group_id(&srv, &b, "Customer Users").await;
    let bu = customer_user(&srv, &admin, &b, &b_users, "bu@b.io").await;
    assert_error(&srv.get(&format!("/api/customer/{a}"), Some(&bu)).await, 403, 20);

    // Read-only to B's "Customer Users".
    let read = json!({"allUserGroup": false, "userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "readElseWrite": true});
    assert_eq!(srv.post(&format!("/api/entityGroup/{gid}/share"), Some(&admin), read.clone()).await.0, 200);
    assert_eq!(
        srv.post(&format!("/api/entityGroup/{gid}/share"), Some(&admin), read).await.0,
        200,
        "sharing twice is harmless"
    );
    assert_eq!(srv.get(&format!("/api/customer/{a}"), Some(&bu)).await.0, 200);
    // The explainer names the chain, and agrees with the real check for every operation.
    let bu_id = srv.get("/api/auth/user", Some(&bu)).await.1["id"]["id"].as_str().unwrap().to_string();
    let explain =
        |op: &str| format!("/api/thingdeck/explain?userId={bu_id}&entityType=CUSTOMER&entityId={a}&operation={op}");
    let (s, why) = srv.get(&explain("READ"), Some(&admin)).await;
    assert_eq!(s, 200, "{why}");
    assert_eq!(why["allowed"], true);
    assert_eq!(why["grants"][0]["via"], "GROUP");
    assert_eq!(why["grants"][0]["scopeName"], "Shared offices");
    assert_eq!(why["grants"][0]["roleName"], "Entity Group Read-only User");
    assert_eq!(why["grants"][0]["userGroupName"], "Customer Users");
    for op in ["READ", "WRITE", "DELETE", "CHANGE_OWNER"] {
        let (_, why) = srv.get(&explain(op), Some(&admin)).await;
        let (_, real) = srv.get(&format!("/api/permission/CUSTOMER/{a}/{op}"), Some(&bu)).await;
        assert_eq!(why["allowed"], real, "{op}: {why}");
    }
    let (_, why_not) = srv.get(&explain("WRITE"), Some(&admin)).await;
    assert!(why_not["missing"].as_str().unwrap().contains("outside the user's owner subtree"), "{why_not}");
    let (_, own) = srv
        .get(
            &format!("/api/thingdeck/explain?userId={bu_id}&entityType=CUSTOMER&entityId={b}&operation=READ"),
            Some(&bu),
        )
        .await;
    assert_eq!(own["grants"][0]["via"], "OWN_CUSTOMER", "users may ask about themselves: {own}");
    assert_error(
        &srv.get(
            &format!("/api/thingdeck/explain?userId={bu_id}&entityType=CUSTOMER&entityId={a}&operation=FLY"),
            Some(&admin),
        )
        .await,
        400,
        31,
    );
    let mut edit = srv.get(&format!("/api/customer/{a}"), Some(&bu)).await.1;
    edit["city"] = json!("Changed");
    assert_error(&srv.post("/api/customer", Some(&bu), edit.clone()).await, 403, 20);
    let (_, perms) = srv.get(&format!("/api/entityGroup/{gid}/groupPermissions"), Some(&admin)).await;
    assert_eq!(perms.as_array().unwrap().len(), 1);
    assert_eq!(perms[0]["role"]["name"], "Entity Group Read-only User");
    assert_eq!(perms[0]["role"]["type"], "GROUP");

    // Write to every user of B (its "All" users group).
    let write = json!({"allUserGroup": true, "ownerId": {"entityType": "CUSTOMER", "id": b}, "readElseWrite": false});
    assert_eq!(srv.post(&format!("/api/entityGroup/{gid}/share"), Some(&admin), write).await.0, 200);
    assert_eq!(srv.post("/api/customer", Some(&bu), edit).await.0, 200);
    assert_error(&srv.delete(&format!("/api/customer/{a}"), Some(&bu)).await, 403, 20);
    // Revoking is deleting the permission.
    let (_, perms) = srv.get(&format!("/api/entityGroup/{gid}/groupPermissions"), Some(&admin)).await;
    for p in perms.as_array().unwrap() {
        assert_eq!(
            srv.delete(&format!("/api/groupPermission/{}", p["id"]["id"].as_str().unwrap()), Some(&admin)).await.0,
            200
        );
    }
    assert_error(&srv.get(&format!("/api/customer/{a}"), Some(&bu)).await, 403, 20);
    // Only a tenant's or customer's staff with rights share; B's user cannot share the group onwards.
    let again = json!({"allUserGroup": false, "userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}});
    assert_error(&srv.post(&format!("/api/entityGroup/{gid}/share"), Some(&bu), again).await, 403, 20);
    let user_group = json!({"allUserGroup": false, "userGroupId": {"entityType": "ENTITY_GROUP", "id": gid}});
    assert_error(&srv.post(&format!("/api/entityGroup/{gid}/share"), Some(&admin), user_group).await, 400, 30);

    // Sharing down: A's administrator shares a group of A's sub-customers with one sub-customer's users.
    let (_, a1) = srv.post("/api/customer", Some(&admin), new_customer("A1", Some(&a))).await;
    let (_, a2) = srv.post("/api/customer", Some(&admin), new_customer("A2", Some(&a))).await;
    let (a1, a2) = (a1["id"]["id"].as_str().unwrap().to_string(), a2["id"]["id"].as_str().unwrap().to_string());
    let a_admins = group_id(&srv, &a, "Customer Administrators").await;
    let ca = customer_user(&srv, &admin, &a, &a_admins, "head@a.io").await;
    let (s, sites) = srv.post("/api/entityGroup", Some(&ca), json!({"name": "Sites", "type": "CUSTOMER"})).await;
    assert_eq!(s, 200, "{sites}");
    assert_eq!(sites["ownerId"]["id"], a);
    let sites_id = sites["id"]["id"].as_str().unwrap().to_string();
    assert_eq!(srv.post(&format!("/api/entityGroup/{sites_id}/addEntities"), Some(&ca), json!([a2])).await.0, 200);
    let (_, viewer) = srv
        .post("/api/role", Some(&ca), json!({"name": "Site viewer", "type": "GROUP", "permissions": ["READ"]}))
        .await;
    assert_eq!(viewer["ownerId"]["id"], a, "a customer's roles belong to the customer");
    let a1_users = group_id(&srv, &a1, "Customer Users").await;
    let a1u = customer_user(&srv, &admin, &a1, &a1_users, "u@a1.io").await;
    assert_error(&srv.get(&format!("/api/customer/{a2}"), Some(&a1u)).await, 403, 20);
    let role = viewer["id"]["id"].as_str().unwrap();
    assert_eq!(
        srv.post(&format!("/api/entityGroup/{sites_id}/{a1_users}/{role}/share"), Some(&ca), json!({})).await.0,
        200
    );
    assert_eq!(srv.get(&format!("/api/customer/{a2}"), Some(&a1u)).await.0, 200);
    // B's users are outside A's subtree: A's administrator cannot share with them.
    assert_error(
        &srv.post(&format!("/api/entityGroup/{sites_id}/{b_users}/{role}/share"), Some(&ca), json!({})).await,
        403,
        20,
    );
    srv.stop();
});

both!(a_shared_groups_new_members_are_seen_at_once, |store| async move {
    // Checks look shared groups' members up in memory; a device created straight into a shared group (no service
    // bumps an epoch for that, a database trigger does) must be readable by the share's users on the next request.
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Lobby").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@lobby.io", "admin-password").await;
    let (_, b) = srv.post("/api/customer", Some(&admin), json!({"title": "B"})).await;
    let b = b["id"]["id"].as_str().unwrap().to_string();
    let b_users = group_id(&srv, &b, "Customer Users").await;
    let bu = customer_user(&srv, &admin, &b, &b_users, "bu@lobby.io").await;
    let (_, g) = srv.post("/api/entityGroup", Some(&admin), json!({"name": "Lobby sensors", "type": "DEVICE"})).await;
    let gid = g["id"]["id"].as_str().unwrap().to_string();
    let create = |name: &'static str, group: bool| {
        let (srv, admin, gid) = (&srv, &admin, &gid);
        async move {
            let path = if group { format!("/api/device?entityGroupId={gid}") } else { "/api/device".to_string() };
            let (s, d) = srv.post(&path, Some(admin), json!({"name": name})).await;
            assert_eq!(s, 200, "{d}");
            d["id"]["id"].as_str().unwrap().to_string()
        }
    };
    let first = create("Lobby 1", true).await;
    let read = json!({"allUserGroup": false, "userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "readElseWrite": true});
    assert_eq!(srv.post(&format!("/api/entityGroup/{gid}/share"), Some(&admin), read).await.0, 200);
    assert_eq!(srv.get(&format!("/api/device/{first}"), Some(&bu)).await.0, 200);
    let second = create("Lobby 2", true).await;
    assert_eq!(srv.get(&format!("/api/device/{second}"), Some(&bu)).await.0, 200, "new member seen at once");
    let outside = create("Back office", false).await;
    assert_error(&srv.get(&format!("/api/device/{outside}"), Some(&bu)).await, 403, 20);
    // Leaving the group (here: deletion of the first member) is seen at once too, and the list agrees.
    assert_eq!(srv.delete(&format!("/api/device/{first}"), Some(&admin)).await.0, 200);
    let (_, page) = srv.get("/api/user/devices?pageSize=10&page=0", Some(&bu)).await;
    assert_eq!(names_of(&page), ["Lobby 2"]);
    let body = json!([second]);
    assert_eq!(srv.post(&format!("/api/entityGroup/{gid}/deleteEntities"), Some(&admin), body).await.0, 200);
    assert_error(&srv.get(&format!("/api/device/{second}"), Some(&bu)).await, 403, 20);
    srv.stop();
});
