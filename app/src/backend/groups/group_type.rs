//! What an entity group holds: customers, devices, assets, dashboards, users or edges, and the resources their
//! grants name. A leaf every domain may name.

/// The entity types that have groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupType {
    Customer,
    Device,
    Asset,
    Dashboard,
    User,
    Edge,
}

impl GroupType {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<GroupType> {
        GroupType::EVERY.into_iter().find(|t| t.as_str() == s)
    }

    /// The resource whose grants govern groups of this type (`DEVICE` → `DEVICE_GROUP`).
    pub fn group_resource(self) -> crate::model::permissions::Resource {
        use crate::model::permissions::Resource;
        match self {
            GroupType::Customer => Resource::CustomerGroup,
            GroupType::Device => Resource::DeviceGroup,
            GroupType::Asset => Resource::AssetGroup,
            GroupType::Dashboard => Resource::DashboardGroup,
            GroupType::User => Resource::UserGroup,
            GroupType::Edge => Resource::EdgeGroup,
        }
    }

    /// The resource of its members (`DEVICE` groups hold `DEVICE`s).
    pub fn member_resource(self) -> crate::model::permissions::Resource {
        use crate::model::permissions::Resource;
        match self {
            GroupType::Customer => Resource::Customer,
            GroupType::Device => Resource::Device,
            GroupType::Asset => Resource::Asset,
            GroupType::Dashboard => Resource::Dashboard,
            GroupType::User => Resource::User,
            GroupType::Edge => Resource::Edge,
        }
    }

    /// The group type whose members are `r`.
    pub fn of_members(r: crate::model::permissions::Resource) -> Option<GroupType> {
        GroupType::EVERY.into_iter().find(|t| t.member_resource() == r)
    }

    pub const EVERY: [GroupType; 6] = [
        GroupType::Customer,
        GroupType::Device,
        GroupType::Asset,
        GroupType::Dashboard,
        GroupType::User,
        GroupType::Edge,
    ];

    /// Wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Customer => "CUSTOMER",
            GroupType::Device => "DEVICE",
            GroupType::Asset => "ASSET",
            GroupType::Dashboard => "DASHBOARD",
            GroupType::User => "USER",
            GroupType::Edge => "EDGE",
        }
    }
}
