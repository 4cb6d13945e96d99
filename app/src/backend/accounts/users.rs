//! User accounts: lookup, tenant-administrator creation by the system administrator, activation links and
//! activation. Credentials live beside the user row; activation secrets are stored hashed and used once.

use crate::backend::accounts::records::{USER_COLUMNS, UserRecord, find, from_row};
use crate::backend::authz;
use crate::backend::authz::Operation;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::services::Services;
use crate::model::Authority;
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

/// Where a new user goes: its authority, tenant and customer, the user groups it joins, and whether a tenant
/// administrator joins "Tenant Administrators" when no group is named (only the system administrator's do).
struct Placement<'a> {
    authority: Authority,
    tenant: Option<TenantId>,
    customer: Option<CustomerId>,
    groups: &'a [Uuid],
    default_admin: bool,
}

/// Inserts a user and its credentials in one transaction.
async fn insert(
    svc: &Services,
    u: &User,
    place: &Placement<'_>,
    password_hash: Option<String>,
) -> ServiceResult<UserId> {
    let Placement { authority, tenant, customer, groups, default_admin } = *place;
    let email = validate::required("User", "email", &u.email)?;
    if !validate::is_email(&email) {
        return Err(ServiceError::InvalidArguments(format!("Invalid email address format '{email}'")));
    }
    validate::max_len("first name", &u.first_name)?;
    validate::max_len("last name", &u.last_name)?;
    validate::max_len("phone", &u.phone)?;
    if u.additional_info.as_ref().is_some_and(|v| !v.is_object() && !v.is_null()) {
        return Err(ServiceError::InvalidArguments("additionalInfo must be a JSON object".into()));
    }
    let id = UserId(Uuid::now_v7());
    let now = now_ms();
    let mut tx = svc.db.begin_write().await?;
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tb_user WHERE email_lower = $1")
        .bind(email.to_lowercase())
        .fetch_one(&mut *tx)
        .await?;
    if taken > 0 {
        return Err(ServiceError::InvalidArguments(format!("User with email '{email}' already present in database!")));
    }
    if let Some(t) = tenant {
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tenant WHERE id = $1")
            .bind(t.0.to_string())
            .fetch_one(&mut *tx)
            .await?;
        if exists == 0 {
            return Err(ServiceError::not_found("Tenant", t));
        }
    }
    sqlx::query(
        "INSERT INTO tb_user (id, created_time, tenant_id, customer_id, authority, email, email_lower, first_name, \
         last_name, phone, additional_info, version) VALUES ($1, $2, $3, $11, $4, $5, $6, $7, $8, $9, $10, 1)",
    )
    .bind(id.0.to_string())
    .bind(now)
    .bind(tenant.map(|t| t.0.to_string()))
    .bind(authority.as_str())
    .bind(&email)
    .bind(email.to_lowercase())
    .bind(u.first_name.clone())
    .bind(u.last_name.clone())
    .bind(u.phone.clone())
    .bind(u.additional_info.as_ref().filter(|v| !v.is_null()).map(|v| v.to_string()))
    .bind(customer.map(|c| c.0.to_string()))
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_email(e, &email))?;
    let enabled = i64::from(password_hash.is_some());
    sqlx::query("INSERT INTO user_credentials (user_id, password_hash, enabled) VALUES ($1, $2, $3)")
        .bind(id.0.to_string())
        .bind(password_hash)
        .bind(enabled)
        .execute(&mut *tx)
        .await?;
    if let (Some(t), Authority::TenantAdmin) = (tenant, authority) {
        // Like ThingsBoard PE: in the tenant's "All" users and in the user groups asked for; the system
        // administrator's tenant administrators by default in "Tenant Administrators", whose role grants all.
        crate::backend::groups::store::join_all(
            &mut tx,
            t.0,
            crate::backend::groups::group_type::GroupType::User,
            id.0,
        )
        .await?;
        if groups.is_empty() && default_admin {
            crate::backend::groups::store::join_named(
                &mut tx,
                t.0,
                crate::backend::groups::group_type::GroupType::User,
                crate::backend::groups::roles::TENANT_ADMINISTRATORS,
                id.0,
            )
            .await?;
        }
        for g in groups {
            crate::backend::groups::store::join(
                &mut tx,
                t.0,
                t.0,
                crate::backend::groups::group_type::GroupType::User,
                *g,
                id.0,
            )
            .await?;
        }
        crate::backend::authz::epochs::bump(&mut tx, t.0).await?;
    }
    if let (Some(t), Some(c)) = (tenant, customer) {
        // In the customer's "All" users and in the user groups asked for, which must be the customer's own.
        crate::backend::groups::store::join_all(
            &mut tx,
            c.0,
            crate::backend::groups::group_type::GroupType::User,
            id.0,
        )
        .await?;
        for g in groups {
            crate::backend::groups::store::join(
                &mut tx,
                t.0,
                c.0,
                crate::backend::groups::group_type::GroupType::User,
                *g,
                id.0,
            )
            .await?;
        }
        crate::backend::authz::epochs::bump(&mut tx, t.0).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A unique-index race on email becomes the same 400 as the pre-check.
fn unique_email(e: sqlx::Error, email: &str) -> ServiceError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return ServiceError::InvalidArguments(format!("User with email '{email}' already present in database!"));
    }
    e.into()
}

/// Creates the system administrator with a password (first start or the set-up link).
pub async fn create_sysadmin(svc: &Services, email: &str, password: &str) -> ServiceResult<UserId> {
    crate::backend::identity::passwords::check(svc, password).await?;
    let hash = svc.hasher.hash(password).await?;
    let u = User {
        id: None,
        created_time: None,
        tenant_id: None,
        customer_id: None,
        email: Some(email.to_string()),
        name: None,
        authority: Some(Authority::SysAdmin),
        first_name: None,
        last_name: None,
        phone: None,
        additional_info: None,
        version: None,
    };
    let place =
        Placement { authority: Authority::SysAdmin, tenant: None, customer: None, groups: &[], default_admin: false };
    insert(svc, &u, &place, Some(hash)).await
}

/// `POST /api/user`: the system administrator creates tenant administrators; a tenant's users with the USER
/// CREATE grant create customer users in customers within their owner subtree, placed in the customer's user
/// groups named by `entityGroupId(s)`. A user may update its own names and phone.
pub async fn save(
    svc: &Services,
    p: &Principal,
    u: &User,
    send_activation_mail: bool,
    groups: &[Uuid],
) -> ServiceResult<UserRecord> {
    if let Some(id) = u.id {
        return update(svc, p, id, u).await;
    }
    let authority =
        u.authority.ok_or_else(|| ServiceError::InvalidArguments("User authority should be specified".into()))?;
    let (tenant, customer) = authz::users::placement(svc, p, authority, u.tenant_id, u.customer_id).await?;
    if send_activation_mail {
        svc.mailer.require("user activation email")?;
    }
    check_joins(svc, p, tenant, customer, groups).await?;
    // Only the system administrator's tenant administrators join "Tenant Administrators" unasked (ThingsBoard
    // PE); everyone else's new users are in the groups asked for and nothing more.
    let default_admin = authz::users::places_as_platform(p);
    let id = insert(svc, u, &Placement { authority, tenant, customer, groups, default_admin }, None).await?;
    let created =
        find(&svc.db, id).await?.ok_or_else(|| ServiceError::Internal("user vanished after insert".into()))?;
    if send_activation_mail && let Err(e) = crate::backend::identity::activation::send_mail(svc, &created).await {
        // Like ThingsBoard: a user whose activation mail could not go out is not kept.
        remove(svc, &created).await?;
        return Err(match e {
            ServiceError::MailFailed(why) => {
                ServiceError::MailFailed(format!("Couldn't send user activation email: {why}"))
            }
            other => other,
        });
    }
    crate::backend::audit::record(
        svc,
        crate::backend::audit::Entry::on_user(Some(p), &created, crate::backend::audit::Action::Added),
    )
    .await;
    Ok(created)
}

/// A new user of `tenant` (in `customer`) joins its owner's "All" user group and `groups`: the caller must be
/// allowed to add members to each group it names and to hand on what every one of them grants.
async fn check_joins(
    svc: &Services,
    p: &Principal,
    tenant: Option<TenantId>,
    customer: Option<CustomerId>,
    groups: &[Uuid],
) -> ServiceResult<()> {
    use crate::backend::groups::service as group_service;
    let Some(tenant) = tenant else { return Ok(()) };
    if authz::users::places_as_platform(p) {
        return Ok(());
    }
    let owner = customer.map(|c| c.0).unwrap_or(tenant.0);
    let all: Option<String> = sqlx::query_scalar(
        "SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = 'All' AND tenant_id = $2",
    )
    .bind(owner.to_string())
    .bind(tenant.0.to_string())
    .fetch_optional(&svc.db.pool)
    .await?;
    if let Some(all) = all {
        let all = Uuid::parse_str(&all).map_err(|e| ServiceError::Internal(e.to_string()))?;
        authz::delegation::check_join(svc, p, all, owner).await?;
    }
    for g in groups {
        let group = group_service::get_checked(
            svc,
            p,
            crate::model::EntityGroupId(*g),
            crate::model::permissions::Operation::AddToGroup,
        )
        .await?;
        if group.group_type != crate::backend::groups::group_type::GroupType::User || group.owner != owner {
            return Err(ServiceError::BadRequestParams("A new user can only join user groups of its own owner".into()));
        }
        authz::delegation::check_join(svc, p, group.id, group.owner).await?;
    }
    Ok(())
}

/// Removes a user just created whose activation mail failed, with its memberships.
async fn remove(svc: &Services, u: &UserRecord) -> ServiceResult<()> {
    let mut tx = svc.db.begin_write().await?;
    sqlx::query("DELETE FROM entity_group_member WHERE entity_id = $1")
        .bind(u.id.0.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM tb_user WHERE id = $1").bind(u.id.0.to_string()).execute(&mut *tx).await?;
    if let Some(t) = u.tenant_id {
        crate::backend::authz::epochs::bump(&mut tx, t.0).await?;
    }
    tx.commit().await?;
    Ok(())
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
