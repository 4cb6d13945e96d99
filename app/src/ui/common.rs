//! Small pieces every page uses: error and status messages, copy-to-clipboard, pagination links.

use crate::api::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The message of a failed server call, next to the form that made it.
#[component]
pub fn ErrorMessage(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{e.message}</p> })
}

/// Splits a form's error: a message about `field` (the server names the field it refuses) shows next to that
/// field, any other at the form.
pub fn field_error(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> (Signal<Option<AppError>>, Signal<Option<AppError>>) {
    let about = move |e: &AppError| e.message.to_lowercase().contains(field);
    (Signal::derive(move || error.get().filter(about)), Signal::derive(move || error.get().filter(|e| !about(e))))
}

/// A read-only field holding a link, with a button that copies it.
#[component]
pub fn CopyLink(
    #[prop(into)] value: String,
    #[prop(into)] label: String,
    #[prop(default = "activation-link")] testid: &'static str,
) -> impl IntoView {
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
                <input type="text" readonly value=value class="link-field" data-testid=testid />
            </label>
            <button type="button" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
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

/// A list's state as its URL carries it (`page`, `q`, `sort`, `dir`, and `group` for lists with group tabs), so
/// back/forward, reloads and deep links show the same rows.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    pub path: &'static str,
    pub page: i64,
    pub search: String,
    pub sort: String,
    pub desc: bool,
    pub group: String,
    /// Only this owner's rows (a customer's page links to "its users", "its devices"…); empty for all.
    pub owner: String,
}

impl ListQuery {
    /// The current URL's list state for the page at `path` (newest first unless the URL says otherwise).
    pub fn from_url(path: &'static str) -> Memo<ListQuery> {
        let query = use_query_map();
        Memo::new(move |_| {
            query.with(|q| ListQuery {
                path,
                page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0).max(0),
                search: q.get("q").unwrap_or_default(),
                sort: q.get("sort").unwrap_or_else(|| "createdTime".into()),
                desc: q.get("dir").map(|d| d == "desc").unwrap_or(true),
                group: q.get("group").unwrap_or_default(),
                owner: q.get("owner").unwrap_or_default(),
            })
        })
    }

    /// This list at another page or order, keeping its search and group.
    pub fn href(&self, page: i64, sort: &str, desc: bool) -> String {
        let mut s = format!("{}?page={page}&sort={sort}&dir={}", self.path, if desc { "desc" } else { "asc" });
        for (k, v) in [("owner", &self.owner), ("group", &self.group), ("q", &self.search)] {
            if !v.is_empty() {
                s.push_str(&format!("&{k}={}", encode(v)));
            }
        }
        s
    }

    /// The first page of another group's tab (`""` is "All"), search dropped.
    pub fn tab(&self, group: &str) -> String {
        ListQuery { group: group.to_string(), search: String::new(), ..self.clone() }.href(0, &self.sort, self.desc)
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A creation time as a date (UTC), the same on the server and in the browser so hydration matches.
pub fn fmt_time(ms: Option<i64>) -> String {
    let Some(ms) = ms else { return String::new() };
    let days = ms.div_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A column header that sorts the list by `key` (a link, so it works before the WASM arrives), telling screen
/// readers the current order.
#[component]
pub fn SortHeader(q: ListQuery, label: &'static str, key: &'static str) -> impl IntoView {
    let active = q.sort == key;
    let desc = if active { !q.desc } else { false };
    let sort = if active { if q.desc { "descending" } else { "ascending" } } else { "none" };
    view! {
        <th aria-sort=sort>
            <a href=q.href(0, key, desc)>{label}{active.then_some(if q.desc { " ↓" } else { " ↑" })}</a>
        </th>
    }
}

/// A search box: with JavaScript it navigates inside the console (one history entry, the list reloads its rows);
/// without, it submits as a plain GET. Either way the list keeps its group and order.
#[component]
pub fn SearchBox(q: Memo<ListQuery>, label: &'static str) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let navigate = leptos_router::hooks::use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let search = input.get().map(|i| i.value()).unwrap_or_default();
        let next = ListQuery { search: search.trim().to_string(), ..q.get_untracked() };
        navigate(&next.href(0, &next.sort, next.desc), Default::default());
    };
    view! {
        <form method="get" action=move || q.get().path class="search" role="search" on:submit=submit>
            <label for="q">{label}</label>
            <input id="q" name="q" type="search" node_ref=input prop:value=move || q.get().search />
            <input type="hidden" name="sort" value=move || q.get().sort />
            <input type="hidden" name="dir" value=move || if q.get().desc { "desc" } else { "asc" } />
            {move || {
                let q = q.get();
                let g = (!q.group.is_empty()).then(|| view! { <input type="hidden" name="group" value=q.group /> });
                let o = (!q.owner.is_empty()).then(|| view! { <input type="hidden" name="owner" value=q.owner /> });
                (g, o)
            }}
            <button type="submit">"Search"</button>
        </form>
    }
}

/// The frame every paged list shares: the table with its header row (plus an "Actions" column) and rows, the
/// count, and the pager that keeps the list's search, group and order.
#[component]
pub fn PagedGrid(
    testid: &'static str,
    q: ListQuery,
    total_elements: i64,
    total_pages: i64,
    noun: &'static str,
    head: AnyView,
    children: Children,
) -> impl IntoView {
    view! {
        <table class="grid" data-testid=testid>
            <thead>
                <tr>{head}<th><span class="sr-only">"Actions"</span></th></tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
        <p class="muted">{format!("{total_elements} {noun}")}</p>
        <Pager page=q.page total_pages href=move |n| q.href(n, &q.sort, q.desc) />
    }
}

/// The sortable columns of lists of tenants and customers (title and contact, then creation time).
pub fn contact_headers(q: Memo<ListQuery>) -> AnyView {
    let h = move |label: &'static str, key: &'static str| view! { <SortHeader q=q.get() label key /> };
    view! { {h("Title", "title")}{h("Email", "email")}{h("Country", "country")}{h("City", "city")}{h("Created", "createdTime")} }
        .into_any()
}

/// Says that a list shows one owner's rows only (what a customer page's "Manage customer …" links open), with
/// the way back to everything.
#[component]
pub fn OwnerFilter(q: Memo<ListQuery>, all: &'static str) -> impl IntoView {
    move || {
        (!q.get().owner.is_empty()).then(|| {
            view! { <p class="muted" data-testid="owner-filter">"Showing one customer's only — "<a href=all>"show all"</a></p> }
        })
    }
}

/// A confirmation toast for a finished action.
#[component]
pub fn Toast(#[prop(into)] text: Signal<Option<String>>) -> impl IntoView {
    move || text.get().map(|t| view! { <p class="toast" role="status">{t}</p> })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_urls() {
        assert_eq!(fmt_time(Some(0)), "1970-01-01");
        assert_eq!(fmt_time(Some(1_795_000_000_000)), "2026-11-18");
        assert_eq!(encode("a b&c"), "a%20b%26c");
        let q = ListQuery {
            path: "/customers",
            page: 2,
            search: "a b".into(),
            sort: "title".into(),
            desc: false,
            group: "g1".into(),
            owner: String::new(),
        };
        assert_eq!(q.href(3, "title", true), "/customers?page=3&sort=title&dir=desc&group=g1&q=a%20b");
        assert_eq!(q.tab(""), "/customers?page=0&sort=title&dir=asc");
    }
}
