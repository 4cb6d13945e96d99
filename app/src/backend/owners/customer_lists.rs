//! Lists of customers: below an owner (its children, or its whole subtree) ANDed with the caller's read filter, the
//! members of a readable customer group, and the owner names and groups a page shows.

use crate::backend::authz::entities;
use crate::backend::authz::entities::ListFilter;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::owners::customers::COLUMNS;
use crate::backend::owners::customers::SORTS;
use crate::backend::owners::customers::from_row;
use crate::backend::owners::customers::info_key;
use crate::backend::owners::customers::info_of;
use crate::backend::owners::customers::tenant_of;
use crate::backend::services::Services;
use crate::model::Customer;
use crate::model::CustomerInfo;
use crate::model::PageData;
use crate::model::permissions::Operation;
use crate::model::permissions::Resource;
use uuid::Uuid;

/// Customers below `owner` (the tenant or a customer): its direct children, or with `all_levels` its whole
/// subtree — one closure join, searched, sorted and paged in SQL.
pub async fn list_below(
    svc: &Services,
    p: &Principal,
    owner: Uuid,
    all_levels: bool,
    link: &PageLink,
) -> ServiceResult<PageData<Customer>> {
    let tenant = tenant_of(p)?;
    let order = link.order_by(SORTS, "c.created_time")?.replace(", id ", ", c.id ");
    let depth = if all_levels { "oc.depth >= 1" } else { "oc.depth = 1" };
    let pattern = link.like_pattern();
    let mut filter = format!(
        "FROM customer c JOIN owner_closure oc ON oc.descendant = c.id \
         WHERE oc.ancestor = $1 AND {depth} AND c.tenant_id = $2 AND c.is_public = 0"
    );
    let mut binds = vec![owner.to_string(), tenant.0.to_string()];
    if let Some(pat) = &pattern {
        binds.push(pat.clone());
        filter.push_str(&format!(" AND c.title_lower LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let visible = entities::list_filter(
        svc,
        p,
        Operation::Read,
        Resource::Customer,
        entities::ListSource {
            table: "customer",
            alias: "c",
            owner: |a| format!("COALESCE({a}.parent_customer_id, {a}.tenant_id)"),
        },
        binds.len() + 1,
    )
    .await?;
    match visible {
        ListFilter::Everything => {}
        ListFilter::Nothing => return Ok(link.page_of(Vec::new(), 0)),
        ListFilter::Where { sql, binds: more, .. } => {
            filter.push_str(" AND ");
            filter.push_str(&sql);
            binds.extend(more);
        }
    }
    crate::backend::kernel::paging::fetch(&svc.db.pool, COLUMNS, &filter, &order, &binds, link, from_row).await
}

/// The same page with owner names and groups.
pub async fn infos(svc: &Services, page: PageData<Customer>) -> ServiceResult<PageData<CustomerInfo>> {
    crate::backend::owners::infos::decorated(svc, page, info_key, info_of).await
}

/// `GET /api/entityGroup/{id}/customers`: the members of a customer group the caller may read, paged in SQL.
pub async fn in_group(
    svc: &Services,
    g: &crate::backend::authz::groups::ReadableGroup,
    link: &PageLink,
) -> ServiceResult<PageData<Customer>> {
    if g.members() != Resource::Customer {
        return Err(ServiceError::BadRequestParams(format!("Entity group [{}] does not hold customers", g.id())));
    }
    let order = link.order_by(SORTS, "c.created_time")?.replace(", id ", ", c.id ");
    let mut from =
        String::from("FROM customer c JOIN entity_group_member m ON m.entity_id = c.id WHERE m.group_id = $1");
    let mut binds = vec![g.id().to_string()];
    if let Some(pat) = link.like_pattern() {
        binds.push(pat);
        from.push_str(&format!(" AND c.title_lower LIKE ${} ESCAPE '\\'", binds.len()));
    }
    crate::backend::kernel::paging::fetch(&svc.db.pool, COLUMNS, &from, &order, &binds, link, from_row).await
}
