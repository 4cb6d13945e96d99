//! The two reference scenarios through REST: ThingsBoard's "share a dashboard with customers" lesson (two
//! customers renting offices in one building) and the four-tier school hierarchy.

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

fn cust(c: &str) -> Value {
    json!({"entityType": "CUSTOMER", "id": c})
}

both!(office_rental, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Building Owner").await;
    let admin = srv.tenant_admin(&sys, &tenant, "owner@building.io", "owner-password").await;
    let (_, a) = srv.post("/api/customer", Some(&admin), json!({"title": "Office A"})).await;
    let (_, b) = srv.post("/api/customer", Some(&admin), json!({"title": "Office B"})).await;
    let (a, b) = (id(&a), id(&b));

    // The building belongs to the tenant; each office and its thermostat to the renting customer.
    let (_, building_group) =
        srv.post("/api/entityGroup", Some(&admin), json!({"name": "Building", "type": "ASSET"})).await;
    let building_group = id(&building_group);
    let (_, building) = srv
        .post(
            &format!("/api/asset?entityGroupId={building_group}"),
            Some(&admin),
            json!({"name": "Building 1", "type": "building"}),
        )
        .await;
    let (_, office_a) =
        srv.post("/api/asset", Some(&admin), json!({"name": "Office A room", "customerId": cust(&a)})).await;
    let (_, office_b) =
        srv.post("/api/asset", Some(&admin), json!({"name": "Office B room", "customerId": cust(&b)})).await;
    let (_, therm_a) =
        srv.post("/api/device", Some(&admin), json!({"name": "Thermostat A", "customerId": cust(&a)})).await;
    let (_, therm_b) =
        srv.post("/api/device", Some(&admin), json!({"name": "Thermostat B", "customerId": cust(&b)})).await;
    let (_, meter) = srv.post("/api/device", Some(&admin), json!({"name": "Main meter"})).await;

    // One dashboard shows the building and both offices' thermostats; its group is shared read-only with both.
    let alias = |t: &str, v: &Value| json!({"filter": {"type": "singleEntity", "singleEntity": {"entityType": t, "id": id(v)}}});
    let config = json!({"entityAliases": {
        "b": alias("ASSET", &building), "ta": alias("DEVICE", &therm_a), "tb": alias("DEVICE", &therm_b), "m": alias("DEVICE", &meter)
    }});
    let (_, dash_group) =
        srv.post("/api/entityGroup", Some(&admin), json!({"name": "Tenant dashboards", "type": "DASHBOARD"})).await;
    let dash_group = id(&dash_group);
    let (s, dash) = srv
        .post(
            &format!("/api/dashboard?entityGroupId={dash_group}"),
            Some(&admin),
            json!({"title": "Building", "configuration": config}),
        )
        .await;
    assert_eq!(s, 200, "{dash}");
    let mut warnings = Vec::new();
    for c in [&a, &b] {
        let users = group_id(&srv, c, "Customer Users").await;
        for g in [&building_group, &dash_group] {
            let (s, body) = srv
                .post(
                    &format!("/api/entityGroup/{g}/share"),
                    Some(&admin),
                    json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": users}, "readElseWrite": true}),
                )
                .await;
            assert_eq!(s, 200, "{body}");
            if g == &dash_group {
                warnings.push(body["shareWarnings"].clone());
            }
        }
    }
    // The share warning names what each customer's users will not see on the shared dashboard.
    let unreadable = |w: &Value| -> Vec<String> {
        let mut v: Vec<String> =
            w[0]["unreadable"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().into()).collect();
        v.sort();
        v
    };
    assert_eq!(warnings[0][0]["dashboardTitle"], "Building");
    assert_eq!(unreadable(&warnings[0]), ["Main meter", "Thermostat B"]);
    assert_eq!(unreadable(&warnings[1]), ["Main meter", "Thermostat A"]);
    let users_a = group_id(&srv, &a, "Customer Users").await;
    let (_, check) = srv
        .get(&format!("/api/thingdeck/shareWarnings?entityGroupId={dash_group}&userGroupId={users_a}"), Some(&admin))
        .await;
    assert_eq!(unreadable(&check), ["Main meter", "Thermostat B"]);
    assert_error(
        &srv.get(
            &format!("/api/thingdeck/shareWarnings?entityGroupId={building_group}&userGroupId={users_a}"),
            Some(&admin),
        )
        .await,
        400,
        30,
    );

    // Each customer's user sees the building, its own office and thermostat, the dashboard — nothing of the other.
    let ua = customer_user(&srv, &admin, &a, &users_a, "alice@office-a.io").await;
    let users_b = group_id(&srv, &b, "Customer Users").await;
    let ub = customer_user(&srv, &admin, &b, &users_b, "bob@office-b.io").await;
    for (who, mine, theirs, room) in
        [(&ua, &therm_a, &therm_b, "Office A room"), (&ub, &therm_b, &therm_a, "Office B room")]
    {
        let (_, devices) = srv.get("/api/user/devices?pageSize=10&page=0", Some(who)).await;
        assert_eq!(names(&devices), [mine["name"].as_str().unwrap()]);
        let (_, assets) = srv.get("/api/user/assets?pageSize=10&page=0", Some(who)).await;
        assert_eq!(names(&assets), ["Building 1", room]);
        let (_, dashboards) = srv.get("/api/user/dashboards?pageSize=10&page=0", Some(who)).await;
        assert_eq!(names(&dashboards), ["Building"]);
        let (s, full) = srv.get(&format!("/api/dashboard/{}", id(&dash)), Some(who)).await;
        assert_eq!((s, full["configuration"]["entityAliases"]["b"].is_object()), (200, true));
        assert_error(&srv.get(&format!("/api/device/{}", id(theirs)), Some(who)).await, 403, 20);
        assert_error(&srv.get(&format!("/api/device/{}", id(&meter)), Some(who)).await, 403, 20);
        let mut edit = building.clone();
        edit["label"] = json!("mine now");
        assert_error(&srv.post("/api/asset", Some(who), edit).await, 403, 20);
        assert_error(&srv.delete(&format!("/api/dashboard/{}", id(&dash)), Some(who)).await, 403, 20);
    }
    let _ = (office_a, office_b);

    // Revoking B's dashboard share takes effect on the next request.
    let (_, perms) = srv.get(&format!("/api/userGroup/{users_b}/groupPermissions"), Some(&admin)).await;
    let dash_perm = perms.as_array().unwrap().iter().find(|p| p["entityGroupId"]["id"] == dash_group).unwrap().clone();
    let (s, _) = srv.delete(&format!("/api/groupPermission/{}", id(&dash_perm)), Some(&admin)).await;
    assert_eq!(s, 200);
    let (_, dashboards) = srv.get("/api/user/dashboards?pageSize=10&page=0", Some(&ub)).await;
    assert_eq!(dashboards["totalElements"], 0);
});

both!(school_hierarchy, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "EduIoT").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@eduiot.io", "admin-password").await;
    let (_, school) = srv.post("/api/customer", Some(&admin), json!({"title": "Springfield School"})).await;
    let school = id(&school);
    let (_, sensor) =
        srv.post("/api/device", Some(&admin), json!({"name": "Classroom sensor", "customerId": cust(&school)})).await;
    let (_, dash) =
        srv.post("/api/dashboard", Some(&admin), json!({"title": "Classrooms", "customerId": cust(&school)})).await;
    let (sensor_id, dash_id) = (id(&sensor), id(&dash));

    // Three custom roles and user groups below the tenant administrator.
    let role = |name: &str, perms: Value, excluded: Value| json!({"name": name, "type": "GENERIC", "permissions": perms, "excludedPermissions": excluded});
    let tiers = [
        ("School administrators", role("School administrator", json!({"ALL": ["ALL"]}), json!({"DEVICE": ["DELETE"]}))),
        (
            "Site managers",
            role(
                "Site manager",
                json!({"DEVICE": ["READ", "WRITE", "RPC_CALL", "READ_ATTRIBUTES", "WRITE_ATTRIBUTES", "READ_TELEMETRY"],
                       "DASHBOARD": ["READ"], "ASSET": ["READ"]}),
                json!({}),
            ),
        ),
        ("Dashboard viewers", role("Dashboard viewer", json!({"DASHBOARD": ["READ"]}), json!({}))),
    ];
    let mut tokens = Vec::new();
    for (k, (group, role)) in tiers.iter().enumerate() {
        let (s, r) = srv.post("/api/role", Some(&admin), role.clone()).await;
        assert_eq!(s, 200, "{r}");
        let (_, g) = srv
            .post("/api/entityGroup", Some(&admin), json!({"name": group, "type": "USER", "ownerId": cust(&school)}))
            .await;
        let (s, gp) =
            srv.post("/api/groupPermission", Some(&admin), json!({"userGroupId": g["id"], "roleId": r["id"]})).await;
        assert_eq!(s, 200, "{gp}");
        tokens.push(customer_user(&srv, &admin, &school, &id(&g), &format!("tier{k}@school.edu")).await);
    }
    let (school_admin, manager, viewer) = (&tokens[0], &tokens[1], &tokens[2]);
    let srv = &srv;
    let can = |t: &str, what: &str, op: &str| {
        let path = format!("/api/permission/{what}/{op}");
        let t = t.to_string();
        async move { srv.get(&path, Some(&t)).await.1 == json!(true) }
    };
    let dev = format!("DEVICE/{sensor_id}");
    let dsh = format!("DASHBOARD/{dash_id}");

    // School administrator: manages users, edits dashboards and devices, cannot delete devices.
    let viewers = group_id(srv, &school, "Dashboard viewers").await;
    let (s, u) = srv
        .post(
            &format!("/api/user?sendActivationMail=false&entityGroupId={viewers}"),
            Some(school_admin),
            json!({"email": "new.viewer@school.edu", "authority": "CUSTOMER_USER", "customerId": cust(&school)}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    let mut edit = dash.clone();
    edit["title"] = json!("Classrooms (edited)");
    let (s, edited) = srv.post("/api/dashboard", Some(school_admin), edit).await;
    assert_eq!(s, 200, "{edited}");
    assert!(can(school_admin, &dev, "WRITE").await);
    assert!(!can(school_admin, &dev, "DELETE").await);
    assert_error(&srv.delete(&format!("/api/device/{sensor_id}"), Some(school_admin)).await, 403, 20);
    let (s, _) = srv.post("/api/device", Some(school_admin), json!({"name": "New sensor"})).await;
    assert_eq!(s, 200);

    // Site manager: device write and RPC, dashboards read-only, no users.
    assert!(can(manager, &dev, "WRITE").await && can(manager, &dev, "RPC_CALL").await);
    assert!(!can(manager, &dev, "DELETE").await);
    assert!(can(manager, &dsh, "READ").await && !can(manager, &dsh, "WRITE").await);
    let mut edit = edited.clone();
    edit["title"] = json!("no");
    assert_error(&srv.post("/api/dashboard", Some(manager), edit.clone()).await, 403, 20);
    let mut dev_edit = sensor.clone();
    dev_edit["label"] = json!("Room 12");
    let (s, _) = srv.post("/api/device", Some(manager), dev_edit).await;
    assert_eq!(s, 200);
    let (s, _) = srv
        .post(
            "/api/user?sendActivationMail=false",
            Some(manager),
            json!({"email": "x@school.edu", "authority": "CUSTOMER_USER", "customerId": cust(&school)}),
        )
        .await;
    assert_eq!(s, 403);

    // Dashboard viewer: reads dashboards, nothing else.
    let (_, dashboards) = srv.get("/api/user/dashboards?pageSize=10&page=0", Some(viewer)).await;
    assert_eq!(dashboards["totalElements"], 1);
    let (_, devices) = srv.get("/api/user/devices?pageSize=10&page=0", Some(viewer)).await;
    assert_eq!(devices["totalElements"], 0);
    assert!(!can(viewer, &dsh, "WRITE").await && !can(viewer, &dev, "READ").await);
    assert_error(&srv.post("/api/dashboard", Some(viewer), edit).await, 403, 20);

    // The tenant administrator can do all of it, including deleting the device.
    let (s, _) = srv.delete(&format!("/api/device/{sensor_id}"), Some(&admin)).await;
    assert_eq!(s, 200);
});
