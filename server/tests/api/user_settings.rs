//! `/api/user/settings`: each user's own JSON, merged and trimmed by dotted paths, on both stores.

use crate::both;
use crate::harness::*;
use crate::users::world;
use serde_json::json;

async fn put(srv: &Server, path: &str, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let r = srv.http.put(srv.url(path)).header("X-Authorization", format!("Bearer {token}")).json(&body);
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

both!(user_settings_merge_by_path_and_stay_private, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let t = &w.a_user;
    assert_eq!(srv.get("/api/user/settings", Some(t)).await.1, json!({}));
    let (s, saved) = srv.post("/api/user/settings", Some(t), json!({"A": 1, "B": {"C": 2}})).await;
    assert_eq!((s, saved), (200, json!({"A": 1, "B": {"C": 2}})));
    assert_error(&srv.post("/api/user/settings", Some(t), json!({"A": {"b.c": 1}})).await, 400, 30);
    assert_error(&srv.post("/api/user/settings", Some(t), json!({"a,b": 1})).await, 400, 30);
    assert_error(&srv.post("/api/user/settings", Some(t), json!([1, 2])).await, 400, 30);
    assert_eq!(put(srv, "/api/user/settings", t, json!({"B.D.E": 100})).await.0, 200);
    assert_eq!(put(srv, "/api/user/settings/GENERAL", t, json!({"B": {"D": {"F": 1}}})).await.0, 200);
    let (_, now) = srv.get("/api/user/settings/general", Some(t)).await;
    assert_eq!(now, json!({"A": 1, "B": {"C": 2, "D": {"E": 100, "F": 1}}}));
    assert_eq!(srv.delete("/api/user/settings/B.C,A,no.such", Some(t)).await.0, 200);
    assert_eq!(srv.get("/api/user/settings", Some(t)).await.1, json!({"B": {"D": {"E": 100, "F": 1}}}));
    assert_error(&put(srv, "/api/user/settings", t, json!({"a..b": 1})).await, 400, 30);
    assert_error(&put(srv, "/api/user/settings", t, json!(7)).await, 400, 30);

    assert_eq!(put(srv, "/api/user/settings/quick_links", t, json!({"items": ["devices", "assets"]})).await.0, 200);
    assert_eq!(srv.get("/api/user/settings/quick_links", Some(t)).await.1, json!({"items": ["devices", "assets"]}));
    assert_eq!(srv.delete("/api/user/settings/quick_links/items", Some(t)).await.0, 200);
    assert_eq!(srv.get("/api/user/settings/quick_links", Some(t)).await.1, json!({}));
    assert_error(&srv.get("/api/user/settings/wallpaper", Some(t)).await, 400, 31);
    let huge = "x".repeat(70_000);
    assert_error(&put(srv, "/api/user/settings", t, json!({"big": huge})).await, 400, 30);
    // Each user's own: another user starts empty; nobody without a session reads any.
    assert_eq!(srv.get("/api/user/settings", Some(&w.admin)).await.1, json!({}));
    assert_error(&srv.get("/api/user/settings", None).await, 401, 10);
});
