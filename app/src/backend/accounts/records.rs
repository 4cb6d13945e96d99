//! A user as stored (with its credential facts) and the lookups everything that signs users in or names them
//! needs. No rule and no service here: `users` decides who may read and change accounts.

use crate::backend::authz::Target;
use crate::backend::kernel::db::Db;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::model::{Authority, CustomerId, NULL_UUID, TenantId, User, UserId};
use serde_json::{Map, Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// A user as stored, with the credential facts the services need.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub created_time: i64,
    pub tenant_id: Option<TenantId>,
    pub customer_id: Option<CustomerId>,
    pub authority: Authority,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub additional_info: Option<Value>,
    pub version: i64,
    pub password_hash: Option<String>,
    pub enabled: bool,
    pub last_login_ts: Option<i64>,
}

/// Columns `from_row` expects, for `FROM tb_user u JOIN user_credentials c`.
pub const USER_COLUMNS: &str = "u.id, u.created_time, u.tenant_id, u.customer_id, u.authority, u.email, u.first_name, \
     u.last_name, u.phone, u.additional_info, u.version, c.password_hash, c.enabled, c.last_login_ts";

fn uuid_col(row: &AnyRow, col: &str) -> ServiceResult<Option<Uuid>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|e| ServiceError::Internal(format!("bad uuid in {col}: {e}")))).transpose()
}

/// Reads a `USER_COLUMNS` row.
pub fn from_row(row: &AnyRow) -> ServiceResult<UserRecord> {
    let id = uuid_col(row, "id")?.ok_or_else(|| ServiceError::Internal("user without id".into()))?;
    let authority_s: String = row.try_get("authority")?;
    let authority =
        Authority::parse(&authority_s).ok_or_else(|| ServiceError::Internal(format!("authority {authority_s}")))?;
    let info: Option<String> = row.try_get("additional_info")?;
    Ok(UserRecord {
        id: UserId(id),
        created_time: row.try_get("created_time")?,
        tenant_id: uuid_col(row, "tenant_id")?.map(TenantId),
        customer_id: uuid_col(row, "customer_id")?.map(CustomerId),
        authority,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        phone: row.try_get("phone")?,
        additional_info: info.and_then(|s| serde_json::from_str(&s).ok()),
        version: row.try_get("version")?,
        password_hash: row.try_get("password_hash")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        last_login_ts: row.try_get("last_login_ts")?,
    })
}

impl UserRecord {
    /// The wire shape, with the credential facts ThingsBoard adds to `additionalInfo`.
    pub fn to_dto(&self) -> User {
        let mut info = match &self.additional_info {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        info.insert("userCredentialsEnabled".into(), json!(self.enabled));
        info.insert("userActivated".into(), json!(self.password_hash.is_some()));
        info.insert("lastLoginTs".into(), json!(self.last_login_ts));
        User {
            id: Some(self.id),
            created_time: Some(self.created_time),
            tenant_id: Some(self.tenant_id.unwrap_or(TenantId(NULL_UUID))),
            customer_id: Some(self.customer_id.unwrap_or(CustomerId(NULL_UUID))),
            email: Some(self.email.clone()),
            name: Some(self.email.clone()),
            authority: Some(self.authority),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            phone: self.phone.clone(),
            additional_info: Some(Value::Object(info)),
            version: Some(self.version),
        }
    }

    /// The tenant or customer that owns this user (nil for the system administrator).
    pub fn owner(&self) -> Uuid {
        self.customer_id.filter(|c| !c.is_null()).map(|c| c.0).or(self.tenant_id.map(|t| t.0)).unwrap_or(NULL_UUID)
    }

    /// This user as if it were calling: what the explainers evaluate for "what can this user do".
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            session_id: Uuid::nil(),
            authority: self.authority,
            tenant_id: self.tenant_id,
            customer_id: self.customer_id,
            email: self.email.clone(),
            impersonated_by: None,
        }
    }

    /// The authorization target this user is.
    pub fn target(&self) -> Target {
        Target::User { id: self.id, tenant: self.tenant_id, authority: self.authority }
    }
}

/// Loads a user by id.
pub async fn find(db: &Db, id: UserId) -> ServiceResult<Option<UserRecord>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM tb_user u JOIN user_credentials c ON c.user_id = u.id WHERE u.id = $1");
    let row = sqlx::query(&sql).bind(id.0.to_string()).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// Loads a user by login email (case-insensitive).
pub async fn find_by_email(db: &Db, email: &str) -> ServiceResult<Option<UserRecord>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM tb_user u JOIN user_credentials c ON c.user_id = u.id WHERE u.email_lower = $1"
    );
    let row = sqlx::query(&sql).bind(email.trim().to_lowercase()).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// Whether any system administrator exists yet.
pub async fn sysadmin_exists(db: &Db) -> ServiceResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tb_user WHERE authority = 'SYS_ADMIN'").fetch_one(&db.pool).await?;
    Ok(n > 0)
}
