//! The console's Security → Roles and a user group's Roles tab over plain HTTP: roles saved from the editor's
//! JSON, refused when the vocabulary or the caller's roles say no (nothing changes), bound to a customer's user
//! group, and what a member then may do — decided by the same services as the REST API.

use crate::both;
use crate::harness::*;
use crate::users::world;
use serde_json::json;

async fn save(srv: &Server, cookie: &str, fields: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut all: Vec<(&str, &str)> = vec![
        ("id", ""),
        ("version", ""),
        ("name", ""),
        ("role_type", "GENERIC"),
        ("excluded", ""),
        ("description", ""),
    ];
    for (k, v) in fields {
        all.retain(|(x, _)| x != k);
        all.push((k, v));
    }
    sfn(srv, "save_role", cookie, &all).await
}

async fn role_count(srv: &Server, cookie: &str) -> u64 {
    let fields = [("page", "0"), ("search", ""), ("sort", "name"), ("desc", "false"), ("role_type", "")];
    let (s, page) = sfn(srv, "roles", cookie, &fields).await;
    assert_eq!(s, 200, "{page}");
    page["totalElements"].as_u64().unwrap_or_else(|| panic!("{page}"))
}

both!(roles_are_edited_bound_to_user_groups_and_refused_cleanly, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (_, _, home) = html(srv, "/", &admin).await;
    assert!(home.contains("href=\"/roles\""), "tenant administrators get Roles");

    // A Generic role with excluded permissions, as the editor sends it.
    let perms = r#"{"DEVICE":["READ","WRITE","RPC_CALL"],"ASSET":["READ"],"DASHBOARD":["READ"]}"#;
    let (s, r) = save(
        srv,
        &admin,
        &[
            ("name", "Site manager"),
            ("permissions", perms),
            ("excluded", r#"{"DEVICE":["DELETE"]}"#),
            ("description", "Runs one site"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let manager = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["group"], false);
    assert_eq!(r["description"], "Runs one site");
    assert!(r["permissions"].as_array().unwrap().contains(&json!(["DEVICE", ["READ", "WRITE", "RPC_CALL"]])), "{r}");
    assert_eq!(r["excluded"], json!([["DEVICE", ["DELETE"]]]));
    let (_, rest) = srv.get(&format!("/api/role/{manager}"), Some(&w.admin)).await;
    assert_eq!(rest["permissions"]["ASSET"], json!(["READ"]), "the REST API sees the same role: {rest}");
    assert_eq!(rest["additionalInfo"]["description"], "Runs one site");

    // A Group role holds operations only.
    let (s, g) = save(
        srv,
        &admin,
        &[
            ("name", "Group reader"),
            ("role_type", "GROUP"),
            ("permissions", r#"["READ","READ_TELEMETRY"]"#),
            ("excluded", "{}"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{g}");
    let reader = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["operations"], json!(["READ", "READ_TELEMETRY"]));

    // Refusals change nothing.
    let before = role_count(srv, &admin).await;
    for (fields, why) in [
        (vec![("name", "Bad op"), ("permissions", r#"{"DEVICE":["FLY"]}"#)], "unknown operation"),
        (vec![("name", "Bad res"), ("permissions", r#"{"SPACESHIP":["READ"]}"#)], "unknown resource"),
        (vec![("name", "Bad json"), ("permissions", "{not json")], "not JSON"),
        (vec![("name", ""), ("permissions", r#"{"DEVICE":["READ"]}"#)], "no name"),
        (vec![("name", "Bad type"), ("role_type", "ROOT"), ("permissions", "{}")], "unknown type"),
        (
            vec![("name", "Owner changer"), ("role_type", "GROUP"), ("permissions", r#"["CHANGE_OWNER"]"#)],
            "not for group roles",
        ),
        (
            vec![
                ("name", "Excl"),
                ("role_type", "GROUP"),
                ("permissions", r#"["READ"]"#),
                ("excluded", r#"{"DEVICE":["READ"]}"#),
            ],
            "excluded on a group role",
        ),
    ] {
        let (s, e) = save(srv, &admin, &fields).await;
        assert_eq!(s, 400, "{why}: {e}");
    }
    assert_eq!(role_count(srv, &admin).await, before, "no refused role was stored");

    // Edits need the current version; the type stays.
    let (s, r2) = save(
        srv,
        &admin,
        &[("id", &manager), ("version", "1"), ("name", "Site manager (north)"), ("permissions", perms)],
    )
    .await;
    assert_eq!(s, 200, "{r2}");
    assert_eq!(r2["excluded"], json!([]), "an empty editor clears the excluded permissions");
    let (s, _) =
        save(srv, &admin, &[("id", &manager), ("version", "1"), ("name", "Stale"), ("permissions", perms)]).await;
    assert_eq!(s, 409, "a stale version is refused");
    let (s, _) = save(
        srv,
        &admin,
        &[("id", &manager), ("version", "2"), ("name", "Flip"), ("role_type", "GROUP"), ("permissions", r#"["READ"]"#)],
    )
    .await;
    assert_eq!(s, 400, "the type of a role can't change");

    // Lists and pages.
    let fields = [("page", "0"), ("search", ""), ("sort", "name"), ("desc", "false"), ("role_type", "GROUP")];
    let (_, groups) = sfn(srv, "roles", &admin, &fields).await;
    let names: Vec<&str> = groups["data"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Group reader") && !names.contains(&"Site manager (north)"), "{names:?}");
    let (s, _, page) = html(srv, "/roles?group=GENERIC&q=north", &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("href=\"/roles/{manager}\"")) && !page.contains("Group reader"), "{page}");
    let (s, _, page) = html(srv, &format!("/roles/{manager}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("data-testid=\"role-editor\"") && page.contains("Excluded permissions"));
    assert!(page.contains("Rpc call") && page.contains("Delete role"), "the editor lists the device's operations");
    let (_, _, page) = html(srv, "/roles/new", &admin).await;
    assert!(page.contains("New role") && page.contains("value=\"GROUP\""));

    // A customer's user group, made from its users page, with both roles bound.
    let (s, ug) =
        sfn(srv, "create_group", &admin, &[("kind", "USER"), ("name", "Site managers"), ("owner", &w.a)]).await;
    assert_eq!(s, 200, "{ug}");
    let ug = ug["id"].as_str().unwrap().to_string();
    let (s, dg) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "Boilers")]).await;
    assert_eq!(s, 200, "{dg}");
    let dg = dg["id"].as_str().unwrap().to_string();
    let bind = |role: String, eg: String| {
        let ug = ug.clone();
        let admin = admin.clone();
        async move {
            sfn(
                srv,
                "bind_role",
                &admin,
                &[("user_group", ug.as_str()), ("role", role.as_str()), ("entity_group", eg.as_str())],
            )
            .await
        }
    };
    let (s, e) = bind(manager.clone(), String::new()).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(bind(manager.clone(), String::new()).await.0, 400, "bound twice");
    assert_eq!(bind(reader.clone(), String::new()).await.0, 400, "a group role needs its entity group");
    assert_eq!(bind(manager.clone(), dg.clone()).await.0, 400, "a generic role takes no entity group");
    assert_eq!(bind("nope".into(), String::new()).await.0, 400);
    let (s, e) = bind(reader.clone(), dg.clone()).await;
    assert_eq!(s, 200, "{e}");
    let (s, bound) = sfn(srv, "group_roles", &admin, &[("group", &ug)]).await;
    assert_eq!(s, 200, "{bound}");
    let list = bound.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter().any(|b| b["role"] == "Group reader" && b["entity_group"] == "Devices: Boilers (Acme)"),
        "{bound}"
    );
    // The entity-group picker pages and searches in SQL (it used to stop at 200 per type), "All" groups left out.
    let (s, choices) = sfn(srv, "bindable_groups", &admin, &[("search", ""), ("page", "0")]).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = choices["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Devices: Boilers") && !names.iter().any(|n| n.ends_with(": All")), "{choices}");
    let (_, found) = sfn(srv, "bindable_groups", &admin, &[("search", "boil"), ("page", "0")]).await;
    assert_eq!(found["totalElements"], 1, "{found}");

    // The customer's users page: its user groups as tabs, the open group's members and a link to its page,
    // which has the group's Roles and links back to the members with the owner's tabs.
    let (s, _, page) = html(srv, &format!("/users?owner={}&group={ug}", w.a), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("data-testid=\"owner-filter\"") && page.contains("Customer Administrators"), "{page}");
    assert!(page.contains("No user matches."), "the new group has no members yet");
    assert!(page.contains(&format!("href=\"/groups/{ug}\"")) && !page.contains("Roles of"), "{page}");
    let (s, _, page) = html(srv, &format!("/groups/{ug}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("href=\"/users?owner={}&amp;group={ug}\"", w.a)), "{page}");
    assert!(page.contains(&format!("href=\"/groups/{ug}/roles\"")) && !page.contains("/shares\""), "{page}");
    let (s, _, page) = html(srv, &format!("/groups/{ug}/roles"), &admin).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Roles of “Site managers”") && page.contains("Site manager (north) (generic role)"),
        "{page}"
    );
    assert!(!page.contains("Share with customer"), "user groups are not shared");
    let (_, _, page) = html(srv, &format!("/users?owner={}", w.a), &admin).await;
    assert!(page.contains("boss@a.io") && !page.contains("user@b.io"), "only the customer's users");
    let (_, _, page) = html(srv, &format!("/customers/{}", w.a), &admin).await;
    assert!(page.contains(&format!("href=\"/users?owner={}\"", w.a)) && page.contains("Manage customer devices"));

    // A member gets what the roles give: device write, no device delete, no users.
    let fields = [
        ("owner", w.a.as_str()),
        ("groups[]", ug.as_str()),
        ("email", "manager@a.io"),
        ("first_name", ""),
        ("last_name", ""),
        ("phone", ""),
        ("activation", "link"),
        ("dashboard", ""),
    ];
    let (s, u) = sfn(srv, "create_user", &admin, &fields).await;
    assert_eq!(s, 200, "{u}");
    let token = u["activation_link"].as_str().unwrap().split("activateToken=").nth(1).unwrap().to_string();
    let (s, _) =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "manager-pass-123"})).await;
    assert_eq!(s, 200);
    let m = console_login(srv, "manager@a.io", "manager-pass-123").await;
    let (_, _, home) = html(srv, "/", &m).await;
    assert!(home.contains("href=\"/devices\"") && home.contains("href=\"/dashboards\""), "{home}");
    assert!(!home.contains("href=\"/users\"") && !home.contains("href=\"/roles\""), "{home}");
    let (_, me) = sfn(srv, "me", &m, &[]).await;
    let ops = |res: &str| -> Vec<String> {
        let list = me["abilities"].as_array().unwrap_or_else(|| panic!("{me}"));
        let hit = list.iter().find(|a| a[0] == res);
        hit.map(|a| a[1].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let device = ops("DEVICE");
    assert!(device.contains(&"WRITE".to_string()) && device.contains(&"RPC_CALL".to_string()), "{me}");
    assert!(!device.contains(&"DELETE".to_string()) && ops("USER").is_empty(), "{me}");

    // Customer users and other customers are refused; nothing changes.
    let user = console_login(srv, "user@a.io", "customer-pass").await;
    let (s, _) = save(srv, &user, &[("name", "Mine"), ("permissions", r#"{"DEVICE":["READ"]}"#)]).await;
    assert_eq!(s, 403);
    let (s, _) = sfn(srv, "bind_role", &user, &[("user_group", &ug), ("role", &manager), ("entity_group", "")]).await;
    assert_eq!(s, 403);
    let b = console_login(srv, "user@b.io", "customer-pass").await;
    assert!(matches!(sfn(srv, "group_roles", &b, &[("group", &ug)]).await.0, 403 | 404));
    assert!(matches!(sfn(srv, "delete_role", &b, &[("id", &manager)]).await.0, 403 | 404));

    // Removing a binding, then deleting a role, takes their permissions with them.
    let gp = list.iter().find(|b| b["role"] == "Group reader").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(sfn(srv, "revoke_share", &admin, &[("id", &gp)]).await.0, 200);
    let (s, _) = sfn(srv, "delete_role", &admin, &[("id", &manager)]).await;
    assert_eq!(s, 200);
    let (_, bound) = sfn(srv, "group_roles", &admin, &[("group", &ug)]).await;
    assert_eq!(bound, json!([]));
    let (_, _, home) = html(srv, "/", &m).await;
    assert!(!home.contains("href=\"/devices\""), "the member lost the device section with the role");
});
