//! Resolved sessions kept per node for a few seconds, so a request does not read its session row every time;
//! dropped at once on this node when revoked (other nodes within those seconds).

use crate::backend::accounts::records::UserRecord;
use crate::backend::kernel::principal::Principal;
use crate::model::TenantId;
use crate::model::UserId;
use dashmap::DashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a resolved session is trusted without reading it again.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// A resolved, valid session.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub principal: Principal,
    pub user: UserRecord,
}

/// Per-node cache of resolved sessions.
#[derive(Default)]
pub struct SessionCache {
    by_session: DashMap<Uuid, (Instant, Arc<SessionView>)>,
}

impl SessionCache {
    pub(crate) fn get(&self, id: Uuid) -> Option<Arc<SessionView>> {
        let hit = self.by_session.get(&id).map(|e| (e.0, e.1.clone()));
        match hit {
            Some((at, v)) if at.elapsed() < CACHE_TTL => Some(v),
            Some(_) => {
                self.by_session.remove(&id);
                None
            }
            None => None,
        }
    }

    pub(crate) fn put(&self, id: Uuid, v: Arc<SessionView>) {
        if self.by_session.len() > 100_000 {
            self.by_session.retain(|_, e| e.0.elapsed() < CACHE_TTL);
        }
        self.by_session.insert(id, (Instant::now(), v));
    }

    /// Drops one session.
    pub fn forget_session(&self, id: Uuid) {
        self.by_session.remove(&id);
    }

    /// Drops every session of a user (password, profile or status changed).
    pub fn forget_user(&self, user: UserId) {
        self.by_session.retain(|_, e| e.1.principal.user_id != user);
    }

    /// Drops every session of a tenant (tenant deleted).
    pub fn forget_tenant(&self, tenant: TenantId) {
        self.by_session.retain(|_, e| e.1.principal.tenant_id != Some(tenant));
    }
}
