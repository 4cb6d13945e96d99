//! The access explainers on the console's pages: "Who can see this and why" on an entity's page and "What can
//! this user do" on a user's page. They show what `api::explain` worked out; nothing is decided here.

use crate::api::explain::{AccessRow, RoleGrant, user_abilities, who_can_see};
use leptos::prelude::*;

fn loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}

fn hidden_note(hidden: usize, what: &'static str) -> impl IntoView {
    (hidden > 0).then(|| {
        view! { <p class="muted">{format!("…and {hidden} {what} through user groups you cannot see.")}</p> }
    })
}

/// Every user group whose members may read the entity, with the role that lets them.
#[component]
pub fn WhoCanSee(kind: &'static str, id: String) -> impl IntoView {
    let who = Resource::new(move || id.clone(), move |id| who_can_see(kind.to_string(), id));
    view! {
        <details class="card explain" data-testid="who-can-see">
            <summary>"Who can see this and why"</summary>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match who.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(w) if w.rows.is_empty() && w.hidden == 0 => {
                            view! { <p class="empty">"Only the system's own rules: no user group's role reaches it."</p> }.into_any()
                        }
                        Ok(w) => view! {
                            <table>
                                <thead><tr><th>"User group"</th><th>"Owner"</th><th>"Members"</th><th>"Role"</th><th>"Why"</th></tr></thead>
                                <tbody>{w.rows.into_iter().map(access_row).collect_view()}</tbody>
                            </table>
                            {hidden_note(w.hidden, "more grants")}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </details>
    }
}

fn access_row(r: AccessRow) -> impl IntoView {
    view! {
        <tr>
            <td><a href=format!("/users?group={}", r.user_group_id)>{r.user_group}</a></td>
            <td>{r.owner}</td>
            <td>{r.members}</td>
            <td><a href=format!("/roles/{}", r.role_id)>{r.role}</a></td>
            <td>{r.how}</td>
        </tr>
    }
}

/// The sections the user's merged permissions open, then each role of each of its groups with what it grants.
#[component]
pub fn WhatCanUserDo(id: String) -> impl IntoView {
    let abilities = Resource::new(move || id.clone(), user_abilities);
    view! {
        <details class="card explain" data-testid="what-can-user-do">
            <summary>"What can this user do"</summary>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match abilities.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(a) => view! {
                            {if a.sections.is_empty() {
                                view! { <p class="empty">"Nothing in the console: no role grants this user anything."</p> }.into_any()
                            } else {
                                view! {
                                    <table>
                                        <thead><tr><th>"Section"</th><th>"May"</th></tr></thead>
                                        <tbody>
                                            {a.sections.into_iter().map(|(s, ops)| view! { <tr><td>{s}</td><td>{ops}</td></tr> }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                            <h3>"Because of"</h3>
                            {if a.roles.is_empty() && a.hidden == 0 {
                                view! { <p class="empty">"No roles: the user's groups have none bound."</p> }.into_any()
                            } else {
                                view! { <ul class="grants">{a.roles.into_iter().map(role_grant).collect_view()}</ul> }.into_any()
                            }}
                            {hidden_note(a.hidden, "more roles")}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </details>
    }
}

fn role_grant(g: RoleGrant) -> impl IntoView {
    view! {
        <li>
            <a href=format!("/users?group={}", g.user_group_id)>{g.user_group}</a>
            " → "
            <a href=format!("/roles/{}", g.role_id)>{g.role}</a>
            {format!(", on {}:", g.scope)}
            <ul>{g.grants.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
        </li>
    }
}
