//! A group's own page (`/groups/:id`) and its sharing and roles pages (`/groups/:id/shares`, `/roles`): what
//! each caller learns about a group and which of rename / share / roles / public / delete it is offered, decided by the same checks that then accept or refuse those calls; renaming
//! keeps what the group had (its public state) and refuses a stale version.

use crate::both;
use crate::harness::*;
use crate::users::world;

/// The group's page as one caller sees it.
async fn view(srv: &Server, cookie: &str, id: &str) -> (u16, serde_json::Value) {
    sfn(srv, "group_view", cookie, &[("id", id)]).await
}

both!(a_groups_page_offers_what_its_caller_may_do_there, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (_, g) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "Boilers")]).await;
    let boilers = g["id"].as_str().unwrap().to_string();
    let (_, g) = sfn(srv, "create_group", &admin, &[("kind", "DEVICE"), ("name", "A meters"), ("owner", &w.a)]).await;
    let a_meters = g["id"].as_str().unwrap().to_string();

    // The tenant's own group: everything, and the members link without an owner.
    let (s, v) = view(srv, &admin, &boilers).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["kind"].as_str(), v["owner_name"].as_str(), v["tab"]["name"].as_str()),
        (Some("DEVICE"), Some("Acme"), Some("Boilers"))
    );
    assert_eq!(
        (v["managed"].as_bool(), v["writable"].as_bool(), v["deletable"].as_bool()),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!((v["tab"]["owned"].as_bool(), v["list_owner"].as_str()), (Some(true), Some("")));
    let (s, _, page) = html(srv, &format!("/groups/{boilers}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("<h1>Boilers</h1>") && page.contains("Owner: Acme"), "{page}");
    assert!(page.contains(&format!("href=\"/devices?group={boilers}\"")), "{page}");
    for offered in ["Rename", "Make public", "Delete group", &format!("href=\"/groups/{boilers}/shares\"")] {
        assert!(page.contains(offered), "{offered}");
    }
    assert!(!page.contains("data-testid=\"share-panel\""), "the sharing form is on its own page");
    let (s, _, page) = html(srv, &format!("/groups/{boilers}/shares"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("Boilers: sharing") && page.contains("Share with customer"), "{page}");
    assert!(page.contains(&format!("href=\"/groups/{boilers}\"")), "the way back: {page}");
    let (_, _, page) = html(srv, &format!("/groups/{boilers}/roles"), &admin).await;
    assert!(page.contains("role=\"alert\"") && !page.contains("data-testid=\"user-group-roles\""), "{page}");
    // A user group's page links to its roles, which have their page.
    let (_, ug) = sfn(srv, "create_group", &admin, &[("kind", "USER"), ("name", "Operators")]).await;
    let operators = ug["id"].as_str().unwrap().to_string();
    let (_, _, page) = html(srv, &format!("/groups/{operators}"), &admin).await;
    assert!(page.contains(&format!("href=\"/groups/{operators}/roles\"")) && !page.contains("/shares\""), "{page}");
    let (_, _, page) = html(srv, &format!("/groups/{operators}/roles"), &admin).await;
    assert!(page.contains("Operators: roles") && page.contains("data-testid=\"user-group-roles\""), "{page}");
    let (_, _, page) = html(srv, &format!("/groups/{operators}/shares"), &admin).await;
    assert!(page.contains("You cannot share this group.") && !page.contains("Share with customer"), "{page}");

    // A's group seen by the tenant: managed (shared, renamed, deleted) but made public only by A's side; the
    // members link carries the owner so the list shows A's tabs.
    let (s, v) = view(srv, &admin, &a_meters).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["owner_name"].as_str(), v["list_owner"].as_str(), v["tab"]["owned"].as_bool()),
        (Some("A"), Some(w.a.as_str()), Some(false))
    );
    let (_, _, page) = html(srv, &format!("/groups/{a_meters}"), &admin).await;
    assert!(page.contains(&format!("href=\"/devices?owner={}&amp;group={a_meters}\"", w.a)), "{page}");
    assert!(page.contains(&format!("/groups/{a_meters}/shares")) && !page.contains("Make public"), "{page}");
    let (s, _) = sfn(srv, "set_group_public", &admin, &[("group", &a_meters), ("public", "true")]).await;
    assert_eq!(s, 403, "the page hides what the server refuses");

    // Shared with B read-only: B's user reads the page, is told it is shared, and is offered nothing.
    // Without JavaScript the customer is picked by reloading the page with `?customer=`: that customer's user
    // groups are then listed and the share form carries it.
    let (_, _, page) = html(srv, &format!("/groups/{boilers}/shares"), &admin).await;
    assert!(page.contains("List its user groups") && !page.contains(">Customer Users<"), "{page}");
    let (_, _, page) = html(srv, &format!("/groups/{boilers}/shares?customer={}", w.b), &admin).await;
    assert!(page.contains(&format!("<option value=\"{}\" selected", w.b)), "{page}");
    assert!(page.contains(&format!("name=\"customer\" value=\"{}\"", w.b)), "{page}");
    assert!(page.contains(">Customer Users<"), "B's user groups: {page}");
    let share = [("group", boilers.as_str()), ("customer", w.b.as_str()), ("user_group", ""), ("access", "read")];
    assert_eq!(sfn(srv, "share_group", &admin, &share).await.0, 200);
    let b_user = console_login(srv, "user@b.io", "customer-pass").await;
    let (s, v) = view(srv, &b_user, &boilers).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["managed"].as_bool(), v["writable"].as_bool(), v["deletable"].as_bool()),
        (Some(false), Some(false), Some(false))
    );
    let (_, _, page) = html(srv, &format!("/groups/{boilers}"), &b_user).await;
    assert!(page.contains("Shared with you by its owner."), "{page}");
    for hidden in ["Rename", "/shares", "Make public", "Delete group"] {
        assert!(!page.contains(hidden), "{hidden}");
    }
    let (_, _, page) = html(srv, &format!("/groups/{boilers}/shares"), &b_user).await;
    assert!(page.contains("You cannot share this group.") && !page.contains("Share with customer"), "{page}");
    let (s, _) = sfn(srv, "rename_group", &b_user, &[("group", &boilers), ("name", "Mine"), ("version", "1")]).await;
    assert_eq!(s, 403);

    // Not readable, not a group, not an id.
    let a_user = console_login(srv, "user@a.io", "customer-pass").await;
    let (s, _) = view(srv, &a_user, &boilers).await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, _, page) = html(srv, &format!("/groups/{boilers}"), &a_user).await;
    assert_eq!(s, 200, "the page renders the refusal");
    assert!(!page.contains("Boilers") && page.contains("role=\"alert\""), "{page}");
    assert_eq!(view(srv, &admin, &w.a).await.0, 404, "a customer id is no group");
    assert_eq!(view(srv, &admin, "not-a-uuid").await.0, 400);

    // "All" is a group page too, but neither renamed nor deleted.
    let (_, tabs) = sfn(srv, "group_tabs", &admin, &[("kind", "DEVICE")]).await;
    assert_eq!(tabs[0]["name"], "All");
    let (_, groups) = srv.get("/api/entityGroups/DEVICE", Some(&w.admin)).await;
    let all = id_of(groups.as_array().unwrap().iter().find(|g| g["name"] == "All").unwrap());
    let (s, v) = view(srv, &admin, &all).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["tab"]["id"].as_str(), v["deletable"].as_bool()), (Some(all.as_str()), Some(false)));
    let version = v["version"].to_string();
    let (s, e) =
        sfn(srv, "rename_group", &admin, &[("group", &all), ("name", "Everything"), ("version", &version)]).await;
    assert_eq!(s, 400, "{e}");
});

both!(renaming_a_group_keeps_its_public_state_and_refuses_a_stale_version, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (_, g) = sfn(srv, "create_group", &admin, &[("kind", "ASSET"), ("name", "Buildings")]).await;
    let id = g["id"].as_str().unwrap().to_string();
    sfn(srv, "create_group", &admin, &[("kind", "ASSET"), ("name", "Sheds")]).await;
    assert_eq!(sfn(srv, "set_group_public", &admin, &[("group", &id), ("public", "true")]).await.0, 200);
    let (_, v) = view(srv, &admin, &id).await;
    let (public_id, version) = (v["tab"]["public_id"].as_str().unwrap().to_string(), v["version"].to_string());
    assert!(!public_id.is_empty());

    // Refusals change nothing.
    for (name, version, why) in [
        ("", version.as_str(), "empty name"),
        ("Sheds", version.as_str(), "another group's name"),
        ("All", version.as_str(), "reserved"),
        ("Offices", "x", "bad version"),
    ] {
        let (s, e) = sfn(srv, "rename_group", &admin, &[("group", &id), ("name", name), ("version", version)]).await;
        assert_eq!(s, 400, "{why}: {e}");
    }
    let (_, after) = view(srv, &admin, &id).await;
    assert_eq!(after, v, "nothing changed");

    let (s, e) = sfn(srv, "rename_group", &admin, &[("group", &id), ("name", "Offices"), ("version", &version)]).await;
    assert_eq!(s, 200, "{e}");
    let (_, v) = view(srv, &admin, &id).await;
    assert_eq!(
        (v["tab"]["name"].as_str(), v["tab"]["public_id"].as_str()),
        (Some("Offices"), Some(public_id.as_str()))
    );
    let (s, e) = sfn(srv, "rename_group", &admin, &[("group", &id), ("name", "Stale"), ("version", &version)]).await;
    assert_eq!(s, 409, "the page's version is old: {e}");
    let (_, g) = srv.get(&format!("/api/entityGroup/{id}"), Some(&w.admin)).await;
    assert_eq!(g["name"], "Offices");
    assert_eq!(g["additionalInfo"]["isPublic"], true, "{g}");

    // Deleted from its page: gone, and its page says so.
    assert_eq!(sfn(srv, "delete_group", &admin, &[("group", &id)]).await.0, 200);
    assert_eq!(view(srv, &admin, &id).await.0, 404);
});
