//! The transaction list as JSON built by the database: one row holding the whole array, instead
//! of one decoded row per transaction. The list is the busiest read of the app; building the
//! objects in SQL removes the per-row driver, decoding and re-encoding work (see
//! docs/performance.md). The objects are the same as [`super::TransactionView`]'s — a test
//! compares them field by field on both backends.

use crate::db::Db;
use crate::error::Result;
use crate::id::Id;

use super::ListFilter;

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of an epoch-milliseconds column, with integer arithmetic only.
fn sqlite_instant(col: &str) -> String {
    format!(
        "strftime('%Y-%m-%dT%H:%M:%S', {col} / 1000, 'unixepoch') || '.' || printf('%03d', {col} % 1000) || 'Z'"
    )
}

fn pg_instant(col: &str) -> String {
    format!(
        "to_char(to_timestamp({col} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(({col} % 1000)::text, 3, '0') || 'Z'"
    )
}

const WHERE: &str = "WHERE user_id = $1 AND deleted_at IS NULL AND ($2 IS NULL OR local_date >= $2) \
    AND ($3 IS NULL OR local_date <= $3) AND ($4 IS NULL OR category = $4) \
    ORDER BY spent_at DESC, id DESC LIMIT $5 OFFSET $6";

fn sqlite_sql() -> String {
    format!(
        "SELECT COALESCE(json_group_array(json_object(\
         'id', id, 'user_id', user_id, 'goal_id', goal_id, 'category', category, \
         'amount', json(printf('%d.%02d', amount_cents / 100, amount_cents % 100)), 'currency', currency, \
         'description', description, 'merchant', merchant, 'location', location, 'tags', json(tags), \
         'is_recurring', CASE WHEN is_recurring THEN json('true') ELSE json('false') END, 'confidence_score', confidence_score, \
         'receipt_url', receipt_url, 'notes', notes, 'spent_at', {}, 'created_at', {}, 'updated_at', {}) \
         ORDER BY spent_at DESC, id DESC), '[]') FROM (SELECT * FROM transactions {WHERE})",
        sqlite_instant("spent_at"),
        sqlite_instant("created_at"),
        sqlite_instant("updated_at")
    )
}

fn pg_sql() -> String {
    format!(
        "SELECT CAST(COALESCE(json_agg(json_build_object(\
         'id', id, 'user_id', user_id, 'goal_id', goal_id, 'category', category, \
         'amount', CAST((amount_cents / 100)::text || '.' || lpad((amount_cents % 100)::text, 2, '0') AS NUMERIC), \
         'currency', currency, 'description', description, 'merchant', merchant, 'location', location, 'tags', tags, \
         'is_recurring', is_recurring, 'confidence_score', confidence_score, 'receipt_url', receipt_url, 'notes', notes, \
         'spent_at', {}, 'created_at', {}, 'updated_at', {}) ORDER BY spent_at DESC, id DESC), '[]'::json) AS TEXT) \
         FROM (SELECT * FROM transactions {WHERE}) t",
        pg_instant("spent_at"),
        pg_instant("created_at"),
        pg_instant("updated_at")
    )
}

/// The same list as [`super::list`], as the JSON text of an array. 1 query.
pub async fn list_json(db: &Db, user: Id, f: &ListFilter) -> Result<String> {
    let category = f.category.map(|c| c.as_str());
    let (limit, skip) = (f.limit.clamp(1, 1000), f.skip.max(0));
    let json: String = match db {
        Db::Sqlite(s) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sqlite_sql()))
                .bind(user)
                .bind(f.start)
                .bind(f.end)
                .bind(category)
                .bind(limit)
                .bind(skip)
                .fetch_one(&s.read)
                .await?
        }
        Db::Postgres(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(pg_sql()))
                .bind(user)
                .bind(f.start)
                .bind(f.end)
                .bind(category)
                .bind(limit)
                .bind(skip)
                .fetch_one(p)
                .await?
        }
    };
    Ok(json)
}
