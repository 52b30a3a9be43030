//! Replaying failed jobs (`mita ocr replay`): choose the jobs, say which cannot be replayed and
//! why, move the others back to pending (history, attempt count and last error kept), and record
//! one audit event. Safe while `mita serve` runs: each move is one guarded statement, and the
//! running workers pick the jobs up.

use serde::Serialize;
use serde_json::Value;

use super::OcrService;
use super::job::{JobFilter, JobRow, JobStatus};
use super::store;
use crate::audit::{AuditEvent, EventType, Outcome};
use crate::error::Result;
use crate::id::Id;

/// Job ids recorded in the audit event (the count is always complete).
const AUDITED_IDS: usize = 100;

/// Which failed jobs to replay: the listed ids, or every failed job matching the filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplaySelection {
    pub job_ids: Vec<Id>,
    pub all_failed: bool,
    pub user_id: Option<Id>,
    pub since_ms: Option<i64>,
    pub error_reason: Option<String>,
    pub limit: i64,
}

/// A job considered for a replay.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplayCandidate {
    pub job_id: Id,
    pub user_id: Option<Id>,
    /// Its status now (`None`: no such job).
    pub status: Option<JobStatus>,
    pub error_reason: Option<String>,
    pub attempts: i32,
    /// Why it cannot be replayed (`None`: it can).
    pub skip: Option<String>,
}

impl ReplayCandidate {
    fn of(row: &JobRow) -> Self {
        let status = row.status();
        let skip = if status != JobStatus::Failed {
            Some(format!("it is {status}, not failed"))
        } else if !row.has_image() {
            Some("its image is no longer kept".to_string())
        } else {
            None
        };
        ReplayCandidate {
            job_id: row.id,
            user_id: Some(row.user_id),
            status: Some(status),
            error_reason: row.error_reason.clone(),
            attempts: row.attempts,
            skip,
        }
    }

    fn missing(id: Id) -> Self {
        ReplayCandidate {
            job_id: id,
            user_id: None,
            status: None,
            error_reason: None,
            attempts: 0,
            skip: Some("no such job".to_string()),
        }
    }
}

impl OcrService {
    /// The jobs a replay would touch, oldest first, each with `skip` set when it cannot be
    /// replayed. Changes nothing.
    pub async fn replay_candidates(
        &self,
        selection: &ReplaySelection,
    ) -> Result<Vec<ReplayCandidate>> {
        let mut out = Vec::new();
        for id in &selection.job_ids {
            out.push(match store::get(&self.db, *id).await? {
                Some(row) => ReplayCandidate::of(&row),
                None => ReplayCandidate::missing(*id),
            });
        }
        if selection.all_failed {
            let filter = JobFilter {
                status: Some(JobStatus::Failed),
                user_id: selection.user_id,
                since_ms: selection.since_ms,
                error_reason: selection.error_reason.clone(),
                limit: selection.limit,
            };
            let mut rows = store::list(&self.db, &filter).await?;
            rows.reverse();
            for row in rows {
                if !out.iter().any(|c| c.job_id == row.id) {
                    out.push(ReplayCandidate::of(&row));
                }
            }
        }
        Ok(out)
    }

    /// Moves one failed job back to pending. False when it is no longer failed (or its image
    /// is gone): someone else changed it since it was chosen.
    pub async fn replay_job(&self, job: Id, reason: Option<&str>) -> Result<bool> {
        let replayed = store::requeue_failed(
            &self.db,
            job,
            reason,
            self.settings.ocr.max_attempts,
            self.clock.now_ms(),
        )
        .await?;
        if replayed {
            self.wake.notify_one();
        }
        Ok(replayed)
    }

    /// Records a replay in the audit log (one event: who, why, how many, which).
    pub fn audit_replay(&self, actor: &str, replayed: &[Id], skipped: usize, reason: Option<&str>) {
        let ids: Vec<Value> = replayed
            .iter()
            .take(AUDITED_IDS)
            .map(|id| Value::String(id.to_string()))
            .collect();
        let mut event = AuditEvent::new(EventType::AdminAction, Outcome::Success)
            .actor(actor)
            .detail("action", "ocr_replay")
            .detail("replayed", replayed.len())
            .detail("skipped", skipped)
            .detail("job_ids", Value::Array(ids));
        if let Some(reason) = reason {
            event = event.detail("reason", reason);
        }
        self.audit.record(event);
    }
}
