//! A group's members: adding and removing them (owner-scoped, never the "All" group, all or nothing; putting a
//! user into a user group hands on what the group grants, so `authz::delegation` is asked), listing the members
//! of a readable group, and the groups an entity is in.

use crate::backend::audit::Action;
use crate::backend::authz::groups::ReadableGroup;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::service::audit_group;
use crate::backend::groups::service::get_checked;
use crate::backend::groups::service::uuid;
use crate::backend::groups::store::ALL;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::backend::things::kind::Kind;
use crate::model::EntityGroupId;
use crate::model::EntityId;
use crate::model::EntityType;
use crate::model::PageData;
use crate::model::ShortEntityView;
use crate::model::permissions::Operation;
use sqlx::Row;
use uuid::Uuid;

/// The owner and display name of an entity that can be a member of `t` groups.
async fn member(svc: &Services, tenant: Uuid, t: GroupType, id: Uuid) -> ServiceResult<Option<(Uuid, String)>> {
    let things_sql;
    let sql = match t {
        GroupType::Customer => {
            "SELECT COALESCE(parent_customer_id, tenant_id) AS owner, title AS name FROM customer WHERE id = $1 AND tenant_id = $2"
        }
        GroupType::User => {
            "SELECT COALESCE(customer_id, tenant_id) AS owner, email AS name FROM tb_user WHERE id = $1 AND tenant_id = $2"
        }
        _ => {
            let kind = Kind::of_group(t).ok_or_else(|| ServiceError::Internal(format!("no members for {t:?}")))?;
            things_sql =
                format!("SELECT owner_id AS owner, name FROM {} WHERE id = $1 AND tenant_id = $2", kind.table());
            things_sql.as_str()
        }
    };
    let row = sqlx::query(sql).bind(id.to_string()).bind(tenant.to_string()).fetch_optional(&svc.db.pool).await?;
    row.map(|r| Ok((uuid(&r.try_get::<String, _>("owner")?)?, r.try_get("name")?))).transpose()
}

/// `POST /api/entityGroup/{id}/addEntities` (`add`) and `/deleteEntities`: owner-scoped, never the "All" group,
/// all or nothing.
pub async fn change_members(
    svc: &Services,
    p: &Principal,
    id: EntityGroupId,
    entities: &[Uuid],
    add: bool,
) -> ServiceResult<()> {
    let op = if add { Operation::AddToGroup } else { Operation::RemoveFromGroup };
    let g = get_checked(svc, p, id, op).await?;
    if g.name == ALL {
        return Err(ServiceError::BadRequestParams(
            "Entities can't be added to or removed from the group 'All'".into(),
        ));
    }
    for e in entities {
        match member(svc, g.tenant, g.group_type, *e).await? {
            None => {
                return Err(ServiceError::NotFound(format!("{} with id [{e}] is not found", g.group_type.as_str())));
            }
            Some((owner, _)) if add && owner != g.owner => {
                return Err(ServiceError::BadRequestParams(format!(
                    "Entity [{e}] belongs to another owner than the group; only entities of the group's owner can join it"
                )));
            }
            Some((owner, _)) if add => {
                // Putting an entity into a group shares it with whoever the group is shared with: only what the
                // caller may read itself.
                let resource = crate::backend::authz::delegation::GroupObject::of_type(
                    g.id,
                    g.tenant,
                    g.owner,
                    g.group_type.as_str(),
                )?
                .members;
                let r = crate::backend::authz::entities::EntityRef { tenant: g.tenant, id: *e, owner, resource };
                if !(g.group_type == GroupType::User && *e == p.user_id.0) {
                    crate::backend::authz::entities::check(svc, p, Operation::Read, &r, g.group_type.as_str()).await?;
                }
            }
            Some(_) => {}
        }
    }
    if add && g.group_type == GroupType::User {
        // Members get everything bound to the group: the caller must be allowed to hand that on.
        crate::backend::authz::delegation::check_join(svc, p, g.id, g.owner).await?;
    }
    let mut tx = svc.db.begin_write().await?;
    for e in entities {
        let sql = if add {
            "INSERT INTO entity_group_member (group_id, entity_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM entity_group_member WHERE group_id = $1 AND entity_id = $2"
        };
        sqlx::query(sql).bind(g.id.to_string()).bind(e.to_string()).execute(&mut *tx).await?;
    }
    crate::backend::authz::epochs::bump(&mut tx, g.tenant).await?;
    tx.commit().await?;
    let action = if add { Action::AddedToEntityGroup } else { Action::RemovedFromEntityGroup };
    audit_group(svc, p, action, &g, serde_json::json!({"entityIds": entities})).await;
    Ok(())
}

/// `GET /api/entityGroup/{id}/entities`: the members of a group the caller may read, named, paged in SQL.
pub async fn members(svc: &Services, g: &ReadableGroup, link: &PageLink) -> ServiceResult<PageData<ShortEntityView>> {
    let group_type = GroupType::of_members(g.members())
        .ok_or_else(|| ServiceError::Internal(format!("no group type for {:?}", g.members())))?;
    let (table, name, entity_type) = match group_type {
        GroupType::Customer => ("customer", "title", EntityType::Customer),
        GroupType::User => ("tb_user", "email", EntityType::User),
        t => match Kind::of_group(t) {
            Some(kind) => (kind.table(), "name", kind.entity_type()),
            None => return Ok(link.page_of(Vec::new(), 0)),
        },
    };
    let mut filter = format!("FROM entity_group_member m JOIN {table} e ON e.id = m.entity_id WHERE m.group_id = $1");
    let mut binds = vec![g.id().to_string()];
    if let Some(pat) = link.like_pattern() {
        binds.push(pat);
        filter.push_str(&format!(" AND LOWER(e.{name}) LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let dir = if link.descending { "DESC" } else { "ASC" };
    let order = format!("ORDER BY LOWER(e.{name}) {dir}, e.id {dir}");
    crate::backend::kernel::paging::fetch(
        &svc.db.pool,
        &format!("e.id, e.{name} AS name"),
        &filter,
        &order,
        &binds,
        link,
        |r| {
            Ok(ShortEntityView {
                id: EntityId { entity_type, id: uuid(&r.try_get::<String, _>("id")?)? },
                name: r.try_get("name")?,
            })
        },
    )
    .await
}

/// `GET /api/entityGroups/{entityType}/{entityId}`: the groups an entity is in (the caller must read the entity).
pub async fn groups_of(svc: &Services, entity: Uuid) -> ServiceResult<Vec<EntityGroupId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT group_id FROM entity_group_member WHERE entity_id = $1 ORDER BY group_id")
            .bind(entity.to_string())
            .fetch_all(&svc.db.pool)
            .await?;
    ids.iter().map(|s| uuid(s).map(EntityGroupId)).collect()
}
