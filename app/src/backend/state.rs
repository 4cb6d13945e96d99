//! The services bundle every handler and server function receives: store, configuration, keys, caches, limits.

use crate::backend::authz::merged::PermissionCache;
use crate::backend::authz::tree::OwnerTrees;
use crate::backend::config::Config;
use crate::backend::db::Db;
use crate::backend::jwt::JwtKeys;
use crate::backend::passwords::PasswordHasherPool;
use crate::backend::sessions::SessionCache;
use crate::backend::throttle::IpLimiter;
use std::sync::Arc;

/// Shared by every request on this node.
pub struct Services {
    pub db: Db,
    pub config: Config,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasherPool,
    pub sessions: SessionCache,
    pub permissions: PermissionCache,
    /// The owner trees every check walks.
    pub owner_trees: OwnerTrees,
    /// The members of shared groups every group-branch check looks in.
    pub group_members: crate::backend::authz::members::GroupMembers,
    pub ip_limiter: IpLimiter,
    /// Outgoing mail (refuses to send when no relay is configured).
    pub mailer: Arc<crate::backend::mail::Mailer>,
    /// Key of re-displayable link secrets (activation), derived from the signing secret all nodes share.
    pub link_key: [u8; 32],
}

/// Cheap to clone into handlers.
pub type Svc = Arc<Services>;

/// Axum state: the Leptos options the renderer needs plus the services.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: leptos::config::LeptosOptions,
    pub svc: Svc,
}
