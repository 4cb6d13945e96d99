//! The signed-in frame: top bar, navigation by authority, sign-out. Pages render inside it.

use crate::api::identity::session::Me;
use crate::model::Authority;
use crate::model::permissions::{Operation, Resource as Res};
use crate::{LogoutAction, MeResource};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

/// Shows the frame for a signed-in user, or sends the visitor to the login page.
#[component]
pub fn Shell() -> impl IntoView {
    let me = expect_context::<MeResource>();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <Frame me /> }.into_any(),
                    _ => view! { <Redirect path="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(me: Me) -> impl IntoView {
    let logout = expect_context::<LogoutAction>().0;
    let name = match (&me.first_name, &me.last_name) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(f), None) => f.clone(),
        _ => me.email.clone(),
    };
    let role = match me.authority {
        Authority::SysAdmin => "System administrator",
        Authority::TenantAdmin => "Tenant administrator",
        Authority::CustomerUser => "Customer user",
    };
    let nav = sections(&me).into_iter().map(|(href, label)| view! { <a href=href>{label}</a> }).collect_view();
    // A plain form: the way back reloads the whole page as the administrator.
    let banner = me.impersonated_by.clone().map(|by| {
        view! {
            <div class="banner" role="status" data-testid="viewing-as">
                <span>{format!("Viewing as {} — signed in by {by}", me.email)}</span>
                <form method="post" action="/_sfn/stop_viewing_as">
                    <button type="submit" class="link-button">"Back to my account"</button>
                </form>
            </div>
        }
    });
    provide_context(me.clone());
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        {banner}
        <header class="topbar">
            <a class="brand" href="/">"Thingdeck"</a>
            <nav aria-label="Main">{nav}</nav>
            <div class="whoami">
                <span data-testid="whoami">{name}</span>
                <span class="role">{role}</span>
                <ActionForm action=logout>
                    <button type="submit" class="link-button">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
    }
}

/// The navigation the user's abilities allow: a section it may not read is not offered.
fn sections(me: &Me) -> Vec<(&'static str, &'static str)> {
    let may = |r: Res| me.abilities.may(r, Operation::Read);
    let mut out = vec![("/", "Home")];
    if may(Res::Tenant) {
        out.push(("/tenants", "Tenants"));
    }
    if may(Res::Customer) {
        out.push(("/customers", "Customers"));
    }
    if may(Res::User) {
        out.push(("/users", "Users"));
    }
    if may(Res::Role) && me.authority != Authority::SysAdmin {
        out.push(("/roles", "Roles"));
    }
    for (res, group, href, label) in [
        (Res::Device, Res::DeviceGroup, "/devices", "Devices"),
        (Res::Asset, Res::AssetGroup, "/assets", "Assets"),
        (Res::Dashboard, Res::DashboardGroup, "/dashboards", "Dashboards"),
        (Res::Edge, Res::EdgeGroup, "/edges", "Edges"),
    ] {
        // A customer user who reads things only through shared groups still gets the section.
        if me.authority != Authority::SysAdmin && (may(res) || may(group)) {
            out.push((href, label));
        }
    }
    out.push(("/profile", "Profile"));
    out
}

/// The landing page after sign-in.
#[component]
pub fn Home() -> impl IntoView {
    let me = expect_context::<MeResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let me = me.await.ok().flatten();
                let (title, text) = match me.as_ref().map(|m| m.authority) {
                    Some(Authority::SysAdmin) => (
                        "System administration",
                        "Create tenants and their administrators from the Tenants page.",
                    ),
                    Some(Authority::TenantAdmin) => (
                        "Tenant console",
                        "You are signed in as an administrator of your tenant.",
                    ),
                    _ => ("Console", "You are signed in."),
                };
                view! {
                    <h1 data-testid="home-title">{title}</h1>
                    <p>{text}</p>
                    <p class="muted">{me.map(|m| format!("Signed in as {}", m.email))}</p>
                }
            })}
        </Suspense>
    }
}
