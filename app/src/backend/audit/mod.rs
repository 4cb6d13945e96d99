//! The audit log: who did what to which entity, when, and whether it worked. Entries are written after the change
//! they describe has committed (a failed audit write is logged and never undoes it) and carry the tenant and
//! customer they belong to, so lists reuse the access-control filter: an entry is visible to whoever may READ
//! `AUDIT_LOG` over the entry's owner (its customer, else its tenant).

use crate::backend::accounts::records::UserRecord;
use crate::backend::authz::entities::ListSource;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::paging::marks;
use crate::backend::kernel::paging::push_sql;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::ActionStatus;
use crate::model::AuditLog;
use crate::model::AuditLogId;
use crate::model::CustomerId;
use crate::model::EntityId;
use crate::model::EntityType;
use crate::model::PageData;
use crate::model::TenantId;
use crate::model::UserId;
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use uuid::Uuid;

/// What happened (ThingsBoard's `ActionType` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Added,
    Updated,
    Deleted,
    Login,
    Logout,
    Lockout,
    Activated,
    Suspended,
    CredentialsUpdated,
    ChangeOwner,
    /// Log in as another user started (the entity is the target, the user the one who impersonates).
    LoginAsUser,
    /// Entities joined a group (the entity is the group; the data names the members).
    AddedToEntityGroup,
    /// Entities left a group.
    RemovedFromEntityGroup,
}

impl Action {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "ADDED",
            Action::Updated => "UPDATED",
            Action::Deleted => "DELETED",
            Action::Login => "LOGIN",
            Action::Logout => "LOGOUT",
            Action::Lockout => "LOCKOUT",
            Action::Activated => "ACTIVATED",
            Action::Suspended => "SUSPENDED",
            Action::CredentialsUpdated => "CREDENTIALS_UPDATED",
            Action::ChangeOwner => "CHANGE_OWNER",
            Action::LoginAsUser => "LOGIN_AS_USER",
            Action::AddedToEntityGroup => "ADDED_TO_ENTITY_GROUP",
            Action::RemovedFromEntityGroup => "REMOVED_FROM_ENTITY_GROUP",
        }
    }
}

/// One entry to write.
#[derive(Clone, Debug)]
pub struct Entry {
    pub tenant: Option<Uuid>,
    pub customer: Option<Uuid>,
    pub entity: Option<(EntityType, Uuid, String)>,
    pub actor: Option<(Uuid, String)>,
    pub action: Action,
    pub data: Value,
    pub failure: Option<String>,
}

impl Entry {
    /// An action by `actor` on user `target`, filed under the target's tenant and customer.
    pub fn on_user(actor: Option<&Principal>, target: &UserRecord, action: Action) -> Entry {
        Entry {
            tenant: target.tenant_id.map(|t| t.0),
            customer: target.customer_id.filter(|c| !c.is_null()).map(|c| c.0),
            entity: Some((EntityType::User, target.id.0, target.email.clone())),
            actor: actor.map(|p| (p.user_id.0, p.email.clone())),
            action,
            data: Value::Null,
            failure: None,
        }
    }

    /// Something that happened to a user's own account through the user (sign-in, lockout, reset).
    pub fn by_user_itself(u: &UserRecord, action: Action) -> Entry {
        let mut e = Entry::on_user(None, u, action);
        e.actor = Some((u.id.0, u.email.clone()));
        e
    }

    /// An action by `p` on an entity, filed under the caller's owner (so its administrators see it).
    pub fn by(p: &Principal, action: Action, entity_type: EntityType, id: Uuid, name: &str) -> Entry {
        Entry {
            tenant: p.tenant_id.map(|t| t.0),
            customer: p.customer_id.filter(|c| !c.is_null()).map(|c| c.0),
            entity: Some((entity_type, id, name.to_string())),
            actor: Some((p.user_id.0, p.email.clone())),
            action,
            data: Value::Null,
            failure: None,
        }
    }

    /// The same entry filed under `owner` (a customer, or the tenant itself), so the administrators of what was
    /// changed see it rather than only those of whoever changed it.
    pub fn under(mut self, tenant: Uuid, owner: Uuid) -> Entry {
        self.tenant = Some(tenant);
        self.customer = (owner != tenant).then_some(owner);
        self
    }

    /// The same entry with data.
    pub fn with(mut self, data: Value) -> Entry {
        self.data = data;
        self
    }

    /// The same entry, failed.
    pub fn failed(mut self, why: &str) -> Entry {
        self.failure = Some(why.to_string());
        self
    }
}

/// Writes an entry; a failure to write is logged, never returned (the audited change already happened).
pub async fn record(svc: &Services, e: Entry) {
    let status = if e.failure.is_some() { "FAILURE" } else { "SUCCESS" };
    let res = sqlx::query(
        "INSERT INTO audit_log (id, created_time, tenant_id, customer_id, entity_type, entity_id, entity_name, user_id, \
         user_name, action_type, action_data, action_status, action_failure_details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(now_ms())
    .bind(e.tenant.map(|t| t.to_string()))
    .bind(e.customer.map(|c| c.to_string()))
    .bind(e.entity.as_ref().map(|x| x.0.as_str().to_string()))
    .bind(e.entity.as_ref().map(|x| x.1.to_string()))
    .bind(e.entity.as_ref().map(|x| x.2.clone()))
    .bind(e.actor.as_ref().map(|a| a.0.to_string()))
    .bind(e.actor.as_ref().map(|a| a.1.clone()))
    .bind(e.action.as_str())
    .bind((!e.data.is_null()).then(|| e.data.to_string()))
    .bind(status)
    .bind(e.failure.clone())
    .execute(svc.db.writer())
    .await;
    if let Err(err) = res {
        tracing::error!("audit entry {:?} not written: {err}", e.action);
    }
}

/// A lockout, filed as the user's own action.
pub async fn record_lockout(svc: &Services, u: &UserRecord, failures: i64) {
    record(svc, Entry::by_user_itself(u, Action::Lockout).with(json!({"failedAttempts": failures}))).await;
}

/// Which entries a list is about, before visibility.
#[derive(Clone, Copy, Debug)]
pub enum AuditScope {
    Everything,
    /// Done by this user.
    User(Uuid),
    /// Filed under this customer.
    Customer(Uuid),
    /// About this entity.
    Entity(Uuid),
}

/// Entries are owned by their customer, else their tenant.
const SOURCE: ListSource =
    ListSource { table: "audit_log", alias: "a", owner: |a| format!("COALESCE({a}.customer_id, {a}.tenant_id)") };

const COLUMNS: &str = "a.id, a.created_time, a.tenant_id, a.customer_id, a.entity_type, a.entity_id, a.entity_name, \
     a.user_id, a.user_name, a.action_type, a.action_data, a.action_status, a.action_failure_details";

fn uuid(s: Option<String>) -> ServiceResult<Option<Uuid>> {
    s.map(|s| Uuid::parse_str(&s).map_err(|e| ServiceError::Internal(format!("audit uuid: {e}")))).transpose()
}

fn from_row(r: &AnyRow) -> ServiceResult<AuditLog> {
    let entity_type: Option<String> = r.try_get("entity_type")?;
    let entity_id = uuid(r.try_get("entity_id")?)?;
    let entity = match (entity_type, entity_id) {
        (Some(t), Some(id)) => {
            serde_json::from_value::<EntityType>(Value::String(t)).ok().map(|entity_type| EntityId { entity_type, id })
        }
        _ => None,
    };
    let data: Option<String> = r.try_get("action_data")?;
    let status: String = r.try_get("action_status")?;
    Ok(AuditLog {
        id: AuditLogId(uuid(r.try_get("id")?)?.unwrap_or_default()),
        created_time: r.try_get("created_time")?,
        tenant_id: uuid(r.try_get("tenant_id")?)?.map(TenantId),
        customer_id: uuid(r.try_get("customer_id")?)?.map(CustomerId),
        entity_id: entity,
        entity_name: r.try_get("entity_name")?,
        user_id: uuid(r.try_get("user_id")?)?.map(UserId),
        user_name: r.try_get("user_name")?,
        action_type: r.try_get("action_type")?,
        action_data: data.and_then(|d| serde_json::from_str(&d).ok()).unwrap_or(Value::Null),
        action_status: if status == "FAILURE" { ActionStatus::Failure } else { ActionStatus::Success },
        action_failure_details: r.try_get("action_failure_details")?,
    })
}

fn int(q: &HashMap<String, String>, name: &str) -> ServiceResult<Option<i64>> {
    q.get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ServiceError::BadRequestParams(format!("Invalid value '{v}' for parameter '{name}'")))
        })
        .transpose()
}

/// `GET /api/audit/logs[/user|customer|entity/…]`: newest first by default, with `startTime`, `endTime` and
/// `actionTypes` (comma-separated) as ThingsBoard takes them; visibility and paging in SQL.
pub async fn list(
    svc: &Services,
    p: &Principal,
    scope: AuditScope,
    q: &HashMap<String, String>,
) -> ServiceResult<PageData<AuditLog>> {
    let mut link = PageLink::from_query(q)?;
    if link.sort_property.is_none() {
        link.descending = true;
    }
    let order = link
        .order_by(
            &[
                ("createdTime", "a.created_time"),
                ("actionType", "a.action_type"),
                ("userName", "a.user_name"),
                ("entityName", "a.entity_name"),
            ],
            "a.created_time",
        )?
        .replace(", id ", ", a.id ");
    let mut from = String::from("FROM audit_log a WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    let push = |from: &mut String, binds: &mut Vec<String>, sql: &str, v: String| push_sql(from, binds, sql, vec![v]);
    if let Some(t) = p.tenant_id {
        push(&mut from, &mut binds, " AND a.tenant_id = $?", t.0.to_string());
    }
    match scope {
        AuditScope::Everything => {}
        AuditScope::User(u) => push(&mut from, &mut binds, " AND a.user_id = $?", u.to_string()),
        AuditScope::Customer(c) => push(&mut from, &mut binds, " AND a.customer_id = $?", c.to_string()),
        AuditScope::Entity(e) => push(&mut from, &mut binds, " AND a.entity_id = $?", e.to_string()),
    }
    if let Some(t) = int(q, "startTime")? {
        push(&mut from, &mut binds, " AND a.created_time >= $?", t.to_string());
    }
    if let Some(t) = int(q, "endTime")? {
        push(&mut from, &mut binds, " AND a.created_time <= $?", t.to_string());
    }
    if let Some(types) = q.get("actionTypes").filter(|t| !t.is_empty()) {
        let types: Vec<&str> = types.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
        if types.len() > 50
            || types.iter().any(|t| t.len() > 64 || !t.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        {
            return Err(ServiceError::BadRequestParams("Invalid value for parameter 'actionTypes'".into()));
        }
        let sql = format!(" AND a.action_type IN ({})", marks(types.len()));
        push_sql(&mut from, &mut binds, &sql, types.iter().map(|t| t.to_string()).collect());
    }
    if let Some(pat) = link.like_pattern() {
        let sql = " AND (LOWER(COALESCE(a.entity_name, '')) LIKE $? ESCAPE '\\' \
                   OR LOWER(COALESCE(a.user_name, '')) LIKE $? ESCAPE '\\' OR LOWER(a.action_type) LIKE $? ESCAPE '\\')";
        push_sql(&mut from, &mut binds, sql, vec![pat.clone(), pat.clone(), pat]);
    }
    let visible = crate::backend::authz::scopes::audit_filter(svc, p, SOURCE, binds.len() + 1).await?;
    if !visible.apply(&mut from, &mut binds) {
        return Ok(link.page_of(Vec::new(), 0));
    }
    crate::backend::kernel::paging::fetch(&svc.db.pool, COLUMNS, &from, &order, &binds, &link, from_row).await
}
