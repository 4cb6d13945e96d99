//! `cargo xtask dist`: builds the release binary with the site embedded, without cargo-leptos (whose install is
//! most of a fresh set-up): wasm32 build of `frontend`, wasm-bindgen (as a library, pinned to the crate's
//! version), wasm-opt, stylesheet, brotli/gzip siblings, then the server build that embeds them.
//! `cargo xtask sizes` prints the bundle sizes of the last build.

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const NAME: &str = "thingdeck";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: {cmd:?}");
    let status = cmd.status().with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn build_site(site: &Path) -> Result<()> {
    let root = root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo).current_dir(&root).args([
        "build",
        "--package",
        "frontend",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = root.join("target/wasm32-unknown-unknown/wasm-release/frontend.wasm");
    let pkg = site.join("pkg");
    if site.exists() {
        std::fs::remove_dir_all(site).context("clear site dir")?;
    }
    std::fs::create_dir_all(&pkg)?;
    eprintln!("xtask: wasm-bindgen {}", wasm.display());
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .out_name(NAME)
        .generate(&pkg)
        .map_err(|e| anyhow::anyhow!("wasm-bindgen: {e}"))?;
    let bg = pkg.join(format!("{NAME}_bg.wasm"));
    let opt = pkg.join(format!("{NAME}_opt.wasm"));
    if std::env::var("THINGDECK_SKIP_WASM_OPT").is_ok_and(|v| v == "1") {
        eprintln!("xtask: skipping wasm-opt (THINGDECK_SKIP_WASM_OPT=1)");
        std::fs::copy(&bg, &opt)?;
    } else {
        // The explicit feature list keeps wasm-opt from rejecting rustc's output (see DEVELOPERS.md).
        run(Command::new(wasm_opt()?)
            .args([
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "--enable-multivalue",
            ])
            .arg(&bg)
            .arg("-o")
            .arg(&opt))?;
    }
    std::fs::rename(&opt, &bg)?;
    std::fs::copy(root.join("style/main.css"), pkg.join(format!("{NAME}.css")))?;
    for entry in std::fs::read_dir(&pkg)? {
        let p = entry?.path();
        if matches!(p.extension().and_then(|e| e.to_str()), Some("js" | "wasm" | "css")) {
            compress(&p)?;
        }
    }
    Ok(())
}

/// `WASM_OPT` if set, else binaryen from npm in `xtask/node_modules` (scripts/setup.sh installs it).
fn wasm_opt() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("WASM_OPT") {
        return Ok(PathBuf::from(p));
    }
    let p = root().join("xtask/node_modules/.bin/wasm-opt");
    if !p.exists() {
        bail!("{} is missing: run `npm ci --prefix xtask` (scripts/setup.sh does)", p.display());
    }
    Ok(p)
}

fn compress(p: &Path) -> Result<()> {
    let data = std::fs::read(p)?;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(&data)?;
    }
    std::fs::write(format!("{}.br", p.display()), br)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&data)?;
    std::fs::write(format!("{}.gz", p.display()), gz.finish()?)?;
    Ok(())
}

fn sizes(site: &Path) -> Result<()> {
    let pkg = site.join("pkg");
    let mut total = [0u64; 3];
    for ext in ["wasm", "js", "css"] {
        let base = if ext == "wasm" { format!("{NAME}_bg.wasm") } else { format!("{NAME}.{ext}") };
        let len = |suffix: &str| std::fs::metadata(pkg.join(format!("{base}{suffix}"))).map(|m| m.len()).unwrap_or(0);
        let (raw, gz, br) = (len(""), len(".gz"), len(".br"));
        total[0] += raw;
        total[1] += gz;
        total[2] += br;
        println!("bundle {base:<22} raw {:>7.1} KiB  gzip {:>6.1} KiB  brotli {:>6.1} KiB", kib(raw), kib(gz), kib(br));
    }
    println!(
        "bundle {:<22} raw {:>7.1} KiB  gzip {:>6.1} KiB  brotli {:>6.1} KiB",
        "total",
        kib(total[0]),
        kib(total[1]),
        kib(total[2])
    );
    Ok(())
}

fn kib(n: u64) -> f64 {
    n as f64 / 1024.0
}

fn main() -> Result<()> {
    let site = root().join("target/site");
    match std::env::args().nth(1).as_deref() {
        Some("dist") => {
            build_site(&site)?;
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            run(Command::new(cargo).current_dir(root()).env("THINGDECK_SITE_DIR", &site).args([
                "build",
                "--release",
                "--package",
                "server",
                "--bin",
                NAME,
            ]))?;
            sizes(&site)?;
            println!("built {}", root().join("target/release").join(NAME).display());
            Ok(())
        }
        Some("site") => build_site(&site),
        Some("sizes") => sizes(&site),
        _ => bail!("usage: cargo xtask dist | site | sizes"),
    }
}
