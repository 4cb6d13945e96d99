//! "Manage owner and groups", as ThingsBoard's dialog of that name: for a thing (`/devices/:id/owner` and the
//! other three kinds) the new owner with any of its groups and, optionally, a new group made for it; for a user
//! (`/users/:id/owner`) the new owner; for both the owner's groups with Add / Remove. Pages of their own, so the
//! entity's page, opened far more often, does not load the group-membership code. The server functions decide.

use crate::api::accounts::users::{ChangeUserOwner, get_user};
use crate::api::groups::entity_groups::{GroupMember, membership_choices};
use crate::api::things::edit::{ChangeThingOwner, get_thing};
use crate::api::views::ThingView;
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{ErrorMessage, Toast};
use crate::ui::groups::Membership;
use crate::ui::owner_picker::OwnerPicker;
use crate::ui::things::{Meta, may, meta_here};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The `:id` of the page's path.
fn id_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()))
}

/// `/devices/:id/owner` and the other three.
#[component]
pub fn ThingOwnerPage() -> impl IntoView {
    let meta = meta_here();
    let id = id_param();
    let owner = ServerAction::<ChangeThingOwner>::new();
    let membership = ServerAction::<GroupMember>::new();
    let thing = Resource::new(
        move || (id.get(), owner.version().get(), membership.version().get()),
        move |(id, _, _)| get_thing(meta.kind.into(), id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match thing.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(t) => {
                        let groups = t.groups.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>().join(", ");
                        view! {
                            <p><a href=format!("{}/{}", meta.path, t.id) data-testid="back-to-entity">{format!("← {}", t.name)}</a></p>
                            <h1>{format!("Manage owner and groups: {}", t.name)}</h1>
                            <p class="muted" data-testid="thing-owner">{format!("Owner: {}", t.owner_name)}</p>
                            <p class="muted" data-testid="thing-groups">{format!("Groups: {groups}")}</p>
                            {may(meta.res, Operation::ChangeOwner).then(|| view! { <ManageOwner meta t=t.clone() action=owner /> })}
                            <Membership
                                kind=meta.kind
                                id=t.id.clone()
                                owner=t.owner_id.clone()
                                member_of=t.groups.iter().map(|(id, _)| id.clone()).collect()
                                writable=may(meta.group_res, Operation::AddToGroup) || may(meta.group_res, Operation::Write)
                                action=membership
                                title="Groups"
                                testid="membership"
                            />
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// "Manage owner and groups": the new owner, any of its groups (offered once it is picked) and a new group
/// made for it on the way ("create a new one!"). One server call moves it all or nothing.
#[component]
fn ManageOwner(meta: Meta, t: ThingView, action: ServerAction<ChangeThingOwner>) -> impl IntoView {
    let chosen = RwSignal::new(t.owner_id.clone());
    let kind = meta.kind;
    let groups = Resource::new(move || chosen.get(), move |o| membership_choices(kind.into(), o));
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let done = Signal::derive(move || {
        action.value().get().and_then(|r| r.ok()).map(|t| format!("Now owned by {}.", t.owner_name))
    });
    // After a move the page re-renders in place, which keeps what was typed and ticked: back to the defaults.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            #[cfg(feature = "hydrate")]
            if let Some(f) = form.get() {
                f.reset();
            }
        }
    });
    view! {
        <section class="card" data-testid="manage-owner">
            <h2>"Owner"</h2>
            <ActionForm action node_ref=form>
                <input type="hidden" name="kind" value=meta.kind />
                <input type="hidden" name="id" value=t.id />
                <label for="owner">"New owner"</label>
                <OwnerPicker id="owner" current=t.owner_id.clone() picked=chosen />
                <fieldset class="choice" id="owner-groups">
                    <legend>"Its groups to join (besides “All”)"</legend>
                    <Transition fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                        {move || Suspend::new(async move {
                            match groups.await {
                                Ok(Some(list)) if list.iter().all(|g| g.id.is_empty()) => {
                                    view! { <p class="empty">"It has no other groups yet."</p> }.into_any()
                                }
                                Ok(Some(list)) => list.into_iter().filter(|g| !g.id.is_empty()).map(|g| view! {
                                    <label><input type="checkbox" name="groups[]" value=g.id />{format!(" {}", g.name)}</label>
                                }).collect_view().into_any(),
                                Ok(None) => view! { <p class="muted">"Its groups are not yours to see."</p> }.into_any(),
                                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </fieldset>
                <label for="new-group">"…or create a new one! (optional)"</label>
                <input id="new-group" name="new_group" maxlength="255" placeholder="e.g. Office sensors" />
                <ErrorMessage error />
                <button type="submit" class="primary">"Change owner"</button>
            </ActionForm>
            <Toast text=done />
        </section>
    }
}

/// `/users/:id/owner`.
#[component]
pub fn UserOwnerPage() -> impl IntoView {
    let id = id_param();
    let owner = ServerAction::<ChangeUserOwner>::new();
    let membership = ServerAction::<GroupMember>::new();
    let user =
        Resource::new(move || (id.get(), owner.version().get(), membership.version().get()), |(id, _, _)| get_user(id));
    let error = Signal::derive(move || {
        owner.value().get().and_then(|r| r.err()).or_else(|| membership.value().get().and_then(|r| r.err()))
    });
    let done = Signal::derive(move || {
        if owner.value().get().is_some_and(|r| r.is_ok()) {
            Some("Owner changed.".to_string())
        } else if membership.value().get().is_some_and(|r| r.is_ok()) {
            Some("Done.".to_string())
        } else {
            None
        }
    });
    view! {
        <ErrorMessage error />
        <Toast text=done />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(u) => {
                        let (id3, current_owner) = (u.user.id.clone(), u.owner_id.clone());
                        view! {
                            <p><a href=format!("/users/{}", u.user.id) data-testid="back-to-entity">{format!("← {}", u.user.email)}</a></p>
                            <h1>{format!("Manage owner and groups: {}", u.user.email)}</h1>
                            <p class="muted" data-testid="user-owner">{format!("Owner: {}", u.user.owner_name)}</p>
                            <p class="muted" data-testid="user-groups">{format!("Groups: {}", u.user.groups.join(", "))}</p>
                            <Membership
                                kind="USER"
                                id=u.user.id.clone()
                                owner=u.owner_id.clone()
                                member_of=u.group_ids.clone()
                                writable=may(Res::UserGroup, Operation::AddToGroup) || may(Res::UserGroup, Operation::Write)
                                action=membership
                                title="User groups"
                                testid="user-membership"
                            />
                        {may(Res::User, Operation::ChangeOwner).then(|| view! {
                            <section class="card" data-testid="user-manage-owner">
                                <h2>"Owner"</h2>
                                <ActionForm action=owner>
                                    <input type="hidden" name="id" value=id3 />
                                    <label for="powner">"Owner"</label>
                                    <OwnerPicker id="powner" current=current_owner />
                                    <p class="muted">"The user leaves all its groups and joins the new owner's “All”."</p>
                                    <button type="submit">"Change owner"</button>
                                </ActionForm>
                            </section>
                        })}
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
