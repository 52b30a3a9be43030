//! The writer task: drains the queue in batches, stores each batch in one transaction, and sends
//! a batch the database cannot take to the fallback file.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sqlx::types::Json;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::fallback::Stamped;
use super::writer::{AuditOptions, Shared};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::on_tx;

/// What the handles send to the writer task.
#[allow(
    clippy::large_enum_variant,
    reason = "events are nearly all of the traffic; boxing them would only add an allocation each"
)]
pub(super) enum Msg {
    Event(Stamped),
    /// Answered once everything queued before it is stored or in the fallback file.
    Flush(oneshot::Sender<()>),
    /// Stop taking events, store what is queued, and end.
    Stop,
}

struct Writer {
    db: Db,
    shared: Arc<Shared>,
    options: AuditOptions,
    /// After a failed write, batches go straight to the fallback file until then, so a database
    /// outage does not cost a timeout per batch (and a shutdown drain finishes in time).
    skip_db_until: Option<Instant>,
    stopping: bool,
}

/// Drains, stores, acknowledges flushes, until stopped or every handle is gone.
pub(super) async fn run(
    mut rx: mpsc::Receiver<Msg>,
    db: Db,
    shared: Arc<Shared>,
    options: AuditOptions,
) {
    let batch_size = options.batch_size.max(1);
    let mut writer = Writer {
        db,
        shared,
        options,
        skip_db_until: None,
        stopping: false,
    };
    let mut msgs = Vec::with_capacity(batch_size);
    let mut acks: Vec<oneshot::Sender<()>> = Vec::new();
    // After `close`, `recv_many` still returns what is queued, then 0: nothing is left behind.
    while rx.recv_many(&mut msgs, batch_size).await > 0 {
        let mut batch = Vec::with_capacity(msgs.len());
        for msg in msgs.drain(..) {
            match msg {
                Msg::Event(e) => batch.push(e),
                Msg::Flush(ack) => acks.push(ack),
                Msg::Stop => {
                    rx.close();
                    writer.stopping = true;
                }
            }
        }
        if !batch.is_empty() {
            writer.store(batch).await;
        }
        for ack in acks.drain(..) {
            let _ = ack.send(());
        }
    }
    tracing::debug!("audit writer stopped");
}

impl Writer {
    /// Stores a batch in the database, or in the fallback file if that fails.
    async fn store(&mut self, batch: Vec<Stamped>) {
        if self
            .skip_db_until
            .is_some_and(|until| Instant::now() < until)
        {
            tracing::warn!(
                events = batch.len(),
                "the database failed recently; audit events appended to the fallback file"
            );
            self.shared.to_fallback(&batch, true);
            return;
        }
        let timeout = self.options.write_timeout;
        // A timed-out batch might still commit; it then exists twice with the same ids, which an
        // import can deduplicate. Losing it would be worse.
        let result = match tokio::time::timeout(timeout, insert(&self.db, &batch)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Unavailable {
                reason: format!("audit write took longer than {timeout:?}"),
                retry_after_secs: 1,
            }),
        };
        match result {
            Ok(()) => {
                self.skip_db_until = None;
                let count = batch.len() as u64;
                self.shared.stored.fetch_add(count, Ordering::Relaxed);
            }
            Err(e) => {
                // While stopping, one failure is enough: the rest of the queue goes to the file.
                let pause = if self.stopping {
                    Duration::from_secs(3600)
                } else {
                    self.options.retry_after
                };
                self.skip_db_until = Instant::now().checked_add(pause);
                tracing::warn!(
                    error = %e,
                    events = batch.len(),
                    "audit events could not be stored in the database; appending them to the fallback file"
                );
                self.shared.to_fallback(&batch, true);
            }
        }
    }
}

const INSERT: &str = "INSERT INTO audit_events \
    (id, created_at, event_type, outcome, user_id, actor, client_ip, user_agent, request_id, details) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// One transaction, one prepared INSERT per event.
async fn insert(db: &Db, batch: &[Stamped]) -> Result<()> {
    let mut tx = db.begin().await?;
    for s in batch {
        if let Err(err) = insert_one(&mut tx, s).await {
            let _ = tx.rollback().await;
            return Err(err);
        }
    }
    tx.commit().await
}

/// Stores one stamped event inside the caller's transaction.
pub(super) async fn insert_one(tx: &mut Tx, s: &Stamped) -> Result<()> {
    let e = &s.event;
    on_tx!(tx, conn => sqlx::query(INSERT)
        .bind(s.id)
        .bind(s.created_at)
        .bind(e.event_type.as_str())
        .bind(e.outcome.as_str())
        .bind(e.user_id)
        .bind(e.actor.as_str())
        .bind(e.client_ip.as_deref())
        .bind(e.user_agent.as_deref())
        .bind(e.request_id.as_deref())
        .bind(Json(&e.details))
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
    Ok(())
}
