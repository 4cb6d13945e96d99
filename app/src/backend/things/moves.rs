//! A thing given to another owner: it leaves every group and joins the new owner's "All" group, inside the
//! move's transaction; a deleted customer's things all go to its owner.

use crate::backend::groups::store;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::things::kind::Kind;
use sqlx::{Any, Transaction};
use uuid::Uuid;

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
