//! Lists of groups: the groups of one or several types the caller may read (its owner's and those shared with
//! it), one owner's groups, an owner's "All" group; searched, sorted and paged in SQL.

use crate::backend::authz::entities::within;
use crate::backend::authz::scopes;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::service::COLUMNS;
use crate::backend::groups::service::from_row;
use crate::backend::groups::service::get_checked;
use crate::backend::groups::service::info;
use crate::backend::groups::service::infos;
use crate::backend::groups::service::uuid;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::EntityGroupId;
use crate::model::EntityGroupInfo;
use crate::model::PageData;
use crate::model::permissions::Operation;
use uuid::Uuid;

async fn page_of_groups(
    svc: &Services,
    filter: &str,
    binds: Vec<String>,
    link: &PageLink,
) -> ServiceResult<PageData<EntityGroupInfo>> {
    let order = link
        .order_by(&[("name", "g.name_lower"), ("createdTime", "g.created_time")], "g.name_lower")?
        .replace(", id ", ", g.id ");
    let mut filter = filter.to_string();
    let mut binds = binds;
    if let Some(pat) = link.like_pattern() {
        binds.push(pat);
        filter.push_str(&format!(" AND g.name_lower LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let from = format!("FROM entity_group g WHERE {filter}");
    let page =
        crate::backend::kernel::paging::fetch(&svc.db.pool, COLUMNS, &from, &order, &binds, link, from_row).await?;
    let infos = infos(svc, &page.data).await?;
    Ok(page.with_rows(infos))
}

/// `GET /api/entityGroups/{groupType}`: the caller's owner's groups (with a Generic READ) and, unless
/// `include_shared` is false, the groups shared with it through Group roles.
pub async fn list_by_type(
    svc: &Services,
    p: &Principal,
    t: GroupType,
    include_shared: bool,
    link: &PageLink,
) -> ServiceResult<PageData<EntityGroupInfo>> {
    list_by_types(svc, p, &[t], include_shared, false, link).await
}

/// The groups of several types the caller may read (its owner's, per type with a Generic READ, and those shared
/// with it), one list searched, sorted and paged in SQL; `named_only` leaves out the "All" groups (pickers).
pub async fn list_by_types(
    svc: &Services,
    p: &Principal,
    types: &[GroupType],
    include_shared: bool,
    named_only: bool,
    link: &PageLink,
) -> ServiceResult<PageData<EntityGroupInfo>> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let mut binds = vec![tenant.0.to_string()];
    let mut parts = Vec::new();
    let mut shared = std::collections::BTreeSet::new();
    for t in types {
        let scope = scopes::group_list_scope(svc, p, t.group_resource()).await?;
        if let Some(own) = scope.own_owner {
            binds.push(t.as_str().to_string());
            binds.push(own.to_string());
            parts.push(format!("(g.group_type = ${} AND g.owner_id = ${})", binds.len() - 1, binds.len()));
        }
        shared.extend(scope.shared);
    }
    if include_shared && !shared.is_empty() {
        let start = binds.len() + 1;
        binds.extend(shared.iter().map(Uuid::to_string));
        let ph: Vec<String> = (start..start + shared.len()).map(|i| format!("${i}")).collect();
        let kinds: Vec<String> = types.iter().map(|t| format!("'{}'", t.as_str())).collect();
        parts.push(format!("(g.id IN ({}) AND g.group_type IN ({}))", ph.join(", "), kinds.join(", ")));
    }
    if parts.is_empty() {
        return Ok(link.page_of(Vec::new(), 0));
    }
    let named = if named_only { " AND g.name <> 'All'" } else { "" };
    let filter = format!("g.tenant_id = $1{named} AND ({})", parts.join(" OR "));
    page_of_groups(svc, &filter, binds, link).await
}

/// `GET /api/entityGroups/{ownerType}/{ownerId}/{groupType}`: one owner's groups, for those who manage it.
pub async fn list_by_owner(
    svc: &Services,
    p: &Principal,
    owner: Uuid,
    t: GroupType,
    link: &PageLink,
) -> ServiceResult<PageData<EntityGroupInfo>> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    if !within(svc, tenant.0, tenant.0, owner).await? {
        return Err(ServiceError::NotFound(format!("Owner with id [{owner}] is not found")));
    }
    scopes::check_generic_over(svc, p, t.group_resource(), Operation::Read, owner).await?;
    let binds = vec![tenant.0.to_string(), t.as_str().to_string(), owner.to_string()];
    page_of_groups(svc, "g.tenant_id = $1 AND g.group_type = $2 AND g.owner_id = $3", binds, link).await
}

/// `GET /api/entityGroup/all/{ownerType}/{ownerId}/{groupType}`.
pub async fn all_group(svc: &Services, p: &Principal, owner: Uuid, t: GroupType) -> ServiceResult<EntityGroupInfo> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = $2 AND name = 'All'")
            .bind(owner.to_string())
            .bind(t.as_str())
            .fetch_optional(&svc.db.pool)
            .await?;
    let id = id.ok_or_else(|| ServiceError::NotFound(format!("Owner with id [{owner}] is not found")))?;
    let g = get_checked(svc, p, EntityGroupId(uuid(&id)?), Operation::Read).await?;
    info(svc, &g).await
}
