//! The console's devices, assets, dashboards and edges pages over plain HTTP: one page per kind rendered on the
//! server with its group tabs, the server functions behind add / edit / owner / groups / credentials / sharing,
//! and what customer users then see — decided by the same services as the REST API.

use crate::both;
use crate::harness::*;
use crate::users::world;
use serde_json::json;

fn table(page: &str) -> &str {
    let from = page.find("data-testid=\"things-table\"").unwrap_or(page.len());
    let rest = &page[from..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

async fn add(srv: &Server, cookie: &str, kind: &str, name: &str, group: &str) -> (u16, serde_json::Value) {
    let fields = [
        ("kind", kind),
        ("id", ""),
        ("version", ""),
        ("name", name),
        ("thing_type", "thermometer"),
        ("label", "Lobby"),
        ("group", group),
    ];
    sfn(srv, "save_thing", cookie, &fields).await
}

both!(things_pages_add_edit_move_and_show_credentials, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (_, _, home) = html(srv, "/", &admin).await;
    for href in ["/devices", "/assets", "/dashboards", "/edges"] {
        assert!(home.contains(&format!("href=\"{href}\"")), "tenant administrators get {href}");
    }

    // A device group, a device created into it with the console's form.
    let (s, g) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "Sensors")]).await;
    assert_eq!(s, 200, "{g}");
    let sensors = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["owned"], true);
    let (s, d) = add(srv, &admin, "DEVICE", "Thermo-1", &sensors).await;
    assert_eq!(s, 200, "{d}");
    let dev = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["thing_type"], "thermometer");
    assert_eq!(d["owner_name"], "Acme");
    let names: Vec<&str> = d["groups"].as_array().unwrap().iter().map(|g| g[1].as_str().unwrap()).collect();
    assert_eq!(names, ["All", "Sensors"]);

    // Server-rendered list, group tab and search in the URL.
    let (s, _, page) = html(srv, "/devices", &admin).await;
    assert_eq!(s, 200);
    assert!(table(&page).contains(&format!("href=\"/devices/{dev}\"")), "{page}");
    assert!(page.contains("data-testid=\"group-tabs\"") && page.contains("Sensors"));
    assert!(page.contains("Add device") && page.contains("New group"));
    let (_, _, page) = html(srv, &format!("/devices?group={sensors}"), &admin).await;
    assert!(table(&page).contains(">Thermo-1<"));
    assert!(page.contains(&format!("href=\"/groups/{sensors}\"")), "an open group tab links to the group's page");
    assert!(!page.contains("Share with customer"), "the list does not carry the sharing form");
    // Adding is a page of its own, opened with the tab the list shows; the same page serves the four kinds.
    assert!(page.contains(&format!("href=\"/devices/new?owner=&amp;group={sensors}\"")), "{page}");
    assert!(!page.contains("data-testid=\"add-thing\""), "the form is not on the list");
    let (s, _, page) = html(srv, &format!("/devices/new?group={sensors}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("<h1>Add device</h1>") && page.contains("id=\"ttype\""), "{page}");
    assert!(page.contains(&format!("<option value=\"{sensors}\" selected")), "group preselected: {page}");
    assert!(page.contains(&format!("href=\"/devices?owner=&amp;group={sensors}\"")), "the way back: {page}");
    let (_, _, page) = html(srv, "/dashboards/new", &admin).await;
    assert!(page.contains("<h1>Add dashboard</h1>") && !page.contains("id=\"ttype\""), "{page}");
    assert!(page.contains("name=\"kind\" value=\"DASHBOARD\""), "{page}");
    let (_, _, page) = html(srv, "/devices?q=nothing-like-it", &admin).await;
    assert!(page.contains("Nothing matches."));

    // The device's page shows its access token; regenerating needs the current version.
    let (s, tok) = sfn(srv, "device_token", &admin, &[("id", &dev)]).await;
    assert_eq!(s, 200, "{tok}");
    let token = tok["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 20);
    let (s, _, page) = html(srv, &format!("/devices/{dev}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains(&token) && page.contains("Regenerate token"), "{page}");
    // "Manage owner and groups" and "Who can see this" are pages of their own, linked from here.
    assert!(page.contains(&format!("href=\"/devices/{dev}/owner\"")) && !page.contains("data-testid=\"membership\""));
    assert!(page.contains(&format!("href=\"/devices/{dev}/access\"")), "{page}");
    let (s, _, page) = html(srv, &format!("/devices/{dev}/owner"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("data-testid=\"manage-owner\"") && page.contains("data-testid=\"membership\""), "{page}");
    assert!(page.contains("Manage owner and groups: Thermo-1") && page.contains("Groups: All, Sensors"), "{page}");
    let version = tok["version"].to_string();
    let (s, fresh) = sfn(srv, "regenerate_token", &admin, &[("id", &dev), ("version", &version)]).await;
    assert_eq!(s, 200, "{fresh}");
    assert_ne!(fresh["token"], tok["token"]);
    let (s, e) = sfn(srv, "regenerate_token", &admin, &[("id", &dev), ("version", &version)]).await;
    assert_eq!(s, 409, "a stale version is refused: {e}");
    let (_, creds) = srv.get(&format!("/api/device/{dev}/credentials"), Some(&w.admin)).await;
    assert_eq!(creds["credentialsId"], fresh["token"]);

    // Editing name and label keeps what the console does not show (additional info, dashboard layout).
    let (_, rd) = srv
        .post("/api/device", Some(&w.admin), json!({"name": "Meter", "additionalInfo": {"description": "kept"}}))
        .await;
    let meter = id_of(&rd);
    let (s, e) = sfn(
        srv,
        "save_thing",
        &admin,
        &[
            ("kind", "DEVICE"),
            ("id", &meter),
            ("version", &rd["version"].to_string()),
            ("name", "Meter 2"),
            ("thing_type", "meter"),
            ("label", ""),
            ("group", ""),
        ],
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (_, got) = srv.get(&format!("/api/device/{meter}"), Some(&w.admin)).await;
    assert_eq!((got["name"].as_str(), got["type"].as_str()), (Some("Meter 2"), Some("meter")));
    assert_eq!(got["additionalInfo"]["description"], "kept");
    let (_, db) = srv
        .post("/api/dashboard", Some(&w.admin), json!({"title": "Lobby", "configuration": {"widgets": {"w": 1}}}))
        .await;
    let dash = id_of(&db);
    let (s, e) = sfn(
        srv,
        "save_thing",
        &admin,
        &[
            ("kind", "DASHBOARD"),
            ("id", &dash),
            ("version", &db["version"].to_string()),
            ("name", "Lobby screen"),
            ("thing_type", ""),
            ("label", ""),
            ("group", ""),
        ],
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (_, got) = srv.get(&format!("/api/dashboard/{dash}"), Some(&w.admin)).await;
    assert_eq!(got["title"], "Lobby screen");
    assert_eq!(got["configuration"]["widgets"]["w"], 1);
    let (_, _, page) = html(srv, "/dashboards?sort=name&dir=asc", &admin).await;
    assert!(table(&page).contains(">Lobby screen<"), "dashboards sort by title: {page}");

    // "Manage owner and groups": to customer A, into a new group of A's made on the way.
    let (s, owners) = sfn(srv, "owner_choices", &admin, &[]).await;
    assert_eq!(s, 200);
    let titles: Vec<&str> = owners.as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(titles[0], "Acme", "the caller's own owner comes first");
    assert!(titles.contains(&"A") && titles.contains(&"A1") && titles.contains(&"B"));
    let (s, g) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "A meters"), ("owner", &w.a)]).await;
    assert_eq!(s, 200, "{g}");
    let meters = g["id"].as_str().unwrap().to_string();
    let a_groups = || {
        let (a, admin) = (w.a.clone(), admin.clone());
        async move {
            let (s, list) = sfn(srv, "membership_choices", &admin, &[("kind", "DEVICE"), ("owner", &a)]).await;
            assert_eq!(s, 200, "{list}");
            list.as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    let before = a_groups().await;
    let move_to_a = |groups: Vec<String>, new_group: &'static str| {
        let (dev, a, admin) = (dev.clone(), w.a.clone(), admin.clone());
        async move {
            let mut fields = vec![("kind", "DEVICE".to_string()), ("id", dev), ("owner", a)];
            fields.extend(groups.into_iter().map(|g| ("groups[]", g)));
            fields.push(("new_group", new_group.to_string()));
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            sfn(srv, "change_thing_owner", &admin, &fields).await
        }
    };
    // Refused moves change nothing: a reserved or taken new name, an id that is not a group, and a group of
    // another owner, which fails only after the new group was written in the same transaction.
    for (groups, new_group) in [
        (vec![], "All"),
        (vec![], "a meters"),
        (vec!["not-a-group".to_string()], ""),
        (vec![sensors.clone()], "Orphans"),
    ] {
        let (s, e) = move_to_a(groups, new_group).await;
        assert_eq!(s, 400, "{new_group}: {e}");
    }
    let (_, still) = sfn(srv, "thing", &admin, &[("kind", "DEVICE"), ("id", &dev)]).await;
    assert_eq!(still["owner_name"], "Acme", "not moved");
    assert_eq!(a_groups().await, before, "no group left behind");
    let (s, moved) = move_to_a(vec![meters.clone(), String::new()], "A sensors").await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["owner_name"], "A");
    let names: Vec<&str> = moved["groups"].as_array().unwrap().iter().map(|g| g[1].as_str().unwrap()).collect();
    assert_eq!(names, ["A meters", "A sensors", "All"], "an existing group of A's and a new one at once");

    // A's user sees it, B's user does not; neither may add devices.
    let a_user = console_login(srv, "user@a.io", "customer-pass").await;
    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    let (_, _, page) = html(srv, "/devices", &a_user).await;
    assert!(table(&page).contains(">Thermo-1<"), "{page}");
    assert!(!page.contains("Add device"));
    let (_, _, page) = html(srv, "/devices", &b_user).await;
    assert!(!page.contains("Thermo-1"));
    let (s, _) = add(srv, &b_user, "DEVICE", "Sneaky", "").await;
    assert_eq!(s, 403);
    let (s, _) = sfn(srv, "device_token", &b_user, &[("id", &dev)]).await;
    assert_eq!(s, 403, "another customer's device token stays hidden");

    // Membership: the tenant's own group no longer fits a device of A's.
    let (s, e) =
        sfn(srv, "group_member", &admin, &[("kind", "DEVICE"), ("id", &dev), ("group", &sensors), ("add", "true")])
            .await;
    assert_eq!(s, 400, "{e}");

    // Bad input answers with a clear error and changes nothing.
    let (s, e) = add(srv, &admin, "SPACESHIP", "X", "").await;
    assert_eq!(s, 400, "{e}");
    let (s, _) = add(srv, &admin, "DEVICE", "", "").await;
    assert_eq!(s, 400);
    let (s, _) = add(srv, &admin, "DEVICE", "Thermo-1", "").await;
    assert_eq!(s, 400, "names are unique");
    let (s, _) = sfn(srv, "thing", &admin, &[("kind", "DEVICE"), ("id", "not-a-uuid")]).await;
    assert_eq!(s, 400);
    let (s, _) = sfn(srv, "delete_thing", &admin, &[("kind", "ASSET"), ("id", &dev)]).await;
    assert_eq!(s, 404, "a device is not an asset");
    let (s, _) = sfn(srv, "delete_thing", &admin, &[("kind", "DEVICE"), ("id", &dev)]).await;
    assert_eq!(s, 200);
    let (s, _) = srv.get(&format!("/api/device/{dev}"), Some(&w.admin)).await;
    assert_eq!(s, 404);
});

both!(groups_are_shared_revoked_and_made_public_from_the_console, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (_, g) = sfn(srv, "create_group", &admin, &[("kind", "ASSET"), ("name", "Buildings")]).await;
    let buildings = g["id"].as_str().unwrap().to_string();
    let (s, _) = add(srv, &admin, "ASSET", "HQ", &buildings).await;
    assert_eq!(s, 200);

    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    let (_, _, page) = html(srv, "/assets", &b_user).await;
    assert!(!page.contains(">HQ<"));

    let (s, targets) = sfn(srv, "share_targets", &admin, &[]).await;
    assert_eq!(s, 200);
    assert!(targets.as_array().unwrap().iter().any(|t| t["id"] == w.b.as_str()));
    let (s, e) = sfn(
        srv,
        "share_group",
        &admin,
        &[("group", &buildings), ("customer", &w.b), ("user_group", ""), ("access", "admin")],
    )
    .await;
    assert_eq!(s, 400, "{e}");
    let (s, e) = sfn(
        srv,
        "share_group",
        &admin,
        &[("group", &buildings), ("customer", &w.b), ("user_group", ""), ("access", "read")],
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (_, shares) = sfn(srv, "group_shares", &admin, &[("group", &buildings)]).await;
    let list = shares.as_array().unwrap();
    assert_eq!(list.len(), 1, "{shares}");
    assert_eq!(list[0]["owner_name"], "B");
    assert_eq!(list[0]["role"], "Entity Group Read-only User");

    // B's user sees the shared group as a tab and its asset, read-only.
    let (_, _, page) = html(srv, "/assets", &b_user).await;
    assert!(table(&page).contains(">HQ<"), "{page}");
    assert!(page.contains("Buildings (shared)"));
    let (_, tabs) = sfn(srv, "group_tabs", &b_user, &[("kind", "ASSET")]).await;
    let shared = tabs.as_array().unwrap().iter().find(|t| t["name"] == "Buildings").cloned().unwrap();
    assert_eq!(shared["owned"], false);
    let hq = id_of(
        &srv.get(&format!("/api/entityGroup/{buildings}/assets?pageSize=5&page=0"), Some(&w.admin)).await.1["data"][0],
    );
    let (s, _) = sfn(
        srv,
        "save_thing",
        &b_user,
        &[
            ("kind", "ASSET"),
            ("id", &hq),
            ("version", "1"),
            ("name", "Mine"),
            ("thing_type", ""),
            ("label", ""),
            ("group", ""),
        ],
    )
    .await;
    assert_eq!(s, 403, "read-only share");
    let (s, _) = sfn(srv, "set_group_public", &b_user, &[("group", &buildings), ("public", "true")]).await;
    assert_eq!(s, 403, "only the owner's side makes it public");

    // Revoked: gone for B.
    let id = list[0]["id"].as_str().unwrap().to_string();
    let (s, _) = sfn(srv, "revoke_share", &admin, &[("id", &id)]).await;
    assert_eq!(s, 200);
    let (_, _, page) = html(srv, "/assets", &b_user).await;
    assert!(!page.contains(">HQ<"));

    // One of B's user groups with chosen Group roles (the form posts `roles[]` like a browser); refusals first,
    // each leaving no share behind.
    let (s, role) = srv
        .post(
            "/api/role",
            Some(&w.admin),
            json!({"name": "Asset reader", "type": "GROUP", "permissions": ["READ", "READ_ATTRIBUTES"]}),
        )
        .await;
    assert_eq!(s, 200, "{role}");
    let role = id_of(&role);
    let (s, generic) = srv
        .post("/api/role", Some(&w.admin), json!({"name": "Generic one", "type": "GENERIC", "permissions": {}}))
        .await;
    assert_eq!(s, 200, "{generic}");
    let generic = id_of(&generic);
    let (s, ugs) = sfn(srv, "membership_choices", &admin, &[("kind", "USER"), ("owner", &w.b)]).await;
    assert_eq!(s, 200, "{ugs}");
    let b_users = ugs.as_array().unwrap().iter().find(|g| g["name"] == "Customer Users").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let share = |user_group: String, roles: Vec<String>| {
        let (group, customer, cookie) = (buildings.clone(), w.b.clone(), admin.clone());
        async move {
            let mut f = vec![("group", group.as_str()), ("customer", &customer), ("user_group", &user_group)];
            f.push(("access", "roles"));
            f.extend(roles.iter().map(|r| ("roles[]", r.as_str())));
            sfn(srv, "share_group", &cookie, &f).await
        }
    };
    let s = |v: &str| v.to_string();
    for (user_group, roles, why) in [
        (s(&b_users), vec![], "no role chosen"),
        (s(&b_users), vec![s("not-a-uuid")], "bad role id"),
        (s(&b_users), vec![s(&role), s(&generic)], "a Generic role cannot share a group"),
        (s("not-a-uuid"), vec![s(&role)], "bad user group id"),
    ] {
        let (status, e) = share(user_group, roles).await;
        assert_eq!(status, 400, "{why}: {e}");
        let (_, shares) = sfn(srv, "group_shares", &admin, &[("group", &buildings)]).await;
        assert_eq!(shares.as_array().unwrap().iter().filter(|s| s["public"] == false).count(), 0, "{why}: {shares}");
    }
    let (status, e) = share(s(&b_users), vec![s(&role)]).await;
    assert_eq!(status, 200, "{e}");
    let (_, shares) = sfn(srv, "group_shares", &admin, &[("group", &buildings)]).await;
    let list = shares.as_array().unwrap();
    assert_eq!(
        (list.len(), &list[0]["user_group"], &list[0]["role"]),
        (1, &json!("Customer Users"), &json!("Asset reader"))
    );
    let (_, _, page) = html(srv, "/assets", &b_user).await;
    assert!(table(&page).contains(">HQ<"), "B's Customer Users read it through the chosen role");
    let (s, _) = sfn(srv, "revoke_share", &admin, &[("id", list[0]["id"].as_str().unwrap())]).await;
    assert_eq!(s, 200);
    // The share panel offers B's user groups only once a customer is chosen, and the Group roles.
    let (_, _, page) = html(srv, &format!("/groups/{buildings}/shares"), &admin).await;
    assert!(page.contains("All users of the customer") && page.contains("name=\"roles[]\""), "{page}");
    assert!(page.contains("Asset reader") && !between_roles(&page).contains("Generic one"));

    // Public and private again; the public id shows on the tab.
    let (s, e) = sfn(srv, "set_group_public", &admin, &[("group", &buildings), ("public", "true")]).await;
    assert_eq!(s, 200, "{e}");
    let (_, tabs) = sfn(srv, "group_tabs", &admin, &[("kind", "ASSET")]).await;
    let tab = tabs.as_array().unwrap().iter().find(|t| t["id"] == buildings.as_str()).cloned().unwrap();
    assert!(!tab["public_id"].as_str().unwrap().is_empty(), "{tab}");
    let (s, _) = sfn(srv, "set_group_public", &admin, &[("group", &buildings), ("public", "true")]).await;
    assert_eq!(s, 400, "already public");
    let (s, _) = sfn(srv, "set_group_public", &admin, &[("group", &buildings), ("public", "false")]).await;
    assert_eq!(s, 200);

    // Deleting the group keeps its members.
    let (s, _) = sfn(srv, "delete_group", &admin, &[("group", &buildings)]).await;
    assert_eq!(s, 200);
    let (s, _) = srv.get(&format!("/api/asset/{hq}"), Some(&w.admin)).await;
    assert_eq!(s, 200);
});

both!(a_customers_lists_add_into_that_customer, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    // "Manage customer devices": that customer's groups as tabs, new groups and devices made for it.
    let (s, g) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "A meters"), ("owner", &w.a)]).await;
    assert_eq!(s, 200, "{g}");
    let g = g["id"].as_str().unwrap().to_string();
    let fields = [
        ("kind", "DEVICE"),
        ("id", ""),
        ("version", ""),
        ("name", "A-Meter"),
        ("thing_type", "meter"),
        ("label", ""),
        ("group", g.as_str()),
        ("owner", w.a.as_str()),
    ];
    let (s, d) = sfn(srv, "save_thing", &admin, &fields).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["owner_name"], "A");
    let (_, _, page) = html(srv, &format!("/devices?owner={}", w.a), &admin).await;
    assert!(page.contains("data-testid=\"owner-filter\"") && page.contains("A meters"), "{page}");
    assert!(table(&page).contains(">A-Meter<"));
    let (_, _, page) = html(srv, &format!("/devices?owner={}", w.b), &admin).await;
    assert!(!table(&page).contains(">A-Meter<"), "B's list holds only B's devices");
    // A customer user can't add into another customer, nor read its list.
    let user = console_login(srv, "user@b.io", "customer-pass").await;
    let mut as_b = fields;
    as_b[3] = ("name", "Sneaky");
    as_b[6] = ("group", "");
    assert_eq!(sfn(srv, "save_thing", &user, &as_b).await.0, 403);
    let (s, list) = sfn(
        srv,
        "things",
        &user,
        &[
            ("kind", "DEVICE"),
            ("page", "0"),
            ("search", ""),
            ("sort", "name"),
            ("desc", "false"),
            ("group", ""),
            ("owner", &w.a),
        ],
    )
    .await;
    assert!(s == 403 || list["totalElements"] == 0, "{list}");
});

/// The share panel's role checkboxes.
fn between_roles(page: &str) -> &str {
    let from = page.find("data-testid=\"share-roles\"").expect("role choices");
    let rest = &page[from..];
    &rest[..rest.find("</span>").unwrap_or(rest.len())]
}
