//! Group commit for the single SQLite writer.
//!
//! SQLite has one writer and each `COMMIT` waits for an fsync, so one transaction per request
//! leaves the writer idle during every fsync while requests queue behind it. Here each write
//! transaction is a `SAVEPOINT` inside a *batch* transaction (`BEGIN IMMEDIATE`) that stays
//! open while other writers are waiting for the connection, up to `max_batch` of them; the
//! batch commits when nobody is waiting (or it is full), with one fsync for all of them.
//!
//! What a caller sees is unchanged:
//! - [`GroupTx::commit`] returns only after the batch holding its changes is committed (so a
//!   2xx still means "on disk"), and fails if that commit fails (none of the batch is written);
//! - a rollback, an error or a transaction dropped before its commit (a client that went
//!   away) undoes only its own savepoint; a commit, once started, completes even if its
//!   caller goes away (the steps that open, release or roll back a savepoint run as tasks of
//!   their own, so a cancelled request never leaves the connection half-way);
//! - writers are served in arrival order (a fair mutex), and other connections see a
//!   request's changes only after the batch commits — before its caller is answered.
//!
//! Single-statement writes ([`crate::on_write!`]) use the same one-connection pool: they wait
//! until the open batch (bounded by `max_batch`) commits and gives the connection back.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::error::{Error, Result};

/// The savepoint of the transaction that holds the writer (there is never more than one).
const SAVEPOINT: &str = "SAVEPOINT mita_write";
const RELEASE: &str = "RELEASE mita_write";
const ROLLBACK_TO: &str = "ROLLBACK TO mita_write";

type CommitResult = std::result::Result<(), String>;

/// The open batch, if any. Guarded by the writer's mutex.
struct Batch {
    /// The write connection while a batch transaction is open.
    conn: Option<PoolConnection<Sqlite>>,
    /// Transactions whose savepoint was released, waiting for the batch's commit.
    pending: Vec<oneshot::Sender<CommitResult>>,
    /// A transaction was dropped inside its savepoint: undo it before anything else.
    abandoned: bool,
}

struct Shared {
    pool: SqlitePool,
    batch: Arc<Mutex<Batch>>,
    /// Writers waiting for the mutex: while there are some, a commit leaves the batch open.
    waiting: AtomicUsize,
    max_batch: usize,
    /// Batch commits so far (each one fsync).
    commits: AtomicU64,
}

/// The SQLite writer with group commit (cheap to clone).
#[derive(Clone)]
pub struct GroupWriter(Arc<Shared>);

impl std::fmt::Debug for GroupWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupWriter")
            .field("waiting", &self.0.waiting.load(Ordering::Relaxed))
            .field("max_batch", &self.0.max_batch)
            .finish()
    }
}

/// Counts a writer waiting for the mutex. Dropped unused (its caller went away while waiting),
/// it makes sure a batch left open for it still gets finished.
struct Ticket<'a> {
    shared: &'a Arc<Shared>,
    used: bool,
}

impl<'a> Ticket<'a> {
    fn new(shared: &'a Arc<Shared>) -> Self {
        shared.waiting.fetch_add(1, Ordering::SeqCst);
        Ticket {
            shared,
            used: false,
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let left = self.shared.waiting.fetch_sub(1, Ordering::SeqCst) - 1;
        if !self.used && left == 0 {
            spawn_finish(Arc::clone(self.shared), None);
        }
    }
}

/// Finishes the batch in the background: with `guard` (taken from a dropped transaction) or
/// after locking the mutex.
fn spawn_finish(shared: Arc<Shared>, guard: Option<OwnedMutexGuard<Batch>>) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        // No runtime (shutting down): the next writer undoes the abandoned savepoint; an open
        // batch that nobody commits is rolled back when its connection closes. Nothing that
        // was answered is lost: answers wait for the commit.
        return;
    };
    handle.spawn(async move {
        let mut guard = match guard {
            Some(g) => g,
            None => Arc::clone(&shared.batch).lock_owned().await,
        };
        if let Err(e) = undo_abandoned(&mut guard).await {
            fail_batch(&mut guard, &e).await;
        }
        finish_if_idle(&shared, &mut guard).await;
    });
}

/// Rolls back the savepoint of a transaction that was dropped inside it.
async fn undo_abandoned(batch: &mut Batch) -> sqlx::Result<()> {
    if !batch.abandoned {
        return Ok(());
    }
    batch.abandoned = false;
    if let Some(conn) = batch.conn.as_mut() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("{ROLLBACK_TO}; {RELEASE}")))
            .execute(&mut **conn)
            .await?;
    }
    Ok(())
}

/// Commits the batch (or rolls back an empty one) and answers everyone waiting for it.
async fn finish(shared: &Shared, batch: &mut Batch) {
    let Some(mut conn) = batch.conn.take() else {
        return;
    };
    let result: CommitResult = if batch.pending.is_empty() {
        sqlx::query("ROLLBACK")
            .execute(&mut *conn)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => {
                shared.commits.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e.to_string())
            }
        }
    };
    drop(conn); // back to the pool
    for waiter in batch.pending.drain(..) {
        let _ = waiter.send(result.clone());
    }
}

/// Rolls the whole batch back after a failure that leaves it unusable; everyone waiting for
/// it gets the error.
async fn fail_batch(batch: &mut Batch, error: &sqlx::Error) {
    batch.abandoned = false;
    if let Some(mut conn) = batch.conn.take() {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    for waiter in batch.pending.drain(..) {
        let _ = waiter.send(Err(format!("the group commit failed: {error}")));
    }
}

/// Finishes the batch unless another writer is waiting to join it (and it has room).
async fn finish_if_idle(shared: &Shared, batch: &mut Batch) {
    if shared.waiting.load(Ordering::SeqCst) == 0 || batch.pending.len() >= shared.max_batch {
        finish(shared, batch).await;
    }
}

fn commit_error(message: String) -> Error {
    Error::Unavailable {
        reason: message,
        retry_after_secs: 1,
    }
}

impl GroupWriter {
    /// Group commit over `pool` (the one-connection write pool). `max_batch` 1 commits every
    /// transaction on its own.
    pub fn new(pool: SqlitePool, max_batch: u32) -> Self {
        GroupWriter(Arc::new(Shared {
            pool,
            batch: Arc::new(Mutex::new(Batch {
                conn: None,
                pending: Vec::new(),
                abandoned: false,
            })),
            waiting: AtomicUsize::new(0),
            max_batch: max_batch.max(1) as usize,
            commits: AtomicU64::new(0),
        }))
    }

    /// How many batches were committed so far.
    pub fn commits(&self) -> u64 {
        self.0.commits.load(Ordering::SeqCst)
    }

    /// Writers waiting for the writer right now.
    pub fn waiting(&self) -> usize {
        self.0.waiting.load(Ordering::SeqCst)
    }

    /// Starts a write transaction: waits for the writer, joins (or opens) the batch and sets
    /// this transaction's savepoint.
    pub async fn begin(&self) -> Result<GroupTx> {
        let shared = &self.0;
        let mut ticket = Ticket::new(shared);
        // As long as a pooled connection may be waited for: a writer stuck behind a long batch
        // (or a transaction opened inside another one) fails with 503 instead of hanging.
        let wait = shared.pool.options().get_acquire_timeout();
        let guard = tokio::time::timeout(wait, Arc::clone(&shared.batch).lock_owned())
            .await
            .map_err(|_| Error::Database(sqlx::Error::PoolTimedOut))?;
        ticket.used = true;
        drop(ticket);
        // From here on the work must not be cut short by a caller that goes away (a client
        // that disconnects): a half-opened batch would leave the connection inside a
        // transaction. A spawned task runs to its end; if nobody takes the transaction, its
        // drop undoes the savepoint.
        spawn_uncancelled(open_savepoint(Arc::clone(shared), guard)).await?
    }
}

/// Runs `work` as its own task, so that dropping the caller does not stop it halfway.
async fn spawn_uncancelled<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Result<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| Error::Internal(format!("write transaction step failed: {e}")))
}

/// Joins (or opens) the batch and sets the savepoint of a new transaction.
async fn open_savepoint(shared: Arc<Shared>, mut guard: OwnedMutexGuard<Batch>) -> Result<GroupTx> {
    if let Err(e) = undo_abandoned(&mut guard).await {
        fail_batch(&mut guard, &e).await;
    }
    if guard.conn.is_none() {
        let mut conn = shared.pool.acquire().await?;
        if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN IMMEDIATE; {SAVEPOINT}")))
            .execute(&mut *conn)
            .await
        {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return Err(e.into());
        }
        guard.conn = Some(conn);
    } else if let Some(conn) = guard.conn.as_mut()
        && let Err(e) = sqlx::query(SAVEPOINT).execute(&mut **conn).await
    {
        fail_batch(&mut guard, &e).await;
        return Err(e.into());
    }
    Ok(GroupTx {
        shared,
        guard: Some(guard),
    })
}

/// Releases the savepoint and joins the batch's commit (finishing the batch if nobody waits).
/// Returns where the batch's outcome will arrive.
async fn release_savepoint(
    shared: Arc<Shared>,
    mut guard: OwnedMutexGuard<Batch>,
) -> Result<oneshot::Receiver<CommitResult>> {
    let Some(conn) = guard.conn.as_mut() else {
        return Err(Error::Internal(
            "write transaction without connection".into(),
        ));
    };
    if let Err(e) = sqlx::query(RELEASE).execute(&mut **conn).await {
        fail_batch(&mut guard, &e).await;
        return Err(e.into());
    }
    let (done, outcome) = oneshot::channel();
    guard.pending.push(done);
    finish_if_idle(&shared, &mut guard).await;
    Ok(outcome)
}

/// Rolls back to the savepoint (finishing the batch if nobody waits).
async fn rollback_savepoint(shared: Arc<Shared>, mut guard: OwnedMutexGuard<Batch>) -> Result<()> {
    guard.abandoned = true;
    let undone = undo_abandoned(&mut guard).await;
    if let Err(e) = &undone {
        fail_batch(&mut guard, e).await;
    }
    finish_if_idle(&shared, &mut guard).await;
    undone.map_err(Error::from)
}

/// One write transaction (a savepoint in the open batch). Derefs to the write connection.
pub struct GroupTx {
    shared: Arc<Shared>,
    guard: Option<OwnedMutexGuard<Batch>>,
}

impl GroupTx {
    fn conn(&mut self) -> Option<&mut SqliteConnection> {
        self.guard
            .as_mut()
            .and_then(|g| g.conn.as_mut())
            .map(|c| &mut **c)
    }

    /// Keeps this transaction's changes and returns once they are committed (with the rest of
    /// the batch); an error means none of them is.
    pub async fn commit(mut self) -> Result<()> {
        let Some(guard) = self.guard.take() else {
            return Err(Error::Internal("transaction already finished".into()));
        };
        let outcome =
            spawn_uncancelled(release_savepoint(Arc::clone(&self.shared), guard)).await??;
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(commit_error(message)),
            Err(_) => Err(commit_error("the batch was abandoned".into())),
        }
    }

    /// Undoes this transaction's changes (the rest of the batch is not affected).
    pub async fn rollback(mut self) -> Result<()> {
        let Some(guard) = self.guard.take() else {
            return Ok(());
        };
        spawn_uncancelled(rollback_savepoint(Arc::clone(&self.shared), guard)).await?
    }
}

impl Drop for GroupTx {
    fn drop(&mut self) {
        if let Some(mut guard) = self.guard.take() {
            // Dropped inside its savepoint (an early return or a cancelled request): undo it
            // before anyone else uses the connection.
            guard.abandoned = true;
            spawn_finish(Arc::clone(&self.shared), Some(guard));
        }
    }
}

impl Deref for GroupTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.guard
            .as_ref()
            .and_then(|g| g.conn.as_deref())
            .expect("a live write transaction holds the connection")
    }
}

impl DerefMut for GroupTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn()
            .expect("a live write transaction holds the connection")
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::time::Duration;

    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        writer: GroupWriter,
        write: SqlitePool,
        read: SqlitePool,
    }

    async fn fixture(max_batch: u32) -> Fixture {
        fixture_waiting(max_batch, Duration::from_secs(10)).await
    }

    async fn fixture_waiting(max_batch: u32, acquire_timeout: Duration) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
        let opts = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(acquire_timeout)
            .connect_with(opts.clone())
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY); \
             CREATE TABLE t (n INTEGER NOT NULL UNIQUE, \
               parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);",
        )
        .execute(&write)
        .await
        .unwrap();
        let read = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(opts.read_only(true))
            .await
            .unwrap();
        Fixture {
            _dir: dir,
            writer: GroupWriter::new(write.clone(), max_batch),
            write,
            read,
        }
    }

    async fn insert(tx: &mut GroupTx, n: i64, parent: Option<i64>) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO t (n, parent) VALUES ($1, $2)")
            .bind(n)
            .bind(parent)
            .execute(&mut **tx)
            .await
            .map(|_| ())
    }

    async fn stored(read: &SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(read)
            .await
            .unwrap()
    }

    /// Starts a writer that inserts `n` and commits, and waits until it is queued behind the
    /// current holder.
    async fn queue_insert(writer: &GroupWriter, n: i64) -> tokio::task::JoinHandle<Result<()>> {
        let handle = tokio::spawn({
            let writer = writer.clone();
            async move {
                let mut tx = writer.begin().await?;
                insert(&mut tx, n, None).await?;
                tx.commit().await
            }
        });
        until_waiting(writer, 1).await;
        handle
    }

    /// Waits (bounded) until `n` writers are queued for the writer.
    async fn until_waiting(writer: &GroupWriter, n: usize) {
        for _ in 0..10_000 {
            if writer.waiting() >= n {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("{n} writers never queued (now {})", writer.waiting());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_commit_returns_only_once_other_connections_see_it() {
        let f = fixture(64).await;
        let mut tasks = Vec::new();
        for n in 0..40 {
            let (writer, read) = (f.writer.clone(), f.read.clone());
            tasks.push(tokio::spawn(async move {
                let mut tx = writer.begin().await.unwrap();
                insert(&mut tx, n, None).await.unwrap();
                tx.commit().await.unwrap();
                let seen: Option<i64> = sqlx::query_scalar("SELECT n FROM t WHERE n = $1")
                    .bind(n)
                    .fetch_optional(&read)
                    .await
                    .unwrap();
                assert_eq!(seen, Some(n), "committed but not visible");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(stored(&f.read).await, (0..40).collect::<Vec<_>>());
        assert!(f.writer.commits() >= 1 && f.writer.commits() <= 40);
    }

    /// Commits of a transaction that commits while a second one is queued behind it.
    async fn commits_of_two_queued(max_batch: u32) -> u64 {
        let f = fixture(max_batch).await;
        let mut first = f.writer.begin().await.unwrap();
        insert(&mut first, 1, None).await.unwrap();
        let second = queue_insert(&f.writer, 2).await;
        let commits = f.writer.commits();
        first.commit().await.unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(stored(&f.read).await, vec![1, 2]);
        f.writer.commits() - commits
    }

    #[tokio::test]
    async fn queued_writers_share_one_commit() {
        assert_eq!(
            commits_of_two_queued(64).await,
            1,
            "two transactions, one commit"
        );
    }

    #[tokio::test]
    async fn a_batch_of_one_commits_each_transaction_alone() {
        assert_eq!(commits_of_two_queued(1).await, 2);
    }

    #[tokio::test]
    async fn a_rollback_or_a_drop_undoes_only_its_own_changes() {
        let f = fixture(64).await;
        let mut kept = f.writer.begin().await.unwrap();
        insert(&mut kept, 1, None).await.unwrap();
        let others = tokio::spawn({
            let writer = f.writer.clone();
            async move {
                let mut rolled = writer.begin().await.unwrap();
                insert(&mut rolled, 2, None).await.unwrap();
                rolled.rollback().await.unwrap();
                let mut dropped = writer.begin().await.unwrap();
                insert(&mut dropped, 3, None).await.unwrap();
                drop(dropped);
                let mut last = writer.begin().await.unwrap();
                insert(&mut last, 4, None).await.unwrap();
                last.commit().await
            }
        });
        until_waiting(&f.writer, 1).await;
        kept.commit().await.unwrap();
        others.await.unwrap().unwrap();
        assert_eq!(stored(&f.read).await, vec![1, 4]);
    }

    #[tokio::test]
    async fn a_failed_statement_leaves_the_batch_usable() {
        let f = fixture(64).await;
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 1, None).await.unwrap();
        tx.commit().await.unwrap();
        let mut dup = f.writer.begin().await.unwrap();
        assert!(insert(&mut dup, 1, None).await.is_err(), "unique n");
        dup.rollback().await.unwrap();
        let mut next = f.writer.begin().await.unwrap();
        insert(&mut next, 2, None).await.unwrap();
        next.commit().await.unwrap();
        assert_eq!(stored(&f.read).await, vec![1, 2]);
    }

    #[tokio::test]
    async fn when_the_batch_commit_fails_every_transaction_in_it_fails_and_none_is_written() {
        let f = fixture(64).await;
        let mut bad = f.writer.begin().await.unwrap();
        // A deferred foreign key is only checked by COMMIT: this row fails the whole batch.
        insert(&mut bad, 1, Some(99)).await.unwrap();
        let good = queue_insert(&f.writer, 2).await;
        let bad = bad.commit().await.unwrap_err();
        let good = good.await.unwrap().unwrap_err();
        assert!(
            bad.is_unavailable() && good.is_unavailable(),
            "{bad:?} {good:?}"
        );
        assert!(stored(&f.read).await.is_empty());
        // The writer is usable again.
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 3, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(stored(&f.read).await, vec![3]);
    }

    #[tokio::test]
    async fn a_writer_that_gives_up_waiting_does_not_strand_the_batch() {
        let f = fixture(64).await;
        let mut first = f.writer.begin().await.unwrap();
        insert(&mut first, 1, None).await.unwrap();
        let impatient = tokio::spawn({
            let writer = f.writer.clone();
            async move { writer.begin().await.map(|_| ()) }
        });
        until_waiting(&f.writer, 1).await;
        // `first` sees a queued writer and leaves the batch open for it ...
        let committed = tokio::spawn(first.commit());
        // ... which then goes away without ever taking the writer.
        impatient.abort();
        tokio::time::timeout(Duration::from_secs(10), committed)
            .await
            .expect("the batch was left open")
            .unwrap()
            .unwrap();
        assert_eq!(stored(&f.read).await, vec![1]);
    }

    #[tokio::test]
    async fn a_writer_waits_no_longer_than_the_acquire_timeout() {
        let f = fixture_waiting(64, Duration::from_millis(100)).await;
        let mut held = f.writer.begin().await.unwrap();
        insert(&mut held, 1, None).await.unwrap();
        let err = f.writer.begin().await.err().expect("the writer is held");
        assert!(err.is_unavailable(), "{err:?}");
        // The holder is not disturbed, and the writer is free again afterwards.
        held.commit().await.unwrap();
        let mut next = f.writer.begin().await.unwrap();
        insert(&mut next, 2, None).await.unwrap();
        next.commit().await.unwrap();
        assert_eq!(stored(&f.read).await, vec![1, 2]);
    }

    /// Polls `fut` up to `polls` times, yielding to the runtime in between, then drops it:
    /// a caller that goes away part way. True if it was still pending.
    async fn abandon_after<F: Future>(fut: F, polls: usize) -> bool {
        let mut fut = std::pin::pin!(fut);
        for _ in 0..polls {
            let ready =
                std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx).is_ready()))
                    .await;
            if ready {
                return false;
            }
            tokio::task::yield_now().await;
        }
        true
    }

    #[tokio::test]
    async fn a_begin_whose_caller_goes_away_leaves_no_transaction_open() {
        let f = fixture(64).await;
        let mut cut_short = 0;
        for polls in 1..=40 {
            cut_short += usize::from(abandon_after(f.writer.begin(), polls).await);
            // A single-statement write through the pool must commit at once (not land inside
            // a transaction left open on the connection).
            let n = i64::try_from(polls).unwrap();
            tokio::time::timeout(
                Duration::from_secs(10),
                sqlx::query("INSERT INTO t (n) VALUES ($1)")
                    .bind(n)
                    .execute(&f.write),
            )
            .await
            .expect("the connection came back")
            .unwrap();
            assert!(
                stored(&f.read).await.contains(&n),
                "insert {n} not committed"
            );
        }
        assert!(cut_short > 0, "no begin was cut short");
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 100, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(stored(&f.read).await.len(), 41);
    }

    #[tokio::test]
    async fn a_commit_whose_caller_goes_away_still_commits() {
        let f = fixture(64).await;
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 1, None).await.unwrap();
        assert!(abandon_after(tx.commit(), 1).await);
        let mut next = tokio::time::timeout(Duration::from_secs(10), f.writer.begin())
            .await
            .expect("the writer came back")
            .unwrap();
        insert(&mut next, 2, None).await.unwrap();
        next.commit().await.unwrap();
        assert_eq!(stored(&f.read).await, vec![1, 2]);
    }
}
