//! Public entity groups (`makePublic` / `makePrivate`), ThingsBoard PE style: each owner has one hidden public
//! customer whose "Public Users" group receives the group through a public group permission with the
//! "Entity Group Public User" role. Anonymous viewers (the public login of the kiosk work) act as that group.

use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::roles;
use crate::backend::groups::roles::predefined;
use crate::backend::groups::service as groups;
use crate::backend::groups::store;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::owners::tree;
use crate::backend::services::Services;
use crate::model::EntityGroupId;
use crate::model::permissions::Operation;
use serde_json::{Map, Value, json};
use sqlx::{Any, Transaction};
use uuid::Uuid;

const PUBLIC_ROLE: &str = "Entity Group Public User";

/// The public customer of `owner`, created with its groups on first use.
async fn public_customer(tx: &mut Transaction<'_, Any>, tenant: Uuid, owner: Uuid) -> ServiceResult<Uuid> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM customer WHERE tenant_id = $1 AND is_public = 1 AND COALESCE(parent_customer_id, tenant_id) = $2",
    )
    .bind(tenant.to_string())
    .bind(owner.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = found {
        return Uuid::parse_str(&id).map_err(|e| ServiceError::Internal(e.to_string()));
    }
    let id = Uuid::now_v7();
    let parent = (owner != tenant).then_some(owner);
    sqlx::query(
        "INSERT INTO customer (id, tenant_id, parent_customer_id, created_time, title, title_lower, additional_info, \
         version, is_public) VALUES ($1, $2, $3, $4, 'Public', 'public', $5, 1, 1)",
    )
    .bind(id.to_string())
    .bind(tenant.to_string())
    .bind(parent.map(|p| p.to_string()))
    .bind(now_ms())
    .bind(json!({"isPublic": true}).to_string())
    .execute(&mut **tx)
    .await?;
    tree::add_child(tx, tenant, id, owner).await?;
    store::create_all_groups(tx, tenant, id, "CUSTOMER").await?;
    roles::create_public_defaults(tx, tenant, id, parent).await?;
    Ok(id)
}

async fn public_users_group(tx: &mut Transaction<'_, Any>, customer: Uuid) -> ServiceResult<Uuid> {
    let id: String =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = $2")
            .bind(customer.to_string())
            .bind(roles::PUBLIC_USERS)
            .fetch_one(&mut **tx)
            .await?;
    Uuid::parse_str(&id).map_err(|e| ServiceError::Internal(e.to_string()))
}

async fn set_public_flag(
    tx: &mut Transaction<'_, Any>,
    g: &groups::Group,
    public_customer: Option<Uuid>,
) -> ServiceResult<()> {
    let mut info = match &g.additional_info {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    info.insert("isPublic".into(), Value::Bool(public_customer.is_some()));
    info.insert("publicCustomerId".into(), Value::String(public_customer.map(|c| c.to_string()).unwrap_or_default()));
    sqlx::query("UPDATE entity_group SET additional_info = $1, version = version + 1 WHERE id = $2")
        .bind(Value::Object(info).to_string())
        .bind(g.id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn is_public(g: &groups::Group) -> bool {
    g.additional_info.as_ref().and_then(|i| i.get("isPublic")).and_then(Value::as_bool).unwrap_or(false)
}

/// The group, if the caller's owner owns it and may write it, and it is of a type that can be public.
async fn owned_group(svc: &Services, p: &Principal, id: EntityGroupId) -> ServiceResult<groups::Group> {
    let g = groups::get_checked(svc, p, id, Operation::Write).await?;
    if !matches!(g.group_type, GroupType::Device | GroupType::Asset | GroupType::Dashboard | GroupType::Edge) {
        return Err(ServiceError::InvalidArguments(format!(
            "Entity groups of type {} can't be made public",
            g.group_type.as_str()
        )));
    }
    crate::backend::authz::scopes::check_own_group(p, g.owner)?;
    Ok(g)
}

/// `POST /api/entityGroup/{id}/makePublic`.
pub async fn make_public(svc: &Services, p: &Principal, id: EntityGroupId) -> ServiceResult<()> {
    let g = owned_group(svc, p, id).await?;
    if is_public(&g) {
        return Err(ServiceError::InvalidArguments("Entity group is already public!".into()));
    }
    let mut tx = svc.db.begin_write().await?;
    let customer = public_customer(&mut tx, g.tenant, g.owner).await?;
    let users = public_users_group(&mut tx, customer).await?;
    let role_owner = (g.owner != g.tenant).then_some(g.owner);
    let role = roles::find_or_create_group_role(
        &mut tx,
        g.tenant,
        role_owner,
        PUBLIC_ROLE,
        predefined::entity_group_public_user(),
    )
    .await?;
    sqlx::query(
        "INSERT INTO group_permission (id, tenant_id, user_group_id, role_id, entity_group_id, is_public, created_time) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT DO NOTHING",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(g.tenant.to_string())
    .bind(users.to_string())
    .bind(role.to_string())
    .bind(g.id.to_string())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    set_public_flag(&mut tx, &g, Some(customer)).await?;
    crate::backend::authz::epochs::bump(&mut tx, g.tenant).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/entityGroup/{id}/makePrivate`.
pub async fn make_private(svc: &Services, p: &Principal, id: EntityGroupId) -> ServiceResult<()> {
    let g = owned_group(svc, p, id).await?;
    if !is_public(&g) {
        return Err(ServiceError::InvalidArguments("Entity group is not public!".into()));
    }
    let mut tx = svc.db.begin_write().await?;
    sqlx::query("DELETE FROM group_permission WHERE entity_group_id = $1 AND is_public = 1")
        .bind(g.id.to_string())
        .execute(&mut *tx)
        .await?;
    set_public_flag(&mut tx, &g, None).await?;
    crate::backend::authz::epochs::bump(&mut tx, g.tenant).await?;
    tx.commit().await?;
    Ok(())
}
