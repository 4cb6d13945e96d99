//! Changing an entity's owner (`/api/owner/{TENANT|CUSTOMER}/{ownerId}/{entityType}/{entityId}`), ThingsBoard
//! PE style: needs CHANGE_OWNER on the entity and the new owner inside the caller's subtree; the entity leaves all
//! its groups, joins the new owner's "All" group and the groups listed in the body (the new owner's, same type,
//! not "All"). A customer moves with its whole subtree and never under itself or its descendants.

use crate::backend::authz::entities;
use crate::backend::authz::entities::EntityRef;
use crate::backend::authz::entities::within;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::roles;
use crate::backend::groups::store;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::owners::customers;
use crate::backend::owners::tree;
use crate::backend::services::Services;
use crate::backend::things;
use crate::backend::things::kind::Kind;
use crate::model::Authority;
use crate::model::CustomerId;
use crate::model::UserId;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use uuid::Uuid;

/// The new owner named in the path.
#[derive(Clone, Copy, Debug)]
pub enum NewOwner {
    Tenant(Uuid),
    Customer(Uuid),
}

/// Moves `entity` of `entity_type` to `owner`, then into `groups` and, when named, into a group `new_group`
/// created for the new owner in the same transaction (the console's "create a new one!"): a refused move
/// leaves no group behind, a refused group moves nothing.
pub async fn change_owner(
    svc: &Services,
    p: &Principal,
    owner: NewOwner,
    entity_type: &str,
    entity: Uuid,
    groups: &[Uuid],
    new_group: Option<&str>,
) -> ServiceResult<()> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?.0;
    let target = match owner {
        NewOwner::Tenant(t) if t == tenant => t,
        NewOwner::Tenant(t) => return Err(ServiceError::NotFound(format!("Tenant with id [{t}] is not found"))),
        NewOwner::Customer(c) => {
            if c == tenant || !within(svc, tenant, tenant, c).await? {
                return Err(ServiceError::not_found("Customer", c));
            }
            c
        }
    };
    crate::backend::authz::scopes::check_in_subtree(svc, p, target).await?;
    let (current, group_type) = match entity_type {
        "CUSTOMER" => {
            let r = customers::get_ref(svc, CustomerId(entity))
                .await?
                .ok_or_else(|| ServiceError::not_found("Customer", entity))?;
            entities::check(svc, p, Operation::ChangeOwner, &r, "Customer").await?;
            if within(svc, tenant, entity, target).await? {
                return Err(ServiceError::InvalidArguments(
                    "A customer can't be moved under itself or its sub-customers".into(),
                ));
            }
            (r.owner, GroupType::Customer)
        }
        "USER" => {
            let u = crate::backend::accounts::records::find(&svc.db, UserId(entity))
                .await?
                .ok_or_else(|| ServiceError::not_found("User", entity))?;
            if u.tenant_id.map(|t| t.0) != Some(tenant) {
                return Err(ServiceError::not_found("User", entity));
            }
            if u.authority != Authority::CustomerUser || target == tenant {
                return Err(ServiceError::InvalidArguments(
                    "Only customer users move, and only between customers".into(),
                ));
            }
            let owner = u.customer_id.map(|c| c.0).unwrap_or(tenant);
            let r = EntityRef { tenant, id: entity, owner, resource: Resource::User };
            entities::check(svc, p, Operation::ChangeOwner, &r, "User").await?;
            (owner, GroupType::User)
        }
        other => {
            let kind = Kind::parse(other)
                .ok_or_else(|| ServiceError::BadRequestParams(format!("Entities of type {other} have no owner")))?;
            let t = things::load(svc, kind, entity, false)
                .await?
                .filter(|t| t.tenant == tenant)
                .ok_or_else(|| ServiceError::not_found(kind.label(), entity))?;
            entities::check(svc, p, Operation::ChangeOwner, &things::entity_ref(&t), kind.label()).await?;
            (t.owner, kind.group_type())
        }
    };
    if current == target {
        return Err(ServiceError::InvalidArguments("Entity already belongs to this owner!".into()));
    }
    if group_type == GroupType::User {
        // The user gets what its new owner's "All" user group and the groups named grant.
        let all: Option<String> = sqlx::query_scalar(
            "SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = 'All'",
        )
        .bind(target.to_string())
        .fetch_optional(&svc.db.pool)
        .await?;
        let all = all.map(|a| Uuid::parse_str(&a)).transpose().map_err(|e| ServiceError::Internal(e.to_string()))?;
        for g in all.iter().chain(groups) {
            crate::backend::authz::delegation::check_join(svc, p, *g, target).await?;
        }
    }
    let new_group = match new_group {
        Some(name) => Some(crate::backend::groups::service::check_new(svc, p, target, group_type, name).await?),
        None => None,
    };
    let mut groups = groups.to_vec();
    let mut tx = svc.db.begin_write().await?;
    let created = match &new_group {
        Some(name) => {
            let owner_type = if target == tenant { "TENANT" } else { "CUSTOMER" };
            let id = store::create_group(&mut tx, tenant, target, owner_type, group_type, name).await?;
            groups.push(id);
            Some(id)
        }
        None => None,
    };
    match group_type {
        GroupType::Customer => {
            let parent = (target != tenant).then(|| target.to_string());
            sqlx::query("UPDATE customer SET parent_customer_id = $1, version = version + 1 WHERE id = $2")
                .bind(parent)
                .bind(entity.to_string())
                .execute(&mut *tx)
                .await?;
            tree::move_subtree(&mut tx, tenant, entity, target).await?;
            roles::rebind_customer_defaults(&mut tx, tenant, entity, (target != tenant).then_some(target)).await?;
        }
        GroupType::User => {
            sqlx::query("UPDATE tb_user SET customer_id = $1, version = version + 1 WHERE id = $2")
                .bind(target.to_string())
                .bind(entity.to_string())
                .execute(&mut *tx)
                .await?;
        }
        _ => {}
    }
    match Kind::of_group(group_type) {
        Some(kind) => crate::backend::things::moves::move_to(&mut tx, kind, entity, target).await?,
        None => {
            store::leave_all_groups(&mut tx, entity).await?;
            store::join_all(&mut tx, target, group_type, entity).await?;
        }
    }
    for g in &groups {
        store::join(&mut tx, tenant, target, group_type, *g, entity).await?;
    }
    crate::backend::authz::epochs::bump(&mut tx, tenant).await?;
    tx.commit().await?;
    if let Some(id) = created {
        crate::backend::groups::service::audit_added(svc, p, id).await;
    }
    let entity_type = serde_json::from_value(serde_json::Value::String(entity_type.to_string()))
        .unwrap_or(crate::model::EntityType::Device);
    let data = serde_json::json!({"previousOwnerId": current, "newOwnerId": target, "entityGroupIds": groups});
    crate::backend::audit::record(
        svc,
        crate::backend::audit::Entry::by(p, crate::backend::audit::Action::ChangeOwner, entity_type, entity, "")
            .under(tenant, target)
            .with(data),
    )
    .await;
    if group_type == GroupType::User {
        svc.sessions.forget_user(UserId(entity));
    }
    Ok(())
}
