//! Signing in and out of the console, first password, first administrator.

use crate::api::AppError;
use crate::model::Authority;
use crate::model::UserPasswordPolicy;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user as the console needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub authority: Authority,
    pub tenant_id: Option<crate::model::TenantId>,
    /// Its owner (its customer, or the tenant for tenant administrators): things of this owner are "its own".
    pub owner_id: Option<String>,
    /// Set while an administrator views the console as this user: the administrator's email.
    pub impersonated_by: Option<String>,
    /// Which sections and buttons to offer.
    pub abilities: crate::model::permissions::Abilities,
}

/// The caller, or `None` when not signed in.
#[server(prefix = "/_sfn", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::api::ssr::*;
    let Some(c) = cookie() else { return Ok(None) };
    let svc = svc()?;
    let Ok(v) = crate::backend::identity::sessions::from_cookie(&svc, &c).await else { return Ok(None) };
    let impersonated_by = match v.principal.impersonated_by {
        Some(by) => {
            Some(crate::backend::accounts::records::find(&svc.db, by).await?.map(|u| u.email).unwrap_or_default())
        }
        None => None,
    };
    let abilities = crate::backend::authz::console::abilities(&svc, &v.principal).await?;
    Ok(Some(Me {
        email: v.user.email.clone(),
        first_name: v.user.first_name.clone(),
        last_name: v.user.last_name.clone(),
        authority: v.user.authority,
        tenant_id: v.user.tenant_id,
        owner_id: v.principal.owner().map(|o| o.to_string()),
        impersonated_by,
        abilities,
    }))
}

/// Signs in with a browser session cookie, then goes to the console.
#[server(prefix = "/_sfn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let svc = svc()?;
    let s = crate::backend::identity::sign_in::sign_in(
        &svc,
        &email,
        &password,
        client_ip(),
        crate::backend::identity::sessions::SessionKind::Browser,
    )
    .await?;
    set_cookie(s.cookie.as_deref());
    leptos_axum::redirect(after_password(s.stage));
    Ok(())
}

/// Where a console sign-in goes once the password is right.
#[cfg(feature = "ssr")]
fn after_password(stage: crate::backend::identity::sessions::Stage) -> &'static str {
    use crate::backend::identity::sessions::Stage;
    match stage {
        Stage::Full => "/",
        Stage::Verify => "/login/mfa",
        Stage::Configure => "/login/mfa/setup",
    }
}

/// Ends the browser session (a "viewing as" session ends too, and the administrator's own stays signed in).
#[server(prefix = "/_sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let svc = svc()?;
    if let Ok(p) = principal().await {
        crate::backend::identity::sign_in::logout(&svc, &p).await?;
    }
    if let Some(origin) = named_cookie(ORIGIN_COOKIE_NAME) {
        // Ending a "viewing as" session signs out the administrator too: sign-out means sign-out.
        if let Ok(v) = crate::backend::identity::sessions::from_cookie(&svc, &origin).await {
            crate::backend::identity::sessions::revoke(&svc, v.principal.session_id).await?;
        }
        set_named_cookie(ORIGIN_COOKIE_NAME, None);
    }
    set_cookie(None);
    leptos_axum::redirect("/login");
    Ok(())
}

/// A secret to enrol in an authenticator app, with its QR code (SVG).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub auth_url: String,
    pub qr_svg: String,
    /// The secret in base32, for typing into an app by hand.
    pub key: String,
}

#[cfg(feature = "ssr")]
impl TotpEnrolment {
    /// Generates a TOTP secret for the session's user (remembered until a code confirms it).
    pub(crate) async fn start(view: &crate::backend::identity::session_cache::SessionView) -> Result<Self, AppError> {
        use crate::model::mfa::TwoFaAccountConfig;
        use crate::model::mfa::TwoFaProviderType;
        match crate::backend::identity::mfa::enrolment::generate(
            &*crate::api::ssr::svc()?,
            view,
            TwoFaProviderType::Totp,
        )
        .await?
        {
            TwoFaAccountConfig::Totp { auth_url, qr_code_svg, .. } => Ok(TotpEnrolment {
                key: crate::backend::identity::mfa::secrets::secret_of(&auth_url).unwrap_or_default().to_string(),
                qr_svg: qr_code_svg.unwrap_or_default(),
                auth_url,
            }),
            TwoFaAccountConfig::BackupCode { .. } => Err(AppError::new(500, "unexpected factor")),
        }
    }
}

#[cfg(feature = "ssr")]
async fn pending(
    stage: crate::backend::identity::sessions::Stage,
) -> Result<crate::backend::identity::session_cache::SessionView, AppError> {
    use crate::api::ssr::*;
    let c = cookie().ok_or_else(|| AppError::new(401, "Please sign in"))?;
    let svc = svc()?;
    let view = crate::backend::identity::sessions::from_pending_cookie(&svc, &c, stage).await?;
    if stage == crate::backend::identity::sessions::Stage::Configure {
        crate::backend::identity::mfa::verification::guard_configure(&svc, &view).await?;
    }
    Ok(view)
}

/// Completes a console sign-in with a code from the authenticator app or a backup code.
#[server(prefix = "/_sfn", endpoint = "mfa_verify")]
pub async fn mfa_verify(code: String, provider: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use crate::model::mfa::TwoFaProviderType;
    same_origin()?;
    let view = pending(crate::backend::identity::sessions::Stage::Verify).await?;
    let t = TwoFaProviderType::parse(&provider)
        .ok_or_else(|| AppError::new(400, "Choose the authenticator app or a backup code"))?;
    let svc = svc()?;
    match crate::backend::identity::mfa::verification::check(
        &svc,
        &view,
        crate::backend::identity::sessions::SessionKind::Browser,
        t,
        &code,
    )
    .await
    {
        Ok(()) => {
            leptos_axum::redirect("/");
            Ok(())
        }
        Err(e @ crate::backend::kernel::error::ServiceError::Unauthenticated(_)) => {
            set_cookie(None);
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Starts the enrolment the settings enforce: a fresh secret for this sign-in.
#[server(prefix = "/_sfn", endpoint = "mfa_setup")]
pub async fn mfa_setup() -> Result<TotpEnrolment, AppError> {
    TotpEnrolment::start(&pending(crate::backend::identity::sessions::Stage::Configure).await?).await
}

/// Confirms the enrolment with a current code and completes the sign-in.
#[server(prefix = "/_sfn", endpoint = "mfa_enrol")]
pub async fn mfa_enrol(auth_url: String, code: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use crate::backend::identity::sessions::SessionKind;
    use crate::backend::identity::sessions::Stage;
    use crate::model::mfa::TwoFaAccountConfig;
    same_origin()?;
    let view = pending(Stage::Configure).await?;
    let svc = svc()?;
    let config = TwoFaAccountConfig::Totp { use_by_default: true, auth_url, qr_code_svg: None };
    crate::backend::identity::mfa::enrolment::verify_and_save(&svc, &view, config, Some(&code)).await?;
    crate::backend::identity::mfa::verification::complete(&svc, &view, SessionKind::Browser, None).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// "Log in as user": the console continues as `user_id`; the administrator's own session is kept aside for
/// the way back.
#[server(prefix = "/_sfn", endpoint = "log_in_as")]
pub async fn log_in_as(user_id: uuid::Uuid) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let svc = svc()?;
    let own = cookie().ok_or_else(|| AppError::new(401, "Please sign in"))?;
    let p = principal().await?;
    let kind = crate::backend::identity::sessions::SessionKind::Browser;
    let (_, _, c) =
        crate::backend::identity::impersonation::start(&svc, &p, crate::model::UserId(user_id), kind).await?;
    set_named_cookie(ORIGIN_COOKIE_NAME, Some(&own));
    set_cookie(c.as_deref());
    leptos_axum::redirect("/");
    Ok(())
}

/// The way back from "Log in as user": ends the session as the other user and resumes the administrator's.
#[server(prefix = "/_sfn", endpoint = "stop_viewing_as")]
pub async fn stop_viewing_as() -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let svc = svc()?;
    let p = principal().await?;
    if p.impersonated_by.is_none() {
        return Err(AppError::new(400, "You are not viewing the console as another user"));
    }
    crate::backend::identity::sign_in::logout(&svc, &p).await?;
    let origin = named_cookie(ORIGIN_COOKIE_NAME);
    set_named_cookie(ORIGIN_COOKIE_NAME, None);
    match origin {
        Some(o) if crate::backend::identity::sessions::from_cookie(&svc, &o).await.is_ok() => {
            set_cookie(Some(&o));
            leptos_axum::redirect("/");
        }
        _ => {
            set_cookie(None);
            leptos_axum::redirect("/login");
        }
    }
    Ok(())
}

/// The password rules, for the set-password forms.
#[server(prefix = "/_sfn", endpoint = "password_policy")]
pub async fn password_policy() -> Result<UserPasswordPolicy, AppError> {
    Ok(crate::backend::identity::passwords::policy(&*crate::api::ssr::svc()?).await?)
}

#[cfg(feature = "ssr")]
fn same_passwords(password: &str, confirm: &str) -> Result<(), AppError> {
    if password != confirm {
        return Err(AppError::new(400, "The two passwords differ"));
    }
    Ok(())
}

/// Sets the first password from an activation link and signs the user in.
#[server(prefix = "/_sfn", endpoint = "activate")]
pub async fn activate_account(token: String, password: String, confirm: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    same_passwords(&password, &confirm)?;
    let svc = svc()?;
    svc.ip_limiter.check(client_ip())?;
    let user = crate::backend::identity::activation::activate(&svc, &token, &password).await?;
    let kind = crate::backend::identity::sessions::SessionKind::Browser;
    let s = crate::backend::identity::sign_in::open_session(&svc, user, kind, Some(client_ip())).await?;
    set_cookie(s.cookie.as_deref());
    leptos_axum::redirect(after_password(s.stage));
    Ok(())
}

/// Whether a first-start set-up link is still usable.
#[server(prefix = "/_sfn", endpoint = "setup_valid")]
pub async fn setup_link_valid(token: String) -> Result<bool, AppError> {
    use crate::api::ssr::*;
    Ok(crate::backend::bootstrap::setup_token_valid(&*svc()?, &token).await?)
}

/// Creates the system administrator from the one-time set-up link.
#[server(prefix = "/_sfn", endpoint = "setup")]
pub async fn complete_setup(token: String, email: String, password: String, confirm: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    same_passwords(&password, &confirm)?;
    let svc = svc()?;
    svc.ip_limiter.check(client_ip())?;
    crate::backend::bootstrap::complete_setup(&svc, &token, &email, &password).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
