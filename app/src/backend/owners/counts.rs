//! Exact totals without counting: `subtree_count` holds, per owner and kind, how many things its whole subtree
//! owns. Database triggers keep it in step with every insert, delete and owner change of a thing (whatever code
//! path or bulk load made it), and `owners` shifts a moved subtree's totals between its old and new ancestors in
//! the same transaction. A tenant administrator's or customer administrator's unfiltered page then reads one row
//! for its total instead of counting a million.

use crate::backend::kernel::db::Backend;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::things::kind::Kind;
use sqlx::{Any, AnyPool, Transaction};
use uuid::Uuid;

/// The kind's name in `subtree_count.kind`.
fn kind_key(kind: Kind) -> &'static str {
    kind.entity_type().as_str()
}

/// +1 for every ancestor of `{row}.owner_id` (the owner itself included).
fn add_sql(kind: Kind, row: &str) -> String {
    format!(
        "INSERT INTO subtree_count (tenant_id, owner_id, kind, n) \
         SELECT {row}.tenant_id, c.ancestor, '{k}', 1 FROM owner_closure c WHERE c.descendant = {row}.owner_id \
         ORDER BY c.ancestor \
         ON CONFLICT (owner_id, kind) DO UPDATE SET n = subtree_count.n + 1",
        k = kind_key(kind)
    )
}

/// -1 for every ancestor of `{row}.owner_id`.
fn remove_sql(kind: Kind, row: &str) -> String {
    format!(
        "UPDATE subtree_count SET n = n - 1 WHERE kind = '{k}' AND owner_id IN \
         (SELECT c.ancestor FROM owner_closure c WHERE c.descendant = {row}.owner_id)",
        k = kind_key(kind)
    )
}

/// Adds `sign` × (rows of `src` per ancestor of their owner): PostgreSQL's statement-level form, one upsert per
/// touched ancestor however many rows the statement wrote (a row-level trigger would stack one row version per
/// thing on the tenant's counter inside a large transaction, such as a customer's deletion handing over 10k).
fn delta_sql(kind: Kind, src: &str, sign: i64) -> String {
    format!(
        "INSERT INTO subtree_count (tenant_id, owner_id, kind, n) \
         SELECT c.tenant_id, c.ancestor, '{k}', {sign} * COUNT(*) FROM {src} t \
         JOIN owner_closure c ON c.descendant = t.owner_id GROUP BY c.tenant_id, c.ancestor ORDER BY c.ancestor \
         ON CONFLICT (owner_id, kind) DO UPDATE SET n = subtree_count.n + excluded.n",
        k = kind_key(kind)
    )
}

/// The trigger definitions for one engine, recreated at every start so a changed definition takes effect.
fn ddl(backend: Backend) -> Vec<String> {
    let mut out = Vec::new();
    for kind in Kind::EVERY {
        let t = kind.table();
        match backend {
            Backend::Sqlite => {
                for suffix in ["insert", "delete", "owner"] {
                    out.push(format!("DROP TRIGGER IF EXISTS {t}_count_{suffix}"));
                }
                out.push(format!(
                    "CREATE TRIGGER {t}_count_insert AFTER INSERT ON {t} BEGIN {}; END",
                    add_sql(kind, "NEW")
                ));
                out.push(format!(
                    "CREATE TRIGGER {t}_count_delete AFTER DELETE ON {t} BEGIN {}; END",
                    remove_sql(kind, "OLD")
                ));
                out.push(format!(
                    "CREATE TRIGGER {t}_count_owner AFTER UPDATE OF owner_id ON {t} \
                     WHEN OLD.owner_id <> NEW.owner_id BEGIN {}; {}; END",
                    remove_sql(kind, "OLD"),
                    add_sql(kind, "NEW")
                ));
            }
            Backend::Postgres => {
                let moved_from =
                    "(SELECT o.* FROM old_rows o JOIN new_rows w ON w.id = o.id WHERE o.owner_id <> w.owner_id)";
                let moved_to =
                    "(SELECT w.* FROM old_rows o JOIN new_rows w ON w.id = o.id WHERE o.owner_id <> w.owner_id)";
                let bodies = [
                    ("insert", "INSERT", "REFERENCING NEW TABLE AS new_rows", delta_sql(kind, "new_rows", 1)),
                    ("delete", "DELETE", "REFERENCING OLD TABLE AS old_rows", delta_sql(kind, "old_rows", -1)),
                    (
                        "update",
                        "UPDATE",
                        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                        format!("{}; {}", delta_sql(kind, moved_from, -1), delta_sql(kind, moved_to, 1)),
                    ),
                ];
                for (suffix, event, refs, body) in bodies {
                    out.push(format!(
                        "CREATE OR REPLACE FUNCTION {t}_count_{suffix}() RETURNS trigger LANGUAGE plpgsql AS $fn$ \
                         BEGIN {body}; RETURN NULL; END $fn$"
                    ));
                    out.push(format!("DROP TRIGGER IF EXISTS {t}_count_{suffix} ON {t}"));
                    out.push(format!(
                        "CREATE TRIGGER {t}_count_{suffix} AFTER {event} ON {t} {refs} \
                         FOR EACH STATEMENT EXECUTE FUNCTION {t}_count_{suffix}()"
                    ));
                }
            }
        }
    }
    out
}

/// Installs the triggers (at start, after the migrations; serialised between nodes on PostgreSQL).
pub async fn install(pool: &AnyPool, backend: Backend) -> Result<(), sqlx::Error> {
    crate::backend::kernel::db::run_ddl(pool, backend, 7349001, ddl(backend)).await
}

/// How many `kind` things `owner`'s subtree holds.
pub async fn subtree_total(pool: &AnyPool, owner: Uuid, kind: Kind) -> ServiceResult<i64> {
    let n: Option<i64> = sqlx::query_scalar("SELECT n FROM subtree_count WHERE owner_id = $1 AND kind = $2")
        .bind(owner.to_string())
        .bind(kind_key(kind))
        .fetch_optional(pool)
        .await?;
    Ok(n.unwrap_or(0))
}

/// Takes `node`'s subtree totals off (`sign` -1) or puts them onto (+1) every strict ancestor `node` has in the
/// closure right now; `owners::move_subtree` calls it around rewriting the closure.
pub async fn shift_to_ancestors(tx: &mut Transaction<'_, Any>, node: Uuid, sign: i64) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO subtree_count (tenant_id, owner_id, kind, n) \
         SELECT s.tenant_id, c.ancestor, s.kind, $2 * s.n FROM owner_closure c JOIN subtree_count s ON s.owner_id = c.descendant \
         WHERE c.descendant = $1 AND c.ancestor <> $1 ORDER BY c.ancestor, s.kind \
         ON CONFLICT (owner_id, kind) DO UPDATE SET n = subtree_count.n + excluded.n",
    )
    .bind(node.to_string())
    .bind(sign)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets a removed owner's rows (its things have gone to its parent by then).
pub async fn forget(tx: &mut Transaction<'_, Any>, owner: Uuid) -> ServiceResult<()> {
    sqlx::query("DELETE FROM subtree_count WHERE owner_id = $1").bind(owner.to_string()).execute(&mut **tx).await?;
    Ok(())
}
