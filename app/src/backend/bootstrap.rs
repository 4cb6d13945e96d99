//! What a start needs before serving: the JWT signing key (generated once, shared by every node through the
//! database) and a system administrator (from the environment, or a one-time set-up link).

use crate::backend::identity::hasher::PasswordHasherPool;
use crate::backend::identity::ip_limiter::IpLimiter;
use crate::backend::identity::jwt::JwtKeys;
use crate::backend::identity::session_cache::SessionCache;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::config::Config;
use crate::backend::kernel::db::Db;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::tokens::hash_secret;
use crate::backend::kernel::tokens::new_secret;
use crate::backend::services::Services;
use base64::Engine;
use rand::RngCore;

const SETUP: &str = "setup";
const SETUP_TTL_MS: i64 = 24 * 3_600_000;

async fn setting(db: &Db, key: &str) -> ServiceResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&db.pool).await?)
}

async fn put_setting(db: &Db, key: &str, value: &str) -> ServiceResult<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
        .bind(key)
        .bind(value)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The configured key, or the one stored in the database (first node to start creates it).
async fn jwt_secret(db: &Db, config: &Config) -> ServiceResult<Vec<u8>> {
    if let Some(s) = &config.jwt_secret {
        return Ok(s.as_bytes().to_vec());
    }
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let fresh = base64::engine::general_purpose::STANDARD.encode(bytes);
    sqlx::query("INSERT INTO settings (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING")
        .bind(fresh)
        .execute(db.writer())
        .await?;
    let stored = setting(db, "jwt_secret").await?.ok_or_else(|| ServiceError::Internal("jwt secret missing".into()))?;
    base64::engine::general_purpose::STANDARD
        .decode(stored)
        .map_err(|e| ServiceError::Internal(format!("jwt secret: {e}")))
}

/// What each engine needs besides the migrations, installed at every start (idempotent; serialised between
/// nodes on PostgreSQL): the subtree counters' triggers, the trigram search indexes and the member-epoch triggers.
pub async fn install(db: &Db) -> ServiceResult<()> {
    crate::backend::owners::counts::install(db.writer(), db.backend).await?;
    crate::backend::things::search::install(db.writer(), db.backend).await?;
    crate::backend::authz::members::install(db.writer(), db.backend).await?;
    Ok(())
}

/// Builds the services over an opened store (installing what the engine needs first).
pub async fn services(db: Db, config: Config, login_ip_per_minute: u32) -> ServiceResult<Services> {
    install(&db).await?;
    let secret = jwt_secret(&db, &config).await?;
    Ok(Services {
        jwt: JwtKeys::new(&secret),
        hasher: PasswordHasherPool::new(config.max_parallel_hashes)?,
        sessions: SessionCache::default(),
        permissions: Default::default(),
        owner_trees: Default::default(),
        group_members: Default::default(),
        name_samples: Default::default(),
        ip_limiter: IpLimiter::new(login_ip_per_minute),
        mailer: std::sync::Arc::new(crate::backend::mail::mailer::Mailer::new(&config)?),
        link_key: crate::backend::kernel::tokens::link_key(&secret),
        db,
        config,
    })
}

/// What the operator must be told after start.
#[derive(Debug, PartialEq, Eq)]
pub enum SysadminState {
    Present,
    CreatedFromEnvironment,
    /// No administrator yet: open this link once to create one.
    SetupLink(String),
}

/// Makes sure a system administrator exists or can be created.
pub async fn ensure_sysadmin(svc: &Services) -> ServiceResult<SysadminState> {
    if crate::backend::accounts::records::sysadmin_exists(&svc.db).await? {
        return Ok(SysadminState::Present);
    }
    if let (Some(email), Some(password)) = (&svc.config.sysadmin_email, &svc.config.sysadmin_password) {
        crate::backend::accounts::creation::create_sysadmin(svc, email, password).await?;
        return Ok(SysadminState::CreatedFromEnvironment);
    }
    let secret = new_secret();
    put_setting(&svc.db, "setup_token_hash", &hash_secret(SETUP, &secret)).await?;
    put_setting(&svc.db, "setup_token_expires", &(now_ms() + SETUP_TTL_MS).to_string()).await?;
    Ok(SysadminState::SetupLink(format!("{}/setup?token={secret}", svc.config.public_url)))
}

/// Whether a set-up secret is the current, unexpired one (and no administrator exists yet).
pub async fn setup_token_valid(svc: &Services, secret: &str) -> ServiceResult<bool> {
    if crate::backend::accounts::records::sysadmin_exists(&svc.db).await? {
        return Ok(false);
    }
    let hash = setting(&svc.db, "setup_token_hash").await?;
    let exp = setting(&svc.db, "setup_token_expires").await?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    Ok(hash.as_deref() == Some(hash_secret(SETUP, secret).as_str()) && exp > now_ms())
}

/// Spends the set-up secret to create the system administrator.
pub async fn complete_setup(svc: &Services, secret: &str, email: &str, password: &str) -> ServiceResult<()> {
    if !setup_token_valid(svc, secret).await? {
        return Err(ServiceError::InvalidArguments("This set-up link is no longer valid".into()));
    }
    if !crate::backend::kernel::validate::is_email(email) {
        return Err(ServiceError::InvalidArguments(format!("Invalid email address format '{email}'")));
    }
    crate::backend::identity::passwords::check(svc, password).await?;
    let deleted = sqlx::query("DELETE FROM settings WHERE key = 'setup_token_hash' AND value = $1")
        .bind(hash_secret(SETUP, secret))
        .execute(svc.db.writer())
        .await?;
    if deleted.rows_affected() != 1 {
        return Err(ServiceError::InvalidArguments("This set-up link is no longer valid".into()));
    }
    crate::backend::accounts::creation::create_sysadmin(svc, email, password).await?;
    Ok(())
}
