//! The HTTP adapter of `authz::snapshot`: every request (REST and server functions alike) is one unit of work
//! deciding against one read of its tenant's permission epochs. Device messages and socket frames call
//! `snapshot::scope` themselves, per message.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Middleware: runs the request inside its own permission snapshot.
pub async fn per_request(req: Request, next: Next) -> Response {
    crate::backend::authz::snapshot::scope(next.run(req)).await
}
