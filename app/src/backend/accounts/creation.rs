//! Creating users: where a new user goes (authority, tenant, customer, groups), the groups it joins checked like any
//! membership change (ADD_TO_GROUP and handing on what they grant), its row and credentials in one transaction,
//! the activation mail (a user whose mail fails is not kept), and the system administrator made at first start.

use crate::backend::accounts::records::{UserRecord, find};
use crate::backend::authz;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::validate;
use crate::backend::services::Services;
use crate::model::Authority;
use crate::model::CustomerId;
use crate::model::TenantId;
use crate::model::User;
use crate::model::UserId;
use uuid::Uuid;

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

/// A new user: the system administrator creates tenant administrators; a tenant's users with the USER CREATE
/// grant create users in owners within their subtree, placed in the user groups named by `entityGroupId(s)`.
pub async fn create(
    svc: &Services,
    p: &Principal,
    u: &User,
    send_activation_mail: bool,
    groups: &[Uuid],
) -> ServiceResult<UserRecord> {
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
