//! Tenants: created and managed by the system administrator; deleting one removes everything it owns through
//! the schema's cascades, in one statement.

use crate::backend::authz;
use crate::backend::authz::Operation;
use crate::backend::authz::Target;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::owners::contacts;
use crate::backend::owners::contacts::BindContact;
use crate::backend::services::Services;
use crate::model::PageData;
use crate::model::Tenant;
use crate::model::TenantId;
use crate::model::TenantInfo;
use crate::model::TenantProfileId;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// The one built-in tenant profile until tenant profiles are managed.
pub const DEFAULT_PROFILE_ID: TenantProfileId =
    TenantProfileId(Uuid::from_u128(0x5e1ec7ed_0000_4000_8000_000000000001));
/// Its name.
pub const DEFAULT_PROFILE_NAME: &str = "Default";

const COLUMNS: &str = "id, created_time, title, region, country, state, city, address, address2, zip, phone, email, additional_info, version";

const SORTS: &[(&str, &str)] = &[
    ("createdTime", "created_time"),
    ("title", "title_lower"),
    ("email", "email"),
    ("country", "country"),
    ("state", "state"),
    ("city", "city"),
    ("address", "address"),
    ("address2", "address2"),
    ("zip", "zip"),
    ("phone", "phone"),
    ("region", "region"),
    ("tenantProfileName", "created_time"),
];

fn from_row(r: &AnyRow) -> ServiceResult<Tenant> {
    let id: String = r.try_get("id")?;
    let info: Option<String> = r.try_get("additional_info")?;
    let title: String = r.try_get("title")?;
    Ok(Tenant {
        id: Some(TenantId(Uuid::parse_str(&id).map_err(|e| ServiceError::Internal(e.to_string()))?)),
        created_time: Some(r.try_get("created_time")?),
        name: Some(title.clone()),
        title: Some(title),
        region: r.try_get("region")?,
        contact: crate::backend::owners::contacts::from_row(r)?,
        additional_info: info.and_then(|s| serde_json::from_str(&s).ok()),
        tenant_profile_id: Some(DEFAULT_PROFILE_ID),
        version: Some(r.try_get("version")?),
    })
}

fn validate(t: &Tenant) -> ServiceResult<String> {
    let title = validate::required("Tenant", "title", &t.title)?;
    validate::max_len("title", &t.title)?;
    validate::max_len("region", &t.region)?;
    contacts::check(&t.contact)?;
    if t.additional_info.as_ref().is_some_and(|v| !v.is_object() && !v.is_null()) {
        return Err(ServiceError::InvalidArguments("additionalInfo must be a JSON object".into()));
    }
    if let Some(p) = t.tenant_profile_id
        && p != DEFAULT_PROFILE_ID
    {
        return Err(ServiceError::InvalidArguments("Tenant profile is not found".into()));
    }
    Ok(title)
}

fn title_taken(e: sqlx::Error) -> ServiceError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return ServiceError::InvalidArguments("Tenant with such title already exists!".into());
    }
    e.into()
}

fn info_json(v: &Option<Value>) -> Option<String> {
    v.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string())
}

/// `POST /api/tenant`: creates without `id`, updates with it (optimistic locking on `version`).
pub async fn save(svc: &Services, p: &Principal, t: &Tenant) -> ServiceResult<Tenant> {
    let title = validate(t)?;
    match t.id {
        None => {
            authz::check(p, Operation::Create, Target::AllTenants, "Tenant", "new")?;
            let id = TenantId(Uuid::now_v7());
            let mut tx = svc.db.begin_write().await?;
            sqlx::query(&format!(
                "INSERT INTO tenant ({COLUMNS}, title_lower) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14)"
            ))
            .bind(id.0.to_string())
            .bind(now_ms())
            .bind(&title)
            .bind(t.region.clone())
            .bind_contact(&t.contact)
            .bind(info_json(&t.additional_info))
            .bind(title.to_lowercase())
            .execute(&mut *tx)
            .await
            .map_err(title_taken)?;
            // The tenant is the root of its owner tree and owns the first "All" groups.
            crate::backend::owners::tree::add_root(&mut tx, id.0).await?;
            crate::backend::groups::store::create_all_groups(&mut tx, id.0, id.0, "TENANT").await?;
            crate::backend::groups::roles::create_tenant_defaults(&mut tx, id.0).await?;
            tx.commit().await?;
            let t = get(svc, p, id).await?;
            audit(svc, p, crate::backend::audit::Action::Added, id, &title).await;
            Ok(t)
        }
        Some(id) => {
            authz::check(p, Operation::Write, Target::Tenant(id), "Tenant", id)?;
            let done = sqlx::query(
                "UPDATE tenant SET title = $1, title_lower = $2, region = $3, country = $4, state = $5, city = $6, \
                 address = $7, address2 = $8, zip = $9, phone = $10, email = $11, additional_info = $12, version = version + 1 \
                 WHERE id = $13 AND ($14 < 0 OR version = $14)",
            )
            .bind(&title)
            .bind(title.to_lowercase())
            .bind(t.region.clone())
            .bind_contact(&t.contact)
            .bind(info_json(&t.additional_info))
            .bind(id.0.to_string())
            .bind(t.version.unwrap_or(-1))
            .execute(svc.db.writer())
            .await
            .map_err(title_taken)?;
            if done.rows_affected() == 0 {
                // Either gone or stale: tell which.
                find(svc, id).await?.ok_or_else(|| ServiceError::not_found("Tenant", id))?;
                return Err(ServiceError::VersionConflict(
                    "Tenant was already changed by someone else! Reload it and try again.".into(),
                ));
            }
            let t = get(svc, p, id).await?;
            audit(svc, p, crate::backend::audit::Action::Updated, id, &title).await;
            Ok(t)
        }
    }
}

/// Tenants are the platform's business: their entries are the system administrator's (platform level).
async fn audit(svc: &Services, p: &Principal, action: crate::backend::audit::Action, id: TenantId, title: &str) {
    let mut e = crate::backend::audit::Entry::by(p, action, crate::model::EntityType::Tenant, id.0, title);
    e.tenant = None;
    e.customer = None;
    crate::backend::audit::record(svc, e).await;
}

async fn find(svc: &Services, id: TenantId) -> ServiceResult<Option<Tenant>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenant WHERE id = $1"))
        .bind(id.0.to_string())
        .fetch_optional(&svc.db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// `GET /api/tenant/{id}`.
pub async fn get(svc: &Services, p: &Principal, id: TenantId) -> ServiceResult<Tenant> {
    authz::check(p, Operation::Read, Target::Tenant(id), "Tenant", id)?;
    find(svc, id).await?.ok_or_else(|| ServiceError::not_found("Tenant", id))
}

/// `GET /api/tenant/info/{id}`.
pub async fn get_info(svc: &Services, p: &Principal, id: TenantId) -> ServiceResult<TenantInfo> {
    Ok(TenantInfo { tenant: get(svc, p, id).await?, tenant_profile_name: DEFAULT_PROFILE_NAME.into() })
}

/// `DELETE /api/tenant/{id}`: the tenant and, through cascades, all it owns; its users' sessions end now.
pub async fn delete(svc: &Services, p: &Principal, id: TenantId) -> ServiceResult<()> {
    authz::check(p, Operation::Delete, Target::Tenant(id), "Tenant", id)?;
    let title = find(svc, id).await?.and_then(|t| t.title).unwrap_or_default();
    let mut tx = svc.db.begin_write().await?;
    let done = sqlx::query("DELETE FROM tenant WHERE id = $1").bind(id.0.to_string()).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::not_found("Tenant", id));
    }
    tx.commit().await?;
    svc.sessions.forget_tenant(id);
    audit(svc, p, crate::backend::audit::Action::Deleted, id, &title).await;
    Ok(())
}

/// `GET /api/tenants`: paged, searched by title, sorted by a whitelisted property.
pub async fn list(svc: &Services, p: &Principal, link: &PageLink) -> ServiceResult<PageData<Tenant>> {
    authz::check(p, Operation::Read, Target::AllTenants, "Tenant", "*")?;
    let order = link.order_by(SORTS, "created_time")?;
    let pattern = link.like_pattern();
    let from = if pattern.is_some() { "FROM tenant WHERE title_lower LIKE $1 ESCAPE '\\'" } else { "FROM tenant" };
    let binds: Vec<String> = pattern.into_iter().collect();
    crate::backend::kernel::paging::fetch(&svc.db.pool, COLUMNS, from, &order, &binds, link, from_row).await
}

/// `GET /api/tenantInfos`.
pub async fn list_infos(svc: &Services, p: &Principal, link: &PageLink) -> ServiceResult<PageData<TenantInfo>> {
    let page = list(svc, p, link).await?;
    Ok(page.map(|tenant| TenantInfo { tenant, tenant_profile_name: DEFAULT_PROFILE_NAME.into() }))
}
