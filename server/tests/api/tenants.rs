//! Tenants, tenant administrators, activation and tenant isolation.

use crate::both;
use crate::harness::*;
use serde_json::{Value, json};

both!(tenant_crud_and_validation, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let (s, t) =
        srv.post("/api/tenant", Some(&sys), json!({"title": "Acme", "email": "ops@acme.io", "country": "NL"})).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["id"]["entityType"], "TENANT");
    assert_eq!(t["name"], "Acme");
    assert_eq!(t["version"], 1);
    assert!(t["createdTime"].as_i64().unwrap() > 0);
    let id = t["id"]["id"].as_str().unwrap().to_string();

    let (s, info) = srv.get(&format!("/api/tenant/info/{id}"), Some(&sys)).await;
    assert_eq!(s, 200);
    assert_eq!(info["tenantProfileName"], "Default");
    assert_eq!(info["title"], "Acme");

    let mut upd = t.clone();
    upd["city"] = json!("Delft");
    let (s, t2) = srv.post("/api/tenant", Some(&sys), upd.clone()).await;
    assert_eq!(s, 200, "{t2}");
    assert_eq!(t2["version"], 2);
    assert_eq!(t2["city"], "Delft");
    // Saving the stale copy again is a version conflict and changes nothing.
    upd["city"] = json!("Leiden");
    assert_error(&srv.post("/api/tenant", Some(&sys), upd).await, 409, 35);
    assert_eq!(srv.get(&format!("/api/tenant/{id}"), Some(&sys)).await.1["city"], "Delft");

    let missing = srv.post("/api/tenant", Some(&sys), json!({"email": "x@y.io"})).await;
    assert_error(&missing, 400, 30);
    assert_eq!(missing.1["message"], "Tenant title should be specified");
    assert_error(&srv.post("/api/tenant", Some(&sys), json!({"title": "x".repeat(256)})).await, 400, 30);
    assert_error(&srv.post("/api/tenant", Some(&sys), json!({"title": "B", "email": "invalid@mail"})).await, 400, 30);
    assert_error(&srv.post("/api/tenant", Some(&sys), json!({"title": "acme"})).await, 400, 30);
    assert_error(
        &srv.post("/api/tenant", Some(&sys), json!({"title": "C", "id": {"entityType": "USER", "id": id}})).await,
        400,
        31,
    );
    assert_error(&srv.get("/api/tenant/not-a-uuid", Some(&sys)).await, 400, 31);
    assert_error(&srv.get("/api/nothing/here", Some(&sys)).await, 404, 32);
    assert_error(&srv.get("/api/auth/login", None).await, 405, 2);

    assert_eq!(srv.delete(&format!("/api/tenant/{id}"), Some(&sys)).await.0, 200);
    let gone = srv.get(&format!("/api/tenant/{id}"), Some(&sys)).await;
    assert_error(&gone, 404, 32);
    assert_eq!(gone.1["message"], format!("Tenant with id [{id}] is not found"));
    assert_error(&srv.delete(&format!("/api/tenant/{id}"), Some(&sys)).await, 404, 32);
    srv.stop();
});

fn titles(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
}

both!(tenant_lists_page_search_and_sort, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    for i in 0..23 {
        srv.tenant(&sys, &format!("Tenant {i:02}{}", if i % 5 == 0 { " Blue" } else { "" })).await;
    }
    let (s, p) = srv.get("/api/tenants?pageSize=10&page=0&sortProperty=title&sortOrder=ASC", Some(&sys)).await;
    assert_eq!(s, 200);
    assert_eq!(p["totalElements"], 23);
    assert_eq!(p["totalPages"], 3);
    assert_eq!(p["hasNext"], true);
    assert_eq!(titles(&p)[0], "Tenant 00 Blue");
    let mut all = Vec::new();
    for page in 0..3 {
        let (_, p) = srv
            .get(&format!("/api/tenants?pageSize=10&page={page}&sortProperty=title&sortOrder=ASC"), Some(&sys))
            .await;
        all.extend(titles(&p));
        assert_eq!(p["hasNext"], page < 2);
    }
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    sorted.dedup();
    assert_eq!(sorted.len(), 23, "pages neither overlap nor skip");
    let (_, d) = srv.get("/api/tenants?pageSize=100&page=0&sortProperty=title&sortOrder=DESC", Some(&sys)).await;
    assert_eq!(titles(&d)[0], "Tenant 22");
    let (_, blue) = srv.get("/api/tenants?pageSize=100&page=0&textSearch=bLuE", Some(&sys)).await;
    assert_eq!(blue["totalElements"], 5, "case-insensitive substring search");
    let (_, none) = srv.get("/api/tenants?pageSize=100&page=0&textSearch=%25", Some(&sys)).await;
    assert_eq!(none["totalElements"], 0, "LIKE wildcards in the search are literal");
    let (_, infos) = srv.get("/api/tenantInfos?pageSize=5&page=4", Some(&sys)).await;
    assert_eq!(infos["data"].as_array().unwrap().len(), 3);
    assert_eq!(infos["data"][0]["tenantProfileName"], "Default");
    assert_error(&srv.get("/api/tenants?pageSize=10&page=0&sortProperty=password", Some(&sys)).await, 400, 30);
    assert_error(&srv.get("/api/tenants?pageSize=0&page=0", Some(&sys)).await, 400, 30);
    assert_error(&srv.get("/api/tenants?page=0", Some(&sys)).await, 400, 31);
    srv.stop();
});

both!(tenant_admin_activation_flow, |store| async move {
    let srv = Server::start(store, &[("THINGDECK_PUBLIC_URL", "https://console.example.com/")]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Acme").await;
    let body = json!({"email": "Admin@Acme.io", "firstName": "Ada", "authority": "TENANT_ADMIN",
                      "tenantId": {"entityType": "TENANT", "id": tenant}});
    // Without a mail server, "send the activation email" is refused and nothing is created.
    let refused = srv.post("/api/user", Some(&sys), body.clone()).await;
    assert_error(&refused, 400, 30);
    assert!(refused.1["message"].as_str().unwrap().contains("no mail server is configured"));
    let (s, u) = srv.post("/api/user?sendActivationMail=false", Some(&sys), body.clone()).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["authority"], "TENANT_ADMIN");
    assert_eq!(u["tenantId"]["id"], tenant);
    assert_eq!(u["additionalInfo"]["userActivated"], false);
    let uid = u["id"]["id"].as_str().unwrap().to_string();
    assert_error(&srv.post("/api/user?sendActivationMail=false", Some(&sys), body).await, 400, 30);

    let r = srv
        .http
        .get(srv.url(&format!("/api/user/{uid}/activationLink")))
        .header("X-Authorization", format!("Bearer {sys}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let first_link = r.text().await.unwrap();
    assert!(first_link.starts_with("https://console.example.com/api/noauth/activate?activateToken="), "{first_link}");
    let (s, info) = srv.get(&format!("/api/user/{uid}/activationLinkInfo"), Some(&sys)).await;
    assert_eq!(s, 200);
    let ttl = info["ttlMs"].as_i64().unwrap();
    assert!(ttl <= 24 * 3600 * 1000 && ttl > 24 * 3600 * 1000 - 60_000, "{ttl}");
    let link = info["value"].as_str().unwrap().to_string();
    let token = link.split("activateToken=").nth(1).unwrap().to_string();
    assert!(token.len() >= 22, "at least 128 random bits");
    assert_eq!(link, first_link, "a link with 15 minutes or more left is shown again, not replaced");
    // Under 15 minutes left, asking again gives a new link and the old one stops working.
    let db = srv.db().await;
    sqlx::query("UPDATE user_credentials SET activate_expires = activate_expires - 86000000")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let (_, renewed) = srv.get(&format!("/api/user/{uid}/activationLinkInfo"), Some(&sys)).await;
    assert_ne!(renewed["value"], link.as_str());
    assert_eq!(srv.get(&format!("/api/noauth/activate?activateToken={token}"), None).await.0, 409);
    let link = renewed["value"].as_str().unwrap().to_string();
    let token = link.split("activateToken=").nth(1).unwrap().to_string();

    let r = srv.http.get(srv.url(&format!("/api/noauth/activate?activateToken={token}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], format!("/login/createPassword?activateToken={token}"));

    assert_error(
        &srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "short"})).await,
        400,
        30,
    );
    let (s, pair) =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "ada-password"})).await;
    assert_eq!(s, 200, "{pair}");
    let admin = pair["token"].as_str().unwrap().to_string();
    assert_eq!(claims(&admin)["scopes"], json!(["TENANT_ADMIN"]));
    assert_eq!(claims(&admin)["tenantId"], tenant);
    // Single use.
    assert_error(
        &srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "ada-password2"})).await,
        400,
        30,
    );
    assert_eq!(srv.get(&format!("/api/noauth/activate?activateToken={token}"), None).await.0, 409);
    assert_error(&srv.get(&format!("/api/user/{uid}/activationLink"), Some(&sys)).await, 400, 30);
    let (_, me) = srv.get("/api/auth/user", Some(&admin)).await;
    assert_eq!(me["authority"], "TENANT_ADMIN");
    srv.login("admin@acme.io", "ada-password").await;
    let (_, users) = srv.get(&format!("/api/tenant/{tenant}/users?pageSize=10&page=0"), Some(&sys)).await;
    assert_eq!(users["totalElements"], 1);
    assert_eq!(users["data"][0]["additionalInfo"]["userActivated"], true);
    srv.stop();
});

both!(tenants_are_isolated, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let a = srv.tenant(&sys, "A").await;
    let b = srv.tenant(&sys, "B").await;
    let admin_a = srv.tenant_admin(&sys, &a, "a@a.io", "password-a").await;
    let admin_b = srv.tenant_admin(&sys, &b, "b@b.io", "password-b").await;
    assert_eq!(srv.get(&format!("/api/tenant/{a}"), Some(&admin_a)).await.0, 200);
    // Another tenant does not exist as far as A's administrator can tell.
    assert_error(&srv.get(&format!("/api/tenant/{b}"), Some(&admin_a)).await, 404, 32);
    assert_error(&srv.get(&format!("/api/tenant/info/{b}"), Some(&admin_a)).await, 404, 32);
    assert_error(&srv.delete(&format!("/api/tenant/{b}"), Some(&admin_a)).await, 404, 32);
    let (_, b_user) = srv.get("/api/auth/user", Some(&admin_b)).await;
    let b_uid = b_user["id"]["id"].as_str().unwrap();
    assert_error(&srv.get(&format!("/api/user/{b_uid}"), Some(&admin_a)).await, 404, 32);
    assert_error(&srv.get(&format!("/api/tenant/{b}/users?pageSize=10&page=0"), Some(&admin_a)).await, 404, 32);
    // Within its tenant, what it may not do is 403.
    let denied = srv.get("/api/tenants?pageSize=10&page=0", Some(&admin_a)).await;
    assert_error(&denied, 403, 20);
    assert_eq!(denied.1["message"], "You don't have permission to perform this operation!");
    assert_error(&srv.post("/api/tenant", Some(&admin_a), json!({"title": "Mine"})).await, 403, 20);
    // A tenant administrator's new users land in its own tenant whatever tenant the body names.
    let body = json!({"email": "x@a.io", "authority": "TENANT_ADMIN", "tenantId": {"entityType": "TENANT", "id": b}});
    let (s, x) = srv.post("/api/user?sendActivationMail=false", Some(&admin_a), body).await;
    assert_eq!(s, 200, "{x}");
    assert_eq!(x["tenantId"]["id"], a.as_str());
    // Deleting tenant B removes its users and ends their sessions at once.
    assert_eq!(srv.delete(&format!("/api/tenant/{b}"), Some(&sys)).await.0, 200);
    assert_error(&srv.get("/api/auth/user", Some(&admin_b)).await, 401, 10);
    assert_error(
        &srv.post("/api/auth/login", None, json!({"username": "b@b.io", "password": "password-b"})).await,
        401,
        10,
    );
    assert_eq!(srv.get("/api/auth/user", Some(&admin_a)).await.0, 200);
    srv.stop();
});
