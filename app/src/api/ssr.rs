//! Server-side helpers for server functions: the services, the caller's browser session, the session cookie
//! and the same-origin check.

use crate::api::AppError;
use crate::backend::http::state::AppState;
use crate::backend::identity::sessions;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Svc;
use http::request::Parts;
use leptos::prelude::*;

/// Name of the HttpOnly session cookie.
pub const COOKIE_NAME: &str = "td_session";

pub fn svc() -> Result<Svc, AppError> {
    use_context::<AppState>().map(|s| s.svc).ok_or_else(|| AppError::new(500, "state missing"))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| AppError::new(500, "request missing"))
}

/// Name of the cookie that keeps an administrator's own session while it views the console as another user.
pub const ORIGIN_COOKIE_NAME: &str = "td_origin";

/// The session cookie's value, if the request has one.
pub fn cookie() -> Option<String> {
    named_cookie(COOKIE_NAME)
}

/// A cookie's value, if the request has it.
pub fn named_cookie(name: &str) -> Option<String> {
    let parts = parts().ok()?;
    parts.headers.get_all(http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|h| {
        h.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        })
    })
}

/// The signed-in caller, or 401.
pub async fn principal() -> Result<Principal, AppError> {
    let c = cookie().ok_or_else(|| AppError::new(401, "Please sign in"))?;
    let view = sessions::from_cookie(&*svc()?, &c).await?;
    Ok(view.principal.clone())
}

/// Refuses requests that a browser marks as coming from another site (CSRF). With SameSite=Strict cookies this
/// is a second, independent lock.
pub fn same_origin() -> Result<(), AppError> {
    let parts = parts()?;
    let h = &parts.headers;
    let host = h.get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if let Some(origin) = h.get(http::header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return Err(AppError::new(403, "Cross-site request refused"));
        }
    }
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
        && site != "none"
    {
        return Err(AppError::new(403, "Cross-site request refused"));
    }
    Ok(())
}

/// The peer address of the request.
pub fn client_ip() -> std::net::IpAddr {
    parts()
        .ok()
        .and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()))
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
}

/// Sets (or with `None`, clears) the session cookie on the response.
pub fn set_cookie(value: Option<&str>) {
    set_named_cookie(COOKIE_NAME, value)
}

/// Sets (or with `None`, clears) an HttpOnly, same-site cookie that lives as long as a browser session.
pub fn set_named_cookie(name: &str, value: Option<&str>) {
    let Some(resp) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let secure = svc().map(|s| s.config.secure_cookies).unwrap_or(false);
    let sec = if secure { "; Secure" } else { "" };
    let header = match value {
        Some(v) => format!(
            "{name}={v}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{sec}",
            sessions::BROWSER_SESSION_MS / 1000
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{sec}"),
    };
    if let Ok(v) = http::HeaderValue::from_str(&header) {
        resp.append_header(http::header::SET_COOKIE, v);
    }
}

/// The list page `page` of the console's tables, searched and sorted as the URL says.
pub fn page_link(
    page: i64,
    search: String,
    sort: String,
    desc: bool,
) -> Result<crate::backend::kernel::paging::PageLink, AppError> {
    let mut q = std::collections::HashMap::new();
    q.insert("pageSize".to_string(), crate::api::PAGE_SIZE.to_string());
    q.insert("page".to_string(), page.max(0).to_string());
    q.insert("textSearch".to_string(), search);
    if !sort.is_empty() {
        q.insert("sortProperty".to_string(), sort);
    }
    q.insert("sortOrder".to_string(), if desc { "DESC" } else { "ASC" }.to_string());
    Ok(crate::backend::kernel::paging::PageLink::from_query(&q)?)
}

/// An id from a form or URL, or 400 naming what it should have been.
pub fn parse_id(id: &str, what: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::new(400, format!("Invalid {what} id")))
}

/// The ids of a multi-choice field (`groups[]`), empty entries skipped; one that does not parse is 400 before
/// anything is written.
pub fn parse_ids(ids: Vec<String>, what: &str) -> Result<Vec<uuid::Uuid>, AppError> {
    ids.into_iter().filter_map(opt).map(|id| parse_id(&id, what)).collect()
}

/// A form field, `None` when left empty.
pub fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Every customer the caller may read below its owner (at most 200, by title): the choices of owner pickers and
/// share dialogs.
pub async fn customer_choices(
    svc: &crate::backend::services::Services,
    p: &Principal,
) -> Result<Vec<crate::api::views::Choice>, AppError> {
    let owner = p.owner().ok_or_else(|| AppError::new(403, "Customers belong to a tenant"))?;
    let mut link = page_link(0, String::new(), "title".into(), false)?;
    link.page_size = 200;
    let page = crate::backend::owners::customer_lists::list_below(svc, p, owner, true, &link).await?;
    Ok(page
        .data
        .into_iter()
        .filter_map(|c| Some(crate::api::views::Choice { id: c.id?.0.to_string(), name: c.title.unwrap_or_default() }))
        .collect())
}
