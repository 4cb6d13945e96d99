//! Dashboards: the wire shape. The configuration JSON is stored exactly as given (rendering comes later) and
//! only `GET /api/dashboard/{id}` returns it; lists and infos leave it out.

use crate::backend::things::Draft;
use crate::backend::things::rows::Thing;
use crate::model::Dashboard;
use crate::model::DashboardId;
use crate::model::DashboardInfo;
use crate::model::EntityInfo;
use crate::model::TenantId;
use serde_json::{Map, Value};

/// The wire shape (with the configuration when it was loaded).
pub fn to_wire(t: Thing) -> Dashboard {
    Dashboard {
        id: Some(DashboardId(t.id)),
        created_time: Some(t.created_time),
        tenant_id: Some(TenantId(t.tenant)),
        customer_id: Some(crate::backend::things::customer_of(&t)),
        owner_id: Some(crate::backend::things::owner_of(&t)),
        title: Some(t.name.clone()),
        name: Some(t.name.clone()),
        image: crate::backend::things::detail_str(&t, "image"),
        assigned_customers: None,
        mobile_hide: t.details.get("mobileHide").and_then(Value::as_bool).unwrap_or(false),
        mobile_order: t.details.get("mobileOrder").and_then(Value::as_i64),
        configuration: t.configuration,
        version: Some(t.version),
    }
}

/// The info shape: no configuration, with owner name and groups.
pub fn to_info(mut t: Thing, owner_name: String, groups: Vec<EntityInfo>) -> DashboardInfo {
    t.configuration = None;
    DashboardInfo { dashboard: to_wire(t), owner_name, groups }
}

/// What the service needs from a posted dashboard.
pub fn draft(d: &Dashboard) -> Draft {
    let mut details = Map::new();
    if let Some(i) = &d.image {
        details.insert("image".into(), Value::String(i.clone()));
    }
    if d.mobile_hide {
        details.insert("mobileHide".into(), Value::Bool(true));
    }
    if let Some(o) = d.mobile_order {
        details.insert("mobileOrder".into(), Value::from(o));
    }
    Draft {
        id: d.id.map(|i| i.0),
        customer_id: d.customer_id.map(|c| c.0),
        name: d.title.clone(),
        thing_type: Some("dashboard".into()),
        label: None,
        additional_info: None,
        details,
        configuration: d.configuration.clone(),
        routing_key: None,
        version: d.version,
    }
}
