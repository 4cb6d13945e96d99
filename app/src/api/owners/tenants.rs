//! Tenant management for the system administrator, and tenant administrators with their activation links.

use crate::api::AppError;
use crate::model::PageData;
use crate::model::Tenant;
use crate::model::User;
use crate::model::UserActivationLink;
use leptos::prelude::*;

/// One page of tenants.
#[server(prefix = "/_sfn", endpoint = "tenants")]
pub async fn list_tenants(page: i64, search: String, sort: String, desc: bool) -> Result<PageData<Tenant>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    Ok(crate::backend::owners::tenants::list(&*svc()?, &p, &page_link(page, search, sort, desc)?).await?)
}

/// One tenant.
#[server(prefix = "/_sfn", endpoint = "tenant")]
pub async fn get_tenant(id: String) -> Result<Tenant, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let id = crate::model::TenantId(parse_id(&id, "tenant")?);
    Ok(crate::backend::owners::tenants::get(&*svc()?, &p, id).await?)
}

/// Creates (empty `id`) or updates a tenant.
#[server(prefix = "/_sfn", endpoint = "save_tenant")]
pub async fn save_tenant(
    id: String,
    version: String,
    title: String,
    email: String,
    country: String,
    city: String,
) -> Result<Tenant, AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let t = Tenant {
        id: opt(id).map(|i| parse_id(&i, "tenant").map(crate::model::TenantId)).transpose()?,
        version: version.trim().parse().ok(),
        title: Some(title),
        contact: crate::model::Contact {
            email: opt(email),
            country: opt(country),
            city: opt(city),
            ..Default::default()
        },
        ..Tenant::default()
    };
    Ok(crate::backend::owners::tenants::save(&*svc()?, &p, &t).await?)
}

/// Deletes a tenant and everything it owns.
#[server(prefix = "/_sfn", endpoint = "delete_tenant")]
pub async fn delete_tenant(id: String) -> Result<(), AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::TenantId(parse_id(&id, "tenant")?);
    Ok(crate::backend::owners::tenants::delete(&*svc()?, &p, id).await?)
}

/// One page of a tenant's administrators.
#[server(prefix = "/_sfn", endpoint = "tenant_admins")]
pub async fn list_tenant_admins(tenant_id: String, page: i64) -> Result<PageData<User>, AppError> {
    use crate::api::ssr::*;
    let p = principal().await?;
    let id = crate::model::TenantId(parse_id(&tenant_id, "tenant")?);
    Ok(crate::backend::accounts::users::list_tenant_users(
        &*svc()?,
        &p,
        id,
        &page_link(page, String::new(), "email".into(), false)?,
    )
    .await?)
}

/// Creates a tenant administrator and returns its first activation link.
#[server(prefix = "/_sfn", endpoint = "create_tenant_admin")]
pub async fn create_tenant_admin(
    tenant_id: String,
    email: String,
    first_name: String,
    last_name: String,
) -> Result<UserActivationLink, AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let svc = svc()?;
    let u = User {
        id: None,
        created_time: None,
        tenant_id: Some(crate::model::TenantId(parse_id(&tenant_id, "tenant")?)),
        customer_id: None,
        email: Some(email.trim().to_string()),
        name: None,
        authority: Some(crate::model::Authority::TenantAdmin),
        first_name: opt(first_name),
        last_name: opt(last_name),
        phone: None,
        additional_info: None,
        version: None,
    };
    let user = crate::backend::accounts::users::save(&svc, &p, &u, false, &[]).await?;
    Ok(crate::backend::identity::activation::link(&svc, &p, user.id).await?)
}

/// A fresh activation link for a user who has not set a password yet.
#[server(prefix = "/_sfn", endpoint = "activation_link")]
pub async fn activation_link(user_id: String) -> Result<UserActivationLink, AppError> {
    use crate::api::ssr::*;
    same_origin()?;
    let p = principal().await?;
    let id = crate::model::UserId(parse_id(&user_id, "user")?);
    Ok(crate::backend::identity::activation::link(&*svc()?, &p, id).await?)
}
