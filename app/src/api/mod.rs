//! Typed server functions: the console's only way to the backend. Each is a thin call into the same services
//! the REST API uses; authorization happens there. State-changing functions refuse cross-site requests.

pub mod session;
pub mod tenants;

#[cfg(feature = "ssr")]
mod ssr;

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

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        AppError { status: 500, message: e.to_string() }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::backend::error::ServiceError> for AppError {
    fn from(e: crate::backend::error::ServiceError) -> Self {
        let (status, _) = e.status_and_code();
        if let crate::backend::error::ServiceError::Internal(d) = &e {
            tracing::error!(detail = %d, "server function failed");
        }
        AppError { status: status.as_u16(), message: e.public_message() }
    }
}
