//! Entity groups in the console: the tab row above every list with the link to the open group's own page, the
//! "new group" form, the sharing section of the group page (share with a customer's users or one of its user
//! groups read-only, read-write or with chosen Group roles; see and revoke shares), and an entity's membership in
//! its owner's groups.

use crate::api::groups::entity_groups::{
    CreateGroup, GroupMember, RevokeShare, ShareGroup, group_shares, group_tabs, membership_choices, owner_groups,
    share_targets,
};
use crate::api::groups::roles::role_choices;
use crate::api::views::GroupTab;
use crate::ui::common::{ErrorMessage, ListQuery, Toast};
use leptos::prelude::*;

/// The "All" tab and one per group, each a link that keeps the list's order, and a link to the open group's own
/// page. Follows the URL: a click on a tab navigates without reloading the group list.
#[component]
pub fn GroupTabs(groups: Vec<GroupTab>, q: Memo<ListQuery>, label: &'static str) -> impl IntoView {
    move || {
        let current = q.get();
        let tabs = groups
            .iter()
            .map(|g| {
                let selected = g.id == current.group;
                let href = current.tab(&g.id);
                let text = if !g.owned && !g.id.is_empty() { format!("{} (shared)", g.name) } else { g.name.clone() };
                view! { <a href=href class="tab" aria-current=selected.then_some("page")>{text}</a> }
            })
            .collect_view();
        // Sharing, roles, renaming and deleting live on the group's own page, so the lists do not carry them.
        let open = groups.iter().any(|g| !g.id.is_empty() && g.id == current.group).then(|| {
            view! {
                <p class="group-link">
                    <a href=format!("/groups/{}", current.group) data-testid="group-page-link">"Manage this group →"</a>
                </p>
            }
        });
        view! {
            <nav class="tabs" aria-label=label data-testid="group-tabs">{tabs}</nav>
            {open}
        }
    }
}

/// The tabs of a list of `kind`: the groups the caller sees, or with `owner` that owner's own.
pub async fn tabs_for(kind: &'static str, owner: String) -> Result<Vec<GroupTab>, crate::api::AppError> {
    if owner.is_empty() { group_tabs(kind.into()).await } else { owner_groups(kind.into(), owner).await }
}

/// Creates a group of `kind` owned by the caller's owner, or by `owner` (a customer below it) when given.
#[component]
pub fn NewGroup(
    action: ServerAction<CreateGroup>,
    kind: &'static str,
    heading: &'static str,
    #[prop(optional, into)] owner: String,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let done = Signal::derive(move || {
        action.value().get().and_then(|r| r.ok()).map(|g| format!("Group “{}” created.", g.name))
    });
    view! {
        <section class="card">
            <h2>{heading}</h2>
            <ActionForm action>
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="owner" value=owner />
                <label for="gname">"Name"</label>
                <input id="gname" name="name" required maxlength="255" />
                <ErrorMessage error />
                <button type="submit" class="primary">"Create group"</button>
            </ActionForm>
            <Toast text=done />
        </section>
    }
}

/// Who has one group (with a Revoke each) and a form to share it with a customer's users (all of them or one
/// of its user groups) read-only, read-write or with chosen Group roles: the group page's sharing section.
/// `warning` is shown above the share form (dashboards: what the customer will not be able to read).
#[component]
pub fn SharePanel(
    group: GroupTab,
    #[prop(default = "")] warning: &'static str,
    /// The customer already chosen (the page's `?customer=`), whose user groups are listed.
    #[prop(optional)]
    chosen: String,
) -> impl IntoView {
    let share = ServerAction::<ShareGroup>::new();
    let revoke = ServerAction::<RevokeShare>::new();
    let gid = group.id.clone();
    let shares = Resource::new(
        move || (gid.clone(), share.version().get(), revoke.version().get()),
        |(g, _, _)| group_shares(g),
    );
    let targets = Resource::new(|| (), |_| share_targets());
    // The chosen customer's user groups (its "All" is the default choice, "all users").
    let customer = RwSignal::new(chosen);
    let user_groups = Resource::new(
        move || customer.get(),
        |c| async move {
            if c.is_empty() {
                return Ok(None);
            }
            membership_choices("USER".into(), c).await
        },
    );
    let roles_q = crate::ui::pickers::picker_query("roles");
    let group_roles = Resource::new(move || roles_q.get(), |(search, page)| role_choices(search, page, true));
    let error = Signal::derive(move || {
        share.value().get().and_then(|r| r.err()).or_else(|| revoke.value().get().and_then(|r| r.err()))
    });
    let done = Signal::derive(move || {
        if share.value().get().is_some_and(|r| r.is_ok()) {
            Some("Group shared.".to_string())
        } else if revoke.value().get().is_some_and(|r| r.is_ok()) {
            Some("Share revoked.".to_string())
        } else {
            None
        }
    });
    let id = group.id.clone();
    let name = group.name.clone();
    view! {
        <section class="card" data-testid="share-panel" aria-labelledby="share-heading">
            <h2 id="share-heading">{format!("Sharing “{name}”")}</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading shares…"</p> }>
                {move || Suspend::new(async move {
                    match shares.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(list) if list.iter().all(|s| s.public) => {
                            view! { <p class="empty">"Not shared with anyone."</p> }.into_any()
                        }
                        Ok(list) => {
                            let rows = list.into_iter().filter(|s| !s.public).map(|s| {
                                view! {
                                    <li>
                                        {format!("{} — {}: {}", s.owner_name, s.user_group, s.role)}
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="id" value=s.id />
                                            <button type="submit" class="link-button danger">"Revoke"</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view();
                            view! { <ul class="shares" data-testid="shares">{rows}</ul> }.into_any()
                        }
                    }
                })}
            </Transition>
            {(!warning.is_empty()).then(|| view! { <p class="warning" role="note">{warning}</p> })}
            // The customer is picked in a GET form of its own: without JavaScript its button reloads the page with
            // `?customer=`, which lists that customer's user groups; once hydrated the choice updates them at once.
            <form method="get" class="pick">
                <label for="share-customer">"Share with customer"</label>
                <Suspense fallback=|| view! { <p class="loading">"Loading customers…"</p> }>
                {move || Suspend::new(async move {
                    let chosen = customer.get_untracked();
                    let options = targets.await.unwrap_or_default().into_iter().map(|c| {
                        let sel = c.id == chosen;
                        view! { <option value=c.id selected=sel>{c.name}</option> }
                    }).collect_view();
                    view! {
                        <select id="share-customer" name="customer" required
                            on:change=move |ev| customer.set(event_target_value(&ev))>
                            <option value="">"— choose —"</option>
                            {options}
                        </select>
                    }
                })}
                </Suspense>
                <noscript><button type="submit">"List its user groups"</button></noscript>
            </form>
            <ActionForm action=share>
                <input type="hidden" name="group" value=id />
                <input type="hidden" name="customer" value=move || customer.get() />
                <label for="share-user-group">"Its users"</label>
                <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = user_groups.await.ok().flatten().unwrap_or_default().into_iter()
                        .filter(|g| g.name != "All")
                        .map(|g| view! { <option value=g.id>{g.name}</option> })
                        .collect_view();
                    view! {
                        <select id="share-user-group" name="user_group">
                            <option value="">"All users of the customer"</option>
                            {options}
                        </select>
                    }
                })}
                </Transition>
                <fieldset class="choice">
                    <legend>"Access"</legend>
                    <label><input type="radio" name="access" value="read" checked />" Read"</label>
                    <label><input type="radio" name="access" value="write" />" Write"</label>
                    <label><input type="radio" name="access" value="roles" />" Specific roles:"</label>
                    <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let boxes = group_roles.await.map(|p| p.data).unwrap_or_default().into_iter().filter(|(_, group)| *group)
                            .map(|(r, _)| view! {
                                <label><input type="checkbox" name="roles[]" value=r.id />{format!(" {}", r.name)}</label>
                            })
                            .collect_view();
                        view! { <span class="ops" data-testid="share-roles">{boxes}</span> }
                    })}
                    </Suspense>
                </fieldset>
                <button type="submit" class="primary">"Share"</button>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    group_roles.await.ok().map(|p| view! {
                        <crate::ui::pickers::PickerNav key="roles" noun="group roles" total=p.total_elements has_next=p.has_next />
                    })
                })}
            </Suspense>
            <ErrorMessage error />
            <Toast text=done />
        </section>
    }
}

/// The groups of an entity's owner with the entity's membership and Add / Remove (when `writable`): the same
/// section on a user's page and on every thing's page. "All" is left out: everything is in it.
#[component]
pub fn Membership(
    /// The entity type on the wire (`USER`, `DEVICE`…), also the groups' type.
    kind: &'static str,
    id: String,
    owner: String,
    /// The ids of the groups it is in.
    member_of: Vec<String>,
    writable: bool,
    action: ServerAction<GroupMember>,
    title: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let groups = Resource::new(move || owner.clone(), move |o| membership_choices(kind.into(), o));
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <section class="card" data-testid=testid>
            <h2>{title}</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                {move || {
                    let (member_of, id) = (member_of.clone(), id.clone());
                    Suspend::new(async move {
                        let list: Vec<GroupTab> = match groups.await {
                            Ok(Some(list)) => list.into_iter().filter(|g| !g.id.is_empty()).collect(),
                            Ok(None) => return view! { <p class="muted">"Its owner's groups are not yours to see."</p> }.into_any(),
                            Err(e) => return view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        };
                        if list.is_empty() {
                            return view! { <p class="empty">"Its owner has no groups besides “All”."</p> }.into_any();
                        }
                        list.into_iter().map(|g| {
                            let member = member_of.contains(&g.id);
                            let id = id.clone();
                            view! {
                                <div class="row">
                                    <span>{g.name}{member.then_some(" ✓")}</span>
                                    {writable.then(|| view! {
                                        <ActionForm action>
                                            <input type="hidden" name="kind" value=kind />
                                            <input type="hidden" name="id" value=id />
                                            <input type="hidden" name="group" value=g.id />
                                            <input type="hidden" name="add" value=(!member).to_string() />
                                            <button type="submit" class="link-button">{if member { "Remove" } else { "Add" }}</button>
                                        </ActionForm>
                                    })}
                                </div>
                            }
                        }).collect_view().into_any()
                    })
                }}
            </Transition>
            <ErrorMessage error />
        </section>
    }
}
