//! Entity groups as the console's tabs and sharing panel: the groups of one type the caller sees, new groups, and
//! for a group the caller owns its shares (read, write or Group roles to a customer's users), revoking them, and
//! making it public or private. Every call goes to `backend::groups` (`service`, `sharing`, `public`),
//! which asks `authz`.

use crate::api::AppError;
use crate::api::views::Choice;
use crate::api::views::GroupTab;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One share of a group: who received it (a user group and its owner) with which role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareView {
    pub id: String,
    pub user_group: String,
    pub owner_name: String,
    pub role: String,
    pub public: bool,
}

/// One group as its own page shows it: what it holds, whose it is, and what the caller may do with it there.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// Id, name, public id; `owned` when the caller's own owner owns it (only then can it be made public).
    pub tab: GroupTab,
    /// The entity type it holds, on the wire (`DEVICE`, `USER`…).
    pub kind: String,
    pub owner_name: String,
    /// The owner's id when it is one of the caller's sub-customers: the members' list needs it to show the
    /// owner's tabs. Empty for the caller's own groups and for groups shared with it.
    pub list_owner: String,
    /// Inside the caller's subtree (not only shared with it): roles and shares are managed from here.
    pub managed: bool,
    /// The caller may rename and share it (WRITE on the group).
    pub writable: bool,
    pub deletable: bool,
    /// For renaming without overwriting someone else's change.
    pub version: i64,
}

#[cfg(feature = "ssr")]
pub(crate) fn group_type(kind: &str) -> Result<crate::backend::groups::group_type::GroupType, AppError> {
    crate::backend::groups::group_type::GroupType::parse(kind.trim())
        .ok_or_else(|| AppError::new(400, format!("Unknown entity group type {kind}")))
}

#[cfg(feature = "ssr")]
fn tab_of(g: crate::model::EntityGroupInfo, own: Option<uuid::Uuid>) -> GroupTab {
    let public_id = g
        .additional_info
        .as_ref()
        .filter(|i| i.get("isPublic").and_then(serde_json::Value::as_bool) == Some(true))
        .and_then(|i| i.get("publicCustomerId").and_then(serde_json::Value::as_str))
        .unwrap_or_default()
        .to_string();
    let owned = own.is_some() && g.owner_id.map(|o| o.id) == own;
    let id = if g.group_all { String::new() } else { g.id.map(|i| i.to_string()).unwrap_or_default() };
    GroupTab { id, name: g.name.unwrap_or_default(), owned, public_id }
}

/// The groups of `kind` (`CUSTOMER`, `DEVICE`, …) the caller sees — its owner's own ("All" first) and those shared
/// with it — for a list's tabs and "add to group" choices. At most 200.
#[server(prefix = "/_sfn", endpoint = "group_tabs")]
pub async fn group_tabs(kind: String) -> Result<Vec<GroupTab>, AppError> {
    use crate::api::ssr::*;

    let p = principal().await?;
    let t = group_type(&kind)?;
    let mut link = page_link(0, String::new(), "name".into(), false)?;
    link.page_size = 200;
    let mut groups = crate::backend::groups::lists::list_by_type(&*svc()?, &p, t, true, &link).await?.data;
    groups.sort_by_key(|g| !g.group_all);
    let own = p.owner();
    Ok(groups.into_iter().map(|g| tab_of(g, own)).collect())
}

/// A group the caller may read, refused unless it holds `t`.
#[cfg(feature = "ssr")]
pub(crate) async fn checked_group(
    svc: &crate::backend::services::Services,
    p: &crate::backend::kernel::principal::Principal,
    id: crate::model::EntityGroupId,
    t: crate::backend::groups::group_type::GroupType,
) -> Result<crate::backend::authz::groups::ReadableGroup, AppError> {
    use crate::backend::groups::service;
    let (g, readable) = service::read(svc, p, id, None).await?;
    if g.group_type != t {
        return Err(AppError::new(
            400,
            format!("That group does not hold {}", crate::api::views::type_label(t.as_str()).to_lowercase()),
        ));
    }
    Ok(readable)
}

/// One group for its page: readable by the caller, with what the caller may do to it decided by `authz` (the
/// page shows only the forms the server would accept; each form's call is checked again).
#[server(prefix = "/_sfn", endpoint = "group_view")]
pub async fn group_view(id: String) -> Result<GroupSummary, AppError> {
    use crate::api::ssr::*;
    use crate::backend::authz::Decision;
    use crate::backend::authz::scopes;
    use crate::backend::groups::service;
    use crate::model::permissions::Operation;
    let p = principal().await?;
    let svc = svc()?;
    let id = crate::model::EntityGroupId(parse_id(&id, "entity group")?);
    let g = service::get_checked(&svc, &p, id, Operation::Read).await?;
    let allowed = |d: Decision| d == Decision::Allow;
    let writable = allowed(service::decide(&svc, &p, Operation::Write, &g).await?);
    let deletable = allowed(service::decide(&svc, &p, Operation::Delete, &g).await?);
    let managed = scopes::check_in_subtree(&svc, &p, g.owner).await.is_ok();
    let own = p.owner() == Some(g.owner);
    let owner_name = crate::backend::owners::infos::owners_and_groups(&svc, &[(g.id, g.owner)])
        .await?
        .pop()
        .map(|(name, _)| name)
        .unwrap_or_default();
    let info = service::info(&svc, &g).await?;
    let mut tab = tab_of(info, p.owner());
    // "All" has an empty id as a tab; on its own page it is a group like any other.
    tab.id = g.id.to_string();
    Ok(GroupSummary {
        tab,
        kind: g.group_type.as_str().to_string(),
        owner_name,
        list_owner: if managed && !own { g.owner.to_string() } else { String::new() },
        managed,
        writable,
        deletable: deletable && g.name != "All",
        version: g.version,
    })
}

/// Renames a group; `version` is the one the page showed, so a change made meanwhile is not overwritten.
#[server(prefix = "/_sfn", endpoint = "rename_group")]
pub async fn rename_group(group: String, name: String, version: i64) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use crate::backend::groups::service;
    use crate::model::permissions::Operation;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let id = crate::model::EntityGroupId(parse_id(&group, "entity group")?);
    let g = service::get_checked(&svc, &p, id, Operation::Write).await?;
    let mut info = service::info(&svc, &g).await?;
    info.name = Some(name);
    info.version = Some(version);
    service::save(&svc, &p, &info).await?;
    Ok(())
}

/// Puts one entity of `kind` (`USER`, `DEVICE`, `ASSET`, `DASHBOARD`, `EDGE`…) into one of its owner's groups of
/// that kind, or takes it out (`add` false): the users page and every thing page use it.
#[server(prefix = "/_sfn", endpoint = "group_member")]
pub async fn group_member(kind: String, id: String, group: String, add: bool) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let t = group_type(&kind)?;
    let entity = parse_id(&id, "entity")?;
    let g = crate::model::EntityGroupId(parse_id(&group, "entity group")?);
    checked_group(&svc, &p, g, t).await?;
    Ok(crate::backend::groups::members::change_members(&svc, &p, g, &[entity], add).await?)
}

/// A new group of `kind` owned by the caller's owner, or by `owner` (a customer below it).
#[server(prefix = "/_sfn", endpoint = "create_group")]
pub async fn create_group(kind: String, name: String, owner: Option<String>) -> Result<GroupTab, AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let t = group_type(&kind)?;
    let owner = match owner.and_then(opt) {
        None => None,
        Some(o) => {
            Some(crate::model::EntityId { entity_type: crate::model::EntityType::Customer, id: parse_id(&o, "owner")? })
        }
    };
    let g = crate::model::EntityGroupInfo::to_create(t.as_str(), name, owner);
    Ok(tab_of(crate::backend::groups::service::save(&*svc()?, &p, &g).await?, p.owner()))
}

/// Deletes a group (not its members).
#[server(prefix = "/_sfn", endpoint = "delete_group")]
pub async fn delete_group(group: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::EntityGroupId(parse_id(&group, "entity group")?);
    Ok(crate::backend::groups::service::delete(&*svc()?, &p, id).await?)
}

/// Who a group is shared with, public access included.
#[server(prefix = "/_sfn", endpoint = "group_shares")]
pub async fn group_shares(group: String) -> Result<Vec<ShareView>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let id = crate::model::EntityGroupId(parse_id(&group, "entity group")?);
    let list = crate::backend::groups::permissions::list_for_group(&*svc()?, &p, id, false).await?;
    Ok(list
        .into_iter()
        .map(|i| ShareView {
            id: i.permission.id.map(|g| g.0.to_string()).unwrap_or_default(),
            user_group: i.user_group_name,
            owner_name: i.user_group_owner_name,
            role: i.role.name.unwrap_or_default(),
            public: i.permission.public.unwrap_or(false),
        })
        .collect())
}

/// The customers a group can be shared with: every customer the caller may read (at most 200, by title).
#[server(prefix = "/_sfn", endpoint = "share_targets")]
pub async fn share_targets() -> Result<Vec<Choice>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    customer_choices(&*svc()?, &p).await
}

/// Shares a group with a customer's users: all of them (`user_group` empty) or one of its user groups, read-only
/// (`access` = `read`), read-write (`write`) or with the Group roles in `roles` (`roles`).
#[server(prefix = "/_sfn", endpoint = "share_group")]
pub async fn share_group(
    group: String,
    customer: String,
    user_group: String,
    access: String,
    #[server(default)] roles: Vec<String>,
) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use crate::backend::groups::sharing::ShareGroupRequest;
    use crate::backend::groups::sharing::share;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::EntityGroupId(parse_id(&group, "entity group")?);
    let (read_else_write, role_ids) = match access.as_str() {
        "read" => (Some(true), None),
        "write" => (Some(false), None),
        "roles" if roles.is_empty() => return Err(AppError::new(400, "Choose at least one role to share with")),
        "roles" => {
            let ids = roles.iter().map(|r| parse_id(r, "role").map(crate::model::RoleId)).collect::<Result<_, _>>()?;
            (None, Some(ids))
        }
        _ => return Err(AppError::new(400, "Access must be read, write or roles")),
    };
    let req = match opt(user_group) {
        Some(ug) => ShareGroupRequest {
            owner_id: None,
            all_user_group: false,
            user_group_id: Some(crate::model::EntityGroupId(parse_id(&ug, "user group")?)),
            read_else_write,
            role_ids,
        },
        None => {
            let c = opt(customer).ok_or_else(|| AppError::new(400, "Choose a customer to share with"))?;
            ShareGroupRequest {
                owner_id: Some(crate::model::EntityId {
                    entity_type: crate::model::EntityType::Customer,
                    id: parse_id(&c, "customer")?,
                }),
                all_user_group: true,
                user_group_id: None,
                read_else_write,
                role_ids,
            }
        }
    };
    share(&*svc()?, &p, id, &req).await?;
    Ok(())
}

/// Revokes one share (a group permission).
#[server(prefix = "/_sfn", endpoint = "revoke_share")]
pub async fn revoke_share(id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::GroupPermissionId(parse_id(&id, "group permission")?);
    Ok(crate::backend::groups::permissions::delete(&*svc()?, &p, id).await?)
}

/// Makes a group public (anyone with its link reads it) or private again.
#[server(prefix = "/_sfn", endpoint = "set_group_public")]
pub async fn set_group_public(group: String, public: bool) -> Result<(), AppError> {
    use crate::api::ssr::*;
    use crate::backend::groups::public;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::EntityGroupId(parse_id(&group, "entity group")?);
    let svc = svc()?;
    if public {
        public::make_public(&svc, &p, id).await?
    } else {
        public::make_private(&svc, &p, id).await?
    }
    Ok(())
}

/// The groups of `kind` one owner has, "All" first; the outer error is bad input, the inner one the service's.
#[cfg(feature = "ssr")]
async fn list_owner_groups(
    kind: &str,
    owner: String,
) -> Result<crate::backend::kernel::error::ServiceResult<Vec<GroupTab>>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let t = group_type(kind)?;
    let owner = match opt(owner) {
        Some(o) => parse_id(&o, "owner")?,
        None => p.owner().ok_or_else(|| AppError::new(403, "Groups belong to a tenant"))?,
    };
    let mut link = page_link(0, String::new(), "name".into(), false)?;
    link.page_size = 200;
    let listed = crate::backend::groups::lists::list_by_owner(&*svc()?, &p, owner, t, &link).await;
    Ok(listed.map(|page| {
        let mut groups = page.data;
        groups.sort_by_key(|g| !g.group_all);
        // Every group listed is that owner's own: `owned` says so (none is shared with it).
        groups.into_iter().map(|g| tab_of(g, Some(owner))).collect()
    }))
}

/// The groups of `kind` one owner has (the caller must read that owner's groups; an empty `owner` is the caller's
/// own), "All" first: where a new user or a moved thing can go.
#[server(prefix = "/_sfn", endpoint = "owner_groups")]
pub async fn owner_groups(kind: String, owner: String) -> Result<Vec<GroupTab>, AppError> {
    Ok(list_owner_groups(&kind, owner).await??)
}

/// The groups an entity of `owner` could join, or `None` when the caller may not list them (a thing shared with
/// it, a user it may read but whose groups it may not): the membership section then says so instead of failing.
#[server(prefix = "/_sfn", endpoint = "membership_choices")]
pub async fn membership_choices(kind: String, owner: String) -> Result<Option<Vec<GroupTab>>, AppError> {
    use crate::backend::kernel::error::ServiceError;
    match list_owner_groups(&kind, owner).await? {
        Ok(list) => Ok(Some(list)),
        Err(ServiceError::Forbidden | ServiceError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
