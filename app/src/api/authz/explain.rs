//! The access explainers in the console: on an entity, "who can see this and why" (every user group whose roles
//! let its members read it, and through which role); on a user, "what can this user do" (the sections its merged
//! permissions open, and each role of each of its groups with what it grants). Both come from
//! `authz::explain`, the same facts the decisions use; the texts are made here so the browser only shows them.

use crate::api::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One user group whose members get the operation, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessRow {
    pub user_group_id: String,
    pub user_group: String,
    /// The user group's owner (tenant or customer) by name.
    pub owner: String,
    pub members: i64,
    pub role_id: String,
    pub role: String,
    /// "Generic role over Acme and its sub-customers" or "Group role on Devices: Boilers".
    pub how: String,
}

/// "Who can see this and why".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// The entity's name (a customer's title), for the page's heading.
    pub name: String,
    pub rows: Vec<AccessRow>,
    /// Grants through user groups the caller may not read itself: counted, not named.
    pub hidden: usize,
}

/// One role of one of the user's groups, and what it grants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub user_group_id: String,
    pub user_group: String,
    pub role_id: String,
    pub role: String,
    /// One line per resource ("Devices: read, write"), then the exclusions, or the group role's operations.
    pub grants: Vec<String>,
    /// Where the grants apply: "everything owned by Acme and its sub-customers" or "the members of Devices: Boilers".
    pub scope: String,
}

/// "What can this user do".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AbilityReport {
    /// The console sections the user's merged permissions open: (section, operations).
    pub sections: Vec<(String, String)>,
    pub roles: Vec<RoleGrant>,
    /// Roles bound to user groups the caller may not read itself: counted, not named.
    pub hidden: usize,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::model::permissions::Operation;
    use crate::model::permissions::Resource;

    /// "Devices", "All": a resource as a section name.
    pub fn resource(r: Resource) -> String {
        match r {
            Resource::All => "Everything".into(),
            r => crate::model::permissions::humanize(r.as_str()),
        }
    }

    /// "read, write" or "all operations".
    pub fn operations(ops: &[Operation]) -> String {
        if ops.contains(&Operation::All) {
            return "all operations".into();
        }
        ops.iter()
            .map(|o| crate::model::permissions::humanize(o.as_str()).to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Who may read one entity and through which role. `kind` is `CUSTOMER`, `DEVICE`, `ASSET`, `DASHBOARD` or
/// `EDGE`; the caller must be able to read the entity.
#[server(prefix = "/_sfn", endpoint = "who_can_see")]
pub async fn who_can_see(kind: String, id: String) -> Result<Audience, AppError> {
    use crate::api::ssr::*;
    use crate::backend::authz::explain;
    use crate::backend::owners::customers;
    use crate::backend::owners::infos;
    use crate::backend::things;
    use crate::model::CustomerId;
    use crate::model::permissions::Operation;
    let p = principal().await?;
    let svc = svc()?;
    // A customer also has the own-customer rule, which no binding carries: its title and user count.
    let (e, name, own) = match kind.trim() {
        "CUSTOMER" => {
            let c = customers::get(&svc, &p, CustomerId(parse_id(&id, "customer")?)).await?;
            let e = customers::entity_ref(&c)?;
            let title = c.title.unwrap_or_default();
            (e, title.clone(), Some((title, explain::own_customer_readers(&svc, e.id).await?)))
        }
        other => {
            let k = crate::backend::things::kind::Kind::parse(other)
                .ok_or_else(|| AppError::new(400, format!("Unknown entity type {other}")))?;
            let t =
                things::get_checked(&svc, &p, k, parse_id(&id, &k.label().to_lowercase())?, Operation::Read).await?;
            (things::entity_ref(&t), t.name.clone(), None)
        }
    };
    let (rows, hidden) = crate::backend::authz::explanations::who_can(&svc, &p, Operation::Read, &e).await?;
    let owners: Vec<(uuid::Uuid, uuid::Uuid)> =
        rows.iter().map(|(b, _)| (b.user_group_id, b.user_group_owner)).collect();
    let names = infos::owners_and_groups(&svc, &owners).await?;
    let mut out: Vec<AccessRow> = rows
        .into_iter()
        .zip(names)
        .map(|((b, g), (owner, _))| AccessRow {
            how: match g.via {
                "GENERIC" => format!("Generic role over {owner} and its sub-customers"),
                _ => format!("Group role on {}", g.scope_name.unwrap_or_default()),
            },
            user_group_id: b.user_group_id.to_string(),
            user_group: b.user_group_name,
            owner,
            members: b.user_group_members,
            role_id: b.role_id.to_string(),
            role: b.role_name,
        })
        .collect();
    if let Some((name, members)) = own {
        // The rule in `authz::entities`: a customer's users may read their own customer, whatever their roles.
        out.push(AccessRow {
            user_group_id: String::new(),
            user_group: format!("Every user of {name}"),
            owner: name,
            members,
            role_id: String::new(),
            role: String::new(),
            how: "A customer's own users may always read it".into(),
        });
    }
    Ok(Audience { name, rows: out, hidden })
}

/// What one user may do and which role of which of its groups grants it; the caller must be able to read the
/// user.
#[server(prefix = "/_sfn", endpoint = "user_abilities")]
pub async fn user_abilities(id: String) -> Result<AbilityReport, AppError> {
    use crate::api::ssr::*;
    use crate::backend::accounts::users;
    use crate::backend::authz::console;
    use crate::backend::authz::role_grammar::RolePermissions;

    use crate::backend::owners::infos;
    use crate::model::UserId;
    let p = principal().await?;
    let svc = svc()?;
    let u = users::get(&svc, &p, UserId(parse_id(&id, "user")?)).await?;
    let subject = u.principal();
    let sections = console::abilities(&svc, &subject)
        .await?
        .0
        .into_iter()
        .map(|(r, ops)| (ssr::resource(r), ssr::operations(&ops)))
        .collect();
    let mut roles = Vec::new();
    let (bindings, hidden) = crate::backend::authz::explanations::bindings_of_user(&svc, &p, u.id).await?;
    for b in bindings {
        let (grants, scope) = match &b.permissions {
            RolePermissions::Generic { permissions, excluded } => {
                let owner = infos::owners_and_groups(&svc, &[(b.user_group_id, b.user_group_owner)]).await?;
                let owner = owner.into_iter().next().map(|o| o.0).unwrap_or_default();
                let mut lines: Vec<String> = permissions
                    .iter()
                    .map(|(r, ops)| format!("{}: {}", ssr::resource(*r), ssr::operations(ops)))
                    .collect();
                lines.extend(
                    excluded.iter().map(|(r, ops)| format!("except {}: {}", ssr::resource(*r), ssr::operations(ops))),
                );
                (lines, format!("everything owned by {owner} and its sub-customers"))
            }
            RolePermissions::Group(ops) => {
                let group = b.entity_group.as_ref().map(|g| g.1.clone()).unwrap_or_default();
                (vec![ssr::operations(ops)], format!("the members of the group {group}"))
            }
        };
        roles.push(RoleGrant {
            user_group_id: b.user_group_id.to_string(),
            user_group: b.user_group_name,
            role_id: b.role_id.to_string(),
            role: b.role_name,
            grants,
            scope,
        });
    }
    Ok(AbilityReport { sections, roles, hidden })
}

/// The entity types "can this user …" asks about (the console's choices; the service answers for these).
pub const EXPLAINABLE: [(&str, &str); 6] = [
    ("DEVICE", "Device"),
    ("ASSET", "Asset"),
    ("DASHBOARD", "Dashboard"),
    ("EDGE", "Edge"),
    ("CUSTOMER", "Customer"),
    ("USER", "User"),
];

/// "Can this user do that to this entity": the answer and the chain behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub allowed: bool,
    /// One line per grant ("Site managers → Site manager: Generic role over the user's owner and below").
    pub because: Vec<String>,
    /// When refused: what would be needed.
    pub missing: String,
    /// Grants through user groups the caller may not read itself: counted, not named.
    pub hidden: usize,
}

/// Explains `operation` by the user `user` on the entity `entity_type`/`entity`; the caller must be able to read
/// both (`explanations::for_user`, the same service as `GET /api/thingdeck/explain`).
#[server(prefix = "/_sfn", endpoint = "explain_user")]
pub async fn explain_user(
    user: String,
    operation: String,
    entity_type: String,
    entity: String,
) -> Result<Verdict, AppError> {
    use crate::api::ssr::*;
    use crate::model::permissions::Operation;
    let p = principal().await?;
    let svc = svc()?;
    let subject = crate::model::UserId(parse_id(&user, "user")?);
    let op = Operation::parse(operation.trim())
        .ok_or_else(|| AppError::new(400, format!("Unknown operation {}", operation.trim())))?;
    let e = crate::backend::authz::explanations::for_user(
        &svc,
        &p,
        subject,
        op,
        entity_type.trim(),
        parse_id(&entity, "entity")?,
    )
    .await?;
    let mut because = Vec::new();
    let hidden = e.hidden_grants;
    for g in e.grants {
        let chain = format!("{} → {}", g.user_group_name.unwrap_or_default(), g.role_name.unwrap_or_default());
        because.push(match g.via {
            "GENERIC" => format!("{chain}: Generic role over the user's owner and its sub-customers"),
            "GROUP" => format!("{chain}: Group role on {}", g.scope_name.unwrap_or_default()),
            "OWN_CUSTOMER" => "It is the user's own customer, which its users may always read".into(),
            other => format!("{chain}: {other}"),
        });
    }
    Ok(Verdict { allowed: e.allowed, because, missing: e.missing.unwrap_or_default(), hidden })
}
