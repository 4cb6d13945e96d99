//! Two-factor authentication in ThingsBoard's JSON shape: who may use which second factor (platform or tenant
//! settings) and what a user has enrolled (account settings).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The second factors Thingdeck checks. ThingsBoard's SMS and EMAIL providers are refused when saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TwoFaProviderType {
    Totp,
    BackupCode,
}

impl TwoFaProviderType {
    /// The name used in query parameters and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TwoFaProviderType::Totp => "TOTP",
            TwoFaProviderType::BackupCode => "BACKUP_CODE",
        }
    }

    /// Parses a `providerType` query parameter (case-insensitive, as ThingsBoard's enum binding is not).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "TOTP" => Some(TwoFaProviderType::Totp),
            "BACKUP_CODE" => Some(TwoFaProviderType::BackupCode),
            _ => None,
        }
    }
}

/// One enabled provider in the settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "providerType")]
pub enum TwoFaProviderConfig {
    #[serde(rename = "TOTP", rename_all = "camelCase")]
    Totp {
        /// Shown by authenticator apps next to the account.
        issuer_name: String,
    },
    #[serde(rename = "BACKUP_CODE", rename_all = "camelCase")]
    BackupCode {
        /// How many codes one generation gives.
        codes_quantity: u32,
    },
}

impl TwoFaProviderConfig {
    /// Which provider this configures.
    pub fn provider_type(&self) -> TwoFaProviderType {
        match self {
            TwoFaProviderConfig::Totp { .. } => TwoFaProviderType::Totp,
            TwoFaProviderConfig::BackupCode { .. } => TwoFaProviderType::BackupCode,
        }
    }
}

/// `/api/2fa/settings`: the system administrator's for the platform, a tenant administrator's for its tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlatformTwoFaSettings {
    /// Tenant settings only: follow the platform's instead of these.
    pub use_system_two_factor_auth_settings: bool,
    pub providers: Vec<TwoFaProviderConfig>,
    /// Seconds between two code sends (no provider here sends codes; kept for the shape).
    pub min_verification_code_send_period: i64,
    /// `"checks:seconds"`: code checks a user may make per window.
    pub verification_code_check_rate_limit: Option<String>,
    /// Wrong codes after which the account is locked; 0: never.
    pub max_verification_failures_before_user_lockout: i64,
    /// Seconds a password-checked sign-in waits for its second factor.
    pub total_allowed_time_for_verification: i64,
    /// Users without a second factor must enrol before they get in.
    pub enforce_two_fa: bool,
    /// Accepted and returned; enforcement applies to every user the settings cover.
    pub enforced_users_filter: Option<serde_json::Value>,
}

impl Default for PlatformTwoFaSettings {
    fn default() -> Self {
        PlatformTwoFaSettings {
            use_system_two_factor_auth_settings: true,
            providers: vec![
                TwoFaProviderConfig::Totp { issuer_name: "Thingdeck".into() },
                TwoFaProviderConfig::BackupCode { codes_quantity: 10 },
            ],
            min_verification_code_send_period: 30,
            verification_code_check_rate_limit: Some("5:300".into()),
            max_verification_failures_before_user_lockout: 30,
            total_allowed_time_for_verification: 900,
            enforce_two_fa: false,
            enforced_users_filter: None,
        }
    }
}

/// One factor of a user's account: freshly generated (with its secret or codes) or as stored (without).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "providerType")]
pub enum TwoFaAccountConfig {
    #[serde(rename = "TOTP", rename_all = "camelCase")]
    Totp {
        #[serde(default)]
        use_by_default: bool,
        /// `otpauth://totp/…`; the secret is only in it right after generation.
        auth_url: String,
        /// Thingdeck's addition: the QR code of `authUrl` as SVG, right after generation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        qr_code_svg: Option<String>,
    },
    #[serde(rename = "BACKUP_CODE", rename_all = "camelCase")]
    BackupCode {
        #[serde(default)]
        use_by_default: bool,
        /// Only right after generation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        codes: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        codes_left: Option<usize>,
    },
}

/// `GET /api/2fa/account/settings`: the factors a user has, by provider name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountTwoFaSettings {
    pub configs: BTreeMap<String, TwoFaAccountConfig>,
}

/// `GET /api/auth/2fa/providers`: what the sign-in page may ask for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwoFaProviderInfo {
    #[serde(rename = "type")]
    pub provider_type: TwoFaProviderType,
    pub default: bool,
    pub contact: Option<String>,
    pub min_verification_code_send_period: Option<i64>,
}
