//! The console's users page over plain HTTP: the list follows the caller's roles, its buttons too, and the server
//! functions behind them decide like the REST API.

use crate::both;
use crate::harness::*;
use crate::users::{user_id, world};

fn table(page: &str) -> &str {
    let from = page.find("data-testid=\"users-table\"").unwrap_or_else(|| panic!("no users table in {page}"));
    let rest = &page[from..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// The row of `email` in a rendered users table.
fn row<'a>(page: &'a str, email: &str) -> &'a str {
    let t = table(page);
    let at = t.find(&format!(">{email}<")).unwrap_or_else(|| panic!("{email} not listed"));
    let start = t[..at].rfind("<tr").unwrap_or(0);
    let end = t[at..].find("</tr>").map(|e| at + e).unwrap_or(t.len());
    &t[start..end]
}

both!(users_page_offers_what_roles_allow, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (_, _, home) = html(srv, "/", &admin).await;
    assert!(home.contains("href=\"/users\""));
    let (s, _, page) = html(srv, "/users?sort=email&dir=asc", &admin).await;
    assert_eq!(s, 200);
    for email in ["admin@acme.io", "boss@a.io", "user@a.io", "user@a1.io", "user@b.io"] {
        assert!(table(&page).contains(&format!(">{email}<")), "{email} listed");
    }
    let t = table(&page);
    assert!(t.find(">admin@acme.io<").unwrap() < t.find(">user@b.io<").unwrap(), "email ascending");
    let mine = row(&page, "admin@acme.io");
    assert!(!mine.contains("Log in as user") && !mine.contains("Delete"), "nothing to do to oneself: {mine}");
    let theirs = row(&page, "user@a.io");
    assert!(theirs.contains("Log in as user") && theirs.contains("Disable") && theirs.contains("Delete"), "{theirs}");
    assert!(theirs.contains("Customer Users") && theirs.contains(">A<"), "groups and owner: {theirs}");

    // Disable from the console: the row says so, and that user's console session is over.
    let victim = console_login(srv, "user@a1.io", "customer-pass").await;
    let a1_user = user_id(srv, &w.admin, "user@a1.io").await;
    let (s, _) = sfn(srv, "set_user_enabled", &admin, &[("id", &a1_user), ("enabled", "false")]).await;
    assert_eq!(s, 200);
    let (_, _, page) = html(srv, "/users?q=a1.io", &admin).await;
    assert!(row(&page, "user@a1.io").contains("Disabled") && row(&page, "user@a1.io").contains("Enable"));
    let (_, loc, _) = html(srv, "/users", &victim).await;
    assert_eq!(loc, "/login", "a disabled user's session ends");

    // A's administrator sees A's subtree; a plain user sees users but may change none of them.
    let boss = console_login(srv, "boss@a.io", "customer-pass").await;
    let (_, _, page) = html(srv, "/users", &boss).await;
    assert!(table(&page).contains(">user@a.io<") && !table(&page).contains(">user@b.io<"));
    let user = console_login(srv, "user@a.io", "customer-pass").await;
    let (_, _, page) = html(srv, "/users", &user).await;
    assert!(!page.contains("Log in as user") && !page.contains(">Delete<") && !page.contains(">Disable<"), "{page}");
    let b_user = user_id(srv, &w.admin, "user@b.io").await;
    assert_eq!(sfn(srv, "delete_user", &user, &[("id", &b_user)]).await.0, 403, "another part of the tree");
    let a_boss = user_id(srv, &w.admin, "boss@a.io").await;
    assert_eq!(sfn(srv, "delete_user", &user, &[("id", &a_boss)]).await.0, 403);
    assert_eq!(sfn(srv, "delete_user", &admin, &[("id", "nope")]).await.0, 400);

    // Deleting from the console.
    assert_eq!(sfn(srv, "delete_user", &admin, &[("id", &b_user)]).await.0, 200);
    let (_, _, page) = html(srv, "/users?q=user%40b", &admin).await;
    assert!(page.contains("No user matches."));
    w.srv.stop();
});

both!(add_user_form_places_the_user_and_hands_over_its_activation_link, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (s, groups) = sfn(srv, "owner_groups", &admin, &[("kind", "USER"), ("owner", &w.a)]).await;
    assert_eq!(s, 200, "{groups}");
    let users_group = groups.as_array().unwrap().iter().find(|g| g["name"] == "Customer Users").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The list links to the form with the owner and group it shows; the form starts with them chosen.
    let (_, _, page) = html(srv, &format!("/users?owner={}&group={users_group}", w.a), &admin).await;
    assert!(page.contains(&format!("href=\"/users/new?owner={}&amp;group={users_group}\"", w.a)), "{page}");
    assert!(!page.contains("data-testid=\"add-user\""), "the form is not on the list");
    let (s, _, page) = html(srv, &format!("/users/new?owner={}&group={users_group}", w.a), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("data-testid=\"add-user\""), "{page}");
    assert!(page.contains(&format!("<option value=\"{}\" selected", w.a)), "owner preselected: {page}");
    assert!(page.contains(&format!("value=\"{users_group}\" checked")), "group preselected: {page}");
    let (_, dash) = srv.post("/api/dashboard", Some(&w.admin), serde_json::json!({"title": "Lobby"})).await;
    let dash = id_of(&dash);
    let (s, choices) = sfn(srv, "dashboard_choices", &admin, &[]).await;
    assert_eq!(s, 200);
    assert!(choices.as_array().unwrap().iter().any(|d| d["id"] == dash.as_str()));

    let add = |email: &'static str, activation: &'static str, group: String, dash: String| {
        let owner = w.a.clone();
        let admin = admin.clone();
        async move {
            let fields = [
                ("owner", owner.as_str()),
                ("groups[]", group.as_str()),
                ("email", email),
                ("first_name", "Kim"),
                ("last_name", "Lee"),
                ("phone", ""),
                ("activation", activation),
                ("dashboard", dash.as_str()),
                ("fullscreen", "true"),
            ];
            sfn(srv, "create_user", &admin, &fields).await
        }
    };
    let (s, u) = add("kiosk@a.io", "link", users_group.clone(), dash.clone()).await;
    assert_eq!(s, 200, "{u}");
    let link = u["activation_link"].as_str().unwrap();
    assert!(link.contains("/api/noauth/activate?activateToken="), "{link}");
    let (_, got) = srv.get(&format!("/api/user/{}", u["id"].as_str().unwrap()), Some(&w.admin)).await;
    assert_eq!(got["authority"], "CUSTOMER_USER");
    assert_eq!(got["customerId"]["id"], w.a.as_str());
    assert_eq!(got["additionalInfo"]["defaultDashboardId"], dash.as_str());
    assert_eq!(got["additionalInfo"]["defaultDashboardFullscreen"], true);
    let token = link.split("activateToken=").nth(1).unwrap();
    let (s, _) = srv
        .post("/api/noauth/activate", None, serde_json::json!({"activateToken": token, "password": "kiosk-pass-123"}))
        .await;
    assert_eq!(s, 200, "the handed-over link activates the user");
    let (_, _, page) = html(srv, "/users?q=kiosk", &admin).await;
    assert!(row(&page, "kiosk@a.io").contains("Customer Users"), "placed in the chosen group");
    // Several groups at once; one id that is not a group refuses the whole user.
    let (_, night) =
        sfn(srv, "create_group", &admin, &[("kind", "USER"), ("name", "Night shift"), ("owner", &w.a)]).await;
    let night = night["id"].as_str().unwrap().to_string();
    let both_groups = |email: &'static str, second: String| {
        let (owner, first, admin) = (w.a.clone(), users_group.clone(), admin.clone());
        async move {
            let fields = [
                ("owner", owner.as_str()),
                ("groups[]", first.as_str()),
                ("groups[]", second.as_str()),
                ("email", email),
                ("first_name", ""),
                ("last_name", ""),
                ("phone", ""),
                ("activation", "link"),
                ("dashboard", ""),
            ];
            sfn(srv, "create_user", &admin, &fields).await
        }
    };
    let (s, u) = both_groups("night@a.io", night.clone()).await;
    assert_eq!(s, 200, "{u}");
    let (_, _, page) = html(srv, "/users?q=night", &admin).await;
    let shown = row(&page, "night@a.io");
    assert!(shown.contains("Customer Users") && shown.contains("Night shift"), "in both groups: {shown}");
    let (s, _) = both_groups("x5@a.io", "not-a-group".into()).await;
    assert_eq!(s, 400);

    // Refusals change nothing: a bad activation choice, a taken email, an unknown dashboard, a caller without
    // USER CREATE, no mail server for "send email".
    let (s, _) = add("x1@a.io", "carrier-pigeon", String::new(), String::new()).await;
    assert_eq!(s, 400);
    let (s, _) = add("kiosk@a.io", "link", String::new(), String::new()).await;
    assert_eq!(s, 400, "email taken");
    let (s, _) = add("x2@a.io", "link", String::new(), "not-an-id".into()).await;
    assert_eq!(s, 400);
    let (s, _) = add("x3@a.io", "mail", String::new(), String::new()).await;
    assert!(s >= 400, "no mail server configured: {s}");
    let user = console_login(srv, "user@a.io", "customer-pass").await;
    let (s, _) = sfn(
        srv,
        "create_user",
        &user,
        &[
            ("owner", w.a.as_str()),
            ("groups[]", ""),
            ("email", "x4@a.io"),
            ("first_name", ""),
            ("last_name", ""),
            ("phone", ""),
            ("activation", "link"),
            ("dashboard", ""),
        ],
    )
    .await;
    assert_eq!(s, 403);
    let (_, _, page) = html(srv, "/users?q=x", &admin).await;
    for e in ["x1@a.io", "x2@a.io", "x3@a.io", "x4@a.io", "x5@a.io"] {
        assert!(!page.contains(e), "{e} was not created");
    }
});

both!(user_page_edits_dashboard_groups_and_owner, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let id = user_id(srv, &w.admin, "user@a.io").await;
    let body = serde_json::json!({"title": "Lobby", "customerId": {"entityType": "CUSTOMER", "id": w.a}});
    let dash = id_of(&srv.post("/api/dashboard", Some(&w.admin), body).await.1);

    // The user's page links to "Manage owner and groups", a page of its own with the owner and the groups.
    let (s, _, page) = html(srv, &format!("/users/{id}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains(&format!("href=\"/users/{id}/owner\"")) && page.contains("Log in as user"), "{page}");
    assert!(!page.contains("data-testid=\"user-membership\""), "{page}");
    let (s, _, page) = html(srv, &format!("/users/{id}/owner"), &admin).await;
    assert_eq!(s, 200);
    let membership = &page[page.find("data-testid=\"user-membership\"").unwrap()..];
    let users_row = &membership[membership.find("Customer Users").unwrap()..];
    assert!(users_row[..users_row.find("</div>").unwrap()].contains("✓"), "a member of Customer Users: {page}");
    assert!(page.contains("data-testid=\"user-manage-owner\"") && page.contains("Owner: A"), "{page}");
    assert!(page.contains(&format!("href=\"/users/{id}\"")), "the way back: {page}");
    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    let (_, _, page) = html(srv, &format!("/users/{id}/owner"), &b_user).await;
    assert!(page.contains("role=\"alert\"") && !page.contains("user@a.io"), "another customer's user: {page}");
    let (s, u) = sfn(srv, "user", &admin, &[("id", &id)]).await;
    assert_eq!(s, 200, "{u}");
    let version = u["version"].to_string();

    // Names and the default dashboard, full screen; other additional info stays.
    let save = |version: String, dashboard: String| {
        let (admin, id) = (admin.clone(), id.clone());
        async move {
            let fields = [
                ("id", id.as_str()),
                ("version", version.as_str()),
                ("first_name", "Una"),
                ("last_name", "User"),
                ("phone", ""),
                ("dashboard", dashboard.as_str()),
                ("fullscreen", "true"),
            ];
            sfn(srv, "save_user", &admin, &fields).await
        }
    };
    let (s, saved) = save(version.clone(), dash.clone()).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["dashboard"], dash.as_str());
    assert_eq!(saved["fullscreen"], true);
    assert_eq!(saved["user"]["name"], "Una User");
    let (_, rest) = srv.get(&format!("/api/user/{id}"), Some(&w.admin)).await;
    assert_eq!(rest["additionalInfo"]["defaultDashboardFullscreen"], true, "{rest}");
    assert_eq!(save(version, dash.clone()).await.0, 409, "a stale version is refused");
    let (s, _) = save(saved["version"].to_string(), "not-an-id".into()).await;
    assert_eq!(s, 400);
    let (_, rest2) = srv.get(&format!("/api/user/{id}"), Some(&w.admin)).await;
    assert_eq!(rest2["version"], rest["version"], "a refused save changes nothing");

    // Its owner's user groups: add, remove.
    let (_, g) = sfn(srv, "create_group", &admin, &[("kind", "USER"), ("name", "Night shift"), ("owner", &w.a)]).await;
    let g = g["id"].as_str().unwrap().to_string();
    let (s, e) =
        sfn(srv, "group_member", &admin, &[("kind", "USER"), ("id", &id), ("group", &g), ("add", "true")]).await;
    assert_eq!(s, 200, "{e}");
    let (_, u) = sfn(srv, "user", &admin, &[("id", &id)]).await;
    assert!(u["group_ids"].as_array().unwrap().contains(&serde_json::json!(g)), "{u}");
    let (s, _) =
        sfn(srv, "group_member", &admin, &[("kind", "USER"), ("id", &id), ("group", &g), ("add", "false")]).await;
    assert_eq!(s, 200);
    let (_, u) = sfn(srv, "user", &admin, &[("id", &id)]).await;
    assert!(!u["group_ids"].as_array().unwrap().contains(&serde_json::json!(g)));

    // Refusals: another customer's user, a device group, bad ids.
    let b = console_login(srv, "user@b.io", "customer-pass").await;
    assert!(matches!(sfn(srv, "user", &b, &[("id", &id)]).await.0, 403 | 404));
    let (_, dg) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "Pumps")]).await;
    let dg = dg["id"].as_str().unwrap().to_string();
    assert_eq!(
        sfn(srv, "group_member", &admin, &[("kind", "USER"), ("id", &id), ("group", &dg), ("add", "true")]).await.0,
        400
    );
    assert_eq!(sfn(srv, "user", &admin, &[("id", "nope")]).await.0, 400);

    // Manage owner: to customer B, out of every group of A.
    let (s, moved) = sfn(srv, "change_user_owner", &admin, &[("id", &id), ("owner", &w.b)]).await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["user"]["owner_name"], "B");
    assert_eq!(moved["user"]["groups"], serde_json::json!(["All"]));
});
