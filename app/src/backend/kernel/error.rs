//! The service layer's one error type: what went wrong in terms a caller can act on. Its mapping to HTTP statuses
//! and ThingsBoard's error body is the REST edge's (`http::error`).

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

/// Result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_stay_inside() {
        let e = ServiceError::Internal("password column missing".into());
        assert_eq!(e.public_message(), "Internal server error");
    }

    #[test]
    fn forbidden_has_thingsboards_text() {
        assert_eq!(ServiceError::Forbidden.public_message(), "You don't have permission to perform this operation!");
    }
}
