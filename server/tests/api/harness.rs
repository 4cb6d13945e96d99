//! Spawns the real `thingdeck` binary on a free port against a fresh store: a temporary SQLite file, or a new
//! PostgreSQL database when `THINGDECK_TEST_DATABASE_URL` names a server.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SYSADMIN: &str = "sysadmin@thingdeck.test";
pub const SYSADMIN_PASSWORD: &str = "sysadmin-password";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// A running server and what it needs cleaned up.
pub struct Server {
    pub base: String,
    /// The store's URL, for tests that look at what is stored.
    pub db_url: String,
    pub http: reqwest::Client,
    child: Child,
    dir: std::path::PathBuf,
    pg: Option<(String, String)>,
}

fn admin_url() -> Option<String> {
    std::env::var("THINGDECK_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())
}

/// Whether the PostgreSQL variant can run here.
pub fn postgres_available() -> bool {
    admin_url().is_some()
}

async fn create_pg_db() -> (String, String) {
    use sqlx::Connection;
    let admin = admin_url().expect("THINGDECK_TEST_DATABASE_URL");
    let name = format!("td_test_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.expect("connect to THINGDECK_TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
    (format!("{base}/{name}"), name)
}

impl Server {
    /// Starts a server with the test system administrator and extra `THINGDECK_*` settings.
    pub async fn start(store: Store, extra: &[(&str, &str)]) -> Server {
        let dir = std::env::temp_dir().join(format!("thingdeck-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (url, pg) = match store {
            Store::Sqlite => (format!("sqlite:{}/td.db", dir.display()), None),
            Store::Postgres => {
                let (url, name) = create_pg_db().await;
                (url.clone(), Some((url, name)))
            }
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_thingdeck"));
        cmd.arg("serve")
            .current_dir(&dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("THINGDECK_DATABASE_URL", &url)
            .env("THINGDECK_LISTEN", "127.0.0.1:0")
            .env("THINGDECK_SYSADMIN_EMAIL", SYSADMIN)
            .env("THINGDECK_SYSADMIN_PASSWORD", SYSADMIN_PASSWORD)
            .env("THINGDECK_JWT_SECRET", JWT_SECRET)
            .env("THINGDECK_LOGIN_ATTEMPTS_PER_MINUTE", "10000")
            .env("THINGDECK_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn thingdeck");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on ").nth(1) {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        let base = rx.recv_timeout(Duration::from_secs(60)).expect("server did not report its address");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A request the server never answers fails the test instead of hanging the run.
            .timeout(Duration::from_secs(120))
            .build()
            .expect("client");
        Server { base, db_url: url, http, child, dir, pg }
    }

    /// A direct connection to the server's store.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db_url).await.expect("connect to the test store")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in and returns the token pair.
    pub async fn login_pair(&self, email: &str, password: &str) -> Value {
        let r = self.post("/api/auth/login", None, json!({"username": email, "password": password})).await;
        assert_eq!(r.0, 200, "login {email}: {}", r.1);
        r.1
    }

    /// Signs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        self.login_pair(email, password).await["token"].as_str().expect("token").to_string()
    }

    pub async fn sysadmin(&self) -> String {
        self.login(SYSADMIN, SYSADMIN_PASSWORD).await
    }

    async fn send(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Value) {
        let req = match token {
            Some(t) => req.header("X-Authorization", format!("Bearer {t}")),
            None => req,
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.send(self.http.get(self.url(path)), token).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.send(self.http.delete(self.url(path)), token).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.send(self.http.post(self.url(path)).json(&body), token).await
    }

    pub async fn post_raw(&self, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
        self.send(
            self.http.post(self.url(path)).header("content-type", "application/json").body(body.to_string()),
            token,
        )
        .await
    }

    /// Creates a tenant and returns its id.
    pub async fn tenant(&self, sys: &str, title: &str) -> String {
        let (s, t) = self.post("/api/tenant", Some(sys), json!({"title": title})).await;
        assert_eq!(s, 200, "{t}");
        t["id"]["id"].as_str().expect("tenant id").to_string()
    }

    /// Creates an activated tenant administrator and returns its access token.
    pub async fn tenant_admin(&self, sys: &str, tenant: &str, email: &str, password: &str) -> String {
        let (s, u) = self
            .post(
                "/api/user?sendActivationMail=false",
                Some(sys),
                json!({"email": email, "authority": "TENANT_ADMIN", "tenantId": {"entityType": "TENANT", "id": tenant}}),
            )
            .await;
        assert_eq!(s, 200, "{u}");
        let id = u["id"]["id"].as_str().expect("user id").to_string();
        let (s, link) = self.get(&format!("/api/user/{id}/activationLinkInfo"), Some(sys)).await;
        assert_eq!(s, 200, "{link}");
        let token = link["value"].as_str().expect("link").split("activateToken=").nth(1).expect("token").to_string();
        let (s, pair) =
            self.post("/api/noauth/activate", None, json!({"activateToken": token, "password": password})).await;
        assert_eq!(s, 200, "{pair}");
        pair["token"].as_str().expect("token").to_string()
    }

    /// Stops the server with SIGTERM and waits for it, so a clean exit is asserted too.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();

        self.child.wait().expect("wait")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((_, name)) = self.pg.take() {
            let admin = admin_url().unwrap_or_default();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        use sqlx::Connection;
                        if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Asserts ThingsBoard's error body.
pub fn assert_error(resp: &(u16, Value), status: u16, code: u64) {
    assert_eq!(resp.0, status, "status of {}", resp.1);
    assert_eq!(resp.1["status"], status, "{}", resp.1);
    assert_eq!(resp.1["errorCode"], code, "{}", resp.1);
    assert!(resp.1["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", resp.1);
    assert!(resp.1["timestamp"].as_i64().is_some_and(|t| t > 0), "{}", resp.1);
}

/// Decodes a JWT's claims without checking the signature (the server checks it; tests read it).
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("jwt payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64");
    serde_json::from_slice(&bytes).expect("claims json")
}

/// Runs a test body once on SQLite and once on PostgreSQL (skipped, with a note, when no server is configured).
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::harness::Store::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::harness::postgres_available() {
                    eprintln!("skipped: THINGDECK_TEST_DATABASE_URL is not set");
                    return;
                }
                ($body)($crate::harness::Store::Postgres).await;
            }
        }
    };
}

/// The bare id of an entity in a response.
pub fn id_of(v: &Value) -> String {
    v["id"]["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// The sorted `name`s of a page.
pub fn names_of(page: &Value) -> Vec<String> {
    let mut n: Vec<String> =
        page["data"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().into()).collect();
    n.sort();
    n
}

/// Posts a console form like a browser without JavaScript; returns status, location and the set cookies.
pub async fn form(
    srv: &Server,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> (u16, String, Vec<String>) {
    let mut req = srv.http.post(srv.url(path)).header("Origin", srv.url("")).header("Accept", "text/html").form(fields);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let r = req.send().await.unwrap();
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let cookies = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|c| c.split(';').next().unwrap().to_string())
        .collect();
    (r.status().as_u16(), loc, cookies)
}

/// A console page as a browser without JavaScript gets it: status, redirect target, HTML.
pub async fn html(srv: &Server, path: &str, cookie: &str) -> (u16, String, String) {
    let r = srv.http.get(srv.url(path)).header("Accept", "text/html").header("Cookie", cookie).send().await.unwrap();
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (r.status().as_u16(), loc, r.text().await.unwrap())
}

/// One cookie (`name=value`) out of those a response set.
pub fn cookie_named(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find(|c| c.starts_with(&format!("{name}=")) && !c.ends_with('=')).cloned()
}

/// Calls a server function like the hydrated console does (form-encoded arguments, JSON answer).
pub async fn sfn(srv: &Server, name: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let r = srv
        .http
        .post(srv.url(&format!("/_sfn/{name}")))
        .header("Origin", srv.url(""))
        .header("Accept", "application/json")
        .header("Cookie", cookie)
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// Signs in to the console with a password; the session cookie (`td_session=…`).
pub async fn console_login(srv: &Server, email: &str, password: &str) -> String {
    let (_, _, set) = form(srv, "/_sfn/login", None, &[("email", email), ("password", password)]).await;
    cookie_named(&set, "td_session").expect("console session cookie")
}
