//! The SQLite write thread: work that writes runs whole on one thread of its own.
//!
//! SQLite has one writer connection (rusqlite, see [`super::group`]): a write transaction's
//! statements run on the thread of the task that holds it, and its commit waits for an fsync.
//! Run on the main runtime, a commit would stall a worker that reads are queued on (or need
//! `block_in_place`), and with sqlx's writer each statement's wake-up used to wait in the
//! runtime's queue behind every ready read (P4 of the benchmark: p99 105–135 ms for 10 %
//! creates among list reads). Here the work runs on a single-threaded runtime of its own,
//! where the queue holds only other writes, which need the writer anyway.
//!
//! The rule (see [`crate::db`]): on SQLite the server runs every request that may write (any
//! method but GET, HEAD and OPTIONS) whole on this thread. One thread per process, started on
//! first use, serves every SQLite database the process opens. Its only blocking work is the
//! writer's: SQLite statements (microseconds) and commits (an fsync).

use std::future::Future;
use std::sync::Mutex;

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// The name of the thread (and of the blocking threads its runtime may start).
pub const THREAD_NAME: &str = "mita-write";

/// A handle to the write thread (cheap to clone).
#[derive(Clone, Debug)]
pub struct WriteThread(Handle);

impl WriteThread {
    /// The process's write thread, started on first use.
    pub fn shared() -> Result<WriteThread> {
        // Called once per opened database, never on a request: a plain lock is enough.
        static HANDLE: Mutex<Option<Handle>> = Mutex::new(None);
        let mut started = HANDLE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let handle = match &*started {
            Some(handle) => handle.clone(),
            None => started.insert(start()?).clone(),
        };
        Ok(WriteThread(handle))
    }

    /// Runs `work` on the write thread in the background, for as long as it runs.
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(self.0.spawn(work));
    }

    /// Runs `work` on the write thread and returns its output. Dropping the returned future
    /// (a client that went away, a timeout) cancels `work` at its next await, exactly as
    /// dropping `work` itself would; a panic in `work` resumes in the caller.
    pub async fn run<F>(&self, work: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let mut task = AbortOnDrop(self.0.spawn(work));
        match (&mut task.0).await {
            Ok(output) => output,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only an abort cancels the task, and only `AbortOnDrop` aborts it; the runtime
            // runs for the life of the process.
            Err(e) => std::panic::resume_unwind(Box::new(format!("write thread task: {e}"))),
        }
    }
}

/// Aborts the task when dropped before it finished.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn start() -> Result<Handle> {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .thread_name(THREAD_NAME)
        .on_thread_park(crate::memory::collect_on_park)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the write thread's runtime: {e}")))?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .map_err(|e| Error::Internal(format!("cannot start the write thread: {e}")))?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_the_write_thread_and_answers_the_caller() {
        let thread = WriteThread::shared().unwrap();
        let (name, sum) = thread
            .run(async {
                tokio::task::yield_now().await;
                (std::thread::current().name().map(str::to_owned), 2 + 2)
            })
            .await;
        assert_eq!(name.as_deref(), Some(THREAD_NAME));
        assert_eq!(sum, 4);
    }

    #[tokio::test]
    async fn dropping_the_caller_cancels_the_work() {
        let thread = WriteThread::shared().unwrap();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel::<()>();
        let caller = tokio::spawn({
            let thread = thread.clone();
            async move {
                thread
                    .run(async move {
                        // Dropped with the task: its receiver then sees the channel closed.
                        let _dropped = dropped_tx;
                        let _ = started_tx.send(());
                        std::future::pending::<()>().await;
                    })
                    .await;
            }
        });
        started_rx.await.unwrap();
        caller.abort();
        let closed = tokio::time::timeout(std::time::Duration::from_secs(10), dropped_rx).await;
        assert!(
            matches!(closed, Ok(Err(_))),
            "the work must be dropped with its caller"
        );
    }

    #[tokio::test]
    async fn a_panic_in_the_work_reaches_the_caller() {
        let thread = WriteThread::shared().unwrap();
        let caller = tokio::spawn(async move {
            thread
                .run(async {
                    panic!("boom");
                })
                .await
        });
        let err = caller.await.unwrap_err();
        assert!(err.is_panic());
    }
}
