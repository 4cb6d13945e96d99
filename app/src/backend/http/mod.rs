//! The ThingsBoard-compatible REST API. Handlers only translate HTTP to service calls; authorization and
//! validation happen in the services.

pub mod auth;
pub mod customers;
pub mod entity_groups;
pub mod error;
pub mod extract;
pub mod headers;
pub mod limits;
pub mod permissions;
pub mod redirects;
pub mod snapshot;
pub mod state;
pub mod tenants;
pub mod things;
pub mod two_fa;
pub mod user_settings;
pub mod users;

use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceError;
use axum::Router;
use axum::routing::{get, post};

/// Every `/api` route; unknown `/api` paths answer 404 in ThingsBoard's shape.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/token", post(auth::token))
        .route("/api/auth/user", get(auth::user))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/auth/changePassword", post(auth::change_password))
        .route("/api/noauth/userPasswordPolicy", get(auth::password_policy))
        .route("/api/noauth/activate", get(auth::check_activate).post(auth::activate))
        .route("/api/noauth/resetPasswordByEmail", post(auth::reset_by_email))
        .route("/api/noauth/resetPassword", get(auth::check_reset).post(auth::reset))
        .route("/api/auth/2fa/providers", get(two_fa::sign_in_providers))
        .route("/api/auth/2fa/verification/send", post(two_fa::send_code))
        .route("/api/auth/2fa/verification/check", post(two_fa::check_code))
        .route("/api/auth/2fa/login", post(two_fa::finish_configuration))
        .route(
            "/api/user/settings",
            get(user_settings::get_general).post(user_settings::save).put(user_settings::update_general),
        )
        .route(
            "/api/user/settings/{x}",
            get(user_settings::get).put(user_settings::update).delete(user_settings::delete_general),
        )
        .route("/api/user/settings/{kind}/{paths}", axum::routing::delete(user_settings::delete))
        .route("/api/2fa/settings", get(two_fa::settings).post(two_fa::save_settings))
        .route("/api/2fa/providers", get(two_fa::providers))
        .route("/api/2fa/account/settings", get(two_fa::account_settings))
        .route("/api/2fa/account/config/generate", post(two_fa::generate))
        .route("/api/2fa/account/config/submit", post(two_fa::submit_config))
        .route(
            "/api/2fa/account/config",
            post(two_fa::save_config).put(two_fa::update_config).delete(two_fa::delete_config),
        )
        .route("/api/admin/securitySettings", get(auth::security_settings).post(auth::save_security_settings))
        .route("/api/tenant", post(tenants::save))
        .route("/api/tenant/{id}", get(tenants::get).delete(tenants::delete))
        .route("/api/tenant/info/{id}", get(tenants::info))
        .route("/api/tenant/{id}/users", get(users::tenant_users))
        .route("/api/tenants", get(tenants::list))
        .route("/api/tenantInfos", get(tenants::list_infos))
        .route("/api/customer", post(customers::save))
        .route("/api/customer/{id}", get(customers::get).delete(customers::delete))
        .route("/api/customer/info/{id}", get(customers::info))
        .route("/api/customer/{id}/customerInfos", get(customers::sub_customer_infos))
        .route("/api/customers", get(customers::tenant_customers))
        .route("/api/customerInfos/all", get(customers::all_infos))
        .route("/api/tenant/customers", get(customers::by_title))
        .route("/api/entityGroup", post(entity_groups::save))
        .route("/api/entityGroup/{id}", get(entity_groups::get).delete(entity_groups::delete))
        .route("/api/entityGroup/{id}/entities", get(entity_groups::entities))
        .route("/api/entityGroup/{id}/customers", get(entity_groups::customers_of))
        .route("/api/entityGroup/{id}/users", get(entity_groups::users_of))
        .route("/api/entityGroup/{id}/addEntities", post(entity_groups::add_entities))
        .route("/api/entityGroup/{id}/deleteEntities", post(entity_groups::delete_entities))
        .route("/api/entityGroup/{id}/share", post(entity_groups::share))
        .route("/api/entityGroup/{id}/makePublic", post(entity_groups::make_public))
        .route("/api/entityGroup/{id}/makePrivate", post(entity_groups::make_private))
        .route("/api/entityGroup/{id}/{userGroupId}/{roleId}/share", post(entity_groups::share_down))
        .route("/api/entityGroup/all/{ownerType}/{ownerId}/{groupType}", get(entity_groups::all_group))
        .route("/api/entityGroups/{groupType}", get(entity_groups::by_type))
        .route("/api/entityGroups/{entityType}/{entityId}", get(entity_groups::of_entity))
        .route("/api/entityGroups/{ownerType}/{ownerId}/{groupType}", get(entity_groups::by_owner))
        .route("/api/entityGroups/{ownerType}/{ownerId}/{groupType}/all", get(entity_groups::by_owner))
        .route("/api/entityGroups/{groupType}/all", get(entity_groups::by_type))
        .route("/api/owner/{ownerType}/{ownerId}/{entityType}/{entityId}", post(entity_groups::change_owner))
        .route("/api/role", post(permissions::save_role))
        .route("/api/role/{id}", get(permissions::get_role).delete(permissions::delete_role))
        .route("/api/roles", get(permissions::list_roles))
        .route("/api/groupPermission", post(permissions::create_permission))
        .route("/api/groupPermission/{id}", get(permissions::get_permission).delete(permissions::delete_permission))
        .route("/api/userGroup/{id}/groupPermissions", get(permissions::user_group_permissions))
        .route("/api/entityGroup/{id}/groupPermissions", get(permissions::entity_group_permissions))
        .route("/api/permissions/allowedPermissions", get(permissions::allowed_permissions))
        .route("/api/permission/{entityType}/{entityId}/{operation}", get(permissions::has_permission))
        .route("/api/thingdeck/explain", get(permissions::explain))
        .route("/api/thingdeck/user/{id}/2fa", axum::routing::delete(two_fa::reset_for_user))
        .route("/api/thingdeck/shareWarnings", get(entity_groups::share_warnings))
        .route("/api/user", post(users::save))
        .route("/api/user/{id}", get(users::get).delete(users::delete))
        .route("/api/user/info/{id}", get(users::info))
        .route("/api/user/users", get(users::visible))
        .route("/api/user/sendActivationMail", post(users::send_activation_mail))
        .route("/api/user/tokenAccessEnabled", get(users::token_access_enabled))
        .route("/api/user/{id}/token", get(users::token))
        .route("/api/audit/logs", get(users::audit_logs))
        .route("/api/audit/logs/user/{id}", get(users::user_audit_logs))
        .route("/api/audit/logs/customer/{id}", get(users::customer_audit_logs))
        .route("/api/user/{id}/userCredentialsEnabled", post(users::credentials_enabled))
        .route("/api/userInfos/all", get(users::infos_all))
        .route("/api/users/info", get(users::email_infos))
        .route("/api/users/list", get(users::by_ids))
        .route("/api/customer/{id}/users", get(users::customer_users))
        .route("/api/customer/{id}/userInfos", get(users::customer_user_infos))
        .route("/api/user/{id}/activationLink", get(users::activation_link))
        .route("/api/user/{id}/activationLinkInfo", get(users::activation_link_info))
        .merge(things::routes(crate::backend::things::kind::Kind::Device))
        .merge(things::routes(crate::backend::things::kind::Kind::Asset))
        .merge(things::routes(crate::backend::things::kind::Kind::Dashboard))
        .merge(things::routes(crate::backend::things::kind::Kind::Edge))
        .route("/api/{*rest}", axum::routing::any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> ServiceError {
    ServiceError::MethodNotAllowed
}

async fn not_found() -> ServiceError {
    ServiceError::NotFound("Requested item wasn't found!".into())
}
