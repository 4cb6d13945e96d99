//! `/api/customer*`: customers and sub-customers.

use crate::backend::groups::naming::SaveOptions;
use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PathId;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::extract::flag;
use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::owners::customers;
use crate::model::Customer;
use crate::model::CustomerId;
use crate::model::CustomerInfo;
use crate::model::PageData;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn save(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
    JsonBody(c): JsonBody<Customer>,
) -> ServiceResult<Json<Customer>> {
    Ok(Json(customers::save(&s.svc, &p, &c, &SaveOptions::from_query(&q)?).await?))
}

pub async fn get(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<Customer>> {
    Ok(Json(customers::get(&s.svc, &p, CustomerId(id)).await?))
}

pub async fn info(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<Json<CustomerInfo>> {
    Ok(Json(customers::get_info(&s.svc, &p, CustomerId(id)).await?))
}

pub async fn delete(State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId) -> ServiceResult<StatusCode> {
    customers::delete(&s.svc, &p, CustomerId(id)).await?;
    Ok(StatusCode::OK)
}

/// `GET /api/customers`: the tenant's own (top-level) customers.
pub async fn tenant_customers(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<Customer>>> {
    let tenant = p.tenant_id.ok_or(ServiceError::Forbidden)?;
    Ok(Json(
        crate::backend::owners::customer_lists::list_below(&s.svc, &p, tenant.0, false, &PageLink::from_query(&q)?)
            .await?,
    ))
}

/// `GET /api/customerInfos/all`: customers under the caller's owner; `includeCustomers=true` for every level.
pub async fn all_infos(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<CustomerInfo>>> {
    let owner = p.owner().ok_or(ServiceError::Forbidden)?;
    let all = flag(&q, "includeCustomers", false)?;
    let page =
        crate::backend::owners::customer_lists::list_below(&s.svc, &p, owner, all, &PageLink::from_query(&q)?).await?;
    Ok(Json(crate::backend::owners::customer_lists::infos(&s.svc, page).await?))
}

/// `GET /api/customer/{id}/customerInfos`: sub-customers of one customer.
pub async fn sub_customer_infos(
    State(s): State<AppState>,
    Auth(p): Auth,
    PathId(id): PathId,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<PageData<CustomerInfo>>> {
    let parent = customers::get(&s.svc, &p, CustomerId(id)).await?;
    let all = flag(&q, "includeCustomers", false)?;
    let owner = parent.id.map(|c| c.0).unwrap_or(id);
    let page =
        crate::backend::owners::customer_lists::list_below(&s.svc, &p, owner, all, &PageLink::from_query(&q)?).await?;
    Ok(Json(crate::backend::owners::customer_lists::infos(&s.svc, page).await?))
}

/// `GET /api/tenant/customers?customerTitle=`.
pub async fn by_title(
    State(s): State<AppState>,
    Auth(p): Auth,
    QueryMap(q): QueryMap,
) -> ServiceResult<Json<Customer>> {
    let title = q.get("customerTitle").filter(|t| !t.trim().is_empty()).ok_or_else(|| {
        ServiceError::BadRequestParams("Required request parameter 'customerTitle' is not present".into())
    })?;
    Ok(Json(customers::by_title(&s.svc, &p, title).await?))
}
