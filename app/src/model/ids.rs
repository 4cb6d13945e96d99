//! Typed ids in ThingsBoard's wire shape `{"entityType": "...", "id": "<uuid>"}`.
//!
//! Each id type fixes its entity type, so a `TenantId` can never be passed where a `UserId` is meant, and the JSON
//! the official clients expect falls out of serde.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use uuid::Uuid;

/// ThingsBoard's "null" id, used for "no customer" and the system tenant.
pub const NULL_UUID: Uuid = Uuid::from_u128(0x13814000_1dd2_11b2_8080_808080808080);

/// Entity kinds that appear in ids on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    Tenant,
    TenantProfile,
    Customer,
    User,
    Device,
    Asset,
    Dashboard,
    Edge,
    EntityGroup,
    Role,
    GroupPermission,
    DeviceProfile,
    AssetProfile,
    AuditLog,
}

impl EntityType {
    /// The name used on the wire and in paths.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Tenant => "TENANT",
            EntityType::TenantProfile => "TENANT_PROFILE",
            EntityType::Customer => "CUSTOMER",
            EntityType::User => "USER",
            EntityType::Device => "DEVICE",
            EntityType::Asset => "ASSET",
            EntityType::Dashboard => "DASHBOARD",
            EntityType::Edge => "EDGE",
            EntityType::EntityGroup => "ENTITY_GROUP",
            EntityType::Role => "ROLE",
            EntityType::GroupPermission => "GROUP_PERMISSION",
            EntityType::DeviceProfile => "DEVICE_PROFILE",
            EntityType::AssetProfile => "ASSET_PROFILE",
            EntityType::AuditLog => "AUDIT_LOG",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireId {
    #[serde(default)]
    entity_type: Option<EntityType>,
    id: Uuid,
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The entity type this id always carries.
            pub const ENTITY_TYPE: EntityType = $kind;
            /// The ThingsBoard "null" id of this type.
            pub const NULL: $name = $name(NULL_UUID);
            /// Whether this is the "null" id.
            pub fn is_null(&self) -> bool {
                self.0 == NULL_UUID
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                WireId { entity_type: Some($kind), id: self.0 }.serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let w = WireId::deserialize(d)?;
                match w.entity_type {
                    Some(t) if t != $kind => Err(serde::de::Error::custom(format!(
                        "expected entityType {} but got {}",
                        $kind.as_str(),
                        t.as_str()
                    ))),
                    _ => Ok($name(w.id)),
                }
            }
        }
    };
}

typed_id!(
    /// Identifies a tenant (one IoT solution provider).
    TenantId,
    EntityType::Tenant
);
typed_id!(
    /// Identifies a tenant profile; Thingdeck has one built-in default profile for now.
    TenantProfileId,
    EntityType::TenantProfile
);
typed_id!(
    /// Identifies a customer or sub-customer.
    CustomerId,
    EntityType::Customer
);
typed_id!(
    /// Identifies a user of any authority.
    UserId,
    EntityType::User
);

typed_id!(
    /// Identifies an entity group (of any group type, user groups included).
    EntityGroupId,
    EntityType::EntityGroup
);
typed_id!(
    /// Identifies an audit log entry.
    AuditLogId,
    EntityType::AuditLog
);

typed_id!(
    /// Identifies a role.
    RoleId,
    EntityType::Role
);
typed_id!(
    /// Identifies a group permission (a role bound to a user group).
    GroupPermissionId,
    EntityType::GroupPermission
);

typed_id!(
    /// Identifies a device.
    DeviceId,
    EntityType::Device
);
typed_id!(
    /// Identifies an asset (a building, a room, a vehicle: anything devices belong to).
    AssetId,
    EntityType::Asset
);
typed_id!(
    /// Identifies a dashboard.
    DashboardId,
    EntityType::Dashboard
);
typed_id!(
    /// Identifies an edge instance.
    EdgeId,
    EntityType::Edge
);
typed_id!(
    /// Identifies a device profile; Thingdeck derives one per tenant and device type until profiles arrive.
    DeviceProfileId,
    EntityType::DeviceProfile
);
typed_id!(
    /// Identifies an asset profile; derived per tenant and asset type like device profiles.
    AssetProfileId,
    EntityType::AssetProfile
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_use_the_thingsboard_wire_shape() {
        let id = TenantId(Uuid::nil());
        let json = serde_json::to_value(id).unwrap();
        assert_eq!(json["entityType"], "TENANT");
        assert_eq!(json["id"], "00000000-0000-0000-0000-000000000000");
        let back: TenantId = serde_json::from_value(json).unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn a_wrong_entity_type_is_refused() {
        let json = serde_json::json!({"entityType": "USER", "id": Uuid::nil()});
        assert!(serde_json::from_value::<TenantId>(json).is_err());
    }

    #[test]
    fn null_uuid_matches_thingsboard() {
        assert_eq!(NULL_UUID.to_string(), "13814000-1dd2-11b2-8080-808080808080");
    }
}
