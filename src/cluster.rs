//! Several `mita serve` instances on one database behave as one service: rate limits counted in
//! the database, leases for the jobs that must run once per cluster, and a check that every
//! instance sees the same receipt image directory. Everything here is one statement per use and
//! works through PgBouncer in transaction mode (no session state: leases are rows, not
//! session-level advisory locks).

use std::path::Path;
use std::sync::OnceLock;

use crate::db::Db;
use crate::error::Result;
use crate::{on_db, on_write};

/// This process's name in leases and markers: `host:pid:random`, so two processes never share
/// one, even on one host.
pub fn instance() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "mita".into());
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        format!("{host}:{}:{}", std::process::id(), &nonce[..8])
    })
}

/// One request of a shared rate limit: `max` requests per `window_ms` as a burst that refills
/// evenly (GCRA, the rule of the in-process limiter). `Ok(None)` when allowed, `Ok(Some(secs))`
/// to wait when not. PostgreSQL only (one statement; a second one only when refused, to tell
/// the wait).
pub async fn rate_limit(
    db: &Db,
    bucket: &str,
    now_ms: i64,
    max: u32,
    window_ms: i64,
) -> Result<Option<u64>> {
    let Db::Postgres(pool) = db else {
        return Ok(None);
    };
    let window = window_ms.max(1);
    let period = (window / i64::from(max.max(1))).max(1);
    // `tat` = when the bucket is empty again; a request fits while it stays within the window.
    let allowed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO rate_limit_buckets (bucket, tat) VALUES ($1, $2 + $3) \
         ON CONFLICT (bucket) DO UPDATE SET tat = GREATEST(rate_limit_buckets.tat, $2) + $3 \
         WHERE GREATEST(rate_limit_buckets.tat, $2) + $3 - $2 <= $4 RETURNING tat",
    )
    .bind(bucket)
    .bind(now_ms)
    .bind(period)
    .bind(window)
    .fetch_optional(pool)
    .await?;
    if allowed.is_some() {
        return Ok(None);
    }
    let tat: Option<i64> =
        sqlx::query_scalar("SELECT tat FROM rate_limit_buckets WHERE bucket = $1")
            .bind(bucket)
            .fetch_optional(pool)
            .await?;
    let wait_ms = tat.map_or(period, |t| t + period - window - now_ms).max(1);
    Ok(Some(
        u64::try_from((wait_ms + 999) / 1000).unwrap_or(1).max(1),
    ))
}

/// Forgets rate-limit buckets that are empty again (their `tat` passed). Any instance may run
/// it; it deletes only rows no check needs.
pub async fn purge_rate_limits(db: &Db, now_ms: i64) -> Result<u64> {
    Ok(
        on_write!(db, pool => sqlx::query("DELETE FROM rate_limit_buckets WHERE tat < $1")
        .bind(now_ms).execute(pool).await.map(|r| r.rows_affected()))?,
    )
}

/// Takes (or renews) the lease `name` for `ttl_ms`: true when this instance holds it now and
/// should run the job; false while another instance holds an unexpired one. One statement.
pub async fn lease(db: &Db, name: &str, now_ms: i64, ttl_ms: i64) -> Result<bool> {
    lease_as(db, name, instance(), now_ms, ttl_ms).await
}

/// Takes the lease `name` only when it has expired (the holder cannot renew it early): a job
/// guarded by it runs at most once per `ttl_ms` in the whole cluster (e.g. a daily purge).
pub async fn lease_once(db: &Db, name: &str, now_ms: i64, ttl_ms: i64) -> Result<bool> {
    let held: Option<String> = on_write!(db, pool => sqlx::query_scalar(
        "INSERT INTO cluster_leases (name, holder, expires_at) VALUES ($1, $2, $3 + $4) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE cluster_leases.expires_at <= $3 RETURNING holder")
        .bind(name).bind(instance()).bind(now_ms).bind(ttl_ms.max(1))
        .fetch_optional(pool).await)?;
    Ok(held.is_some())
}

/// [`lease`] for a named holder (tests play several instances in one process).
pub async fn lease_as(db: &Db, name: &str, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<bool> {
    let held: Option<String> = on_write!(db, pool => sqlx::query_scalar(
        "INSERT INTO cluster_leases (name, holder, expires_at) VALUES ($1, $2, $3 + $4) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE cluster_leases.expires_at <= $3 OR cluster_leases.holder = excluded.holder \
         RETURNING holder")
        .bind(name).bind(holder).bind(now_ms).bind(ttl_ms.max(1))
        .fetch_optional(pool).await)?;
    Ok(held.is_some())
}

/// What the image-directory check found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedDir {
    /// Other instances seen recently whose marker file is in this instance's directory.
    pub shared_with: usize,
    /// Other instances seen recently whose marker file is not: they write their images
    /// somewhere this instance cannot read.
    pub missing: Vec<String>,
}

/// How long an instance counts as alive after it last renewed its marker.
pub const MARKER_FRESH_MS: i64 = 3_600_000;

fn marker_file(dir: &Path, instance: &str) -> std::path::PathBuf {
    let safe: String = instance
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    dir.join(format!(".mita-instance-{safe}"))
}

/// Writes this instance's marker file into `dir` and records it, then looks for the markers of
/// the other instances seen within [`MARKER_FRESH_MS`]: an instance whose marker is not in `dir`
/// does not share the directory (its uploads cannot be processed or served here). 2 statements
/// and a few file reads; run at start and periodically.
pub async fn check_shared_dir(db: &Db, dir: &Path, now_ms: i64) -> Result<SharedDir> {
    let me = instance();
    let token = uuid::Uuid::new_v4().simple().to_string();
    let io = |e: std::io::Error| crate::error::Error::Internal(format!("image directory: {e}"));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    tokio::fs::write(marker_file(dir, me), &token)
        .await
        .map_err(io)?;
    on_write!(db, pool => sqlx::query(
        "INSERT INTO instance_markers (instance, marker, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (instance) DO UPDATE SET marker = excluded.marker, seen_at = excluded.seen_at")
        .bind(me).bind(&token).bind(now_ms).execute(pool).await.map(|_| ()))?;
    let others: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT instance FROM instance_markers WHERE instance <> $1 AND seen_at > $2")
        .bind(me).bind(now_ms - MARKER_FRESH_MS).fetch_all(pool).await)?;
    let mut found = SharedDir::default();
    for instance in others {
        // Only presence counts: the owner may be rewriting its file (a new token) right now.
        match tokio::fs::metadata(marker_file(dir, &instance)).await {
            Ok(m) if m.is_file() => found.shared_with += 1,
            _ => found.missing.push(instance),
        }
    }
    Ok(found)
}

/// Forgets markers (rows and files) of instances not seen for a day.
pub async fn purge_markers(db: &Db, dir: &Path, now_ms: i64) -> Result<u64> {
    let old: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT instance FROM instance_markers WHERE seen_at < $1")
        .bind(now_ms - 24 * MARKER_FRESH_MS).fetch_all(pool).await)?;
    for instance in &old {
        let _ = tokio::fs::remove_file(marker_file(dir, instance)).await;
    }
    Ok(
        on_write!(db, pool => sqlx::query("DELETE FROM instance_markers WHERE seen_at < $1")
        .bind(now_ms - 24 * MARKER_FRESH_MS).execute(pool).await.map(|r| r.rows_affected()))?,
    )
}
