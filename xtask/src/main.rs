//! `cargo xtask dist`: builds the release binary with the site embedded, without cargo-leptos (whose install is
//! most of a fresh set-up): wasm32 build of `frontend`, split into a main module and per-page chunks (the lazy
//! routes), wasm-bindgen (as a library, pinned to the crate's version), wasm-opt, stylesheet, brotli/gzip
//! siblings, then the server build that embeds them. `cargo xtask site` stops before the server build;
//! `cargo xtask sizes` prints what the browser downloads for the last build.

mod cycles;

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

/// The file the split step writes next to the chunks: each lazy route's split name → the chunk files (without
/// `.wasm`) it loads. Leptos reads the same name; `sizes` uses it for per-page first-load figures.
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

/// The module the split loader takes `initSync` from: wasm-bindgen's JS for the main module (`{NAME}.js`).
const MAIN_JS: &str = "./thingdeck.js";

fn build_site(site: &Path) -> Result<()> {
    let root = root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The splitter needs the linker's relocations to know which functions each lazy route reaches.
    let flags_var = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";
    let flags = match std::env::var(flags_var) {
        Ok(f) if !f.trim().is_empty() => format!("{f} -C link-args=--emit-relocs"),
        _ => "-C link-args=--emit-relocs".to_string(),
    };
    run(Command::new(&cargo).current_dir(&root).env(flags_var, flags).args([
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
    let main_wasm = split(&wasm, &pkg)?;
    eprintln!("xtask: wasm-bindgen {}", main_wasm.display());
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_wasm)
        .web(true)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .out_name(NAME)
        // The chunks import the main module's function table by this export, which wasm-bindgen drops otherwise.
        .keep_lld_exports(true)
        .generate(&pkg)
        .map_err(|e| anyhow::anyhow!("wasm-bindgen: {e}"))?;
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(&pkg)? {
        let p = entry?.path();
        if p.extension().is_some_and(|e| e == "wasm") {
            modules.push(p);
        }
    }
    optimize_all(&modules)?;
    std::fs::copy(root.join("style/main.css"), pkg.join(format!("{NAME}.css")))?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&pkg)? {
        let p = entry?.path();
        if matches!(p.extension().and_then(|e| e.to_str()), Some("js" | "wasm" | "css")) {
            files.push(p);
        }
    }
    eprintln!("xtask: brotli and gzip on {} files", files.len());
    in_parallel(&files, compress)
}

/// Splits the lazy routes out of the cargo output: their chunks, the loader `__wasm_split.js` and the manifest
/// go to `pkg`; the main module (for wasm-bindgen) goes next to the input. Returns the main module's path.
fn split(wasm: &Path, pkg: &Path) -> Result<PathBuf> {
    let input = std::fs::read(wasm).with_context(|| format!("read {}", wasm.display()))?;
    let main_out = wasm.with_file_name("frontend.main.wasm");
    let mut opts = wasm_split_cli_support::Options::new(&input);
    opts.output_dir = pkg;
    opts.main_out_path = &main_out;
    opts.link_name = "./__wasm_split.js";
    opts.main_module = MAIN_JS;
    eprintln!("xtask: wasm-split {}", wasm.display());
    let out = wasm_split_cli_support::transform(opts).map_err(|e| anyhow::anyhow!("wasm-split: {e:#}"))?;
    std::fs::write(pkg.join(SPLIT_MANIFEST), serde_json::to_vec(&out.prefetch_map)?)?;
    Ok(main_out)
}

/// wasm-opt on every module (`xtask/wasm-opt.mjs`, binaryen from npm: one node process per core, each taking
/// its share of the modules), unless `THINGDECK_SKIP_WASM_OPT=1` (a faster build for local iterations).
fn optimize_all(modules: &[PathBuf]) -> Result<()> {
    if std::env::var("THINGDECK_SKIP_WASM_OPT").is_ok_and(|v| v == "1") {
        eprintln!("xtask: skipping wasm-opt (THINGDECK_SKIP_WASM_OPT=1)");
        return Ok(());
    }
    let script = root().join("xtask/wasm-opt.mjs");
    if !root().join("xtask/node_modules/binaryen").exists() {
        bail!("binaryen is missing: run `npm ci --prefix xtask` (scripts/setup.sh does)");
    }
    eprintln!("xtask: wasm-opt on {} modules", modules.len());
    // Largest first, dealt round-robin, so the workers finish at about the same time.
    let mut by_size: Vec<(u64, &PathBuf)> =
        modules.iter().map(|m| (std::fs::metadata(m).map(|md| md.len()).unwrap_or(0), m)).collect();
    by_size.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let mut shares: Vec<Vec<&PathBuf>> = vec![Vec::new(); workers];
    for (i, (_, m)) in by_size.into_iter().enumerate() {
        shares[i % workers].push(m);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .filter(|share| !share.is_empty())
            .map(|share| {
                let script = &script;
                scope.spawn(move || {
                    let out = Command::new("node").arg(script).args(share).output().context("cannot run node")?;
                    if !out.status.success() {
                        bail!("wasm-opt.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().map_err(|_| anyhow::anyhow!("wasm-opt worker panicked"))?)
    })
}

/// Runs `f` on every item, one worker thread per core: the split leaves hundreds of small files.
fn in_parallel(items: &[PathBuf], f: impl Fn(&Path) -> Result<()> + Sync) -> Result<()> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { return Ok(()) };
                        f(item)?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().map_err(|_| anyhow::anyhow!("xtask worker panicked"))?)
    })
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

/// Raw, gzip and brotli sizes of one file in `pkg` (0 when missing).
fn file_sizes(pkg: &Path, name: &str) -> [u64; 3] {
    let len = |suffix: &str| std::fs::metadata(pkg.join(format!("{name}{suffix}"))).map(|m| m.len()).unwrap_or(0);
    [len(""), len(".gz"), len(".br")]
}

fn add(a: [u64; 3], b: [u64; 3]) -> [u64; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn line(label: &str, s: [u64; 3]) {
    println!(
        "bundle {label:<34} raw {:>7.1} KiB  gzip {:>6.1} KiB  brotli {:>6.1} KiB",
        kib(s[0]),
        kib(s[1]),
        kib(s[2])
    );
}

/// Prints what the browser downloads: the first load (main module, its JS, the split loader, the stylesheet),
/// each page's chunks on top of it, the heaviest page's total, and everything together.
fn sizes(site: &Path) -> Result<()> {
    let pkg = site.join("pkg");
    let mut first = [0u64; 3];
    for name in [format!("{NAME}_bg.wasm"), format!("{NAME}.js"), "__wasm_split.js".into(), format!("{NAME}.css")] {
        let s = file_sizes(&pkg, &name);
        line(&name, s);
        first = add(first, s);
    }
    line("first load (total of the above)", first);
    let manifest: std::collections::BTreeMap<String, Vec<String>> = match std::fs::read(pkg.join(SPLIT_MANIFEST)) {
        Ok(bytes) => serde_json::from_slice(&bytes)?,
        Err(_) => Default::default(),
    };
    let mut heaviest = ("none".to_string(), first);
    for (split, chunks) in &manifest {
        let page = chunks.iter().fold([0u64; 3], |acc, c| add(acc, file_sizes(&pkg, &format!("{c}.wasm"))));
        // Split names are `__<route>_view_<hash>`: keep the route.
        let label = split.trim_start_matches("__").split("_view_").next().unwrap_or(split);
        line(&format!("+ page {label} ({} chunks)", chunks.len()), page);
        if add(first, page)[2] > heaviest.1[2] {
            heaviest = (label.to_string(), add(first, page));
        }
    }
    line(&format!("heaviest page: {} (first load + chunks)", heaviest.0), heaviest.1);
    let mut all = first;
    for entry in std::fs::read_dir(&pkg)? {
        let name = entry?.file_name().to_string_lossy().to_string();
        if name.ends_with(".wasm") && name != format!("{NAME}_bg.wasm") {
            all = add(all, file_sizes(&pkg, &name));
        }
    }
    line("everything (all pages loaded)", all);
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
        Some("cycles") => cycles::check(&root()),
        _ => bail!("usage: cargo xtask dist | site | sizes | cycles"),
    }
}
