//! Serves the embedded site files, choosing the pre-compressed body the client accepts and answering
//! revalidation with 304.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The response for an embedded file, or `None` if the path is not one.
pub fn serve(path: &str, headers: &HeaderMap) -> Option<Response> {
    let (_, ctype, raw, br, gz, etag) = ASSETS.iter().find(|a| a.0 == path)?;
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(*etag) {
        return Some(StatusCode::NOT_MODIFIED.into_response());
    }
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (body, encoding): (&'static [u8], Option<&str>) = match (br, gz) {
        (Some(b), _) if accept.contains("br") => (b, Some("br")),
        (_, Some(g)) if accept.contains("gzip") => (g, Some("gzip")),
        _ => (raw, None),
    };
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(enc) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    Some(resp)
}
