//! ThingsBoard PE's permission vocabulary: resources, operations, which operations each resource knows, and which
//! operations a Group role may hold. Shared with the browser so the role editor offers exactly what the server
//! accepts.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order (the order of the bits in sets).
            pub const EVERY: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }

            /// Position in `EVERY`.
            pub fn index(self) -> usize {
                self as usize
            }
        }
    };
}

wire_enum!(
    /// What a permission is about (ThingsBoard's `Resource`).
    Resource {
        All = "ALL", Profile = "PROFILE", AdminSettings = "ADMIN_SETTINGS", Alarm = "ALARM", Device = "DEVICE",
        Asset = "ASSET", Customer = "CUSTOMER", Dashboard = "DASHBOARD", EntityView = "ENTITY_VIEW", Edge = "EDGE",
        Tenant = "TENANT", RuleChain = "RULE_CHAIN", User = "USER", WidgetsBundle = "WIDGETS_BUNDLE",
        WidgetType = "WIDGET_TYPE", Oauth2Client = "OAUTH2_CLIENT", Domain = "DOMAIN", MobileApp = "MOBILE_APP",
        MobileAppBundle = "MOBILE_APP_BUNDLE", Oauth2ConfigurationTemplate = "OAUTH2_CONFIGURATION_TEMPLATE",
        TenantProfile = "TENANT_PROFILE", DeviceProfile = "DEVICE_PROFILE", AssetProfile = "ASSET_PROFILE",
        Converter = "CONVERTER", Integration = "INTEGRATION", SchedulerEvent = "SCHEDULER_EVENT",
        BlobEntity = "BLOB_ENTITY", CustomerGroup = "CUSTOMER_GROUP", DeviceGroup = "DEVICE_GROUP",
        AssetGroup = "ASSET_GROUP", UserGroup = "USER_GROUP", EntityViewGroup = "ENTITY_VIEW_GROUP",
        EdgeGroup = "EDGE_GROUP", DashboardGroup = "DASHBOARD_GROUP", AgentGroup = "AGENT_GROUP", Role = "ROLE",
        GroupPermission = "GROUP_PERMISSION", WhiteLabeling = "WHITE_LABELING", AuditLog = "AUDIT_LOG",
        ApiUsageState = "API_USAGE_STATE", TbResource = "TB_RESOURCE", OtaPackage = "OTA_PACKAGE", Queue = "QUEUE",
        QueueStats = "QUEUE_STATS", VersionControl = "VERSION_CONTROL", Notification = "NOTIFICATION",
        MobileAppSettings = "MOBILE_APP_SETTINGS", CustomMenu = "CUSTOM_MENU", Job = "JOB", Secret = "SECRET",
        ReportTemplate = "REPORT_TEMPLATE", Report = "REPORT", AiModel = "AI_MODEL", Agent = "AGENT",
        AgentAppProfile = "AGENT_APP_PROFILE", AgentProfile = "AGENT_PROFILE", Ai = "AI", ApiKey = "API_KEY",
    }
);

wire_enum!(
    /// What may be done (ThingsBoard's `Operation`).
    Operation {
        All = "ALL", Create = "CREATE", Read = "READ", Write = "WRITE", Delete = "DELETE", RpcCall = "RPC_CALL",
        ReadCredentials = "READ_CREDENTIALS", WriteCredentials = "WRITE_CREDENTIALS",
        ReadAttributes = "READ_ATTRIBUTES", WriteAttributes = "WRITE_ATTRIBUTES", ReadTelemetry = "READ_TELEMETRY",
        WriteTelemetry = "WRITE_TELEMETRY", AddToGroup = "ADD_TO_GROUP", RemoveFromGroup = "REMOVE_FROM_GROUP",
        ChangeOwner = "CHANGE_OWNER", Impersonate = "IMPERSONATE", ClaimDevices = "CLAIM_DEVICES",
        ShareGroup = "SHARE_GROUP", AssignToTenant = "ASSIGN_TO_TENANT",
        ReadCalculatedField = "READ_CALCULATED_FIELD", WriteCalculatedField = "WRITE_CALCULATED_FIELD",
    }
);

/// A set of operations as bits (21 operations fit a `u32`), so merging and checking are a few instructions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OpSet(pub u32);

impl OpSet {
    pub const EMPTY: OpSet = OpSet(0);

    /// The set of the given operations.
    pub fn of(ops: &[Operation]) -> OpSet {
        OpSet(ops.iter().fold(0, |acc, o| acc | (1 << o.index())))
    }

    pub fn contains(self, op: Operation) -> bool {
        self.0 & (1 << op.index()) != 0
    }

    pub fn union(self, other: OpSet) -> OpSet {
        OpSet(self.0 | other.0)
    }

    pub fn minus(self, other: OpSet) -> OpSet {
        OpSet(self.0 & !other.0)
    }

    pub fn intersect(self, other: OpSet) -> OpSet {
        OpSet(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `op` is granted, `ALL` included.
    pub fn allows(self, op: Operation) -> bool {
        self.contains(op) || self.contains(Operation::All)
    }

    /// The operations in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Operation> {
        Operation::EVERY.iter().copied().filter(move |o| self.contains(*o))
    }
}

impl Operation {
    /// May appear in a Group role (ThingsBoard's `allowedForGroupRole`).
    pub fn allowed_for_group_role(self) -> bool {
        use Operation::*;
        !matches!(self, AddToGroup | RemoveFromGroup | ChangeOwner | Impersonate | ClaimDevices | AssignToTenant)
    }

    /// On entities, only the owner's side may do it even with a group role (`allowedForGroupOwnerOnly`).
    pub fn group_owner_only(self) -> bool {
        matches!(self, Operation::Create | Operation::Delete)
    }

    /// On the group object itself, only the group owner's side may do it (`groupOperationAllowedForGroupOwnerOnly`).
    pub fn group_operation_owner_only(self) -> bool {
        use Operation::*;
        matches!(self, Create | Write | Delete | WriteAttributes | WriteTelemetry)
    }
}

impl Resource {
    /// The operations this resource knows (ThingsBoard's `operationsByResource`).
    pub fn vocabulary(self) -> OpSet {
        use Operation as O;
        use Resource::*;
        let crud = OpSet::of(&[O::All, O::Read, O::Write, O::Create, O::Delete]);
        let entity = crud.union(OpSet::of(&[
            O::ReadAttributes,
            O::WriteAttributes,
            O::ReadTelemetry,
            O::WriteTelemetry,
            O::ChangeOwner,
        ]));
        let group = crud.union(OpSet::of(&[
            O::ReadAttributes,
            O::WriteAttributes,
            O::ReadTelemetry,
            O::WriteTelemetry,
            O::AddToGroup,
            O::RemoveFromGroup,
            O::ShareGroup,
        ]));
        let calculated = entity.union(OpSet::of(&[O::ReadCalculatedField, O::WriteCalculatedField]));
        match self {
            All => OpSet::of(Operation::EVERY),
            Profile => OpSet::of(&[O::All, O::Write]),
            AdminSettings | WhiteLabeling | MobileAppSettings => OpSet::of(&[O::All, O::Read, O::Write]),
            Alarm => OpSet::of(&[O::All, O::Read, O::Write, O::Create]),
            Device => calculated.union(OpSet::of(&[
                O::RpcCall,
                O::ReadCredentials,
                O::WriteCredentials,
                O::ClaimDevices,
                O::AssignToTenant,
            ])),
            Asset | Customer | DeviceProfile | AssetProfile => calculated,
            Dashboard | EntityView | Edge | Tenant | TenantProfile | RuleChain | Role | OtaPackage | TbResource
            | Converter | Integration | SchedulerEvent | BlobEntity | Agent => entity,
            User => entity.union(OpSet::of(&[O::Impersonate])),
            CustomerGroup | DeviceGroup | AssetGroup | UserGroup | EntityViewGroup | EdgeGroup | DashboardGroup
            | AgentGroup => group,
            GroupPermission
            | WidgetsBundle
            | WidgetType
            | Oauth2Client
            | Oauth2ConfigurationTemplate
            | Domain
            | MobileApp
            | MobileAppBundle
            | Notification
            | Job
            | Secret
            | Report
            | ReportTemplate
            | AiModel
            | ApiKey
            | AgentAppProfile
            | AgentProfile => crud,
            AuditLog | Queue | QueueStats => OpSet::of(&[O::All, O::Read]),
            ApiUsageState => OpSet::of(&[O::All, O::Read, O::ReadTelemetry]),
            VersionControl | CustomMenu => OpSet::of(&[O::All, O::Read, O::Write, O::Delete]),
            Ai => OpSet::of(&[O::All]),
        }
    }
}

/// What the signed-in user may do per resource, as the console's menus and buttons need it: a section or button the
/// user may not use is not shown. Only a hint: every call is decided again on the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Abilities(pub Vec<(Resource, Vec<Operation>)>);

impl Abilities {
    /// Whether `op` on `res` is allowed somewhere the user can reach.
    pub fn may(&self, res: Resource, op: Operation) -> bool {
        self.0.iter().any(|(r, ops)| *r == res && ops.contains(&op))
    }
}

/// "READ_CREDENTIALS" → "Read credentials": how resources and operations read on screen.
pub fn humanize(wire: &str) -> String {
    let lower = wire.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for r in Resource::EVERY {
            assert_eq!(Resource::parse(r.as_str()), Some(*r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        for o in Operation::EVERY {
            assert_eq!(Operation::parse(o.as_str()), Some(*o));
        }
        assert_eq!(Resource::EVERY.len(), 58);
        assert_eq!(Operation::EVERY.len(), 21);
    }

    #[test]
    fn vocabularies_match_thingsboard() {
        assert!(Resource::Device.vocabulary().contains(Operation::RpcCall));
        assert!(Resource::Device.vocabulary().contains(Operation::ClaimDevices));
        assert!(!Resource::Asset.vocabulary().contains(Operation::RpcCall));
        assert!(Resource::User.vocabulary().contains(Operation::Impersonate));
        assert!(Resource::DeviceGroup.vocabulary().contains(Operation::ShareGroup));
        assert!(!Resource::Dashboard.vocabulary().contains(Operation::ShareGroup));
        assert_eq!(Resource::Profile.vocabulary(), OpSet::of(&[Operation::All, Operation::Write]));
        for r in Resource::EVERY {
            assert!(r.vocabulary().contains(Operation::All), "{r:?} knows ALL");
        }
    }

    #[test]
    fn group_role_flags() {
        assert!(Operation::Read.allowed_for_group_role());
        assert!(!Operation::ChangeOwner.allowed_for_group_role());
        assert!(Operation::Delete.group_owner_only());
        assert!(Operation::Write.group_operation_owner_only());
        assert!(!Operation::Read.group_operation_owner_only());
    }
}
