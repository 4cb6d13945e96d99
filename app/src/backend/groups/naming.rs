//! Names that must be unique per tenant (customer titles, device/asset/edge names) and ThingsBoard's
//! `nameConflictPolicy`: fail, or make the name unique with a suffix.

use crate::backend::groups::store;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use sqlx::{Any, Transaction};
use std::collections::HashMap;
use uuid::Uuid;

/// How a create resolves a name that is taken (`nameConflictPolicy`, `uniquifySeparator`, `uniquifyStrategy`).
#[derive(Clone, Debug, PartialEq)]
pub enum NameConflict {
    Fail,
    Uniquify { separator: String, incremental: bool },
}

/// The query options of the create endpoints (`POST /api/customer`, `/api/device`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct SaveOptions {
    pub entity_group_ids: Vec<Uuid>,
    pub name_conflict: NameConflict,
}

impl SaveOptions {
    /// Reads `entityGroupId`, `entityGroupIds` (comma-separated) and the name-conflict parameters.
    pub fn from_query(q: &HashMap<String, String>) -> ServiceResult<SaveOptions> {
        let ids = store::ids_from_query(q)?;
        let name_conflict = match q.get("nameConflictPolicy").map(|s| s.to_ascii_uppercase()).as_deref() {
            None | Some("FAIL") => NameConflict::Fail,
            Some("UNIQUIFY") => NameConflict::Uniquify {
                separator: q.get("uniquifySeparator").cloned().unwrap_or_else(|| "_".into()),
                incremental: match q.get("uniquifyStrategy").map(|s| s.to_ascii_uppercase()).as_deref() {
                    None | Some("RANDOM") => false,
                    Some("INCREMENTAL") => true,
                    Some(other) => {
                        return Err(ServiceError::BadRequestParams(format!("Invalid uniquifyStrategy '{other}'")));
                    }
                },
            },
            Some(other) => return Err(ServiceError::BadRequestParams(format!("Invalid nameConflictPolicy '{other}'"))),
        };
        Ok(SaveOptions { entity_group_ids: ids, name_conflict })
    }
}

async fn exists(
    tx: &mut Transaction<'_, Any>,
    table: &'static str,
    column: &'static str,
    tenant: Uuid,
    name: &str,
) -> ServiceResult<bool> {
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = $1 AND {column} = $2"))
        .bind(tenant.to_string())
        .bind(name.to_lowercase())
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// A free name in `table` (`column` holds the lower-cased names) per the policy; `taken` is the error when the
/// policy is to fail. The unique index still decides a race between two creates.
pub async fn free_name(
    tx: &mut Transaction<'_, Any>,
    table: &'static str,
    column: &'static str,
    tenant: Uuid,
    name: String,
    policy: &NameConflict,
    taken: &(dyn Fn() -> ServiceError + Sync),
) -> ServiceResult<String> {
    if !exists(tx, table, column, tenant, &name).await? {
        return Ok(name);
    }
    let NameConflict::Uniquify { separator, incremental } = policy else { return Err(taken()) };
    for n in 1..=1000u32 {
        let suffix = if *incremental { n.to_string() } else { Uuid::new_v4().simple().to_string()[..8].to_string() };
        let candidate = format!("{name}{separator}{suffix}");
        if candidate.chars().count() > 255 {
            return Err(ServiceError::InvalidArguments("name length must be equal or less than 255".into()));
        }
        if !exists(tx, table, column, tenant, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(taken())
}
