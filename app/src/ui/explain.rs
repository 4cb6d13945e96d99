//! The access explainers of the console: "Who can see this and why" as an entity's access page and "What can
//! this user do" on a user's access page. They show what `api::explain` worked out; nothing is decided here.

use crate::api::authz::explain::{AccessRow, EXPLAINABLE, RoleGrant, explain_user, user_abilities, who_can_see};
use crate::model::permissions::{Operation, humanize};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

fn loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}

fn hidden_note(hidden: usize, what: &'static str) -> impl IntoView {
    (hidden > 0).then(|| {
        view! { <p class="muted">{format!("…and {hidden} {what} through user groups you cannot see.")}</p> }
    })
}

/// `/devices/:id/access`, `/customers/:id/access` and the others: every user group whose members may read the
/// entity, with the role that lets them. A page of its own so the entity's page (opened often) does not carry
/// the explainer's code; the entity's type comes from the path.
#[component]
pub fn WhoCanSeePage() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let section = path.trim_start_matches('/').split('/').next().unwrap_or_default().to_string();
    let kind = match section.as_str() {
        "customers" => "CUSTOMER",
        "assets" => "ASSET",
        "dashboards" => "DASHBOARD",
        "edges" => "EDGE",
        _ => "DEVICE",
    };
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let who = Resource::new(move || id.get(), move |id| who_can_see(kind.to_string(), id));
    let back = move || format!("/{section}/{}", id.get());
    view! {
        <Suspense fallback=loading>
            {move || { let back = back(); Suspend::new(async move {
                match who.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(w) => {
                        let table = if w.rows.is_empty() && w.hidden == 0 {
                            view! { <p class="empty">"Only the system's own rules: no user group's role reaches it."</p> }.into_any()
                        } else {
                            view! {
                                <table>
                                    <thead><tr><th>"User group"</th><th>"Owner"</th><th>"Members"</th><th>"Role"</th><th>"Why"</th></tr></thead>
                                    <tbody>{w.rows.into_iter().map(access_row).collect_view()}</tbody>
                                </table>
                                {hidden_note(w.hidden, "more grants")}
                            }.into_any()
                        };
                        view! {
                            <p><a href=back data-testid="back-to-entity">{format!("← {}", w.name)}</a></p>
                            <h1>{format!("Who can see {}", w.name)}</h1>
                            <section class="card explain" data-testid="who-can-see">
                                <h2>"Who can see this and why"</h2>
                                {table}
                            </section>
                        }.into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

/// One row; the own-customer rule has no user group or role to link to (empty ids).
fn access_row(r: AccessRow) -> impl IntoView {
    let group = if r.user_group_id.is_empty() {
        r.user_group.into_any()
    } else {
        view! { <a href=format!("/groups/{}", r.user_group_id)>{r.user_group}</a> }.into_any()
    };
    let role = if r.role_id.is_empty() {
        "—".into_any()
    } else {
        view! { <a href=format!("/roles/{}", r.role_id)>{r.role}</a> }.into_any()
    };
    view! {
        <tr>
            <td>{group}</td>
            <td>{r.owner}</td>
            <td>{r.members}</td>
            <td>{role}</td>
            <td>{r.how}</td>
        </tr>
    }
}

/// The sections the user's merged permissions open, then each role of each of its groups with what it grants.
#[component]
pub fn WhatCanUserDo(id: String) -> impl IntoView {
    let abilities = Resource::new(move || id.clone(), user_abilities);
    view! {
        <section class="card explain" data-testid="what-can-user-do">
            <h2>"What can this user do"</h2>
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
        </section>
    }
}

fn role_grant(g: RoleGrant) -> impl IntoView {
    view! {
        <li>
            <a href=format!("/groups/{}", g.user_group_id)>{g.user_group}</a>
            " → "
            <a href=format!("/roles/{}", g.role_id)>{g.role}</a>
            {format!(", on {}:", g.scope)}
            <ul>{g.grants.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
        </li>
    }
}

/// "Can this user …": one operation on one entity, answered by the explainer with the chain behind it. The
/// question lives in the page's URL (`?op=&etype=&eid=`): it works without JavaScript and can be linked.
#[component]
pub fn CanUserDo(id: String) -> impl IntoView {
    let query = use_query_map();
    let question = Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            (get("op"), get("etype"), get("eid"))
        })
    });
    let uid = id.clone();
    let verdict = Resource::new(
        move || question.get(),
        move |(op, etype, eid)| {
            let uid = uid.clone();
            async move {
                if eid.is_empty() {
                    return Ok(None);
                }
                explain_user(uid, op, etype, eid).await.map(Some)
            }
        },
    );
    let (op, etype, eid) = question.get_untracked();
    let ops = Operation::EVERY
        .iter()
        .filter(|o| **o != Operation::All)
        .map(|o| {
            let selected = o.as_str() == op || (op.is_empty() && *o == Operation::Read);
            view! { <option value=o.as_str() selected=selected>{humanize(o.as_str())}</option> }
        })
        .collect_view();
    let types = EXPLAINABLE
        .iter()
        .map(|(wire, name)| view! { <option value=*wire selected=*wire == etype>{*name}</option> })
        .collect_view();
    view! {
        <section class="card explain" data-testid="can-user-do">
            <h2>"Can this user …"</h2>
            <Form method="GET" action=format!("/users/{id}/access")>
                <div class="row">
                    <label>"Operation "<select name="op">{ops}</select></label>
                    <label>"on "<select name="etype">{types}</select></label>
                    <label>"with id "<input name="eid" value=eid required size="36" /></label>
                    <button type="submit">"Explain"</button>
                </div>
            </Form>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match verdict.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(v)) => view! {
                            <p data-testid="verdict">
                                <strong>{if v.allowed { "Yes." } else { "No." }}</strong>
                                {(!v.missing.is_empty()).then(|| format!(" {}", v.missing))}
                            </p>
                            <ul class="grants">{v.because.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                            {hidden_note(v.hidden, "more grants")}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
