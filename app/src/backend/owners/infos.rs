//! Owner names and group lists for pages of `…Info` rows (devices, assets, users…): two queries per page whatever
//! its size, instead of two per row.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::services::Services;
use crate::model::EntityId;
use crate::model::EntityInfo;
use crate::model::EntityType;
use crate::model::PageData;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// For each `(entity id, owner id)`: the owner's title (customer or tenant) and the entity's groups by name.
pub async fn owners_and_groups(
    svc: &Services,
    items: &[(Uuid, Uuid)],
) -> ServiceResult<Vec<(String, Vec<EntityInfo>)>> {
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let mut groups: HashMap<Uuid, Vec<EntityInfo>> = HashMap::new();
    if !items.is_empty() {
        let sql = format!(
            "SELECT id, title FROM customer WHERE id IN ({0}) UNION ALL SELECT id, title FROM tenant WHERE id IN ({0})",
            placeholders(items.len())
        );
        let mut q = sqlx::query(&sql);
        for (_, owner) in items {
            q = q.bind(owner.to_string());
        }
        for r in q.fetch_all(&svc.db.pool).await? {
            names.insert(uuid(&r.try_get::<String, _>("id")?)?, r.try_get("title")?);
        }
        let sql = format!(
            "SELECT m.entity_id, g.id, g.name FROM entity_group_member m JOIN entity_group g ON g.id = m.group_id \
             WHERE m.entity_id IN ({}) ORDER BY g.name_lower, g.id",
            placeholders(items.len())
        );
        let mut q = sqlx::query(&sql);
        for (id, _) in items {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(&svc.db.pool).await? {
            groups.entry(uuid(&r.try_get::<String, _>("entity_id")?)?).or_default().push(EntityInfo {
                id: EntityId { entity_type: EntityType::EntityGroup, id: uuid(&r.try_get::<String, _>("id")?)? },
                name: r.try_get("name")?,
            });
        }
    }
    Ok(items
        .iter()
        .map(|(id, owner)| (names.get(owner).cloned().unwrap_or_default(), groups.remove(id).unwrap_or_default()))
        .collect())
}

/// Rows turned into their info shapes by `f(row, owner name, groups)`; `key` names each row's (id, owner).
pub async fn decorated_rows<T, U>(
    svc: &Services,
    rows: Vec<T>,
    key: impl Fn(&T) -> (Uuid, Uuid),
    mut f: impl FnMut(T, String, Vec<EntityInfo>) -> U,
) -> ServiceResult<Vec<U>> {
    let items: Vec<(Uuid, Uuid)> = rows.iter().map(key).collect();
    let extra = owners_and_groups(svc, &items).await?;
    Ok(rows.into_iter().zip(extra).map(|(r, (owner, groups))| f(r, owner, groups)).collect())
}

/// A page turned into info shapes (`decorated_rows` of its rows, its paging kept).
pub async fn decorated<T, U>(
    svc: &Services,
    mut page: PageData<T>,
    key: impl Fn(&T) -> (Uuid, Uuid),
    f: impl FnMut(T, String, Vec<EntityInfo>) -> U,
) -> ServiceResult<PageData<U>> {
    let rows = std::mem::take(&mut page.data);
    Ok(page.with_rows(decorated_rows(svc, rows, key, f).await?))
}

/// One row in its info shape.
pub async fn decorated_one<T, U>(
    svc: &Services,
    row: T,
    key: impl Fn(&T) -> (Uuid, Uuid),
    f: impl FnMut(T, String, Vec<EntityInfo>) -> U,
) -> ServiceResult<U> {
    decorated_rows(svc, vec![row], key, f)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::Internal("a decorated row went missing".into()))
}
