//! Lists of things: every list is one scope (the tenant, an owner or its subtree, a readable group, given ids)
//! ANDed with the caller's read filter, searched, sorted and paged in SQL; and the owner names and groups a page shows.

use crate::backend::authz::entities;
use crate::backend::authz::entities::ListFilter;
use crate::backend::authz::entities::ListSource;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::owners::counts;
use crate::backend::services::Services;
use crate::backend::things::entity_ref;
use crate::backend::things::kind::Kind;
use crate::backend::things::rows::Thing;
use crate::model::EntityInfo;
use crate::model::PageData;
use crate::model::permissions::Operation;
use uuid::Uuid;

/// Where a kind's lists read from, for the visibility filter.
pub fn list_source(kind: Kind) -> ListSource {
    ListSource { table: kind.table(), alias: "t", owner: |a| format!("{a}.owner_id") }
}

/// Which things a list covers, before the caller's permissions narrow it.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// Everything in the tenant.
    Tenant,
    /// Owned by `owner` itself, or with `subtree` by it and every customer below it.
    Owner { owner: Uuid, subtree: bool },
    /// Members of one group the caller may read: all of them (ThingsBoard PE's rule for group member lists).
    Group(crate::backend::authz::groups::ReadableGroup),
    /// These ids (at most 1000), each only if the caller may read it.
    Ids(Vec<Uuid>),
}

/// One page of the things in `scope` the caller may read, of `thing_type` if given — filtered, searched
/// (case-insensitive substring of the name), sorted and paged in SQL.
pub async fn list(
    svc: &Services,
    p: &Principal,
    kind: Kind,
    scope: Scope,
    thing_type: Option<&str>,
    link: &PageLink,
) -> ServiceResult<PageData<Thing>> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let order = link.order_by(kind.spec().sorts, "t.created_time")?.replace(", id ", ", t.id ");
    let mut filter = format!("FROM {} t WHERE t.tenant_id = $1", kind.table());
    let mut binds = vec![tenant.0.to_string()];
    // Appends `sql`, numbering its `$?` placeholders in order for `values`.
    let push = |binds: &mut Vec<String>, filter: &mut String, sql: &str, values: Vec<String>| {
        crate::backend::kernel::paging::push_sql(filter, binds, sql, values)
    };
    // A readable group's members are all listed; every other scope is narrowed to what the caller may read.
    let group_scope = matches!(&scope, Scope::Group(g) if g.members() == kind.resource());
    if matches!(&scope, Scope::Group(g) if g.members() != kind.resource()) {
        return Err(ServiceError::BadRequestParams(format!("The entity group does not hold {}s", kind.table())));
    }
    let scope_is_tenant = matches!(scope, Scope::Tenant);
    // Where the total is "everything in this owner's subtree", it is read from `subtree_count` instead of counted.
    let mut counted_subtree = match &scope {
        Scope::Tenant => Some(tenant.0),
        Scope::Owner { owner, subtree: true } => Some(*owner),
        _ => None,
    };
    match &scope {
        Scope::Tenant => {}
        Scope::Ids(ids) => {
            let ph = if ids.is_empty() { "NULL".to_string() } else { vec!["$?"; ids.len()].join(", ") };
            push(&mut binds, &mut filter, &format!(" AND t.id IN ({ph})"), ids.iter().map(Uuid::to_string).collect())
        }
        Scope::Owner { owner, subtree: false } => {
            push(&mut binds, &mut filter, " AND t.owner_id = $?", vec![owner.to_string()])
        }
        Scope::Owner { owner, subtree: true } => push(
            &mut binds,
            &mut filter,
            " AND t.owner_id IN (SELECT oc.descendant FROM owner_closure oc WHERE oc.ancestor = $?)",
            vec![owner.to_string()],
        ),
        Scope::Group(g) => push(
            &mut binds,
            &mut filter,
            " AND t.id IN (SELECT gm.entity_id FROM entity_group_member gm WHERE gm.group_id = $?)",
            vec![g.id().to_string()],
        ),
    }
    if let Some(tt) = thing_type.map(str::trim).filter(|t| !t.is_empty()) {
        push(&mut binds, &mut filter, " AND t.type = $?", vec![tt.to_string()]);
        counted_subtree = None;
    }
    if let (Some(text), Some(pat)) = (link.text_search.as_deref(), link.like_pattern()) {
        for (sql, values) in
            crate::backend::things::search::name_predicate(&svc.db, &svc.name_samples, kind, "t", text, pat).await?
        {
            push(&mut binds, &mut filter, &sql, values);
        }
        counted_subtree = None;
    }
    if !group_scope {
        let visible =
            entities::list_filter(svc, p, Operation::Read, kind.resource(), list_source(kind), binds.len() + 1).await?;
        match visible {
            ListFilter::Everything => {}
            ListFilter::Nothing => return Ok(link.page_of(Vec::new(), 0)),
            ListFilter::Where { sql, binds: more, subtree } => {
                filter.push_str(" AND ");
                filter.push_str(&sql);
                binds.extend(more);
                // Unfiltered "everything I may see" is the visible subtree itself when the scope is the tenant.
                counted_subtree = match (scope_is_tenant && counted_subtree.is_some(), subtree) {
                    (true, Some(root)) => Some(root),
                    _ => None,
                };
            }
        }
    }
    let total = match counted_subtree {
        Some(owner) => Some(counts::subtree_total(&svc.db.pool, owner, kind).await?),
        None => None,
    };
    crate::backend::kernel::paging::fetch_with_total(
        &svc.db.pool,
        &crate::backend::things::rows::columns(kind, false),
        &filter,
        &order,
        &binds,
        link,
        total,
        |r| crate::backend::things::rows::from_row(kind, r, false),
    )
    .await
}

/// `GET /api/tenant/{kind}?{kind}Name=`: one thing by its exact name (case-insensitive), if the caller may read it.
pub async fn by_name(svc: &Services, p: &Principal, kind: Kind, name: &str) -> ServiceResult<Thing> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let sql = format!(
        "SELECT {} FROM {} t WHERE t.tenant_id = $1 AND t.name_lower = $2 ORDER BY t.created_time, t.id LIMIT 1",
        crate::backend::things::rows::columns(kind, true),
        kind.table()
    );
    let row = sqlx::query(&sql)
        .bind(tenant.0.to_string())
        .bind(name.trim().to_lowercase())
        .fetch_optional(&svc.db.pool)
        .await?;
    let t = match row {
        Some(r) => crate::backend::things::rows::from_row(kind, &r, true)?,
        None => return Err(ServiceError::NotFound("Requested item wasn't found!".into())),
    };
    entities::check(svc, p, Operation::Read, &entity_ref(&t), kind.label()).await?;
    Ok(t)
}

/// `GET /api/{kind}s?{kind}Ids=`: the listed things the caller may read (others are left out, as ThingsBoard does),
/// filtered in SQL like every list.
pub async fn by_ids(svc: &Services, p: &Principal, kind: Kind, ids: &[Uuid]) -> ServiceResult<Vec<Thing>> {
    let link = PageLink::covering(ids.len())?;
    Ok(list(svc, p, kind, Scope::Ids(ids.to_vec()), None, &link).await?.data)
}

/// The (id, owner) the info shapes are decorated by.
pub fn info_key(t: &Thing) -> (Uuid, Uuid) {
    (t.id, t.owner)
}

/// The same page with owner names and groups, built by `f(thing, owner_name, groups)`.
pub async fn decorated_page<U>(
    svc: &Services,
    page: PageData<Thing>,
    f: impl FnMut(Thing, String, Vec<EntityInfo>) -> U,
) -> ServiceResult<PageData<U>> {
    crate::backend::owners::infos::decorated(svc, page, info_key, f).await
}
