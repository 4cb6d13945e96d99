//! Customers and sub-customers: the inner nodes of the owner tree. Creating one hangs it into the tree, gives it
//! its "All" groups and puts it in its owner's "All" customer group, in one transaction. Deleting one follows
//! ThingsBoard: its users go, its sub-customers (and later its entities) move up to its own owner.

use crate::backend::authz::entities;
use crate::backend::authz::entities::EntityRef;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::naming;
use crate::backend::groups::naming::SaveOptions;
use crate::backend::groups::store;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::owners::contacts;
use crate::backend::owners::contacts::BindContact;
use crate::backend::owners::tree;
use crate::backend::services::Services;
use crate::model::Customer;
use crate::model::CustomerId;
use crate::model::CustomerInfo;
use crate::model::EntityId;
use crate::model::EntityInfo;
use crate::model::EntityType;
use crate::model::NULL_UUID;
use crate::model::TenantId;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

pub(crate) const COLUMNS: &str = "c.id, c.tenant_id, c.parent_customer_id, c.created_time, c.title, c.country, c.state, c.city, \
     c.address, c.address2, c.zip, c.phone, c.email, c.additional_info, c.version";

pub(crate) const SORTS: &[(&str, &str)] = &[
    ("createdTime", "c.created_time"),
    ("title", "c.title_lower"),
    ("email", "c.email"),
    ("country", "c.country"),
    ("city", "c.city"),
];

pub(crate) fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
}

pub(crate) fn from_row(r: &AnyRow) -> ServiceResult<Customer> {
    let id = uuid(&r.try_get::<String, _>("id")?)?;
    let tenant = uuid(&r.try_get::<String, _>("tenant_id")?)?;
    let parent = r.try_get::<Option<String>, _>("parent_customer_id")?.map(|s| uuid(&s)).transpose()?;
    let title: String = r.try_get("title")?;
    let info: Option<String> = r.try_get("additional_info")?;
    Ok(Customer {
        id: Some(CustomerId(id)),
        created_time: Some(r.try_get("created_time")?),
        name: Some(title.clone()),
        title: Some(title),
        tenant_id: Some(TenantId(tenant)),
        parent_customer_id: parent.map(CustomerId),
        customer_id: Some(CustomerId(parent.unwrap_or(NULL_UUID))),
        owner_id: Some(match parent {
            Some(p) => EntityId { entity_type: EntityType::Customer, id: p },
            None => EntityId { entity_type: EntityType::Tenant, id: tenant },
        }),
        contact: crate::backend::owners::contacts::from_row(r)?,
        additional_info: info.and_then(|s| serde_json::from_str(&s).ok()),
        version: Some(r.try_get("version")?),
    })
}

fn validate(c: &Customer) -> ServiceResult<String> {
    let title = validate::required("Customer", "title", &c.title)?;
    validate::max_len("title", &c.title)?;
    contacts::check(&c.contact)?;
    if title.eq_ignore_ascii_case("public") {
        return Err(ServiceError::InvalidArguments("'Public' title for customer is system reserved!".into()));
    }
    if c.additional_info.as_ref().is_some_and(|v| !v.is_object() && !v.is_null()) {
        return Err(ServiceError::InvalidArguments("additionalInfo must be a JSON object".into()));
    }
    Ok(title)
}

fn info_json(v: &Option<Value>) -> Option<String> {
    v.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string())
}

fn title_taken_error() -> ServiceError {
    ServiceError::InvalidArguments("Customer with such title already exists!".into())
}

fn unique_violation(e: sqlx::Error) -> ServiceError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => title_taken_error(),
        _ => e.into(),
    }
}

async fn load(svc: &Services, id: CustomerId) -> ServiceResult<Option<Customer>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM customer c WHERE c.id = $1"))
        .bind(id.0.to_string())
        .fetch_optional(&svc.db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) fn tenant_of(p: &Principal) -> ServiceResult<TenantId> {
    p.tenant_id.ok_or(ServiceError::Forbidden)
}

/// The customer as the authorization checks see it: owned by its parent customer, or by the tenant.
pub fn entity_ref(c: &Customer) -> ServiceResult<EntityRef> {
    let tenant = c.tenant_id.ok_or_else(|| ServiceError::Internal("customer without tenant".into()))?.0;
    let id = c.id.ok_or_else(|| ServiceError::Internal("customer without id".into()))?.0;
    Ok(EntityRef {
        tenant,
        id,
        owner: c.parent_customer_id.map(|p| p.0).unwrap_or(tenant),
        resource: Resource::Customer,
    })
}

/// `POST /api/customer`: creates without `id`, updates with it.
pub async fn save(svc: &Services, p: &Principal, c: &Customer, opts: &SaveOptions) -> ServiceResult<Customer> {
    let title = validate(c)?;
    if let Some(id) = c.id {
        return update(svc, p, id, c, title).await;
    }
    let tenant = tenant_of(p)?;
    let parent = c.parent_customer_id.filter(|p| !p.is_null());
    let id = CustomerId(Uuid::now_v7());
    let mut tx = svc.db.begin_write().await?;
    if let Some(parent) = parent {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer WHERE id = $1 AND tenant_id = $2")
            .bind(parent.0.to_string())
            .bind(tenant.0.to_string())
            .fetch_one(&mut *tx)
            .await?;
        if n == 0 {
            return Err(ServiceError::not_found("Customer", parent));
        }
    }
    entities::check_create(svc, p, Resource::Customer, tenant.0, parent.map(|p| p.0).unwrap_or(tenant.0)).await?;
    let title =
        naming::free_name(&mut tx, "customer", "title_lower", tenant.0, title, &opts.name_conflict, &title_taken_error)
            .await?;
    sqlx::query(&format!(
        "INSERT INTO customer ({}, title_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15)",
        COLUMNS.replace("c.", "")
    ))
    .bind(id.0.to_string())
    .bind(tenant.0.to_string())
    .bind(parent.map(|p| p.0.to_string()))
    .bind(now_ms())
    .bind(&title)
    .bind_contact(&c.contact)
    .bind(info_json(&c.additional_info))
    .bind(title.to_lowercase())
    .execute(&mut *tx)
    .await
    .map_err(unique_violation)?;
    let owner = parent.map(|p| p.0).unwrap_or(tenant.0);
    tree::add_child(&mut tx, tenant.0, id.0, owner).await?;
    store::create_all_groups(&mut tx, tenant.0, id.0, "CUSTOMER").await?;
    crate::backend::groups::roles::create_customer_defaults(&mut tx, tenant.0, id.0, parent.map(|p| p.0)).await?;
    store::join_all(&mut tx, owner, GroupType::Customer, id.0).await?;
    for g in &opts.entity_group_ids {
        store::join(&mut tx, tenant.0, owner, GroupType::Customer, *g, id.0).await?;
    }
    tx.commit().await?;
    let c = load(svc, id).await?.ok_or_else(|| ServiceError::Internal("customer vanished after insert".into()))?;
    audit(svc, p, crate::backend::audit::Action::Added, &c).await;
    Ok(c)
}

/// Records a change to a customer, filed under the customer itself (its administrators see it, and those above).
async fn audit(svc: &Services, p: &Principal, action: crate::backend::audit::Action, c: &Customer) {
    let (Some(id), Some(tenant)) = (c.id, c.tenant_id) else { return };
    let e = crate::backend::audit::Entry::by(
        p,
        action,
        crate::model::EntityType::Customer,
        id.0,
        c.title.as_deref().unwrap_or(""),
    )
    .under(tenant.0, id.0);
    crate::backend::audit::record(svc, e).await;
}

async fn update(svc: &Services, p: &Principal, id: CustomerId, c: &Customer, title: String) -> ServiceResult<Customer> {
    let current = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Customer", id))?;
    let tenant = current.tenant_id.ok_or_else(|| ServiceError::Internal("customer without tenant".into()))?;
    entities::check(svc, p, Operation::Write, &entity_ref(&current)?, "Customer").await?;
    if c.parent_customer_id.filter(|p| !p.is_null()) != current.parent_customer_id && c.parent_customer_id.is_some() {
        return Err(ServiceError::InvalidArguments(
            "A customer moves to another owner through /api/owner, not by editing parentCustomerId".into(),
        ));
    }
    let done = sqlx::query(
        "UPDATE customer SET title = $1, title_lower = $2, country = $3, state = $4, city = $5, address = $6, \
         address2 = $7, zip = $8, phone = $9, email = $10, additional_info = $11, version = version + 1 \
         WHERE id = $12 AND tenant_id = $13 AND ($14 < 0 OR version = $14)",
    )
    .bind(&title)
    .bind(title.to_lowercase())
    .bind_contact(&c.contact)
    .bind(info_json(&c.additional_info))
    .bind(id.0.to_string())
    .bind(tenant.0.to_string())
    .bind(c.version.unwrap_or(-1))
    .execute(svc.db.writer())
    .await
    .map_err(unique_violation)?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::VersionConflict(
            "Customer was already changed by someone else! Reload it and try again.".into(),
        ));
    }
    let c = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Customer", id))?;
    audit(svc, p, crate::backend::audit::Action::Updated, &c).await;
    Ok(c)
}

/// The authorization view of a customer, if it exists (for permission queries).
pub async fn get_ref(svc: &Services, id: CustomerId) -> ServiceResult<Option<EntityRef>> {
    load(svc, id).await?.as_ref().map(entity_ref).transpose()
}

/// `GET /api/customer/{id}`.
pub async fn get(svc: &Services, p: &Principal, id: CustomerId) -> ServiceResult<Customer> {
    let c = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Customer", id))?;
    entities::check(svc, p, Operation::Read, &entity_ref(&c)?, "Customer").await?;
    Ok(c)
}

/// `GET /api/customer/info/{id}`.
pub async fn get_info(svc: &Services, p: &Principal, id: CustomerId) -> ServiceResult<CustomerInfo> {
    let c = get(svc, p, id).await?;
    crate::backend::owners::infos::decorated_one(svc, c, info_key, info_of).await
}

/// `GET /api/tenant/customers?customerTitle=`.
pub async fn by_title(svc: &Services, p: &Principal, title: &str) -> ServiceResult<Customer> {
    let tenant = tenant_of(p)?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM customer c WHERE c.tenant_id = $1 AND c.title_lower = $2 AND c.is_public = 0"
    ))
    .bind(tenant.0.to_string())
    .bind(title.trim().to_lowercase())
    .fetch_optional(&svc.db.pool)
    .await?;
    let c = match row {
        Some(r) => from_row(&r)?,
        None => return Err(ServiceError::NotFound(format!("Customer with title [{title}] is not found"))),
    };
    entities::check(svc, p, Operation::Read, &entity_ref(&c)?, "Customer").await?;
    Ok(c)
}

/// Deletes a public customer (a leaf that owns only its groups and, later, its public users).
async fn remove_public_customer(tx: &mut Transaction<'_, Any>, tenant: Uuid, id: Uuid) -> ServiceResult<Vec<String>> {
    let users = delete_users_of(tx, id).await?;
    store::leave_all_groups(tx, id).await?;
    store::delete_owned(tx, id).await?;
    tree::remove_leaf(tx, tenant, id).await?;
    sqlx::query("DELETE FROM customer WHERE id = $1").bind(id.to_string()).execute(&mut **tx).await?;
    Ok(users)
}

/// Deletes a customer's users (out of every group first); answers their ids so their sessions can be dropped.
async fn delete_users_of(tx: &mut Transaction<'_, Any>, customer: Uuid) -> ServiceResult<Vec<String>> {
    let users: Vec<String> = sqlx::query_scalar("SELECT id FROM tb_user WHERE customer_id = $1")
        .bind(customer.to_string())
        .fetch_all(&mut **tx)
        .await?;
    for u in &users {
        store::leave_all_groups(tx, uuid(u)?).await?;
    }
    sqlx::query("DELETE FROM tb_user WHERE customer_id = $1").bind(customer.to_string()).execute(&mut **tx).await?;
    Ok(users)
}

/// `DELETE /api/customer/{id}`: the customer's users are deleted, its sub-customers move up to its owner, its
/// groups go; all or nothing.
pub async fn delete(svc: &Services, p: &Principal, id: CustomerId) -> ServiceResult<()> {
    let c = load(svc, id).await?.ok_or_else(|| ServiceError::not_found("Customer", id))?;
    let tenant = c.tenant_id.ok_or_else(|| ServiceError::Internal("customer without tenant".into()))?;
    entities::check(svc, p, Operation::Delete, &entity_ref(&c)?, "Customer").await?;
    let owner = c.parent_customer_id.map(|p| p.0).unwrap_or(tenant.0);
    let mut tx = svc.db.begin_write().await?;
    let mut users = delete_users_of(&mut tx, id.0).await?;
    // Its hidden public customer goes with it (its owner already has, or will create, its own).
    let public: Vec<String> =
        sqlx::query_scalar("SELECT id FROM customer WHERE parent_customer_id = $1 AND is_public = 1")
            .bind(id.0.to_string())
            .fetch_all(&mut *tx)
            .await?;
    for pc in &public {
        users.extend(remove_public_customer(&mut tx, tenant.0, uuid(pc)?).await?);
    }
    let children: Vec<String> = sqlx::query_scalar("SELECT id FROM customer WHERE parent_customer_id = $1")
        .bind(id.0.to_string())
        .fetch_all(&mut *tx)
        .await?;
    for child in &children {
        let child = uuid(child)?;
        sqlx::query("UPDATE customer SET parent_customer_id = $1, version = version + 1 WHERE id = $2")
            .bind(c.parent_customer_id.map(|p| p.0.to_string()))
            .bind(child.to_string())
            .execute(&mut *tx)
            .await?;
        tree::move_subtree(&mut tx, tenant.0, child, owner).await?;
        store::leave_all_groups(&mut tx, child).await?;
        store::join_all(&mut tx, owner, GroupType::Customer, child).await?;
    }
    crate::backend::things::moves::hand_over_all(&mut tx, id.0, owner).await?;
    store::leave_all_groups(&mut tx, id.0).await?;
    store::delete_owned(&mut tx, id.0).await?;
    tree::remove_leaf(&mut tx, tenant.0, id.0).await?;
    let done = sqlx::query("DELETE FROM customer WHERE id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::not_found("Customer", id));
    }
    // The deleted customer's roles went with it (cascade); its former children use their new owner's roles.
    for child in &children {
        crate::backend::groups::roles::rebind_customer_defaults(
            &mut tx,
            tenant.0,
            uuid(child)?,
            c.parent_customer_id.map(|p| p.0),
        )
        .await?;
    }
    crate::backend::authz::epochs::bump(&mut tx, tenant.0).await?;
    tx.commit().await?;
    for u in users {
        svc.sessions.forget_user(crate::model::UserId(uuid(&u)?));
    }
    // Filed under the owner it belonged to: the customer itself is gone.
    let e = crate::backend::audit::Entry::by(
        p,
        crate::backend::audit::Action::Deleted,
        crate::model::EntityType::Customer,
        id.0,
        c.title.as_deref().unwrap_or(""),
    )
    .under(tenant.0, owner);
    crate::backend::audit::record(svc, e).await;
    Ok(())
}

/// The (id, owner) a customer's info shape is decorated by: its parent, or its tenant at the top.
pub fn info_key(c: &Customer) -> (Uuid, Uuid) {
    let id = c.id.map(|i| i.0).unwrap_or_default();
    let owner = c.parent_customer_id.map(|p| p.0).or(c.tenant_id.map(|t| t.0)).unwrap_or_default();
    (id, owner)
}

/// The info shape: the customer with its owner's title and its groups.
pub fn info_of(customer: Customer, owner_name: String, groups: Vec<EntityInfo>) -> CustomerInfo {
    CustomerInfo { customer, owner_name, groups }
}
