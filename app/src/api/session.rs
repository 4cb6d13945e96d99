//! Signing in and out of the console, first password, first administrator.

use super::AppError;
use crate::model::{Authority, UserPasswordPolicy};
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
}

/// The caller, or `None` when not signed in.
#[server(prefix = "/_sfn", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use super::ssr::*;
    let Some(c) = cookie() else { return Ok(None) };
    match crate::backend::sessions::from_cookie(&*svc()?, &c).await {
        Ok(v) => Ok(Some(Me {
            email: v.user.email.clone(),
            first_name: v.user.first_name.clone(),
            last_name: v.user.last_name.clone(),
            authority: v.user.authority,
            tenant_id: v.user.tenant_id,
        })),
        Err(_) => Ok(None),
    }
}

/// Signs in with a browser session cookie, then goes to the console.
#[server(prefix = "/_sfn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use super::ssr::*;
    same_origin()?;
    let svc = svc()?;
    let s = crate::backend::auth::sign_in(
        &svc,
        &email,
        &password,
        client_ip(),
        crate::backend::sessions::SessionKind::Browser,
    )
    .await?;
    set_cookie(s.cookie.as_deref());
    leptos_axum::redirect("/");
    Ok(())
}

/// Ends the browser session.
#[server(prefix = "/_sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::ssr::*;
    same_origin()?;
    if let Ok(p) = principal().await {
        crate::backend::sessions::revoke(&*svc()?, p.session_id).await?;
    }
    set_cookie(None);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The password rules, for the set-password forms.
#[server(prefix = "/_sfn", endpoint = "password_policy")]
pub async fn password_policy() -> Result<UserPasswordPolicy, AppError> {
    Ok(crate::backend::passwords::policy(&*crate::api::ssr::svc()?).await?)
}

#[cfg(feature = "ssr")]
fn same_passwords(password: &str, confirm: &str) -> Result<(), AppError> {
    if password != confirm {
        return Err(AppError { status: 400, message: "The two passwords differ".into() });
    }
    Ok(())
}

/// Sets the first password from an activation link and signs the user in.
#[server(prefix = "/_sfn", endpoint = "activate")]
pub async fn activate_account(token: String, password: String, confirm: String) -> Result<(), AppError> {
    use super::ssr::*;
    same_origin()?;
    same_passwords(&password, &confirm)?;
    let svc = svc()?;
    svc.ip_limiter.check(client_ip())?;
    let user = crate::backend::activation::activate(&svc, &token, &password).await?;
    let (_, cookie) =
        crate::backend::sessions::open(&svc, &user, crate::backend::sessions::SessionKind::Browser).await?;
    set_cookie(cookie.as_deref());
    leptos_axum::redirect("/");
    Ok(())
}

/// Whether a first-start set-up link is still usable.
#[server(prefix = "/_sfn", endpoint = "setup_valid")]
pub async fn setup_link_valid(token: String) -> Result<bool, AppError> {
    use super::ssr::*;
    Ok(crate::backend::bootstrap::setup_token_valid(&*svc()?, &token).await?)
}

/// Creates the system administrator from the one-time set-up link.
#[server(prefix = "/_sfn", endpoint = "setup")]
pub async fn complete_setup(token: String, email: String, password: String, confirm: String) -> Result<(), AppError> {
    use super::ssr::*;
    same_origin()?;
    same_passwords(&password, &confirm)?;
    let svc = svc()?;
    svc.ip_limiter.check(client_ip())?;
    crate::backend::bootstrap::complete_setup(&svc, &token, &email, &password).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
