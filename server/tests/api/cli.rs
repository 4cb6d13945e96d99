//! The binary's command line, configuration errors, first start and shutdown.

use crate::harness::*;
use std::process::Command;

fn thingdeck() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_thingdeck"));
    c.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

#[test]
fn version_and_help() {
    let out = thingdeck().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("thingdeck "));
    let out = thingdeck().arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("serve"));
}

#[test]
fn wrong_configuration_is_one_line_naming_the_setting() {
    for (k, v) in [
        ("THINGDECK_LISTEN", "not-an-address"),
        ("THINGDECK_DATABASE_URL", "mysql://nope"),
        ("THINGDECK_PUBLIC_URL", "ftp://x"),
        ("THINGDECK_ACCESS_TOKEN_TTL_SECS", "soon"),
        ("THINGDECK_JWT_SECRET", "short"),
    ] {
        let out = thingdeck().arg("serve").env(k, v).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{k}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{k}: {err}");
        assert!(err.contains(k), "{k}: {err}");
    }
    let dir = std::env::temp_dir().join(format!("td-cfg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("thingdeck.toml");
    std::fs::write(&file, "listen = 12\n").unwrap();
    let out = thingdeck().args(["--config", file.to_str().unwrap(), "serve"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn first_start_without_credentials_prints_a_setup_link_and_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("td-first-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = thingdeck()
        .arg("serve")
        .current_dir(&dir)
        .env("THINGDECK_LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::{BufRead, BufReader};
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("/setup?token="), "{first}");
    let second = lines.next().unwrap().unwrap();
    assert!(second.contains("listening on http://127.0.0.1:"), "{second}");
    assert!(dir.join("thingdeck-data/thingdeck.db").exists(), "default SQLite file is created");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(child.wait().unwrap().success(), "SIGTERM exits 0");
    let _ = std::fs::remove_dir_all(dir);
}

crate::both!(stops_cleanly_on_sigterm, |store| async move {
    let srv = Server::start(store, &[]).await;
    srv.sysadmin().await;
    assert!(srv.stop().success());
});
