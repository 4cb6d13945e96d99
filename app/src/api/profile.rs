//! The signed-in user's own account in the console: password and second factors. Each call acts on the session's
//! own user through the same services as `/api/auth/changePassword` and `/api/2fa/*`.

use super::AppError;
use super::session::TotpEnrolment;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the profile page shows of the user's second factors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoStepStatus {
    pub totp: bool,
    pub backup_codes_left: Option<usize>,
}

#[cfg(feature = "ssr")]
async fn me() -> Result<std::sync::Arc<crate::backend::sessions::SessionView>, AppError> {
    use super::ssr::*;
    let c = cookie().ok_or_else(|| AppError::new(401, "Please sign in"))?;
    Ok(crate::backend::sessions::from_cookie(&*svc()?, &c).await?)
}

/// Changes the password; the user's other sessions end, this one stays.
#[server(prefix = "/_sfn", endpoint = "change_password")]
pub async fn change_password(current: String, password: String, confirm: String) -> Result<(), AppError> {
    use super::ssr::*;
    same_origin()?;
    if password != confirm {
        return Err(AppError::new(400, "The two passwords differ"));
    }
    let p = principal().await?;
    crate::backend::auth::change_password(&*svc()?, &p, &current, &password).await?;
    Ok(())
}

/// The user's second factors.
#[server(prefix = "/_sfn", endpoint = "my_two_step")]
pub async fn my_two_step() -> Result<TwoStepStatus, AppError> {
    use crate::model::mfa::TwoFaAccountConfig;
    let v = me().await?;
    let s = crate::backend::mfa::account_settings(&*super::ssr::svc()?, &v).await?;
    let backup_codes_left = match s.configs.get("BACKUP_CODE") {
        Some(TwoFaAccountConfig::BackupCode { codes_left, .. }) => *codes_left,
        _ => None,
    };
    Ok(TwoStepStatus { totp: s.configs.contains_key("TOTP"), backup_codes_left })
}

/// A new authenticator secret to scan; confirmed by `confirm_totp`.
#[server(prefix = "/_sfn", endpoint = "start_totp")]
pub async fn start_totp() -> Result<TotpEnrolment, AppError> {
    super::ssr::same_origin()?;
    TotpEnrolment::start(&*me().await?).await
}

/// Confirms the authenticator with a current code.
#[server(prefix = "/_sfn", endpoint = "confirm_totp")]
pub async fn confirm_totp(auth_url: String, code: String) -> Result<(), AppError> {
    use crate::model::mfa::TwoFaAccountConfig;
    super::ssr::same_origin()?;
    let v = me().await?;
    let config = TwoFaAccountConfig::Totp { use_by_default: true, auth_url, qr_code_svg: None };
    crate::backend::mfa::verify_and_save(&*super::ssr::svc()?, &v, config, Some(&code)).await?;
    Ok(())
}

/// Turns two-step verification off (the backup codes go with it).
#[server(prefix = "/_sfn", endpoint = "disable_totp")]
pub async fn disable_totp() -> Result<(), AppError> {
    use crate::model::mfa::TwoFaProviderType;
    super::ssr::same_origin()?;
    let v = me().await?;
    crate::backend::mfa::delete(&*super::ssr::svc()?, &v, TwoFaProviderType::Totp).await?;
    Ok(())
}

/// A fresh set of backup codes, shown once; the previous set stops working.
#[server(prefix = "/_sfn", endpoint = "new_backup_codes")]
pub async fn new_backup_codes() -> Result<Vec<String>, AppError> {
    use crate::model::mfa::{TwoFaAccountConfig, TwoFaProviderType};
    super::ssr::same_origin()?;
    let v = me().await?;
    let svc = super::ssr::svc()?;
    let generated = crate::backend::mfa::generate(&svc, &v, TwoFaProviderType::BackupCode).await?;
    let codes = match &generated {
        TwoFaAccountConfig::BackupCode { codes, .. } => codes.clone().unwrap_or_default(),
        TwoFaAccountConfig::Totp { .. } => Vec::new(),
    };
    crate::backend::mfa::verify_and_save(&svc, &v, generated, None).await?;
    Ok(codes)
}
