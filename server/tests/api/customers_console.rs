//! The console's customers pages over plain HTTP: what each user is offered follows its roles, lists carry their
//! state in the URL and render on the server, and the server functions decide like the REST API.

use crate::both;
use crate::harness::*;
use crate::users::world;
use serde_json::json;

/// The part of a page between `start` and `end` markers (the rendered list), so assertions look at one table.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no {start} in {page}"));
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

fn rows(page: &str) -> &str {
    between(page, "data-testid=\"customers-table\"", "</table>")
}

/// Adds a customer through the console's server function, into `group` unless empty.
async fn save(srv: &Server, cookie: &str, title: &str, group: &str) -> (u16, serde_json::Value) {
    let fields = [
        ("id", ""),
        ("version", ""),
        ("parent", ""),
        ("group", group),
        ("title", title),
        ("email", "c@renters.io"),
        ("phone", ""),
        ("country", "Ireland"),
        ("city", ""),
    ];
    sfn(srv, "save_customer", cookie, &fields).await
}

both!(customers_pages_follow_roles_and_keep_their_state_in_the_url, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let admin = console_login(srv, "admin@acme.io", "admin-password").await;
    let (s, _, home) = html(srv, "/", &admin).await;
    assert_eq!(s, 200);
    assert!(home.contains("href=\"/customers\""), "tenant administrators get the Customers section");
    assert!(!home.contains("href=\"/tenants\""));

    // The "All" tab: the tenant's own customers, server-rendered, sub-customers on their parent's page.
    let (_, _, page) = html(srv, "/customers", &admin).await;
    let table = rows(&page);
    assert!(table.contains(&format!("href=\"/customers/{}\"", w.a)) && table.contains(">B<"), "{table}");
    assert!(!table.contains(">A1<"), "a sub-customer is listed under its parent");
    assert!(page.contains("Add customer") && page.contains("New customer group"));
    // Deleting asks in a modal dialog the browser opens by itself (no JavaScript needed); the form's submit
    // button is inside it, so the row has no direct delete.
    let dialog = format!("confirm-delete-{}", w.b);
    assert!(table.contains(&format!("commandfor=\"{dialog}\" command=\"show-modal\"")), "{table}");
    let inside = between(table, &format!("<dialog id=\"{dialog}\""), "</dialog>");
    assert!(inside.contains("Delete customer B?") && inside.contains("type=\"submit\""), "{inside}");
    assert!(inside.contains("command=\"close\"") && inside.contains("autofocus"), "Cancel closes and has the focus");

    // A group, a customer created into it, the group's tab.
    let (s, g) = sfn(srv, "create_group", &admin, &[("kind", "CUSTOMER"), ("name", "Office renters")]).await;
    assert_eq!(s, 200, "{g}");
    let office = g["id"].as_str().unwrap().to_string();
    let (s, c) = save(srv, &admin, "Cafe", &office).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["title"], "Cafe");
    let cafe = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["groups"], json!(["All", "Office renters"]));
    assert_eq!(c["country"], "Ireland");
    let (_, _, page) = html(srv, &format!("/customers?group={office}"), &admin).await;
    assert!(between(&page, "data-testid=\"group-tabs\"", "</nav>").contains("Office renters"), "{page}");
    let table = rows(&page);
    assert!(table.contains(">Cafe<") && !table.contains(">B<"), "{table}");
    // Adding is a page of its own, opened with the tab the list shows: the group is preselected there.
    assert!(page.contains(&format!("href=\"/customers/new?group={office}\"")), "{page}");
    assert!(!page.contains("data-testid=\"add-customer\""), "the form is not on the list");
    let (s, _, page) = html(srv, &format!("/customers/new?group={office}"), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("data-testid=\"add-customer\"") && page.contains("<h1>Add customer</h1>"), "{page}");
    assert!(page.contains(&format!("<option value=\"{office}\" selected")), "group preselected: {page}");
    assert!(page.contains("href=\"/customers?group="), "the way back: {page}");

    // Search and sort come from the URL; headers link to the other order.
    let (_, _, page) = html(srv, "/customers?q=caf", &admin).await;
    assert!(rows(&page).contains(">Cafe<") && !rows(&page).contains(">B<"));
    let (_, _, page) = html(srv, "/customers?sort=title&dir=desc", &admin).await;
    let t = rows(&page);
    let (cafe_at, b_at) = (t.find(">Cafe<").unwrap(), t.find(">B<").unwrap());
    assert!(cafe_at < b_at, "title descending");
    assert!(t.contains("aria-sort=\"descending\"") && t.contains("sort=title&amp;dir=asc"), "{t}");
    let (_, _, empty) = html(srv, "/customers?q=nothing-like-this", &admin).await;
    assert!(empty.contains("No customer matches."));

    // The server's validation comes back with its status; nothing is written.
    let (s, e) = save(srv, &admin, "", "").await;
    assert_eq!(s, 400, "{e}");
    assert!(e.to_string().to_lowercase().contains("title"), "{e}");
    let (s, _) = save(srv, &admin, "Cafe", "").await;
    assert_eq!(s, 400, "titles are unique per tenant");
    let (s, _) = save(srv, &admin, "X", "not-a-uuid").await;
    assert_eq!(s, 400);

    // A customer's page: details and its sub-customers.
    let (s, _, page) = html(srv, &format!("/customers/{}", w.a), &admin).await;
    assert_eq!(s, 200);
    assert!(between(&page, "data-testid=\"sub-customers\"", "</ul>").contains(">A1<"), "{page}");
    assert!(page.contains("Owner: Acme"));
    // Its sub-customers are added on the add page with the customer as parent, which has no group to pick.
    assert!(page.contains(&format!("href=\"/customers/new?parent={}\"", w.a)), "{page}");
    let (s, _, page) = html(srv, &format!("/customers/new?parent={}", w.a), &admin).await;
    assert_eq!(s, 200);
    assert!(page.contains("<h1>Add sub-customer</h1>") && !page.contains("id=\"cgroup\""), "{page}");
    assert!(page.contains(&format!("name=\"parent\" value=\"{}\"", w.a)), "{page}");
    assert!(page.contains(&format!("href=\"/customers/{}\"", w.a)), "back to the parent: {page}");

    // A's administrator: A's subtree only, with buttons; a plain user of A: reading only, no buttons.
    let boss = console_login(srv, "boss@a.io", "customer-pass").await;
    let (_, _, page) = html(srv, "/customers", &boss).await;
    let t = rows(&page);
    assert!(t.contains(">A1<") && !t.contains(">B<") && !t.contains(">Cafe<"), "{t}");
    assert!(page.contains("Add customer") && t.contains("Delete"));
    let (_, _, page) = html(srv, &format!("/customers/{}", w.b), &boss).await;
    assert!(!page.contains("Details"), "another customer's page shows no data");
    let user = console_login(srv, "user@a.io", "customer-pass").await;
    let (_, _, page) = html(srv, "/customers", &user).await;
    assert!(!page.contains("Add customer") && !page.contains("New customer group") && !page.contains(">Delete<"));
    let (s, _) = sfn(srv, "delete_customer", &user, &[("id", &w.a1)]).await;
    assert_eq!(s, 403, "the server refuses what the page does not offer");
    let (s, _) = sfn(srv, "create_group", &user, &[("kind", "CUSTOMER"), ("name", "Mine")]).await;
    assert_eq!(s, 403);

    // Deleting from the console; a signed-out call is refused.
    let (s, _) = sfn(srv, "delete_customer", &admin, &[("id", &cafe)]).await;
    assert_eq!(s, 200);
    let (_, _, page) = html(srv, &format!("/customers?group={office}"), &admin).await;
    assert!(page.contains("No customers here yet."));
    let list = [("page", "0"), ("search", ""), ("sort", ""), ("desc", "false"), ("group", "")];
    let (s, _) = sfn(srv, "customers", "td_session=nope", &list).await;
    assert_eq!(s, 401);
    let (_, gone) = srv.get(&format!("/api/customer/{cafe}"), Some(&w.admin)).await;
    assert_eq!(gone["status"], json!(404));
    w.srv.stop();
});
