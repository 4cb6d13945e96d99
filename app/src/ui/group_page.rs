//! One entity group's page (`/groups/:id`): what it holds and whose it is, a link to its members, and what the
//! caller may do to it — rename, make public or private, delete, and links to its sharing (device, asset,
//! dashboard, edge and customer groups) or its roles (user groups), which are pages of their own
//! (`ui::group_sharing`). It is a page of its own so the lists, which every administrator opens, do not load
//! this code.

use crate::api::groups::entity_groups::{DeleteGroup, GroupSummary, RenameGroup, SetGroupPublic, group_view};
use crate::api::identity::session::Me;
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{CopyLink, ErrorMessage, Toast, field_error};
use crate::ui::confirm::ConfirmSubmit;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The list of a group type's members and its lower-case plural.
pub fn list_of(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "DEVICE" => ("/devices", "devices"),
        "ASSET" => ("/assets", "assets"),
        "DASHBOARD" => ("/dashboards", "dashboards"),
        "EDGE" => ("/edges", "edges"),
        "USER" => ("/users", "users"),
        _ => ("/customers", "customers"),
    }
}

/// The list filtered to the group (and to its owner's tabs when it is a sub-customer's).
fn members_href(g: &GroupSummary) -> String {
    let (path, _) = list_of(&g.kind);
    if g.list_owner.is_empty() {
        format!("{path}?group={}", g.tab.id)
    } else {
        format!("{path}?owner={}&group={}", g.list_owner, g.tab.id)
    }
}

/// `/groups/:id`.
#[component]
pub fn GroupPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let rename = ServerAction::<RenameGroup>::new();
    let public = ServerAction::<SetGroupPublic>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let group =
        Resource::new(move || (id.get(), rename.version().get(), public.version().get()), |(id, _, _)| group_view(id));
    let error = Signal::derive(move || {
        public.value().get().and_then(|r| r.err()).or_else(|| delete.value().get().and_then(|r| r.err()))
    });
    let publicity = Signal::derive(move || public.value().get().and_then(|r| r.ok()).map(|_| "Saved.".to_string()));
    // Where to go once the group is gone: its type's list, learnt when the page loaded.
    let list = RwSignal::new("/");
    let navigate = use_navigate();
    Effect::new(move |_| {
        if delete.value().get().is_some_and(|r| r.is_ok()) {
            navigate(list.get_untracked(), Default::default());
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match group.await {
                    Err(e) => view! {
                        <p class="error" role="alert">{e.message}</p>
                        <p><a href="/">"← Home"</a></p>
                    }.into_any(),
                    Ok(g) => {
                        let (path, plural) = list_of(&g.kind);
                        list.set(path);
                        view! {
                            <p><a href=path>{format!("← All {plural}")}</a></p>
                            <h1>{g.tab.name.clone()}</h1>
                            <p class="muted" data-testid="group-owner">{format!("A group of {plural} · Owner: {}", g.owner_name)}</p>
                            <p><a href=members_href(&g) data-testid="group-members">{format!("Its {plural} →")}</a></p>
                            {g.writable.then(|| view! { <Rename g=g.clone() action=rename /> })}
                            <Sharing g=g.clone() />
                            {(g.tab.owned && g.writable && g.kind != "USER").then(|| view! { <Publicity g=g.clone() action=public done=publicity /> })}
                            {g.deletable.then(|| {
                                let question = if g.kind == "USER" {
                                    format!("Delete user group {}? Its users stay, but lose the roles it gave them.", g.tab.name)
                                } else {
                                    format!("Delete group {}? Its {plural} stay.", g.tab.name)
                                };
                                view! {
                                    <ActionForm action=delete>
                                        <input type="hidden" name="group" value=g.tab.id.clone() />
                                        <ConfirmSubmit key="delete-group" label="Delete group" question />
                                    </ActionForm>
                                }
                            })}
                            <ErrorMessage error />
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The group's name, for those who may write it.
#[component]
fn Rename(g: GroupSummary, action: ServerAction<RenameGroup>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let (name_error, other_error) = field_error(error, "name");
    let renamed = Signal::derive(move || action.value().get().and_then(|r| r.ok()).map(|_| "Renamed.".to_string()));
    view! {
        <section class="card">
            <h2>"Name"</h2>
            <ActionForm action>
                <input type="hidden" name="group" value=g.tab.id />
                <input type="hidden" name="version" value=g.version.to_string() />
                <label for="group-name">"Name"</label>
                <input id="group-name" name="name" required maxlength="255" value=g.tab.name />
                <ErrorMessage error=name_error />
                <ErrorMessage error=other_error />
                <button type="submit" class="primary">"Rename"</button>
            </ActionForm>
            <Toast text=renamed />
        </section>
    }
}

/// Where a user group's roles, or who another group is shared with, are managed — for groups inside the
/// caller's subtree; a group shared with the caller says so instead.
#[component]
fn Sharing(g: GroupSummary) -> impl IntoView {
    let may = |res, op| use_context::<Me>().is_some_and(|m| m.abilities.may(res, op));
    if !g.managed {
        return view! { <p class="muted" data-testid="group-shared">"Shared with you by its owner."</p> }.into_any();
    }
    let id = g.tab.id;
    if g.kind == "USER" {
        return may(Res::GroupPermission, Operation::Read)
            .then(|| view! {
                <p><a class="button" href=format!("/groups/{id}/roles") data-testid="group-roles-link">"Its roles →"</a></p>
            })
            .into_any();
    }
    g.writable
        .then(|| view! {
            <p><a class="button" href=format!("/groups/{id}/shares") data-testid="group-shares-link">"Share with customers →"</a></p>
        })
        .into_any()
}

/// Public or private, with the public id to hand out; only the group's own owner side decides.
#[component]
fn Publicity(g: GroupSummary, action: ServerAction<SetGroupPublic>, done: Signal<Option<String>>) -> impl IntoView {
    let is_public = !g.tab.public_id.is_empty();
    view! {
        <section class="card" data-testid="group-public">
            <h2>"Public access"</h2>
            <p>{if is_public { "Anyone with its public id reads this group." } else { "Only those it is shared with read this group." }}</p>
            <ActionForm action>
                <input type="hidden" name="group" value=g.tab.id />
                <input type="hidden" name="public" value=(!is_public).to_string() />
                <button type="submit">{if is_public { "Make private" } else { "Make public" }}</button>
            </ActionForm>
            {is_public.then(|| view! {
                <CopyLink value=g.tab.public_id label="Public id (anyone signs in with it at /api/auth/login/public)" testid="public-id" />
            })}
            <Toast text=done />
        </section>
    }
}
