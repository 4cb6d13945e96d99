//! The signed-in user's own account in the console: password and second factors. Each call acts on the session's
//! own user through the same services as `/api/auth/changePassword` and `/api/2fa/*`.

use crate::api::AppError;
use crate::api::identity::session::TotpEnrolment;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the profile page shows of the user's second factors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoStepStatus {
    pub totp: bool,
    pub backup_codes_left: Option<usize>,
}

#[cfg(feature = "ssr")]
async fn me() -> Result<std::sync::Arc<crate::backend::identity::session_cache::SessionView>, AppError> {
    use crate::api::ssr::*;
    let c = cookie().ok_or_else(|| AppError::new(401, "Please sign in"))?;
    Ok(crate::backend::identity::sessions::from_cookie(&*svc()?, &c).await?)
}

/// Changes the password; the user's other sessions (and every token issued before) end, this one stays.
#[server(prefix = "/_sfn", endpoint = "change_password")]
pub async fn change_password(current: String, password: String, confirm: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    if password != confirm {
        return Err(AppError::new(400, "The two passwords differ"));
    }
    let p = principal().await?;
    crate::backend::identity::sign_in::change_password(&*svc()?, &p, &current, &password).await?;
    Ok(())
}

/// The user's second factors.
#[server(prefix = "/_sfn", endpoint = "my_two_step")]
pub async fn my_two_step() -> Result<TwoStepStatus, AppError> {
    use crate::model::mfa::TwoFaAccountConfig;
    let v = me().await?;
    let s = crate::backend::identity::mfa::enrolment::account_settings(&*crate::api::ssr::svc()?, &v).await?;
    let backup_codes_left = match s.configs.get("BACKUP_CODE") {
        Some(TwoFaAccountConfig::BackupCode { codes_left, .. }) => *codes_left,
        _ => None,
    };
    Ok(TwoStepStatus { totp: s.configs.contains_key("TOTP"), backup_codes_left })
}

/// A new authenticator secret to scan; confirmed by `confirm_totp`.
#[server(prefix = "/_sfn", endpoint = "start_totp")]
pub async fn start_totp() -> Result<TotpEnrolment, AppError> {
    crate::api::ssr::same_origin()?;
    TotpEnrolment::start(&*me().await?).await
}

/// Confirms the authenticator with a current code.
#[server(prefix = "/_sfn", endpoint = "confirm_totp")]
pub async fn confirm_totp(auth_url: String, code: String) -> Result<(), AppError> {
    use crate::model::mfa::TwoFaAccountConfig;
    crate::api::ssr::same_origin()?;
    let v = me().await?;
    let config = TwoFaAccountConfig::Totp { use_by_default: true, auth_url, qr_code_svg: None };
    crate::backend::identity::mfa::enrolment::verify_and_save(&*crate::api::ssr::svc()?, &v, config, Some(&code))
        .await?;
    Ok(())
}

/// Turns two-step verification off (the backup codes go with it).
#[server(prefix = "/_sfn", endpoint = "disable_totp")]
pub async fn disable_totp() -> Result<(), AppError> {
    use crate::model::mfa::TwoFaProviderType;
    crate::api::ssr::same_origin()?;
    let v = me().await?;
    crate::backend::identity::mfa::enrolment::delete(&*crate::api::ssr::svc()?, &v, TwoFaProviderType::Totp).await?;
    Ok(())
}

/// A fresh set of backup codes, shown once; the previous set stops working.
#[server(prefix = "/_sfn", endpoint = "new_backup_codes")]
pub async fn new_backup_codes() -> Result<Vec<String>, AppError> {
    use crate::model::mfa::TwoFaAccountConfig;
    use crate::model::mfa::TwoFaProviderType;
    crate::api::ssr::same_origin()?;
    let v = me().await?;
    let svc = crate::api::ssr::svc()?;
    let generated = crate::backend::identity::mfa::enrolment::generate(&svc, &v, TwoFaProviderType::BackupCode).await?;
    let codes = match &generated {
        TwoFaAccountConfig::BackupCode { codes, .. } => codes.clone().unwrap_or_default(),
        TwoFaAccountConfig::Totp { .. } => Vec::new(),
    };
    crate::backend::identity::mfa::enrolment::verify_and_save(&svc, &v, generated, None).await?;
    Ok(codes)
}

/// One of the user's live sessions on the profile page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: String,
    /// "Browser" or "API (token pair)".
    pub kind: String,
    pub created_time: i64,
    pub expires_at: i64,
    /// The session the page is shown in.
    pub current: bool,
    /// Set when an administrator acts through it ("Log in as user").
    pub impersonated_by: Option<String>,
}

/// The signed-in user's live sessions, this one marked.
#[server(prefix = "/_sfn", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionRow>, AppError> {
    use crate::api::ssr::*;

    use crate::backend::identity::sessions::SessionKind;
    let p = principal().await?;
    let rows = crate::backend::identity::live_sessions::live(&*svc()?, p.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionRow {
            id: s.id.to_string(),
            kind: match s.kind {
                SessionKind::Browser => "Browser".into(),
                SessionKind::Api => "API (token pair)".into(),
            },
            created_time: s.created_time,
            expires_at: s.expires_at,
            current: s.id == p.session_id,
            impersonated_by: s.impersonated_by,
        })
        .collect())
}

/// Ends one of the user's sessions, or with `id` = `others` every one but this.
#[server(prefix = "/_sfn", endpoint = "end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use crate::backend::identity::sessions;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    if id == "others" {
        p.require_own_session()?;
        sessions::revoke_others(&svc, p.user_id, Some(p.session_id)).await?;
    } else {
        crate::backend::identity::live_sessions::end_own(&svc, &p, parse_id(&id, "session")?).await?;
    }
    Ok(())
}
