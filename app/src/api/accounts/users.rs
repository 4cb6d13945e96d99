//! Users for tenant and customer administrators: the list of every user the caller may read, enable / disable,
//! delete. "Log in as user" is `session::log_in_as`. Every call goes to the user services, which ask `authz`.

// A server function takes a form's fields as its arguments.
#![allow(clippy::too_many_arguments)]

use crate::api::AppError;
use crate::model::PageData;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A user as the console lists it (flat, so the browser decodes little).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub owner_name: String,
    /// Names of its user groups, "All" first.
    pub groups: Vec<String>,
    pub enabled: bool,
    /// Has set a password (followed its activation link).
    pub activated: bool,
    /// A customer's user: the kind a tenant administrator may view the console as.
    pub customer_user: bool,
    pub created_time: i64,
}

/// A stored user with its owner's name and its groups, as the console lists it.
#[cfg(feature = "ssr")]
fn view_of(
    u: crate::backend::accounts::records::UserRecord,
    owner_name: String,
    groups: Vec<crate::model::EntityInfo>,
) -> UserView {
    UserView {
        id: u.id.0.to_string(),
        name: [u.first_name.as_deref(), u.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" "),
        email: u.email,
        owner_name,
        groups: groups.into_iter().map(|g| g.name).collect(),
        enabled: u.enabled,
        activated: u.password_hash.is_some(),
        customer_user: u.authority == crate::model::Authority::CustomerUser,
        created_time: u.created_time,
    }
}

/// One page of the users the caller may read, searched by email or name: all of them, one owner's (`owner`) or
/// one user group's members (`group`, which the caller must be allowed to read).
#[server(prefix = "/_sfn", endpoint = "users")]
pub async fn list_users(
    page: i64,
    search: String,
    sort: String,
    desc: bool,
    group: Option<String>,
    owner: Option<String>,
) -> Result<PageData<UserView>, AppError> {
    use crate::api::ssr::*;
    use crate::backend::accounts::lists;
    use crate::backend::accounts::lists::UserScope;
    let p = principal().await?;
    let svc = svc()?;
    let scope = match (group.and_then(opt), owner.and_then(opt)) {
        (Some(g), _) => {
            let id = crate::model::EntityGroupId(parse_id(&g, "user group")?);
            UserScope::Group(
                crate::api::groups::entity_groups::checked_group(
                    &svc,
                    &p,
                    id,
                    crate::backend::groups::group_type::GroupType::User,
                )
                .await?,
            )
        }
        (None, Some(o)) => UserScope::Owner(parse_id(&o, "owner")?),
        (None, None) => UserScope::Visible,
    };
    let rows = lists::list(&svc, &p, scope, &page_link(page, search, sort, desc)?).await?;
    Ok(crate::backend::owners::infos::decorated(&svc, rows, lists::info_key, view_of).await?)
}

/// Lets a user sign in again, or stops it (its sessions end at once).
#[server(prefix = "/_sfn", endpoint = "set_user_enabled")]
pub async fn set_user_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::UserId(parse_id(&id, "user")?);
    crate::backend::accounts::lifecycle::set_enabled(&*svc()?, &p, id, enabled).await?;
    Ok(())
}

/// Deletes a user: it leaves every group and its sessions end; what it created stays.
#[server(prefix = "/_sfn", endpoint = "delete_user")]
pub async fn delete_user(id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::UserId(parse_id(&id, "user")?);
    crate::backend::accounts::lifecycle::delete(&*svc()?, &p, id).await?;
    Ok(())
}

/// A user just created: its id and, when the administrator chose to hand it over, its activation link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub activation_link: String,
}

/// Adds a user: a tenant administrator when `owner` is the caller's tenant, else a customer user of that
/// customer, in the user groups `groups` of that owner (besides its "All"), landing on `dashboard` (full screen when `fullscreen` is
/// `true`). `activation` is `link` (answer the link to hand over) or `mail` (mail it).
#[server(prefix = "/_sfn", endpoint = "create_user")]
pub async fn create_user(
    owner: String,
    #[server(default)] groups: Vec<String>,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    activation: String,
    dashboard: String,
    fullscreen: Option<String>,
) -> Result<NewUser, AppError> {
    use crate::api::ssr::*;
    use crate::model::Authority;
    use crate::model::CustomerId;
    use crate::model::TenantId;
    use crate::model::User;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let tenant = p.tenant_id.ok_or_else(|| AppError::new(403, "Users belong to a tenant"))?;
    let owner = parse_id(&owner, "owner")?;
    let send = match activation.as_str() {
        "link" => false,
        "mail" => true,
        _ => return Err(AppError::new(400, "Activation must be link or mail")),
    };
    let groups = parse_ids(groups, "user group")?;
    let mut info = serde_json::Map::new();
    if let Some(d) = opt(dashboard) {
        info.insert("defaultDashboardId".into(), serde_json::Value::String(parse_id(&d, "dashboard")?.to_string()));
        let full = fullscreen.as_deref().is_some_and(|f| f == "true" || f == "on");
        info.insert("defaultDashboardFullscreen".into(), serde_json::Value::Bool(full));
    }
    let (authority, customer_id) = if owner == tenant.0 {
        (Authority::TenantAdmin, None)
    } else {
        (Authority::CustomerUser, Some(CustomerId(owner)))
    };
    let u = User {
        id: None,
        created_time: None,
        name: None,
        version: None,
        tenant_id: Some(TenantId(tenant.0)),
        customer_id,
        email: Some(email),
        authority: Some(authority),
        first_name: opt(first_name),
        last_name: opt(last_name),
        phone: opt(phone),
        additional_info: (!info.is_empty()).then_some(serde_json::Value::Object(info)),
    };
    let created = crate::backend::accounts::users::save(&svc, &p, &u, send, &groups).await?;
    let activation_link = if send {
        String::new()
    } else {
        crate::backend::identity::activation::link(&svc, &p, created.id).await?.value
    };
    Ok(NewUser { id: created.id.0.to_string(), email: created.email, activation_link })
}

/// One user as its page shows and edits it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserView,
    pub version: i64,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub owner_id: String,
    /// Ids of the user groups it is in ("All" included).
    pub group_ids: Vec<String>,
    pub dashboard: String,
    pub fullscreen: bool,
}

#[cfg(feature = "ssr")]
async fn detail(
    svc: &crate::backend::services::Services,
    p: &crate::backend::kernel::principal::Principal,
    id: crate::model::UserId,
) -> Result<UserDetail, AppError> {
    let mut list = vec![crate::backend::accounts::users::get(svc, p, id).await?];
    crate::backend::accounts::users::drop_dangling_dashboards(svc, &mut list).await?;
    let u = list.pop().ok_or_else(|| AppError::new(404, "User not found"))?;
    let owner = u.owner();
    let (owner_name, groups) =
        crate::backend::owners::infos::owners_and_groups(svc, &[(u.id.0, owner)]).await?.pop().unwrap_or_default();
    let info = u.additional_info.clone().unwrap_or_default();
    Ok(UserDetail {
        version: u.version,
        first_name: u.first_name.clone().unwrap_or_default(),
        last_name: u.last_name.clone().unwrap_or_default(),
        phone: u.phone.clone().unwrap_or_default(),
        owner_id: owner.to_string(),
        group_ids: groups.iter().map(|g| g.id.id.to_string()).collect(),
        dashboard: info.get("defaultDashboardId").and_then(serde_json::Value::as_str).unwrap_or_default().to_string(),
        fullscreen: info.get("defaultDashboardFullscreen").and_then(serde_json::Value::as_bool).unwrap_or(false),
        user: view_of(u, owner_name, groups),
    })
}

/// One user with its owner, groups and default dashboard.
#[server(prefix = "/_sfn", endpoint = "user")]
pub async fn get_user(id: String) -> Result<UserDetail, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    detail(&*svc()?, &p, crate::model::UserId(parse_id(&id, "user")?)).await
}

/// Saves a user's names, phone and default dashboard ("Always fullscreen" when `fullscreen` is `true`); the rest
/// of its additional info stays. `version` guards against overwriting someone else's change.
#[server(prefix = "/_sfn", endpoint = "save_user")]
pub async fn save_user(
    id: String,
    version: String,
    first_name: String,
    last_name: String,
    phone: String,
    dashboard: String,
    fullscreen: Option<String>,
) -> Result<UserDetail, AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let id = crate::model::UserId(parse_id(&id, "user")?);
    let current = crate::backend::accounts::users::get(&svc, &p, id).await?;
    let version = version.trim().parse::<i64>().map_err(|_| AppError::new(400, "Invalid version"))?;
    let mut info = match current.additional_info.clone() {
        Some(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    match opt(dashboard) {
        Some(d) => {
            info.insert("defaultDashboardId".into(), parse_id(&d, "dashboard")?.to_string().into());
            let full = fullscreen.as_deref().is_some_and(|f| f == "true" || f == "on");
            info.insert("defaultDashboardFullscreen".into(), full.into());
        }
        None => {
            info.remove("defaultDashboardId");
            info.remove("defaultDashboardFullscreen");
        }
    }
    let mut u = current.to_dto();
    u.first_name = opt(first_name);
    u.last_name = opt(last_name);
    u.phone = opt(phone);
    u.additional_info = Some(serde_json::Value::Object(info));
    u.version = Some(version);
    crate::backend::accounts::users::save(&svc, &p, &u, false, &[]).await?;
    detail(&svc, &p, id).await
}

/// Moves a user to another owner (the tenant, or a customer below the caller): it leaves every group and joins
/// the new owner's "All".
#[server(prefix = "/_sfn", endpoint = "change_user_owner")]
pub async fn change_user_owner(id: String, owner: String) -> Result<UserDetail, AppError> {
    use crate::api::ssr::*;
    use crate::backend::owners::owner_change::NewOwner;
    use crate::backend::owners::owner_change::change_owner;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let id = crate::model::UserId(parse_id(&id, "user")?);
    let owner = parse_id(&owner, "owner")?;
    let tenant = p.tenant_id.ok_or_else(|| AppError::new(403, "Users belong to a tenant"))?;
    let to = if owner == tenant.0 { NewOwner::Tenant(owner) } else { NewOwner::Customer(owner) };
    change_owner(&svc, &p, to, "USER", id.0, &[], None).await?;
    detail(&svc, &p, id).await
}
