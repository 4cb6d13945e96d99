//! Customers and sub-customers for tenant and customer administrators: the "All" list and customer groups, one
//! customer with its sub-customers, create / edit / delete, new customer groups. Every call goes to
//! `backend::owners::customers` and `backend::groups`, which ask `authz`.

// A server function takes a form's fields as its arguments, so the add / edit form has as many as it has inputs.
#![allow(clippy::too_many_arguments)]

use crate::api::AppError;
use crate::model::PageData;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A customer as the console shows it: flat strings instead of ThingsBoard's wire shape, which keeps the browser's
/// decoder small (the bundle pays for every type it decodes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub country: String,
    pub city: String,
    pub created_time: i64,
    pub owner_name: String,
    /// Names of the groups it is in, "All" first.
    pub groups: Vec<String>,
}

#[cfg(feature = "ssr")]
fn view_of(c: crate::model::CustomerInfo) -> CustomerView {
    let s = |v: Option<String>| v.unwrap_or_default();
    CustomerView {
        id: c.customer.id.map(|i| i.to_string()).unwrap_or_default(),
        version: c.customer.version.unwrap_or(0),
        title: s(c.customer.title),
        email: s(c.customer.contact.email),
        phone: s(c.customer.contact.phone),
        country: s(c.customer.contact.country),
        city: s(c.customer.contact.city),
        created_time: c.customer.created_time.unwrap_or(0),
        owner_name: c.owner_name,
        groups: c.groups.into_iter().map(|g| g.name).collect(),
    }
}

#[cfg(feature = "ssr")]
fn views(page: PageData<crate::model::CustomerInfo>) -> PageData<CustomerView> {
    page.map(view_of)
}

/// One page of customers: the caller's own (its owner's "All" group) when `group` is empty, else one group's.
#[server(prefix = "/_sfn", endpoint = "customers")]
pub async fn list_customers(
    page: i64,
    search: String,
    sort: String,
    desc: bool,
    group: String,
) -> Result<PageData<CustomerView>, AppError> {
    use crate::api::ssr::*;

    let p = principal().await?;
    let svc = svc()?;
    let link = page_link(page, search, sort, desc)?;
    let rows = match opt(group) {
        None => {
            let owner = p.owner().ok_or_else(|| AppError::new(403, "Customers belong to a tenant"))?;
            crate::backend::owners::customer_lists::list_below(&svc, &p, owner, false, &link).await?
        }
        Some(g) => {
            let id = crate::model::EntityGroupId(parse_id(&g, "entity group")?);
            let g = crate::api::groups::entity_groups::checked_group(
                &svc,
                &p,
                id,
                crate::backend::groups::group_type::GroupType::Customer,
            )
            .await?;
            crate::backend::owners::customer_lists::in_group(&svc, &g, &link).await?
        }
    };
    Ok(views(crate::backend::owners::customer_lists::infos(&svc, rows).await?))
}

/// One customer, with its owner's name and its groups.
#[server(prefix = "/_sfn", endpoint = "customer")]
pub async fn get_customer(id: String) -> Result<CustomerView, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let id = crate::model::CustomerId(parse_id(&id, "customer")?);
    Ok(view_of(crate::backend::owners::customers::get_info(&*svc()?, &p, id).await?))
}

/// One page of a customer's direct sub-customers.
#[server(prefix = "/_sfn", endpoint = "sub_customers")]
pub async fn sub_customers(id: String, page: i64) -> Result<PageData<CustomerView>, AppError> {
    use crate::api::ssr::*;
    use crate::backend::owners::customers;
    let p = principal().await?;
    let svc = svc()?;
    let parent = customers::get(&svc, &p, crate::model::CustomerId(parse_id(&id, "customer")?)).await?;
    let owner = parent.id.map(|c| c.0).ok_or_else(|| AppError::new(404, "Customer not found"))?;
    let link = page_link(page, String::new(), "title".into(), false)?;
    let rows = crate::backend::owners::customer_lists::list_below(&svc, &p, owner, false, &link).await?;
    Ok(views(crate::backend::owners::customer_lists::infos(&svc, rows).await?))
}

/// Creates (empty `id`; under `parent` if given, into `group` if given) or updates a customer.
#[server(prefix = "/_sfn", endpoint = "save_customer")]
pub async fn save_customer(
    id: String,
    version: String,
    parent: String,
    group: String,
    title: String,
    email: String,
    phone: String,
    country: String,
    city: String,
) -> Result<CustomerView, AppError> {
    use crate::api::ssr::*;
    use crate::backend::owners::customers;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let id = opt(id).map(|i| parse_id(&i, "customer").map(crate::model::CustomerId)).transpose()?;
    let parent = opt(parent).map(|i| parse_id(&i, "parent customer").map(crate::model::CustomerId)).transpose()?;
    let groups = opt(group).map(|g| parse_id(&g, "entity group")).transpose()?;
    let c = crate::model::Customer {
        id,
        version: version.trim().parse().ok(),
        parent_customer_id: parent,
        title: Some(title),
        contact: crate::model::Contact {
            email: opt(email),
            phone: opt(phone),
            country: opt(country),
            city: opt(city),
            ..Default::default()
        },
        ..Default::default()
    };
    if id.is_some() && groups.is_some() {
        return Err(AppError::new(400, "Groups change through “Manage owner and groups”"));
    }
    let opts = crate::backend::groups::naming::SaveOptions {
        entity_group_ids: groups.into_iter().collect(),
        name_conflict: crate::backend::groups::naming::NameConflict::Fail,
    };
    let saved = customers::save(&svc, &p, &c, &opts).await?;
    let saved_id = saved.id.ok_or_else(|| AppError::new(500, "customer without id"))?;
    Ok(view_of(customers::get_info(&svc, &p, saved_id).await?))
}

/// Deletes a customer: its sub-customers move up to its owner, its users go.
#[server(prefix = "/_sfn", endpoint = "delete_customer")]
pub async fn delete_customer(id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::CustomerId(parse_id(&id, "customer")?);
    Ok(crate::backend::owners::customers::delete(&*svc()?, &p, id).await?)
}
