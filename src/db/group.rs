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
//!   caller goes away;
//! - writers are served in arrival order (a fair mutex), and other connections see a
//!   request's changes only after the batch commits — before its caller is answered.
//!
//! Single-statement writes ([`crate::on_write!`]) take the writer the same way and first commit
//! the open batch, so a statement on its own is committed (and on disk) before it answers.
//!
//! The writer is a rusqlite connection (see [`super::lite`]): every statement runs on the thread
//! of the task that holds the writer, with no hand-off. Opening, releasing or rolling back a
//! savepoint has no `.await` inside, so a caller that goes away (a client that disconnects)
//! can never leave the connection half-way. A batch's `COMMIT` waits for an fsync: it runs on a
//! blocking thread while the writer stays locked, so that the writers arriving meanwhile queue
//! up for the next batch (see [`finish_off_thread`]). A statement on its own waits for its
//! fsync where it runs (in [`tokio::task::block_in_place`] on a multi-threaded runtime).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use super::lite;
use crate::error::{Error, Result};

/// The savepoint of the transaction that holds the writer (there is never more than one).
const SAVEPOINT: &str = "SAVEPOINT mita_write";
const RELEASE: &str = "RELEASE mita_write";
const ROLLBACK_TO: &str = "ROLLBACK TO mita_write";

type CommitResult = std::result::Result<(), String>;

/// How often [`GroupWriter::shrink_when_idle`] looks whether the writer was quiet (the
/// server's setting: a quiet writer gives its cache back 15–30 s after its last commit).
pub const IDLE_SHRINK: Duration = Duration::from_secs(15);

/// The writer connection. Statements on it run at once on the caller's thread.
pub struct WriteConn(rusqlite::Connection);

impl WriteConn {
    fn batch(&self, sql: &str) -> sqlx::Result<()> {
        self.0.execute_batch(sql).map_err(lite::error)
    }
}

impl std::fmt::Debug for WriteConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteConn")
    }
}

/// A statement inside a write transaction runs on the transaction's own connection, now.
impl lite::Executor for &mut WriteConn {
    type Database = lite::Lite;

    fn run<T, F>(self, work: F) -> impl Future<Output = sqlx::Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> sqlx::Result<T> + Send + 'static,
    {
        std::future::ready(work(&self.0))
    }
}

/// Runs `f`, which may wait for the disk, without stalling the other tasks of a multi-threaded
/// runtime.
fn waits_for_disk<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// The writer and its open batch, if any. Guarded by the writer's mutex.
struct Batch {
    conn: WriteConn,
    /// A batch transaction is open on `conn`.
    open: bool,
    /// Transactions whose savepoint was released, waiting for the batch's commit.
    pending: Vec<oneshot::Sender<CommitResult>>,
    /// A transaction was dropped inside its savepoint: undo it before anything else.
    abandoned: bool,
}

struct Shared {
    batch: Arc<Mutex<Batch>>,
    /// Writers waiting for the mutex: while there are some, a commit leaves the batch open.
    waiting: AtomicUsize,
    max_batch: usize,
    /// How long a writer waits for the writer before it gives up (503).
    acquire_timeout: Duration,
    /// Batch commits so far (each one fsync).
    commits: AtomicU64,
    /// Closed with the database: new writes are refused.
    closed: AtomicBool,
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
            spawn_finish(Arc::clone(self.shared));
        }
    }
}

/// Finishes the batch in the background, once the mutex is free.
fn spawn_finish(shared: Arc<Shared>) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        // No runtime (shutting down): an open batch that nobody commits is rolled back when
        // its connection closes. Nothing that was answered is lost: answers wait for the
        // commit.
        return;
    };
    handle.spawn(async move {
        let mut guard = Arc::clone(&shared.batch).lock_owned().await;
        if let Err(e) = undo_abandoned(&mut guard) {
            fail_batch(&mut guard, &e);
        }
        finish_if_idle(&shared, guard);
    });
}

/// Rolls back the savepoint of a transaction that was dropped inside it.
fn undo_abandoned(batch: &mut Batch) -> sqlx::Result<()> {
    if !batch.abandoned {
        return Ok(());
    }
    batch.abandoned = false;
    if batch.open {
        batch.conn.batch(&format!("{ROLLBACK_TO}; {RELEASE}"))?;
    }
    Ok(())
}

/// Commits the batch (or rolls back an empty one) and answers everyone waiting for it.
fn finish(shared: &Shared, batch: &mut Batch) {
    if !batch.open {
        return;
    }
    batch.open = false;
    let conn = &batch.conn;
    let result: CommitResult = if batch.pending.is_empty() {
        conn.batch("ROLLBACK").map_err(|e| e.to_string())
    } else {
        match conn.batch("COMMIT") {
            Ok(()) => {
                shared.commits.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                Err(e.to_string())
            }
        }
    };
    for waiter in batch.pending.drain(..) {
        let _ = waiter.send(result.clone());
    }
}

/// Rolls the whole batch back after a failure that leaves it unusable; everyone waiting for
/// it gets the error.
fn fail_batch(batch: &mut Batch, error: &sqlx::Error) {
    batch.abandoned = false;
    if batch.open {
        batch.open = false;
        let _ = batch.conn.batch("ROLLBACK");
    }
    for waiter in batch.pending.drain(..) {
        let _ = waiter.send(Err(format!("the group commit failed: {error}")));
    }
}

/// Finishes the batch unless another writer is waiting to join it (and it has room).
fn finish_if_idle(shared: &Arc<Shared>, guard: OwnedMutexGuard<Batch>) {
    if shared.waiting.load(Ordering::SeqCst) == 0 || guard.pending.len() >= shared.max_batch {
        finish_off_thread(shared, guard);
    }
}

/// Commits the batch on a blocking thread, keeping the writer locked until it is done. The
/// caller's thread (the write thread) meanwhile runs the writers that arrive, up to their wait
/// for the writer: they form the next batch. (A transaction's statements never wait, so
/// without this every commit would find nobody waiting, and commit alone.) Rolling back an
/// empty batch waits for no disk and is done at once.
fn finish_off_thread(shared: &Arc<Shared>, mut guard: OwnedMutexGuard<Batch>) {
    if !guard.open {
        return;
    }
    if guard.pending.is_empty() {
        finish(shared, &mut guard);
        return;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            let shared = Arc::clone(shared);
            handle.spawn_blocking(move || finish(&shared, &mut guard));
        }
        Err(_) => finish(shared, &mut guard),
    }
}

/// A failure to get the writer as the `sqlx::Error` a pool gives.
fn into_sqlx(e: Error) -> sqlx::Error {
    match e {
        Error::Database(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

fn commit_error(message: String) -> Error {
    Error::Unavailable {
        reason: message,
        retry_after_secs: 1,
    }
}

impl GroupWriter {
    /// Group commit on `conn` (the one writer connection). `max_batch` 1 commits every
    /// transaction on its own; a writer waits at most `acquire_timeout` for the writer.
    pub fn new(conn: rusqlite::Connection, max_batch: u32, acquire_timeout: Duration) -> Self {
        GroupWriter(Arc::new(Shared {
            batch: Arc::new(Mutex::new(Batch {
                conn: WriteConn(conn),
                open: false,
                pending: Vec::new(),
                abandoned: false,
            })),
            waiting: AtomicUsize::new(0),
            max_batch: max_batch.max(1) as usize,
            acquire_timeout,
            commits: AtomicU64::new(0),
            closed: AtomicBool::new(false),
        }))
    }

    /// Gives the writer's page cache back once the writer has been quiet for a while: every
    /// `period` ([`IDLE_SHRINK`] in the server), if no batch was committed since the previous look and nobody holds the
    /// writer, `PRAGMA shrink_memory` and [`crate::memory::release`], once per quiet period.
    /// Ends when the writer is closed or dropped. The next write refills the pages it needs
    /// from the operating system's file cache.
    pub fn shrink_when_idle(&self, period: Duration) -> impl Future<Output = ()> + Send + 'static {
        let shared = Arc::downgrade(&self.0);
        async move {
            let mut seen = u64::MAX;
            let mut shrunk = true;
            loop {
                tokio::time::sleep(period).await;
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                if shared.closed.load(Ordering::SeqCst) {
                    return;
                }
                let commits = shared.commits.load(Ordering::SeqCst);
                if commits != seen {
                    seen = commits;
                    shrunk = false;
                    continue;
                }
                if shrunk {
                    continue;
                }
                // Only a free writer with no open batch: one in use is not idle.
                if let Ok(batch) = shared.batch.try_lock()
                    && !batch.open
                {
                    let _ = batch.conn.batch("PRAGMA shrink_memory");
                    drop(batch);
                    crate::memory::release();
                    shrunk = true;
                }
            }
        }
    }

    /// How many batches were committed so far.
    pub fn commits(&self) -> u64 {
        self.0.commits.load(Ordering::SeqCst)
    }

    /// Writers waiting for the writer right now.
    pub fn waiting(&self) -> usize {
        self.0.waiting.load(Ordering::SeqCst)
    }

    /// Whether a writer holds the connection right now.
    pub fn busy(&self) -> bool {
        self.0.batch.try_lock().is_err()
    }

    /// Waits for the writer: a writer stuck behind a long batch (or a transaction opened
    /// inside another one) fails with 503 instead of hanging.
    async fn lock(&self) -> Result<OwnedMutexGuard<Batch>> {
        let shared = &self.0;
        if shared.closed.load(Ordering::SeqCst) {
            return Err(Error::Database(sqlx::Error::PoolClosed));
        }
        let mut ticket = Ticket::new(shared);
        let guard = tokio::time::timeout(
            shared.acquire_timeout,
            Arc::clone(&shared.batch).lock_owned(),
        )
        .await
        .map_err(|_| Error::Database(sqlx::Error::PoolTimedOut))?;
        ticket.used = true;
        if shared.closed.load(Ordering::SeqCst) {
            return Err(Error::Database(sqlx::Error::PoolClosed));
        }
        Ok(guard)
    }

    /// Starts a write transaction: waits for the writer, joins (or opens) the batch and sets
    /// this transaction's savepoint.
    pub async fn begin(&self) -> Result<GroupTx> {
        let guard = self.lock().await?;
        open_savepoint(Arc::clone(&self.0), guard)
    }

    /// Commits the open batch, runs `last` (a checkpoint) and refuses every write after it, as
    /// a closed pool does. Waits for the transaction holding the writer, if any.
    pub async fn close(
        &self,
        last: impl FnOnce(&rusqlite::Connection) -> sqlx::Result<()>,
    ) -> sqlx::Result<()> {
        let guard = self.lock().await.map_err(into_sqlx)?;
        self.0.closed.store(true, Ordering::SeqCst);
        self.outside_batch(guard, last)
    }

    /// Runs `work` on the writer outside any transaction, after committing the open batch:
    /// what it writes is committed when it returns. (For [`crate::on_write!`], and for work on
    /// the whole file such as a WAL checkpoint.)
    pub async fn alone<T>(
        &self,
        work: impl FnOnce(&rusqlite::Connection) -> sqlx::Result<T>,
    ) -> sqlx::Result<T> {
        let guard = self.lock().await.map_err(into_sqlx)?;
        self.outside_batch(guard, work)
    }

    /// With the writer held: undoes an abandoned savepoint, commits the open batch, then runs
    /// `work` on its own.
    fn outside_batch<T>(
        &self,
        mut guard: OwnedMutexGuard<Batch>,
        work: impl FnOnce(&rusqlite::Connection) -> sqlx::Result<T>,
    ) -> sqlx::Result<T> {
        if let Err(e) = undo_abandoned(&mut guard) {
            fail_batch(&mut guard, &e);
        }
        waits_for_disk(|| {
            finish(&self.0, &mut guard);
            work(&guard.conn.0)
        })
    }
}

/// A statement on its own ([`crate::on_write!`]): committed before it answers.
impl lite::Executor for &GroupWriter {
    type Database = lite::Lite;

    fn run<T, F>(self, work: F) -> impl Future<Output = sqlx::Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> sqlx::Result<T> + Send + 'static,
    {
        self.alone(work)
    }
}

/// Joins (or opens) the batch and sets the savepoint of a new transaction.
fn open_savepoint(shared: Arc<Shared>, mut guard: OwnedMutexGuard<Batch>) -> Result<GroupTx> {
    if let Err(e) = undo_abandoned(&mut guard) {
        fail_batch(&mut guard, &e);
    }
    if !guard.open {
        if let Err(e) = guard.conn.batch(&format!("BEGIN IMMEDIATE; {SAVEPOINT}")) {
            let _ = guard.conn.batch("ROLLBACK");
            return Err(e.into());
        }
        guard.open = true;
    } else if let Err(e) = guard.conn.batch(SAVEPOINT) {
        fail_batch(&mut guard, &e);
        return Err(e.into());
    }
    Ok(GroupTx {
        shared,
        guard: Some(guard),
    })
}

/// Releases the savepoint and joins the batch's commit (finishing the batch if nobody waits).
/// Returns where the batch's outcome will arrive.
fn release_savepoint(
    shared: &Arc<Shared>,
    mut guard: OwnedMutexGuard<Batch>,
) -> Result<oneshot::Receiver<CommitResult>> {
    if !guard.open {
        return Err(Error::Internal("write transaction without a batch".into()));
    }
    if let Err(e) = guard.conn.batch(RELEASE) {
        fail_batch(&mut guard, &e);
        return Err(e.into());
    }
    let (done, outcome) = oneshot::channel();
    guard.pending.push(done);
    finish_if_idle(shared, guard);
    Ok(outcome)
}

/// Rolls back to the savepoint (finishing the batch if nobody waits).
fn rollback_savepoint(shared: &Arc<Shared>, mut guard: OwnedMutexGuard<Batch>) -> Result<()> {
    guard.abandoned = true;
    let undone = undo_abandoned(&mut guard);
    if let Err(e) = &undone {
        fail_batch(&mut guard, e);
    }
    finish_if_idle(shared, guard);
    undone.map_err(Error::from)
}

/// One write transaction (a savepoint in the open batch). Derefs to the write connection.
pub struct GroupTx {
    shared: Arc<Shared>,
    guard: Option<OwnedMutexGuard<Batch>>,
}

impl GroupTx {
    /// Keeps this transaction's changes and returns once they are committed (with the rest of
    /// the batch); an error means none of them is.
    pub async fn commit(mut self) -> Result<()> {
        let Some(guard) = self.guard.take() else {
            return Err(Error::Internal("transaction already finished".into()));
        };
        let outcome = release_savepoint(&self.shared, guard)?;
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
        rollback_savepoint(&self.shared, guard)
    }
}

impl Drop for GroupTx {
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            // Dropped inside its savepoint (an early return or a cancelled request): undo it
            // before anyone else uses the connection.
            let _ = rollback_savepoint(&self.shared, guard);
        }
    }
}

impl Deref for GroupTx {
    type Target = WriteConn;
    fn deref(&self) -> &WriteConn {
        &self
            .guard
            .as_ref()
            .expect("a live write transaction holds the connection")
            .conn
    }
}

impl DerefMut for GroupTx {
    fn deref_mut(&mut self) -> &mut WriteConn {
        &mut self
            .guard
            .as_mut()
            .expect("a live write transaction holds the connection")
            .conn
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        writer: GroupWriter,
        read: std::sync::Mutex<rusqlite::Connection>,
    }

    async fn fixture(max_batch: u32) -> Fixture {
        fixture_waiting(max_batch, Duration::from_secs(10)).await
    }

    async fn fixture_waiting(max_batch: u32, acquire_timeout: Duration) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
             CREATE TABLE parent (id INTEGER PRIMARY KEY); \
             CREATE TABLE t (n INTEGER NOT NULL UNIQUE, \
               parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);",
        )
        .unwrap();
        let read = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        Fixture {
            _dir: dir,
            writer: GroupWriter::new(conn, max_batch, acquire_timeout),
            read: std::sync::Mutex::new(read),
        }
    }

    async fn insert(tx: &mut GroupTx, n: i64, parent: Option<i64>) -> sqlx::Result<()> {
        lite::query("INSERT INTO t (n, parent) VALUES ($1, $2)")
            .bind(n)
            .bind(parent)
            .execute(&mut **tx)
            .await
            .map(|_| ())
    }

    /// What another connection sees.
    fn seen(f: &Fixture) -> Vec<i64> {
        let read = f.read.lock().unwrap();
        let mut st = read.prepare("SELECT n FROM t ORDER BY n").unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
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
        let f = std::sync::Arc::new(fixture(64).await);
        let mut tasks = Vec::new();
        for n in 0..40 {
            let f = std::sync::Arc::clone(&f);
            tasks.push(tokio::spawn(async move {
                let mut tx = f.writer.begin().await.unwrap();
                insert(&mut tx, n, None).await.unwrap();
                tx.commit().await.unwrap();
                assert!(seen(&f).contains(&n), "committed but not visible");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(seen(&f), (0..40).collect::<Vec<_>>());
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
        assert_eq!(seen(&f), vec![1, 2]);
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
        assert_eq!(seen(&f), vec![1, 4]);
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
        assert_eq!(seen(&f), vec![1, 2]);
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
        assert!(seen(&f).is_empty());
        // The writer is usable again.
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 3, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seen(&f), vec![3]);
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
        assert_eq!(seen(&f), vec![1]);
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
        assert_eq!(seen(&f), vec![1, 2]);
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
            // Held by another writer, so that the begin is left while it waits.
            let holder = (polls % 2 == 0).then(|| f.writer.begin());
            let holder = match holder {
                Some(h) => Some(h.await.unwrap()),
                None => None,
            };
            cut_short += usize::from(abandon_after(f.writer.begin(), polls).await);
            drop(holder);
            // A single-statement write must commit at once (not land inside a transaction
            // left open on the connection).
            let n = i64::try_from(polls).unwrap();
            tokio::time::timeout(
                Duration::from_secs(10),
                lite::query("INSERT INTO t (n) VALUES ($1)")
                    .bind(n)
                    .execute(&f.writer),
            )
            .await
            .expect("the connection came back")
            .unwrap();
            assert!(seen(&f).contains(&n), "insert {n} not committed");
        }
        assert!(cut_short > 0, "no begin was cut short");
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 100, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seen(&f).len(), 41);
    }

    #[tokio::test]
    async fn a_commit_whose_caller_goes_away_still_commits() {
        let f = fixture(64).await;
        let mut tx = f.writer.begin().await.unwrap();
        insert(&mut tx, 1, None).await.unwrap();
        // Nobody else waits, so the commit finishes on its first poll; dropped from there on,
        // the batch is still committed.
        abandon_after(tx.commit(), 1).await;
        let mut next = tokio::time::timeout(Duration::from_secs(10), f.writer.begin())
            .await
            .expect("the writer came back")
            .unwrap();
        insert(&mut next, 2, None).await.unwrap();
        next.commit().await.unwrap();
        assert_eq!(seen(&f), vec![1, 2]);
    }

    /// The writer's page cache in bytes (SQLite's own count).
    fn cache_used(conn: &rusqlite::Connection) -> i32 {
        let (mut current, mut highest) = (0, 0);
        // SAFETY: the handle is the live connection's; sqlite3_db_status only reads counters.
        #[allow(unsafe_code)]
        unsafe {
            rusqlite::ffi::sqlite3_db_status(
                conn.handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_CACHE_USED,
                &mut current,
                &mut highest,
                0,
            );
        }
        current
    }

    #[tokio::test]
    async fn a_quiet_writer_gives_its_page_cache_back() {
        let f = fixture(8).await;
        let mut tx = f.writer.begin().await.unwrap();
        for n in 0..500 {
            insert(&mut tx, n, None).await.unwrap();
        }
        tx.commit().await.unwrap();
        let used = |w: GroupWriter| async move { w.alone(|c| Ok(cache_used(c))).await.unwrap() };
        let warm = used(f.writer.clone()).await;
        assert!(warm > 0, "the writes filled the cache");
        let idle = tokio::spawn(f.writer.shrink_when_idle(Duration::from_millis(20)));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut now = warm;
        while now >= warm && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
            now = used(f.writer.clone()).await;
        }
        assert!(
            now < warm,
            "the cache is given back: {now} of {warm} bytes kept"
        );
        idle.abort();
        assert_eq!(seen(&f).len(), 500, "nothing written was lost");
    }
}
