//! ThingsBoard-compatible JWTs (HS512): the access token carries the user's identity claims, the refresh token
//! only what is needed to rotate. Both name their session, which is what logout revokes.

use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Token issuer, as ThingsBoard sets it by default.
pub const ISSUER: &str = "thingsboard.io";

/// Scope of refresh tokens.
pub const REFRESH_SCOPE: &str = "REFRESH_TOKEN";
/// Scope of the token a password sign-in gets while its second factor is pending.
pub const PRE_VERIFICATION_SCOPE: &str = "PRE_VERIFICATION_TOKEN";
/// Scope of the token a password sign-in gets when the user must enrol a second factor first.
pub const MFA_CONFIGURATION_SCOPE: &str = "MFA_CONFIGURATION_TOKEN";

/// Claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AccessClaims {
    pub sub: String,
    pub user_id: Uuid,
    pub scopes: Vec<String>,
    pub session_id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub enabled: bool,
    pub is_public: bool,
    /// "Log in as user": who acts through this token (Thingdeck's addition; ThingsBoard's clients ignore it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonated_by: Option<Uuid>,
    pub tenant_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// Claims of a refresh token; `jti` is rotated on every use.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RefreshClaims {
    pub sub: String,
    pub user_id: Uuid,
    pub scopes: Vec<String>,
    pub session_id: Uuid,
    pub is_public: bool,
    pub jti: Uuid,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks tokens with one secret.
#[derive(Clone)]
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    /// Keys from a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS512);
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        JwtKeys { enc: EncodingKey::from_secret(secret), dec: DecodingKey::from_secret(secret), validation }
    }

    /// Signs any claims.
    pub fn sign<T: Serialize>(&self, claims: &T) -> ServiceResult<String> {
        encode(&Header::new(Algorithm::HS512), claims, &self.enc)
            .map_err(|e| ServiceError::Internal(format!("jwt: {e}")))
    }

    fn check<T: for<'de> Deserialize<'de>>(&self, token: &str) -> ServiceResult<T> {
        decode::<T>(token, &self.dec, &self.validation).map(|d| d.claims).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => ServiceError::TokenExpired,
            _ => ServiceError::Unauthenticated("Authentication failed".into()),
        })
    }

    /// Verifies an access token (signature, issuer, expiry, scope). Tokens of an unfinished sign-in are refused.
    pub fn access(&self, token: &str) -> ServiceResult<AccessClaims> {
        let c: AccessClaims = self.check(token)?;
        let not_access = |s: &String| s == REFRESH_SCOPE || s == PRE_VERIFICATION_SCOPE || s == MFA_CONFIGURATION_SCOPE;
        if c.scopes.iter().any(not_access) || c.exp * 1000 <= now_ms() {
            return Err(ServiceError::Unauthenticated("Authentication failed".into()));
        }
        Ok(c)
    }

    /// Verifies the token of an unfinished sign-in; it must carry exactly `scope`.
    pub fn pending(&self, token: &str, scope: &str) -> ServiceResult<AccessClaims> {
        let c: AccessClaims = self.check(token)?;
        if c.scopes != [scope] || c.exp * 1000 <= now_ms() {
            return Err(ServiceError::Unauthenticated("Authentication failed".into()));
        }
        Ok(c)
    }

    /// Verifies a refresh token.
    pub fn refresh(&self, token: &str) -> ServiceResult<RefreshClaims> {
        let c: RefreshClaims = self.check(token)?;
        if c.scopes != [REFRESH_SCOPE] {
            return Err(ServiceError::Unauthenticated("Authentication failed".into()));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> AccessClaims {
        AccessClaims {
            sub: "a@b.co".into(),
            user_id: Uuid::new_v4(),
            scopes: vec!["SYS_ADMIN".into()],
            session_id: Uuid::new_v4(),
            first_name: None,
            last_name: None,
            enabled: true,
            is_public: false,
            impersonated_by: None,
            tenant_id: None,
            customer_id: None,
            iss: ISSUER.into(),
            iat: now_ms() / 1000,
            exp,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let k = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let c = claims(now_ms() / 1000 + 60);
        let t = k.sign(&c).unwrap();
        assert_eq!(k.access(&t).unwrap(), c);
        let old = k.sign(&claims(now_ms() / 1000 - 10)).unwrap();
        assert!(matches!(k.access(&old), Err(ServiceError::TokenExpired)));
        let other = JwtKeys::new(b"another-secret-another-secret-xx");
        assert!(matches!(other.access(&t), Err(ServiceError::Unauthenticated(_))));
        assert!(k.refresh(&t).is_err(), "an access token is not a refresh token");
        let mut pre = claims(now_ms() / 1000 + 60);
        pre.scopes = vec![PRE_VERIFICATION_SCOPE.into()];
        let pre = k.sign(&pre).unwrap();
        assert!(k.access(&pre).is_err(), "a pending sign-in is not signed in");
        assert!(k.pending(&pre, PRE_VERIFICATION_SCOPE).is_ok());
        assert!(k.pending(&pre, MFA_CONFIGURATION_SCOPE).is_err());
        assert!(k.pending(&t, PRE_VERIFICATION_SCOPE).is_err());
    }
}
