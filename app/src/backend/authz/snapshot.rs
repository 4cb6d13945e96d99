//! The tenant's permission and tree epochs, read from the database once per unit of work instead of once per
//! check. A unit of work — an HTTP request or server function call (`http::snapshot` wraps each), an MQTT message,
//! a WebSocket frame — runs inside `scope`; its first check in a tenant reads the epochs and later checks reuse
//! them, so it decides against one consistent state, and a change committed on any node is seen by the next unit.
//! A long-lived connection therefore scopes each message, never the connection. Outside any scope (background
//! work, tests) every call reads afresh. A write that bumps an epoch calls `forget`, so the rest of that unit reads
//! again instead of trusting the snapshot.

use crate::backend::kernel::error::ServiceResult;
use sqlx::AnyPool;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use uuid::Uuid;

/// Versions of what the caches hold for one tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Epochs {
    /// Any change to roles, group permissions, memberships or owners.
    pub permissions: i64,
    /// A move or removal in the owner tree.
    pub tree: i64,
    /// A member joined or left a group some group permission names.
    pub members: i64,
}

/// Per tenant: the epochs read in this request, or `None` once this request has changed them.
type Memo = RefCell<HashMap<Uuid, Option<Epochs>>>;

tokio::task_local! {
    static MEMO: Memo;
}

/// Runs one unit of work (a request, a device message, a socket frame) against its own snapshot.
pub async fn scope<F: Future>(f: F) -> F::Output {
    MEMO.scope(RefCell::new(HashMap::new()), f).await
}

/// The tenant's epochs as of this request.
pub async fn epochs(pool: &AnyPool, tenant: Uuid) -> ServiceResult<Epochs> {
    let memo = MEMO.try_with(|m| m.borrow().get(&tenant).copied());
    if let Ok(Some(Some(e))) = memo {
        return Ok(e);
    }
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT epoch, tree_epoch, member_epoch FROM permission_epoch WHERE tenant_id = $1")
            .bind(tenant.to_string())
            .fetch_optional(pool)
            .await?;
    let e = row.map(|(permissions, tree, members)| Epochs { permissions, tree, members }).unwrap_or_default();
    // Remember it unless this request has already changed the tenant (its write may not be committed yet).
    let _ = MEMO.try_with(|m| {
        m.borrow_mut().entry(tenant).or_insert(Some(e));
    });
    Ok(e)
}

/// This request changed the tenant's permissions or tree: read the epochs afresh for the rest of it.
pub fn forget(tenant: Uuid) {
    let _ = MEMO.try_with(|m| {
        m.borrow_mut().insert(tenant, None);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_reads_once_and_a_write_stops_the_memo() {
        let pool = sqlx::any::AnyPoolOptions::new().max_connections(1);
        sqlx::any::install_default_drivers();
        let pool = pool.connect("sqlite::memory:").await.unwrap();
        sqlx::query(
            "CREATE TABLE permission_epoch (tenant_id TEXT PRIMARY KEY, epoch BIGINT, tree_epoch BIGINT, \
             member_epoch BIGINT DEFAULT 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        let t = Uuid::new_v4();
        let set = |e: i64| {
            let pool = pool.clone();
            async move {
                sqlx::query(
                    "INSERT INTO permission_epoch VALUES ($1, $2, 0, 0) ON CONFLICT (tenant_id) DO UPDATE SET epoch = $2",
                )
                .bind(t.to_string())
                .bind(e)
                .execute(&pool)
                .await
                .unwrap();
            }
        };
        set(1).await;
        scope(async {
            assert_eq!(epochs(&pool, t).await.unwrap().permissions, 1);
            set(2).await;
            // Same request, no write of its own: still the snapshot.
            assert_eq!(epochs(&pool, t).await.unwrap().permissions, 1);
            forget(t);
            assert_eq!(epochs(&pool, t).await.unwrap().permissions, 2);
            set(3).await;
            assert_eq!(epochs(&pool, t).await.unwrap().permissions, 3);
        })
        .await;
        // Outside a request: always fresh.
        assert_eq!(epochs(&pool, t).await.unwrap().permissions, 3);
    }

    #[tokio::test]
    async fn each_message_of_one_connection_gets_its_own_snapshot() {
        let pool = sqlx::any::AnyPoolOptions::new().max_connections(1);
        sqlx::any::install_default_drivers();
        let pool = pool.connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE permission_epoch (tenant_id TEXT PRIMARY KEY, epoch BIGINT, tree_epoch BIGINT, member_epoch BIGINT)")
            .execute(&pool)
            .await
            .unwrap();
        let t = Uuid::new_v4();
        // One connection task: a change committed elsewhere between two messages is seen by the second.
        let mut seen = Vec::new();
        for epoch in [5_i64, 6] {
            sqlx::query(
                "INSERT INTO permission_epoch VALUES ($1, $2, 0, 0) ON CONFLICT (tenant_id) DO UPDATE SET epoch = $2",
            )
            .bind(t.to_string())
            .bind(epoch)
            .execute(&pool)
            .await
            .unwrap();
            seen.push(scope(async { epochs(&pool, t).await.unwrap().permissions }).await);
        }
        assert_eq!(seen, [5, 6]);
    }
}
