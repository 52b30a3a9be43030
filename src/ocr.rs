//! Receipt OCR: a durable job queue in `ocr_jobs`, workers inside `mita serve`, two engines
//! (local `tesseract`, Google Cloud Vision) behind circuit breakers, and a receipt parser.
//!
//! An upload stores the image under the image directory and inserts a `pending` job; a worker
//! (in any instance sharing the database) claims it with a lease, runs the engine, parses the
//! text and records `completed` with the receipt or `failed` with a reason. A failed job keeps
//! its image, so `mita ocr replay` can put it back in the queue. The API and the CLI use this
//! one service.

pub mod engine;
pub mod google_vision;
pub mod images;
pub mod job;
mod maintenance;
pub mod parser;
mod replay;
pub mod review;
mod store;
pub mod tesseract;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::config::{OcrEngineKind, Settings};
use crate::db::Db;
use crate::error::{Code, Error, Result};
use crate::id::Id;
use crate::metrics::Metrics;
use crate::resilience::BreakerState;

pub use engine::{EngineError, EngineFuture, Engines, OcrEngine};
pub use images::{ImageStore, ImageType, sniff};
pub use job::{
    DEFAULT_LIST_LIMIT, JobFilter, JobRow, JobStatus, JobSummary, JobView, MAX_LIST_LIMIT, reason,
};
pub use replay::{ReplayCandidate, ReplaySelection};
pub use worker::{Processed, WorkerPool};

/// The OCR service of one process. Build it once and share it (`Arc`).
pub struct OcrService {
    db: Db,
    clock: Clock,
    settings: Arc<Settings>,
    metrics: Arc<Metrics>,
    audit: AuditLog,
    engines: Engines,
    images: ImageStore,
    /// Wakes idle workers of this process when a job is queued here.
    wake: Notify,
    /// Wakes `?wait=true` requests when a worker of this process finishes a job.
    finished: Notify,
    /// The replay total last seen in the database (moves `mita_ocr_replays_total`).
    replays_seen: std::sync::Mutex<Option<i64>>,
    /// What the last shared-directory check found (None before the first).
    dir_check: std::sync::Mutex<Option<crate::cluster::SharedDir>>,
}

impl OcrService {
    /// The service with the engines `settings.ocr` configures.
    pub fn new(
        db: Db,
        clock: Clock,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
        audit: AuditLog,
    ) -> Result<Self> {
        let engines = Engines::from_settings(&settings.ocr, clock.clone(), metrics.clone())?;
        Ok(Self::with_engines(
            db, clock, settings, metrics, audit, engines,
        ))
    }

    /// The service with the given engines (tests install fakes with [`Engines::set`]).
    pub fn with_engines(
        db: Db,
        clock: Clock,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
        audit: AuditLog,
        engines: Engines,
    ) -> Self {
        let images = ImageStore::new(settings.ocr_image_dir());
        for status in [JobStatus::Pending, JobStatus::Processing, JobStatus::Failed] {
            metrics.ocr_jobs.set(status, 0);
        }
        OcrService {
            db,
            clock,
            settings,
            metrics,
            audit,
            engines,
            images,
            wake: Notify::new(),
            finished: Notify::new(),
            replays_seen: std::sync::Mutex::new(None),
            dir_check: std::sync::Mutex::new(None),
        }
    }

    /// The engines (for `/health`).
    pub fn engines(&self) -> &Engines {
        &self.engines
    }

    /// Checks that the other instances seen recently share the image directory (their marker
    /// files are there; see [`crate::cluster::check_shared_dir`]) and logs an error when one does
    /// not: its uploads could not be processed or served here. Run at start and periodically.
    pub async fn check_shared_dir(&self) -> Result<crate::cluster::SharedDir> {
        let found =
            crate::cluster::check_shared_dir(&self.db, self.images.dir(), self.clock.now_ms())
                .await?;
        if !found.missing.is_empty() {
            tracing::error!(
                dir = %self.images.dir().display(),
                instances = ?found.missing,
                "ocr.image_dir is not shared with these instances: receipts they stored cannot be processed or served here (mount the same directory on every instance)"
            );
        }
        *self
            .dir_check
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(found.clone());
        Ok(found)
    }

    /// `shared` (every other live instance's marker is in the directory, or there is none),
    /// `not_shared`, or `unchecked` — for `/health`.
    pub fn image_dir_state(&self) -> &'static str {
        match &*self
            .dir_check
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            None => "unchecked",
            Some(c) if c.missing.is_empty() => "shared",
            Some(_) => "not_shared",
        }
    }

    /// The default engine and its breaker state, for `/health`.
    pub fn health(&self) -> (OcrEngineKind, BreakerState) {
        let kind = self.engines.default_kind();
        (kind, self.engines.breaker_state(kind))
    }

    /// Stores an uploaded image and queues a job for it; answers at once.
    pub async fn submit(&self, user: Id, premium: bool, bytes: &[u8]) -> Result<JobView> {
        let limit = self.settings.limits.upload_bytes;
        if bytes.len() > limit {
            return Err(Error::invalid(
                Code::Validation2002,
                "body.receipt",
                "size",
                format!("must be at most {limit} bytes"),
            ));
        }
        let kind = sniff(bytes).ok_or_else(|| {
            Error::invalid(
                Code::Validation2002,
                "body.receipt",
                "type",
                "must be a JPEG, PNG, WebP or HEIC image",
            )
        })?;
        // The header must hold together and name a size the engines can take: a few bytes can
        // claim gigapixels (a decompression bomb for the decoder).
        let (width, height) = images::dimensions(bytes).ok_or_else(|| {
            Error::invalid(
                Code::Validation2002,
                "body.receipt",
                "type",
                "is not a readable image (its header is damaged)",
            )
        })?;
        let max_pixels = self.settings.ocr.max_pixels;
        if max_pixels > 0 && width.saturating_mul(height) > max_pixels {
            return Err(Error::invalid(
                Code::Validation2002,
                "body.receipt",
                "size",
                format!("must be at most {max_pixels} pixels (width × height)"),
            ));
        }
        self.check_quota(user, bytes.len()).await?;
        let id = Id::new();
        let name = ImageStore::relative_name(id, kind);
        self.images.save(&name, bytes).await?;
        let new = store::NewJob {
            id,
            user_id: user,
            engine: self.engines.for_user(premium).as_str(),
            max_attempts: self.settings.ocr.max_attempts,
            image_path: &name,
            image_content_type: kind.mime(),
            image_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            now_ms: self.clock.now_ms(),
        };
        if let Err(e) = store::insert(&self.db, &new).await {
            let _ = self.images.remove(&name).await;
            return Err(e);
        }
        self.wake.notify_one();
        self.status(user, id).await
    }

    /// Checks `images` (type, header, size in pixels) and the user's quotas for all of them at
    /// once, before a batch queues any: the first bad image is a 422 naming `body.files[i]`.
    pub async fn check_batch(&self, user: Id, images: &[&[u8]]) -> Result<()> {
        for (i, bytes) in images.iter().enumerate() {
            let bad = |what: &str| {
                Error::invalid(
                    Code::Validation2002,
                    &format!("body.files[{i}]"),
                    "type",
                    what,
                )
            };
            sniff(bytes).ok_or_else(|| bad("must be a JPEG, PNG, WebP or HEIC image"))?;
            let (w, h) = images::dimensions(bytes)
                .ok_or_else(|| bad("is not a readable image (its header is damaged)"))?;
            let max = self.settings.ocr.max_pixels;
            if max > 0 && w.saturating_mul(h) > max {
                return Err(bad("has too many pixels"));
            }
        }
        let ocr = &self.settings.ocr;
        let now = self.clock.now_ms();
        let (recent, stored) = store::usage(&self.db, user, now - 3_600_000).await?;
        let n = i64::try_from(images.len()).unwrap_or(i64::MAX);
        if ocr.uploads_per_user_per_hour > 0
            && recent.saturating_add(n) > i64::from(ocr.uploads_per_user_per_hour)
        {
            return Err(Error::RateLimited {
                retry_after_secs: 60,
            });
        }
        let bytes: i64 = images
            .iter()
            .map(|b| i64::try_from(b.len()).unwrap_or(i64::MAX))
            .fold(0i64, i64::saturating_add);
        let limit = i64::try_from(ocr.stored_bytes_per_user).unwrap_or(i64::MAX);
        if limit > 0 && stored.saturating_add(bytes) > limit {
            return Err(Error::Business {
                code: Code::Business4003,
                message: "Receipt storage is full: delete stored receipt images first".into(),
            });
        }
        Ok(())
    }

    /// The user's upload rate (`ocr.uploads_per_user_per_hour`, 429) and stored bytes
    /// (`ocr.stored_bytes_per_user`, 422 `BUSINESS_4003`), counted in the database so every
    /// instance sees the same figures (1 query).
    async fn check_quota(&self, user: Id, new_bytes: usize) -> Result<()> {
        let ocr = &self.settings.ocr;
        if ocr.uploads_per_user_per_hour == 0 && ocr.stored_bytes_per_user == 0 {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let (recent, stored) = store::usage(&self.db, user, now - 3_600_000).await?;
        if ocr.uploads_per_user_per_hour > 0 && recent >= i64::from(ocr.uploads_per_user_per_hour) {
            return Err(Error::RateLimited {
                retry_after_secs: 60,
            });
        }
        let new_bytes = i64::try_from(new_bytes).unwrap_or(i64::MAX);
        let limit = i64::try_from(ocr.stored_bytes_per_user).unwrap_or(i64::MAX);
        if limit > 0 && stored.saturating_add(new_bytes) > limit {
            return Err(Error::Business {
                code: Code::Business4003,
                message: "Receipt storage is full: delete stored receipt images first".into(),
            });
        }
        Ok(())
    }

    /// The stored image names of the user's jobs (to remove the files once the account and its
    /// rows are gone).
    pub async fn image_names_of(&self, user: Id) -> Result<Vec<String>> {
        store::image_names_of(&self.db, user).await
    }

    /// Removes image files by stored name (files already gone are fine); returns how many
    /// could not be removed (logged).
    pub async fn remove_images(&self, names: &[String]) -> usize {
        let mut failed = 0;
        for name in names {
            if let Err(e) = self.images.remove(name).await {
                tracing::warn!(error = %e, "cannot remove a receipt image");
                failed += 1;
            }
        }
        failed
    }

    /// The job, if it belongs to `user` (someone else's job is "not found").
    pub async fn status(&self, user: Id, job: Id) -> Result<JobView> {
        Ok(JobView::from(&self.owned(user, job).await?))
    }

    /// Waits up to `timeout` (bounded by `ocr.wait_timeout_ms`) for the job to finish, then
    /// returns it as it is.
    pub async fn wait(&self, user: Id, job: Id, timeout: Duration) -> Result<JobView> {
        let timeout = timeout.min(Duration::from_millis(self.settings.ocr.wait_timeout_ms));
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let finished = self.finished.notified();
            let view = self.status(user, job).await?;
            if view.status.is_terminal() || tokio::time::Instant::now() >= deadline {
                return Ok(view);
            }
            // Another instance may finish it: poll as well as listen.
            let nap = tokio::time::sleep(Duration::from_millis(200));
            tokio::select! {
                () = finished => {}
                () = nap => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// The image of the user's job and its MIME type.
    pub async fn image(&self, user: Id, job: Id) -> Result<(Vec<u8>, String)> {
        let row = self.owned(user, job).await?;
        let Some(name) = row.image_path.as_deref().filter(|_| row.has_image()) else {
            return Err(Error::NotFound("Receipt image"));
        };
        let bytes = self
            .images
            .read(name)
            .await?
            .ok_or(Error::NotFound("Receipt image"))?;
        let mime = row
            .image_content_type
            .unwrap_or_else(|| "application/octet-stream".into());
        Ok((bytes, mime))
    }

    /// The content type of the user's stored image (404 when there is none any more), without
    /// reading the file.
    pub async fn image_type(&self, user: Id, job: Id) -> Result<String> {
        let row = self.owned(user, job).await?;
        if row.image_path.is_none() || !row.has_image() {
            return Err(Error::NotFound("Receipt image"));
        }
        Ok(row
            .image_content_type
            .unwrap_or_else(|| "application/octet-stream".into()))
    }

    /// Deletes the image of the user's finished job (a queued job still needs it: 409).
    pub async fn delete_image(&self, user: Id, job: Id) -> Result<()> {
        let row = self.owned(user, job).await?;
        if !row.status().is_terminal() {
            return Err(Error::Conflict {
                code: Code::Resource3002,
                message: "The job is still being processed; its image is needed".into(),
            });
        }
        let Some(name) = row.image_path.as_deref().filter(|_| row.has_image()) else {
            return Err(Error::NotFound("Receipt image"));
        };
        if !store::mark_image_purged(&self.db, job, self.clock.now_ms(), true).await? {
            return Err(Error::NotFound("Receipt image"));
        }
        self.images.remove(name).await
    }

    /// Jobs for operators (`mita ocr list`, `GET /api/admin/ocr/jobs`), newest first.
    pub async fn list(&self, filter: &JobFilter) -> Result<Vec<JobSummary>> {
        let rows = store::list(&self.db, filter).await?;
        Ok(rows.iter().map(JobSummary::from).collect())
    }

    /// One job for operators, whoever owns it.
    pub async fn get(&self, job: Id) -> Result<JobSummary> {
        store::get(&self.db, job)
            .await?
            .map(|r| JobSummary::from(&r))
            .ok_or(Error::NotFound("OCR job"))
    }

    /// Claims the oldest pending job for `owner`.
    pub async fn claim(&self, owner: &str) -> Result<Option<JobRow>> {
        let lease = i64::try_from(self.settings.ocr.lease_ms).unwrap_or(i64::MAX);
        store::claim(&self.db, owner, self.clock.now_ms(), lease).await
    }

    /// Returns jobs of dead workers to the queue (or fails them after `max_attempts`).
    pub async fn requeue_expired(&self) -> Result<u64> {
        let (requeued, failed) = store::requeue_expired(&self.db, self.clock.now_ms()).await?;
        for engine in &failed {
            // A job no engine took counts as engine="none".
            let engine = engine.as_deref().and_then(OcrEngineKind::parse);
            self.metrics
                .ocr_processing_total
                .inc((JobStatus::Failed, engine));
        }
        Ok(requeued + failed.len() as u64)
    }

    /// One worker step, for tests and tools: requeue expired leases, claim one job, process it.
    pub async fn run_once(&self, owner: &str) -> Result<Option<(Id, Processed)>> {
        self.requeue_expired().await?;
        let Some(job) = self.claim(owner).await? else {
            return Ok(None);
        };
        let id = job.id;
        let (_keep, never) = tokio::sync::watch::channel(false);
        Ok(Some((id, self.process(job, owner, never).await?)))
    }

    async fn owned(&self, user: Id, job: Id) -> Result<JobRow> {
        store::get(&self.db, job)
            .await?
            .filter(|r| r.user_id == user)
            .ok_or(Error::NotFound("OCR job"))
    }
}
