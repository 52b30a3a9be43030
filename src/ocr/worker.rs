//! The workers inside `mita serve`: each claims a pending job with a lease, renews the lease
//! while the engine works, and records the result or the failure. Beside them runs the
//! maintenance task (`maintenance.rs`: expired leases, gauges, old images).
//!
//! Shutdown: no new claims; a job in progress may finish within `ocr.shutdown_grace_ms`, after
//! which the engine call is dropped (the tesseract process is killed) and the job is returned to
//! pending. A job is never left in `processing` by a clean shutdown, and a crash is covered by
//! the lease.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::OcrService;
use super::engine::RunError;
use super::job::{JobRow, JobStatus, reason};
use super::parser;
use crate::config::OcrEngineKind;
use crate::error::Result;
use crate::id::Id;

/// How long a worker waits after the engine said "busy" (a half-open trial in flight).
const BUSY_BACKOFF: Duration = Duration::from_millis(250);

/// The running workers of one process.
pub struct WorkerPool {
    tasks: JoinSet<()>,
    stop: watch::Receiver<bool>,
    grace: Duration,
}

/// How one claimed job ended, from this worker's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processed {
    /// Recorded as completed or failed.
    Finished(JobStatus),
    /// Given back to the queue untried (shutdown, or the engine was busy).
    Released,
    /// Another worker took the job over (our lease expired): our outcome was discarded.
    LeaseLost,
}

impl WorkerPool {
    /// Starts `ocr.workers` workers and the maintenance task; they stop when `stop` turns true.
    pub fn start(service: Arc<OcrService>, stop: watch::Receiver<bool>) -> WorkerPool {
        let settings = &service.settings.ocr;
        let grace = Duration::from_millis(settings.shutdown_grace_ms);
        let mut tasks = JoinSet::new();
        let instance = crate::cluster::instance();
        for n in 0..settings.workers {
            let owner = format!("{instance}:w{n}");
            tasks.spawn(work(service.clone(), owner, stop.clone()));
        }
        tasks.spawn(super::maintenance::run(service.clone(), stop.clone()));
        tracing::info!(
            workers = settings.workers,
            engine = settings.engine.as_str(),
            "OCR workers started"
        );
        WorkerPool { tasks, stop, grace }
    }

    /// Waits for every worker to stop (after the stop signal), bounded by the grace period plus
    /// a margin for the final database writes.
    pub async fn join(mut self) {
        let _ = self.stop.wait_for(|s| *s).await;
        let bound = self.grace + Duration::from_secs(10);
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(bound, all).await.is_err() {
            tracing::warn!("OCR workers did not stop in time; aborting them");
            self.tasks.abort_all();
        }
        tracing::info!("OCR workers stopped");
    }
}

async fn work(service: Arc<OcrService>, owner: String, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(service.settings.ocr.poll_ms);
    // A dropped sender means stop, too (never spin on a closed channel).
    while !*stop.borrow() && stop.has_changed().is_ok() {
        let claimed = service.claim(&owner).await;
        match claimed {
            Ok(Some(job)) => {
                let outcome = service.process(job, &owner, stop.clone()).await;
                if matches!(outcome, Ok(Processed::Released)) && !*stop.borrow() {
                    tokio::time::sleep(BUSY_BACKOFF).await;
                }
                if let Err(e) = outcome {
                    tracing::warn!(worker = %owner, error = %e, "OCR job bookkeeping failed");
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(worker = %owner, error = %e, "cannot claim an OCR job"),
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = service.wake.notified() => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
}

/// The result of the engine call, or why there is none.
enum Outcome {
    Text(String),
    Failed(&'static str, String),
    Busy,
    LeaseLost,
    Stopped,
}

impl OcrService {
    /// Runs one claimed job to its end: the engine call races the heartbeat (which notices a
    /// lost lease) and the shutdown deadline.
    pub async fn process(
        &self,
        job: JobRow,
        owner: &str,
        mut stop: watch::Receiver<bool>,
    ) -> Result<Processed> {
        let kind = self.engines.resolve(job.engine.as_deref());
        let engine = kind.as_str();
        let image = match job.image_path.as_deref().filter(|_| job.has_image()) {
            Some(rel) => Some(self.images.path_of(rel)?),
            None => None,
        };
        let exists = match &image {
            Some(path) => tokio::fs::try_exists(path).await.unwrap_or(false),
            None => false,
        };
        let grace = Duration::from_millis(self.settings.ocr.shutdown_grace_ms);
        let outcome = match image.filter(|_| exists) {
            None => Outcome::Failed(
                reason::IMAGE_MISSING,
                "the receipt image is no longer stored".into(),
            ),
            Some(path) => {
                let mime = job.image_content_type.clone().unwrap_or_default();
                let deadline = async {
                    let _ = stop.wait_for(|s| *s).await;
                    tokio::time::sleep(grace).await;
                };
                tokio::select! {
                    ran = self.engines.run(kind, &path, &mime) => match ran {
                        Ok(text) => Outcome::Text(text),
                        Err(RunError::Busy) => Outcome::Busy,
                        Err(RunError::CircuitOpen { .. }) => Outcome::Failed(
                            reason::CIRCUIT_OPEN,
                            format!("the {engine} circuit breaker is open; replay the job once it has closed"),
                        ),
                        Err(RunError::Engine(e)) => Outcome::Failed(e.reason(), e.to_string()),
                    },
                    () = self.heartbeat(job.id, owner) => Outcome::LeaseLost,
                    () = deadline => Outcome::Stopped,
                }
            }
        };
        let now = self.clock.now_ms();
        let processed = match outcome {
            Outcome::Busy | Outcome::Stopped => {
                let released = super::store::release(&self.db, job.id, owner, now).await?;
                if released {
                    self.wake.notify_one();
                    Processed::Released
                } else {
                    Processed::LeaseLost
                }
            }
            Outcome::LeaseLost => Processed::LeaseLost,
            Outcome::Text(text) if text.trim().is_empty() => {
                self.finish_failed(
                    &job,
                    owner,
                    kind,
                    reason::NO_TEXT,
                    "no text was found in the image",
                    now,
                )
                .await?
            }
            Outcome::Text(text) => {
                let receipt = parser::parse(&text);
                let result = serde_json::to_value(&receipt).unwrap_or(Value::Null);
                if super::store::complete(&self.db, job.id, owner, engine, &result, now).await? {
                    self.count(JobStatus::Completed, kind);
                    Processed::Finished(JobStatus::Completed)
                } else {
                    Processed::LeaseLost
                }
            }
            Outcome::Failed(why, message) => {
                self.finish_failed(&job, owner, kind, why, &message, now)
                    .await?
            }
        };
        match processed {
            Processed::Finished(status) => {
                tracing::info!(job = %job.id, %status, engine, attempts = job.attempts, "OCR job finished");
                self.finished.notify_waiters();
            }
            Processed::LeaseLost => {
                tracing::warn!(job = %job.id, worker = owner, "lost the lease of an OCR job; its outcome was discarded");
            }
            Processed::Released => {}
        }
        Ok(processed)
    }

    async fn finish_failed(
        &self,
        job: &JobRow,
        owner: &str,
        kind: OcrEngineKind,
        why: &str,
        message: &str,
        now: i64,
    ) -> Result<Processed> {
        if super::store::fail(&self.db, job.id, owner, kind.as_str(), why, message, now).await? {
            self.count(JobStatus::Failed, kind);
            Ok(Processed::Finished(JobStatus::Failed))
        } else {
            Ok(Processed::LeaseLost)
        }
    }

    /// Renews the lease every `heartbeat_ms`; returns only when the lease is lost.
    async fn heartbeat(&self, job: Id, owner: &str) {
        let every = Duration::from_millis(self.settings.ocr.heartbeat_ms);
        let lease = i64::try_from(self.settings.ocr.lease_ms).unwrap_or(i64::MAX);
        loop {
            tokio::time::sleep(every).await;
            match super::store::heartbeat(&self.db, job, owner, self.clock.now_ms(), lease).await {
                Ok(true) => {}
                Ok(false) => return,
                // A database hiccup: keep working; the lease covers a few missed beats.
                Err(e) => tracing::warn!(%job, error = %e, "OCR heartbeat failed"),
            }
        }
    }

    fn count(&self, status: JobStatus, kind: OcrEngineKind) {
        self.metrics.ocr_processing_total.inc((status, Some(kind)));
    }
}
