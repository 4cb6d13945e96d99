// A server function takes a form's fields as its arguments.
#![allow(clippy::too_many_arguments)]
//! One thing in the console: read, create, edit, delete, "Manage owner and groups", and a device's access token
//! (view, regenerate).

use crate::api::AppError;
use crate::api::views::ThingView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A device's access token, with the version a regeneration must name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    pub token: String,
    pub version: i64,
}

/// One thing with its owner and groups.
#[server(prefix = "/_sfn", endpoint = "thing")]
pub async fn get_thing(kind: String, id: String) -> Result<ThingView, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let svc = svc()?;
    let t = crate::api::things::ssr::checked(
        &svc,
        &p,
        crate::api::things::ssr::kind(&kind)?,
        &id,
        crate::model::permissions::Operation::Read,
    )
    .await?;
    crate::api::things::ssr::one(&svc, t).await
}

/// Creates (empty `id`, into `group` if given) or edits a thing's name, type and label; everything else it has
/// (dashboard layout, edge keys, device data) stays as it is.
#[server(prefix = "/_sfn", endpoint = "save_thing")]
pub async fn save_thing(
    kind: String,
    id: String,
    version: String,
    name: String,
    thing_type: String,
    label: String,
    group: String,
    owner: Option<String>,
) -> Result<ThingView, AppError> {
    use crate::api::ssr::*;
    use crate::backend::groups::naming::NameConflict;
    use crate::backend::groups::naming::SaveOptions;
    use crate::backend::things;
    use crate::backend::things::Draft;
    use crate::backend::things::kind::Kind;
    use crate::backend::things::wire;
    use crate::backend::things::wire::SaveExtras;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let kind = crate::api::things::ssr::kind(&kind)?;
    let groups = opt(group).map(|g| parse_id(&g, "entity group")).transpose()?;
    // A new thing belongs to the caller's owner, or to the customer whose list it was added from.
    let customer_id = match owner.and_then(opt) {
        Some(o) => {
            Some(crate::model::CustomerId(parse_id(&o, "owner")?)).filter(|c| Some(c.0) != p.tenant_id.map(|t| t.0))
        }
        None => None,
    };
    let saved = match opt(id) {
        Some(id) => {
            if groups.is_some() {
                return Err(AppError::new(400, "Groups change through “Manage owner and groups”"));
            }
            let current =
                crate::api::things::ssr::checked(&svc, &p, kind, &id, crate::model::permissions::Operation::Read)
                    .await?;
            let mut d = Draft::of(&current);
            d.name = Some(name);
            if kind != Kind::Dashboard {
                d.thing_type = opt(thing_type);
            }
            d.label = opt(label);
            d.version = Some(version.trim().parse().map_err(|_| AppError::new(400, "Reload the page and save again"))?);
            things::update(&svc, &p, kind, &d).await?
        }
        None => {
            let opts =
                SaveOptions { entity_group_ids: groups.into_iter().collect(), name_conflict: NameConflict::Fail };
            let d = Draft {
                name: Some(name),
                thing_type: if kind == Kind::Dashboard { Some("dashboard".into()) } else { opt(thing_type) },
                label: opt(label),
                customer_id: customer_id.map(|c| c.0),
                ..Default::default()
            };
            let saved = wire::save_draft(&svc, &p, kind, d, &opts, SaveExtras::default()).await?;
            // Read back through the caller's READ: what it may see of what it made.
            crate::api::things::ssr::checked(
                &svc,
                &p,
                kind,
                &saved.id.to_string(),
                crate::model::permissions::Operation::Read,
            )
            .await?
        }
    };
    crate::api::things::ssr::one(&svc, saved).await
}

/// Deletes a thing.
#[server(prefix = "/_sfn", endpoint = "delete_thing")]
pub async fn delete_thing(kind: String, id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let kind = crate::api::things::ssr::kind(&kind)?;
    let id = parse_id(&id, &kind.label().to_lowercase())?;
    Ok(crate::backend::things::delete(&*svc()?, &p, kind, id).await?)
}

/// "Manage owner and groups": moves a thing to `owner` (it leaves its groups and joins the new owner's "All")
/// and into the new owner's `groups`, and into a group `new_group` created for it if named — all or nothing.
#[server(prefix = "/_sfn", endpoint = "change_thing_owner")]
pub async fn change_thing_owner(
    kind: String,
    id: String,
    owner: String,
    #[server(default)] groups: Vec<String>,
    #[server(default)] new_group: String,
) -> Result<ThingView, AppError> {
    use crate::api::ssr::*;
    use crate::backend::owners::owner_change::NewOwner;
    use crate::backend::owners::owner_change::change_owner;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let kind = crate::api::things::ssr::kind(&kind)?;
    let thing = parse_id(&id, &kind.label().to_lowercase())?;
    let owner = parse_id(&owner, "owner")?;
    let tenant = p.tenant_id.ok_or_else(|| AppError::new(403, "Owners belong to a tenant"))?.0;
    let target = if owner == tenant { NewOwner::Tenant(owner) } else { NewOwner::Customer(owner) };
    let groups = parse_ids(groups, "entity group")?;
    let new_group = opt(new_group);
    change_owner(&svc, &p, target, kind.entity_type().as_str(), thing, &groups, new_group.as_deref()).await?;
    let t = crate::api::things::ssr::checked(&svc, &p, kind, &id, crate::model::permissions::Operation::Read).await?;
    crate::api::things::ssr::one(&svc, t).await
}

/// A device's access token (READ_CREDENTIALS).
#[server(prefix = "/_sfn", endpoint = "device_token")]
pub async fn device_token(id: String) -> Result<TokenView, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let c = crate::backend::things::devices::credentials(&*svc()?, &p, parse_id(&id, "device")?).await?;
    Ok(TokenView { token: c.credentials_id.unwrap_or_default(), version: c.version.unwrap_or(0) })
}

/// Replaces a device's access token with a new random one (WRITE_CREDENTIALS); the device must use the new one.
#[server(prefix = "/_sfn", endpoint = "regenerate_token")]
pub async fn regenerate_token(id: String, version: String) -> Result<TokenView, AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let c = crate::model::DeviceCredentials {
        id: None,
        created_time: None,
        device_id: Some(crate::model::DeviceId(parse_id(&id, "device")?)),
        credentials_type: Some("ACCESS_TOKEN".into()),
        credentials_id: Some(crate::backend::kernel::tokens::new_alphanumeric(20)),
        credentials_value: None,
        version: Some(version.trim().parse().map_err(|_| AppError::new(400, "Reload the page and try again"))?),
    };
    let c = crate::backend::things::devices::update_credentials(&*svc()?, &p, &c).await?;
    Ok(TokenView { token: c.credentials_id.unwrap_or_default(), version: c.version.unwrap_or(0) })
}
