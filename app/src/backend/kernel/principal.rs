//! Who is calling: the identity every authorization decision starts from, resolved from a bearer token or a
//! browser session cookie.

use crate::model::Authority;
use crate::model::CustomerId;
use crate::model::TenantId;
use crate::model::UserId;
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
    /// Set when someone logged in as this user ("Log in as user"): who that is. Such a session may not change
    /// the user's password, email or MFA.
    pub impersonated_by: Option<UserId>,
}

impl Principal {
    /// Refuses changes an impersonated session must not make (credentials, email, MFA).
    pub fn require_own_session(&self) -> crate::backend::kernel::error::ServiceResult<()> {
        match self.impersonated_by {
            None => Ok(()),
            Some(_) => Err(crate::backend::kernel::error::ServiceError::Forbidden),
        }
    }

    /// The caller's owner: its customer, or its tenant (`None` for the system administrator). What it creates
    /// defaults to this owner and its Generic grants cover this owner's subtree.
    pub fn owner(&self) -> Option<Uuid> {
        self.customer_id.filter(|c| !c.is_null()).map(|c| c.0).or(self.tenant_id.map(|t| t.0))
    }
}
