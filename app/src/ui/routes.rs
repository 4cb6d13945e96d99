//! The console's pages as lazy routes: in the browser each page's code is a separate WebAssembly chunk fetched
//! the first time that page is shown (hydration waits for it), so the first download carries only the shell,
//! the router and what every page shares. The server renders them like any other route.
//!
//! `xtask site` does the splitting (`wasm_split_cli_support`, as cargo-leptos 0.3 does); a browser build that
//! skips it keeps the split points' placeholder imports and cannot load.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::{
    auth_pages, customers, explain, group_page, group_sharing, owner_page, profile, roles, tenants, things,
    user_access, user_page, users,
};

/// Declares one lazily loaded page: a unit struct whose `LazyRoute` view renders the given component. Each
/// gets its own split point, named after the struct.
macro_rules! lazy_page {
    ($($(#[$doc:meta])* $route:ident => $view:expr;)*) => {$(
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    )*};
}

lazy_page! {
    /// `/login`.
    Login => view! { <auth_pages::LoginPage /> };
    /// `/login/mfa`.
    Mfa => view! { <auth_pages::MfaPage /> };
    /// `/login/mfa/setup`.
    MfaSetup => view! { <auth_pages::MfaSetupPage /> };
    /// `/login/createPassword`.
    CreatePassword => view! { <auth_pages::CreatePasswordPage /> };
    /// `/activationLinkExpired`.
    LinkExpired => view! { <auth_pages::LinkExpiredPage /> };
    /// `/setup`.
    Setup => view! { <auth_pages::SetupPage /> };
    /// `/profile`.
    Profile => view! { <profile::ProfilePage /> };
    /// `/tenants`.
    Tenants => view! { <tenants::TenantsPage /> };
    /// `/tenants/:id`.
    Tenant => view! { <tenants::TenantPage /> };
    /// `/customers`.
    Customers => view! { <customers::CustomersPage /> };
    /// `/customers/new`.
    NewCustomer => view! { <customers::NewCustomerPage /> };
    /// `/customers/:id`.
    Customer => view! { <customers::CustomerPage /> };
    /// `/users`.
    Users => view! { <users::UsersPage /> };
    /// `/users/new`.
    NewUser => view! { <users::NewUserPage /> };
    /// `/users/:id/owner`.
    UserOwner => view! { <owner_page::UserOwnerPage /> };
    /// `/users/:id`.
    User => view! { <user_page::UserPage /> };
    /// `/users/:id/access`.
    UserAccess => view! { <user_access::UserAccessPage /> };
    /// `/roles`.
    Roles => view! { <roles::RolesPage /> };
    /// `/roles/:id`.
    Role => view! { <roles::RolePage /> };
    /// `/devices`, `/assets`, `/dashboards`, `/edges`: one split point for the four (the kind is in the path),
    /// so they share one chunk instead of four pages' worth of tiny shared ones.
    Things => view! { <things::ThingsPage /> };
    /// `/devices/new` and the other three.
    NewThing => view! { <things::NewThingPage /> };
    /// `/devices/:id` and the other three.
    Thing => view! { <things::ThingPage /> };
    /// `/devices/:id/owner` and the other three.
    ThingOwner => view! { <owner_page::ThingOwnerPage /> };
    /// `/devices/:id/access`, the other three and `/customers/:id/access`.
    WhoCanSee => view! { <explain::WhoCanSeePage /> };
    /// `/groups/:id`.
    Group => view! { <group_page::GroupPage /> };
    /// `/groups/:id/shares`.
    GroupShares => view! { <group_sharing::GroupSharesPage /> };
    /// `/groups/:id/roles`.
    GroupRoles => view! { <group_sharing::GroupRolesPage /> };
}
