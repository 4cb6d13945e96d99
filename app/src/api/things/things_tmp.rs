//! Devices, assets, dashboards and edges for the console — one set of server functions for the four kinds, as
//! `backend::things` is one service for them: the "All" list and group tabs, one thing with its owner and groups,
//! create / edit / delete, "Manage owner and groups", and a device's access token (view, regenerate). Every call
//! goes to the backend services, which ask `authz`.

// A server function takes a form's fields as its arguments.
#![allow(clippy::too_many_arguments)]

use crate::api::AppError;
use crate::model::PageData;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A thing as the console shows it: flat strings, whatever its kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThingView {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub thing_type: String,
    pub label: String,
    pub created_time: i64,
    pub owner_id: String,
    pub owner_name: String,
    /// The groups it is in as (id, name), "All" included.
    pub groups: Vec<(String, String)>,
}

/// A device's access token, with the version a regeneration must name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    pub token: String,
    pub version: i64,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::api::things::things_tmp::AppError;
    use crate::api::things::things_tmp::ThingView;
    use crate::backend::kernel::principal::Principal;
    use crate::backend::services::Services;
    use crate::backend::things;
    use crate::backend::things::kind::Kind;
    use crate::backend::things::rows::Thing;
    use crate::model::PageData;

    pub fn kind(s: &str) -> Result<Kind, AppError> {
        Kind::parse(s.trim()).ok_or_else(|| AppError::new(400, format!("Unknown entity type {s}")))
    }

    pub async fn views(svc: &Services, page: PageData<Thing>) -> Result<PageData<ThingView>, AppError> {
        let extra = things::decorate(svc, &page.data).await?;
        let data = page
            .data
            .into_iter()
            .zip(extra)
            .map(|(t, (owner_name, groups))| ThingView {
                id: t.id.to_string(),
                version: t.version,
                name: t.name,
                thing_type: t.thing_type,
                label: t.label.unwrap_or_default(),
                created_time: t.created_time,
                owner_id: t.owner.to_string(),
                owner_name,
                groups: groups.into_iter().map(|g| (g.id.id.to_string(), g.name)).collect(),
            })
            .collect();
        Ok(PageData {
            data,
            total_pages: page.total_pages,
            total_elements: page.total_elements,
            has_next: page.has_next,
        })
    }

    pub async fn one(svc: &Services, t: Thing) -> Result<ThingView, AppError> {
        let page = PageData { data: vec![t], total_pages: 1, total_elements: 1, has_next: false };
        views(svc, page).await?.data.pop().ok_or_else(|| AppError::new(500, "thing vanished"))
    }

    pub async fn checked(
        svc: &Services,
        p: &Principal,
        kind: Kind,
        id: &str,
        op: crate::model::permissions::Operation,
    ) -> Result<Thing, AppError> {
        let id = crate::api::ssr::parse_id(id, &kind.label().to_lowercase())?;
        Ok(things::get_checked(svc, p, kind, id, op).await?)
    }
}

/// One page of things of `kind` (`DEVICE`, `ASSET`, `DASHBOARD`, `EDGE`): everything the caller may read when
/// `group` is empty, else one group's members.
#[server(prefix = "/_sfn", endpoint = "things")]
pub async fn list_things(
    kind: String,
    page: i64,
    search: String,
    sort: String,
    desc: bool,
    group: String,
    owner: Option<String>,
) -> Result<PageData<ThingView>, AppError> {
    use crate::api::ssr::*;
    use crate::backend::things;
    use crate::backend::things::Scope;
    let p = principal().await?;
    let svc = svc()?;
    let kind = ssr::kind(&kind)?;
    let sort = if kind == crate::backend::things::kind::Kind::Dashboard && sort == "name" {
        "title".to_string()
    } else {
        sort
    };
    let link = page_link(page, search, sort, desc)?;
    let scope = match (opt(group), owner.and_then(opt)) {
        (Some(g), _) => {
            let id = crate::model::EntityGroupId(parse_id(&g, "entity group")?);
            Scope::Group(crate::api::groups::entity_groups::checked_group(&svc, &p, id, kind.group_type()).await?)
        }
        (None, Some(o)) => Scope::Owner { owner: parse_id(&o, "owner")?, subtree: false },
        (None, None) => Scope::Tenant,
    };
    let rows = things::list(&svc, &p, kind, scope, None, &link).await?;
    ssr::views(&svc, rows).await
}

/// One thing with its owner and groups.
#[server(prefix = "/_sfn", endpoint = "thing")]
pub async fn get_thing(kind: String, id: String) -> Result<ThingView, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let svc = svc()?;
    let t = ssr::checked(&svc, &p, ssr::kind(&kind)?, &id, crate::model::permissions::Operation::Read).await?;
    ssr::one(&svc, t).await
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
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let kind = ssr::kind(&kind)?;
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
            let current = ssr::checked(&svc, &p, kind, &id, crate::model::permissions::Operation::Read).await?;
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
            let id = match kind {
                Kind::Device => {
                    let d = crate::model::Device {
                        name: Some(name),
                        device_type: opt(thing_type),
                        label: opt(label),
                        customer_id,
                        ..Default::default()
                    };
                    things::devices::save(&svc, &p, &d, None, &opts).await?.id.map(|i| i.0)
                }
                Kind::Edge => {
                    let e = crate::model::Edge {
                        name: Some(name),
                        edge_type: opt(thing_type),
                        label: opt(label),
                        customer_id,
                        ..Default::default()
                    };
                    things::edges::save(&svc, &p, &e, &opts).await?.id.map(|i| i.0)
                }
                Kind::Asset | Kind::Dashboard => {
                    let d = Draft {
                        name: Some(name),
                        thing_type: if kind == Kind::Dashboard { Some("dashboard".into()) } else { opt(thing_type) },
                        label: opt(label),
                        customer_id: customer_id.map(|c| c.0),
                        ..Default::default()
                    };
                    Some(things::save(&svc, &p, kind, &d, &opts).await?.id)
                }
            };
            let id = id.ok_or_else(|| AppError::new(500, "saved without id"))?;
            ssr::checked(&svc, &p, kind, &id.to_string(), crate::model::permissions::Operation::Read).await?
        }
    };
    ssr::one(&svc, saved).await
}

/// Deletes a thing.
#[server(prefix = "/_sfn", endpoint = "delete_thing")]
pub async fn delete_thing(kind: String, id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let kind = ssr::kind(&kind)?;
    let id = parse_id(&id, &kind.label().to_lowercase())?;
    Ok(crate::backend::things::delete(&*svc()?, &p, kind, id).await?)
}

/// The owners a thing can move to: the caller's own owner first, then every customer it may read (at most 200).
#[server(prefix = "/_sfn", endpoint = "owner_choices")]
pub async fn owner_choices() -> Result<Vec<crate::api::views::Choice>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let svc = svc()?;
    let own = p.owner().ok_or_else(|| AppError::new(403, "Owners belong to a tenant"))?;
    let name = crate::backend::owners::infos::owners_and_groups(&svc, &[(own, own)]).await?.pop().unwrap_or_default().0;
    let mut out = vec![crate::api::views::Choice { id: own.to_string(), name }];
    out.extend(customer_choices(&svc, &p).await?);
    Ok(out)
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
    let kind = ssr::kind(&kind)?;
    let thing = parse_id(&id, &kind.label().to_lowercase())?;
    let owner = parse_id(&owner, "owner")?;
    let tenant = p.tenant_id.ok_or_else(|| AppError::new(403, "Owners belong to a tenant"))?.0;
    let target = if owner == tenant { NewOwner::Tenant(owner) } else { NewOwner::Customer(owner) };
    let groups = parse_ids(groups, "entity group")?;
    let new_group = opt(new_group);
    change_owner(&svc, &p, target, kind.entity_type().as_str(), thing, &groups, new_group.as_deref()).await?;
    let t = ssr::checked(&svc, &p, kind, &id, crate::model::permissions::Operation::Read).await?;
    ssr::one(&svc, t).await
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

/// Dashboards the caller may read (at most 200, by title): the choices for a user's default dashboard.
#[server(prefix = "/_sfn", endpoint = "dashboard_choices")]
pub async fn dashboard_choices() -> Result<Vec<crate::api::views::Choice>, AppError> {
    use crate::api::ssr::*;
    use crate::backend::things;
    use crate::backend::things::Scope;
    use crate::backend::things::kind::Kind;
    let p = principal().await?;
    let mut link = page_link(0, String::new(), "title".into(), false)?;
    link.page_size = 200;
    let page = things::list(&*svc()?, &p, Kind::Dashboard, Scope::Tenant, None, &link).await?;
    Ok(page.data.into_iter().map(|t| crate::api::views::Choice { id: t.id.to_string(), name: t.name }).collect())
}
