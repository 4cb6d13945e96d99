//! Mail flows against a real SMTP server process (aiosmtpd from PyPI, writing a maildir): activation by mail,
//! password reset without account enumeration, lockout notices — on both stores.

use crate::both;
use crate::harness::*;
use crate::users::user_id;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An aiosmtpd process on a free loopback port delivering into a maildir.
pub struct Smtp {
    pub port: u16,
    dir: std::path::PathBuf,
    child: Child,
}

impl Smtp {
    pub fn start() -> Smtp {
        let python = std::env::var("THINGDECK_TEST_PYTHON")
            .unwrap_or_else(|_| format!("{}/../target/venv/bin/python", env!("CARGO_MANIFEST_DIR")));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("thingdeck-mail-{}", uuid::Uuid::new_v4()));
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start aiosmtpd with {python} (run scripts/setup.sh --test): {e}"));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every delivered message (raw, with quoted-printable soft breaks joined) to `to`.
    pub fn messages_to(&self, to: &str) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) {
                for e in entries.flatten() {
                    let raw = std::fs::read_to_string(e.path()).unwrap_or_default();
                    let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
                    if text.lines().any(|l| l.to_lowercase().starts_with("to:") && l.contains(to)) {
                        out.push(text);
                    }
                }
            }
        }
        out
    }

    /// Waits for the `n`th message to `to` and returns them all.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let m = self.messages_to(to);
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message {n} to {to}");
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The first link in a message starting with `prefix`.
pub fn link(message: &str, prefix: &str) -> String {
    let start = message.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {message}"));
    message[start..].split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().unwrap().to_string()
}

async fn mail_server(store: Store, smtp: &Smtp) -> Server {
    Server::start(
        store,
        &[("THINGDECK_SMTP_URL", &smtp.url()), ("THINGDECK_MAIL_FROM", "Thingdeck <noreply@thingdeck.test>")],
    )
    .await
}

both!(activation_and_reset_by_mail, |store| async move {
    let smtp = Smtp::start();
    let srv = mail_server(store, &smtp).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Mailers").await;
    let (s, u) = srv
        .post("/api/user?sendActivationMail=true", Some(&sys), json!({"email": "new@mailers.io", "authority": "TENANT_ADMIN", "tenantId": {"entityType": "TENANT", "id": tenant}}))
        .await;
    assert_eq!(s, 200, "{u}");
    let mail = smtp.wait_for("new@mailers.io", 1).await.remove(0);
    assert!(mail.contains("Activate your Thingdeck account") && mail.contains("text/html"), "{mail}");
    let activate = link(&mail, &format!("{}/api/noauth/activate?activateToken=", srv.base));
    // The link leads on to the set-password page; the same link is shown again while it is valid.
    let r = srv.http.get(&activate).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login/createPassword?activateToken="));
    let (_, info) = srv.get(&format!("/api/user/{}/activationLinkInfo", id_of(&u)), Some(&sys)).await;
    assert_eq!(info["value"], activate.as_str());
    assert!(info["ttlMs"].as_i64().unwrap() > 23 * 3_600_000);
    let token = activate.split("activateToken=").nth(1).unwrap();
    let weak = srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "password1"})).await;
    assert_error(&weak, 400, 30);
    let (s, _) =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "first-Passphrase"})).await;
    assert_eq!(s, 200);
    let again =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "other-passphrase"})).await;
    assert_error(&again, 400, 30);
    smtp.wait_for("new@mailers.io", 2).await;

    // Reset: the answer is the same for known and unknown addresses; only the known one gets mail.
    let (s, _) = srv.post("/api/noauth/resetPasswordByEmail", None, json!({"email": "nobody@mailers.io"})).await;
    assert_eq!(s, 200);
    let (s, _) = srv.post("/api/noauth/resetPasswordByEmail", None, json!({"email": "NEW@mailers.io"})).await;
    assert_eq!(s, 200);
    let msgs = smtp.wait_for("new@mailers.io", 3).await;
    let reset_mail = msgs.iter().find(|m| m.contains("Reset your Thingdeck password")).expect("reset mail");
    let reset = link(reset_mail, &format!("{}/api/noauth/resetPassword?resetToken=", srv.base));
    let r = srv.http.get(&reset).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login/resetPassword?resetToken="));
    let old_session = srv.login("new@mailers.io", "first-Passphrase").await;
    let reset_token = reset.split("resetToken=").nth(1).unwrap();
    let (s, body) = srv
        .post("/api/noauth/resetPassword", None, json!({"resetToken": reset_token, "password": "second-passphrase"}))
        .await;
    assert_eq!(s, 200, "{body}");
    assert_error(&srv.get("/api/auth/user", Some(&old_session)).await, 401, 10);
    srv.login("new@mailers.io", "second-passphrase").await;
    let reused = srv
        .post("/api/noauth/resetPassword", None, json!({"resetToken": reset_token, "password": "third-passphrase"}))
        .await;
    assert_error(&reused, 400, 30);
    let r = srv.http.get(&reset).send().await.unwrap();
    assert_eq!(r.status(), 409, "a spent link is unknown");
    smtp.wait_for("new@mailers.io", 4).await;
    assert!(smtp.messages_to("nobody@mailers.io").is_empty());

    // An expired link lands on the page that offers a new one.
    let db = srv.db().await;
    sqlx::query("UPDATE password_reset SET expires_at = 1, used = 0").execute(&db).await.unwrap();
    let r = srv.http.get(&reset).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/passwordResetLinkExpired");
    let expired = srv
        .post("/api/noauth/resetPassword", None, json!({"resetToken": reset_token, "password": "third-passphrase"}))
        .await;
    assert_eq!(expired.1["message"], "Password reset token expired");

    // At most five links per user per hour.
    for _ in 0..7 {
        srv.post("/api/noauth/resetPasswordByEmail", None, json!({"email": "new@mailers.io"})).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_reset").fetch_one(&db).await.unwrap();
    assert_eq!(issued, 5, "one earlier link plus four more this hour");
    db.close().await;

    // Re-sending the activation mail of an activated user is refused; bad input is a ThingsBoard error.
    assert_error(&srv.post("/api/user/sendActivationMail?email=new@mailers.io", Some(&sys), json!({})).await, 400, 30);
    assert_error(&srv.post("/api/noauth/resetPasswordByEmail", None, json!({"mail": 1})).await, 400, 31);
});

both!(mail_refused_without_relay_and_failed_delivery_keeps_no_user, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "No mail").await;
    let body = json!({"email": "x@nomail.io", "authority": "TENANT_ADMIN", "tenantId": {"entityType": "TENANT", "id": tenant}});
    let r = srv.post("/api/user?sendActivationMail=true", Some(&sys), body.clone()).await;
    assert_error(&r, 400, 30);
    assert!(r.1["message"].as_str().unwrap().contains("no mail server is configured"));
    drop(srv);
    // A relay that is down: the answer says why and the user is not kept.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let srv = Server::start(
        store,
        &[
            ("THINGDECK_SMTP_URL", &format!("smtp://127.0.0.1:{dead}")),
            ("THINGDECK_MAIL_FROM", "noreply@thingdeck.test"),
        ],
    )
    .await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Dead relay").await;
    let mut body = body;
    body["tenantId"]["id"] = json!(tenant);
    let r = srv.post("/api/user?sendActivationMail=true", Some(&sys), body).await;
    assert_error(&r, 500, 2);
    assert!(r.1["message"].as_str().unwrap().starts_with("Couldn't send user activation email"), "{}", r.1);
    let (_, users) = srv.get(&format!("/api/tenant/{tenant}/users?pageSize=10&page=0"), Some(&sys)).await;
    assert_eq!(users["totalElements"], 0);
});

both!(lockout_mails_and_admin_unlocks, |store| async move {
    let smtp = Smtp::start();
    let w = {
        let srv = mail_server(store, &smtp).await;
        crate::users::world_on(srv).await
    };
    let srv = &w.srv;
    let mut settings = srv.get("/api/admin/securitySettings", Some(&w.sys)).await.1;
    assert_eq!(settings["passwordPolicy"]["minimumLength"], 8);
    settings["maxFailedLoginAttempts"] = json!(3);
    settings["userLockoutNotificationEmail"] = json!("security@acme.io");
    let (s, saved) = srv.post("/api/admin/securitySettings", Some(&w.sys), settings.clone()).await;
    assert_eq!(s, 200, "{saved}");
    assert_error(&srv.post("/api/admin/securitySettings", Some(&w.admin), settings.clone()).await, 403, 20);
    let mut bad = settings.clone();
    bad["passwordPolicy"]["maximumLength"] = json!(20);
    assert_error(&srv.post("/api/admin/securitySettings", Some(&w.sys), bad).await, 400, 30);

    let wrong = json!({"username": "user@a.io", "password": "not-the-password"});
    for _ in 0..3 {
        let r = srv.post("/api/auth/login", None, wrong.clone()).await;
        assert_eq!(r.1["message"], "Invalid username or password");
    }
    let r = srv.post("/api/auth/login", None, wrong.clone()).await;
    assert_error(&r, 401, 10);
    assert_eq!(r.1["message"], "User account is locked due to security policy");
    assert_error(&srv.get("/api/auth/user", Some(&w.a_user)).await, 401, 10);
    let right = json!({"username": "user@a.io", "password": "customer-pass"});
    assert_error(&srv.post("/api/auth/login", None, right.clone()).await, 401, 10);
    let notice = smtp.wait_for("user@a.io", 2).await;
    assert!(notice.iter().any(|m| m.contains("locked after 4 failed")), "{notice:?}");
    smtp.wait_for("security@acme.io", 1).await;
    let a_user = user_id(srv, &w.admin, "user@a.io").await;
    let (s, _) = srv
        .post(
            &format!("/api/user/{a_user}/userCredentialsEnabled?userCredentialsEnabled=true"),
            Some(&w.admin),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = srv.post("/api/auth/login", None, right).await;
    assert_eq!(s, 200);
    let (_, logs) =
        srv.get(&format!("/api/audit/logs/user/{a_user}?pageSize=20&page=0&actionTypes=LOCKOUT"), Some(&w.admin)).await;
    assert_eq!(logs["data"].as_array().unwrap().len(), 1, "{logs}");
});
