//! Members of the entity groups that Group roles point at, in memory, so the group branch of a check ("is this
//! device in a group shared with me") is a hash lookup instead of a database probe. A group's set is loaded whole
//! the first time a check needs it and kept while the tenant's permission and member epochs stay where they were
//! when it was loaded; database triggers bump the member epoch whenever a member joins or leaves a group that a
//! group permission names (whatever code path or bulk load did it). Groups too large to hold are probed per check,
//! and the whole cache starts over when it holds too many ids.

use crate::backend::authz::snapshot;
use crate::backend::authz::snapshot::Epochs;
use crate::backend::kernel::db::Backend;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use dashmap::DashMap;
use sqlx::AnyPool;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

/// Groups with more members than this are probed per check (a set this size loads in a few milliseconds).
const MAX_GROUP: usize = 50_000;
/// Ids held over all groups before the cache starts over (about 40 bytes each).
const MAX_TOTAL: usize = 1_000_000;

struct Cached {
    /// (permission epoch, member epoch) the set was loaded under.
    key: (i64, i64),
    /// The group's owner; `None` once the group is gone.
    owner: Option<Uuid>,
    /// `None`: too large to hold.
    members: Option<HashSet<Uuid>>,
}

impl Cached {
    fn size(&self) -> usize {
        self.members.as_ref().map_or(0, HashSet::len)
    }
}

/// Per-node cache of shared groups' members.
#[derive(Default)]
pub struct GroupMembers {
    groups: DashMap<Uuid, Arc<Cached>>,
    total: AtomicUsize,
}

impl GroupMembers {
    /// The owner of `group` when `entity` is one of its members (owner-only operations need it), else `None`.
    pub async fn owner_if_member(
        &self,
        pool: &AnyPool,
        tenant: Uuid,
        group: Uuid,
        entity: Uuid,
    ) -> ServiceResult<Option<Uuid>> {
        let Epochs { permissions, members, .. } = snapshot::epochs(pool, tenant).await?;
        let key = (permissions, members);
        let cached = match self.groups.get(&group).filter(|c| c.key == key).map(|c| c.clone()) {
            Some(c) => c,
            None => self.load(pool, tenant, group, key).await?,
        };
        let Some(owner) = cached.owner else { return Ok(None) };
        let member = match &cached.members {
            Some(set) => set.contains(&entity),
            None => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM entity_group_member WHERE group_id = $1 AND entity_id = $2",
                )
                .bind(group.to_string())
                .bind(entity.to_string())
                .fetch_one(pool)
                .await?;
                n > 0
            }
        };
        Ok(member.then_some(owner))
    }

    async fn load(&self, pool: &AnyPool, tenant: Uuid, group: Uuid, key: (i64, i64)) -> ServiceResult<Arc<Cached>> {
        let owner: Option<String> =
            sqlx::query_scalar("SELECT owner_id FROM entity_group WHERE id = $1 AND tenant_id = $2")
                .bind(group.to_string())
                .bind(tenant.to_string())
                .fetch_optional(pool)
                .await?;
        let owner = owner.map(|o| parse(&o)).transpose()?;
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT entity_id FROM entity_group_member WHERE group_id = $1 LIMIT $2")
                .bind(group.to_string())
                .bind(MAX_GROUP as i64 + 1)
                .fetch_all(pool)
                .await?;
        let members = if ids.len() > MAX_GROUP {
            None
        } else {
            Some(ids.iter().map(|i| parse(i)).collect::<ServiceResult<HashSet<Uuid>>>()?)
        };
        let fresh = Arc::new(Cached { key, owner, members });
        if self.total.fetch_add(fresh.size(), Ordering::Relaxed) + fresh.size() > MAX_TOTAL {
            self.groups.clear();
            self.total.store(fresh.size(), Ordering::Relaxed);
        }
        if let Some(old) = self.groups.insert(group, fresh.clone()) {
            self.total.fetch_sub(old.size().min(self.total.load(Ordering::Relaxed)), Ordering::Relaxed);
        }
        Ok(fresh)
    }
}

fn parse(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("entity_group_member: {e}")))
}

/// The member-epoch triggers for one engine, recreated at every start so a changed definition takes effect.
fn ddl(backend: Backend) -> Vec<String> {
    // Only groups some group permission names matter to a check.
    let bump = |rows: &str, distinct: &str| {
        format!(
            "INSERT INTO permission_epoch (tenant_id, epoch, member_epoch) \
             SELECT {distinct} g.tenant_id, 0, 1 FROM {rows} JOIN entity_group g ON g.id = r.group_id \
             WHERE EXISTS (SELECT 1 FROM group_permission gp WHERE gp.entity_group_id = r.group_id) \
             ON CONFLICT (tenant_id) DO UPDATE SET member_epoch = permission_epoch.member_epoch + 1"
        )
    };
    let mut out = Vec::new();
    for (event, row) in [("INSERT", "NEW"), ("DELETE", "OLD")] {
        let name = format!("entity_group_member_epoch_{}", event.to_lowercase());
        match backend {
            Backend::Sqlite => {
                out.push(format!("DROP TRIGGER IF EXISTS {name}"));
                out.push(format!(
                    "CREATE TRIGGER {name} AFTER {event} ON entity_group_member BEGIN {}; END",
                    bump(&format!("(SELECT {row}.group_id AS group_id) r"), "")
                ));
            }
            Backend::Postgres => {
                let refs = if row == "NEW" { "NEW TABLE AS changed" } else { "OLD TABLE AS changed" };
                out.push(format!(
                    "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ \
                     BEGIN {}; RETURN NULL; END $fn$",
                    bump("(SELECT DISTINCT group_id FROM changed) r", "DISTINCT")
                ));
                out.push(format!("DROP TRIGGER IF EXISTS {name} ON entity_group_member"));
                out.push(format!(
                    "CREATE TRIGGER {name} AFTER {event} ON entity_group_member REFERENCING {refs} \
                     FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                ));
            }
        }
    }
    out
}

/// Installs the triggers (at start, after the migrations; serialised between nodes on PostgreSQL).
pub async fn install(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    crate::backend::kernel::db::run_ddl(pool, backend, 7349003, ddl(backend)).await
}
