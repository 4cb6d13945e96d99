//! "Can this user do that to this entity, and why": the explainer as a service, for the REST endpoint and the
//! console alike. The caller must be able to read both the user and the entity, so asking reveals nothing the
//! caller could not already see (an entity of another customer answers 403/404, not "not allowed").

use super::authz::entities::EntityRef;
use super::authz::explain::{Explanation, explain};
use super::error::{ServiceError, ServiceResult};
use super::principal::Principal;
use super::state::Services;
use super::things::{self, Kind};
use super::{customers, users};
use crate::model::permissions::{Operation, Resource};
use crate::model::{CustomerId, UserId};
use uuid::Uuid;

/// Explains `op` by `subject` on the entity `entity_type`/`entity_id`, both read with the caller's rights.
pub async fn for_user(
    svc: &Services,
    caller: &Principal,
    subject: UserId,
    op: Operation,
    entity_type: &str,
    entity_id: Uuid,
) -> ServiceResult<Explanation> {
    let user = users::get(svc, caller, subject).await?;
    let tenant = user
        .tenant_id
        .ok_or_else(|| ServiceError::InvalidArguments("The system administrator's rights are not role-based".into()))?;
    let e = match entity_type {
        "CUSTOMER" => Some(customers::entity_ref(&customers::get(svc, caller, CustomerId(entity_id)).await?)?),
        "USER" => {
            let u = users::get(svc, caller, UserId(entity_id)).await?;
            u.tenant_id.map(|t| EntityRef { tenant: t.0, id: u.id.0, owner: u.owner(), resource: Resource::User })
        }
        other => match Kind::parse(other) {
            Some(kind) => {
                Some(things::entity_ref(&things::get_checked(svc, caller, kind, entity_id, Operation::Read).await?))
            }
            None => {
                return Err(ServiceError::BadRequestParams(format!("Explanations for {other} are not available yet")));
            }
        },
    };
    let e = e
        .filter(|e| e.tenant == tenant.0)
        .ok_or_else(|| ServiceError::NotFound(format!("Entity with id [{entity_id}] is not found")))?;
    explain(svc, &Principal::of_user(&user), op, &e).await
}
