//! The services bundle every handler and server function receives: store, configuration, keys, caches, limits.

use crate::backend::authz::merged::PermissionCache;
use crate::backend::authz::tree::OwnerTrees;
use crate::backend::identity::hasher::PasswordHasherPool;
use crate::backend::identity::ip_limiter::IpLimiter;
use crate::backend::identity::jwt::JwtKeys;
use crate::backend::identity::session_cache::SessionCache;
use crate::backend::kernel::config::Config;
use crate::backend::kernel::db::Db;
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
    /// Sampled names the search heuristic reads.
    pub name_samples: crate::backend::things::search::NameSamples,
    /// Outgoing mail (refuses to send when no relay is configured).
    pub mailer: Arc<crate::backend::mail::mailer::Mailer>,
    /// Key of re-displayable link secrets (activation), derived from the signing secret all nodes share.
    pub link_key: [u8; 32],
}

/// Cheap to clone into handlers.
pub type Svc = Arc<Services>;
