//! The maintenance task of a `mita serve` (one per process, also with 0 workers): returns jobs of
//! dead workers to the queue, refreshes the queue gauges (and the replay counter) from the
//! database, and removes the images of old completed jobs.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::job::JobStatus;
use super::{OcrService, store};
use crate::error::Result;

/// How often the queue gauges and the replay counter are refreshed from the database.
const GAUGE_EVERY: Duration = Duration::from_secs(5);
/// How often old images are looked for.
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// Runs until `stop` turns true, every `ocr.poll_ms`.
pub async fn run(service: Arc<OcrService>, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(service.settings.ocr.poll_ms);
    let mut last_gauges = tokio::time::Instant::now() - GAUGE_EVERY;
    let mut last_purge = tokio::time::Instant::now();
    service.refresh_gauges().await;
    // A dropped sender means stop, too (never spin on a closed channel).
    while !*stop.borrow() && stop.has_changed().is_ok() {
        // Every instance may requeue (conditional updates: a job is returned once) and refresh
        // its own gauges; the image purge runs on one instance at a time (a cluster lease).
        match service.requeue_expired().await {
            Ok(0) => {}
            Ok(n) => {
                tracing::warn!(
                    jobs = n,
                    "OCR jobs whose worker stopped were returned to the queue"
                );
                service.wake.notify_waiters();
            }
            Err(e) => tracing::warn!(error = %e, "cannot requeue expired OCR leases"),
        }
        if last_gauges.elapsed() >= GAUGE_EVERY {
            service.refresh_gauges().await;
            last_gauges = tokio::time::Instant::now();
        }
        if last_purge.elapsed() >= PURGE_EVERY {
            let ttl = i64::try_from(PURGE_EVERY.as_millis()).unwrap_or(i64::MAX) * 9 / 10;
            let mine =
                crate::cluster::lease(&service.db, "ocr_image_purge", service.clock.now_ms(), ttl)
                    .await
                    .unwrap_or(false);
            let purged = if mine {
                service.purge_images().await
            } else {
                Ok(0)
            };
            match purged {
                Ok(0) => {}
                Ok(n) => tracing::info!(images = n, "removed images of old finished OCR jobs"),
                Err(e) => tracing::warn!(error = %e, "cannot remove old OCR images"),
            }
            last_purge = tokio::time::Instant::now();
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
}

impl OcrService {
    /// Sets `mita_ocr_jobs{status}` from the database and moves `mita_ocr_replays_total` by the
    /// replays made since the last look (by any process, e.g. `mita ocr replay`).
    pub async fn refresh_gauges(&self) {
        match store::counts(&self.db).await {
            Ok(counts) => {
                for status in [JobStatus::Pending, JobStatus::Processing, JobStatus::Failed] {
                    let n = counts
                        .iter()
                        .find(|(s, _)| s == status.as_str())
                        .map_or(0, |(_, n)| *n);
                    self.metrics.ocr_jobs.set(status, n);
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot count OCR jobs"),
        }
        match store::replay_sum(&self.db).await {
            Ok(sum) => {
                let mut seen = self
                    .replays_seen
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(before) = *seen
                    && sum > before
                {
                    self.metrics
                        .ocr_replays_total
                        .inc_by(u64::try_from(sum - before).unwrap_or(0));
                }
                *seen = Some(sum);
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the OCR replay total"),
        }
    }

    /// Removes the images of jobs finished (completed or failed) longer ago than the retention;
    /// returns how many.
    pub async fn purge_images(&self) -> Result<u64> {
        let hours =
            i64::try_from(self.settings.ocr.completed_image_retention_hours).unwrap_or(i64::MAX);
        let now = self.clock.now_ms();
        let cutoff = now.saturating_sub(hours.saturating_mul(3_600_000));
        let mut removed = 0;
        for (id, name) in store::images_to_purge(&self.db, cutoff, 500).await? {
            if store::mark_image_purged(&self.db, id, now, true).await? {
                self.images.remove(&name).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}
