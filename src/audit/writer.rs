//! [`AuditLog`], the handle in front of the batching background writer (`task.rs`).
//!
//! `record` stamps an event and offers it to a bounded channel without waiting; whatever cannot
//! be queued or stored is appended to the fallback file, so an event is only ever lost if the disk
//! fails too, and then it is logged in full at `error` level (it holds no secrets once sanitised).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::AuditEvent;
use super::fallback::{Fallback, Stamped, lines};
use super::task::{self, Msg};
use crate::clock::Clock;
use crate::db::Db;
use crate::id::Id;

/// Tuning for [`AuditLog::start_with`].
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Events that may wait for the writer; beyond that `record` writes to the fallback file.
    pub capacity: usize,
    /// Most events stored in one transaction.
    pub batch_size: usize,
    /// A database write taking longer than this is abandoned and its batch goes to the fallback
    /// file (a hung connection must not stall the audit trail or shutdown).
    pub write_timeout: Duration,
    /// After a failed database write, batches go straight to the fallback file for this long.
    pub retry_after: Duration,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            capacity: 10_000,
            batch_size: 200,
            write_timeout: Duration::from_secs(10),
            retry_after: Duration::from_secs(5),
        }
    }
}

/// Counts since start: events stored in the database, appended to the fallback file, and lost
/// (neither worked; each is also logged in full).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditStats {
    pub stored: u64,
    pub fallback: u64,
    pub lost: u64,
}

/// The audit log handle (cheap to clone). See the [module docs](super).
#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

/// State shared by the handles and the writer task.
pub(super) struct Shared {
    clock: Clock,
    fallback: Fallback,
    pub(super) stored: AtomicU64,
    fallback_count: AtomicU64,
    lost: AtomicU64,
}

impl fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLog")
            .field("fallback_path", &self.shared.fallback.path())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl AuditLog {
    /// Starts the writer with [`AuditOptions::default`]. Must be called inside a tokio runtime.
    pub fn start(db: Db, clock: Clock, fallback_path: PathBuf) -> AuditLog {
        AuditLog::start_with(db, clock, fallback_path, AuditOptions::default())
    }

    /// Starts the writer with explicit options. Must be called inside a tokio runtime.
    pub fn start_with(
        db: Db,
        clock: Clock,
        fallback_path: PathBuf,
        options: AuditOptions,
    ) -> AuditLog {
        let (tx, rx) = mpsc::channel(options.capacity.max(1));
        let shared = Arc::new(Shared {
            clock,
            fallback: Fallback::new(fallback_path),
            stored: AtomicU64::new(0),
            fallback_count: AtomicU64::new(0),
            lost: AtomicU64::new(0),
        });
        let handle = tokio::spawn(task::run(rx, db, Arc::clone(&shared), options));
        AuditLog {
            tx,
            shared,
            writer: Arc::new(Mutex::new(Some(handle))),
        }
    }

    /// Records an event: sanitises it, stamps it with a new id and the current time, and queues
    /// it. Never blocks on the database and never fails; when the queue is full or the writer has
    /// stopped, the event is appended to the fallback file at once.
    pub fn record(&self, event: AuditEvent) {
        let stamped = Stamped {
            id: Id::new(),
            created_at: self.shared.clock.now_ms(),
            event: event.sanitized(),
        };
        let (reason, msg) = match self.tx.try_send(Msg::Event(stamped)) {
            Ok(()) => return,
            Err(TrySendError::Full(msg)) => ("the audit queue is full", msg),
            Err(TrySendError::Closed(msg)) => ("the audit writer has stopped", msg),
        };
        if let Msg::Event(stamped) = msg {
            tracing::warn!(
                event_id = %stamped.id,
                "{reason}; audit event appended to the fallback file"
            );
            self.shared.to_fallback(&[stamped], false);
        }
    }

    /// Resolves once every event recorded before the call is stored or in the fallback file.
    pub async fn flush(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Msg::Flush(ack)).await.is_ok() {
            // An error means the writer ended, which it only does after storing what it had.
            let _ = done.await;
        } else {
            // The queue is closed: a shutdown may still be storing what was queued; it holds this
            // lock until the writer has ended.
            drop(self.writer.lock().await);
        }
    }

    /// Stores everything queued and stops the writer. Idempotent; later events go straight to the
    /// fallback file. Call it before closing the database pool.
    pub async fn shutdown(&self) {
        let mut writer = self.writer.lock().await;
        let Some(handle) = writer.take() else {
            return;
        };
        let _ = self.tx.send(Msg::Stop).await;
        if let Err(e) = handle.await {
            tracing::error!(error = %e, "the audit writer task failed");
        }
    }

    /// Counts since start (for metrics and health).
    pub fn stats(&self) -> AuditStats {
        AuditStats {
            stored: self.shared.stored.load(Ordering::Relaxed),
            fallback: self.shared.fallback_count.load(Ordering::Relaxed),
            lost: self.shared.lost.load(Ordering::Relaxed),
        }
    }
}

impl Shared {
    /// Appends events to the fallback file; if even that fails, logs each one in full.
    pub(super) fn to_fallback(&self, events: &[Stamped], sync: bool) {
        let count = events.len() as u64;
        match self.fallback.append(events, sync) {
            Ok(()) => {
                self.fallback_count.fetch_add(count, Ordering::Relaxed);
            }
            Err(e) => {
                self.lost.fetch_add(count, Ordering::Relaxed);
                tracing::error!(
                    error = %e,
                    path = %self.fallback.path().display(),
                    events = %lines(events).trim_end(),
                    "audit events could not be written to the database or the fallback file"
                );
            }
        }
    }
}
