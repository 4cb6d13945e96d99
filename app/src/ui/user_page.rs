//! One user's page: details with the default dashboard and "Always fullscreen", a link to "Manage owner and
//! groups" (a page of its own, `ui::owner_page`), and the account actions (log in as, enable / disable, delete)
//! the caller's roles allow; what the user may do has a page of its own (`user_access`).

use crate::api::accounts::users::{DeleteUser, SaveUser, SetUserEnabled, UserDetail, get_user};
use crate::api::identity::session::Me;
use crate::api::things::lists::dashboard_choices;
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{ErrorMessage, Toast, fmt_time};
use crate::ui::confirm::ConfirmSubmit;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

fn may(res: Res, op: Operation) -> bool {
    use_context::<Me>().is_some_and(|m| m.abilities.may(res, op))
}

/// `/users/:id`.
#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let save = ServerAction::<SaveUser>::new();
    let enable = ServerAction::<SetUserEnabled>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let user =
        Resource::new(move || (id.get(), save.version().get(), enable.version().get()), |(id, _, _)| get_user(id));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if delete.value().get().is_some_and(|r| r.is_ok()) {
            navigate("/users", Default::default());
        }
    });
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| enable.value().get().and_then(|r| r.err()))
            .or_else(|| delete.value().get().and_then(|r| r.err()))
    });
    let done = Signal::derive(move || {
        let ok = |v: Option<bool>| v == Some(true);
        if ok(save.value().get().map(|r| r.is_ok())) {
            Some("Saved.".to_string())
        } else if ok(enable.value().get().map(|r| r.is_ok())) {
            Some("Done.".to_string())
        } else {
            None
        }
    });
    view! {
        <p><a href="/users">"← All users"</a></p>
        <ErrorMessage error />
        <Toast text=done />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(u) => view! { <UserSections u save enable delete /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserSections(
    u: UserDetail,
    save: ServerAction<SaveUser>,
    enable: ServerAction<SetUserEnabled>,
    delete: ServerAction<DeleteUser>,
) -> impl IntoView {
    let me = use_context::<Me>().map(|m| m.email).unwrap_or_default();
    let other = u.user.email != me;
    let writable = may(Res::User, Operation::Write);
    let status = match (u.user.activated, u.user.enabled) {
        (false, _) => "Waiting for activation",
        (true, true) => "Active",
        (true, false) => "Disabled",
    };
    let dashboards = Resource::new(|| (), |_| dashboard_choices());
    let confirm = format!("Delete user {}? It leaves every group and its sessions end.", u.user.email);
    let (id, id2, id4, id5, id6) =
        (u.user.id.clone(), u.user.id.clone(), u.user.id.clone(), u.user.id.clone(), u.user.id.clone());
    let (dash, full) = (u.dashboard.clone(), u.fullscreen);
    view! {
        <h1>{u.user.email.clone()}</h1>
        <p class="muted" data-testid="user-owner">{format!("Owner: {} · {status} · created {}", u.user.owner_name, fmt_time(Some(u.user.created_time)))}</p>
        <p class="muted" data-testid="user-groups">{format!("Groups: {}", u.user.groups.join(", "))}</p>
        <section class="card">
            <h2>"Details"</h2>
            <ActionForm action=save>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="version" value=u.version.to_string() />
                <fieldset class="fields" disabled=!writable>
                    <label for="pfirst">"First name"</label>
                    <input id="pfirst" name="first_name" maxlength="255" value=u.first_name.clone() />
                    <label for="plast">"Last name"</label>
                    <input id="plast" name="last_name" maxlength="255" value=u.last_name.clone() />
                    <label for="pphone">"Phone"</label>
                    <input id="pphone" name="phone" type="tel" maxlength="255" value=u.phone.clone() />
                    <label for="pdash">"Default dashboard"</label>
                    <Suspense fallback=|| view! { <p class="loading">"Loading dashboards…"</p> }>
                        {move || { let dash = dash.clone(); Suspend::new(async move {
                            let options = dashboards.await.unwrap_or_default().into_iter().map(|d| {
                                let sel = d.id == dash;
                                view! { <option value=d.id selected=sel>{d.name}</option> }
                            }).collect_view();
                            view! { <select id="pdash" name="dashboard"><option value="">"— none —"</option>{options}</select> }
                        })}}
                    </Suspense>
                    <label class="check"><input id="pfull" type="checkbox" name="fullscreen" value="true" checked=full />" Always fullscreen"</label>
                </fieldset>
                {writable.then(|| view! { <button type="submit" class="primary">"Save"</button> })}
            </ActionForm>
        </section>
        <p><a class="button" href=format!("/users/{id2}/owner") data-testid="manage-owner-link">"Manage owner and groups →"</a></p>
        <p><a href=format!("/users/{id6}/access") data-testid="user-access-link">"What can this user do, and why →"</a></p>
        <div class="row" data-testid="user-actions">
            {(other && u.user.customer_user && u.user.enabled && may(Res::User, Operation::Impersonate)).then(|| view! {
                <form method="post" action="/_sfn/log_in_as" class="inline">
                    <input type="hidden" name="user_id" value=id4.clone() />
                    <button type="submit">"Log in as user"</button>
                </form>
            })}
            {(other && writable && u.user.activated).then(|| view! {
                <ActionForm action=enable attr:class="inline">
                    <input type="hidden" name="id" value=id4.clone() />
                    <input type="hidden" name="enabled" value=(!u.user.enabled).to_string() />
                    <button type="submit">{if u.user.enabled { "Disable" } else { "Enable" }}</button>
                </ActionForm>
            })}
            {(other && may(Res::User, Operation::Delete)).then(|| view! {
                <ActionForm action=delete attr:class="inline">
                    <input type="hidden" name="id" value=id5 />
                    <ConfirmSubmit key="delete-user" label="Delete user" question=confirm />
                </ActionForm>
            })}
        </div>
    }
}
