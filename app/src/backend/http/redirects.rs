//! Server-side redirects are real redirects. Leptos answers a redirect made while rendering a page (no session,
//! already signed in) with `200` and a `Location` header unless the request said `Accept: text/html`, because its
//! own client, calling a server function, reads the header instead of following a 302. A page request is never
//! that client: curl, a kiosk that loads before its WASM or a browser without JavaScript must get a `302` (`303`
//! after a POST) and no page.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The middleware.
pub async fn real(req: Request, next: Next) -> Response {
    let server_fn = req.uri().path().starts_with("/_sfn/");
    let method = req.method().clone();
    let mut resp = next.run(req).await;
    if !server_fn && resp.status().is_success() && resp.headers().contains_key(header::LOCATION) {
        *resp.status_mut() =
            if matches!(method, Method::GET | Method::HEAD) { StatusCode::FOUND } else { StatusCode::SEE_OTHER };
        resp.headers_mut().remove(header::CONTENT_LENGTH);
        resp.headers_mut().remove("serverfnredirect");
        *resp.body_mut() = Body::empty();
    }
    resp
}
