//! The store: SQLite (embedded default) or PostgreSQL (shared by several nodes) behind sqlx `Any` pools (one for
//! reads, one for writes), so every service runs the same SQL on both. The schema keeps to types both understand
//! (TEXT ids, BIGINT times and flags) and every statement uses `$n` placeholders, which both drivers accept.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

/// Which engine sits behind the pool; only DDL and pool tuning differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The shared pools plus their backend.
#[derive(Clone, Debug)]
pub struct Db {
    /// Reads.
    pub pool: AnyPool,
    /// Writes, apart from the reads so that a write transaction reading on the side (its checks do) never waits
    /// for a connection that another such transaction holds: with one pool, sixteen open transactions each
    /// waiting for a seventeenth connection stop everything until the pool times out. On SQLite one connection:
    /// SQLite has one writer at a time, and writers waiting for this connection queue in order inside the process
    /// instead of racing for the file lock (which ends in "database is locked" once the busy timeout runs out
    /// under fifty parallel creates).
    writer: AnyPool,
    pub backend: Backend,
}

/// One migration set for both engines: the schema keeps to what both understand. Engine-specific parts (the
/// counter triggers of `owners::counts`, the trigram indexes of `things::search`, the member-epoch triggers of
/// `authz::members`) are (re)installed by `bootstrap` after these at every start, keyed on `Backend`.
static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("THINGDECK_DATABASE_URL: cannot create directory {0}: {1}")]
    CreateDir(String, std::io::Error),
    #[error("THINGDECK_DATABASE_URL: cannot connect: {0}")]
    Connect(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens (creating a SQLite file if needed) and migrates; what is installed from Rust is `bootstrap`'s.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let pool = options(backend, if backend == Backend::Sqlite { 8 } else { 16 })
            .connect(&url)
            .await
            .map_err(DbError::Connect)?;
        let writer_size = if backend == Backend::Sqlite { 1 } else { 8 };
        let writer = options(backend, writer_size).connect(&url).await.map_err(DbError::Connect)?;
        MIGRATIONS.run(&writer).await.map_err(DbError::Migrate)?;
        Ok(Db { pool, writer, backend })
    }

    /// The pool for statements that write outside a transaction.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A transaction that will write: see [`begin_write`].
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        begin_write(&self.writer, self.backend).await
    }

    /// Closes every connection; SQLite checkpoints its WAL on the last close.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Pool settings per engine: `size` connections, waits queued for up to 30 s (a burst of writers on SQLite
/// waits its turn rather than failing), and each connection's session settings.
fn options(backend: Backend, size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the single writer; the busy timeout makes writers queue
                    // instead of failing; foreign keys give tenant deletion its cascade.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                } else {
                    // A list statement's best plan depends on its values (a tenant's million rows or a
                    // customer's ten, a rare search text or a common one); a generic plan PostgreSQL settles on
                    // after five runs would be right for one and ruinous for the other. Planning costs ~0.1 ms.
                    conn.execute("SET plan_cache_mode = force_custom_plan").await?;
                }
                Ok(())
            })
        })
}

/// Begins a transaction that will write. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a deferred
/// transaction that reads and then writes fails at once with "database is locked" when another connection writes
/// in between, because SQLite cannot wait for that upgrade (the busy timeout applies only to a lock taken first).
/// Readers are not held up (WAL). PostgreSQL's row locks need nothing of the kind.
pub async fn begin_write(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

/// Runs engine-specific DDL (triggers and the like) in one transaction, serialised between nodes starting at once
/// on PostgreSQL by the advisory lock `lock`.
pub async fn run_ddl(pool: &AnyPool, backend: Backend, lock: i64, ddl: Vec<String>) -> Result<(), sqlx::Error> {
    let mut tx = begin_write(pool, backend).await?;
    if backend == Backend::Postgres {
        tx.execute(format!("SELECT pg_advisory_xact_lock({lock})").as_str()).await?;
    }
    for stmt in ddl {
        tx.execute(stmt.as_str()).await?;
    }
    tx.commit().await
}

/// Normalises `sqlite:path` / `sqlite://path` and creates the parent directory.
fn sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| DbError::CreateDir(parent.display().to_string(), e))?;
    }
    let mut q = query.to_string();
    if !q.contains("mode=") {
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{q}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_normalised() {
        let dir = std::env::temp_dir().join(format!("td-dbtest-{}", uuid::Uuid::new_v4()));
        let u = format!("sqlite:{}/x.db", dir.display());
        assert_eq!(sqlite_url(&u).unwrap(), format!("sqlite://{}/x.db?mode=rwc", dir.display()));
        assert!(dir.exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The failure CI met: a transaction reads, another connection commits a write, the transaction's own write
    /// then failed with "database is locked". A write transaction must instead hold the other writer back.
    #[tokio::test]
    async fn a_write_transaction_that_reads_first_is_not_overtaken() {
        let dir = std::env::temp_dir().join(format!("td-dbtest-{}", uuid::Uuid::new_v4()));
        let db = Db::open(&format!("sqlite:{}/x.db", dir.display())).await.unwrap();
        sqlx::query("CREATE TABLE t (n BIGINT)").execute(&db.pool).await.unwrap();
        let mut tx = db.begin_write().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(&mut *tx).await.unwrap();
        let other = {
            let pool = db.pool.clone();
            tokio::spawn(async move { sqlx::query("INSERT INTO t VALUES (2)").execute(&pool).await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        sqlx::query("INSERT INTO t VALUES ($1)").bind(n).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        other.await.unwrap().unwrap();
        let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM t ORDER BY n").fetch_all(&db.pool).await.unwrap();
        assert_eq!(rows, [0, 2], "the other writer waited for the transaction");
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
