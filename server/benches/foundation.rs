//! Foundation figures, printed (never asserted): exec → first answer on an empty SQLite database, idle RSS,
//! login latency (p50/p99) and authenticated `GET /api/auth/user` requests per second. Runs the real binary that
//! `cargo bench` builds; the load generator shares the machine's cores with the server, so throughput is a floor.
//! Goals on 2 cores: first answer < 300 ms, idle RSS < 40 MB, ≥ 20k authenticated requests/s. Also prints the
//! binary's size.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const EMAIL: &str = "bench@thingdeck.test";
const PASSWORD: &str = "bench-password";

struct Server {
    child: Child,
    base: String,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(18181)
}

/// Spawns on a fixed free port and returns the time until the first HTTP answer.
fn start() -> (Server, Duration) {
    let dir =
        std::env::temp_dir().join(format!("thingdeck-bench-{}", std::process::id() as u128 * 1000 + rand_suffix()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port = free_port();
    let t0 = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_thingdeck"))
        .arg("serve")
        .current_dir(&dir)
        .env("THINGDECK_LISTEN", format!("127.0.0.1:{port}"))
        .env("THINGDECK_SYSADMIN_EMAIL", EMAIL)
        .env("THINGDECK_SYSADMIN_PASSWORD", PASSWORD)
        .env("THINGDECK_LOGIN_ATTEMPTS_PER_MINUTE", "1000000")
        .env("THINGDECK_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn thingdeck");
    let req = "GET /api/noauth/userPasswordPolicy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(req.as_bytes());
            let mut buf = [0u8; 12];
            if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1 200") {
                break;
            }
        }
        if t0.elapsed() > Duration::from_secs(30) {
            panic!("server did not answer");
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let first = t0.elapsed();
    (Server { child, base: format!("http://127.0.0.1:{port}"), dir }, first)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() % 1000).unwrap_or(0)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; there is nothing to list.
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let bin = std::fs::metadata(env!("CARGO_BIN_EXE_thingdeck")).map(|m| m.len()).unwrap_or(0);
    println!("binary: {:.1} MB (release profile, debug info stripped, symbols kept)", bin as f64 / 1e6);

    // 1. Start-up: median of 5 fresh starts on an empty SQLite database.
    let mut starts = Vec::new();
    for _ in 0..5 {
        let (srv, first) = start();
        starts.push(first);
        drop(srv);
    }
    starts.sort();
    println!("startup: exec to first answer (empty SQLite, median of 5): {:.1} ms", ms(starts[2]));

    let (srv, _) = start();
    let pid = srv.child.id();
    std::thread::sleep(Duration::from_millis(500));
    println!("memory: idle RSS after start: {:.1} MB", rss_kib(pid) as f64 / 1024.0);

    let base = srv.base.clone();
    rt.block_on(async move {
        let client = reqwest::Client::new();
        let body = serde_json::json!({"username": EMAIL, "password": PASSWORD});
        // 2. Login latency: 200 sequential sign-ins (each one argon2id verification).
        let mut lat = Vec::new();
        let mut token = String::new();
        for _ in 0..200 {
            let t = Instant::now();
            let r = client.post(format!("{base}/api/auth/login")).json(&body).send().await.expect("login");
            let v: serde_json::Value = r.json().await.expect("json");
            lat.push(t.elapsed());
            token = v["token"].as_str().expect("token").to_string();
        }
        lat.sort();
        println!(
            "login: p50 {:.1} ms, p99 {:.1} ms (200 sequential, argon2id m=19 MiB t=2 p=1)",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99))
        );
        println!("memory: RSS after logins: {:.1} MB", rss_kib(pid) as f64 / 1024.0);

        // 3. Authenticated throughput: 64 keep-alive connections for 5 s.
        let done = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let url = format!("{base}/api/auth/user");
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (done, count, errors, url, token) =
                (done.clone(), count.clone(), errors.clone(), url.clone(), token.clone());
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
            tasks.push(tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    match client.get(&url).header("X-Authorization", format!("Bearer {token}")).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs(1)).await; // warm-up
        let c0 = count.load(Ordering::Relaxed);
        let t0 = Instant::now();
        tokio::time::sleep(Duration::from_secs(5)).await;
        let n = count.load(Ordering::Relaxed) - c0;
        let secs = t0.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        println!(
            "throughput: GET /api/auth/user {:.0} requests/s (64 connections, client on the same 2 cores, {} errors)",
            n as f64 / secs,
            errors.load(Ordering::Relaxed)
        );
        println!("memory: RSS under load: {:.1} MB", rss_kib(pid) as f64 / 1024.0);
    });
}
