//! A group's sharing (`/groups/:id/shares`: which customers or user groups read or write a device, asset,
//! dashboard, edge or customer group, and with which roles) and a user group's roles (`/groups/:id/roles`).
//! Pages of their own, linked from the group's page, so that page — opened for every rename — does not load
//! the sharing forms' code. What is allowed is decided by the server functions behind the panels.

use crate::api::groups::entity_groups::{GroupSummary, group_view};
use crate::ui::group_page::list_of;
use crate::ui::groups::SharePanel;
use crate::ui::user_groups::UserGroupPanel;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// What a customer will not see of a shared dashboard group, said where the sharing happens.
const DASHBOARD_SHARE_WARNING: &str = "A dashboard shows only what its viewers may read: share the device and asset \
     groups its widgets use with the same customer, or its widgets stay empty for them.";

/// The group named by the path, then `panel` for it, under a heading and the way back to the group's page.
fn group_subpage(title: &'static str, panel: fn(GroupSummary) -> AnyView) -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let group = Resource::new(move || id.get(), group_view);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match group.await {
                    Err(e) => view! {
                        <p class="error" role="alert">{e.message}</p>
                        <p><a href="/">"← Home"</a></p>
                    }.into_any(),
                    Ok(g) => {
                        let (_, plural) = list_of(&g.kind);
                        view! {
                            <p><a href=format!("/groups/{}", g.tab.id) data-testid="back-to-group">{format!("← {}", g.tab.name)}</a></p>
                            <h1>{format!("{}: {title}", g.tab.name)}</h1>
                            <p class="muted">{format!("A group of {plural} · Owner: {}", g.owner_name)}</p>
                            {panel(g)}
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/groups/:id/shares`: who the group is shared with, sharing and revoking (the `?customer=` picked lists
/// that customer's user groups, also without JavaScript).
#[component]
pub fn GroupSharesPage() -> impl IntoView {
    group_subpage("sharing", |g| {
        if !g.managed || g.kind == "USER" || !g.writable {
            return view! { <p class="error" role="alert">"You cannot share this group."</p> }.into_any();
        }
        let warning = if g.kind == "DASHBOARD" { DASHBOARD_SHARE_WARNING } else { "" };
        let chosen = use_query_map().with_untracked(|q| q.get("customer").unwrap_or_default());
        view! { <SharePanel group=g.tab warning chosen /> }.into_any()
    })
}

/// `/groups/:id/roles`: the roles a user group gives its members, added and removed.
#[component]
pub fn GroupRolesPage() -> impl IntoView {
    group_subpage("roles", |g| {
        if !g.managed || g.kind != "USER" {
            return view! { <p class="error" role="alert">"Only a user group of yours has roles to manage."</p> }
                .into_any();
        }
        view! { <UserGroupPanel group=g.tab /> }.into_any()
    })
}
