//! The four kinds of owned things and what tells them apart: table, resource, group type, wire names and
//! messages. A leaf: the services of every domain name a kind without depending on the things service.

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

impl Kind {
    pub const EVERY: [Kind; 4] = [Kind::Device, Kind::Asset, Kind::Dashboard, Kind::Edge];

    /// Its table (a fixed name, safe to put into SQL).
    pub fn table(self) -> &'static str {
        match self {
            Kind::Device => "device",
            Kind::Asset => "asset",
            Kind::Dashboard => "dashboard",
            Kind::Edge => "edge",
        }
    }

    /// The resource its Generic grants name.
    pub fn resource(self) -> Resource {
        match self {
            Kind::Device => Resource::Device,
            Kind::Asset => Resource::Asset,
            Kind::Dashboard => Resource::Dashboard,
            Kind::Edge => Resource::Edge,
        }
    }

    /// The groups it joins.
    pub fn group_type(self) -> GroupType {
        match self {
            Kind::Device => GroupType::Device,
            Kind::Asset => GroupType::Asset,
            Kind::Dashboard => GroupType::Dashboard,
            Kind::Edge => GroupType::Edge,
        }
    }

    /// Its entity type on the wire.
    pub fn entity_type(self) -> EntityType {
        match self {
            Kind::Device => EntityType::Device,
            Kind::Asset => EntityType::Asset,
            Kind::Dashboard => EntityType::Dashboard,
            Kind::Edge => EntityType::Edge,
        }
    }

    /// The word ThingsBoard uses in messages ("Device with id [..] is not found").
    pub fn label(self) -> &'static str {
        match self {
            Kind::Device => "Device",
            Kind::Asset => "Asset",
            Kind::Dashboard => "Dashboard",
            Kind::Edge => "Edge",
        }
    }

    /// The kind behind a wire/path entity type name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::EVERY.into_iter().find(|k| k.entity_type().as_str() == s)
    }

    /// The kind holding members of a group type, if things hold them.
    pub fn of_group(t: GroupType) -> Option<Kind> {
        Kind::EVERY.into_iter().find(|k| k.group_type() == t)
    }

    /// ThingsBoard lets dashboard titles repeat; names of the others are unique per tenant.
    pub fn unique_names(self) -> bool {
        self != Kind::Dashboard
    }

    pub fn name_field(self) -> &'static str {
        if self == Kind::Dashboard { "title" } else { "name" }
    }

    pub fn taken(self) -> fn() -> ServiceError {
        match self {
            Kind::Device => || ServiceError::InvalidArguments("Device with such name already exists!".into()),
            Kind::Asset => || ServiceError::InvalidArguments("Asset with such name already exists!".into()),
            Kind::Dashboard => || ServiceError::InvalidArguments("Dashboard with such title already exists!".into()),
            Kind::Edge => || ServiceError::InvalidArguments("Edge with such name already exists!".into()),
        }
    }

    /// Sortable properties: wire name → column.
    pub fn sorts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Dashboard => {
                &[("createdTime", "t.created_time"), ("title", "t.name_lower"), ("name", "t.name_lower")]
            }
            Kind::Device => &[
                ("createdTime", "t.created_time"),
                ("name", "t.name_lower"),
                ("label", "t.label"),
                ("type", "t.type"),
                ("deviceProfileName", "t.type"),
            ],
            Kind::Asset => &[
                ("createdTime", "t.created_time"),
                ("name", "t.name_lower"),
                ("label", "t.label"),
                ("type", "t.type"),
                ("assetProfileName", "t.type"),
            ],
            Kind::Edge => {
                &[("createdTime", "t.created_time"), ("name", "t.name_lower"), ("label", "t.label"), ("type", "t.type")]
            }
        }
    }
}
