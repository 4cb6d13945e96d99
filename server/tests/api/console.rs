//! The console over plain HTTP: server-rendered pages, the session cookie, CSRF refusal, and what is stored.

use crate::both;
use crate::harness::*;
use serde_json::json;

/// Signs in through the console's server function like a browser form would; returns the response.
async fn form_login(srv: &Server, origin: &str, email: &str, password: &str) -> reqwest::Response {
    srv.http
        .post(srv.url("/_sfn/login"))
        .header("Origin", origin)
        .header("Accept", "text/html")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("td_session=") && !c.starts_with("td_session=;"))
        .map(str::to_string)
}

async fn page(srv: &Server, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut req = srv.http.get(srv.url(path)).header("Accept", "text/html");
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, location, r.text().await.unwrap())
}

both!(console_sessions_are_cookies_and_refuse_cross_site_posts, |store| async move {
    let srv = Server::start(store, &[]).await;
    let (s, _, html) = page(&srv, "/login", None).await;
    assert_eq!(s, 200);
    assert!(html.contains("Sign in to Thingdeck"));
    let (s, loc, _) = page(&srv, "/tenants", None).await;
    assert_eq!((s, loc.as_str()), (302, "/login"), "signed-out visitors go to the login page");

    // A cross-site form post is refused and sets no cookie.
    let evil = form_login(&srv, "http://evil.example", SYSADMIN, SYSADMIN_PASSWORD).await;
    assert!(session_cookie(&evil).is_none());
    assert!(evil.text().await.unwrap().contains("Cross-site request refused"));

    let ok = form_login(&srv, &srv.base, SYSADMIN, SYSADMIN_PASSWORD).await;
    let set = session_cookie(&ok).expect("session cookie");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"), "{set}");
    // A JWT would start with the base64 of '{"'; the cookie is an opaque secret.
    assert!(!set.starts_with("td_session=eyJ"), "the cookie is not a JWT: {set}");
    let cookie = set.split(';').next().unwrap().to_string();

    srv.tenant(&srv.sysadmin().await, "Rendered Corp").await;
    let (s, _, html) = page(&srv, "/tenants?q=rendered", Some(&cookie)).await;
    assert_eq!(s, 200);
    assert!(html.contains("Rendered Corp"), "the first paint carries the data");

    // Signing out ends the cookie's session on the server, not just in the browser.
    let out = srv
        .http
        .post(srv.url("/_sfn/logout"))
        .header("Origin", &srv.base)
        .header("Accept", "text/html")
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_redirection() || out.status().is_success());
    let (s, loc, _) = page(&srv, "/tenants", Some(&cookie)).await;
    assert_eq!((s, loc.as_str()), (302, "/login"));
    srv.stop();
});

both!(tenant_admins_see_no_tenant_management, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let t = srv.tenant(&sys, "Acme").await;
    srv.tenant_admin(&sys, &t, "ada@acme.io", "ada-password").await;
    let r = form_login(&srv, &srv.base, "ada@acme.io", "ada-password").await;
    let cookie = session_cookie(&r).unwrap().split(';').next().unwrap().to_string();
    let (s, _, home) = page(&srv, "/", Some(&cookie)).await;
    assert_eq!(s, 200);
    assert!(home.contains("Tenant console"));
    assert!(!home.contains("href=\"/tenants\""), "no Tenants menu");
    let (_, _, tenants) = page(&srv, "/tenants", Some(&cookie)).await;
    assert!(tenants.contains("You don&#x27;t have permission") || tenants.contains("You don't have permission"));
    srv.stop();
});

both!(secrets_are_stored_hashed_and_links_expire, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Acme").await;
    let (_, u) = srv
        .post(
            "/api/user?sendActivationMail=false",
            Some(&sys),
            json!({"email": "late@acme.io", "authority": "TENANT_ADMIN", "tenantId": {"entityType": "TENANT", "id": tenant}}),
        )
        .await;
    let uid = u["id"]["id"].as_str().unwrap().to_string();
    let (_, link) = srv.get(&format!("/api/user/{uid}/activationLinkInfo"), Some(&sys)).await;
    let token = link["value"].as_str().unwrap().split("activateToken=").nth(1).unwrap().to_string();

    let db = srv.db().await;
    let stored: String = sqlx::query_scalar("SELECT activate_token_hash FROM user_credentials WHERE user_id = $1")
        .bind(&uid)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_ne!(stored, token);
    assert!(!stored.contains(&token));
    let sys_hash: String = sqlx::query_scalar(
        "SELECT c.password_hash FROM user_credentials c JOIN tb_user u ON u.id = c.user_id WHERE u.authority = 'SYS_ADMIN'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(sys_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{sys_hash}");

    // Age the link past its lifetime.
    sqlx::query("UPDATE user_credentials SET activate_expires = 1 WHERE user_id = $1")
        .bind(&uid)
        .execute(&db)
        .await
        .unwrap();
    let r = srv.http.get(srv.url(&format!("/api/noauth/activate?activateToken={token}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/activationLinkExpired");
    let expired =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "late-password"})).await;
    assert_error(&expired, 400, 30);
    assert_eq!(expired.1["message"], "Activation token expired");
    // A new link works.
    let (_, link) = srv.get(&format!("/api/user/{uid}/activationLinkInfo"), Some(&sys)).await;
    let token = link["value"].as_str().unwrap().split("activateToken=").nth(1).unwrap().to_string();
    let (s, _) =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "late-password"})).await;
    assert_eq!(s, 200);
    db.close().await;
    srv.stop();
});

// The split bundle under a path that changes with each build, cacheable for good; the old plain path still
// answers but must be revalidated; another build's path is not served.
both!(the_bundle_is_served_from_a_versioned_path_with_its_page_chunks, |store| async move {
    let srv = Server::start(store, &[]).await;
    let (s, _, login) = page(&srv, "/login", None).await;
    assert_eq!(s, 200);
    let css_at = login.find("/thingdeck.css\"").expect("stylesheet link");
    let dir_at = login[..css_at].rfind("\"/pkg/").expect("versioned pkg dir") + 1;
    let dir = &login[dir_at..css_at];
    assert_eq!(dir.len(), "/pkg/".len() + 12, "{dir}");
    assert!(login.contains(&format!("{dir}/thingdeck.js")), "the hydration script loads from the same dir");
    let get = |path: String| {
        let req = srv.http.get(srv.url(&path)).header("Accept-Encoding", "br");
        async move { req.send().await.unwrap() }
    };
    let r = get(format!("{dir}/thingdeck.css")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    let r = get("/pkg/thingdeck.css".into()).await;
    assert_eq!((r.status().as_u16(), r.headers()["cache-control"].to_str().unwrap()), (200, "no-cache"));
    assert_eq!(get("/pkg/000000000000/thingdeck.css".into()).await.status(), 404, "another build's path");

    // The bundle `cargo xtask site` split: main module, its JS importing the split loader, the loader, and every
    // page's chunks it names (scripts/test.sh builds the site before the tests).
    let js = get(format!("{dir}/thingdeck.js")).await;
    assert_eq!(js.status(), 200, "no bundle embedded: run `cargo xtask site` before building the tests");
    assert_eq!(js.headers()["content-encoding"], "br");
    let wasm = get(format!("{dir}/thingdeck_bg.wasm")).await;
    assert_eq!((wasm.status().as_u16(), wasm.headers()["content-type"].to_str().unwrap()), (200, "application/wasm"));
    let manifest = srv.http.get(srv.url(&format!("{dir}/__wasm_split_manifest.json"))).send().await.unwrap();
    let manifest: serde_json::Value = manifest.json().await.unwrap();
    let pages = manifest.as_object().expect("page → chunks");
    assert!(pages.keys().any(|k| k.contains("users_view")) && pages.len() >= 20, "{:?}", pages.keys());
    let loader = srv.http.get(srv.url(&format!("{dir}/__wasm_split.js"))).send().await.unwrap().text().await.unwrap();
    for chunk in pages.values().flat_map(|c| c.as_array().unwrap()).map(|c| c.as_str().unwrap()).take(40) {
        assert!(loader.contains(&format!("\"./{chunk}.wasm\"")), "the loader fetches {chunk}");
        let r = get(format!("{dir}/{chunk}.wasm")).await;
        assert_eq!(r.status(), 200, "{chunk}");
    }
});
