//! Who is calling: the identity every authorization decision starts from, resolved from a bearer token or a
//! browser session cookie.

use crate::model::{Authority, CustomerId, TenantId, UserId};
use uuid::Uuid;

/// An authenticated caller and the session it acts through.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: Uuid,
    pub authority: Authority,
    pub tenant_id: Option<TenantId>,
    pub customer_id: Option<CustomerId>,
    pub email: String,
}
