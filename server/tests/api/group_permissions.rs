//! Roles and group permissions through the REST API: validation, revocation on the next request, sharing a
//! group through a Group role, and the caller's merged permissions.

use crate::both;
use crate::customer_roles::{customer_user, group_id};
use crate::harness::*;
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

both!(roles_and_group_permissions, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Campus").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@campus.io", "admin-password").await;
    let mk = |title: &str| json!({"title": title});
    let a = srv.post("/api/customer", Some(&admin), mk("A")).await.1["id"]["id"].as_str().unwrap().to_string();
    let b = srv.post("/api/customer", Some(&admin), mk("B")).await.1["id"]["id"].as_str().unwrap().to_string();
    let sub = json!({"title": "A1", "parentCustomerId": {"entityType": "CUSTOMER", "id": a}});
    assert_eq!(srv.post("/api/customer", Some(&admin), sub).await.0, 200);
    let a_children = format!("/api/customer/{a}/customerInfos?pageSize=5&page=0");

    // Validation by role type.
    let site_manager = json!({"name": "Site Manager", "type": "GENERIC",
        "permissions": {"DEVICE": ["ALL"], "CUSTOMER": ["READ"]}, "excludedPermissions": {"DEVICE": ["DELETE"]}});
    let (s, sm) = srv.post("/api/role", Some(&admin), site_manager).await;
    assert_eq!(s, 200, "{sm}");
    assert_eq!(sm["id"]["entityType"], "ROLE");
    assert_eq!(sm["ownerId"]["entityType"], "TENANT");
    let (s, viewer) =
        srv.post("/api/role", Some(&admin), json!({"name": "Viewer", "type": "GROUP", "permissions": ["READ"]})).await;
    assert_eq!(s, 200, "{viewer}");
    for bad in [
        json!({"name": "x", "type": "GENERIC", "permissions": {"ASSET": ["RPC_CALL"]}}),
        json!({"name": "x", "type": "GENERIC", "permissions": {"GALAXY": ["READ"]}}),
        json!({"name": "x", "type": "GROUP", "permissions": ["CHANGE_OWNER"]}),
        json!({"name": "x", "type": "GROUP", "permissions": ["READ"], "excludedPermissions": {"DEVICE": ["READ"]}}),
        json!({"type": "GROUP", "permissions": ["READ"]}),
    ] {
        assert_error(&srv.post("/api/role", Some(&admin), bad.clone()).await, 400, 30);
    }
    let (_, generic) = srv.get("/api/roles?pageSize=50&page=0&type=GENERIC&sortProperty=name", Some(&admin)).await;
    // The tenant owns one pair of customer roles for its top-level customers, and A owns one for its sub-customer.
    let expected = ["Customer Administrator", "Customer Administrator", "Customer User", "Customer User"];
    assert_eq!(ids(&generic)[..4], expected);
    assert_eq!(ids(&generic)[4..], ["Site Manager", "Tenant Administrator", "Tenant User"]);
    let (_, group) = srv.get("/api/roles?pageSize=50&page=0&type=GROUP", Some(&admin)).await;
    assert_eq!(ids(&group), ["Viewer"]);
    let (s, found) = srv.get("/api/roles?pageSize=50&page=0&textSearch=MANAG", Some(&admin)).await;
    assert_eq!((s, ids(&found)), (200, vec!["Site Manager".to_string()]), "{found}");
    let (_, none) = srv.get("/api/roles?pageSize=50&page=0&textSearch=%25", Some(&admin)).await;
    assert_eq!(none["totalElements"], 0, "LIKE wildcards in the search are literal");

    // A customer user of A reads A's tree through the predefined Customer User role...
    let a_users = group_id(&srv, &a, "Customer Users").await;
    let cu = customer_user(&srv, &admin, &a, &a_users, "cu@a.io").await;
    assert_eq!(srv.get(&format!("/api/customer/{a}"), Some(&cu)).await.0, 200);
    let (_, perms) = srv.get(&format!("/api/userGroup/{a_users}/groupPermissions"), Some(&admin)).await;
    let perms = perms.as_array().unwrap().clone();
    assert_eq!(perms.len(), 1);
    assert_eq!(perms[0]["role"]["name"], "Customer User");
    assert_eq!(perms[0]["userGroupName"], "Customer Users");
    let gp = perms[0]["id"]["id"].as_str().unwrap().to_string();
    let user_role = perms[0]["roleId"].clone();
    let (_, allowed) = srv.get("/api/permissions/allowedPermissions", Some(&cu)).await;
    assert_eq!(allowed["userOwnerId"], json!({"entityType": "CUSTOMER", "id": a}));
    assert!(allowed["userPermissions"]["genericPermissions"]["ALL"].as_array().unwrap().contains(&json!("READ")));
    assert!(allowed["operationsByResource"]["DEVICE"].as_array().unwrap().contains(&json!("RPC_CALL")));
    assert!(allowed["allowedResources"].as_array().unwrap().contains(&json!("CUSTOMER")));

    assert_eq!(srv.get(&a_children, Some(&cu)).await.1["totalElements"], 1);
    // ...and loses it on the very next request once the permission is revoked (its own customer stays readable).
    assert_eq!(srv.delete(&format!("/api/groupPermission/{gp}"), Some(&admin)).await.0, 200);
    assert_eq!(srv.get(&a_children, Some(&cu)).await.1["totalElements"], 0);
    let (_, none) = srv.get("/api/customerInfos/all?pageSize=5&page=0", Some(&cu)).await;
    assert_eq!(none["totalElements"], 0);
    let regrant = json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": a_users}, "roleId": user_role});
    let (s, back) = srv.post("/api/groupPermission", Some(&admin), regrant.clone()).await;
    assert_eq!(s, 200, "{back}");
    assert!(back["name"].as_str().unwrap().starts_with("GENERIC_"));
    assert_error(&srv.post("/api/groupPermission", Some(&admin), regrant).await, 400, 30);
    assert_eq!(srv.get(&a_children, Some(&cu)).await.1["totalElements"], 1);

    // A Group role shares the tenant's customer group ("All" customers) read-only with B's users.
    let b_users = group_id(&srv, &b, "Customer Users").await;
    let bu = customer_user(&srv, &admin, &b, &b_users, "bu@b.io").await;
    assert_eq!(srv.get(&format!("/api/permission/CUSTOMER/{a}/READ"), Some(&bu)).await.1, json!(false));
    let db = srv.db().await;
    let tenant_customers: String =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'CUSTOMER'")
            .bind(&tenant)
            .fetch_one(&db)
            .await
            .unwrap();
    db.close().await;
    let share = json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "roleId": viewer["id"],
                       "entityGroupId": {"entityType": "ENTITY_GROUP", "id": tenant_customers}});
    let (s, shared) = srv.post("/api/groupPermission", Some(&admin), share).await;
    assert_eq!(s, 200, "{shared}");
    assert_eq!(shared["entityGroupType"], "CUSTOMER");
    assert_eq!(srv.get(&format!("/api/permission/CUSTOMER/{a}/READ"), Some(&bu)).await.1, json!(true));
    assert_eq!(srv.get(&format!("/api/permission/CUSTOMER/{a}/WRITE"), Some(&bu)).await.1, json!(false));
    assert_eq!(srv.get(&format!("/api/customer/{a}"), Some(&bu)).await.0, 200);
    let mut edit = srv.get(&format!("/api/customer/{a}"), Some(&bu)).await.1;
    edit["city"] = json!("Nope");
    assert_error(&srv.post("/api/customer", Some(&bu), edit).await, 403, 20);
    let (_, bu_allowed) = srv.get("/api/permissions/allowedPermissions", Some(&bu)).await;
    assert_eq!(bu_allowed["userPermissions"]["groupPermissions"][&tenant_customers]["operations"], json!(["READ"]));

    // Binding rules.
    let generic_on_group = json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "roleId": sm["id"],
                                  "entityGroupId": {"entityType": "ENTITY_GROUP", "id": tenant_customers}});
    assert_error(&srv.post("/api/groupPermission", Some(&admin), generic_on_group).await, 400, 30);
    let group_without = json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "roleId": viewer["id"]});
    assert_error(&srv.post("/api/groupPermission", Some(&admin), group_without).await, 400, 30);
    let not_user_group =
        json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": tenant_customers}, "roleId": sm["id"]});
    assert_error(&srv.post("/api/groupPermission", Some(&admin), not_user_group).await, 400, 30);
    // Customer users cannot hand out permissions, nor check across tenants.
    let self_grant = json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": b_users}, "roleId": sm["id"]});
    assert_error(&srv.post("/api/groupPermission", Some(&bu), self_grant).await, 403, 20);
    assert_error(
        &srv.get("/api/permission/GALAXY/6a1e2b9c-0000-4000-8000-000000000000/READ", Some(&bu)).await,
        400,
        31,
    );

    // Deleting a role removes its bindings: B's users lose the shared group at once.
    assert_eq!(srv.delete(&format!("/api/role/{}", viewer["id"]["id"].as_str().unwrap()), Some(&admin)).await.0, 200);
    assert_error(&srv.get(&format!("/api/customer/{a}"), Some(&bu)).await, 403, 20);
    srv.stop();
});
