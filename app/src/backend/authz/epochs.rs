//! Bumping the tenant's permission epoch: every change to roles, group permissions, memberships or owners does
//! it in its own transaction, so every node's caches (merged permissions, member sets) see the change on their
//! next request.

use crate::backend::kernel::error::ServiceResult;
use sqlx::{Any, Transaction};
use uuid::Uuid;

/// Records that permissions in the tenant changed.
pub async fn bump(tx: &mut Transaction<'_, Any>, tenant: Uuid) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO permission_epoch (tenant_id, epoch) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET epoch = permission_epoch.epoch + 1",
    )
    .bind(tenant.to_string())
    .execute(&mut **tx)
    .await?;
    crate::backend::authz::snapshot::forget(tenant);
    Ok(())
}
