//! What customers own — devices, assets, dashboards, edges — stored in one table each with the same core, served by
//! this one service so that creating, owning, grouping, checking and listing work the same for all four. The
//! per-kind modules only map the wire shapes and add what is theirs (device credentials, dashboard
//! configuration, edge routing keys).

pub mod assets;
pub mod dashboards;
pub mod devices;
pub mod edges;
pub mod kind;
pub mod lists;
pub mod moves;
pub mod rows;
pub mod search;
pub mod wire;

use crate::backend::authz::entities;
use crate::backend::authz::entities::EntityRef;
use crate::backend::groups::naming;
use crate::backend::groups::naming::SaveOptions;
use crate::backend::groups::store;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::services::Services;
use crate::backend::things::kind::{Extra, Kind};
use crate::backend::things::rows::Thing;
use crate::model::EntityId;
use crate::model::EntityType;
use crate::model::permissions::Operation;
use serde_json::{Map, Value};
use sqlx::{Any, Transaction};
use uuid::Uuid;

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
    let name = validate::required(kind.label(), kind.spec().name_field, &d.name)?;
    validate::max_len(kind.spec().name_field, &d.name)?;
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

/// The column a kind stores beyond the core and the value a draft gives it.
fn extra_column(kind: Kind, d: &Draft) -> Option<(&'static str, Option<String>)> {
    match kind.spec().extra {
        Extra::None => None,
        Extra::Configuration => Some(("configuration", json_text(&d.configuration))),
        Extra::RoutingKey => Some(("routing_key", d.routing_key.clone())),
    }
}

fn unique_violation(kind: Kind) -> impl Fn(sqlx::Error) -> ServiceError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            if kind.spec().extra == Extra::RoutingKey && d.message().contains("routing") {
                ServiceError::InvalidArguments("Edge with such routing key already exists!".into())
            } else {
                kind.taken()
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
    let name = if kind.spec().unique_names {
        naming::free_name(tx, kind.table(), "name_lower", tenant, name, &opts.name_conflict, &|| kind.taken()).await?
    } else {
        name
    };
    let id = Uuid::now_v7();
    let extra = extra_column(kind, d);
    let (extra_cols, extra_vals) = match extra {
        Some((col, _)) => (format!(", {col}"), ", $11"),
        None => (String::new(), ""),
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
    if let Some((_, value)) = extra {
        q = q.bind(value);
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
    let extra_value = extra_column(kind, d);
    let extra = extra_value.as_ref().map(|(col, _)| format!(", {col} = $10")).unwrap_or_default();
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
    if let Some((_, value)) = extra_value {
        q = q.bind(value);
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
    // A device's credentials go with it (foreign key cascade).
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
