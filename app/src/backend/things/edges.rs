//! Edges: the wire shape. An edge instance identifies itself with `routingKey` (unique everywhere) and `secret`;
//! both are generated when the caller leaves them out.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens;
use crate::backend::things::Draft;
use crate::backend::things::rows::Thing;
use crate::model::Edge;
use crate::model::EdgeId;
use crate::model::EdgeInfo;
use crate::model::EntityInfo;
use crate::model::TenantId;
use serde_json::{Map, Value};

/// The wire shape.
pub fn to_wire(t: Thing) -> Edge {
    Edge {
        id: Some(EdgeId(t.id)),
        created_time: Some(t.created_time),
        tenant_id: Some(TenantId(t.tenant)),
        customer_id: Some(crate::backend::things::customer_of(&t)),
        owner_id: Some(crate::backend::things::owner_of(&t)),
        root_rule_chain_id: None,
        name: Some(t.name.clone()),
        secret: crate::backend::things::detail_str(&t, "secret"),
        edge_license_key: crate::backend::things::detail_str(&t, "edgeLicenseKey"),
        cloud_endpoint: crate::backend::things::detail_str(&t, "cloudEndpoint"),
        edge_type: Some(t.thing_type),
        label: t.label,
        routing_key: t.routing_key,
        additional_info: t.additional_info,
        version: Some(t.version),
    }
}

/// The wire shape with owner name and groups.
pub fn to_info(t: Thing, owner_name: String, groups: Vec<EntityInfo>) -> EdgeInfo {
    EdgeInfo { edge: to_wire(t), owner_name, groups }
}

/// A key as posted: none (left out or empty), or checked.
fn key(field: &str, v: &Option<String>) -> ServiceResult<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(k) if k.chars().count() > 255 || k.chars().any(char::is_whitespace) => {
            Err(ServiceError::InvalidArguments(format!("{field} must be at most 255 characters without spaces")))
        }
        Some(k) => Ok(Some(k.to_string())),
    }
}

/// What the service needs from a posted edge (keys left out stay out: `keys` fills them).
pub fn draft(e: &Edge) -> ServiceResult<Draft> {
    let mut details = Map::new();
    if let Some(secret) = key("secret", &e.secret)? {
        details.insert("secret".into(), Value::String(secret));
    }
    for (k, v) in [("edgeLicenseKey", &e.edge_license_key), ("cloudEndpoint", &e.cloud_endpoint)] {
        if let Some(v) = v {
            details.insert(k.into(), Value::String(v.clone()));
        }
    }
    Ok(Draft {
        id: e.id.map(|i| i.0),
        customer_id: e.customer_id.map(|c| c.0),
        name: e.name.clone(),
        thing_type: e.edge_type.clone(),
        label: e.label.clone(),
        additional_info: e.additional_info.clone(),
        details,
        routing_key: key("routingKey", &e.routing_key)?,
        version: e.version,
        ..Draft::default()
    })
}

/// An edge's keys when the draft left them out: on update the stored ones (never regenerated), on create new
/// random ones.
pub fn keys(mut d: Draft, current: Option<&Thing>) -> Draft {
    if d.routing_key.is_none() {
        d.routing_key = Some(match current {
            Some(t) => t.routing_key.clone().unwrap_or_default(),
            None => tokens::new_alphanumeric(20),
        });
    }
    if !d.details.contains_key("secret") {
        let secret = match current {
            Some(t) => crate::backend::things::detail_str(t, "secret").unwrap_or_default(),
            None => tokens::new_alphanumeric(20),
        };
        d.details.insert("secret".into(), Value::String(secret));
    }
    d
}
