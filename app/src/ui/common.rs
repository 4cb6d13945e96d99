//! Small pieces every page uses: error and status messages, copy-to-clipboard, pagination links.

use crate::api::AppError;
use leptos::prelude::*;

/// The message of a failed server call, next to the form that made it.
#[component]
pub fn ErrorMessage(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{e.message}</p> })
}

/// A read-only field holding a link, with a button that copies it.
#[component]
pub fn CopyLink(#[prop(into)] value: String, #[prop(into)] label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <div class="copy-link">
            <label>
                {label}
                <input type="text" readonly value=value class="link-field" data-testid="activation-link" />
            </label>
            <button type="button" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy link" }}
            </button>
        </div>
    }
}

/// "Previous / page n of m / Next" for a list whose page lives in the URL.
#[component]
pub fn Pager(page: i64, total_pages: i64, href: impl Fn(i64) -> String + 'static) -> impl IntoView {
    let prev = (page > 0).then(|| href(page - 1));
    let next = (page + 1 < total_pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            {prev.map(|h| view! { <a href=h rel="prev">"Previous"</a> })}
            <span>{format!("Page {} of {}", page + 1, total_pages.max(1))}</span>
            {next.map(|h| view! { <a href=h rel="next">"Next"</a> })}
        </nav>
    }
}
