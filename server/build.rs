//! Embeds the site into the binary so one file is a complete install: the stylesheet and `public/` always, the
//! hydrate bundle (`pkg/*.js|wasm`, with their `.br`/`.gz` siblings) from `THINGDECK_SITE_DIR` (`cargo xtask dist`
//! sets it) or else from an already built `target/site`, so `cargo build`/`cargo bench` after a dist keep it.
//! Without any built site the pages are served without hydration.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "ico" => "image/x-icon",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            walk(&p, &format!("{prefix}{name}/"), out);
        } else if !name.ends_with(".br") && !name.ends_with(".gz") {
            out.push((format!("{prefix}{name}"), p));
        }
    }
}

fn etag(bytes: &[u8]) -> String {
    // FNV-1a: a stable fingerprint for revalidation, not a security boundary.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("\"{h:016x}-{}\"", bytes.len())
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("server/ sits in the workspace").to_path_buf();
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    println!("cargo:rerun-if-changed={}", root.join("style").display());
    println!("cargo:rerun-if-changed={}", root.join("public").display());
    println!("cargo:rerun-if-env-changed=THINGDECK_SITE_DIR");
    walk(&root.join("public"), "/", &mut files);
    let built = root.join("target/site");
    let site = match std::env::var("THINGDECK_SITE_DIR") {
        Ok(site) if !site.is_empty() => Some(PathBuf::from(site)),
        _ if built.join("pkg/thingdeck_bg.wasm").exists() => Some(built),
        _ => None,
    };
    match site {
        Some(site) => {
            println!("cargo:rerun-if-changed={}", site.display());
            let mut pkg = Vec::new();
            walk(&site.join("pkg"), "/pkg/", &mut pkg);
            files.extend(pkg);
        }
        None => files.push(("/pkg/thingdeck.css".into(), root.join("style/main.css"))),
    }
    let mut code = String::from("/// Embedded site files.\n");
    code.push_str("pub static ASSETS: &[Asset] = &[\n");
    for (url, path) in files {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let sib = |ext: &str| {
            let p = PathBuf::from(format!("{}.{ext}", path.display()));
            if p.exists() { format!("Some(include_bytes!({:?}))", p.display().to_string()) } else { "None".into() }
        };
        let _ = writeln!(
            code,
            "    Asset {{ path: {url:?}, content_type: {:?}, body: include_bytes!({:?}), br: {}, gz: {}, etag: {:?} }},",
            content_type(&url),
            path.display().to_string(),
            sib("br"),
            sib("gz"),
            etag(&bytes)
        );
    }
    code.push_str("];\n");
    // One fingerprint for the whole bundle: the pages load it from `/pkg/<version>/`, so a new build is a new path.
    let mut version: u64 = 0xcbf29ce484222325;
    for line in code.lines().filter(|l| l.contains("path: \"/pkg/")) {
        for b in line.bytes() {
            version ^= u64::from(b);
            version = version.wrapping_mul(0x100000001b3);
        }
    }
    let _ = writeln!(
        code,
        "/// Changes with every bundle build (a fingerprint of its files).\npub const SITE_VERSION: &str = \"{:012x}\";",
        version >> 16
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets.rs");
    std::fs::write(out, code).expect("write assets.rs");
}
