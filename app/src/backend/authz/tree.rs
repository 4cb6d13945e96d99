//! The owner tree in memory, so that "is this owner inside that subtree" — asked by every check — is a walk up a
//! few parent links instead of a database probe. Per tenant, filled lazily (a node's whole ancestor chain comes
//! with one query the first time it is seen) and dropped when the tenant's tree epoch moves (a subtree moved or
//! an owner went away). New customers need no invalidation: they are simply not cached yet.

use crate::backend::authz::snapshot;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use dashmap::DashMap;
use sqlx::AnyPool;
use std::sync::Arc;
use uuid::Uuid;

/// Deeper than any real tree; a walk that goes further means a corrupt closure and answers "no".
const MAX_DEPTH: usize = 256;
/// Nodes kept per tenant before the cache starts over (about 100 bytes each).
const MAX_NODES: usize = 2_000_000;

struct Tenant {
    epoch: i64,
    /// Node → its parent (the tenant itself has none).
    parent: DashMap<Uuid, Uuid>,
}

/// Per-node cache of every tenant's owner tree.
#[derive(Default)]
pub struct OwnerTrees {
    tenants: DashMap<Uuid, Arc<Tenant>>,
}

impl OwnerTrees {
    async fn tenant(&self, pool: &AnyPool, tenant: Uuid) -> ServiceResult<Arc<Tenant>> {
        let epoch = snapshot::epochs(pool, tenant).await?.tree;
        if let Some(t) = self.tenants.get(&tenant).filter(|t| t.epoch == epoch && t.parent.len() < MAX_NODES) {
            return Ok(t.clone());
        }
        let fresh = Arc::new(Tenant { epoch, parent: DashMap::new() });
        self.tenants.insert(tenant, fresh.clone());
        Ok(fresh)
    }

    /// Whether `node` is `ancestor` or lies below it, both owners in `tenant`'s tree. An id that is not an owner
    /// of the tenant is inside nothing.
    pub async fn within(&self, pool: &AnyPool, tenant: Uuid, ancestor: Uuid, node: Uuid) -> ServiceResult<bool> {
        let tree = self.tenant(pool, tenant).await?;
        let mut cur = node;
        for _ in 0..MAX_DEPTH {
            if cur == tenant {
                // The root is inside nothing but itself.
                return Ok(ancestor == tenant);
            }
            let next = match tree.parent.get(&cur).map(|p| *p) {
                Some(p) => p,
                None => match load_chain(pool, tenant, cur, &tree).await? {
                    Some(p) => p,
                    None => return Ok(false),
                },
            };
            if cur == ancestor {
                return Ok(true);
            }
            cur = next;
        }
        tracing::error!(%tenant, %node, "owner tree deeper than {MAX_DEPTH}; treating as outside");
        Ok(false)
    }
}

/// Caches `node`'s ancestor chain and answers its parent; `None` when `node` is no owner of the tenant.
async fn load_chain(pool: &AnyPool, tenant: Uuid, node: Uuid, tree: &Tenant) -> ServiceResult<Option<Uuid>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT ancestor, depth FROM owner_closure WHERE descendant = $1 AND tenant_id = $2 ORDER BY depth",
    )
    .bind(node.to_string())
    .bind(tenant.to_string())
    .fetch_all(pool)
    .await?;
    let chain = rows
        .iter()
        .map(|(a, _)| Uuid::parse_str(a).map_err(|e| ServiceError::Internal(format!("owner_closure: {e}"))))
        .collect::<ServiceResult<Vec<Uuid>>>()?;
    if chain.first() != Some(&node) || chain.last() != Some(&tenant) {
        return Ok(None);
    }
    for pair in chain.windows(2) {
        tree.parent.insert(pair[0], pair[1]);
    }
    Ok(chain.get(1).copied())
}
