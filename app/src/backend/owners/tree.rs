//! The owner tree (tenant → customers → sub-customers, any depth) kept as a closure table: every ancestor /
//! descendant pair with its distance. Subtree questions become one indexed probe and lists join it, on SQLite and
//! PostgreSQL alike. Every change happens inside the caller's transaction.

use crate::backend::kernel::error::ServiceResult;
use crate::backend::owners::counts;
use sqlx::{Any, Transaction};
use uuid::Uuid;

/// Makes a new tenant the root of its tree.
pub async fn add_root(tx: &mut Transaction<'_, Any>, tenant: Uuid) -> ServiceResult<()> {
    sqlx::query("INSERT INTO owner_closure (tenant_id, ancestor, descendant, depth) VALUES ($1, $1, $1, 0)")
        .bind(tenant.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Hangs a new node under `parent` (the tenant or a customer).
pub async fn add_child(tx: &mut Transaction<'_, Any>, tenant: Uuid, node: Uuid, parent: Uuid) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO owner_closure (tenant_id, ancestor, descendant, depth) \
         SELECT $1, ancestor, $2, depth + 1 FROM owner_closure WHERE descendant = $3 \
         UNION ALL SELECT $1, $2, $2, 0",
    )
    .bind(tenant.to_string())
    .bind(node.to_string())
    .bind(parent.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves `node` and everything below it under `new_parent`.
pub async fn move_subtree(
    tx: &mut Transaction<'_, Any>,
    tenant: Uuid,
    node: Uuid,
    new_parent: Uuid,
) -> ServiceResult<()> {
    counts::shift_to_ancestors(tx, node, -1).await?;
    // Forget the paths from outside the subtree into it...
    sqlx::query(
        "DELETE FROM owner_closure WHERE descendant IN (SELECT descendant FROM owner_closure WHERE ancestor = $1) \
         AND ancestor NOT IN (SELECT descendant FROM owner_closure WHERE ancestor = $1)",
    )
    .bind(node.to_string())
    .execute(&mut **tx)
    .await?;
    // ...and join every ancestor of the new parent to every member of the subtree.
    sqlx::query(
        "INSERT INTO owner_closure (tenant_id, ancestor, descendant, depth) \
         SELECT $1, up.ancestor, down.descendant, up.depth + down.depth + 1 \
         FROM owner_closure up, owner_closure down WHERE up.descendant = $2 AND down.ancestor = $3",
    )
    .bind(tenant.to_string())
    .bind(new_parent.to_string())
    .bind(node.to_string())
    .execute(&mut **tx)
    .await?;
    counts::shift_to_ancestors(tx, node, 1).await?;
    bump_tree(tx, tenant).await
}

/// Removes a leaf (its children and things must have been moved away first).
pub async fn remove_leaf(tx: &mut Transaction<'_, Any>, tenant: Uuid, node: Uuid) -> ServiceResult<()> {
    sqlx::query("DELETE FROM owner_closure WHERE descendant = $1").bind(node.to_string()).execute(&mut **tx).await?;
    counts::forget(tx, node).await?;
    bump_tree(tx, tenant).await
}

/// Tells every node that cached the tenant's tree to drop it (and, through the permission epoch, its cached
/// permissions).
async fn bump_tree(tx: &mut Transaction<'_, Any>, tenant: Uuid) -> ServiceResult<()> {
    crate::backend::authz::epochs::bump(tx, tenant).await?;
    sqlx::query("UPDATE permission_epoch SET tree_epoch = tree_epoch + 1 WHERE tenant_id = $1")
        .bind(tenant.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether `node` is `ancestor` or lies below it.
pub async fn is_within(tx: &mut Transaction<'_, Any>, ancestor: Uuid, node: Uuid) -> ServiceResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM owner_closure WHERE ancestor = $1 AND descendant = $2")
        .bind(ancestor.to_string())
        .bind(node.to_string())
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}
