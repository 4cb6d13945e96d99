//! Search and paging for a picker's choices (roles, entity groups), carried in the page's URL so a long list is
//! reachable without JavaScript: `{key}_q` narrows by name, `{key}_page` turns the page. Other query values stay.

use crate::ui::common::encode;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// Choices per page of a picker.
pub const PICKER_PAGE: i64 = 50;

/// A picker's (search, page) from the URL.
pub fn picker_query(key: &'static str) -> Memo<(String, i64)> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let page = q.get(&format!("{key}_page")).and_then(|p| p.parse().ok()).unwrap_or(0i64).max(0);
            (q.get(&format!("{key}_q")).unwrap_or_default(), page)
        })
    })
}

/// This page's URL with the picker at `search` / `page`, everything else kept.
fn href(key: &str, search: &str, page: i64) -> String {
    let path = use_location().pathname.get_untracked();
    let mut parts: Vec<String> = use_query_map().with_untracked(|q| {
        q.clone()
            .into_iter()
            .filter(|(k, _)| *k != format!("{key}_q") && *k != format!("{key}_page"))
            .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
            .collect()
    });
    if !search.is_empty() {
        parts.push(format!("{key}_q={}", encode(search)));
    }
    if page > 0 {
        parts.push(format!("{key}_page={page}"));
    }
    if parts.is_empty() { path } else { format!("{path}?{}", parts.join("&")) }
}

/// The search field and the page links of one picker, shown under its choices.
#[component]
pub fn PickerNav(key: &'static str, noun: &'static str, total: i64, has_next: bool) -> impl IntoView {
    let q = picker_query(key);
    let (search, page) = q.get_untracked();
    let first = page * PICKER_PAGE + 1;
    let last = (page * PICKER_PAGE + PICKER_PAGE).min(total);
    let prev = (page > 0).then(|| href(key, &search, page - 1));
    let next = has_next.then(|| href(key, &search, page + 1));
    let path = use_location().pathname.get_untracked();
    let input = format!("{key}-q");
    view! {
        <div class="picker-nav">
            <form method="get" action=path role="search">
                <label for=input.clone()>{format!("Find {noun}")}</label>
                <input id=input name=format!("{key}_q") type="search" value=search />
                <button type="submit">"Find"</button>
            </form>
            {(total > PICKER_PAGE || page > 0).then(|| view! {
                <nav class="pager" aria-label=format!("Pages of {noun}")>
                    {prev.map(|h| view! { <a href=h rel="prev">"Previous"</a> })}
                    <span>{format!("{first}–{last} of {total} {noun}")}</span>
                    {next.map(|h| view! { <a href=h rel="next">"Next"</a> })}
                </nav>
            })}
        </div>
    }
}
