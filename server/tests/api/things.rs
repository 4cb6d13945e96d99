//! Devices, assets, dashboards and edges through the REST API: CRUD, credentials, lists, groups and owners.

use crate::both;
use crate::customer_roles::{customer_user, group_id};
use crate::harness::*;
use serde_json::{Value, json};

fn id(v: &Value) -> String {
    id_of(v)
}

fn names(page: &Value) -> Vec<String> {
    names_of(page)
}

both!(device_lifecycle, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Plant").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@plant.io", "admin-password").await;

    let (s, d) = srv.post("/api/device", Some(&admin), json!({"name": "Pump 1", "type": "pump", "label": "L1"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["id"]["entityType"], "DEVICE");
    assert_eq!(d["tenantId"]["id"], tenant);
    assert_eq!(d["customerId"]["id"], "13814000-1dd2-11b2-8080-808080808080");
    assert_eq!(d["ownerId"]["entityType"], "TENANT");
    assert_eq!(d["deviceProfileId"]["entityType"], "DEVICE_PROFILE");
    assert_eq!(d["version"], 1);
    let pump = id(&d);

    // Credentials: a random 20-character access token, readable by the admin, replaceable, unique everywhere.
    let (s, c) = srv.get(&format!("/api/device/{pump}/credentials"), Some(&admin)).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["credentialsType"], "ACCESS_TOKEN");
    assert_eq!(c["credentialsId"].as_str().unwrap().len(), 20);
    assert_eq!(c["deviceId"]["id"], pump);
    let mut c2 = c.clone();
    c2["credentialsId"] = json!("pump-token-1");
    let (s, c3) = srv.post("/api/device/credentials", Some(&admin), c2.clone()).await;
    assert_eq!((s, &c3["credentialsId"]), (200, &json!("pump-token-1")), "{c3}");
    assert_error(&srv.post("/api/device/credentials", Some(&admin), c2).await, 409, 35);
    let (s, d2) = srv.post("/api/device?accessToken=pump-token-1", Some(&admin), json!({"name": "Pump 2"})).await;
    assert_eq!(s, 400, "a taken token is refused: {d2}");
    let (s, d2) = srv
        .post(
            "/api/device-with-credentials",
            Some(&admin),
            json!({"device": {"name": "Pump 2"}, "credentials": {"credentialsType": "ACCESS_TOKEN", "credentialsId": "pump-token-2"}}),
        )
        .await;
    assert_eq!(s, 200, "{d2}");
    assert_eq!(d2["type"], "default");
    let (_, c) = srv.get(&format!("/api/device/{}/credentials", id(&d2)), Some(&admin)).await;
    assert_eq!(c["credentialsId"], "pump-token-2");
    let db = srv.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device WHERE name = 'Pump 2'").fetch_one(&db).await.unwrap();
    assert_eq!(n, 1, "the refused create left nothing behind");

    // Names are unique per tenant (case-insensitive) unless the caller asks to uniquify.
    assert_error(&srv.post("/api/device", Some(&admin), json!({"name": "pump 1"})).await, 400, 30);
    let (s, u) = srv
        .post(
            "/api/device?nameConflictPolicy=UNIQUIFY&uniquifyStrategy=INCREMENTAL",
            Some(&admin),
            json!({"name": "Pump 1"}),
        )
        .await;
    assert_eq!((s, u["name"].as_str()), (200, Some("Pump 1_1")), "{u}");

    // Bad input: clear errors, nothing written.
    assert_error(&srv.post("/api/device", Some(&admin), json!({"type": "x"})).await, 400, 30);
    assert_error(&srv.post("/api/device", Some(&admin), json!({"name": "X", "additionalInfo": [1]})).await, 400, 30);
    assert_error(&srv.post_raw("/api/device", Some(&admin), "{\"name\": ").await, 400, 31);
    assert_error(
        &srv.post("/api/device", Some(&admin), json!({"name": "X", "id": {"entityType": "ASSET", "id": pump}})).await,
        400,
        31,
    );
    assert_error(&srv.post("/api/device?accessToken=a%20b", Some(&admin), json!({"name": "X"})).await, 400, 30);
    assert_error(&srv.get("/api/device/not-a-uuid", Some(&admin)).await, 400, 31);

    // Update with optimistic locking; the owner is not changed by editing customerId.
    let mut edit = d.clone();
    edit["label"] = json!("Basement");
    let (s, e) = srv.post("/api/device", Some(&admin), edit.clone()).await;
    assert_eq!((s, &e["label"], &e["version"]), (200, &json!("Basement"), &json!(2)), "{e}");
    assert_error(&srv.post("/api/device", Some(&admin), edit).await, 409, 35);
    let (_, info) = srv.get(&format!("/api/device/info/{pump}"), Some(&admin)).await;
    assert_eq!(info["ownerName"], "Plant");
    assert_eq!(info["groups"][0]["name"], "All");
    assert_eq!(info["active"], false);

    // Lists: paged, searched, typed, sorted.
    for i in 0..5 {
        srv.post("/api/device", Some(&admin), json!({"name": format!("Sensor {i}"), "type": "sensor"})).await;
    }
    let (_, page) = srv
        .get("/api/tenant/devices?pageSize=2&page=0&type=sensor&sortProperty=name&sortOrder=DESC", Some(&admin))
        .await;
    assert_eq!((page["totalElements"].as_i64(), page["hasNext"].as_bool()), (Some(5), Some(true)));
    assert_eq!(page["data"][0]["name"], "Sensor 4");
    let (_, page) = srv.get("/api/user/devices?pageSize=50&page=0&textSearch=PUMP", Some(&admin)).await;
    assert_eq!(names(&page), ["Pump 1", "Pump 1_1", "Pump 2"]);
    let (_, page) = srv.get("/api/deviceInfos/all?pageSize=50&page=0&textSearch=sensor%203", Some(&admin)).await;
    assert_eq!(page["data"][0]["ownerName"], "Plant");
    assert_eq!(names(&page), ["Sensor 3"]);
    let (_, by_name) = srv.get("/api/tenant/device?deviceName=sensor%202", Some(&admin)).await;
    assert_eq!(by_name["name"], "Sensor 2");
    assert_error(&srv.get("/api/tenant/device?deviceName=nope", Some(&admin)).await, 404, 32);
    let (_, list) = srv.get(&format!("/api/devices?deviceIds={pump},{}", id(&d2)), Some(&admin)).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_error(&srv.get("/api/tenant/devices?pageSize=0&page=0", Some(&admin)).await, 400, 30);
    assert_error(&srv.get("/api/tenant/devices?pageSize=5&page=0&sortProperty=secret", Some(&admin)).await, 400, 30);

    // Another tenant sees nothing of it.
    let other = srv.tenant(&sys, "Other").await;
    let intruder = srv.tenant_admin(&sys, &other, "admin@other.io", "admin-password").await;
    assert_error(&srv.get(&format!("/api/device/{pump}"), Some(&intruder)).await, 404, 32);
    assert_error(&srv.get(&format!("/api/device/{pump}/credentials"), Some(&intruder)).await, 404, 32);
    assert_error(&srv.delete(&format!("/api/device/{pump}"), Some(&intruder)).await, 404, 32);
    let (_, page) = srv.get("/api/tenant/devices?pageSize=50&page=0", Some(&intruder)).await;
    assert_eq!(page["totalElements"], 0);

    // Delete takes the credentials and memberships along.
    let (s, _) = srv.delete(&format!("/api/device/{pump}"), Some(&admin)).await;
    assert_eq!(s, 200);
    assert_error(&srv.get(&format!("/api/device/{pump}"), Some(&admin)).await, 404, 32);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_credentials WHERE device_id = $1")
        .bind(&pump)
        .fetch_one(&db)
        .await
        .unwrap();
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entity_group_member WHERE entity_id = $1")
        .bind(&pump)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((left, members), (0, 0));
    db.close().await;
});

both!(customers_own_things, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Estate").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@estate.io", "admin-password").await;
    let (_, a) = srv.post("/api/customer", Some(&admin), json!({"title": "Tenant A"})).await;
    let a = id(&a);
    let (_, a1) = srv
        .post(
            "/api/customer",
            Some(&admin),
            json!({"title": "A sub", "parentCustomerId": {"entityType": "CUSTOMER", "id": a}}),
        )
        .await;
    let a1 = id(&a1);
    let (_, b) = srv.post("/api/customer", Some(&admin), json!({"title": "Tenant B"})).await;
    let b = id(&b);
    let cust = |c: &str| json!({"entityType": "CUSTOMER", "id": c});

    // Created straight into customers (by customerId, or by a target group of theirs).
    let (s, da) = srv.post("/api/device", Some(&admin), json!({"name": "A meter", "customerId": cust(&a)})).await;
    assert_eq!(s, 200, "{da}");
    assert_eq!(da["ownerId"]["id"], a);
    let (_, g) = srv
        .post("/api/entityGroup", Some(&admin), json!({"name": "Sub meters", "type": "DEVICE", "ownerId": cust(&a1)}))
        .await;
    let g = id(&g);
    let (s, da1) =
        srv.post(&format!("/api/device?entityGroupId={g}"), Some(&admin), json!({"name": "Sub meter"})).await;
    assert_eq!(s, 200, "{da1}");
    assert_eq!(da1["customerId"]["id"], a1);
    let (s, _) = srv
        .post(
            &format!("/api/device?entityGroupId={g}"),
            Some(&admin),
            json!({"name": "Conflict", "customerId": cust(&b)}),
        )
        .await;
    assert_eq!(s, 400, "group and customer of different owners");
    let (_, db_) = srv.post("/api/device", Some(&admin), json!({"name": "B meter", "customerId": cust(&b)})).await;
    let (_, tenant_dev) = srv.post("/api/device", Some(&admin), json!({"name": "Tenant meter"})).await;

    // Customer lists: direct, or with sub-customers.
    let (_, page) = srv.get(&format!("/api/customer/{a}/devices?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(names(&page), ["A meter"]);
    let (_, page) =
        srv.get(&format!("/api/customer/{a}/deviceInfos?pageSize=10&page=0&includeCustomers=true"), Some(&admin)).await;
    assert_eq!(names(&page), ["A meter", "Sub meter"]);
    let (_, page) = srv.get("/api/deviceInfos/all?pageSize=10&page=0", Some(&admin)).await;
    assert_eq!(names(&page), ["Tenant meter"]);
    let (_, page) = srv.get("/api/deviceInfos/all?pageSize=10&page=0&includeCustomers=true", Some(&admin)).await;
    assert_eq!(page["totalElements"], 4);

    // A customer administrator of A sees A's subtree only, and may create there but not elsewhere.
    let a_admins = group_id(&srv, &a, "Customer Administrators").await;
    let ua = customer_user(&srv, &admin, &a, &a_admins, "boss@a.io").await;
    let (_, page) = srv.get("/api/user/devices?pageSize=10&page=0", Some(&ua)).await;
    assert_eq!(names(&page), ["A meter", "Sub meter"]);
    assert_error(&srv.get(&format!("/api/device/{}", id(&db_)), Some(&ua)).await, 403, 20);
    assert_error(&srv.get("/api/tenant/devices?pageSize=10&page=0", Some(&ua)).await, 403, 20);
    let (s, mine) = srv.post("/api/device", Some(&ua), json!({"name": "A new"})).await;
    assert_eq!((s, &mine["ownerId"]["id"]), (200, &json!(a)), "{mine}");
    assert_error(&srv.post("/api/device", Some(&ua), json!({"name": "Sneaky", "customerId": cust(&b)})).await, 403, 20);
    let (_, page) = srv.get("/api/deviceInfos/all?pageSize=10&page=0&includeCustomers=true", Some(&ua)).await;
    assert_eq!(page["totalElements"], 3);

    // A customer user (Customer Users group: read-only) reads but cannot write, delete or see credentials... of
    // its own customer's devices.
    let a_users = group_id(&srv, &a, "Customer Users").await;
    let ru = customer_user(&srv, &admin, &a, &a_users, "viewer@a.io").await;
    let (_, page) = srv.get("/api/user/devices?pageSize=10&page=0", Some(&ru)).await;
    assert_eq!(page["totalElements"], 3);
    let mut edit = da.clone();
    edit["label"] = json!("no");
    assert_error(&srv.post("/api/device", Some(&ru), edit).await, 403, 20);
    assert_error(&srv.delete(&format!("/api/device/{}", id(&da)), Some(&ru)).await, 403, 20);
    let (_, yes) = srv.get(&format!("/api/permission/DEVICE/{}/READ", id(&da)), Some(&ru)).await;
    let (_, no) = srv.get(&format!("/api/permission/DEVICE/{}/DELETE", id(&da)), Some(&ru)).await;
    assert_eq!((yes, no), (json!(true), json!(false)));

    // Owner changes: the tenant meter moves to B and back; it leaves its groups and joins the owner's "All".
    let tm = id(&tenant_dev);
    let r = srv.post(&format!("/api/owner/CUSTOMER/{b}/DEVICE/{tm}"), Some(&admin), json!([])).await;
    assert_eq!(r.0, 200, "{}", r.1);
    let (_, moved) = srv.get(&format!("/api/device/info/{tm}"), Some(&admin)).await;
    assert_eq!((&moved["ownerId"]["id"], &moved["ownerName"]), (&json!(b), &json!("Tenant B")));
    assert_eq!(moved["groups"].as_array().unwrap().len(), 1);
    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{b}/DEVICE/{tm}"), Some(&admin), json!([])).await, 400, 30);
    assert_error(&srv.post(&format!("/api/owner/CUSTOMER/{b}/DEVICE/{tm}"), Some(&ua), json!([])).await, 403, 20);
    let r = srv.post(&format!("/api/owner/TENANT/{tenant}/DEVICE/{tm}"), Some(&admin), json!([])).await;
    assert_eq!(r.0, 200, "{}", r.1);

    // Group lists and membership work for devices, owner-scoped.
    let r = srv.post(&format!("/api/entityGroup/{g}/addEntities"), Some(&admin), json!([tm])).await;
    assert_error(&r, 400, 31);
    let (_, members) = srv.get(&format!("/api/entityGroup/{g}/devices?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(names(&members), ["Sub meter"]);
    let (_, members) = srv.get(&format!("/api/entityGroup/{g}/entities?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(members["data"][0]["id"]["entityType"], "DEVICE");
    let (_, of) = srv.get(&format!("/api/entityGroups/DEVICE/{}", id(&da1)), Some(&admin)).await;
    assert_eq!(of.as_array().unwrap().len(), 2);
    assert_error(&srv.get(&format!("/api/entityGroup/{g}/assets?pageSize=10&page=0"), Some(&admin)).await, 400, 31);

    // Deleting A: its users go, its devices (and A sub with its own) return to the tenant.
    let (s, _) = srv.delete(&format!("/api/customer/{a}"), Some(&admin)).await;
    assert_eq!(s, 200);
    let (_, back) = srv.get(&format!("/api/device/info/{}", id(&da)), Some(&admin)).await;
    assert_eq!(back["ownerId"]["entityType"], "TENANT");
    assert_eq!(back["groups"][0]["name"], "All");
    let (_, page) = srv.get(&format!("/api/customer/{a1}/devices?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(names(&page), ["Sub meter"], "the sub-customer keeps what it owns");
});

both!(assets_dashboards_edges, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Fleet").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@fleet.io", "admin-password").await;
    let (_, c) = srv.post("/api/customer", Some(&admin), json!({"title": "Depot"})).await;
    let c = id(&c);

    let (s, a) = srv.post("/api/asset", Some(&admin), json!({"name": "Building 1", "type": "building"})).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["id"]["entityType"], "ASSET");
    assert_eq!(a["assetProfileId"]["entityType"], "ASSET_PROFILE");
    assert_error(&srv.post("/api/asset", Some(&admin), json!({"name": "BUILDING 1"})).await, 400, 30);
    let (_, page) = srv.get("/api/tenant/assets?pageSize=10&page=0&type=building", Some(&admin)).await;
    assert_eq!(names(&page), ["Building 1"]);
    let (_, info) = srv.get(&format!("/api/asset/info/{}", id(&a)), Some(&admin)).await;
    assert_eq!(info["ownerName"], "Fleet");
    let (_, by_name) = srv.get("/api/tenant/asset?assetName=building%201", Some(&admin)).await;
    assert_eq!(by_name["id"], a["id"]);

    // Dashboards keep their configuration as given; infos and lists leave it out; titles may repeat.
    let config = json!({"widgets": {"w1": {"type": "timeseries", "config": {"datasources": []}}}, "states": {"default": {"name": "Main"}}});
    let (s, d) = srv.post("/api/dashboard", Some(&admin), json!({"title": "Overview", "configuration": config})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!((&d["name"], &d["configuration"]), (&json!("Overview"), &config));
    let (s, _) = srv.post("/api/dashboard", Some(&admin), json!({"title": "Overview"})).await;
    assert_eq!(s, 200);
    let (_, full) = srv.get(&format!("/api/dashboard/{}", id(&d)), Some(&admin)).await;
    assert_eq!(full["configuration"], config);
    let (_, info) = srv.get(&format!("/api/dashboard/info/{}", id(&d)), Some(&admin)).await;
    assert!(info["configuration"].is_null());
    assert_eq!(info["groups"][0]["name"], "All");
    let (_, page) = srv.get("/api/tenant/dashboards?pageSize=10&page=0&sortProperty=title", Some(&admin)).await;
    assert_eq!(page["totalElements"], 2);
    assert!(page["data"][0]["configuration"].is_null());
    assert_error(
        &srv.post("/api/dashboard", Some(&admin), json!({"title": "Bad", "configuration": "x"})).await,
        400,
        30,
    );
    assert_error(&srv.post("/api/dashboard", Some(&admin), json!({"configuration": {}})).await, 400, 30);
    let r = srv.post(&format!("/api/owner/CUSTOMER/{c}/DASHBOARD/{}", id(&d)), Some(&admin), json!([])).await;
    assert_eq!(r.0, 200, "{}", r.1);
    let (_, page) = srv.get(&format!("/api/customer/{c}/dashboards?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(page["data"][0]["ownerName"], "Depot");

    // Edges: keys generated when missing, kept on update, the routing key unique everywhere.
    let (s, e) = srv.post("/api/edge", Some(&admin), json!({"name": "Site 1", "type": "gateway"})).await;
    assert_eq!(s, 200, "{e}");
    let key = e["routingKey"].as_str().unwrap().to_string();
    assert_eq!((key.len(), e["secret"].as_str().map(str::len)), (20, Some(20)));
    let mut edit = e.clone();
    edit["routingKey"] = Value::Null;
    edit["secret"] = Value::Null;
    edit["label"] = json!("North");
    let (s, e2) = srv.post("/api/edge", Some(&admin), edit).await;
    assert_eq!((s, &e2["routingKey"], &e2["secret"]), (200, &json!(key), &e["secret"]), "{e2}");
    let (s, dup) = srv.post("/api/edge", Some(&admin), json!({"name": "Site 2", "routingKey": key})).await;
    assert_eq!(s, 400, "{dup}");
    let (_, page) = srv.get("/api/edges?pageSize=10&page=0", Some(&admin)).await;
    assert_eq!(names(&page), ["Site 1"]);
    let (_, en) = srv.get("/api/edges/enabled", Some(&admin)).await;
    assert_eq!(en, json!(true));
    let r = srv.post(&format!("/api/owner/CUSTOMER/{c}/EDGE/{}", id(&e)), Some(&admin), json!([])).await;
    assert_eq!(r.0, 200, "{}", r.1);
    let (_, page) = srv.get(&format!("/api/customer/{c}/edgeInfos?pageSize=10&page=0"), Some(&admin)).await;
    assert_eq!(page["data"][0]["ownerName"], "Depot");
    let (_, page) = srv.get("/api/edgeInfos/all?pageSize=10&page=0&includeCustomers=true", Some(&admin)).await;
    assert_eq!(page["totalElements"], 1);
    let (s, _) = srv.delete(&format!("/api/edge/{}", id(&e)), Some(&admin)).await;
    assert_eq!(s, 200);
    let (s, _) = srv.post("/api/edge", Some(&admin), json!({"name": "Site 3", "routingKey": key})).await;
    assert_eq!(s, 200, "a deleted edge's routing key is free again");
});

both!(public_groups, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Museum").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@museum.io", "admin-password").await;
    let (_, g) =
        srv.post("/api/entityGroup", Some(&admin), json!({"name": "Lobby screens", "type": "DASHBOARD"})).await;
    let g = id(&g);
    let (s, _) = srv.post(&format!("/api/entityGroup/{g}/makePublic"), Some(&admin), json!({})).await;
    assert_eq!(s, 200);
    let (_, info) = srv.get(&format!("/api/entityGroup/{g}"), Some(&admin)).await;
    assert_eq!(info["additionalInfo"]["isPublic"], true);
    let public = info["additionalInfo"]["publicCustomerId"].as_str().unwrap().to_string();
    let (_, perms) = srv.get(&format!("/api/entityGroup/{g}/groupPermissions"), Some(&admin)).await;
    let public_perms: Vec<&Value> = perms.as_array().unwrap().iter().filter(|p| p["isPublic"] == true).collect();
    assert_eq!(public_perms.len(), 1, "{perms}");
    assert_eq!(public_perms[0]["role"]["name"], "Entity Group Public User");
    assert_error(&srv.post(&format!("/api/entityGroup/{g}/makePublic"), Some(&admin), json!({})).await, 400, 30);

    // The public customer is hidden from customer lists; a second public group reuses it.
    let (_, customers) = srv.get("/api/customers?pageSize=10&page=0", Some(&admin)).await;
    assert_eq!(customers["totalElements"], 0, "{customers}");
    let (_, g2) = srv.post("/api/entityGroup", Some(&admin), json!({"name": "Public sensors", "type": "DEVICE"})).await;
    let g2 = id(&g2);
    srv.post(&format!("/api/entityGroup/{g2}/makePublic"), Some(&admin), json!({})).await;
    let (_, info2) = srv.get(&format!("/api/entityGroup/{g2}"), Some(&admin)).await;
    assert_eq!(info2["additionalInfo"]["publicCustomerId"], public);

    let (s, _) = srv.post(&format!("/api/entityGroup/{g}/makePrivate"), Some(&admin), json!({})).await;
    assert_eq!(s, 200);
    let (_, info) = srv.get(&format!("/api/entityGroup/{g}"), Some(&admin)).await;
    assert_eq!(
        (&info["additionalInfo"]["isPublic"], &info["additionalInfo"]["publicCustomerId"]),
        (&json!(false), &json!(""))
    );
    let (_, perms) = srv.get(&format!("/api/entityGroup/{g}/groupPermissions"), Some(&admin)).await;
    assert!(perms.as_array().unwrap().iter().all(|p| p["isPublic"] != true), "{perms}");
    assert_error(&srv.post(&format!("/api/entityGroup/{g}/makePrivate"), Some(&admin), json!({})).await, 400, 30);

    // Only groups of the caller's own owner, and only of public-able types.
    let (_, users) = srv.get("/api/entityGroups/USER?pageSize=10&page=0", Some(&admin)).await;
    let ug = id(&users["data"][0]);
    assert_error(&srv.post(&format!("/api/entityGroup/{ug}/makePublic"), Some(&admin), json!({})).await, 400, 30);
    let (_, c) = srv.post("/api/customer", Some(&admin), json!({"title": "Visitor office"})).await;
    let c = id(&c);
    let admins = group_id(&srv, &c, "Customer Administrators").await;
    let ca = customer_user(&srv, &admin, &c, &admins, "office@museum.io").await;
    let (s, _) = srv.post(&format!("/api/entityGroup/{g}/makePublic"), Some(&ca), json!({})).await;
    assert!(s == 403 || s == 404, "{s}");

    // A customer's own public group gives it a public customer of its own, which goes when the customer goes
    // (rather than moving up next to the tenant's).
    let (_, cg) = srv.post("/api/entityGroup", Some(&ca), json!({"name": "Office screens", "type": "DASHBOARD"})).await;
    let (s, made) = srv.post(&format!("/api/entityGroup/{}/makePublic", id(&cg)), Some(&ca), json!({})).await;
    assert_eq!(s, 200, "{made}");
    let db = srv.db().await;
    let publics = || {
        let db = db.clone();
        async move {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM customer WHERE is_public = 1").fetch_one(&db).await.unwrap();
            n
        }
    };
    assert_eq!(publics().await, 2);
    let (s, _) = srv.delete(&format!("/api/customer/{c}"), Some(&admin)).await;
    assert_eq!(s, 200);
    assert_eq!(publics().await, 1);
    let (_, info) = srv.get(&format!("/api/entityGroup/{g2}"), Some(&admin)).await;
    assert_eq!(info["additionalInfo"]["publicCustomerId"], public, "the tenant's public customer stays");
    db.close().await;
});

both!(search_follows_renames_and_deletes, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Search").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@search.io", "admin-password").await;
    let find = |text: &'static str| {
        let (srv, admin) = (&srv, &admin);
        async move {
            let q = format!("/api/tenant/devices?pageSize=50&page=0&sortProperty=name&textSearch={text}");
            let (s, page) = srv.get(&q, Some(admin)).await;
            assert_eq!(s, 200, "{page}");
            assert_eq!(page["totalElements"].as_u64().unwrap() as usize, names(&page).len());
            names(&page)
        }
    };
    let (_, a) = srv.post("/api/device", Some(&admin), json!({"name": "Boiler \"North\" 100%"})).await;
    srv.post("/api/device", Some(&admin), json!({"name": "Chiller_7"})).await;
    srv.post("/api/device", Some(&admin), json!({"name": "Chiller 77"})).await;
    assert_eq!(find("north").await, ["Boiler \"North\" 100%"]);
    assert_eq!(find("%22north%22").await, ["Boiler \"North\" 100%"], "quotes are plain text");
    assert_eq!(find("100%25").await, ["Boiler \"North\" 100%"], "% is plain text");
    assert_eq!(find("r_7").await, ["Chiller_7"], "_ is plain text");
    assert_eq!(find("77").await, ["Chiller 77"], "two characters still search");
    assert_eq!(find("hill").await, ["Chiller 77", "Chiller_7"]);
    assert!(find("nothing-like-it").await.is_empty());
    // With statistics PostgreSQL probes the index with the stretch of text rarest among sampled names and checks the
    // whole text on what it finds: the answers must not change (ANALYZE is SQLite too).
    sqlx::query("ANALYZE device").execute(&srv.db().await).await.unwrap();
    assert_eq!(find("boiler%20%22north%22%20100").await, ["Boiler \"North\" 100%"]);
    assert_eq!(find("chiller%2077").await, ["Chiller 77"]);
    assert_eq!(find("chiller%207").await, ["Chiller 77"]);
    assert_eq!(find("hiller").await, ["Chiller 77", "Chiller_7"]);
    assert!(find("chiller%2078").await.is_empty());

    // A rename moves the entry, a delete removes it.
    let mut edit = a.clone();
    edit["name"] = json!("Furnace South");
    let (s, e) = srv.post("/api/device", Some(&admin), edit).await;
    assert_eq!(s, 200, "{e}");
    assert!(find("north").await.is_empty());
    assert_eq!(find("furnace").await, ["Furnace South"]);
    srv.delete(&format!("/api/device/{}", id(&a)), Some(&admin)).await;
    assert!(find("furnace").await.is_empty());

    // Unfiltered totals come from the kept subtree counts and follow moves between owners.
    let (_, c) = srv.post("/api/customer", Some(&admin), json!({"title": "Shop"})).await;
    let (_, sub) =
        srv.post("/api/customer", Some(&admin), json!({"title": "Shop floor", "parentCustomerId": c["id"]})).await;
    let chiller = srv.get("/api/tenant/device?deviceName=Chiller_7", Some(&admin)).await.1;
    let (s, _) =
        srv.post(&format!("/api/owner/CUSTOMER/{}/DEVICE/{}", id(&sub), id(&chiller)), Some(&admin), json!([])).await;
    assert_eq!(s, 200);
    let total = |path: String| {
        let (srv, admin) = (&srv, &admin);
        async move { srv.get(&path, Some(admin)).await.1["totalElements"].as_i64().unwrap() }
    };
    assert_eq!(total("/api/tenant/devices?pageSize=1&page=0".into()).await, 2);
    assert_eq!(total(format!("/api/customer/{}/devices?pageSize=1&page=0", id(&sub))).await, 1);
    // A customer administrator's totals: its subtree, and only the matches when it searches or filters by type.
    let admins = group_id(&srv, &id(&sub), "Customer Administrators").await;
    let floor = customer_user(&srv, &admin, &id(&sub), &admins, "floor@search.io").await;
    srv.post("/api/device", Some(&floor), json!({"name": "Floor fan", "type": "fan"})).await;
    let totals = |q: &'static str| {
        let (srv, floor) = (&srv, &floor);
        async move { srv.get(q, Some(floor)).await.1["totalElements"].as_i64().unwrap() }
    };
    assert_eq!(totals("/api/user/devices?pageSize=1&page=0").await, 2);
    assert_eq!(totals("/api/user/devices?pageSize=1&page=0&textSearch=fan").await, 1);
    assert_eq!(totals("/api/user/devices?pageSize=1&page=0&textSearch=zzz").await, 0);
    assert_eq!(totals("/api/user/devices?pageSize=1&page=0&type=fan").await, 1);
    let (s, _) = srv.delete(&format!("/api/customer/{}", id(&c)), Some(&admin)).await;
    assert_eq!(s, 200);
    assert_eq!(total(format!("/api/customer/{}/devices?pageSize=1&page=0", id(&sub))).await, 2);
    assert_eq!(total("/api/tenant/devices?pageSize=1&page=0".into()).await, 3);
});
