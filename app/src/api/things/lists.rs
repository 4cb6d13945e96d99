//! Lists of things for the console: the "All" list and group tabs of one kind (paged, searched, sorted, narrowed to
//! an owner), and the owners and dashboards pickers offer.

use crate::api::AppError;
use crate::api::views::ThingView;
use crate::model::PageData;
use leptos::prelude::*;

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

    use crate::backend::things::lists::Scope;
    let p = principal().await?;
    let svc = svc()?;
    let kind = crate::api::things::ssr::kind(&kind)?;
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
    let rows = crate::backend::things::lists::list(&svc, &p, kind, scope, None, &link).await?;
    crate::api::things::ssr::views(&svc, rows).await
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

/// Dashboards the caller may read (at most 200, by title): the choices for a user's default dashboard.
#[server(prefix = "/_sfn", endpoint = "dashboard_choices")]
pub async fn dashboard_choices() -> Result<Vec<crate::api::views::Choice>, AppError> {
    use crate::api::ssr::*;

    use crate::backend::things::kind::Kind;
    use crate::backend::things::lists::Scope;
    let p = principal().await?;
    let mut link = page_link(0, String::new(), "title".into(), false)?;
    link.page_size = 200;
    let page = crate::backend::things::lists::list(&*svc()?, &p, Kind::Dashboard, Scope::Tenant, None, &link).await?;
    Ok(page.data.into_iter().map(|t| crate::api::views::Choice { id: t.id.to_string(), name: t.name }).collect())
}
