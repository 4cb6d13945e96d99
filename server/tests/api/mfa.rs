//! Two-factor sign-in (TOTP and backup codes) over the REST API and the console, on both stores.

use crate::both;
use crate::harness::*;
use crate::users::{user_id, world};
use serde_json::json;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The code an authenticator app shows for `url` at `at` (seconds).
fn code(url: &str, at: u64) -> String {
    totp_rs::Totp::from_url(url).expect("otpauth url").generate(at).to_string()
}

/// Generates and confirms a TOTP for the token's user; returns the otpauth link (with its secret).
async fn enrol(srv: &Server, token: &str) -> String {
    let (s, g) = srv.post("/api/2fa/account/config/generate?providerType=TOTP", Some(token), json!({})).await;
    assert_eq!(s, 200, "{g}");
    let url = g["authUrl"].as_str().unwrap().to_string();
    let path = format!("/api/2fa/account/config?verificationCode={}", code(&url, now()));
    let (s, saved) = srv.post(&path, Some(token), g).await;
    assert_eq!(s, 200, "{saved}");
    url
}

async fn pending(srv: &Server, email: &str, password: &str, scope: &str) -> String {
    let pair = srv.login_pair(email, password).await;
    assert_eq!(pair["scope"], scope, "{pair}");
    assert!(pair["refreshToken"].is_null(), "a pending sign-in has no refresh token: {pair}");
    let token = pair["token"].as_str().unwrap().to_string();
    assert_eq!(claims(&token)["scopes"], json!([scope]));
    assert_error(&srv.get("/api/auth/user", Some(&token)).await, 401, 10);
    token
}

fn check_path(provider: &str, code: &str) -> String {
    format!("/api/auth/2fa/verification/check?providerType={provider}&verificationCode={code}")
}

both!(totp_and_backup_codes_guard_the_sign_in, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let user = "user@a.io";
    let pw = "customer-pass";
    // The tenant's own settings: a tighter rate limit and lockout than the platform's.
    assert_error(&srv.get("/api/2fa/settings", Some(&w.a_user)).await, 403, 20);
    let mine = json!({
        "useSystemTwoFactorAuthSettings": false,
        "providers": [{"providerType": "TOTP", "issuerName": "Acme"}, {"providerType": "BACKUP_CODE", "codesQuantity": 4}],
        "verificationCodeCheckRateLimit": "10:300",
        "maxVerificationFailuresBeforeUserLockout": 6,
        "totalAllowedTimeForVerification": 300,
        "enforceTwoFa": false
    });
    let (s, saved) = srv.post("/api/2fa/settings", Some(&w.admin), mine.clone()).await;
    assert_eq!(s, 200, "{saved}");
    let mut bad = mine.clone();
    bad["verificationCodeCheckRateLimit"] = json!("often");
    assert_error(&srv.post("/api/2fa/settings", Some(&w.admin), bad).await, 400, 30);
    let mut sms = mine.clone();
    sms["providers"] = json!([{"providerType": "SMS", "smsVerificationMessageTemplate": "${code}"}]);
    assert_error(&srv.post("/api/2fa/settings", Some(&w.admin), sms).await, 400, 31);
    let (_, platform) = srv.get("/api/2fa/settings", Some(&w.sys)).await;
    assert_eq!(platform["enforceTwoFa"], false, "the tenant's settings stay the tenant's: {platform}");

    // Enrolment: backup codes need a TOTP first; a tampered link or a wrong code is refused.
    let (_, none) = srv.get("/api/2fa/account/settings", Some(&w.a_user)).await;
    assert_eq!(none["configs"], json!({}));
    let (_, providers) = srv.get("/api/2fa/providers", Some(&w.a_user)).await;
    assert_eq!(providers, json!(["TOTP", "BACKUP_CODE"]));
    let r = srv.post("/api/2fa/account/config/generate?providerType=BACKUP_CODE", Some(&w.a_user), json!({})).await;
    assert_error(&r, 400, 30);
    assert_error(
        &srv.post("/api/2fa/account/config/generate?providerType=FAX", Some(&w.a_user), json!({})).await,
        400,
        31,
    );
    let (s, g) = srv.post("/api/2fa/account/config/generate?providerType=TOTP", Some(&w.a_user), json!({})).await;
    assert_eq!(s, 200, "{g}");
    let url = g["authUrl"].as_str().unwrap().to_string();
    assert!(url.starts_with("otpauth://totp/Acme:user%40a.io?") && url.contains("secret="), "{url}");
    assert!(g["qrCodeSvg"].as_str().unwrap().contains("<svg"));
    let mut forged = g.clone();
    forged["authUrl"] = json!("otpauth://totp/Acme:user%40a.io?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme");
    let forged_code = code(forged["authUrl"].as_str().unwrap(), now());
    let r = srv.post(&format!("/api/2fa/account/config?verificationCode={forged_code}"), Some(&w.a_user), forged).await;
    assert_error(&r, 400, 30);
    let wrong = format!("{:06}", (code(&url, now()).parse::<u32>().unwrap() + 1) % 1_000_000);
    let r = srv.post(&format!("/api/2fa/account/config?verificationCode={wrong}"), Some(&w.a_user), g.clone()).await;
    assert_error(&r, 400, 30);
    let enrolled_with = code(&url, now());
    let r = srv.post(&format!("/api/2fa/account/config?verificationCode={enrolled_with}"), Some(&w.a_user), g).await;
    assert_eq!(r.0, 200, "{}", r.1);
    assert!(!r.1["configs"]["TOTP"]["authUrl"].as_str().unwrap().contains("secret"), "the secret is shown once");
    let (s, b) =
        srv.post("/api/2fa/account/config/generate?providerType=BACKUP_CODE", Some(&w.a_user), json!({})).await;
    assert_eq!(s, 200, "{b}");
    let codes: Vec<String> = b["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 4);
    let (s, saved) = srv.post("/api/2fa/account/config", Some(&w.a_user), b).await;
    assert_eq!((s, saved["configs"]["BACKUP_CODE"]["codesLeft"].clone()), (200, json!(4)), "{saved}");

    // Someone logged in as the user cannot touch its second factors.
    let uid = user_id(srv, &w.admin, user).await;
    let as_user =
        srv.get(&format!("/api/user/{uid}/token"), Some(&w.admin)).await.1["token"].as_str().unwrap().to_string();
    assert_error(&srv.delete("/api/2fa/account/config?providerType=TOTP", Some(&as_user)).await, 403, 20);
    assert_error(
        &srv.post("/api/2fa/account/config/generate?providerType=TOTP", Some(&as_user), json!({})).await,
        403,
        20,
    );

    // Sign-in 1: the password alone gives a pre-verification token; the code already used to enrol is spent,
    // the next step's code completes the sign-in once.
    let pre = pending(srv, user, pw, "PRE_VERIFICATION_TOKEN").await;
    let (s, offered) = srv.get("/api/auth/2fa/providers", Some(&pre)).await;
    assert_eq!(s, 200, "{offered}");
    assert_eq!(offered.as_array().unwrap().len(), 2);
    assert_eq!(srv.post("/api/auth/2fa/verification/send?providerType=TOTP", Some(&pre), json!({})).await.0, 200);
    assert_error(&srv.post(&check_path("TOTP", &enrolled_with), Some(&pre), json!({})).await, 400, 30);
    let next = code(&url, now() + 30);
    let (s, full) = srv.post(&check_path("TOTP", &next), Some(&pre), json!({})).await;
    assert_eq!(s, 200, "{full}");
    assert!(full["scope"].is_null() && full["refreshToken"].is_string(), "{full}");
    let token = full["token"].as_str().unwrap().to_string();
    assert_eq!(srv.get("/api/auth/user", Some(&token)).await.1["email"], user);
    assert_error(&srv.post(&check_path("TOTP", &next), Some(&pre), json!({})).await, 401, 10);

    // Sign-in 2 and 3: a backup code works once.
    let pre = pending(srv, user, pw, "PRE_VERIFICATION_TOKEN").await;
    assert_eq!(srv.post(&check_path("BACKUP_CODE", &codes[0]), Some(&pre), json!({})).await.0, 200);
    let pre = pending(srv, user, pw, "PRE_VERIFICATION_TOKEN").await;
    assert_error(&srv.post(&check_path("BACKUP_CODE", &codes[0]), Some(&pre), json!({})).await, 400, 30);
    let (_, left) = srv.get("/api/2fa/account/settings", Some(&token)).await;
    assert_eq!(left["configs"]["BACKUP_CODE"]["codesLeft"], 3, "{left}");

    // Sign-in 4: five wrong codes end the pending sign-in.
    let pre = pending(srv, user, pw, "PRE_VERIFICATION_TOKEN").await;
    for _ in 0..4 {
        assert_error(&srv.post(&check_path("TOTP", "000000"), Some(&pre), json!({})).await, 400, 30);
    }
    assert_error(&srv.post(&check_path("TOTP", "000000"), Some(&pre), json!({})).await, 401, 10);
    assert_error(&srv.post(&check_path("BACKUP_CODE", &codes[1]), Some(&pre), json!({})).await, 401, 10);

    // Sign-in 5: wrong codes since the last good one, across sign-ins, past the tenant's maximum (6) lock the account.
    let pre = pending(srv, user, pw, "PRE_VERIFICATION_TOKEN").await;
    let locked = srv.post(&check_path("TOTP", "000000"), Some(&pre), json!({})).await;
    assert_error(&locked, 401, 10);
    assert!(locked.1["message"].as_str().unwrap().contains("locked"), "{}", locked.1);
    assert_error(&srv.get("/api/auth/user", Some(&token)).await, 401, 10);
    let r = srv.post("/api/auth/login", None, json!({"username": user, "password": pw})).await;
    assert_error(&r, 401, 10);
    let (s, _) = srv
        .post(&format!("/api/user/{uid}/userCredentialsEnabled?userCredentialsEnabled=true"), Some(&w.admin), json!({}))
        .await;
    assert_eq!(s, 200);
    // Sign-in 6: ten checks in five minutes is the tenant's limit; the eleventh is refused before it is tried.
    let pre = pending(srv, user, pw, "PRE_VERIFICATION_TOKEN").await;
    assert_error(&srv.post(&check_path("BACKUP_CODE", &codes[1]), Some(&pre), json!({})).await, 429, 33);

    // Lost phone and codes: an administrator who may edit the user removes its factors (audited), from its own
    // session only, and not its own factors this way.
    let reset = format!("/api/thingdeck/user/{uid}/2fa");
    let me = user_id(srv, &w.admin, "admin@acme.io").await;
    assert_error(&srv.delete(&format!("/api/thingdeck/user/{me}/2fa"), Some(&w.admin)).await, 400, 30);
    assert_error(&srv.delete(&format!("/api/thingdeck/user/{me}/2fa"), Some(&w.a_admin)).await, 403, 20);
    let boss = user_id(srv, &w.admin, "boss@a.io").await;
    let as_boss =
        srv.get(&format!("/api/user/{boss}/token"), Some(&w.admin)).await.1["token"].as_str().unwrap().to_string();
    assert_error(&srv.delete(&reset, Some(&as_boss)).await, 403, 20);
    assert_eq!(srv.delete(&reset, Some(&w.admin)).await.0, 200);
    assert!(srv.login_pair(user, pw).await["scope"].is_null(), "no second factor any more");

    let (_, logs) =
        srv.get(&format!("/api/audit/logs/user/{uid}?pageSize=100&page=0&actionTypes=LOGIN"), Some(&w.admin)).await;
    let rows = logs["data"].as_array().unwrap();
    assert!(
        rows.iter().any(|l| l["actionStatus"] == "FAILURE" && l["actionData"]["twoFaProvider"] == "TOTP"),
        "{logs}"
    );
    assert!(rows.iter().any(|l| l["actionStatus"] == "SUCCESS" && l["actionData"]["twoFaProvider"] == "BACKUP_CODE"));
});

both!(enforced_two_factor_makes_users_enrol_first, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let settings = json!({
        "useSystemTwoFactorAuthSettings": false,
        "providers": [{"providerType": "TOTP", "issuerName": "Acme"}],
        "totalAllowedTimeForVerification": 300,
        "enforceTwoFa": true
    });
    assert_eq!(srv.post("/api/2fa/settings", Some(&w.admin), settings).await.0, 200);
    // Someone else who knows the password starts a sign-in too, before the user enrols.
    let intruder = pending(srv, "user@a1.io", "customer-pass", "MFA_CONFIGURATION_TOKEN").await;
    let cfg = pending(srv, "user@a1.io", "customer-pass", "MFA_CONFIGURATION_TOKEN").await;
    assert_error(&srv.post("/api/auth/2fa/login", Some(&cfg), json!({})).await, 400, 30);
    assert_error(&srv.get("/api/customer/devices?pageSize=10&page=0", Some(&cfg)).await, 401, 10);
    let url = enrol(srv, &cfg).await;
    let (s, full) = srv.post("/api/auth/2fa/login", Some(&cfg), json!({})).await;
    assert_eq!(s, 200, "{full}");
    let token = full["token"].as_str().unwrap();
    assert_eq!(srv.get("/api/auth/user", Some(token)).await.1["email"], "user@a1.io");
    assert_error(&srv.post("/api/auth/2fa/login", Some(&cfg), json!({})).await, 401, 10);
    // The user's factor does not complete the intruder's sign-in, nor can the intruder replace it.
    assert_error(&srv.post("/api/auth/2fa/login", Some(&intruder), json!({})).await, 400, 30);
    let r = srv.post("/api/2fa/account/config/generate?providerType=TOTP", Some(&intruder), json!({})).await;
    assert_error(&r, 401, 10);
    // From now on the user verifies like anyone with a factor.
    let pre = pending(srv, "user@a1.io", "customer-pass", "PRE_VERIFICATION_TOKEN").await;
    let (s, _) = srv.post(&check_path("TOTP", &code(&url, now() + 30)), Some(&pre), json!({})).await;
    assert_eq!(s, 200);
    // A pending sign-in that outlives totalAllowedTimeForVerification is over.
    let late = pending(srv, "user@a1.io", "customer-pass", "PRE_VERIFICATION_TOKEN").await;
    let db = srv.db().await;
    sqlx::query("UPDATE auth_session SET expires_at = 1 WHERE stage = 'verify'").execute(&db).await.unwrap();
    let r = srv.post(&check_path("TOTP", &code(&url, now() + 30)), Some(&late), json!({})).await;
    assert_error(&r, 401, 10);
    // Other tenants follow the platform settings (not enforced).
    let t2 = srv.tenant(&w.sys, "Other").await;
    let other = srv.tenant_admin(&w.sys, &t2, "admin@other.io", "admin-password").await;
    assert!(claims(&other)["scopes"] == json!(["TENANT_ADMIN"]));
    let (_, theirs) = srv.get("/api/2fa/settings", Some(&other)).await;
    assert_eq!(
        (theirs["useSystemTwoFactorAuthSettings"].clone(), theirs["enforceTwoFa"].clone()),
        (json!(true), json!(false))
    );
});

both!(the_console_asks_for_the_code_and_shows_who_views_as_whom, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let url = enrol(srv, &w.a_user).await;
    let (s, loc, cookies) =
        form(srv, "/_sfn/login", None, &[("email", "user@a.io"), ("password", "customer-pass")]).await;
    assert_eq!((s, loc.as_str()), (302, "/login/mfa"));
    let pending = cookie_named(&cookies, "td_session").expect("pending cookie");
    let (_, _, page) = html(srv, "/", &pending).await;
    assert!(!page.contains("Signed in as"), "a pending sign-in shows nothing of the console");
    let (_, _, mfa_page) = html(srv, "/login/mfa", &pending).await;
    assert!(mfa_page.contains("Two-step verification"));
    let wrong = [("code", "000000"), ("provider", "TOTP")];
    form(srv, "/_sfn/mfa_verify", Some(&pending), &wrong).await;
    let (_, _, page) = html(srv, "/", &pending).await;
    assert!(!page.contains("Signed in as"), "a wrong code does not sign in");
    // The hydrated console's call gets the error's own status (a wrong code is the user's mistake, not a 500).
    let r =
        srv.http.post(srv.url("/_sfn/mfa_verify")).header("Origin", srv.url("")).header("Accept", "application/json");
    let r = r.header("Cookie", &pending).form(&wrong).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("Verification code is incorrect"));
    let next = code(&url, now() + 30);
    let (s, loc, _) = form(srv, "/_sfn/mfa_verify", Some(&pending), &[("code", &next), ("provider", "TOTP")]).await;
    assert_eq!((s, loc.as_str()), (302, "/"));
    let (_, _, home) = html(srv, "/", &pending).await;
    assert!(home.contains("Signed in as user@a.io"), "{home}");

    // "Log in as user" in the console: a banner says so, and the way back resumes the administrator's session.
    let (_, _, admin_cookies) =
        form(srv, "/_sfn/login", None, &[("email", "admin@acme.io"), ("password", "admin-password")]).await;
    let admin = cookie_named(&admin_cookies, "td_session").unwrap();
    let uid = user_id(srv, &w.admin, "boss@a.io").await;
    let (s, loc, set) = form(srv, "/_sfn/log_in_as", Some(&admin), &[("user_id", &uid)]).await;
    assert_eq!((s, loc.as_str()), (302, "/"), "{set:?}");
    let viewing = cookie_named(&set, "td_session").unwrap();
    let origin = cookie_named(&set, "td_origin").unwrap();
    assert_eq!(origin.split_once('=').unwrap().1, admin.split_once('=').unwrap().1, "kept for the way back");
    let both_cookies = format!("{viewing}; {origin}");
    let (_, _, page) = html(srv, "/", &both_cookies).await;
    assert!(page.contains("Viewing as boss@a.io") && page.contains("admin@acme.io"), "{page}");
    let (s, loc, back) = form(srv, "/_sfn/stop_viewing_as", Some(&both_cookies), &[]).await;
    assert_eq!((s, loc.as_str()), (302, "/"));
    assert_eq!(cookie_named(&back, "td_session").unwrap(), admin);
    let (_, _, page) = html(srv, "/", &admin).await;
    assert!(page.contains("Signed in as admin@acme.io") && !page.contains("Viewing as"), "{page}");
    let (_, _, gone) = html(srv, "/", &viewing).await;
    assert!(!gone.contains("Signed in as"), "the session as the other user has ended");
});

both!(the_profile_page_turns_two_step_on_and_off, |store| async move {
    let w = world(store).await;
    let srv = &w.srv;
    let (_, _, set) = form(srv, "/_sfn/login", None, &[("email", "user@a.io"), ("password", "customer-pass")]).await;
    let me = cookie_named(&set, "td_session").unwrap();
    let (s, page) = (html(srv, "/profile", &me).await.0, html(srv, "/profile", &me).await.2);
    assert_eq!(s, 200);
    assert!(page.contains("Two-step verification") && page.contains("Off: signing in needs only your password."));
    let (s, started) = sfn(srv, "start_totp", &me, &[]).await;
    assert_eq!(s, 200, "{started}");
    let url = started["auth_url"].as_str().unwrap().to_string();
    assert!(started["qr_svg"].as_str().unwrap().contains("<svg"));
    assert_eq!(sfn(srv, "confirm_totp", &me, &[("auth_url", &url), ("code", "000000")]).await.0, 400);
    let (s, r) = sfn(srv, "confirm_totp", &me, &[("auth_url", &url), ("code", &code(&url, now()))]).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(sfn(srv, "my_two_step", &me, &[]).await.1, json!({"totp": true, "backup_codes_left": null}));
    let (s, codes) = sfn(srv, "new_backup_codes", &me, &[]).await;
    assert_eq!((s, codes.as_array().map(Vec::len)), (200, Some(10)), "{codes}");
    assert_eq!(sfn(srv, "my_two_step", &me, &[]).await.1["backup_codes_left"], 10);
    assert_eq!(srv.login_pair("user@a.io", "customer-pass").await["scope"], "PRE_VERIFICATION_TOKEN");

    let wrong = [("current", "nope"), ("password", "a-new-long-passphrase"), ("confirm", "a-new-long-passphrase")];
    assert_eq!(sfn(srv, "change_password", &me, &wrong).await.0, 400);
    let right =
        [("current", "customer-pass"), ("password", "a-new-long-passphrase"), ("confirm", "a-new-long-passphrase")];
    assert_eq!(sfn(srv, "change_password", &me, &right).await.0, 200);
    assert_eq!(sfn(srv, "disable_totp", &me, &[]).await.0, 200);
    let pair = srv.login_pair("user@a.io", "a-new-long-passphrase").await;
    assert!(pair["scope"].is_null() && pair["refreshToken"].is_string(), "{pair}");
    // An impersonated console session cannot touch the factors.
    let (_, _, admin_set) =
        form(srv, "/_sfn/login", None, &[("email", "admin@acme.io"), ("password", "admin-password")]).await;
    let admin = cookie_named(&admin_set, "td_session").unwrap();
    let uid = user_id(srv, &w.admin, "user@a.io").await;
    let (_, _, set) = form(srv, "/_sfn/log_in_as", Some(&admin), &[("user_id", &uid)]).await;
    let viewing = cookie_named(&set, "td_session").unwrap();
    assert_eq!(sfn(srv, "start_totp", &viewing, &[]).await.0, 403);
});
