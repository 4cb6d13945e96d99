//! The owner picker of the forms that place a thing or a user (add user, "Manage owner and groups"): the
//! owners the caller may choose, its own first, as the server's `owner_choices` answers them.

use crate::api::things::lists::owner_choices;
use leptos::prelude::*;

/// `<select id=id name="owner">` with `current` preselected. `picked`, when given, follows the choice so the
/// form can offer that owner's groups.
#[component]
pub fn OwnerPicker(
    id: &'static str,
    current: String,
    #[prop(optional)] picked: Option<RwSignal<String>>,
) -> impl IntoView {
    let owners = Resource::new(|| (), |_| owner_choices());
    let pick = move |ev| {
        if let Some(p) = picked {
            p.set(event_target_value(&ev));
        }
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading owners…"</p> }>
            {move || {
                let current = current.clone();
                Suspend::new(async move {
                    let options = owners.await.unwrap_or_default().into_iter().map(|c| {
                        let sel = c.id == current;
                        view! { <option value=c.id selected=sel>{c.name}</option> }
                    }).collect_view();
                    view! { <select id=id name="owner" required on:change=pick>{options}</select> }
                })
            }}
        </Suspense>
    }
}
