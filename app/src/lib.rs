//! Thingdeck's application crate: the console (Leptos components and pages), the typed server functions they
//! call, the wire model shared with the browser, and (server-only, feature `ssr`) the backend services.

#![recursion_limit = "256"]

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

use api::AppError;
use api::session::{ActivateAccount, Login, Logout, Me, MfaEnrol, MfaVerify, current_user};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The signed-in user, loaded before the first paint so server HTML and hydration agree.
pub type MeResource = Resource<Result<Option<Me>, AppError>>;

/// The console's sign-in action, shared so the user resource reloads after it.
#[derive(Clone, Copy)]
pub struct LoginAction(pub ServerAction<Login>);

/// The console's sign-out action.
#[derive(Clone, Copy)]
pub struct LogoutAction(pub ServerAction<Logout>);

/// Setting the first password also signs in, so the user resource reloads after it too.
#[derive(Clone, Copy)]
pub struct ActivateAction(pub ServerAction<ActivateAccount>);

/// Completing a sign-in with a second factor signs in too.
#[derive(Clone, Copy)]
pub struct MfaActions {
    pub verify: ServerAction<MfaVerify>,
    pub enrol: ServerAction<MfaEnrol>,
}

/// The HTML document around the app (server only renders it).
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/pkg/thingdeck.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The console: routes and the state every page shares. Every route renders in `Async` mode: the server sends
/// complete HTML (data included), so pages work before the WASM arrives and without JavaScript at all.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let activate = ServerAction::<ActivateAccount>::new();
    let mfa = MfaActions { verify: ServerAction::<MfaVerify>::new(), enrol: ServerAction::<MfaEnrol>::new() };
    let me: MeResource = Resource::new_blocking(
        move || {
            let signed_in = (login.version().get(), activate.version().get());
            (signed_in, logout.version().get(), mfa.verify.version().get(), mfa.enrol.version().get())
        },
        |_| current_user(),
    );
    provide_context(mfa);
    provide_context(LoginAction(login));
    provide_context(LogoutAction(logout));
    provide_context(ActivateAction(activate));
    provide_context(me);
    Effect::new(move |_| {
        // Lets browser tests (and curious people) know the WASM has taken over the page.
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "1");
        }
    });
    view! {
        <Title text="Thingdeck" />
        <Router>
            <Routes fallback=|| view! { <main class="centered"><h1>"Page not found"</h1><p><a href="/">"Back to the console"</a></p></main> }>
                <Route path=path!("/login") view=ui::auth_pages::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/mfa") view=ui::auth_pages::MfaPage ssr=SsrMode::Async />
                <Route path=path!("/login/mfa/setup") view=ui::auth_pages::MfaSetupPage ssr=SsrMode::Async />
                <Route path=path!("/login/createPassword") view=ui::auth_pages::CreatePasswordPage ssr=SsrMode::Async />
                <Route path=path!("/activationLinkExpired") view=ui::auth_pages::LinkExpiredPage ssr=SsrMode::Async />
                <Route path=path!("/setup") view=ui::auth_pages::SetupPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=ui::layout::Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=ui::layout::Home ssr=SsrMode::Async />
                    <Route path=path!("profile") view=ui::profile::ProfilePage ssr=SsrMode::Async />
                    <Route path=path!("tenants") view=ui::tenants::TenantsPage ssr=SsrMode::Async />
                    <Route path=path!("tenants/:id") view=ui::tenants::TenantPage ssr=SsrMode::Async />
                    <Route path=path!("customers") view=ui::customers::CustomersPage ssr=SsrMode::Async />
                    <Route path=path!("customers/:id") view=ui::customers::CustomerPage ssr=SsrMode::Async />
                    <Route path=path!("users") view=ui::users::UsersPage ssr=SsrMode::Async />
                    <Route path=path!("users/:id") view=ui::user_page::UserPage ssr=SsrMode::Async />
                    <Route path=path!("roles") view=ui::roles::RolesPage ssr=SsrMode::Async />
                    <Route path=path!("roles/:id") view=ui::roles::RolePage ssr=SsrMode::Async />
                    <Route path=path!("devices") view=|| view! { <ui::things::ThingsPage meta=ui::things::DEVICES /> } ssr=SsrMode::Async />
                    <Route path=path!("devices/:id") view=|| view! { <ui::things::ThingPage meta=ui::things::DEVICES /> } ssr=SsrMode::Async />
                    <Route path=path!("assets") view=|| view! { <ui::things::ThingsPage meta=ui::things::ASSETS /> } ssr=SsrMode::Async />
                    <Route path=path!("assets/:id") view=|| view! { <ui::things::ThingPage meta=ui::things::ASSETS /> } ssr=SsrMode::Async />
                    <Route path=path!("dashboards") view=|| view! { <ui::things::ThingsPage meta=ui::things::DASHBOARDS /> } ssr=SsrMode::Async />
                    <Route path=path!("dashboards/:id") view=|| view! { <ui::things::ThingPage meta=ui::things::DASHBOARDS /> } ssr=SsrMode::Async />
                    <Route path=path!("edges") view=|| view! { <ui::things::ThingsPage meta=ui::things::EDGES /> } ssr=SsrMode::Async />
                    <Route path=path!("edges/:id") view=|| view! { <ui::things::ThingPage meta=ui::things::EDGES /> } ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
