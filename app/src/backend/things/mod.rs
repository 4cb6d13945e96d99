//! What customers own — devices, assets, dashboards, edges — stored in one table each with the same core, served by
//! this one service so that creating, owning, grouping, checking and listing work the same for all four. The
//! per-kind modules only map the wire shapes and add what is theirs (device credentials, dashboard
//! configuration, edge routing keys).

pub mod assets;
pub mod dashboards;
pub mod devices;
pub mod edges;
pub mod kind;
pub mod rows;
pub mod search;

use crate::backend::authz::entities;
use crate::backend::authz::entities::EntityRef;
use crate::backend::authz::entities::ListFilter;
use crate::backend::authz::entities::ListSource;
use crate::backend::groups::naming;
use crate::backend::groups::naming::SaveOptions;
use crate::backend::groups::store;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::owners::counts;
use crate::backend::services::Services;
use crate::backend::things::kind::Kind;
use crate::backend::things::rows::Thing;
use crate::model::EntityId;
use crate::model::EntityInfo;
use crate::model::EntityType;
use crate::model::PageData;
use crate::model::permissions::Operation;
use serde_json::{Map, Value};
use sqlx::{Any, Transaction};
use uuid::Uuid;

/// Where a kind's lists read from, for the visibility filter.
pub fn list_source(kind: Kind) -> ListSource {
    ListSource { table: kind.table(), alias: "t", owner: |a| format!("{a}.owner_id") }
}

/// What a create or update asks for, before the service decides owner, id and version.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub id: Option<Uuid>,
    /// Requested owner customer on create (null/absent: the target group's owner or the caller's).
    pub customer_id: Option<Uuid>,
    pub name: Option<String>,
    pub thing_type: Option<String>,
    pub label: Option<String>,
    pub additional_info: Option<Value>,
    pub details: Map<String, Value>,
    pub configuration: Option<Value>,
    pub routing_key: Option<String>,
    pub version: Option<i64>,
}

impl Draft {
    /// A draft keeping everything `t` has, so an edit changes only the fields it sets afterwards.
    pub fn of(t: &Thing) -> Draft {
        Draft {
            id: Some(t.id),
            customer_id: None,
            name: Some(t.name.clone()),
            thing_type: Some(t.thing_type.clone()),
            label: t.label.clone(),
            additional_info: t.additional_info.clone(),
            details: t.details.clone(),
            configuration: t.configuration.clone(),
            routing_key: t.routing_key.clone(),
            version: Some(t.version),
        }
    }
}

fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
}

fn json_text(v: &Option<Value>) -> Option<String> {
    v.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string())
}

fn details_text(d: &Map<String, Value>) -> Option<String> {
    let d: Map<String, Value> = d.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
    (!d.is_empty()).then(|| Value::Object(d).to_string())
}

fn check_draft(kind: Kind, d: &Draft) -> ServiceResult<(String, String)> {
    let name = validate::required(kind.label(), kind.name_field(), &d.name)?;
    validate::max_len(kind.name_field(), &d.name)?;
    validate::max_len("type", &d.thing_type)?;
    validate::max_len("label", &d.label)?;
    if d.additional_info.as_ref().is_some_and(|v| !v.is_object() && !v.is_null()) {
        return Err(ServiceError::InvalidArguments("additionalInfo must be a JSON object".into()));
    }
    if d.configuration.as_ref().is_some_and(|v| !v.is_object() && !v.is_null()) {
        return Err(ServiceError::InvalidArguments("configuration must be a JSON object".into()));
    }
    let thing_type = d.thing_type.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("default");
    Ok((name, thing_type.to_string()))
}

fn unique_violation(kind: Kind) -> impl Fn(sqlx::Error) -> ServiceError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            if kind == Kind::Edge && d.message().contains("routing") {
                ServiceError::InvalidArguments("Edge with such routing key already exists!".into())
            } else {
                kind.taken()()
            }
        }
        _ => e.into(),
    }
}

/// One thing, with the dashboard configuration when `full`.
pub async fn load(svc: &Services, kind: Kind, id: Uuid, full: bool) -> ServiceResult<Option<Thing>> {
    let sql = format!("SELECT {} FROM {} t WHERE t.id = $1", rows::columns(kind, full), kind.table());
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&svc.db.pool).await?;
    row.as_ref().map(|r| rows::from_row(kind, r, full)).transpose()
}

/// The authorization view of a thing.
pub fn entity_ref(t: &Thing) -> EntityRef {
    EntityRef { tenant: t.tenant, id: t.id, owner: t.owner, resource: t.kind.resource() }
}

/// The authorization view of a stored thing, if it exists (for permission queries and the explainer).
pub async fn get_ref(svc: &Services, kind: Kind, id: Uuid) -> ServiceResult<Option<EntityRef>> {
    Ok(load(svc, kind, id, false).await?.as_ref().map(entity_ref))
}

/// A thing the caller may `op`, or 403 / 404.
pub async fn get_checked(svc: &Services, p: &Principal, kind: Kind, id: Uuid, op: Operation) -> ServiceResult<Thing> {
    let t = load(svc, kind, id, true).await?.ok_or_else(|| ServiceError::not_found(kind.label(), id))?;
    entities::check(svc, p, op, &entity_ref(&t), kind.label()).await?;
    Ok(t)
}

/// The owner a new thing gets: the target groups' owner, else the requested customer, else the caller's owner.
async fn owner_for_create(
    tx: &mut Transaction<'_, Any>,
    p: &Principal,
    tenant: Uuid,
    d: &Draft,
    opts: &SaveOptions,
) -> ServiceResult<Uuid> {
    let mut owner = d.customer_id.filter(|c| !c.is_nil() && *c != crate::model::NULL_UUID);
    if let Some(c) = owner {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer WHERE id = $1 AND tenant_id = $2")
            .bind(c.to_string())
            .bind(tenant.to_string())
            .fetch_one(&mut **tx)
            .await?;
        if n == 0 {
            return Err(ServiceError::not_found("Customer", c));
        }
    }
    for g in &opts.entity_group_ids {
        let g_owner: Option<String> =
            sqlx::query_scalar("SELECT owner_id FROM entity_group WHERE id = $1 AND tenant_id = $2")
                .bind(g.to_string())
                .bind(tenant.to_string())
                .fetch_optional(&mut **tx)
                .await?;
        let g_owner = uuid(&g_owner.ok_or_else(|| ServiceError::not_found("Entity group", g))?)?;
        match owner {
            None => owner = Some(g_owner),
            Some(o) if o == g_owner => {}
            Some(_) => {
                return Err(ServiceError::InvalidArguments(
                    "The entity groups and the customer given belong to different owners".into(),
                ));
            }
        }
    }
    Ok(owner.unwrap_or_else(|| p.owner().unwrap_or(tenant)))
}

/// Creates a thing inside `tx` (so a kind can add its own rows, like device credentials, atomically): checks
/// CREATE on the owner, resolves the name per policy, joins "All" and the requested groups. Returns the id.
pub async fn create_in(
    tx: &mut Transaction<'_, Any>,
    svc: &Services,
    p: &Principal,
    kind: Kind,
    d: &Draft,
    opts: &SaveOptions,
) -> ServiceResult<Uuid> {
    let (name, thing_type) = check_draft(kind, d)?;
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?.0;
    let owner = owner_for_create(tx, p, tenant, d, opts).await?;
    entities::check_create(svc, p, kind.resource(), tenant, owner).await?;
    let name = if kind.unique_names() {
        naming::free_name(tx, kind.table(), "name_lower", tenant, name, &opts.name_conflict, kind.taken()).await?
    } else {
        name
    };
    let id = Uuid::now_v7();
    let (extra_cols, extra_vals) = match kind {
        Kind::Dashboard => (", configuration", ", $11"),
        Kind::Edge => (", routing_key", ", $11"),
        _ => ("", ""),
    };
    let sql = format!(
        "INSERT INTO {} (id, tenant_id, owner_id, created_time, name, name_lower, type, label, additional_info, \
         details{extra_cols}, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10{extra_vals}, 1)",
        kind.table()
    );
    let mut q = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(tenant.to_string())
        .bind(owner.to_string())
        .bind(now_ms())
        .bind(name.clone())
        .bind(name.to_lowercase())
        .bind(thing_type)
        .bind(d.label.clone())
        .bind(json_text(&d.additional_info))
        .bind(details_text(&d.details));
    match kind {
        Kind::Dashboard => q = q.bind(json_text(&d.configuration)),
        Kind::Edge => q = q.bind(d.routing_key.clone()),
        _ => {}
    }
    q.execute(&mut **tx).await.map_err(unique_violation(kind))?;
    store::join_all(tx, owner, kind.group_type(), id).await?;
    for g in &opts.entity_group_ids {
        store::join(tx, tenant, owner, kind.group_type(), *g, id).await?;
    }
    Ok(id)
}

/// Updates a thing the caller may WRITE; a stale `version` answers 409. The owner changes only through
/// `/api/owner`.
pub async fn update(svc: &Services, p: &Principal, kind: Kind, d: &Draft) -> ServiceResult<Thing> {
    let (name, thing_type) = check_draft(kind, d)?;
    let id = d.id.ok_or_else(|| ServiceError::Internal("update without id".into()))?;
    let current = get_checked(svc, p, kind, id, Operation::Write).await?;
    if let Some(c) = d.customer_id.filter(|c| *c != crate::model::NULL_UUID && !c.is_nil())
        && c != current.owner
    {
        return Err(ServiceError::InvalidArguments(format!(
            "A {} moves to another owner through /api/owner, not by editing customerId",
            kind.label().to_lowercase()
        )));
    }
    let extra = match kind {
        Kind::Dashboard => ", configuration = $10",
        Kind::Edge => ", routing_key = $10",
        _ => "",
    };
    let sql = format!(
        "UPDATE {} SET name = $1, name_lower = $2, type = $3, label = $4, additional_info = $5, details = $6, \
         version = version + 1{extra} WHERE id = $7 AND tenant_id = $8 AND ($9 < 0 OR version = $9)",
        kind.table()
    );
    let mut q = sqlx::query(&sql)
        .bind(name.clone())
        .bind(name.to_lowercase())
        .bind(thing_type)
        .bind(d.label.clone())
        .bind(json_text(&d.additional_info))
        .bind(details_text(&d.details))
        .bind(id.to_string())
        .bind(current.tenant.to_string())
        .bind(d.version.unwrap_or(-1));
    match kind {
        Kind::Dashboard => q = q.bind(json_text(&d.configuration)),
        Kind::Edge => q = q.bind(d.routing_key.clone()),
        _ => {}
    }
    let done = q.execute(svc.db.writer()).await.map_err(unique_violation(kind))?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::VersionConflict(format!(
            "{} was already changed by someone else! Reload it and try again.",
            kind.label()
        )));
    }
    let t = load(svc, kind, id, true).await?.ok_or_else(|| ServiceError::not_found(kind.label(), id))?;
    audit(svc, p, crate::backend::audit::Action::Updated, &t).await;
    Ok(t)
}

/// Records a change to a thing, filed under its owner (ThingsBoard's ADDED / UPDATED / DELETED entries).
pub async fn audit(svc: &Services, p: &Principal, action: crate::backend::audit::Action, t: &Thing) {
    let e = crate::backend::audit::Entry::by(p, action, t.kind.entity_type(), t.id, &t.name).under(t.tenant, t.owner);
    crate::backend::audit::record(svc, e).await;
}

/// The thing just created (committed), audited as added.
pub async fn created(svc: &Services, p: &Principal, kind: Kind, id: Uuid) -> ServiceResult<Thing> {
    let t =
        load(svc, kind, id, true).await?.ok_or_else(|| ServiceError::Internal("thing vanished after insert".into()))?;
    audit(svc, p, crate::backend::audit::Action::Added, &t).await;
    Ok(t)
}

/// Creates (no id) or updates (with id) a thing without kind-specific rows.
pub async fn save(svc: &Services, p: &Principal, kind: Kind, d: &Draft, opts: &SaveOptions) -> ServiceResult<Thing> {
    if d.id.is_some() {
        return update(svc, p, kind, d).await;
    }
    let mut tx = svc.db.begin_write().await?;
    let id = create_in(&mut tx, svc, p, kind, d, opts).await?;
    tx.commit().await?;
    created(svc, p, kind, id).await
}

/// Deletes a thing the caller may DELETE, with its group memberships (and, by cascade, its credentials).
pub async fn delete(svc: &Services, p: &Principal, kind: Kind, id: Uuid) -> ServiceResult<()> {
    let t = get_checked(svc, p, kind, id, Operation::Delete).await?;
    let mut tx = svc.db.begin_write().await?;
    store::leave_all_groups(&mut tx, t.id).await?;
    if kind == Kind::Device {
        sqlx::query("DELETE FROM device_credentials WHERE device_id = $1")
            .bind(t.id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    let done = sqlx::query(&format!("DELETE FROM {} WHERE id = $1", kind.table()))
        .bind(t.id.to_string())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::not_found(kind.label(), id));
    }
    tx.commit().await?;
    audit(svc, p, crate::backend::audit::Action::Deleted, &t).await;
    Ok(())
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
    let order = link.order_by(kind.sorts(), "t.created_time")?.replace(", id ", ", t.id ");
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
        for (sql, values) in search::name_predicate(&svc.db, &svc.name_samples, kind, "t", text, pat).await? {
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
        &rows::columns(kind, false),
        &filter,
        &order,
        &binds,
        link,
        total,
        |r| rows::from_row(kind, r, false),
    )
    .await
}

/// `GET /api/tenant/{kind}?{kind}Name=`: one thing by its exact name (case-insensitive), if the caller may read it.
pub async fn by_name(svc: &Services, p: &Principal, kind: Kind, name: &str) -> ServiceResult<Thing> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let sql = format!(
        "SELECT {} FROM {} t WHERE t.tenant_id = $1 AND t.name_lower = $2 ORDER BY t.created_time, t.id LIMIT 1",
        rows::columns(kind, true),
        kind.table()
    );
    let row = sqlx::query(&sql)
        .bind(tenant.0.to_string())
        .bind(name.trim().to_lowercase())
        .fetch_optional(&svc.db.pool)
        .await?;
    let t = match row {
        Some(r) => rows::from_row(kind, &r, true)?,
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

/// Owner names and groups for a page of things, in two queries whatever the page size.
pub async fn decorate(svc: &Services, things: &[Thing]) -> ServiceResult<Vec<(String, Vec<EntityInfo>)>> {
    let items: Vec<(Uuid, Uuid)> = things.iter().map(|t| (t.id, t.owner)).collect();
    crate::backend::owners::infos::owners_and_groups(svc, &items).await
}

/// Gives a thing to another owner inside `tx`: it leaves every group and joins the new owner's "All" group
/// (the caller adds any requested groups).
pub async fn move_to(tx: &mut Transaction<'_, Any>, kind: Kind, id: Uuid, owner: Uuid) -> ServiceResult<()> {
    sqlx::query(&format!("UPDATE {} SET owner_id = $1, version = version + 1 WHERE id = $2", kind.table()))
        .bind(owner.to_string())
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    store::leave_all_groups(tx, id).await?;
    store::join_all(tx, owner, kind.group_type(), id).await
}

/// Everything `from` owns goes to `to` (a deleted customer's things return to its owner), joining `to`'s "All"
/// groups; `from`'s groups are deleted by the caller.
pub async fn hand_over_all(tx: &mut Transaction<'_, Any>, from: Uuid, to: Uuid) -> ServiceResult<()> {
    for kind in Kind::EVERY {
        let table = kind.table();
        sqlx::query(&format!(
            "DELETE FROM entity_group_member WHERE entity_id IN (SELECT id FROM {table} WHERE owner_id = $1)"
        ))
        .bind(from.to_string())
        .execute(&mut **tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO entity_group_member (group_id, entity_id) SELECT g.id, t.id FROM {table} t \
             JOIN entity_group g ON g.owner_id = $2 AND g.group_type = $3 AND g.name = 'All' WHERE t.owner_id = $1"
        ))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(kind.group_type().as_str())
        .execute(&mut **tx)
        .await?;
        sqlx::query(&format!("UPDATE {table} SET owner_id = $1, version = version + 1 WHERE owner_id = $2"))
            .bind(to.to_string())
            .bind(from.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// `customerId` as ThingsBoard reports it: the owning customer, or the null id when the tenant owns it.
pub fn customer_of(t: &Thing) -> crate::model::CustomerId {
    crate::model::CustomerId(if t.owner == t.tenant { crate::model::NULL_UUID } else { t.owner })
}

/// `ownerId`: the tenant or the customer.
pub fn owner_of(t: &Thing) -> EntityId {
    let entity_type = if t.owner == t.tenant { EntityType::Tenant } else { EntityType::Customer };
    EntityId { entity_type, id: t.owner }
}

/// A string field of `details`.
pub fn detail_str(t: &Thing, key: &str) -> Option<String> {
    t.details.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Page `page` of things mapped with `f` (to wire shapes).
pub fn map_page<T, U>(page: PageData<T>, f: impl Fn(T) -> U) -> PageData<U> {
    PageData {
        data: page.data.into_iter().map(f).collect(),
        total_pages: page.total_pages,
        total_elements: page.total_elements,
        has_next: page.has_next,
    }
}

/// The same page with owner names and groups, built by `f(thing, owner_name, groups)`.
pub async fn decorated_page<U>(
    svc: &Services,
    page: PageData<Thing>,
    f: impl Fn(Thing, String, Vec<EntityInfo>) -> U,
) -> ServiceResult<PageData<U>> {
    let extra = decorate(svc, &page.data).await?;
    let PageData { data, total_pages, total_elements, has_next } = page;
    let data = data.into_iter().zip(extra).map(|(t, (owner, groups))| f(t, owner, groups)).collect();
    Ok(PageData { data, total_pages, total_elements, has_next })
}
