//! Substring search over the names of things ("textSearch") with a trigram index, so a search in a million
//! devices reads the matches instead of every name. PostgreSQL: a `pg_trgm` GIN index serves the `LIKE '%…%'`
//! directly. SQLite: an FTS5 table per kind with the trigram tokenizer, kept by triggers; its own (stable) rowid
//! is remembered in the thing's `search_rowid` so deletes and renames find their entry (a thing's own rowid may
//! change on VACUUM). Searches shorter than three characters cannot use trigrams and scan, as before.
//!
//! A GIN probe reads the posting list of every trigram in the pattern, and names share most of theirs ("device",
//! "sensor"): `%device 00012%` reads a million entries per common trigram to find a hundred rows. So both engines
//! probe the index with the stretch of the text whose trigrams are rare in a sample of names (PostgreSQL's column
//! statistics; SQLite's index rows at evenly spaced rowids), and check the whole pattern on the rows it finds.

use crate::backend::kernel::db::Backend;
use crate::backend::kernel::db::Db;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::things::kind::Kind;
use sqlx::{AnyPool, Executor};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Trigrams need this many characters.
const MIN_INDEXED_CHARS: usize = 3;

fn fts_table(kind: Kind) -> String {
    format!("{}_fts", kind.table())
}

/// Creates the indexes and triggers that are missing (at start, after the migrations).
pub async fn install(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Postgres => install_postgres(pool).await,
        Backend::Sqlite => install_sqlite(pool).await,
    }
}

async fn install_postgres(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7349002)").await?;
    if let Err(e) = tx.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm").await {
        // Without the extension searches still work, by scanning; say so once at start.
        tracing::warn!(error = %e, "pg_trgm unavailable: text search will scan");
        return Ok(());
    }
    for kind in Kind::EVERY {
        let t = kind.table();
        tx.execute(
            format!("CREATE INDEX IF NOT EXISTS {t}_name_trgm ON {t} USING gin (name_lower gin_trgm_ops)").as_str(),
        )
        .await?;
    }
    tx.commit().await
}

async fn install_sqlite(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let mut tx = crate::backend::kernel::db::begin_write(pool, Backend::Sqlite).await?;
    for kind in Kind::EVERY {
        let t = kind.table();
        let f = fts_table(kind);
        let has_column: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM pragma_table_info('{t}') WHERE name = 'search_rowid'"))
                .fetch_one(&mut *tx)
                .await?;
        if has_column == 0 {
            tx.execute(format!("ALTER TABLE {t} ADD COLUMN search_rowid INTEGER").as_str()).await?;
            tx.execute(
                format!("CREATE VIRTUAL TABLE {f} USING fts5(name_lower, id UNINDEXED, tokenize = 'trigram')").as_str(),
            )
            .await?;
            // Existing rows: their current rowid is unique, so it can seed the index's.
            tx.execute(
                format!("INSERT INTO {f} (rowid, name_lower, id) SELECT rowid, name_lower, id FROM {t}").as_str(),
            )
            .await?;
            tx.execute(format!("UPDATE {t} SET search_rowid = rowid").as_str()).await?;
        }
        for suffix in ["insert", "delete", "rename"] {
            tx.execute(format!("DROP TRIGGER IF EXISTS {t}_search_{suffix}").as_str()).await?;
        }
        tx.execute(
            format!(
                "CREATE TRIGGER {t}_search_insert AFTER INSERT ON {t} BEGIN \
                 INSERT INTO {f} (name_lower, id) VALUES (NEW.name_lower, NEW.id); \
                 UPDATE {t} SET search_rowid = last_insert_rowid() WHERE id = NEW.id; END"
            )
            .as_str(),
        )
        .await?;
        tx.execute(
            format!("CREATE TRIGGER {t}_search_delete AFTER DELETE ON {t} BEGIN DELETE FROM {f} WHERE rowid = OLD.search_rowid; END")
                .as_str(),
        )
        .await?;
        tx.execute(
            format!(
                "CREATE TRIGGER {t}_search_rename AFTER UPDATE OF name_lower ON {t} \
                 WHEN OLD.name_lower <> NEW.name_lower BEGIN \
                 UPDATE {f} SET name_lower = NEW.name_lower WHERE rowid = NEW.search_rowid; END"
            )
            .as_str(),
        )
        .await?;
    }
    tx.commit().await
}

/// Up to this many matching ids are looked up once and bound as a list, so a page's count and its rows do not
/// each search the index again.
const PREFETCH_MAX: usize = 2000;

/// The list predicate for a lower-cased search text over `{alias}.name_lower`: SQL fragments with `$?` where each
/// bind goes, and their values in order — the index probe where one applies, plus the exact `LIKE` every engine
/// checks.
pub async fn name_predicate(
    db: &Db,
    samples: &NameSamples,
    kind: Kind,
    alias: &str,
    text: &str,
    like: String,
) -> ServiceResult<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    if db.backend == Backend::Postgres && text.chars().count() >= MIN_INDEXED_CHARS {
        let samples = samples.get(db, kind).await?;
        let chosen = if samples.is_empty() { None } else { probe(text, Cut::WithinWords, &mut sample_freq(&samples)) };
        if let Some(probe) = chosen {
            // `|| ''` keeps the whole pattern out of the index condition, so only the probe's trigrams are read.
            out.push((format!(" AND {alias}.name_lower LIKE $?"), vec![format!("%{probe}%")]));
            out.push((format!(" AND ({alias}.name_lower || '') LIKE $? ESCAPE '\\'"), vec![like]));
            return Ok(out);
        }
    }
    if db.backend == Backend::Sqlite && text.chars().count() >= MIN_INDEXED_CHARS {
        let f = fts_table(kind);
        let samples = samples.get(db, kind).await?;
        let stretch = if samples.is_empty() { None } else { probe(text, Cut::Anywhere, &mut sample_freq(&samples)) };
        let stretch = stretch.as_deref().unwrap_or(text);
        let phrase = format!("\"{}\"", stretch.replace('"', "\"\""));
        let ids: Vec<String> = sqlx::query_scalar(&format!("SELECT id FROM {f} WHERE {f} MATCH $1 LIMIT $2"))
            .bind(&phrase)
            .bind(PREFETCH_MAX as i64 + 1)
            .fetch_all(&db.pool)
            .await?;
        out.push(match ids.len() {
            0 => (" AND 1 = 0".to_string(), Vec::new()),
            n if n <= PREFETCH_MAX => (format!(" AND {alias}.id IN ({})", vec!["$?"; n].join(", ")), ids),
            _ => (format!(" AND {alias}.id IN (SELECT id FROM {f} WHERE {f} MATCH $?)"), vec![phrase]),
        });
    }
    out.push((format!(" AND {alias}.name_lower LIKE $? ESCAPE '\\'"), vec![like]));
    Ok(out)
}

/// Names sampled from the planner's statistics (PostgreSQL) or the search index (SQLite), per table, refreshed every few minutes (autovacuum's ANALYZE
/// renews them); only a heuristic reads them, so a stale or missing sample costs speed, never results.
#[derive(Debug, Default)]
pub struct NameSamples {
    by_table: Mutex<HashMap<&'static str, (Instant, Sample)>>,
}

/// One table's sampled names.
type Sample = std::sync::Arc<Vec<String>>;

/// Rows sampled on SQLite (PostgreSQL's statistics hold about a hundred).
const SQLITE_SAMPLE: i64 = 200;

/// How long a sample is reused.
const SAMPLE_TTL: Duration = Duration::from_secs(300);

impl NameSamples {
    async fn get(&self, db: &Db, kind: Kind) -> ServiceResult<Sample> {
        let table = kind.table();
        if let Ok(map) = self.by_table.lock()
            && let Some((at, names)) = map.get(table)
            && at.elapsed() < SAMPLE_TTL
        {
            return Ok(names.clone());
        }
        let names: Vec<String> = match db.backend {
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT unnest(histogram_bounds::text::text[]) FROM pg_stats \
                     WHERE schemaname = current_schema() AND tablename = $1 AND attname = 'name_lower' \
                     UNION ALL SELECT unnest(most_common_vals::text::text[]) FROM pg_stats \
                     WHERE schemaname = current_schema() AND tablename = $1 AND attname = 'name_lower'",
                )
                .bind(table)
                .fetch_all(&db.pool)
                .await?
            }
            Backend::Sqlite => {
                // SQLite keeps no such statistics: read the index's own copy of evenly spaced rows (by rowid).
                let f = fts_table(kind);
                let last: i64 =
                    sqlx::query_scalar(&format!("SELECT COALESCE(MAX(rowid), 0) FROM {f}")).fetch_one(&db.pool).await?;
                let mut rowids: Vec<i64> = (1..=SQLITE_SAMPLE).map(|i| last * i / SQLITE_SAMPLE).collect();
                rowids.dedup();
                let list: Vec<String> = rowids.iter().map(i64::to_string).collect();
                let sql = format!("SELECT name_lower FROM {f} WHERE rowid IN ({})", list.join(", "));
                sqlx::query_scalar(&sql).fetch_all(&db.pool).await?
            }
        };
        let names = std::sync::Arc::new(names);
        // No statistics yet (a new or small table): ask again next time rather than wait for the sample to expire.
        if !names.is_empty()
            && let Ok(mut map) = self.by_table.lock()
        {
            map.insert(table, (Instant::now(), names.clone()));
        }
        Ok(names)
    }
}

/// Longest stretch considered for a probe: beyond it each extra trigram costs more than it narrows.
const PROBE_MAX_CHARS: usize = 12;

/// What one matched row costs to fetch and re-check, in posting-list entries (measured on PostgreSQL: ~0.6 µs
/// against ~7 ns; SQLite's ratio is of the same order).
const ROW_COST: f64 = 85.0;

/// How the probe may cut the text: `pg_trgm` splits names into words at non-alphanumerics (a probe must stay
/// inside one), FTS5's trigram tokenizer indexes every three characters (any substring will do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    WithinWords,
    Anywhere,
}

/// The part of `text` to probe the trigram index with, when it is cheaper than the whole text: the stretch
/// (≥ 3 characters) minimising the estimated posting entries read plus rows re-checked, given each trigram's share
/// of the rows (`freq`) and assuming trigrams independent. `None` means "probe with the whole text".
pub fn probe(text: &str, cut: Cut, freq: &mut dyn FnMut(&str) -> f64) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut best: Option<(f64, usize, usize)> = None;
    let mut start = 0;
    while start < chars.len() {
        let run = match cut {
            Cut::WithinWords => chars[start..].iter().take_while(|c| c.is_alphanumeric()).count(),
            Cut::Anywhere => chars.len(),
        };
        for i in start..start + run {
            for j in i + MIN_INDEXED_CHARS..=(start + run).min(i + PROBE_MAX_CHARS) {
                let (mut read, mut selectivity) = (0.0, 1.0);
                for k in i..=j - MIN_INDEXED_CHARS {
                    let fk = freq(&chars[k..k + MIN_INDEXED_CHARS].iter().collect::<String>());
                    read += fk;
                    selectivity *= fk;
                }
                let cost = read + ROW_COST * selectivity;
                if best.is_none_or(|(c, _, _)| cost < c) {
                    best = Some((cost, i, j));
                }
            }
        }
        start += run.max(1);
    }
    let (_, i, j) = best?;
    let chosen: String = chars[i..j].iter().collect();
    (chosen != text).then_some(chosen)
}

/// A trigram's share of sampled names (PostgreSQL), with half a hit for unseen ones.
fn sample_freq(samples: &[String]) -> impl FnMut(&str) -> f64 + '_ {
    let n = samples.len() as f64;
    move |tri: &str| (samples.iter().filter(|s| s.contains(tri)).count() as f64 + 0.5) / (n + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_skips_trigrams_every_name_shares() {
        let samples: Vec<String> = (0..100).map(|i| format!("device {:07}", i * 10_007)).collect();
        let words = |t: &str| probe(t, Cut::WithinWords, &mut sample_freq(&samples));
        assert_eq!(words("device 00012").as_deref(), Some("00012"));
        // A text that is one rare word: the whole text.
        assert_eq!(words("zqxj"), None);
        // Nothing indexable: the whole text, which then scans.
        assert_eq!(words("a-b"), None);
        // Every stretch is common: the cheapest of them still beats the whole text.
        assert!(words("device").is_none_or(|p| p.len() >= 3 && "device".contains(p.as_str())));
        // FTS5 indexes across spaces; a trigram no row has is the best probe of all (it finds nothing).
        let mut exact = |t: &str| match t {
            "dev" | "evi" | "vic" | "ice" | "ce " | "e 0" | " 00" => 1.0,
            "000" | "001" | "012" => 0.013,
            _ => 0.0,
        };
        assert_eq!(probe("device 00012", Cut::Anywhere, &mut exact).as_deref(), Some("00012"));
        assert_eq!(probe("device 9", Cut::Anywhere, &mut exact).as_deref(), Some("e 9"), "unknown trigram");
    }

    #[tokio::test]
    async fn short_searches_use_like_only_and_matches_are_bound() {
        let dir = std::env::temp_dir().join(format!("td-search-{}", uuid::Uuid::new_v4()));
        let db = Db::open(&format!("sqlite:{}/s.db", dir.display())).await.unwrap();
        install(db.writer(), db.backend).await.unwrap();
        let samples = NameSamples::default();
        sqlx::query("INSERT INTO asset_fts (name_lower, id) VALUES ('a\"bc', 'x1'), ('zzz', 'x2')")
            .execute(&db.pool)
            .await
            .unwrap();
        let like = "%ab%".to_string();
        assert_eq!(name_predicate(&db, &samples, Kind::Asset, "t", "ab", like.clone()).await.unwrap().len(), 1);
        let p = name_predicate(&db, &samples, Kind::Asset, "t", "a\"bc", like.clone()).await.unwrap();
        assert_eq!(p[0], (" AND t.id IN ($?)".to_string(), vec!["x1".to_string()]));
        let none = name_predicate(&db, &samples, Kind::Asset, "t", "qqq", like).await.unwrap();
        assert_eq!(none[0].0, " AND 1 = 0");
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
