//! What every request must satisfy before any handler (REST, server function or page) reads it: a body of at
//! most `MAX_BODY` bytes, read into memory only up to that limit (a 100 MB post is refused after 2 MB, whatever
//! its `Content-Length` says), and no NUL character anywhere in the query or the body, which PostgreSQL cannot
//! store in text and no field of ours means to hold. Refusals are ThingsBoard error bodies.

use crate::backend::kernel::error::ServiceError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The largest body any route accepts (a ThingsBoard dashboard export with images stays well below it).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// A body over the limit but below this is read to its end and thrown away, so that the client, still sending,
/// reads the refusal instead of a broken connection; a larger one is refused at once and the connection closed.
const DRAIN: usize = 16 * 1024 * 1024;

/// 413, closing the connection (whatever of the body is still coming is not read).
fn refuse() -> Response {
    let mut r = ServiceError::PayloadTooLarge(format!("Request body is larger than {} MB", MAX_BODY / (1024 * 1024)))
        .into_response();
    r.headers_mut().insert(header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    r
}

/// The body, if it is at most `MAX_BODY` bytes (`None`: larger; what came is discarded up to `DRAIN`).
async fn read(mut body: Body) -> Result<Option<axum::body::Bytes>, ()> {
    use http_body_util::BodyExt;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| ())?.into_data() else { continue };
        seen += data.len();
        if seen > DRAIN {
            return Ok(None);
        }
        if seen <= MAX_BODY {
            kept.extend_from_slice(&data);
        }
    }
    Ok((seen <= MAX_BODY).then(|| axum::body::Bytes::from(kept)))
}

fn nul() -> Response {
    ServiceError::InvalidArguments("Text must not contain NUL characters".into()).into_response()
}

/// In URL encoding a literal `%` is always `%25`, so `%00` is an encoded NUL and nothing else.
fn encoded_nul(s: &[u8]) -> bool {
    s.windows(3).any(|w| w == b"%00")
}

fn json_has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(json_has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

/// Whether a body holds a NUL: raw, URL-encoded (forms) or as a JSON escape (parsed to tell `\u0000` from an
/// escaped backslash followed by `u0000`).
fn body_has_nul(content_type: &str, bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return encoded_nul(bytes);
    }
    let escaped = bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    escaped && serde_json::from_slice::<Value>(bytes).is_ok_and(|v| json_has_nul(&v))
}

/// The middleware: limits, reads and checks the body, then hands the request on with the body in memory.
pub async fn guard(req: Request, next: Next) -> Response {
    if req.uri().query().is_some_and(|q| encoded_nul(q.as_bytes())) || encoded_nul(req.uri().path().as_bytes()) {
        return nul();
    }
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let (parts, body) = req.into_parts();
    if declared.is_some_and(|n| n > DRAIN as u64) {
        return refuse();
    }
    let bytes = match read(body).await {
        Ok(Some(b)) => b,
        Ok(None) => return refuse(),
        Err(()) => return ServiceError::BadRequestParams("The request body could not be read".into()).into_response(),
    };
    if body_has_nul(&content_type, &bytes) {
        return nul();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_in_every_encoding() {
        assert!(body_has_nul("application/json", b"{\"name\":\"a\\u0000b\"}"));
        assert!(!body_has_nul("application/json", b"{\"name\":\"a\\\\u0000b\"}"), "an escaped backslash is text");
        assert!(body_has_nul("application/json", b"{\"a\\u0000\":1}"));
        assert!(body_has_nul("application/x-www-form-urlencoded", b"email=a%00b"));
        assert!(!body_has_nul("application/x-www-form-urlencoded", b"email=a%2500b"));
        assert!(body_has_nul("text/plain", b"a\0b"));
        assert!(!body_has_nul("application/json", b"{\"name\":\"fine\\n\"}"));
    }
}
