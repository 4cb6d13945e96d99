//! The stored form of a thing and how a row becomes one.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::things::kind::{Extra, Kind};
use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// A stored device, asset, dashboard or edge: the shared core plus what its kind keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct Thing {
    pub kind: Kind,
    pub id: Uuid,
    pub tenant: Uuid,
    /// The tenant or the customer that owns it.
    pub owner: Uuid,
    pub created_time: i64,
    pub name: String,
    pub thing_type: String,
    pub label: Option<String>,
    pub additional_info: Option<Value>,
    /// Kind-specific fields nothing queries by (device data, edge secret, dashboard image…).
    pub details: Map<String, Value>,
    /// Dashboards only, and only when loaded in full.
    pub configuration: Option<Value>,
    /// Edges only.
    pub routing_key: Option<String>,
    pub version: i64,
}

/// The select list for `kind` (with the dashboard configuration when `full`), over alias `t`.
pub fn columns(kind: Kind, full: bool) -> String {
    let mut c = String::from(
        "t.id, t.tenant_id, t.owner_id, t.created_time, t.name, t.type, t.label, t.additional_info, t.details, t.version",
    );
    match kind.spec().extra {
        Extra::Configuration if full => c.push_str(", t.configuration"),
        Extra::RoutingKey => c.push_str(", t.routing_key"),
        _ => {}
    }
    c
}

fn uuid(s: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| ServiceError::Internal(format!("bad uuid {s}: {e}")))
}

fn json(r: &AnyRow, col: &str) -> ServiceResult<Option<Value>> {
    Ok(r.try_get::<Option<String>, _>(col)?.and_then(|s| serde_json::from_str(&s).ok()))
}

/// Reads a row selected with `columns(kind, full)`.
pub fn from_row(kind: Kind, r: &AnyRow, full: bool) -> ServiceResult<Thing> {
    let details = match json(r, "details")? {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    Ok(Thing {
        kind,
        id: uuid(&r.try_get::<String, _>("id")?)?,
        tenant: uuid(&r.try_get::<String, _>("tenant_id")?)?,
        owner: uuid(&r.try_get::<String, _>("owner_id")?)?,
        created_time: r.try_get("created_time")?,
        name: r.try_get("name")?,
        thing_type: r.try_get("type")?,
        label: r.try_get("label")?,
        additional_info: json(r, "additional_info")?,
        details,
        configuration: if kind.spec().extra == Extra::Configuration && full { json(r, "configuration")? } else { None },
        routing_key: if kind.spec().extra == Extra::RoutingKey { r.try_get("routing_key")? } else { None },
        version: r.try_get("version")?,
    })
}
