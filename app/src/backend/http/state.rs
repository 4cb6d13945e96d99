//! What every handler and page renderer receives: the Leptos options and the services.

use crate::backend::services::Svc;

/// Axum state: the Leptos options the renderer needs plus the services.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: leptos::config::LeptosOptions,
    pub svc: Svc,
}
