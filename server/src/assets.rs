//! Serves the embedded site files, choosing the pre-compressed body the client accepts and answering
//! revalidation with 304.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file with its pre-compressed variants.
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
    pub br: Option<&'static [u8]>,
    pub gz: Option<&'static [u8]>,
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Where the pages load the bundle from: a path that changes with every build, so browsers keep those files
/// for a year instead of revalidating the main module and hundreds of page chunks on every page load. A page
/// still open from an older build gets 404 for the old path rather than a chunk of another build.
pub fn pkg_dir() -> String {
    format!("pkg/{SITE_VERSION}")
}

/// The response for an embedded file, or `None` if the path is not one. `/pkg/<this build>/x` is `/pkg/x`,
/// cacheable for good; plain `/pkg/x` stays `no-cache` (revalidated by ETag).
pub fn serve(path: &str, headers: &HeaderMap) -> Option<Response> {
    let versioned =
        path.strip_prefix("/pkg/").and_then(|p| p.strip_prefix(SITE_VERSION)).and_then(|p| p.strip_prefix('/'));
    let (path, cache) = match versioned {
        Some(file) => (format!("/pkg/{file}"), "public, max-age=31536000, immutable"),
        None => (path.to_string(), "no-cache"),
    };
    let a = ASSETS.iter().find(|a| a.path == path)?;
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(a.etag) {
        return Some(StatusCode::NOT_MODIFIED.into_response());
    }
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (body, encoding): (&'static [u8], Option<&str>) = match (a.br, a.gz) {
        (Some(b), _) if accept.contains("br") => (b, Some("br")),
        (_, Some(g)) if accept.contains("gzip") => (g, Some("gzip")),
        _ => (a.body, None),
    };
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(a.etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(enc) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    Some(resp)
}
