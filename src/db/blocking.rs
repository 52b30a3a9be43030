//! The SQLite reader threads, and the opening of the writer connection.
//!
//! Every read of the services ([`crate::on_db!`]) runs as one job on one of these threads,
//! each owning a read-only rusqlite connection: one hand-off per statement (sqlx made several:
//! the statement, each row, the pool release), and never blocking the async runtime. The SQL
//! text is the same as on PostgreSQL (`$1, $2...` placeholders, see [`super::lite`]); rusqlite
//! links the same bundled SQLite library as sqlx (`libsqlite3-sys`). Writes never come here:
//! they run on the writer connection (see [`super::group`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use tokio::sync::{Semaphore, oneshot};

use crate::error::{Error, Result};

/// The `tracing` target of the per-statement DEBUG events.
pub const TRACE_TARGET: &str = "mita::db::sqlite";

fn trace_statement(event: TraceEvent<'_>) {
    if let TraceEvent::Stmt(_, sql) = event {
        let summary: String = sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
        tracing::debug!(target: TRACE_TARGET, summary = %summary, statement = %sql, "rusqlite statement");
    }
}

/// How many prepared statements each reader keeps (every read runs here: enough for the
/// reads of a busy server not to prepare again).
const STATEMENT_CACHE: usize = 64;

/// A read to run on one of the reader threads.
type Job = Box<dyn FnOnce(&Connection) + Send>;

/// A fixed set of threads, each owning one read-only rusqlite connection to one SQLite file,
/// taking reads from a shared queue. (Dedicated threads rather than `spawn_blocking`: a busy
/// server would otherwise spread the reads over many short-lived blocking threads, each with
/// its own allocator arenas.)
pub struct BlockingReaders {
    path: PathBuf,
    acquire_timeout: Duration,
    /// One per thread: a read holds one from before it is queued until it is done, so the
    /// queue never holds more reads than there are threads.
    permits: Arc<Semaphore>,
    threads: u32,
    jobs: Mutex<Option<flume::Sender<Job>>>,
}

impl std::fmt::Debug for BlockingReaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingReaders")
            .field("path", &self.path)
            .field("available", &self.permits.available_permits())
            .finish()
    }
}

fn connect(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy_timeout)?;
    common_settings(&conn, STATEMENT_CACHE)?;
    Ok(conn)
}

/// What every rusqlite connection gets, the readers and the writer: `cache` prepared
/// statements, plans that do not depend on the bound values, and statement tracing.
///
/// Plans: SQLite's query planner stability guarantee, so a cached statement is compiled once.
/// Without it SQLite looks at some bound values while planning (a `LIMIT $5`, a `LIKE $1`
/// pattern, a value compared with a partial index's condition) and then marks the statement
/// expired whenever that parameter is bound again: every run of the transaction list re-parsed
/// and re-planned its SQL (`sqlite3Reprepare`, 13 % of the server's CPU in a list benchmark).
/// What the values could change is not used here: no `ANALYZE` statistics exist, the `LIKE`s
/// match case-insensitively (no index could serve them) and the partial indexes' conditions
/// hold no parameters.
///
/// Tracing: like sqlx, each statement is reported as a DEBUG event (the query-count test counts
/// them); only when someone listens, since the callback runs for every statement.
fn common_settings(conn: &Connection, cache: usize) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(cache);
    if tracing::enabled!(target: TRACE_TARGET, tracing::Level::DEBUG) {
        conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(trace_statement));
    }
    Ok(())
}

/// How many prepared statements the writer keeps (every write statement of the services
/// fits).
const WRITER_STATEMENT_CACHE: usize = 128;

/// Opens the writer connection (see [`super::group`]) on an existing file, with the settings
/// sqlx gave it: WAL, the configured `synchronous`, the busy timeout, foreign keys on.
pub fn open_writer(
    path: &Path,
    busy_timeout: Duration,
    synchronous: crate::config::Synchronous,
    wal_autocheckpoint: u32,
) -> Result<Connection> {
    let open = || -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(busy_timeout)?;
        let sync = match synchronous {
            crate::config::Synchronous::Full => "FULL",
            crate::config::Synchronous::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = {wal_autocheckpoint};"
        ))?;
        common_settings(&conn, WRITER_STATEMENT_CACHE)?;
        Ok(conn)
    };
    open().map_err(sqlite_error)
}

/// After this long without a read, a reader thread gives its connection's page cache back
/// (`PRAGMA shrink_memory`, then [`crate::memory::release`] returns the freed memory to the
/// system): an idle server holds no caches. The next read refills the pages
/// it needs from the operating system's file cache.
const IDLE_SHRINK: Duration = Duration::from_secs(30);

/// A reader thread: runs queued reads on its connection until the queue closes.
fn serve(conn: Connection, queue: flume::Receiver<Job>) {
    let mut shrunk = true;
    loop {
        match queue.recv_timeout(IDLE_SHRINK) {
            Ok(job) => {
                // A panicking read loses its answer (the caller gets an error), not the thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&conn)));
                shrunk = false;
            }
            Err(flume::RecvTimeoutError::Timeout) if !shrunk => {
                let _ = conn.execute_batch("PRAGMA shrink_memory");
                crate::memory::release();
                shrunk = true;
            }
            Err(flume::RecvTimeoutError::Timeout) => {}
            Err(flume::RecvTimeoutError::Disconnected) => break,
        }
    }
}

impl BlockingReaders {
    /// `threads` reader threads on the file at `path`, each with its connection opened now (so
    /// that a bad path fails at start).
    pub fn open(
        path: &Path,
        threads: u32,
        busy_timeout: Duration,
        acquire_timeout: Duration,
    ) -> Result<Self> {
        let threads = threads.max(1) as usize;
        let conns = (0..threads)
            .map(|_| connect(path, busy_timeout))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sqlite_error)?;
        let (sender, receiver) = flume::bounded::<Job>(threads);
        for (i, conn) in conns.into_iter().enumerate() {
            let queue = receiver.clone();
            std::thread::Builder::new()
                .name(format!("mita-sqlite-read-{i}"))
                .spawn(move || serve(conn, queue))
                .map_err(|e| Error::Internal(format!("cannot start a reader thread: {e}")))?;
        }
        Ok(BlockingReaders {
            path: path.to_path_buf(),
            acquire_timeout,
            permits: Arc::new(Semaphore::new(threads)),
            threads: u32::try_from(threads).unwrap_or(u32::MAX),
            jobs: Mutex::new(Some(sender)),
        })
    }

    /// Refuses new reads; the threads finish the queued ones, close their connections and end.
    pub fn close(&self) {
        self.permits.close();
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }

    /// Runs `work` (a statement of [`super::lite`]) on a reader thread. Waits at most the
    /// acquire timeout for a free thread, then fails with the `sqlx::Error` of a pool timeout.
    /// If the caller goes away, the work still runs to its end.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> sqlx::Result<T>
    where
        F: FnOnce(&Connection) -> sqlx::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(
            self.acquire_timeout,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
        .map_err(|_| sqlx::Error::PoolClosed)?;
        let (answer, answered) = oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move |conn| {
            let _permit = permit;
            let _span = span.enter();
            let _ = answer.send(work(conn));
        });
        let sender = self
            .jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(sqlx::Error::PoolClosed)?;
        sender.try_send(job).map_err(|_| sqlx::Error::PoolClosed)?;
        answered.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    /// Readers busy right now and the number of reader threads (for the pool gauges).
    pub fn usage(&self) -> (u32, u32) {
        let available = u32::try_from(self.permits.available_permits()).unwrap_or(u32::MAX);
        (self.threads.saturating_sub(available), self.threads)
    }
}

/// A rusqlite failure as a core error: "cannot read now" (busy, locked, cannot open, I/O) is
/// unavailable (503); anything else is internal.
pub fn sqlite_error(e: rusqlite::Error) -> Error {
    let transient = matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::CannotOpen
                | ErrorCode::SystemIoFailure
        )
    );
    if transient {
        Error::Unavailable {
            reason: format!("database: {e}"),
            retry_after_secs: 1,
        }
    } else {
        Error::Internal(format!("database error: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT, n INTEGER); \
             INSERT INTO t VALUES ('0190a3c4-1111-7000-8000-000000000001', 7);",
        )
        .unwrap();
        (dir, path)
    }

    fn readers(path: &Path, max: u32, acquire_ms: u64) -> Arc<BlockingReaders> {
        Arc::new(
            BlockingReaders::open(
                path,
                max,
                Duration::from_millis(100),
                Duration::from_millis(acquire_ms),
            )
            .unwrap(),
        )
    }

    #[tokio::test]
    async fn the_connections_are_read_only() {
        let (_dir, path) = file_db();
        let r = readers(&path, 1, 1000);
        let write = r
            .run(|c| {
                c.execute("DELETE FROM t", [])
                    .map_err(super::super::lite::error)
            })
            .await;
        assert!(write.is_err(), "a reader wrote: {write:?}");
    }

    #[tokio::test]
    async fn a_missing_file_is_refused_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let err = BlockingReaders::open(
            &dir.path().join("absent.db"),
            1,
            Duration::from_millis(100),
            Duration::from_millis(100),
        )
        .unwrap_err();
        assert!(err.is_unavailable(), "{err:?}");
    }

    #[tokio::test]
    async fn a_read_waits_at_most_the_acquire_timeout_for_a_connection() {
        let (_dir, path) = file_db();
        let r = readers(&path, 1, 50);
        let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let holder = tokio::spawn({
            let r = Arc::clone(&r);
            async move {
                r.run(move |_| {
                    started_tx.send(()).unwrap();
                    hold_rx.recv().unwrap();
                    Ok(())
                })
                .await
            }
        });
        started_rx.await.unwrap();
        let err = r.run(|_| Ok(())).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::PoolTimedOut), "{err:?}");
        hold_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        r.run(|_| Ok(())).await.unwrap();
    }

    /// A cached statement whose plan SQLite could base on a bound value (here its `LIMIT`) runs
    /// with new values without being compiled again, on the readers and on the writer.
    #[test]
    fn a_cached_statement_is_not_compiled_again_for_new_values() {
        let (_dir, path) = file_db();
        let reader = connect(&path, Duration::from_millis(100)).unwrap();
        let writer = open_writer(
            &path,
            Duration::from_millis(100),
            crate::config::Synchronous::Full,
            1000,
        )
        .unwrap();
        let sql = "SELECT n FROM t WHERE id LIKE ?1 ORDER BY n DESC LIMIT ?2 OFFSET ?3";
        for conn in [&reader, &writer] {
            for (limit, offset) in [(1, 0), (2, 0), (50, 1), (3, 2)] {
                let mut st = conn.prepare_cached(sql).unwrap();
                let rows: Vec<i64> = st
                    .query_map(rusqlite::params!["0190%", limit, offset], |r| r.get(0))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                assert_eq!(rows, if offset == 0 { vec![7] } else { vec![] });
            }
            let st = conn.prepare_cached(sql).unwrap();
            assert_eq!(
                st.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "the statement was compiled again for new bound values"
            );
        }
    }

    #[tokio::test]
    async fn closed_readers_refuse_new_reads() {
        let (_dir, path) = file_db();
        let r = readers(&path, 1, 1000);
        r.close();
        let err = r.run(|_| Ok(())).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::PoolClosed), "{err:?}");
    }
}
