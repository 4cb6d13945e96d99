//! The share warning: when a dashboard group is shared with a user group, which devices and assets its dashboards
//! show that the members of that user group cannot read. ThingsBoard users' most frequent complaint is a shared
//! dashboard that shows nothing; this names the cause at the moment of sharing.
//!
//! References are found anywhere in the dashboard configuration as `{"entityType": "DEVICE"|"ASSET", "id": …}`
//! (single-entity aliases, widget datasources) or as `{"entityType": …, "entityList": [ids]}` (entity-list
//! aliases). The decision is the ordinary one (`authz::entities`) for what that user group alone grants.

use crate::backend::authz::Decision;
use crate::backend::authz::entities;
use crate::backend::authz::entities::decide_merged;
use crate::backend::authz::merged;
use crate::backend::groups::group_type::GroupType;
use crate::backend::groups::service as groups;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::backend::things;
use crate::backend::things::kind::Kind;
use crate::model::DashboardId;
use crate::model::EntityGroupId;
use crate::model::EntityId;
use crate::model::EntityInfo;
use crate::model::ShareWarning;
use crate::model::permissions::Operation;
use serde_json::Value;
use sqlx::Row;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Most dashboards one warning looks at (a group can be large; the first ones by title are reported).
const MAX_DASHBOARDS: i64 = 1000;

fn kind_of(v: &Value) -> Option<Kind> {
    match v.as_str()? {
        "DEVICE" => Some(Kind::Device),
        "ASSET" => Some(Kind::Asset),
        _ => None,
    }
}

/// Every device and asset a dashboard configuration names, in first-seen order without repeats.
pub fn references(config: &Value) -> Vec<(Kind, Uuid)> {
    fn walk(v: &Value, seen: &mut BTreeSet<(u8, Uuid)>, out: &mut Vec<(Kind, Uuid)>) {
        match v {
            Value::Object(m) => {
                if let Some(kind) = m.get("entityType").and_then(kind_of) {
                    let mut ids: Vec<&Value> = m.get("id").into_iter().collect();
                    if let Some(Value::Array(list)) = m.get("entityList") {
                        ids.extend(list.iter());
                    }
                    for id in ids.iter().filter_map(|i| i.as_str()).filter_map(|i| Uuid::parse_str(i).ok()) {
                        if seen.insert((kind as u8, id)) {
                            out.push((kind, id));
                        }
                    }
                }
                m.values().for_each(|c| walk(c, seen, out));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, seen, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(config, &mut BTreeSet::new(), &mut out);
    out
}

/// For a dashboard group the caller may read: the dashboards with entities `user_group`'s members can't read
/// (empty when all is well). `None` for groups of other types.
pub async fn for_group(
    svc: &Services,
    p: &Principal,
    group: EntityGroupId,
    user_group: Uuid,
) -> ServiceResult<Option<Vec<ShareWarning>>> {
    let g = groups::get_checked(svc, p, group, Operation::Read).await?;
    if g.group_type != GroupType::Dashboard {
        return Ok(None);
    }
    // Only about a user group the caller may read itself.
    let ug = groups::get_checked(svc, p, EntityGroupId(user_group), Operation::Read).await?;
    if ug.group_type != GroupType::User {
        return Err(ServiceError::InvalidArguments("userGroupId must name a user group".into()));
    }
    let m = merged::for_user_group(&svc.db.pool, user_group, g.tenant, ug.owner).await?;
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.configuration FROM dashboard t JOIN entity_group_member gm ON gm.entity_id = t.id \
         WHERE gm.group_id = $1 ORDER BY t.name_lower, t.id LIMIT $2",
    )
    .bind(g.id.to_string())
    .bind(MAX_DASHBOARDS)
    .fetch_all(&svc.db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let config: Option<Value> =
            r.try_get::<Option<String>, _>("configuration")?.and_then(|s| serde_json::from_str(&s).ok());
        let Some(config) = config else { continue };
        let mut unreadable = Vec::new();
        let mut hidden = 0;
        for (kind, id) in references(&config) {
            let Some(t) = things::load(svc, kind, id, false).await?.filter(|t| t.tenant == g.tenant) else { continue };
            let e = things::entity_ref(&t);
            if decide_merged(svc, &m, Operation::Read, &e).await? == Decision::Allow {
                continue;
            }
            // Named only when the caller may read it itself.
            if entities::decide(svc, p, Operation::Read, &e).await? == Decision::Allow {
                unreadable.push(EntityInfo { id: EntityId { entity_type: kind.entity_type(), id }, name: t.name });
            } else {
                hidden += 1;
            }
        }
        if !unreadable.is_empty() || hidden > 0 {
            let id =
                Uuid::parse_str(&r.try_get::<String, _>("id")?).map_err(|e| ServiceError::Internal(e.to_string()))?;
            out.push(ShareWarning {
                dashboard_id: Some(DashboardId(id)),
                dashboard_title: r.try_get("name")?,
                unreadable,
                hidden,
            });
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_aliases_and_datasources() {
        let d1 = "784f394c-42b6-435a-983c-b7beff2784f9";
        let d2 = "11111111-42b6-435a-983c-b7beff2784f9";
        let a1 = "22222222-42b6-435a-983c-b7beff2784f9";
        let config = json!({
            "entityAliases": {
                "x": {"filter": {"type": "singleEntity", "singleEntity": {"entityType": "DEVICE", "id": d1}}},
                "y": {"filter": {"type": "entityList", "entityType": "ASSET", "entityList": [a1, "not-a-uuid"]}},
                "z": {"filter": {"type": "singleEntity", "singleEntity": {"entityType": "CUSTOMER", "id": d2}}}
            },
            "widgets": {"w": {"config": {"datasources": [{"entityId": {"entityType": "DEVICE", "id": d1}},
                                                         {"entity": {"entityType": "DEVICE", "id": d2}}]}}}
        });
        let found = references(&config);
        let ids: Vec<String> = found.iter().map(|(_, id)| id.to_string()).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(ids.contains(&d1.to_string()) && ids.contains(&d2.to_string()) && ids.contains(&a1.to_string()));
        assert!(found.iter().any(|(k, id)| *k == Kind::Asset && id.to_string() == a1));
    }
}
