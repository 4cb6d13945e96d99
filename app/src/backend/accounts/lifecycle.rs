//! Ending and suspending accounts: deleting a user and enabling or disabling its credentials. Both end the user's
//! sessions at once (on this node immediately, on others within the session cache's few seconds).

use crate::backend::accounts::records::UserRecord;
use crate::backend::accounts::users;
use crate::backend::audit;
use crate::backend::authz::Operation;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::Authority;
use crate::model::UserId;

/// `DELETE /api/user/{id}`: what the user created stays; the user leaves every group ("All" included) and its
/// sessions, credentials and settings go with the row. The last tenant administrator of a tenant stays.
pub async fn delete(svc: &Services, p: &Principal, id: UserId) -> ServiceResult<UserRecord> {
    let u = crate::backend::accounts::records::find(&svc.db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", id))?;
    crate::backend::authz::users::check_delete(svc, p, &u).await?;
    let mut tx = svc.db.begin_write().await?;
    if let Some(t) = u.tenant_id {
        // Serialises deletions within the tenant, so two admins deleting each other cannot both succeed.
        sqlx::query("UPDATE tenant SET version = version WHERE id = $1")
            .bind(t.0.to_string())
            .execute(&mut *tx)
            .await?;
        if u.authority == Authority::TenantAdmin {
            let others: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM tb_user WHERE tenant_id = $1 AND authority = 'TENANT_ADMIN' AND id <> $2",
            )
            .bind(t.0.to_string())
            .bind(id.0.to_string())
            .fetch_one(&mut *tx)
            .await?;
            if others == 0 {
                return Err(ServiceError::InvalidArguments("At least one tenant administrator must remain!".into()));
            }
        }
    }
    sqlx::query("DELETE FROM entity_group_member WHERE entity_id = $1")
        .bind(id.0.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM tb_user WHERE id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
    if let Some(t) = u.tenant_id {
        crate::backend::authz::epochs::bump(&mut tx, t.0).await?;
    }
    tx.commit().await?;
    svc.sessions.forget_user(id);
    audit::record(svc, audit::Entry::on_user(Some(p), &u, audit::Action::Deleted)).await;
    Ok(u)
}

/// Removes the user row (credentials, sessions, settings and MFA go with it by foreign key) and its memberships,
/// inside `tx`; its tenant's permissions are rebuilt on the next request.
pub async fn erase(tx: &mut sqlx::Transaction<'_, sqlx::Any>, u: &UserRecord) -> ServiceResult<()> {
    sqlx::query("DELETE FROM entity_group_member WHERE entity_id = $1")
        .bind(u.id.0.to_string())
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM tb_user WHERE id = $1").bind(u.id.0.to_string()).execute(&mut **tx).await?;
    if let Some(t) = u.tenant_id {
        crate::backend::authz::epochs::bump(tx, t.0).await?;
    }
    Ok(())
}

/// `POST /api/user/{id}/userCredentialsEnabled`: disabling ends every session of the user; enabling also lifts a
/// lockout (the failed-attempt count starts again). Nobody changes their own account's status (the own-profile
/// WRITE every user has does not extend to it).
pub async fn set_enabled(svc: &Services, p: &Principal, id: UserId, enabled: bool) -> ServiceResult<UserRecord> {
    let u = crate::backend::accounts::records::find(&svc.db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("User", id))?;
    if u.id == p.user_id {
        return Err(ServiceError::InvalidArguments("You can't enable or disable your own account".into()));
    }
    users::check(svc, p, Operation::Write, &u).await?;
    let mut tx = svc.db.begin_write().await?;
    sqlx::query("UPDATE user_credentials SET enabled = $1, failed_attempts = 0 WHERE user_id = $2")
        .bind(i64::from(enabled))
        .bind(id.0.to_string())
        .execute(&mut *tx)
        .await?;
    // Unlocking also forgives wrong second-factor codes (they lock an account too).
    sqlx::query("UPDATE user_mfa SET failures = 0 WHERE user_id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
    if !enabled {
        sqlx::query("UPDATE auth_session SET revoked = 1 WHERE user_id = $1")
            .bind(id.0.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    svc.sessions.forget_user(id);
    let action = if enabled { audit::Action::Activated } else { audit::Action::Suspended };
    audit::record(svc, audit::Entry::on_user(Some(p), &u, action)).await;
    crate::backend::accounts::records::find(&svc.db, id).await?.ok_or_else(|| ServiceError::not_found("User", id))
}
