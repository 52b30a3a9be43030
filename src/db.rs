//! Storage: one [`Db`] over either SQLite (embedded default) or PostgreSQL (production).
//!
//! The same SQL text runs on both (`$1, $2...` placeholders work on each); where dialects
//! differ the two branches are written side by side with [`on_db!`].
//!
//! One rule for which path a statement takes:
//! - **PostgreSQL**: sqlx, one pool for everything.
//! - **SQLite**: rusqlite, through [`lite`] (the same call shape and the same SQL text as the
//!   PostgreSQL arm: inside the SQLite arm of [`on_db!`], [`on_write!`] and [`on_tx!`] the
//!   name `sqlx` means [`lite`]). Writes ([`on_tx!`] inside [`Db::begin`], [`on_write!`]) run
//!   on the one writer connection, on the thread that holds it, committed in groups
//!   ([`group`]); the server runs every request that may write whole on the write thread
//!   ([`write_thread`]). Reads ([`on_db!`]) run on the read-only reader threads
//!   ([`blocking`]), one hand-off per statement; the two hottest reads (the token check of
//!   every request and the transaction list) run all their statements in one hand-off.
//!
//! sqlx still opens SQLite for what works on the whole file rather than on rows: migrations,
//! the schema and snapshot reads of the privacy export, backups ([`SqliteDb::tools`], a
//! connection opened on demand and closed when idle).

pub mod backup;
pub mod blocking;
pub mod group;
pub mod lite;
pub mod migrate;
pub mod write_thread;

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, SqlitePool, Transaction};

use crate::config::{DatabaseSettings, Synchronous};
use crate::error::{Error, Result};

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A SQLite database: the writer, the readers, and sqlx for whole-file tools.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    /// The one writer connection (rusqlite), transactions committed in groups (see [`group`]).
    pub group: group::GroupWriter,
    /// The read-only reader threads (rusqlite, see [`blocking`]).
    pub readers: std::sync::Arc<blocking::BlockingReaders>,
    /// sqlx, for migrations, the privacy export's schema and snapshot reads, and backups; its
    /// one connection opens on demand and closes when idle.
    pub tools: SqlitePool,
    /// Where the server runs the requests that may write (see [`write_thread`]); `None` when
    /// `database.sqlite_write_thread` is off.
    pub writes: Option<write_thread::WriteThread>,
}

/// A database handle (cheap to clone).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// A write transaction on either backend.
pub enum Tx {
    Sqlite(group::GroupTx),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same code on whichever pool is active: a read. `$conn` is the reader threads on
/// SQLite, where `sqlx` in `$body` means [`lite`].
///
/// ```ignore
/// let n: i64 = on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)?;
/// ```
#[macro_export]
macro_rules! on_db {
    ($db:expr, $conn:ident => $body:expr) => {{
        let __timer = $crate::db_timer!();
        match $db {
            $crate::db::Db::Sqlite(__s) => {
                #[allow(unused_imports)]
                use $crate::db::lite as sqlx;
                let $conn = &__s.readers;
                $body
            }
            $crate::db::Db::Postgres(__p) => {
                let $conn = __p;
                $body
            }
        }
    }};
}

/// Runs one auto-committed write statement on whichever pool is active (the single writer
/// connection on SQLite). Use [`Db::begin`] for anything that needs more than one statement.
#[macro_export]
macro_rules! on_write {
    ($db:expr, $conn:ident => $body:expr) => {{
        let __timer = $crate::db_timer!();
        match $db {
            $crate::db::Db::Sqlite(__s) => {
                #[allow(unused_imports)]
                use $crate::db::lite as sqlx;
                let $conn = &__s.group;
                $body
            }
            $crate::db::Db::Postgres(__p) => {
                let $conn = __p;
                $body
            }
        }
    }};
}

/// Runs the same code inside a write transaction, whichever backend it belongs to.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {{
        let __timer = $crate::db_timer!();
        match $tx {
            $crate::db::Tx::Sqlite(__t) => {
                #[allow(unused_imports)]
                use $crate::db::lite as sqlx;
                let $conn = &mut **__t;
                $body
            }
            $crate::db::Tx::Postgres(__t) => {
                let $conn = &mut **__t;
                $body
            }
        }
    }};
}

/// Times the database work at the place it is written, for
/// `mita_database_query_duration_seconds{operation}`: `operation` is the module of the call site
/// without the crate name (`transactions::service`), or the name given. [`on_db!`], [`on_write!`]
/// and [`on_tx!`] use it around every statement; code that reaches a pool otherwise starts one
/// itself. The labelled child is looked up once per call site.
#[macro_export]
macro_rules! db_timer {
    () => {
        $crate::db_timer!(module_path!())
    };
    ($operation:expr) => {{
        static __SLOT: $crate::db::TimerSlot = $crate::db::TimerSlot::new();
        __SLOT.start($operation)
    }};
}

/// One call site's child of `mita_database_query_duration_seconds` (see [`db_timer!`]).
pub struct TimerSlot(OnceLock<prometheus::Histogram>);

impl TimerSlot {
    #[allow(clippy::new_without_default, reason = "used in statics: must be const")]
    pub const fn new() -> TimerSlot {
        TimerSlot(OnceLock::new())
    }

    pub fn start(&'static self, operation: &str) -> QueryTimer {
        let histogram = self.0.get_or_init(|| {
            let operation = operation
                .split_once("::")
                .filter(|(krate, _)| *krate == "mita")
                .map_or(operation, |(_, rest)| rest);
            crate::metrics::database_query_histogram(operation)
        });
        QueryTimer {
            histogram,
            start: Instant::now(),
        }
    }
}

/// Observes the time since it was made when dropped (so an early `?` is counted too).
pub struct QueryTimer {
    histogram: &'static prometheus::Histogram,
    start: Instant,
}

impl Drop for QueryTimer {
    fn drop(&mut self) {
        self.histogram.observe(self.start.elapsed().as_secs_f64());
    }
}

pub use crate::config::sqlite_path;

/// How long an idle sqlx SQLite connection (migrations, backups) is kept before it is closed.
const SQLITE_READ_IDLE: Duration = Duration::from_secs(30);

/// The backend a URL names, or a configuration error.
pub fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(Error::Config(
            "database.url must start with sqlite: or postgres:// (the URL is not shown because it may hold a password)"
                .into(),
        ))
    }
}

pub use crate::error::is_connection_error;

impl Db {
    /// Opens the database named by `settings.url`. PostgreSQL connects lazily so that a server can
    /// start (and report "not ready") while the database is down; SQLite is opened at once.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Db> {
        let acquire = Duration::from_millis(settings.acquire_timeout_ms);
        match backend_of(&settings.url)? {
            Backend::Sqlite => {
                let sync = match settings.synchronous {
                    Synchronous::Full => SqliteSynchronous::Full,
                    Synchronous::Normal => SqliteSynchronous::Normal,
                };
                let base = SqliteConnectOptions::from_str(&settings.url)
                    .map_err(|e| Error::Config(format!("invalid SQLite URL: {e}")))?
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(sync)
                    .busy_timeout(Duration::from_millis(settings.busy_timeout_ms))
                    .foreign_keys(true);
                let path = sqlite_path(&settings.url).ok_or_else(|| {
                    Error::Config(
                        "database.url: an in-memory SQLite database is not supported (the writer and the readers are separate connections); name a file".into(),
                    )
                })?;
                // sqlx opens (and, with `mode=rwc`, creates) the file and sets WAL; its one
                // connection then closes when idle. Migrations and backups use it.
                let tools = SqlitePoolOptions::new()
                    .min_connections(0)
                    .max_connections(1)
                    .idle_timeout(Some(SQLITE_READ_IDLE))
                    .acquire_timeout(acquire.max(Duration::from_secs(10)))
                    .connect_with(base)
                    .await?;
                let busy = Duration::from_millis(settings.busy_timeout_ms);
                let writer = blocking::open_writer(
                    &path,
                    busy,
                    settings.synchronous,
                    settings.sqlite_wal_autocheckpoint,
                )?;
                let readers = std::sync::Arc::new(blocking::BlockingReaders::open(
                    &path,
                    settings.sqlite_read_connections,
                    busy,
                    acquire,
                )?);
                let group = group::GroupWriter::new(
                    writer,
                    settings.sqlite_commit_batch,
                    acquire.max(Duration::from_secs(10)),
                );
                let writes = if settings.sqlite_write_thread {
                    Some(write_thread::WriteThread::shared()?)
                } else {
                    None
                };
                // On the write thread when there is one: its wake-ups also let that thread's
                // runtime collect its heap once the writes stop (see `crate::memory`).
                let idle = group.shrink_when_idle(group::IDLE_SHRINK);
                match &writes {
                    Some(thread) => thread.spawn(idle),
                    None => drop(tokio::spawn(idle)),
                }
                Ok(Db::Sqlite(SqliteDb {
                    group,
                    readers,
                    tools,
                    writes,
                }))
            }
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(&settings.url)
                    .map_err(|e| Error::Config(format!("invalid PostgreSQL URL: {e}")))?;
                let pool = PgPoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(acquire)
                    .connect_lazy_with(opts);
                Ok(Db::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The thread that runs the requests that may write, on SQLite (see [`write_thread`]).
    pub fn write_thread(&self) -> Option<&write_thread::WriteThread> {
        match self {
            Db::Sqlite(s) => s.writes.as_ref(),
            Db::Postgres(_) => None,
        }
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite, so it never fails half-way on a
    /// lock upgrade).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(s) => Tx::Sqlite(s.group.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// One round trip to the database.
    pub async fn ping(&self) -> Result<()> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Connections in use and the configured maximum (for the pool gauges).
    pub fn pool_usage(&self) -> (u32, u32) {
        fn usage<DB: sqlx::Database>(p: &sqlx::Pool<DB>) -> (u32, u32) {
            let idle = u32::try_from(p.num_idle()).unwrap_or(u32::MAX);
            (
                p.size().saturating_sub(idle),
                p.options().get_max_connections(),
            )
        }
        match self {
            Db::Sqlite(s) => {
                let (ra, rm) = s.readers.usage();
                (ra + u32::from(s.group.busy()), rm + 1)
            }
            Db::Postgres(p) => usage(p),
        }
    }

    /// Closes every pool, waiting for connections to be returned.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.readers.close();
                s.tools.close().await;
                // Commits the open batch, then a checkpoint folds the WAL back into the main
                // file, so a copy of `mita.db` alone is complete after a clean shutdown.
                let _ = s
                    .group
                    .close(|conn| {
                        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                            .map_err(lite::error)
                    })
                    .await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        let _timer = crate::db_timer!("commit");
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// ` FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the only write lock.
pub fn for_update(tx: &Tx) -> &'static str {
    match tx {
        Tx::Postgres(_) => " FOR UPDATE",
        Tx::Sqlite(_) => "",
    }
}

/// Serialises the writes of one user: every transaction that changes a user's money or plan
/// takes this lock first (PostgreSQL row lock on the user; SQLite's single writer already
/// serialises). Taking it first, always, is what keeps concurrent writes free of deadlocks and
/// makes each accrual's recomputed sum see every committed spend.
pub async fn lock_user(tx: &mut Tx, user: crate::id::Id) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(user)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://mita.db?mode=rwc"),
            Some(PathBuf::from("mita.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/mita/x.db"),
            Some(PathBuf::from("/var/lib/mita/x.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/mita"), None);
    }

    #[test]
    fn unknown_url_schemes_are_a_config_error_without_the_url() {
        let err = backend_of("mysql://user:secret@host/db").unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }
}
