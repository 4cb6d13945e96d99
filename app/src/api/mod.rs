//! Typed server functions: the console's only way to the backend. Each is a thin call into the same services
//! the REST API uses; authorization happens there. State-changing functions refuse cross-site requests.

pub mod accounts;
pub mod authz;
pub mod groups;
pub mod identity;
pub mod owners;
pub mod things;
pub mod views;

#[cfg(feature = "ssr")]
mod ssr;

/// Rows per page in the console's tables.
pub const PAGE_SIZE: i64 = 10;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error as the console shows it: the status and the service's message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub status: u16,
    pub message: String,
}

impl AppError {
    /// An error the console shows; on the server the response carries `status` too (see `answer_with`).
    pub fn new(status: u16, message: impl Into<String>) -> AppError {
        #[cfg(feature = "ssr")]
        answer_with(http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        AppError { status, message: message.into() }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Arguments that do not parse (a version that is no number, a missing field) are the caller's mistake: 400.
    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        let status = match e {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => 400,
            _ => 500,
        };
        #[cfg(feature = "ssr")]
        if status == 400 {
            answer_with(http::StatusCode::BAD_REQUEST);
        }
        AppError { status, message: e.to_string() }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::backend::kernel::error::ServiceError> for AppError {
    fn from(e: crate::backend::kernel::error::ServiceError) -> Self {
        let (status, _) = crate::backend::http::error::status_and_code(&e);
        if let crate::backend::kernel::error::ServiceError::Internal(d) = &e {
            tracing::error!(detail = %d, "server function failed");
        }
        answer_with(status);
        AppError { status: status.as_u16(), message: e.public_message() }
    }
}

/// A server function called by the hydrated console answers with the error's own status (a wrong code is a 400,
/// not leptos' default 500). Page renders and plain form posts (which leptos answers with a redirect back) keep
/// theirs.
#[cfg(feature = "ssr")]
fn answer_with(status: http::StatusCode) {
    use leptos::prelude::use_context;
    let Some(parts) = use_context::<http::request::Parts>() else { return };
    let html =
        parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if parts.uri.path().starts_with("/_sfn/")
        && !html
        && let Some(res) = use_context::<leptos_axum::ResponseOptions>()
    {
        res.set_status(status);
    }
}
