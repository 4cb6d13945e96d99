//! The console's access explainers ("who can see this and why", "what can this user do") and the profile's
//! sessions list over plain HTTP, on both stores: what they name follows the stored roles and shares, and a
//! caller only learns about what it may read.

use crate::both;
use crate::harness::*;
use crate::users::{user_id, world};
use serde_json::{Value, json};

fn rows(v: &Value) -> &Vec<Value> {
    v["rows"].as_array().unwrap_or_else(|| panic!("no rows in {v}"))
}

fn row_of<'a>(v: &'a Value, user_group: &str, owner: &str) -> Option<&'a Value> {
    rows(v).iter().find(|r| r["user_group"] == user_group && r["owner"] == owner)
}

/// The tenant's device group "Boilers" and its device "Boiler-1", made from the console: (group id, device id).
async fn boiler(srv: &Server, admin: &str) -> (String, String) {
    let (s, g) = sfn(srv, "create_group", admin, &[("kind", "DEVICE"), ("name", "Boilers")]).await;
    assert_eq!(s, 200, "{g}");
    let boilers = g["id"].as_str().unwrap().to_string();
    let fields = [
        ("kind", "DEVICE"),
        ("id", ""),
        ("version", ""),
        ("name", "Boiler-1"),
        ("thing_type", "boiler"),
        ("label", ""),
        ("group", boilers.as_str()),
    ];
    let (s, d) = sfn(srv, "save_thing", admin, &fields).await;
    assert_eq!(s, 200, "{d}");
    (boilers, d["id"].as_str().unwrap().to_string())
}

both!(who_can_see_names_groups_roles_and_shares, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (boilers, dev) = boiler(srv, &admin).await;
    let ask = |cookie: String, kind: &'static str, id: String| async move {
        sfn(srv, "who_can_see", &cookie, &[("kind", kind), ("id", id.as_str())]).await
    };

    // A tenant device: the tenant administrators (Generic role over the tenant), no customer's groups.
    let (s, who) = ask(admin.clone(), "DEVICE", dev.clone()).await;
    assert_eq!(s, 200, "{who}");
    let ta = row_of(&who, "Tenant Administrators", "Acme").unwrap_or_else(|| panic!("tenant admins: {who}"));
    assert!(ta["how"].as_str().unwrap().starts_with("Generic role over Acme"), "{ta}");
    assert_eq!(ta["members"], 1);
    assert!(rows(&who).iter().all(|r| r["owner"] != "A" && r["owner"] != "B"), "{who}");
    assert_eq!(who["hidden"], 0);

    // Shared read-only with B: B's users now read it through the group role on "Boilers".
    let share = [("group", boilers.as_str()), ("customer", w.b.as_str()), ("user_group", ""), ("access", "read")];
    let (s, e) = sfn(srv, "share_group", &admin, &share).await;
    assert_eq!(s, 200, "{e}");
    let (_, who) = ask(admin.clone(), "DEVICE", dev.clone()).await;
    let b_row = rows(&who).iter().find(|r| r["owner"] == "B").unwrap_or_else(|| panic!("B's group: {who}"));
    assert_eq!(b_row["how"], "Group role on Boilers");
    assert_eq!(b_row["role"], "Entity Group Read-only User");
    assert!(rows(&who).iter().all(|r| r["owner"] != "A"), "A still cannot: {who}");

    // B's user may ask too, and learns only of B's own groups; the tenant's are counted, not named.
    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    let (s, who) = ask(b_user.clone(), "DEVICE", dev.clone()).await;
    assert_eq!(s, 200, "{who}");
    assert!(rows(&who).iter().all(|r| r["owner"] == "B"), "{who}");
    assert!(who["hidden"].as_u64().unwrap() >= 1, "{who}");
    // Its owner's groups are not B's to list: the membership section says so instead of failing.
    let (_, d) = sfn(srv, "thing", &admin, &[("kind", "DEVICE"), ("id", &dev)]).await;
    let owner = d["owner_id"].as_str().unwrap();
    let (s, choices) = sfn(srv, "membership_choices", &b_user, &[("kind", "DEVICE"), ("owner", owner)]).await;
    assert_eq!((s, choices), (200, Value::Null));
    let (_, _, page) = html(srv, &format!("/devices/{dev}/owner"), &b_user).await;
    assert!(
        page.contains("Its owner&#x27;s groups are not yours to see")
            || page.contains("Its owner's groups are not yours to see")
    );
    let (_, choices) = sfn(srv, "membership_choices", &admin, &[("kind", "DEVICE"), ("owner", owner)]).await;
    assert!(choices.as_array().unwrap().iter().any(|g| g["name"] == "Boilers"), "{choices}");

    // Who may not read the entity may not ask; bad input is refused.
    let a_user = console_login(srv, "user@a.io", "customer-pass").await;
    let (s, _) = ask(a_user.clone(), "DEVICE", dev.clone()).await;
    assert!(s == 403 || s == 404, "A's user: {s}");
    assert_eq!(ask(admin.clone(), "DEVICE", "not-an-id".into()).await.0, 400);
    assert_eq!(ask(admin.clone(), "WIDGET", dev.clone()).await.0, 400);
    assert_eq!(ask(admin.clone(), "ASSET", dev.clone()).await.0, 404, "a device id is no asset");

    // A customer: A's own administrators and users reach it through their Generic roles over A.
    let (s, who) = ask(admin.clone(), "CUSTOMER", w.a1.clone()).await;
    assert_eq!(s, 200, "{who}");
    assert!(row_of(&who, "Customer Administrators", "A").is_some(), "A's admins read A1: {who}");
    assert!(row_of(&who, "Tenant Administrators", "Acme").is_some());
    // The own-customer rule is a row of its own: A1's one user (user@a1.io), no group or role to link.
    let own = row_of(&who, "Every user of A1", "A1").unwrap_or_else(|| panic!("own-customer row: {who}"));
    assert_eq!((&own["members"], &own["role_id"], &own["user_group_id"]), (&json!(1), &json!(""), &json!("")));
    let (_, who) = ask(admin.clone(), "CUSTOMER", w.a.clone()).await;
    assert_eq!(row_of(&who, "Every user of A", "A").map(|r| r["members"].clone()), Some(json!(2)), "{who}");
    let (_, who) = ask(admin.clone(), "DEVICE", dev.clone()).await;
    assert!(rows(&who).iter().all(|r| !r["user_group"].as_str().unwrap().starts_with("Every user")), "only customers");
    assert_eq!(ask(b_user.clone(), "CUSTOMER", w.a.clone()).await.0, 403);

    // The explainer is each entity's access page, server-rendered and linked from the entity's page, which
    // does not carry it.
    assert_eq!(who["name"], "Boiler-1");
    let (_, _, page) = html(srv, &format!("/devices/{dev}"), &admin).await;
    assert!(page.contains(&format!("href=\"/devices/{dev}/access\"")) && !page.contains("Group role on Boilers"));
    let (s, _, page) = html(srv, &format!("/devices/{dev}/access"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("Who can see Boiler-1") && page.contains("Group role on Boilers"), "{page}");
    assert!(page.contains(&format!("href=\"/devices/{dev}\"")), "the way back: {page}");
    let (_, _, page) = html(srv, &format!("/customers/{}", w.a1), &admin).await;
    assert!(page.contains(&format!("href=\"/customers/{}/access\"", w.a1)) && !page.contains("Every user of A1"));
    let (_, _, page) = html(srv, &format!("/customers/{}/access", w.a1), &admin).await;
    assert!(page.contains("Who can see A1") && page.contains("Customer Administrators"), "{page}");
    assert!(page.contains("Every user of A1") && page.contains("own users may always read it"));
    // The same path under another kind is that kind's question: a device id is no asset.
    let (_, _, page) = html(srv, &format!("/assets/{dev}/access"), &admin).await;
    assert!(page.contains("role=\"alert\"") && !page.contains("Group role on Boilers"), "{page}");
    let (_, _, page) = html(srv, &format!("/devices/{dev}/access"), &a_user).await;
    assert!(page.contains("role=\"alert\"") && !page.contains("Boiler-1"), "A's user learns nothing: {page}");
});

both!(what_can_this_user_do_lists_sections_and_roles, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    let (s, a) = sfn(srv, "user_abilities", &admin, &[("id", &a_user)]).await;
    assert_eq!(s, 200, "{a}");
    let sections: Vec<&str> = a["sections"].as_array().unwrap().iter().map(|s| s[0].as_str().unwrap()).collect();
    assert!(sections.contains(&"Device") && sections.contains(&"Dashboard"), "{a}");
    let ops: Vec<&str> = a["sections"].as_array().unwrap().iter().map(|s| s[1].as_str().unwrap()).collect();
    assert!(ops.iter().all(|o| !o.contains("write") && !o.contains("delete")), "a customer user only reads: {a}");
    let roles = a["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 1, "{a}");
    assert_eq!(roles[0]["user_group"], "Customer Users");
    assert_eq!(roles[0]["role"], "Customer User");
    assert_eq!(roles[0]["scope"], "everything owned by A and its sub-customers");
    assert!(!roles[0]["grants"].as_array().unwrap().is_empty());

    // A Generic role bound to A's users adds its sections at once.
    let role = serde_json::json!({"name": "Device editor", "type": "GENERIC", "permissions": {"DEVICE": ["WRITE"]}});
    let (s, r) = srv.post("/api/role", Some(&w.admin), role).await;
    assert_eq!(s, 200, "{r}");
    let users = crate::customer_roles::group_id(srv, &w.a, "Customer Users").await;
    let bind = serde_json::json!({"userGroupId": {"entityType": "ENTITY_GROUP", "id": users}, "roleId": r["id"]});
    assert_eq!(srv.post("/api/groupPermission", Some(&w.admin), bind).await.0, 200);
    let (_, a) = sfn(srv, "user_abilities", &admin, &[("id", &a_user)]).await;
    let device = a["sections"].as_array().unwrap().iter().find(|s| s[0] == "Device").cloned();
    assert!(device.is_some_and(|d| d[1].as_str().unwrap().contains("write")), "{a}");
    let lines: Vec<&Value> =
        a["roles"].as_array().unwrap().iter().flat_map(|r| r["grants"].as_array().unwrap()).collect();
    assert!(lines.contains(&&Value::from("Device: write")), "{a}");

    // The user's access page shows it (the user page links to it); another customer's user may not ask; bad ids
    // are refused.
    let (_, _, page) = html(srv, &format!("/users/{a_user}"), &admin).await;
    assert!(page.contains(&format!("href=\"/users/{a_user}/access\"")) && !page.contains("Device editor"), "{page}");
    let (_, _, page) = html(srv, &format!("/users/{a_user}/access"), &admin).await;
    assert!(page.contains("What can this user do") && page.contains("Device editor"), "{page}");
    assert!(page.contains(&format!("href=\"/groups/{users}\"")), "the user group links to its page: {page}");
    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    let (s, _) = sfn(srv, "user_abilities", &b_user, &[("id", &a_user)]).await;
    assert!(s == 403 || s == 404, "{s}");
    assert_eq!(sfn(srv, "user_abilities", &admin, &[("id", "x")]).await.0, 400);
});

both!(profile_lists_and_ends_own_sessions, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let one = console_login(srv, "user@a.io", "customer-pass").await;
    let two = console_login(srv, "user@a.io", "customer-pass").await;
    let api = srv.login("user@a.io", "customer-pass").await;
    let (s, list) = sfn(srv, "my_sessions", &one, &[]).await;
    assert_eq!(s, 200, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 4, "two browsers, the world's API sign-in and this one: {list:?}");
    assert_eq!(list.iter().filter(|r| r["current"] == true).count(), 1);
    assert_eq!(list.iter().filter(|r| r["kind"] == "API (token pair)").count(), 2);
    let other = list.iter().find(|r| r["current"] == false && r["kind"] == "Browser").unwrap();
    let other = other["id"].as_str().unwrap().to_string();

    // Someone else's session is "not found" to another user, and keeps working.
    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    assert_eq!(sfn(srv, "end_session", &b_user, &[("id", &other)]).await.0, 404);
    let (s, _, _) = html(srv, "/profile", &two).await;
    assert_eq!(s, 200);

    // Ending it signs that browser out; again is "not found"; a bad id is refused.
    assert_eq!(sfn(srv, "end_session", &one, &[("id", &other)]).await.0, 200);
    let (_, loc, _) = html(srv, "/profile", &two).await;
    assert_eq!(loc, "/login");
    assert_eq!(sfn(srv, "end_session", &one, &[("id", &other)]).await.0, 404);
    assert_eq!(sfn(srv, "end_session", &one, &[("id", "nope")]).await.0, 400);

    // "Sign out all other sessions" ends the API session too, and keeps this one.
    assert_eq!(srv.get("/api/auth/user", Some(&api)).await.0, 200);
    assert_eq!(sfn(srv, "end_session", &one, &[("id", "others")]).await.0, 200);
    assert_eq!(srv.get("/api/auth/user", Some(&api)).await.0, 401);
    let (_, list) = sfn(srv, "my_sessions", &one, &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (_, _, page) = html(srv, "/profile", &one).await;
    assert!(page.contains("data-testid=\"sessions\"") && page.contains("this session"), "{page}");
});

both!(can_this_user_answers_one_operation_on_one_entity_with_its_chain, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (boilers, dev) = boiler(srv, &admin).await;
    let share = [("group", boilers.as_str()), ("customer", w.b.as_str()), ("user_group", ""), ("access", "read")];
    assert_eq!(sfn(srv, "share_group", &admin, &share).await.0, 200);
    let b_id = crate::users::user_id(srv, &w.admin, "user@b.io").await;
    let a_id = crate::users::user_id(srv, &w.admin, "user@a.io").await;
    let ask = |cookie: String, user: String, op: &'static str, etype: &'static str, id: String| async move {
        let f = [("user", user.as_str()), ("operation", op), ("entity_type", etype), ("entity", id.as_str())];
        sfn(srv, "explain_user", &cookie, &f).await
    };

    // B's user reads the shared device through the group role, may not write it; A's user may not read it.
    let (s, v) = ask(admin.clone(), b_id.clone(), "READ", "DEVICE", dev.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["allowed"], true);
    assert_eq!(v["because"], json!(["All → Entity Group Read-only User: Group role on Boilers"]), "{v}");
    let (_, v) = ask(admin.clone(), b_id.clone(), "WRITE", "DEVICE", dev.clone()).await;
    assert_eq!((&v["allowed"], v["because"].as_array().map(Vec::len)), (&json!(false), Some(0)), "{v}");
    assert!(v["missing"].as_str().unwrap().contains("WRITE"), "{v}");
    let (_, v) = ask(admin.clone(), a_id.clone(), "READ", "DEVICE", dev.clone()).await;
    assert_eq!(v["allowed"], false, "{v}");
    // A's user on its own customer: the own-customer rule (A is owned by the tenant, outside A's subtree); on
    // A's sub-customer A1: its Generic role over A.
    let (_, v) = ask(admin.clone(), a_id.clone(), "READ", "CUSTOMER", w.a.clone()).await;
    assert_eq!(v["because"], json!(["It is the user's own customer, which its users may always read"]), "{v}");
    let (_, v) = ask(admin.clone(), a_id.clone(), "READ", "CUSTOMER", w.a1.clone()).await;
    assert_eq!(
        v["because"],
        json!(["Customer Users → Customer User: Generic role over the user's owner and its sub-customers"])
    );

    // Asking needs the entity too: A's user may read itself but not the tenant's device, here and over REST.
    let a_user = console_login(srv, "user@a.io", "customer-pass").await;
    let (s, _) = ask(a_user, a_id.clone(), "READ", "DEVICE", dev.clone()).await;
    assert!(s == 403 || s == 404, "{s}");
    let a_token = srv.login("user@a.io", "customer-pass").await;
    let path = format!("/api/thingdeck/explain?userId={a_id}&entityType=DEVICE&entityId={dev}&operation=READ");
    let (s, body) = srv.get(&path, Some(&a_token)).await;
    assert!(s == 403 || s == 404, "REST: {s} {body}");
    // Bad input: 400 each.
    for (op, etype, id) in [("FLY", "DEVICE", dev.as_str()), ("READ", "WIDGET", dev.as_str()), ("READ", "DEVICE", "x")]
    {
        let (s, e) = ask(admin.clone(), b_id.clone(), op, etype, id.to_string()).await;
        assert_eq!(s, 400, "{op} {etype} {id}: {e}");
    }

    // The user's access page asks from its URL, server-rendered (no JavaScript needed).
    let (s, _, page) = html(srv, &format!("/users/{b_id}/access?op=READ&etype=DEVICE&eid={dev}"), &admin).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("data-testid=\"verdict\"") && page.contains("Yes.") && page.contains("Group role on Boilers")
    );
    let (_, _, page) = html(srv, &format!("/users/{b_id}/access"), &admin).await;
    assert!(page.contains("Can this user") && !page.contains("data-testid=\"verdict\""));
    assert!(page.contains(&format!("action=\"/users/{b_id}/access\"")), "the question stays on this page: {page}");
});
