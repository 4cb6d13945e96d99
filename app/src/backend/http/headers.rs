//! Headers every answer carries: no sniffing, no framing by other sites, one-time links never leak to other
//! sites, and nothing dynamic kept in a shared or browser cache (a device's token page, an API answer): answers
//! that set no caching of their own (the embedded static files do) are `no-store`. HTML that is not a console page
//! (the plain 404) gets a Content-Security-Policy that allows no scripts; console pages set their own, with the
//! nonce of their scripts (`csp`).

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The console's policy: its own scripts by nonce (and the WebAssembly they instantiate), everything else from
/// this origin only, never framed.
pub fn csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

const NO_SCRIPTS: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; \
                          form-action 'self'; frame-ancestors 'none'";

/// The middleware.
pub async fn security(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(NO_SCRIPTS));
    }
    resp
}
