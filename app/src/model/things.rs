//! Wire shapes of the entities customers own — devices, assets, dashboards, edges — field for field as ThingsBoard PE
//! names them. Read-only fields (`tenantId`, `customerId`, `ownerId`…) are accepted on input and ignored.

use super::entities::{EntityId, EntityInfo};
use super::ids::{AssetId, AssetProfileId, CustomerId, DashboardId, DeviceId, DeviceProfileId, EdgeId, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A device. `type` names its profile (ThingsBoard's `default` when absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<DeviceId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub owner_id: Option<EntityId>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub device_type: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub device_profile_id: Option<DeviceProfileId>,
    #[serde(default)]
    pub device_data: Option<Value>,
    #[serde(default)]
    pub firmware_id: Option<Value>,
    #[serde(default)]
    pub software_id: Option<Value>,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A device with its owner's name and its groups (`DeviceInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    #[serde(flatten)]
    pub device: Device,
    pub owner_name: String,
    pub groups: Vec<EntityInfo>,
    /// Whether the device is connected; the data plane sets it, until then always false.
    pub active: bool,
}

/// The id of a device credentials record, sent as `{"id": …}` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCredentialsId {
    pub id: uuid::Uuid,
}

/// How a device proves who it is. Thingdeck supports ACCESS_TOKEN (the token is `credentialsId`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCredentials {
    #[serde(default)]
    pub id: Option<DeviceCredentialsId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub device_id: Option<DeviceId>,
    #[serde(default)]
    pub credentials_type: Option<String>,
    #[serde(default)]
    pub credentials_id: Option<String>,
    #[serde(default)]
    pub credentials_value: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /api/device-with-credentials`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveDeviceWithCredentials {
    pub device: Device,
    #[serde(default)]
    pub credentials: Option<DeviceCredentials>,
}

/// An asset: a building, a room, a vehicle — what devices are grouped under.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AssetId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub owner_id: Option<EntityId>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub asset_type: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub asset_profile_id: Option<AssetProfileId>,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// An asset with its owner's name and its groups (`AssetInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetInfo {
    #[serde(flatten)]
    pub asset: Asset,
    pub owner_name: String,
    pub groups: Vec<EntityInfo>,
}

/// A dashboard. `configuration` (widgets, states, aliases…) is stored exactly as given and returned by
/// `GET /api/dashboard/{id}`; lists and `/api/dashboard/info/{id}` leave it out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<DashboardId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub owner_id: Option<EntityId>,
    #[serde(default)]
    pub title: Option<String>,
    /// Read-only: the title again.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub assigned_customers: Option<Value>,
    #[serde(default)]
    pub mobile_hide: bool,
    #[serde(default)]
    pub mobile_order: Option<i64>,
    #[serde(default)]
    pub configuration: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A dashboard without its configuration, with its owner's name and groups (`DashboardInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardInfo {
    #[serde(flatten)]
    pub dashboard: Dashboard,
    pub owner_name: String,
    pub groups: Vec<EntityInfo>,
}

/// An edge instance: a Thingdeck that serves one site offline and syncs with this one by `routingKey`/`secret`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EdgeId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub owner_id: Option<EntityId>,
    #[serde(default)]
    pub root_rule_chain_id: Option<Value>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub edge_type: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub routing_key: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub edge_license_key: Option<String>,
    #[serde(default)]
    pub cloud_endpoint: Option<String>,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// An edge with its owner's name and its groups (`EdgeInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeInfo {
    #[serde(flatten)]
    pub edge: Edge,
    pub owner_name: String,
    pub groups: Vec<EntityInfo>,
}

/// What `POST /api/entityGroup/{id}/share` reports besides success when a dashboard group is shared: entities
/// the dashboards show that the receiving users cannot read (Thingdeck's addition).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareWarning {
    pub dashboard_id: Option<DashboardId>,
    pub dashboard_title: String,
    pub unreadable: Vec<EntityInfo>,
    /// More of them that the caller may not read itself: counted, not named.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hidden: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
