//! Thingdeck's application crate: the console (Leptos components and pages), the typed server functions they
//! call, the wire model shared with the browser, and (server-only, feature `ssr`) the backend services.

#![recursion_limit = "256"]

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

use api::AppError;
use api::identity::session::{ActivateAccount, Login, Logout, Me, MfaEnrol, MfaVerify, current_user};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};
use ui::routes;

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
    let css = format!("/{}/thingdeck.css", options.site_pkg_dir);
    // The page's policy names the nonce its own scripts carry (leptos puts it on every script it writes).
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(v) = http::HeaderValue::from_str(&backend::http::headers::csp(&nonce))
    {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=css />
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
                <Route path=path!("/login") view={Lazy::<routes::Login>::new()} ssr=SsrMode::Async />
                <Route path=path!("/login/mfa") view={Lazy::<routes::Mfa>::new()} ssr=SsrMode::Async />
                <Route path=path!("/login/mfa/setup") view={Lazy::<routes::MfaSetup>::new()} ssr=SsrMode::Async />
                <Route path=path!("/login/createPassword") view={Lazy::<routes::CreatePassword>::new()} ssr=SsrMode::Async />
                <Route path=path!("/activationLinkExpired") view={Lazy::<routes::LinkExpired>::new()} ssr=SsrMode::Async />
                <Route path=path!("/setup") view={Lazy::<routes::Setup>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=ui::layout::Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=ui::layout::Home ssr=SsrMode::Async />
                    <Route path=path!("profile") view={Lazy::<routes::Profile>::new()} ssr=SsrMode::Async />
                    <Route path=path!("tenants") view={Lazy::<routes::Tenants>::new()} ssr=SsrMode::Async />
                    <Route path=path!("tenants/:id") view={Lazy::<routes::Tenant>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers") view={Lazy::<routes::Customers>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/new") view={Lazy::<routes::NewCustomer>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/:id/access") view={Lazy::<routes::WhoCanSee>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/:id") view={Lazy::<routes::Customer>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users") view={Lazy::<routes::Users>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users/new") view={Lazy::<routes::NewUser>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users/:id/owner") view={Lazy::<routes::UserOwner>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users/:id/access") view={Lazy::<routes::UserAccess>::new()} ssr=SsrMode::Async />
                    <Route path=path!("users/:id") view={Lazy::<routes::User>::new()} ssr=SsrMode::Async />
                    <Route path=path!("roles") view={Lazy::<routes::Roles>::new()} ssr=SsrMode::Async />
                    <Route path=path!("roles/:id") view={Lazy::<routes::Role>::new()} ssr=SsrMode::Async />
                    <Route path=path!("devices") view={Lazy::<routes::Things>::new()} ssr=SsrMode::Async />
                    <Route path=path!("devices/new") view={Lazy::<routes::NewThing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("devices/:id/owner") view={Lazy::<routes::ThingOwner>::new()} ssr=SsrMode::Async />
                    <Route path=path!("devices/:id/access") view={Lazy::<routes::WhoCanSee>::new()} ssr=SsrMode::Async />
                    <Route path=path!("devices/:id") view={Lazy::<routes::Thing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("assets") view={Lazy::<routes::Things>::new()} ssr=SsrMode::Async />
                    <Route path=path!("assets/new") view={Lazy::<routes::NewThing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("assets/:id/owner") view={Lazy::<routes::ThingOwner>::new()} ssr=SsrMode::Async />
                    <Route path=path!("assets/:id/access") view={Lazy::<routes::WhoCanSee>::new()} ssr=SsrMode::Async />
                    <Route path=path!("assets/:id") view={Lazy::<routes::Thing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("dashboards") view={Lazy::<routes::Things>::new()} ssr=SsrMode::Async />
                    <Route path=path!("dashboards/new") view={Lazy::<routes::NewThing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("dashboards/:id/owner") view={Lazy::<routes::ThingOwner>::new()} ssr=SsrMode::Async />
                    <Route path=path!("dashboards/:id/access") view={Lazy::<routes::WhoCanSee>::new()} ssr=SsrMode::Async />
                    <Route path=path!("dashboards/:id") view={Lazy::<routes::Thing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("edges") view={Lazy::<routes::Things>::new()} ssr=SsrMode::Async />
                    <Route path=path!("edges/new") view={Lazy::<routes::NewThing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("edges/:id/owner") view={Lazy::<routes::ThingOwner>::new()} ssr=SsrMode::Async />
                    <Route path=path!("edges/:id/access") view={Lazy::<routes::WhoCanSee>::new()} ssr=SsrMode::Async />
                    <Route path=path!("edges/:id") view={Lazy::<routes::Thing>::new()} ssr=SsrMode::Async />
                    <Route path=path!("groups/:id/shares") view={Lazy::<routes::GroupShares>::new()} ssr=SsrMode::Async />
                    <Route path=path!("groups/:id/roles") view={Lazy::<routes::GroupRoles>::new()} ssr=SsrMode::Async />
                    <Route path=path!("groups/:id") view={Lazy::<routes::Group>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
