//! Roles for Security → Roles and the Roles tab of a user group: list, one role, save (a Generic role's
//! resource → operations and excluded permissions, or a Group role's operations), delete, and the roles bound to a
//! user group. Every call goes to `backend::groups::role_api` and `backend::groups::permissions`, which ask `authz` and
//! validate the permissions: the browser's editor only offers what they accept.

// A server function takes a form's fields as its arguments.
#![allow(clippy::too_many_arguments)]

use crate::api::AppError;
use crate::api::views::Choice;
use crate::model::PageData;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Generic permissions as the editor holds them: one row per resource.
pub type PermissionRows = Vec<(Resource, Vec<Operation>)>;

/// A role as the console shows and edits it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleView {
    pub id: String,
    pub version: i64,
    pub name: String,
    /// A Group role (operations on the entity groups it is bound with), else Generic.
    pub group: bool,
    pub permissions: PermissionRows,
    pub excluded: PermissionRows,
    /// A Group role's operations.
    pub operations: Vec<Operation>,
    pub description: String,
    pub created_time: i64,
}

/// A role bound to a user group: generically, or for one entity group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundRole {
    /// The group permission's id (what "Remove" deletes).
    pub id: String,
    pub role: String,
    pub group_role: bool,
    /// "Devices: Office sensors (Customer A)" for a Group role; empty for a Generic one.
    pub entity_group: String,
}

/// Permissions JSON → rows, leaving out what this build does not know (the server validated it when stored).
pub fn rows_of(v: Option<&serde_json::Value>) -> PermissionRows {
    let Some(obj) = v.and_then(serde_json::Value::as_object) else { return Vec::new() };
    obj.iter()
        .filter_map(|(r, ops)| {
            let ops = ops.as_array()?.iter().filter_map(|o| o.as_str().and_then(Operation::parse)).collect();
            Some((Resource::parse(r)?, ops))
        })
        .collect()
}

/// Rows → the JSON object ThingsBoard stores (`{"DEVICE": ["READ"]}`); a resource listed twice merges.
pub fn json_of(rows: &PermissionRows) -> String {
    let mut map = serde_json::Map::new();
    for (r, ops) in rows {
        let entry = map.entry(r.as_str()).or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(list) = entry {
            for o in ops {
                let v = serde_json::Value::from(o.as_str());
                if !list.contains(&v) {
                    list.push(v);
                }
            }
        }
    }
    serde_json::Value::Object(map).to_string()
}

#[cfg(feature = "ssr")]
fn view_of(r: crate::model::Role) -> RoleView {
    let group = r.role_type == Some(crate::model::RoleType::Group);
    let operations = if group {
        r.permissions
            .as_ref()
            .and_then(serde_json::Value::as_array)
            .map(|l| l.iter().filter_map(|o| o.as_str().and_then(Operation::parse)).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    RoleView {
        id: r.id.map(|i| i.0.to_string()).unwrap_or_default(),
        version: r.version.unwrap_or(0),
        name: r.name.unwrap_or_default(),
        group,
        permissions: if group { Vec::new() } else { rows_of(r.permissions.as_ref()) },
        excluded: rows_of(r.excluded_permissions.as_ref()),
        operations,
        description: r
            .additional_info
            .as_ref()
            .and_then(|i| i.get("description"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string(),
        created_time: r.created_time.unwrap_or(0),
    }
}

#[cfg(feature = "ssr")]
fn role_id(id: &str) -> Result<crate::model::RoleId, AppError> {
    Ok(crate::model::RoleId(crate::api::ssr::parse_id(id, "role")?))
}

/// One page of the roles that apply to the caller or that it manages, searched by name; `role_type` `GENERIC`
/// or `GROUP` narrows it.
#[server(prefix = "/_sfn", endpoint = "roles")]
pub async fn list_roles(
    page: i64,
    search: String,
    sort: String,
    desc: bool,
    role_type: String,
) -> Result<PageData<RoleView>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let t = match role_type.trim() {
        "" => None,
        "GENERIC" => Some(crate::model::RoleType::Generic),
        "GROUP" => Some(crate::model::RoleType::Group),
        other => return Err(AppError::new(400, format!("Unknown role type {other}"))),
    };
    let sort = if sort == "title" { "name".to_string() } else { sort };
    let rows = crate::backend::groups::role_api::list(&*svc()?, &p, t, &page_link(page, search, sort, desc)?).await?;
    Ok(rows.map(view_of))
}

/// One role.
#[server(prefix = "/_sfn", endpoint = "role")]
pub async fn get_role(id: String) -> Result<RoleView, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    Ok(view_of(crate::backend::groups::role_api::get(&*svc()?, &p, role_id(&id)?).await?))
}

/// Creates (empty `id`) or updates a role. `permissions` is the JSON the editor builds — an object of resource →
/// operations for a Generic role, a list of operations for a Group role — and `excluded` a Generic role's
/// excluded permissions; the role service validates both. `version` guards against overwriting someone else's
/// change.
#[server(prefix = "/_sfn", endpoint = "save_role")]
pub async fn save_role(
    id: String,
    version: String,
    name: String,
    role_type: String,
    permissions: String,
    excluded: String,
    description: String,
) -> Result<RoleView, AppError> {
    use crate::api::ssr::*;
    use crate::model::RoleType;
    same_origin()?;
    let p = principal().await?;
    let json = |s: &str, what: &str| -> Result<Option<serde_json::Value>, AppError> {
        match opt(s.to_string()) {
            None => Ok(None),
            Some(t) => {
                serde_json::from_str(&t).map(Some).map_err(|_| AppError::new(400, format!("{what} are not valid")))
            }
        }
    };
    let role_type = match role_type.trim() {
        "GENERIC" => RoleType::Generic,
        "GROUP" => RoleType::Group,
        _ => return Err(AppError::new(400, "Role type must be GENERIC or GROUP")),
    };
    let id = opt(id).map(|i| role_id(&i)).transpose()?;
    let version = match opt(version) {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| AppError::new(400, "Invalid version"))?),
    };
    let description = opt(description);
    if description.as_ref().is_some_and(|d| d.chars().count() > 1024) {
        return Err(AppError::new(400, "description should be at most 1024 characters"));
    }
    let role = crate::model::Role {
        id,
        name: Some(name),
        role_type: Some(role_type),
        permissions: json(&permissions, "Permissions")?,
        excluded_permissions: json(&excluded, "Excluded permissions")?
            .filter(|v| role_type == RoleType::Generic || v.as_object().is_none_or(|o| !o.is_empty())),
        additional_info: description.map(|d| serde_json::json!({ "description": d })),
        version,
        ..Default::default()
    };
    Ok(view_of(crate::backend::groups::role_api::save(&*svc()?, &p, &role).await?))
}

/// Deletes a role; its group permissions go with it.
#[server(prefix = "/_sfn", endpoint = "delete_role")]
pub async fn delete_role(id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    Ok(crate::backend::groups::role_api::delete(&*svc()?, &p, role_id(&id)?).await?)
}

/// One page of the roles the caller may bind, by name (`search` narrows it, `group_only` keeps Group roles);
/// each with whether it is a Group role, so the form can ask for its entity group.
#[server(prefix = "/_sfn", endpoint = "role_choices")]
pub async fn role_choices(search: String, page: i64, group_only: bool) -> Result<PageData<(Choice, bool)>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let mut link = page_link(page, search, "name".into(), false)?;
    link.page_size = crate::ui::pickers::PICKER_PAGE;
    let only = group_only.then_some(crate::model::RoleType::Group);
    let rows = crate::backend::groups::role_api::list(&*svc()?, &p, only, &link).await?;
    Ok(rows.map(view_of).map(|r| (Choice { id: r.id, name: r.name }, r.group)))
}

/// The roles bound to a user group.
#[server(prefix = "/_sfn", endpoint = "group_roles")]
pub async fn group_roles(group: String) -> Result<Vec<BoundRole>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let id = crate::model::EntityGroupId(parse_id(&group, "user group")?);
    let list = crate::backend::groups::permissions::list_for_group(&*svc()?, &p, id, true).await?;
    Ok(list
        .into_iter()
        .filter(|i| i.permission.public != Some(true))
        .map(|i| BoundRole {
            id: i.permission.id.map(|g| g.0.to_string()).unwrap_or_default(),
            group_role: i.role.role_type == Some(crate::model::RoleType::Group),
            role: i.role.name.unwrap_or_default(),
            entity_group: match (i.entity_group_name, i.permission.entity_group_type) {
                (Some(n), Some(t)) => {
                    format!(
                        "{}: {n} ({})",
                        crate::api::views::type_label(&t),
                        i.entity_group_owner_name.unwrap_or_default()
                    )
                }
                _ => String::new(),
            },
        })
        .collect())
}

/// Binds a role to a user group: a Generic role over the group owner's subtree (`entity_group` empty), a Group
/// role for one entity group.
#[server(prefix = "/_sfn", endpoint = "bind_role")]
pub async fn bind_role(user_group: String, role: String, entity_group: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let gp = crate::model::GroupPermission {
        user_group_id: Some(crate::model::EntityGroupId(parse_id(&user_group, "user group")?)),
        role_id: Some(role_id(&role)?),
        entity_group_id: opt(entity_group)
            .map(|g| parse_id(&g, "entity group").map(crate::model::EntityGroupId))
            .transpose()?,
        ..Default::default()
    };
    crate::backend::groups::permissions::create(&*svc()?, &p, &gp).await?;
    Ok(())
}

/// One page of the entity groups a Group role can be bound for: the named groups of every bindable type the
/// caller sees, by name (`search` narrows them), each shown with its type. Searched, paged and without the "All"
/// groups in SQL.
#[server(prefix = "/_sfn", endpoint = "bindable_groups")]
pub async fn bindable_groups(search: String, page: i64) -> Result<PageData<Choice>, AppError> {
    use crate::api::ssr::*;
    use crate::backend::groups::group_type::GroupType;

    let p = principal().await?;
    let mut link = page_link(page, search, "name".into(), false)?;
    link.page_size = crate::ui::pickers::PICKER_PAGE;
    let types = [GroupType::Device, GroupType::Asset, GroupType::Dashboard, GroupType::Customer, GroupType::Edge];
    let groups = crate::backend::groups::lists::list_by_types(&*svc()?, &p, &types, true, true, &link).await?;
    Ok(groups.map(|g| Choice {
        id: g.id.map(|i| i.to_string()).unwrap_or_default(),
        name: format!(
            "{}: {}",
            crate::api::views::type_label(g.group_type.as_deref().unwrap_or_default()),
            g.name.unwrap_or_default()
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_and_merge() {
        let rows = vec![
            (Resource::Device, vec![Operation::Read, Operation::Write]),
            (Resource::All, vec![Operation::Read]),
            (Resource::Device, vec![Operation::Read, Operation::RpcCall]),
        ];
        let json: serde_json::Value = serde_json::from_str(&json_of(&rows)).unwrap();
        assert_eq!(json, serde_json::json!({"DEVICE": ["READ", "WRITE", "RPC_CALL"], "ALL": ["READ"]}));
        let back = rows_of(Some(&json));
        assert!(back.contains(&(Resource::Device, vec![Operation::Read, Operation::Write, Operation::RpcCall])));
        assert_eq!(
            rows_of(Some(&serde_json::json!({"NOPE": ["READ"], "ASSET": ["NOPE", "READ"]}))),
            vec![(Resource::Asset, vec![Operation::Read])]
        );
    }
}
