//! Sign-in, tokens, sessions, password change and the guessing limits.

use crate::both;
use crate::harness::*;
use serde_json::json;

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

both!(login_issues_thingsboard_tokens, |store| async move {
    let srv = Server::start(store, &[]).await;
    let pair = srv.login_pair(SYSADMIN, SYSADMIN_PASSWORD).await;
    let access = claims(pair["token"].as_str().unwrap());
    for key in [
        "sub",
        "userId",
        "scopes",
        "sessionId",
        "firstName",
        "lastName",
        "enabled",
        "isPublic",
        "tenantId",
        "customerId",
        "exp",
        "iat",
    ] {
        assert!(access.get(key).is_some(), "access token lacks {key}: {access}");
    }
    assert_eq!(access["sub"], SYSADMIN);
    assert_eq!(access["scopes"], json!(["SYS_ADMIN"]));
    assert_eq!(access["isPublic"], false);
    assert_eq!(access["enabled"], true);
    let exp = access["exp"].as_i64().unwrap();
    assert!((exp - now_s() - 9000).abs() < 30, "access lifetime is 2.5 h: {exp}");
    let refresh = claims(pair["refreshToken"].as_str().unwrap());
    assert_eq!(refresh["scopes"], json!(["REFRESH_TOKEN"]));
    assert_eq!(refresh["sessionId"], access["sessionId"]);
    assert!((refresh["exp"].as_i64().unwrap() - now_s() - 604_800).abs() < 30);

    let tok = pair["token"].as_str().unwrap();
    let (s, me) = srv.get("/api/auth/user", Some(tok)).await;
    assert_eq!(s, 200);
    assert_eq!(me["authority"], "SYS_ADMIN");
    assert_eq!(me["email"], SYSADMIN);
    assert_eq!(me["id"]["entityType"], "USER");
    assert_eq!(me["tenantId"]["id"], "13814000-1dd2-11b2-8080-808080808080");
    assert_eq!(me["additionalInfo"]["userActivated"], true);

    // The plain Authorization header works too, with any case of "Bearer".
    let r =
        srv.http.get(srv.url("/api/auth/user")).header("Authorization", format!("bearer {tok}")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    srv.stop();
});

both!(bad_credentials_and_bad_tokens, |store| async move {
    let srv = Server::start(store, &[]).await;
    let wrong = srv.post("/api/auth/login", None, json!({"username": SYSADMIN, "password": "nope-nope"})).await;
    assert_error(&wrong, 401, 10);
    assert_eq!(wrong.1["message"], "Invalid username or password");
    let unknown = srv.post("/api/auth/login", None, json!({"username": "ghost@x.io", "password": "nope-nope"})).await;
    assert_eq!(unknown.1["message"], wrong.1["message"], "no account enumeration");
    assert_error(&srv.post_raw("/api/auth/login", None, "{not json").await, 400, 31);
    assert_error(&srv.post("/api/auth/login", None, json!({"username": 5})).await, 400, 31);
    assert_error(&srv.get("/api/auth/user", None).await, 401, 10);
    assert_error(&srv.get("/api/auth/user", Some("garbage")).await, 401, 10);

    // A token signed with the right key but expired answers 401 / 11.
    let mut c = claims(&srv.sysadmin().await);
    c["exp"] = json!(now_s() - 5);
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &c,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let r = srv.get("/api/auth/user", Some(&expired)).await;
    assert_error(&r, 401, 11);
    assert_eq!(r.1["message"], "Token has expired");
    // Same claims, other key: refused.
    c["exp"] = json!(now_s() + 600);
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &c,
        &jsonwebtoken::EncodingKey::from_secret(b"some-other-secret-some-other-secret"),
    )
    .unwrap();
    assert_error(&srv.get("/api/auth/user", Some(&forged)).await, 401, 10);
    srv.stop();
});

both!(refresh_rotates_and_replay_ends_the_session, |store| async move {
    let srv = Server::start(store, &[]).await;
    let first = srv.login_pair(SYSADMIN, SYSADMIN_PASSWORD).await;
    let (s, second) = srv.post("/api/auth/token", None, json!({"refreshToken": first["refreshToken"]})).await;
    assert_eq!(s, 200, "{second}");
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    assert_eq!(srv.get("/api/auth/user", second["token"].as_str()).await.0, 200);
    // Replaying the spent refresh token is treated as theft: the session ends.
    assert_error(&srv.post("/api/auth/token", None, json!({"refreshToken": first["refreshToken"]})).await, 401, 10);
    assert_error(&srv.get("/api/auth/user", second["token"].as_str()).await, 401, 10);
    assert_error(&srv.post("/api/auth/token", None, json!({"refreshToken": second["refreshToken"]})).await, 401, 10);
    // An access token is not a refresh token.
    assert_error(&srv.post("/api/auth/token", None, json!({"refreshToken": first["token"]})).await, 401, 10);
    srv.stop();
});

both!(logout_ends_that_session_at_once, |store| async move {
    let srv = Server::start(store, &[]).await;
    let a = srv.sysadmin().await;
    let b = srv.sysadmin().await;
    assert_eq!(srv.get("/api/auth/user", Some(&a)).await.0, 200);
    assert_eq!(srv.post("/api/auth/logout", Some(&a), json!({})).await.0, 200);
    assert_error(&srv.get("/api/auth/user", Some(&a)).await, 401, 10);
    assert_eq!(srv.get("/api/auth/user", Some(&b)).await.0, 200, "other sessions live on");
    srv.stop();
});

both!(change_password_ends_other_sessions, |store| async move {
    let srv = Server::start(store, &[]).await;
    let a = srv.sysadmin().await;
    let b = srv.sysadmin().await;
    let bad = srv
        .post(
            "/api/auth/changePassword",
            Some(&a),
            json!({"currentPassword": "wrong", "newPassword": "a-new-password"}),
        )
        .await;
    assert_error(&bad, 400, 30);
    let short = srv
        .post(
            "/api/auth/changePassword",
            Some(&a),
            json!({"currentPassword": SYSADMIN_PASSWORD, "newPassword": "short"}),
        )
        .await;
    assert_error(&short, 400, 30);
    let (s, pair) = srv
        .post(
            "/api/auth/changePassword",
            Some(&a),
            json!({"currentPassword": SYSADMIN_PASSWORD, "newPassword": "a-new-password"}),
        )
        .await;
    assert_eq!(s, 200, "{pair}");
    assert_error(&srv.get("/api/auth/user", Some(&b)).await, 401, 10);
    assert_eq!(srv.get("/api/auth/user", pair["token"].as_str()).await.0, 200);
    assert_error(
        &srv.post("/api/auth/login", None, json!({"username": SYSADMIN, "password": SYSADMIN_PASSWORD})).await,
        401,
        10,
    );
    srv.login(SYSADMIN, "a-new-password").await;
    srv.stop();
});

both!(password_policy_is_public, |store| async move {
    let srv = Server::start(store, &[]).await;
    let (s, p) = srv.get("/api/noauth/userPasswordPolicy", None).await;
    assert_eq!(s, 200);
    assert_eq!(p["minimumLength"], 8);
    assert!(p["maximumLength"].as_u64().unwrap() >= 64);
    srv.stop();
});

both!(per_address_rate_limit, |store| async move {
    let srv = Server::start(store, &[("THINGDECK_LOGIN_ATTEMPTS_PER_MINUTE", "5")]).await;
    for _ in 0..5 {
        let r = srv.post("/api/auth/login", None, json!({"username": SYSADMIN, "password": "wrong-one"})).await;
        assert_eq!(r.0, 401);
    }
    let r = srv.post("/api/auth/login", None, json!({"username": SYSADMIN, "password": SYSADMIN_PASSWORD})).await;
    assert_error(&r, 429, 33);
    srv.stop();
});

both!(account_cap_cannot_lock_the_owner_out, |store| async move {
    let srv = Server::start(store, &[]).await;
    // The owner has signed in from 127.0.0.1 before.
    srv.sysadmin().await;
    // An attacker at another address burns the account's budget for untrusted addresses.
    let attacker = reqwest::Client::builder().local_address(Some("127.0.0.2".parse().unwrap())).build().unwrap();
    let mut refused = None;
    for i in 0..120 {
        let r = attacker
            .post(srv.url("/api/auth/login"))
            .json(&json!({"username": SYSADMIN, "password": format!("guess-{i}")}))
            .send()
            .await
            .unwrap();
        if r.status().as_u16() == 429 {
            refused = Some(i);
            break;
        }
        assert_eq!(r.status().as_u16(), 401);
    }
    assert_eq!(refused, Some(90), "untrusted guesses stop at 90 per hour");
    // Even the right password from the attacker's address is refused now...
    let r = attacker
        .post(srv.url("/api/auth/login"))
        .json(&json!({"username": SYSADMIN, "password": SYSADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    // ...while the owner's usual address still signs in.
    srv.sysadmin().await;
    // Trusted addresses have a small budget of their own: 10 more, 100 in all.
    for i in 0..10 {
        let r = srv.post("/api/auth/login", None, json!({"username": SYSADMIN, "password": format!("typo-{i}")})).await;
        assert_eq!(r.0, 401);
    }
    assert_error(
        &srv.post("/api/auth/login", None, json!({"username": SYSADMIN, "password": "typo-x"})).await,
        429,
        33,
    );
    srv.stop();
});
