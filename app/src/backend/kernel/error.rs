//! The service layer's one error type and its single mapping to ThingsBoard's error body and HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What went wrong, in terms a caller can act on. Internal details never leave the server.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 401 / 10: wrong credentials, inactive or locked account.
    #[error("{0}")]
    BadCredentials(String),
    /// 401 / 10: no or unusable token.
    #[error("{0}")]
    Unauthenticated(String),
    /// 401 / 11.
    #[error("Token has expired")]
    TokenExpired,
    /// 403 / 20.
    #[error("You don't have permission to perform this operation!")]
    Forbidden,
    /// 404 / 32, with ThingsBoard's "<Entity> with id [..] is not found" text.
    #[error("{0}")]
    NotFound(String),
    /// 400 / 30: a field is missing or wrong.
    #[error("{0}")]
    InvalidArguments(String),
    /// 400 / 31: a query parameter or body could not be read.
    #[error("{0}")]
    BadRequestParams(String),
    /// 409 / 35: a stale `version`.
    #[error("{0}")]
    VersionConflict(String),
    /// 409 / 2: the request conflicts with state (unknown one-time token, ...).
    #[error("{0}")]
    Conflict(String),
    /// 405 / 2: a known path with another method.
    #[error("Request method is not supported for this path")]
    MethodNotAllowed,
    /// 429 / 33.
    #[error("{0}")]
    TooManyRequests(String),
    /// 413 / 31: a body over the limit, refused before it is read.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 500 / 2: a mail could not be delivered; the message says why (ThingsBoard answers 500 here too).
    #[error("{0}")]
    MailFailed(String),
    /// 500 / 2: logged with the detail, answered without it.
    #[error("internal error")]
    Internal(String),
}

impl ServiceError {
    /// Shorthand for ThingsBoard's not-found message.
    pub fn not_found(entity: &str, id: impl std::fmt::Display) -> Self {
        ServiceError::NotFound(format!("{entity} with id [{id}] is not found"))
    }

    /// HTTP status and ThingsBoard error code.
    pub fn status_and_code(&self) -> (StatusCode, u16) {
        match self {
            ServiceError::BadCredentials(_) | ServiceError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, 10),
            ServiceError::TokenExpired => (StatusCode::UNAUTHORIZED, 11),
            ServiceError::Forbidden => (StatusCode::FORBIDDEN, 20),
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, 32),
            ServiceError::InvalidArguments(_) => (StatusCode::BAD_REQUEST, 30),
            ServiceError::BadRequestParams(_) => (StatusCode::BAD_REQUEST, 31),
            ServiceError::VersionConflict(_) => (StatusCode::CONFLICT, 35),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, 2),
            ServiceError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, 2),
            ServiceError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, 33),
            ServiceError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, 31),
            ServiceError::Internal(_) | ServiceError::MailFailed(_) => (StatusCode::INTERNAL_SERVER_ERROR, 2),
        }
    }

    /// The message a client may see.
    pub fn public_message(&self) -> String {
        match self {
            ServiceError::Internal(_) => "Internal server error".to_string(),
            other => other.to_string(),
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Internal(format!("database: {e}"))
    }
}

/// ThingsBoard's error body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status: u16,
    pub message: String,
    pub error_code: u16,
    pub timestamp: i64,
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ServiceError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let body = ErrorBody {
            status: status.as_u16(),
            message: self.public_message(),
            error_code: code,
            timestamp: crate::backend::kernel::clock::now_ms(),
        };
        (status, axum::Json(body)).into_response()
    }
}

/// Result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_stay_inside() {
        let e = ServiceError::Internal("password column missing".into());
        assert_eq!(e.public_message(), "Internal server error");
        assert_eq!(e.status_and_code(), (StatusCode::INTERNAL_SERVER_ERROR, 2));
    }

    #[test]
    fn forbidden_has_thingsboards_text() {
        assert_eq!(ServiceError::Forbidden.public_message(), "You don't have permission to perform this operation!");
        assert_eq!(ServiceError::Forbidden.status_and_code().1, 20);
    }
}
