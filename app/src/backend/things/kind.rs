//! The four kinds of owned things and everything that tells them apart — table, resource, group type, wire names,
//! messages, sortable columns, the one column beyond the shared core — in one table, `SPECS`, read through
//! `Kind::spec`. A leaf: every domain names a kind without depending on the things service. What a kind *does*
//! differently (its wire shapes, a device's credentials, an edge's keys) is `things::wire`'s one dispatch.

use crate::backend::groups::group_type::GroupType;
use crate::backend::kernel::error::ServiceError;
use crate::model::EntityType;
use crate::model::permissions::Resource;

/// The four kinds of owned things.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Device,
    Asset,
    Dashboard,
    Edge,
}

/// The column a kind stores beyond the shared core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    None,
    /// Dashboards: their configuration JSON (never read by lists).
    Configuration,
    /// Edges: the routing key an edge instance finds itself by (unique everywhere).
    RoutingKey,
}

/// What one kind is.
#[derive(Debug)]
pub struct KindSpec {
    /// Its table (a fixed name, safe to put into SQL).
    pub table: &'static str,
    /// The resource its Generic grants name.
    pub resource: Resource,
    /// The groups it joins.
    pub group_type: GroupType,
    /// Its entity type on the wire.
    pub entity_type: EntityType,
    /// The word ThingsBoard uses in messages ("Device with id [..] is not found").
    pub label: &'static str,
    /// REST path segments: `/api/device`, `/api/tenant/devices`.
    pub singular: &'static str,
    pub plural: &'static str,
    /// The query parameter of `GET /api/devices?deviceIds=`.
    pub ids_param: &'static str,
    /// The query parameter of `GET /api/tenant/device?deviceName=` (dashboards have no such lookup).
    pub name_param: Option<&'static str>,
    /// What its name is called on the wire (dashboards have titles).
    pub name_field: &'static str,
    /// ThingsBoard lets dashboard titles repeat; names of the others are unique per tenant.
    pub unique_names: bool,
    /// ThingsBoard's answer to a name that is taken.
    pub taken: &'static str,
    /// Sortable properties: wire name → column.
    pub sorts: &'static [(&'static str, &'static str)],
    pub extra: Extra,
}

const SPECS: [KindSpec; 4] = [
    KindSpec {
        table: "device",
        resource: Resource::Device,
        group_type: GroupType::Device,
        entity_type: EntityType::Device,
        label: "Device",
        singular: "device",
        plural: "devices",
        ids_param: "deviceIds",
        name_param: Some("deviceName"),
        name_field: "name",
        unique_names: true,
        taken: "Device with such name already exists!",
        sorts: &[
            ("createdTime", "t.created_time"),
            ("name", "t.name_lower"),
            ("label", "t.label"),
            ("type", "t.type"),
            ("deviceProfileName", "t.type"),
        ],
        extra: Extra::None,
    },
    KindSpec {
        table: "asset",
        resource: Resource::Asset,
        group_type: GroupType::Asset,
        entity_type: EntityType::Asset,
        label: "Asset",
        singular: "asset",
        plural: "assets",
        ids_param: "assetIds",
        name_param: Some("assetName"),
        name_field: "name",
        unique_names: true,
        taken: "Asset with such name already exists!",
        sorts: &[
            ("createdTime", "t.created_time"),
            ("name", "t.name_lower"),
            ("label", "t.label"),
            ("type", "t.type"),
            ("assetProfileName", "t.type"),
        ],
        extra: Extra::None,
    },
    KindSpec {
        table: "dashboard",
        resource: Resource::Dashboard,
        group_type: GroupType::Dashboard,
        entity_type: EntityType::Dashboard,
        label: "Dashboard",
        singular: "dashboard",
        plural: "dashboards",
        ids_param: "dashboardIds",
        name_param: None,
        name_field: "title",
        unique_names: false,
        taken: "Dashboard with such title already exists!",
        sorts: &[("createdTime", "t.created_time"), ("title", "t.name_lower"), ("name", "t.name_lower")],
        extra: Extra::Configuration,
    },
    KindSpec {
        table: "edge",
        resource: Resource::Edge,
        group_type: GroupType::Edge,
        entity_type: EntityType::Edge,
        label: "Edge",
        singular: "edge",
        plural: "edges",
        ids_param: "edgeIds",
        name_param: Some("edgeName"),
        name_field: "name",
        unique_names: true,
        taken: "Edge with such name already exists!",
        sorts: &[("createdTime", "t.created_time"), ("name", "t.name_lower"), ("label", "t.label"), ("type", "t.type")],
        extra: Extra::RoutingKey,
    },
];

impl Kind {
    pub const EVERY: [Kind; 4] = [Kind::Device, Kind::Asset, Kind::Dashboard, Kind::Edge];

    /// Everything this kind is.
    pub fn spec(self) -> &'static KindSpec {
        &SPECS[self as usize]
    }

    pub fn table(self) -> &'static str {
        self.spec().table
    }

    pub fn resource(self) -> Resource {
        self.spec().resource
    }

    pub fn group_type(self) -> GroupType {
        self.spec().group_type
    }

    pub fn entity_type(self) -> EntityType {
        self.spec().entity_type
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The kind behind a wire/path entity type name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::EVERY.into_iter().find(|k| k.entity_type().as_str() == s)
    }

    /// The kind holding members of a group type, if things hold them.
    pub fn of_group(t: GroupType) -> Option<Kind> {
        Kind::EVERY.into_iter().find(|k| k.group_type() == t)
    }

    /// ThingsBoard's error for a name that is taken.
    pub fn taken(self) -> ServiceError {
        ServiceError::InvalidArguments(self.spec().taken.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_row() {
        for (i, k) in Kind::EVERY.into_iter().enumerate() {
            assert_eq!(k as usize, i, "SPECS is indexed by the enum's order");
            assert_eq!(Kind::parse(k.entity_type().as_str()), Some(k));
            assert_eq!(Kind::of_group(k.group_type()), Some(k));
            assert_eq!(k.table(), k.spec().singular);
            assert!(k.spec().taken.starts_with(k.label()));
        }
    }
}
