//! `/users/:id/access`: what one user may do and why — the console sections its roles open with the grants
//! behind them, and "Can this user …" for one operation on one entity. A page of its own, so the user's page
//! (edited often) does not carry the explainers' code.

use crate::api::accounts::users::get_user;
use crate::ui::explain::{CanUserDo, WhatCanUserDo};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/users/:id/access`.
#[component]
pub fn UserAccessPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let user = Resource::new(move || id.get(), get_user);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(u) => {
                        let id = u.user.id.clone();
                        view! {
                            <p><a href=format!("/users/{id}")>{format!("← {}", u.user.email)}</a></p>
                            <h1>{format!("What {} can do", u.user.email)}</h1>
                            <WhatCanUserDo id=id.clone() />
                            <CanUserDo id />
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
