//! The SQL of the job queue. Every state change is one statement guarded by the state it expects
//! (`status`, `lease_owner`), so a worker that lost its lease can never overwrite the result of
//! the worker that took the job over.
//!
//! Claiming differs by dialect (written side by side): PostgreSQL locks the oldest pending row
//! with `FOR UPDATE SKIP LOCKED`, so concurrent claimers on many instances each get a different
//! row without waiting; SQLite has a single writer connection, so one `UPDATE ... RETURNING`
//! guarded by `status = 'pending'` is already exclusive.

use serde_json::Value;
use sqlx::types::Json;

use super::job::{JobFilter, JobRow, JobStatus, MAX_LIST_LIMIT, reason};
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::{on_db, on_write};

macro_rules! cols {
    () => {
        "id, user_id, status, engine, attempts, max_attempts, lease_owner, lease_expires_at, \
         heartbeat_at, image_path, image_content_type, image_bytes, result, error, error_reason, \
         replay_count, replay_reason, created_at, updated_at, started_at, completed_at, \
         image_purged_at"
    };
}

/// A new job, ready to insert.
pub struct NewJob<'a> {
    pub id: Id,
    pub user_id: Id,
    pub engine: &'a str,
    pub max_attempts: i32,
    pub image_path: &'a str,
    pub image_content_type: &'a str,
    pub image_bytes: i64,
    pub now_ms: i64,
}

pub async fn insert(db: &Db, job: &NewJob<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO ocr_jobs (id, user_id, status, engine, attempts, max_attempts, \
        image_path, image_content_type, image_bytes, replay_count, created_at, updated_at) \
        VALUES ($1, $2, 'pending', $3, 0, $4, $5, $6, $7, 0, $8, $8)";
    on_write!(db, pool => sqlx::query(SQL)
        .bind(job.id)
        .bind(job.user_id)
        .bind(job.engine)
        .bind(job.max_attempts)
        .bind(job.image_path)
        .bind(job.image_content_type)
        .bind(job.image_bytes)
        .bind(job.now_ms)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

pub async fn get(db: &Db, id: Id) -> Result<Option<JobRow>> {
    const SQL: &str = concat!("SELECT ", cols!(), " FROM ocr_jobs WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await)?)
}

/// Leases the oldest pending job to `owner` until `now + lease_ms`, counting an attempt.
pub async fn claim(db: &Db, owner: &str, now_ms: i64, lease_ms: i64) -> Result<Option<JobRow>> {
    const POSTGRES: &str = concat!(
        "UPDATE ocr_jobs SET status = 'processing', attempts = attempts + 1, lease_owner = $1, \
         lease_expires_at = $2, heartbeat_at = $3, started_at = $3, updated_at = $3 \
         WHERE id = (SELECT id FROM ocr_jobs WHERE status = 'pending' \
         ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) AND status = 'pending' \
         RETURNING ",
        cols!()
    );
    const SQLITE: &str = concat!(
        "UPDATE ocr_jobs SET status = 'processing', attempts = attempts + 1, lease_owner = $1, \
         lease_expires_at = $2, heartbeat_at = $3, started_at = $3, updated_at = $3 \
         WHERE id = (SELECT id FROM ocr_jobs WHERE status = 'pending' \
         ORDER BY created_at, id LIMIT 1) AND status = 'pending' \
         RETURNING ",
        cols!()
    );
    let expires = now_ms.saturating_add(lease_ms);
    let row = match db {
        Db::Postgres(pool) => {
            sqlx::query_as(POSTGRES)
                .bind(owner)
                .bind(expires)
                .bind(now_ms)
                .fetch_optional(pool)
                .await?
        }
        Db::Sqlite(s) => {
            crate::db::lite::query_as::<crate::db::lite::Lite, _>(SQLITE)
                .bind(owner)
                .bind(expires)
                .bind(now_ms)
                .fetch_optional(&s.group)
                .await?
        }
    };
    Ok(row)
}

/// Returns jobs whose lease expired to pending, or fails them (`lease_expired`) once they used
/// up their attempts. Returns how many were requeued, and the engines of those that failed.
pub async fn requeue_expired(db: &Db, now_ms: i64) -> Result<(u64, Vec<Option<String>>)> {
    const SQL: &str = "UPDATE ocr_jobs SET \
        status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END, \
        error = CASE WHEN attempts >= max_attempts THEN $2 ELSE error END, \
        error_reason = CASE WHEN attempts >= max_attempts THEN $3 ELSE error_reason END, \
        completed_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE completed_at END, \
        lease_owner = NULL, lease_expires_at = NULL, updated_at = $1 \
        WHERE status = 'processing' AND lease_expires_at < $1 \
        RETURNING status, engine";
    let rows: Vec<(String, Option<String>)> = on_write!(db, pool => sqlx::query_as(SQL)
        .bind(now_ms)
        .bind("the worker processing this job stopped responding too many times")
        .bind(reason::LEASE_EXPIRED)
        .fetch_all(pool)
        .await)?;
    let (failed, requeued): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(s, _)| s == "failed");
    Ok((
        requeued.len() as u64,
        failed.into_iter().map(|(_, engine)| engine).collect(),
    ))
}

/// Extends `owner`'s lease. False when the lease is no longer ours (taken over or finished).
pub async fn heartbeat(db: &Db, id: Id, owner: &str, now_ms: i64, lease_ms: i64) -> Result<bool> {
    const SQL: &str = "UPDATE ocr_jobs SET heartbeat_at = $1, lease_expires_at = $2, updated_at = $1 \
        WHERE id = $3 AND lease_owner = $4 AND status = 'processing'";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(now_ms)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Records a result. False when `owner` no longer holds the job (the result is discarded).
pub async fn complete(
    db: &Db,
    id: Id,
    owner: &str,
    engine: &str,
    result: &Value,
    now_ms: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE ocr_jobs SET status = 'completed', engine = $1, result = $2, \
        error = NULL, error_reason = NULL, completed_at = $3, updated_at = $3, \
        lease_owner = NULL, lease_expires_at = NULL \
        WHERE id = $4 AND lease_owner = $5 AND status = 'processing'";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(engine)
        .bind(Json(result))
        .bind(now_ms)
        .bind(id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Records a failure (the image stays for a replay). False when `owner` lost the job.
pub async fn fail(
    db: &Db,
    id: Id,
    owner: &str,
    engine: &str,
    error_reason: &str,
    error: &str,
    now_ms: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE ocr_jobs SET status = 'failed', engine = $1, error_reason = $2, \
        error = $3, completed_at = $4, updated_at = $4, lease_owner = NULL, lease_expires_at = NULL \
        WHERE id = $5 AND lease_owner = $6 AND status = 'processing'";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(engine)
        .bind(error_reason)
        .bind(error)
        .bind(now_ms)
        .bind(id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Gives a job back to the queue untried (shutdown, or the engine is busy with a trial call):
/// the attempt it was claimed with does not count.
pub async fn release(db: &Db, id: Id, owner: &str, now_ms: i64) -> Result<bool> {
    const SQL: &str = "UPDATE ocr_jobs SET status = 'pending', \
        attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
        lease_owner = NULL, lease_expires_at = NULL, updated_at = $1 \
        WHERE id = $2 AND lease_owner = $3 AND status = 'processing'";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(now_ms)
        .bind(id)
        .bind(owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Moves one failed job back to pending for a replay, keeping its attempts and last error, and
/// granting it `max_attempts` more claims. False when it is not failed or its image is gone.
pub async fn requeue_failed(
    db: &Db,
    id: Id,
    replay_reason: Option<&str>,
    max_attempts: i32,
    now_ms: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE ocr_jobs SET status = 'pending', replay_count = replay_count + 1, \
        replay_reason = $1, \
        max_attempts = CASE WHEN attempts + $2 > max_attempts THEN attempts + $2 ELSE max_attempts END, \
        completed_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = $3 \
        WHERE id = $4 AND status = 'failed' AND image_path IS NOT NULL AND image_purged_at IS NULL";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(replay_reason)
        .bind(max_attempts)
        .bind(now_ms)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Jobs matching `filter`, newest first.
pub async fn list(db: &Db, filter: &JobFilter) -> Result<Vec<JobRow>> {
    // Absent conditions are bound as NULL and switch their predicate off (one SQL text).
    const SQL: &str = concat!(
        "SELECT ",
        cols!(),
        " FROM ocr_jobs WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR user_id = $2) \
         AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR error_reason = $4) \
         ORDER BY created_at DESC, id DESC LIMIT $5"
    );
    let limit = filter.limit.clamp(1, MAX_LIST_LIMIT);
    Ok(on_db!(db, pool => sqlx::query_as(SQL)
        .bind(filter.status.map(JobStatus::as_str))
        .bind(filter.user_id)
        .bind(filter.since_ms)
        .bind(filter.error_reason.as_deref())
        .bind(limit)
        .fetch_all(pool)
        .await)?)
}

/// Jobs per status (statuses without jobs are absent).
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM ocr_jobs GROUP BY status";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).fetch_all(pool).await)?)
}

/// The sum of every job's replay count (to move `mita_ocr_replays_total` for replays made by
/// another process, such as `mita ocr replay`).
pub async fn replay_sum(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(replay_count), 0) AS BIGINT) FROM ocr_jobs";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)?)
}

/// Finished (completed or failed) jobs finished before `cutoff_ms` whose image is still kept (oldest first).
pub async fn images_to_purge(db: &Db, cutoff_ms: i64, limit: i64) -> Result<Vec<(Id, String)>> {
    const SQL: &str = "SELECT id, image_path FROM ocr_jobs WHERE status IN ('completed', 'failed') \
        AND completed_at < $1 AND image_purged_at IS NULL AND image_path IS NOT NULL \
        ORDER BY completed_at LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(cutoff_ms).bind(limit).fetch_all(pool).await)?)
}

/// The user's uploads since `since_ms` and the bytes of their images still stored (1 query).
pub async fn usage(db: &Db, user: Id, since_ms: i64) -> Result<(i64, i64)> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(CASE WHEN created_at > $2 THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN image_purged_at IS NULL AND image_path IS NOT NULL THEN image_bytes ELSE 0 END), 0) AS BIGINT) \
        FROM ocr_jobs WHERE user_id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(user).bind(since_ms).fetch_one(pool).await)?)
}

/// The stored image names of the user's jobs whose files are still there.
pub async fn image_names_of(db: &Db, user: Id) -> Result<Vec<String>> {
    const SQL: &str = "SELECT image_path FROM ocr_jobs \
        WHERE user_id = $1 AND image_path IS NOT NULL AND image_purged_at IS NULL";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(user).fetch_all(pool).await)?)
}

/// Notes that a job's image file was removed. `only_terminal` refuses jobs still in the queue.
pub async fn mark_image_purged(db: &Db, id: Id, now_ms: i64, only_terminal: bool) -> Result<bool> {
    const SQL: &str = "UPDATE ocr_jobs SET image_purged_at = $1, updated_at = $1 \
        WHERE id = $2 AND image_purged_at IS NULL \
        AND ($3 = 0 OR status IN ('completed', 'failed'))";
    let done = on_write!(db, pool => sqlx::query(SQL)
        .bind(now_ms)
        .bind(id)
        .bind(i32::from(only_terminal))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}
