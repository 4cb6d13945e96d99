//! Users for tenant and customer administrators: every user the caller may read (paged, searchable, sortable, in
//! the URL), with "Log in as user", enable / disable and delete where the user's roles allow them; adding a user
//! is a page of its own.

use crate::api::accounts::users::{CreateUser, DeleteUser, SetUserEnabled, UserView, list_users};
use crate::api::groups::entity_groups::{CreateGroup, owner_groups};
use crate::api::identity::session::Me;
use crate::api::things::lists::dashboard_choices;
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{
    CopyLink, ErrorMessage, ListQuery, OwnerFilter, PagedGrid, SearchBox, SortHeader, Toast, field_error, fmt_time,
};
use crate::ui::confirm::ConfirmSubmit;
use crate::ui::groups::{GroupTabs, NewGroup, tabs_for};
use crate::ui::owner_picker::OwnerPicker;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn may(op: Operation) -> bool {
    use_context::<Me>().is_some_and(|m| m.abilities.may(Res::User, op))
}

/// `/users`: state lives in the URL (`page`, `q`, `sort`, `dir`, the user group tab `group`, and `owner` when a
/// customer's page asked for its users). A user group's tab lists its members; its roles are on its page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let params = ListQuery::from_url("/users");
    let enable = ServerAction::<SetUserEnabled>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let new_group = ServerAction::<CreateGroup>::new();
    let groups = Resource::new(move || (params.get().owner, new_group.version().get()), |(o, _)| tabs_for("USER", o));
    let data = Resource::new(
        move || (params.get(), enable.version().get(), delete.version().get()),
        |(p, _, _)| list_users(p.page, p.search, p.sort, p.desc, Some(p.group), Some(p.owner)),
    );
    let error = Signal::derive(move || {
        enable.value().get().and_then(|r| r.err()).or_else(|| delete.value().get().and_then(|r| r.err()))
    });
    let done = Signal::derive(move || {
        let deleted = delete.value().get().is_some_and(|r| r.is_ok());
        let changed = enable.value().get().is_some_and(|r| r.is_ok());
        (deleted || changed).then(|| if deleted { "User deleted." } else { "Saved." }.to_string())
    });
    let header = move |label: &'static str, key: &'static str| view! { <SortHeader q=params.get() label key /> };
    view! {
        <h1>"Users"</h1>
        <OwnerFilter q=params all="/users" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match groups.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(list) => view! { <GroupTabs groups=list q=params label="User groups" /> }.into_any(),
                }
            })}
        </Transition>
        <SearchBox q=params label="Search by email or name" />
        <ErrorMessage error />
        <Toast text=done />
        <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(page) if page.data.is_empty() => view! { <p class="empty">"No user matches."</p> }.into_any(),
                    Ok(page) => {
                        let rows = page.data.into_iter().map(|u| view! { <UserRow u enable delete /> }).collect_view();
                        let head = view! {
                            {header("Email", "email")}
                            {header("Name", "firstName")}
                            <th>"Owner"</th>
                            <th>"Groups"</th>
                            <th>"Status"</th>
                            {header("Created", "createdTime")}
                        }
                        .into_any();
                        view! {
                            <PagedGrid testid="users-table" q=params.get_untracked() total_elements=page.total_elements
                                total_pages=page.total_pages noun="users" head>
                                {rows}
                            </PagedGrid>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        {may(Operation::Create).then(|| {
            // The form is a page of its own (`/users/new`), so the list does not carry its code; it starts with
            // the owner and the group the list shows (the tab open now, not the one the page was loaded with).
            let href = move || {
                let p = params.get();
                format!("/users/new?owner={}&group={}", p.owner, p.group)
            };
            view! { <p><a class="button primary" href=href data-testid="add-user-link">"Add user"</a></p> }
        })}
        {use_context::<Me>().is_some_and(|m| m.abilities.may(Res::UserGroup, Operation::Create)).then(|| view! {
            <NewGroup action=new_group kind="USER" heading="New user group" owner=params.get_untracked().owner />
        })}
    }
}

/// `/users/new?owner=&group=`: the add-user form — owner (the tenant, for another administrator, or a customer),
/// that owner's user groups to join (the list's group ticked), names, default dashboard, and how the activation link reaches the user — and,
/// once added, the link to hand over. It stays on the form so several users are added in a row.
#[component]
pub fn NewUserPage() -> impl IntoView {
    let query = use_query_map();
    let (owner, group) =
        query.with_untracked(|q| (q.get("owner").unwrap_or_default(), q.get("group").unwrap_or_default()));
    let create = ServerAction::<CreateUser>::new();
    let back = format!("/users?owner={owner}&group={group}");
    let dashboards = Resource::new(|| (), |_| dashboard_choices());
    // The owner's user groups follow the owner picked; until then the server answers for the owner the list
    // showed, else the caller's own, which is the first choice.
    let preset = (owner.clone(), group);
    let owner = RwSignal::new(owner);
    let groups = Resource::new(move || owner.get(), |o| owner_groups("USER".into(), o));
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let (email_error, other_error) = field_error(error, "email");
    let created = create.value();
    view! {
        <p><a href=back data-testid="back-to-users">"← Users"</a></p>
        <h1>"Add user"</h1>
        <section class="card" data-testid="add-user">
            <ActionForm action=create>
                <label for="uowner">"Owner"</label>
                <OwnerPicker id="uowner" current=preset.0.clone() picked=owner />
                <fieldset class="choice" id="ugroups">
                    <legend>"User groups (besides “All”)"</legend>
                    <Transition fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                        {let preset = preset.1.clone(); move || { let preset = preset.clone(); Suspend::new(async move {
                            let boxes = groups.await.unwrap_or_default().into_iter().filter(|g| !g.id.is_empty()).map(|g| {
                                let sel = g.id == preset;
                                view! { <label><input type="checkbox" name="groups[]" value=g.id checked=sel />{format!(" {}", g.name)}</label> }
                            }).collect_view();
                            boxes
                        })}}
                    </Transition>
                </fieldset>
                <label for="uemail">"Email"</label>
                <input id="uemail" name="email" type="email" required maxlength="255" aria-describedby="uemail-error" />
                <span id="uemail-error"><ErrorMessage error=email_error /></span>
                <label for="ufirst">"First name"</label>
                <input id="ufirst" name="first_name" maxlength="255" />
                <label for="ulast">"Last name"</label>
                <input id="ulast" name="last_name" maxlength="255" />
                <label for="uphone">"Phone"</label>
                <input id="uphone" name="phone" type="tel" maxlength="255" />
                <label for="udash">"Default dashboard"</label>
                <Suspense fallback=|| view! { <p class="loading">"Loading dashboards…"</p> }>
                    {move || Suspend::new(async move {
                        let options = dashboards.await.unwrap_or_default().into_iter().map(|d| {
                            view! { <option value=d.id>{d.name}</option> }
                        }).collect_view();
                        view! {
                            <select id="udash" name="dashboard">
                                <option value="">"— none —"</option>
                                {options}
                            </select>
                        }
                    })}
                </Suspense>
                <label class="check"><input id="ufull" type="checkbox" name="fullscreen" value="true" />" Always fullscreen"</label>
                <fieldset class="choice">
                    <legend>"Activation"</legend>
                    <label><input type="radio" name="activation" value="link" checked />" Show the activation link"</label>
                    <label><input type="radio" name="activation" value="mail" />" Send an activation email"</label>
                </fieldset>
                <ErrorMessage error=other_error />
                <button type="submit" class="primary">"Add user"</button>
            </ActionForm>
            {move || created.get().and_then(|r| r.ok()).map(|u| {
                let text = format!("User {} created.", u.email);
                let shown = if u.activation_link.is_empty() {
                    view! { <p class="toast" role="status">{text}" The activation email is on its way."</p> }.into_any()
                } else {
                    view! {
                        <p class="toast" role="status">{text}" Give them this link to set their password:"</p>
                        <CopyLink value=u.activation_link label="Activation link" />
                    }.into_any()
                };
                view! { {shown}<p><a href=format!("/users/{}", u.id) data-testid="new-user-page">{format!("Open {}’s page →", u.email)}</a></p> }
            })}
        </section>
    }
}

#[component]
fn UserRow(u: UserView, enable: ServerAction<SetUserEnabled>, delete: ServerAction<DeleteUser>) -> impl IntoView {
    let me = use_context::<Me>().map(|m| m.email).unwrap_or_default();
    let other = u.email != me;
    let status = match (u.activated, u.enabled) {
        (false, _) => "Waiting for activation",
        (true, true) => "Active",
        (true, false) => "Disabled",
    };
    let confirm = format!("Delete user {}? It leaves every group and its sessions end.", u.email);
    let key = u.id.clone();
    // A plain form: viewing the console as someone else reloads the whole page with the other session.
    let log_in_as = (other && u.customer_user && u.enabled && may(Operation::Impersonate)).then(|| {
        view! {
            <form method="post" action="/_sfn/log_in_as" class="inline">
                <input type="hidden" name="user_id" value=u.id.clone() />
                <button type="submit">"Log in as user"</button>
            </form>
        }
    });
    let id = u.id.clone();
    let href = format!("/users/{}", u.id);
    // A user waiting for activation is stored disabled: its link enables it, not this button.
    let toggle = (other && u.activated && may(Operation::Write)).then(|| {
        view! {
            <ActionForm action=enable attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="enabled" value=(!u.enabled).to_string() />
                <button type="submit">{if u.enabled { "Disable" } else { "Enable" }}</button>
            </ActionForm>
        }
    });
    let remove = (other && may(Operation::Delete)).then(|| {
        view! {
            <ActionForm action=delete attr:class="inline">
                <input type="hidden" name="id" value=u.id.clone() />
                <ConfirmSubmit key=format!("delete-{key}") label="Delete" question=confirm />
            </ActionForm>
        }
    });
    view! {
        <tr>
            <td><a href=href>{u.email.clone()}</a></td>
            <td>{u.name}</td>
            <td>{u.owner_name}</td>
            <td>{u.groups.join(", ")}</td>
            <td>{status}</td>
            <td>{fmt_time(Some(u.created_time))}</td>
            <td class="actions">{log_in_as}{toggle}{remove}</td>
        </tr>
    }
}
