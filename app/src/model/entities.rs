//! Wire shapes of the entities the REST API and the UI exchange, field for field as ThingsBoard PE names them.

use super::ids::{CustomerId, TenantId, TenantProfileId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who a user is, in ThingsBoard's three-level scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Authority {
    SysAdmin,
    TenantAdmin,
    CustomerUser,
}

impl Authority {
    /// The name used on the wire, in JWT scopes and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Authority::SysAdmin => "SYS_ADMIN",
            Authority::TenantAdmin => "TENANT_ADMIN",
            Authority::CustomerUser => "CUSTOMER_USER",
        }
    }

    /// Parses the stored/wire name.
    pub fn parse(s: &str) -> Option<Authority> {
        match s {
            "SYS_ADMIN" => Some(Authority::SysAdmin),
            "TENANT_ADMIN" => Some(Authority::TenantAdmin),
            "CUSTOMER_USER" => Some(Authority::CustomerUser),
            _ => None,
        }
    }
}

/// Address and contact fields shared by tenants and customers (flattened into their JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub address2: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A tenant: the organisation that runs Thingdeck for its customers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<TenantId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub tenant_profile_id: Option<TenantProfileId>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A tenant with the name of its profile, as `/api/tenant/info` and `/api/tenantInfos` return it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    #[serde(flatten)]
    pub tenant: Tenant,
    pub tenant_profile_name: String,
}

/// A user account of any authority.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<UserId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub authority: Option<Authority>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// One page of a list, ThingsBoard's `PageData`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageData<T> {
    pub data: Vec<T>,
    pub total_pages: i64,
    pub total_elements: i64,
    pub has_next: bool,
}

impl<T> PageData<T> {
    /// The same page with every row turned into another shape (a wire or view type).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageData<U> {
        let PageData { data, total_pages, total_elements, has_next } = self;
        PageData { data: data.into_iter().map(f).collect(), total_pages, total_elements, has_next }
    }

    /// The same paging over rows made from this page's (one for one, in order).
    pub fn with_rows<U>(self, data: Vec<U>) -> PageData<U> {
        let PageData { total_pages, total_elements, has_next, .. } = self;
        PageData { data, total_pages, total_elements, has_next }
    }

    /// The same page with every row turned by a fallible step; the first failure is the answer.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<PageData<U>, E> {
        let PageData { data, total_pages, total_elements, has_next } = self;
        Ok(PageData { data: data.into_iter().map(f).collect::<Result<_, E>>()?, total_pages, total_elements, has_next })
    }
}

/// A pair of JWTs as `/api/auth/login` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtPair {
    pub token: String,
    /// `None` while a second factor is pending (serialised as `null`: ThingsBoard's Python client reads the key).
    pub refresh_token: Option<String>,
    /// `PRE_VERIFICATION_TOKEN` or `MFA_CONFIGURATION_TOKEN` for a sign-in that is not complete yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// The password rules, public so forms can check before submitting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserPasswordPolicy {
    pub minimum_length: u32,
    pub maximum_length: u32,
    pub minimum_uppercase_letters: Option<u32>,
    pub minimum_lowercase_letters: Option<u32>,
    pub minimum_digits: Option<u32>,
    pub minimum_special_characters: Option<u32>,
    pub allow_whitespaces: bool,
    pub force_user_to_reset_password_if_not_valid: bool,
    pub password_expiration_period_days: Option<u32>,
    pub password_reuse_frequency_days: Option<u32>,
}

impl Default for UserPasswordPolicy {
    /// Length only, no composition rules (ASVS 5.0 6.2.5), long passphrases allowed (6.2.9).
    fn default() -> Self {
        UserPasswordPolicy {
            minimum_length: 8,
            maximum_length: 128,
            minimum_uppercase_letters: None,
            minimum_lowercase_letters: None,
            minimum_digits: None,
            minimum_special_characters: None,
            allow_whitespaces: true,
            force_user_to_reset_password_if_not_valid: false,
            password_expiration_period_days: None,
            password_reuse_frequency_days: None,
        }
    }
}

/// The system administrator's security settings (`/api/admin/securitySettings`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecuritySettings {
    pub password_policy: UserPasswordPolicy,
    /// Failed sign-ins after which the account is locked (disabled); `None` or 0: never.
    pub max_failed_login_attempts: Option<i64>,
    /// Also told when an account is locked (the user always is).
    pub user_lockout_notification_email: Option<String>,
    /// Hours an activation link stays valid (1–24).
    pub user_activation_token_ttl: i64,
    /// Hours a password-reset link stays valid (1–24).
    pub password_reset_token_ttl: i64,
    pub mobile_secret_key_length: Option<i64>,
    /// Whether "Log in as user" (`/api/user/{id}/token`) is allowed at all (ThingsBoard's
    /// `security.user_token_access_enabled`).
    pub user_token_access_enabled: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            password_policy: UserPasswordPolicy::default(),
            max_failed_login_attempts: None,
            user_lockout_notification_email: None,
            user_activation_token_ttl: 24,
            password_reset_token_ttl: 1,
            mobile_secret_key_length: None,
            user_token_access_enabled: true,
        }
    }
}

/// An activation link and how long it stays valid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserActivationLink {
    pub value: String,
    pub ttl_ms: i64,
}

/// An id of any entity type (`{"entityType", "id"}`), for fields like `ownerId` that may name several types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityId {
    pub entity_type: super::ids::EntityType,
    pub id: uuid::Uuid,
}

/// A customer or sub-customer (`parentCustomerId` set).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CustomerId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub parent_customer_id: Option<CustomerId>,
    /// Read-only: the parent customer, or the null id for a top-level customer.
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Read-only: the parent customer or the tenant.
    #[serde(default)]
    pub owner_id: Option<EntityId>,
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A reference with a display name (`EntityInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityInfo {
    pub id: EntityId,
    pub name: String,
}

/// A customer with its owner's name and its groups, as the `…Infos` lists return it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInfo {
    #[serde(flatten)]
    pub customer: Customer,
    pub owner_name: String,
    pub groups: Vec<EntityInfo>,
}

/// A user with its owner's name and its user groups (`UserInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    #[serde(flatten)]
    pub user: User,
    pub owner_name: String,
    pub groups: Vec<EntityInfo>,
}

/// The short form pickers use (`UserEmailInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEmailInfo {
    pub id: crate::model::UserId,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Generic roles grant resource → operations over the holder's owner subtree; Group roles grant operations on
/// one entity group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleType {
    Generic,
    Group,
}

/// A role. `permissions` is `{"RESOURCE": ["OP", …]}` for Generic roles and `["OP", …]` for Group roles.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<super::ids::RoleId>,
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
    #[serde(rename = "type")]
    pub role_type: Option<RoleType>,
    #[serde(default)]
    pub permissions: Option<Value>,
    #[serde(default)]
    pub excluded_permissions: Option<Value>,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A role bound to a user group: generically (no `entityGroupId`) or for one entity group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPermission {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<super::ids::GroupPermissionId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    pub user_group_id: Option<super::ids::EntityGroupId>,
    pub role_id: Option<super::ids::RoleId>,
    #[serde(default)]
    pub entity_group_id: Option<super::ids::EntityGroupId>,
    /// Read-only: the type of `entityGroupId`'s group.
    #[serde(default)]
    pub entity_group_type: Option<String>,
    /// ThingsBoard emits both spellings; public permissions are made by `makePublic`, never through this API.
    #[serde(default, rename = "public")]
    pub public: Option<bool>,
    #[serde(default, rename = "isPublic", skip_deserializing)]
    pub is_public: Option<bool>,
    /// Read-only: `GENERIC_[userGroupId]_[roleId]` or `GROUP_[userGroupId]_[roleId]_[entityGroupId]_[TYPE]`.
    #[serde(default)]
    pub name: Option<String>,
}

/// An entity group with its owner chain (`EntityGroupInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityGroupInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<super::ids::EntityGroupId>,
    #[serde(default)]
    pub created_time: Option<i64>,
    #[serde(rename = "type")]
    pub group_type: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub owner_id: Option<EntityId>,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    #[serde(default)]
    pub additional_info: Option<Value>,
    #[serde(default)]
    pub configuration: Option<Value>,
    #[serde(default)]
    pub version: Option<i64>,
    /// Read-only: whether this is the owner's automatic "All" group.
    #[serde(default)]
    pub group_all: bool,
    /// Read-only: the owner first, then its ancestors up to the tenant.
    #[serde(default)]
    pub owner_ids: Vec<EntityId>,
}

impl EntityGroupInfo {
    /// A group to create: its type, name and owner (`None`: the caller's own); the service fills in the rest.
    pub fn to_create(group_type: &str, name: String, owner_id: Option<EntityId>) -> EntityGroupInfo {
        EntityGroupInfo {
            id: None,
            created_time: None,
            group_type: Some(group_type.to_string()),
            name: Some(name),
            owner_id,
            tenant_id: None,
            additional_info: None,
            configuration: None,
            version: None,
            group_all: false,
            owner_ids: Vec::new(),
        }
    }
}

/// A group member in a list (`ShortEntityView`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShortEntityView {
    pub id: EntityId,
    pub name: String,
}

/// Whether an audited action succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionStatus {
    Success,
    Failure,
}

/// One audit log entry, ThingsBoard's `AuditLog`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    pub id: crate::model::AuditLogId,
    pub created_time: i64,
    pub tenant_id: Option<crate::model::TenantId>,
    pub customer_id: Option<crate::model::CustomerId>,
    pub entity_id: Option<EntityId>,
    pub entity_name: Option<String>,
    pub user_id: Option<crate::model::UserId>,
    pub user_name: Option<String>,
    pub action_type: String,
    pub action_data: Value,
    pub action_status: ActionStatus,
    pub action_failure_details: Option<String>,
}
