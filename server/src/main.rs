//! `thingdeck`: one binary that serves the console (server-rendered, then hydrated), the ThingsBoard-compatible
//! REST API and its own static files.

mod assets;
mod transport;

use app::backend::bootstrap;
use app::backend::http::state::AppState;
use app::backend::kernel::config::Config;
use app::backend::kernel::db::Db;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "thingdeck", version, about = "Multi-tenant IoT console, compatible with the ThingsBoard PE REST API")]
struct Cli {
    /// Optional TOML file with the same keys as the THINGDECK_* variables (lower case, without the prefix).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (settings from THINGDECK_* variables; see README).
    Serve,
}

/// glibc raises its mmap threshold after the first large free, so argon2's 19 MiB blocks would then come from
/// arenas that never shrink (RSS stayed ~130 MB after a burst of logins). A fixed threshold keeps such blocks
/// mmapped and returns them to the system when freed; two arenas bound per-thread heap growth.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; called once before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("THINGDECK_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match Config::load(cli.config.as_deref(), &|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("thingdeck: {e}");
            return ExitCode::from(2);
        }
    };
    let login_ip_per_minute = match std::env::var("THINGDECK_LOGIN_ATTEMPTS_PER_MINUTE") {
        Ok(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("thingdeck: THINGDECK_LOGIN_ATTEMPTS_PER_MINUTE: '{v}' is not a positive whole number");
                return ExitCode::from(2);
            }
        },
        Err(_) => 30,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("thingdeck: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve => runtime.block_on(serve(config, login_ip_per_minute)),
    }
}

async fn serve(mut config: Config, login_ip_per_minute: u32) -> ExitCode {
    let listen = config.listen;
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("thingdeck: THINGDECK_LISTEN: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr().unwrap_or(listen);
    config.bound_to(bound);
    let db = match Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("thingdeck: {e}");
            return ExitCode::FAILURE;
        }
    };
    let svc = match bootstrap::services(db, config, login_ip_per_minute).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("thingdeck: cannot start: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    match bootstrap::ensure_sysadmin(&svc).await {
        Ok(bootstrap::SysadminState::SetupLink(link)) => {
            println!("No system administrator yet. Open this one-time link to create one (valid 24 h): {link}");
        }
        Ok(bootstrap::SysadminState::CreatedFromEnvironment) => tracing::info!("system administrator created"),
        Ok(bootstrap::SysadminState::Present) => {}
        Err(e) => {
            eprintln!("thingdeck: THINGDECK_SYSADMIN_PASSWORD: {}", e.public_message());
            return ExitCode::FAILURE;
        }
    }
    let leptos_options = LeptosOptions::builder()
        .output_name("thingdeck")
        .site_root("site")
        .site_pkg_dir(assets::pkg_dir())
        .site_addr(bound)
        .build();
    let state = AppState { leptos_options: leptos_options.clone(), svc: svc.clone() };
    let routes = generate_route_list(app::App);
    let router = app::backend::http::router()
        .leptos_routes(&state, routes, {
            let o = leptos_options.clone();
            move || app::shell(o.clone())
        })
        .fallback(fallback)
        .layer(axum::middleware::from_fn(app::backend::http::redirects::real))
        .layer(axum::middleware::from_fn(app::backend::http::limits::guard))
        .layer(axum::middleware::from_fn(app::backend::http::headers::security))
        .layer(axum::middleware::from_fn(app::backend::http::snapshot::per_request))
        .with_state(state);

    let pruner = {
        let svc = svc.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                svc.ip_limiter.prune();
            }
        })
    };
    let shutdown = shutdown_signal();
    println!("Thingdeck {} listening on http://{bound}", env!("CARGO_PKG_VERSION"));
    let listener = transport::Listener(listener).tap_io(|_| {});
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    pruner.abort();
    svc.db.close().await;
    match served {
        Ok(()) => {
            tracing::info!("stopped cleanly");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("thingdeck: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Registers SIGINT/SIGTERM handling now (before the server says it is listening, so an early signal still
/// shuts down cleanly) and returns a future that resolves on either; axum then lets in-flight requests finish.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let streams = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok())
    };
    async move {
        #[cfg(unix)]
        {
            let (mut int, mut term) = streams;
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! { _ = int => {}, _ = term => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

/// Embedded files, else a plain 404 page.
async fn fallback(req: Request) -> Response {
    if let Some(r) = assets::serve(req.uri().path(), req.headers()) {
        return r;
    }
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found · Thingdeck</title>\
              <link rel=\"stylesheet\" href=\"/pkg/thingdeck.css\"></head><body><main class=\"centered\">\
              <h1>Page not found</h1><p><a href=\"/\">Back to the console</a></p></main></body></html>",
        ),
    )
        .into_response()
}
