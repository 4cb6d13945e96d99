//! User accounts: lookup, tenant-administrator creation by the system administrator, activation links and
//! activation. Credentials live beside the user row; activation secrets are stored hashed and used once.

use crate::backend::accounts::records::{USER_COLUMNS, UserRecord, find, from_row};
use crate::backend::authz;
use crate::backend::authz::Operation;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::services::Services;
use crate::model::CustomerId;
use crate::model::PageData;
use crate::model::TenantId;
use crate::model::User;
use crate::model::UserId;
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

/// Whether the caller may `op` this user (the rule lives in `authz::users`).
pub async fn check(svc: &Services, p: &Principal, op: Operation, u: &UserRecord) -> ServiceResult<()> {
    authz::users::check(svc, p, op, u).await
}

/// A user the caller may read, or 403/404.
pub async fn get(svc: &Services, p: &Principal, id: UserId) -> ServiceResult<UserRecord> {
    let mut u = find(&svc.db, id).await?.ok_or_else(|| ServiceError::not_found("User", id))?;
    check(svc, p, Operation::Read, &u).await?;
    drop_dangling_dashboards(svc, std::slice::from_mut(&mut u)).await?;
    Ok(u)
}

/// `GET /api/user/info/{id}`: the user with its owner's name and its user groups.
pub async fn info(svc: &Services, p: &Principal, id: UserId) -> ServiceResult<crate::model::UserInfo> {
    let u = get(svc, p, id).await?;
    let mut extra = crate::backend::owners::infos::owners_and_groups(svc, &[(u.id.0, u.owner())]).await?;
    let (owner_name, groups) = extra.pop().unwrap_or_default();
    Ok(crate::model::UserInfo { user: u.to_dto(), owner_name, groups })
}

/// `additionalInfo` keys that name a dashboard of the user's tenant.
pub const DASHBOARD_KEYS: [&str; 2] = ["defaultDashboardId", "homeDashboardId"];

/// Drops `defaultDashboardId` / `homeDashboardId` that name no dashboard of the user's tenant (deleted since, or
/// never valid), as ThingsBoard does on read, so a kiosk never lands on a missing page. One query for all.
pub async fn drop_dangling_dashboards(svc: &Services, users: &mut [UserRecord]) -> ServiceResult<()> {
    let named = |u: &UserRecord| -> Vec<(&'static str, String)> {
        let Some(Value::Object(m)) = &u.additional_info else { return Vec::new() };
        DASHBOARD_KEYS.iter().filter_map(|k| m.get(*k).map(|v| (*k, v.as_str().unwrap_or("").to_string()))).collect()
    };
    let ids: Vec<String> = users
        .iter()
        .flat_map(named)
        .filter_map(|(_, v)| Uuid::parse_str(&v).ok().map(|u| u.to_string()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut existing = std::collections::HashSet::new();
    if !ids.is_empty() {
        let ph: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT id, tenant_id FROM dashboard WHERE id IN ({})", ph.join(", "));
        let rows = ids.iter().fold(sqlx::query(&sql), |q, id| q.bind(id.clone())).fetch_all(&svc.db.pool).await?;
        for r in rows {
            existing.insert((r.try_get::<String, _>("id")?, r.try_get::<String, _>("tenant_id")?));
        }
    }
    for u in users.iter_mut() {
        let tenant = u.tenant_id.map(|t| t.0.to_string()).unwrap_or_default();
        let dangling: Vec<&'static str> = named(u)
            .into_iter()
            .filter(|(_, v)| {
                let id = Uuid::parse_str(v).map(|x| x.to_string()).unwrap_or_default();
                !existing.contains(&(id, tenant.clone()))
            })
            .map(|(k, _)| k)
            .collect();
        if let Some(Value::Object(m)) = &mut u.additional_info {
            for k in dangling {
                m.remove(k);
            }
        }
    }
    Ok(())
}

/// `POST /api/user`: with an `id` an update (a user may update its own names and phone); without, a new user
/// (`creation::create`).
pub async fn save(
    svc: &Services,
    p: &Principal,
    u: &User,
    send_activation_mail: bool,
    groups: &[Uuid],
) -> ServiceResult<UserRecord> {
    match u.id {
        Some(id) => update(svc, p, id, u).await,
        None => crate::backend::accounts::creation::create(svc, p, u, send_activation_mail, groups).await,
    }
}

async fn update(svc: &Services, p: &Principal, id: UserId, u: &User) -> ServiceResult<UserRecord> {
    let current = find(&svc.db, id).await?.ok_or_else(|| ServiceError::not_found("User", id))?;
    check(svc, p, Operation::Write, &current).await?;
    if u.authority.is_some_and(|a| a != current.authority) {
        return Err(ServiceError::InvalidArguments("Can't update user authority!".into()));
    }
    if u.tenant_id.filter(|t| !t.is_null()) != current.tenant_id && u.tenant_id.is_some() {
        return Err(ServiceError::InvalidArguments("Can't update user tenant id!".into()));
    }
    let customer = |c: Option<CustomerId>| c.filter(|c| !c.is_null());
    if u.customer_id.is_some() && customer(u.customer_id) != customer(current.customer_id) {
        return Err(ServiceError::InvalidArguments(
            "Can't update user customer id! A user moves to another customer through /api/owner".into(),
        ));
    }
    if u.email.as_ref().is_some_and(|e| !e.eq_ignore_ascii_case(&current.email)) {
        return Err(ServiceError::InvalidArguments("Changing the email of a user is not supported yet".into()));
    }
    validate::max_len("first name", &u.first_name)?;
    validate::max_len("last name", &u.last_name)?;
    validate::max_len("phone", &u.phone)?;
    let info = match &u.additional_info {
        Some(Value::Object(m)) => {
            let mut m = m.clone();
            for k in ["userCredentialsEnabled", "userActivated", "lastLoginTs"] {
                m.remove(k);
            }
            Some(Value::Object(m).to_string())
        }
        Some(Value::Null) | None => current.additional_info.as_ref().map(|v| v.to_string()),
        Some(_) => return Err(ServiceError::InvalidArguments("additionalInfo must be a JSON object".into())),
    };
    let sql = "UPDATE tb_user SET first_name = $1, last_name = $2, phone = $3, additional_info = $4, version = version + 1 \
               WHERE id = $5 AND ($6 < 0 OR version = $6)";
    let done = sqlx::query(sql)
        .bind(u.first_name.clone())
        .bind(u.last_name.clone())
        .bind(u.phone.clone())
        .bind(info)
        .bind(id.0.to_string())
        .bind(u.version.unwrap_or(-1))
        .execute(svc.db.writer())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::VersionConflict(
            "User was already changed by someone else! Reload it and try again.".into(),
        ));
    }
    svc.sessions.forget_user(id);
    let u = find(&svc.db, id).await?.ok_or_else(|| ServiceError::not_found("User", id))?;
    crate::backend::audit::record(
        svc,
        crate::backend::audit::Entry::on_user(Some(p), &u, crate::backend::audit::Action::Updated),
    )
    .await;
    Ok(u)
}

/// Users of one tenant, paged (the system administrator's view of tenant administrators).
pub async fn list_tenant_users(
    svc: &Services,
    p: &Principal,
    tenant: TenantId,
    link: &PageLink,
) -> ServiceResult<PageData<User>> {
    let admins_only = authz::users::tenant_list_admins_only(p, tenant)?;
    let order = link
        .order_by(
            &[
                ("createdTime", "u.created_time"),
                ("email", "u.email_lower"),
                ("firstName", "u.first_name"),
                ("lastName", "u.last_name"),
            ],
            "u.created_time",
        )?
        .replace(", id ", ", u.id ");
    let mut filter = String::from("u.tenant_id = $1 AND u.customer_id IS NULL");
    if admins_only {
        filter.push_str(" AND u.authority = 'TENANT_ADMIN'");
    }
    let pattern = link.like_pattern();
    if pattern.is_some() {
        filter.push_str(
            " AND (u.email_lower LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(u.first_name, '')) LIKE $2 ESCAPE '\\' \
             OR LOWER(COALESCE(u.last_name, '')) LIKE $2 ESCAPE '\\')",
        );
    }
    let mut binds = vec![tenant.0.to_string()];
    binds.extend(pattern);
    let from = format!("FROM tb_user u JOIN user_credentials c ON c.user_id = u.id WHERE {filter}");
    crate::backend::kernel::paging::fetch(&svc.db.pool, USER_COLUMNS, &from, &order, &binds, link, |r| {
        from_row(r).map(|u| u.to_dto())
    })
    .await
}

/// `GET /api/entityGroup/{id}/users`: the members of a user group the caller may read, paged in SQL.
pub async fn in_group(
    svc: &Services,
    g: &crate::backend::authz::groups::ReadableGroup,
    link: &PageLink,
) -> ServiceResult<PageData<User>> {
    if g.members() != crate::model::permissions::Resource::User {
        return Err(ServiceError::BadRequestParams(format!("Entity group [{}] does not hold users", g.id())));
    }
    let order = link
        .order_by(&[("createdTime", "u.created_time"), ("email", "u.email_lower")], "u.created_time")?
        .replace(", id ", ", u.id ");
    let mut from = String::from(
        "FROM tb_user u JOIN user_credentials c ON c.user_id = u.id JOIN entity_group_member m ON m.entity_id = u.id \
         WHERE m.group_id = $1",
    );
    let mut binds = vec![g.id().to_string()];
    if let Some(pat) = link.like_pattern() {
        binds.push(pat);
        from.push_str(&format!(" AND u.email_lower LIKE ${} ESCAPE '\\'", binds.len()));
    }
    crate::backend::kernel::paging::fetch(&svc.db.pool, USER_COLUMNS, &from, &order, &binds, link, |r| {
        from_row(r).map(|u| u.to_dto())
    })
    .await
}
