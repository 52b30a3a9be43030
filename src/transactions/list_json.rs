//! The transaction list as the JSON text of its array, the busiest read of the app.
//!
//! - On PostgreSQL the database builds the array (`json_agg`): one row comes back instead of one
//!   decoded row per transaction.
//! - On SQLite the rows are read by the typed list ([`super::list`], one statement on a reader
//!   thread) and serialized here; SQLite's own JSON functions cost more than that (about 3 µs
//!   per object, mostly `strftime` and `json_object`).
//!
//! The objects are [`super::TransactionView`]'s; a test compares them field by field with the
//! single read on both backends.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::id::Id;

use super::{LIST_WHERE, ListFilter, TransactionView};

fn pg_instant(col: &str) -> String {
    format!(
        "to_char(to_timestamp({col} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(({col} % 1000)::text, 3, '0') || 'Z'"
    )
}

fn pg_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT CAST(COALESCE(json_agg(json_build_object(\
             'id', id, 'user_id', user_id, 'goal_id', goal_id, 'category', category, \
             'amount', CAST((amount_cents / 100)::text || '.' || lpad((amount_cents % 100)::text, 2, '0') AS NUMERIC), \
             'currency', currency, 'description', description, 'merchant', merchant, 'location', location, 'tags', tags, \
             'is_recurring', is_recurring, 'confidence_score', confidence_score, 'receipt_url', receipt_url, 'notes', notes, \
             'spent_at', {}, 'created_at', {}, 'updated_at', {}) ORDER BY spent_at DESC, id DESC), '[]'::json) AS TEXT) \
             FROM (SELECT * FROM transactions {LIST_WHERE}) t",
            pg_instant("spent_at"),
            pg_instant("created_at"),
            pg_instant("updated_at")
        )
    });
    &SQL
}

fn to_json(views: &[TransactionView]) -> Result<String> {
    serde_json::to_string(views).map_err(|e| Error::Internal(format!("list JSON: {e}")))
}

/// The same list as [`super::list`], as the JSON text of an array. 1 query.
pub async fn list_json(db: &Db, user: Id, f: &ListFilter) -> Result<String> {
    let category = f.category.map(|c| c.as_str());
    let (limit, skip) = (f.limit.clamp(1, 1000), f.skip.max(0));
    let _timer = crate::db_timer!();
    match db {
        // One statement on a reader thread (see `db::lite`), serialized here.
        Db::Sqlite(_) => to_json(&super::list(db, user, f).await?),
        Db::Postgres(p) => Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(pg_sql()))
            .bind(user)
            .bind(f.start)
            .bind(f.end)
            .bind(category)
            .bind(limit)
            .bind(skip)
            .fetch_one(p)
            .await?),
    }
}
