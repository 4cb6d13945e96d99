//! Entity group management behind `/api/entityGroup*`: custom groups, the "All" lookups, members. A group is
//! checked like ThingsBoard PE does: a Generic `<TYPE>_GROUP` grant applies over the caller's owner subtree;
//! a Group role bound to the group grants its operations, except those only the group's owner side may do
//! (create, write, delete). Adding and removing members needs the owner side too (not Group-role operations).

use crate::backend::audit;
use crate::backend::audit::Action;
use crate::backend::authz::Decision;
use crate::backend::authz::groups as authz_groups;
use crate::backend::authz::groups::GroupObject;
use crate::backend::authz::groups::ReadableGroup;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::store::ALL;
use crate::backend::groups::store::RESERVED;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::services::Services;
use crate::model::EntityGroupId;
use crate::model::EntityGroupInfo;
use crate::model::EntityId;
use crate::model::EntityType;
use crate::model::TenantId;
use crate::model::permissions::Operation;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// A stored group.
#[derive(Clone, Debug)]
pub struct Group {
    pub id: Uuid,
    pub tenant: Uuid,
    pub owner: Uuid,
    pub owner_type: String,
    pub group_type: GroupType,
    pub name: String,
    pub created_time: i64,
    pub additional_info: Option<Value>,
    pub configuration: Option<Value>,
    pub version: i64,
}

pub(crate) const COLUMNS: &str = "g.id, g.tenant_id, g.owner_id, g.owner_type, g.group_type, g.name, g.created_time, g.additional_info, g.configuration, g.version";

pub(crate) fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
}

pub(crate) fn from_row(r: &AnyRow) -> ServiceResult<Group> {
    let gt: String = r.try_get("group_type")?;
    let json = |c: &str| -> ServiceResult<Option<Value>> {
        Ok(r.try_get::<Option<String>, _>(c)?.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(Group {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        tenant: uuid(&r.try_get::<String, _>("tenant_id")?)?,
        owner: uuid(&r.try_get::<String, _>("owner_id")?)?,
        owner_type: r.try_get("owner_type")?,
        group_type: GroupType::parse(&gt).ok_or_else(|| ServiceError::Internal(format!("group type {gt}")))?,
        name: r.try_get("name")?,
        created_time: r.try_get("created_time")?,
        additional_info: json("additional_info")?,
        configuration: json("configuration")?,
        version: r.try_get("version")?,
    })
}

pub(crate) async fn load(svc: &Services, id: Uuid) -> ServiceResult<Option<Group>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM entity_group g WHERE g.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&svc.db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

fn owner_id(tenant: Uuid, owner: Uuid) -> EntityId {
    EntityId { entity_type: if owner == tenant { EntityType::Tenant } else { EntityType::Customer }, id: owner }
}

/// The wire shape, with the owner chain (owner first, tenant last).
pub async fn info(svc: &Services, g: &Group) -> ServiceResult<EntityGroupInfo> {
    infos(svc, std::slice::from_ref(g))
        .await?
        .pop()
        .ok_or_else(|| ServiceError::Internal("a group's info went missing".into()))
}

/// The wire shapes of a page of groups: every owner chain in one query.
pub async fn infos(svc: &Services, groups: &[Group]) -> ServiceResult<Vec<EntityGroupInfo>> {
    let mut chains: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    if !groups.is_empty() {
        let owners: std::collections::BTreeSet<String> = groups.iter().map(|g| g.owner.to_string()).collect();
        let marks = (1..=owners.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT descendant, ancestor FROM owner_closure WHERE descendant IN ({marks}) ORDER BY descendant, depth"
        );
        let mut q = sqlx::query(&sql);
        for o in &owners {
            q = q.bind(o.clone());
        }
        for r in q.fetch_all(&svc.db.pool).await? {
            let d = uuid(&r.try_get::<String, _>("descendant")?)?;
            chains.entry(d).or_default().push(uuid(&r.try_get::<String, _>("ancestor")?)?);
        }
    }
    Ok(groups
        .iter()
        .map(|g| EntityGroupInfo {
            id: Some(EntityGroupId(g.id)),
            created_time: Some(g.created_time),
            group_type: Some(g.group_type.as_str().into()),
            name: Some(g.name.clone()),
            owner_id: Some(owner_id(g.tenant, g.owner)),
            tenant_id: Some(TenantId(g.tenant)),
            additional_info: g.additional_info.clone(),
            configuration: g.configuration.clone(),
            version: Some(g.version),
            group_all: g.name == ALL,
            owner_ids: chains.get(&g.owner).into_iter().flatten().map(|a| owner_id(g.tenant, *a)).collect(),
        })
        .collect())
}

impl Group {
    /// The group as `authz` decides on it.
    pub fn object(&self) -> GroupObject {
        GroupObject {
            id: self.id,
            tenant: self.tenant,
            owner: self.owner,
            members: self.group_type.member_resource(),
            resource: self.group_type.group_resource(),
        }
    }
}

/// ThingsBoard's decision for `op` on the group object itself.
pub async fn decide(svc: &Services, p: &Principal, op: Operation, g: &Group) -> ServiceResult<Decision> {
    authz_groups::decide(svc, p, op, &g.object()).await
}

/// A group the caller may read, holding `expected` entities when given: what every list of a group's members
/// takes (`authz::groups::ReadableGroup`).
pub async fn read(
    svc: &Services,
    p: &Principal,
    id: EntityGroupId,
    expected: Option<GroupType>,
) -> ServiceResult<(Group, ReadableGroup)> {
    let g = load(svc, id.0).await?.ok_or_else(|| ServiceError::not_found("Entity group", id))?;
    let readable = authz_groups::readable(svc, p, g.object()).await?;
    if let Some(t) = expected
        && t != g.group_type
    {
        return Err(ServiceError::BadRequestParams(format!(
            "Entity group [{}] holds {} entities, not {}",
            g.id,
            g.group_type.as_str(),
            t.as_str()
        )));
    }
    Ok((g, readable))
}

pub(crate) async fn check(svc: &Services, p: &Principal, op: Operation, g: &Group) -> ServiceResult<()> {
    match decide(svc, p, op, g).await? {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ServiceError::Forbidden),
        Decision::Hidden => Err(ServiceError::not_found("Entity group", g.id)),
    }
}

/// A group the caller may `op`, or 403/404.
pub async fn get_checked(svc: &Services, p: &Principal, id: EntityGroupId, op: Operation) -> ServiceResult<Group> {
    let g = load(svc, id.0).await?.ok_or_else(|| ServiceError::not_found("Entity group", id))?;
    check(svc, p, op, &g).await?;
    Ok(g)
}

fn duplicate_name() -> ServiceError {
    ServiceError::InvalidArguments("Entity group with such name, type and owner already exists!".into())
}

/// Two requests creating the same name at once: the unique index decides, with the sequential answer.
fn name_violation(e: sqlx::Error) -> ServiceError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => duplicate_name(),
        _ => e.into(),
    }
}

fn reserved(name: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name.trim()))
}

async fn name_taken(
    svc: &Services,
    owner: Uuid,
    t: GroupType,
    name: &str,
    except: Option<Uuid>,
) -> ServiceResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entity_group WHERE owner_id = $1 AND group_type = $2 AND name_lower = $3 AND id <> $4",
    )
    .bind(owner.to_string())
    .bind(t.as_str())
    .bind(name.to_lowercase())
    .bind(except.map(|e| e.to_string()).unwrap_or_default())
    .fetch_one(&svc.db.pool)
    .await?;
    Ok(n > 0)
}

/// `POST /api/entityGroup`: creates a custom group (owner defaults to the caller's owner) or updates one.
pub async fn save(svc: &Services, p: &Principal, e: &EntityGroupInfo) -> ServiceResult<EntityGroupInfo> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let name = validate::required("Entity group", "name", &e.name)?;
    validate::max_len("name", &e.name)?;
    for (what, v) in [("additionalInfo", &e.additional_info), ("configuration", &e.configuration)] {
        if v.as_ref().is_some_and(|v| !v.is_object() && !v.is_null()) {
            return Err(ServiceError::InvalidArguments(format!("{what} must be a JSON object")));
        }
    }
    let json = |v: &Option<Value>| v.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string());
    if let Some(id) = e.id {
        let g = get_checked(svc, p, id, Operation::Write).await?;
        if reserved(&g.name) || (reserved(&name) && !g.name.eq_ignore_ascii_case(&name)) {
            return Err(ServiceError::InvalidArguments(format!("Entity group name '{name}' is reserved")));
        }
        if name_taken(svc, g.owner, g.group_type, &name, Some(g.id)).await? {
            return Err(duplicate_name());
        }
        let done = sqlx::query(
            "UPDATE entity_group SET name = $1, name_lower = $2, additional_info = $3, configuration = $4, \
             version = version + 1 WHERE id = $5 AND ($6 < 0 OR version = $6)",
        )
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(json(&e.additional_info))
        .bind(json(&e.configuration))
        .bind(g.id.to_string())
        .bind(e.version.unwrap_or(-1))
        .execute(svc.db.writer())
        .await
        .map_err(name_violation)?;
        if done.rows_affected() == 0 {
            return Err(ServiceError::VersionConflict(
                "Entity group was already changed by someone else! Reload it and try again.".into(),
            ));
        }
        let renamed = (g.name != name).then(|| serde_json::json!({"previousName": g.name}));
        let g = load(svc, g.id).await?.ok_or_else(|| ServiceError::not_found("Entity group", g.id))?;
        audit_group(svc, p, Action::Updated, &g, renamed.unwrap_or_default()).await;
        return info(svc, &g).await;
    }
    let t = e
        .group_type
        .as_deref()
        .and_then(GroupType::parse)
        .ok_or_else(|| ServiceError::InvalidArguments("Entity group type should be specified".into()))?;
    let root = p.owner().unwrap_or(tenant.0);
    let owner = match e.owner_id {
        None => root,
        Some(o) if o.entity_type == EntityType::Tenant && o.id == tenant.0 => o.id,
        Some(o) if o.entity_type == EntityType::Customer => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer WHERE id = $1 AND tenant_id = $2")
                .bind(o.id.to_string())
                .bind(tenant.0.to_string())
                .fetch_one(&svc.db.pool)
                .await?;
            if n == 0 {
                return Err(ServiceError::not_found("Customer", o.id));
            }
            o.id
        }
        Some(_) => {
            return Err(ServiceError::InvalidArguments("ownerId must be the tenant or one of its customers".into()));
        }
    };
    check_new(svc, p, owner, t, &name).await?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entity_group (id, tenant_id, owner_id, owner_type, group_type, name, name_lower, created_time, \
         additional_info, configuration, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
    )
    .bind(id.to_string())
    .bind(tenant.0.to_string())
    .bind(owner.to_string())
    .bind(if owner == tenant.0 { "TENANT" } else { "CUSTOMER" })
    .bind(t.as_str())
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(now_ms())
    .bind(json(&e.additional_info))
    .bind(json(&e.configuration))
    .execute(svc.db.writer())
    .await
    .map_err(name_violation)?;
    let g = load(svc, id).await?.ok_or_else(|| ServiceError::Internal("group vanished after insert".into()))?;
    audit_group(svc, p, Action::Added, &g, Value::Null).await;
    info(svc, &g).await
}

/// Everything creating group `name` of type `t` under `owner` needs, checked before anything is written, so a
/// caller that creates it inside a larger transaction (moving an entity into a new group) refuses cleanly
/// first: CREATE on that group type there, a name that is given, not too long, not reserved and not taken.
/// Answers the name as it will be stored.
pub async fn check_new(svc: &Services, p: &Principal, owner: Uuid, t: GroupType, name: &str) -> ServiceResult<String> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    let name = validate::required("Entity group", "name", &Some(name.to_string()))?;
    validate::max_len("name", &Some(name.clone()))?;
    if reserved(&name) {
        return Err(ServiceError::InvalidArguments(format!("Entity group name '{name}' is reserved")));
    }
    crate::backend::authz::entities::check_create(svc, p, t.group_resource(), tenant.0, owner).await?;
    if name_taken(svc, owner, t, &name, None).await? {
        return Err(duplicate_name());
    }
    Ok(name)
}

/// Audits a group created by another service's transaction (see [`check_new`]) once that has committed.
pub async fn audit_added(svc: &Services, p: &Principal, id: Uuid) {
    if let Ok(Some(g)) = load(svc, id).await {
        audit_group(svc, p, Action::Added, &g, Value::Null).await;
    }
}

/// Group changes are audited with the group as the entity, filed under the group's owner, its type in the data.
pub(crate) async fn audit_group(svc: &Services, p: &Principal, action: Action, g: &Group, data: Value) {
    let mut data = if data.is_object() { data } else { serde_json::json!({}) };
    data["groupType"] = serde_json::json!(g.group_type.as_str());
    let e = audit::Entry::by(p, action, EntityType::EntityGroup, g.id, &g.name).under(g.tenant, g.owner);
    audit::record(svc, e.with(data)).await;
}

/// `DELETE /api/entityGroup/{id}`: not the automatic groups; members stay, only their membership goes.
pub async fn delete(svc: &Services, p: &Principal, id: EntityGroupId) -> ServiceResult<()> {
    let g = get_checked(svc, p, id, Operation::Delete).await?;
    if reserved(&g.name) {
        return Err(ServiceError::InvalidArguments(format!("Removal of the group '{}' is prohibited", g.name)));
    }
    let mine: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM entity_group_member WHERE group_id = $1 AND entity_id = $2")
            .bind(g.id.to_string())
            .bind(p.user_id.0.to_string())
            .fetch_one(&svc.db.pool)
            .await?;
    if mine > 0 {
        return Err(ServiceError::InvalidArguments("You can't delete a user group you are a member of".into()));
    }
    let mut tx = svc.db.begin_write().await?;
    sqlx::query("DELETE FROM entity_group WHERE id = $1").bind(g.id.to_string()).execute(&mut *tx).await?;
    crate::backend::authz::epochs::bump(&mut tx, g.tenant).await?;
    tx.commit().await?;
    audit_group(svc, p, Action::Deleted, &g, Value::Null).await;
    Ok(())
}
