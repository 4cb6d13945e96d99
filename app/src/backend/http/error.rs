//! The one mapping of service errors to HTTP: each error's status and ThingsBoard error code, and the error body
//! every refusal carries (`{"status","message","errorCode","timestamp"}`). Internal details are logged here, never
//! sent.

use crate::backend::kernel::error::ServiceError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The HTTP status and ThingsBoard error code of a service error.
pub fn status_and_code(e: &ServiceError) -> (StatusCode, u16) {
    match e {
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
        let (status, code) = status_and_code(&self);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_are_thingsboards() {
        assert_eq!(status_and_code(&ServiceError::Internal("x".into())), (StatusCode::INTERNAL_SERVER_ERROR, 2));
        assert_eq!(status_and_code(&ServiceError::Forbidden).1, 20);
        assert_eq!(status_and_code(&ServiceError::PayloadTooLarge("x".into())).0, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
