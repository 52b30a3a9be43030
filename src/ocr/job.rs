//! The OCR job as stored (`ocr_jobs`) and as the API and the CLI show it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use crate::clock::rfc3339;
use crate::error::{Code, Error};
use crate::id::Id;

pub use crate::metrics::JobStatus;

impl JobStatus {
    /// Completed or failed: nothing more will happen without a replay.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Failed)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    Code::Validation2001,
                    "status",
                    "enum",
                    "must be one of pending, processing, completed, failed",
                )
            })
    }
}

/// Why a job failed (`error_reason`): a short, stable token that scripts and `--error-reason`
/// filter on.
pub mod reason {
    /// The engine's circuit breaker was open: the job was not tried. Replay once it closes.
    pub const CIRCUIT_OPEN: &str = "circuit_open";
    /// The engine failed (error answer, crash, unreadable output).
    pub const ENGINE_ERROR: &str = "engine_error";
    /// The engine did not answer within `ocr.timeout_ms`.
    pub const TIMEOUT: &str = "timeout";
    /// The engine is not installed or not configured.
    pub const ENGINE_UNAVAILABLE: &str = "engine_unavailable";
    /// The engine could not decode the image (e.g. HEIC for tesseract).
    pub const UNREADABLE_IMAGE: &str = "unreadable_image";
    /// The engine read the image and found no text.
    pub const NO_TEXT: &str = "no_text";
    /// The stored image file is gone.
    pub const IMAGE_MISSING: &str = "image_missing";
    /// Workers kept dying while holding the job (`max_attempts` lease expiries).
    pub const LEASE_EXPIRED: &str = "lease_expired";

    /// What the job's owner is told for a reason. The engine's own message (which may name
    /// server paths or programs) is kept for operators (`mita ocr list`) and never shown to users.
    pub fn user_message(reason: Option<&str>) -> &'static str {
        match reason {
            Some(NO_TEXT) => "No text was found on the image",
            Some(UNREADABLE_IMAGE) => "The image could not be read",
            Some(TIMEOUT) => "Reading the receipt took too long; it will be tried again",
            Some(CIRCUIT_OPEN | ENGINE_UNAVAILABLE) => {
                "Receipt recognition is unavailable; the receipt is kept and will be tried again"
            }
            Some(IMAGE_MISSING) => "The receipt image is no longer stored",
            _ => "Receipt recognition failed; the receipt is kept and can be tried again",
        }
    }
}

/// One row of `ocr_jobs`.
#[derive(Clone, Debug, sqlx::FromRow, mita::db::lite::LiteRow)]
pub struct JobRow {
    pub id: Id,
    pub user_id: Id,
    pub status: String,
    pub engine: Option<String>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<i64>,
    pub heartbeat_at: Option<i64>,
    pub image_path: Option<String>,
    pub image_content_type: Option<String>,
    pub image_bytes: Option<i64>,
    pub result: Option<Json<Value>>,
    pub error: Option<String>,
    pub error_reason: Option<String>,
    pub replay_count: i32,
    pub replay_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub image_purged_at: Option<i64>,
}

impl JobRow {
    /// The status (an unknown stored value reads as failed, which only a replay changes).
    pub fn status(&self) -> JobStatus {
        self.status.parse().unwrap_or(JobStatus::Failed)
    }

    /// True while the image file should still exist.
    pub fn has_image(&self) -> bool {
        self.image_path.is_some() && self.image_purged_at.is_none()
    }
}

/// A job as its owner sees it (`GET /api/ocr/status/{job_id}`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JobView {
    pub job_id: Id,
    pub status: JobStatus,
    /// 0 pending, 50 processing, 100 completed or failed.
    pub progress: u8,
    pub engine: Option<String>,
    pub attempts: i32,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    /// The parsed receipt (completed jobs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// What went wrong (failed jobs), in words for the user (see [`reason::user_message`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_reason: Option<String>,
}

impl From<&JobRow> for JobView {
    fn from(r: &JobRow) -> Self {
        let status = r.status();
        let failed = status == JobStatus::Failed;
        JobView {
            job_id: r.id,
            status,
            progress: match status {
                JobStatus::Pending => 0,
                JobStatus::Processing => 50,
                JobStatus::Completed | JobStatus::Failed => 100,
            },
            engine: r.engine.clone(),
            attempts: r.attempts,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            started_at: r.started_at.map(rfc3339),
            completed_at: r.completed_at.map(rfc3339),
            result: (status == JobStatus::Completed)
                .then(|| r.result.as_ref().map(|j| j.0.clone()))
                .flatten(),
            error: failed.then(|| reason::user_message(r.error_reason.as_deref()).to_string()),
            error_reason: failed.then(|| r.error_reason.clone()).flatten(),
        }
    }
}

/// A job with its parsed receipt also under the names the mobile app reads at the top level
/// (`POST /api/transactions/receipt`, ocr_service.dart `_buildEnhancedResult`): `merchant`,
/// `total`, `date`, `category`, `items[{name, price}]`, `raw_text`, `receipt_image_path`. Absent
/// until the job completed.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ReceiptAnswer {
    #[serde(flatten)]
    pub job: JobView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_text: Option<Value>,
    /// Where the owner fetches the stored image's bytes (with the bearer token).
    pub receipt_image_path: String,
}

impl From<JobView> for ReceiptAnswer {
    fn from(job: JobView) -> Self {
        let result = job.result.clone().unwrap_or(Value::Null);
        let field = |name: &str| result.get(name).filter(|v| !v.is_null()).cloned();
        let items = result.get("items").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .map(|item| {
                    let mut item = item.clone();
                    if let Some(o) = item.as_object_mut()
                        && let Some(amount) = o.get("amount").cloned()
                    {
                        o.insert("price".into(), amount);
                    }
                    item
                })
                .collect()
        });
        ReceiptAnswer {
            receipt_image_path: format!("/api/ocr/image/{}", job.job_id),
            merchant: field("merchant"),
            total: field("amount"),
            date: field("date"),
            category: field("category"),
            raw_text: field("raw_text"),
            items,
            job,
        }
    }
}

/// A job as operators see it (`mita ocr list`, `GET /api/admin/ocr/jobs`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JobSummary {
    pub id: Id,
    pub user_id: Id,
    pub status: JobStatus,
    pub engine: Option<String>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub replay_count: i32,
    pub error_reason: Option<String>,
    pub error: Option<String>,
    pub replay_reason: Option<String>,
    pub image_bytes: Option<i64>,
    /// False once the image file has been removed (retention or deletion): no replay then.
    pub image_kept: bool,
    /// Who holds the lease (processing jobs).
    pub lease_owner: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
}

impl From<&JobRow> for JobSummary {
    fn from(r: &JobRow) -> Self {
        JobSummary {
            id: r.id,
            user_id: r.user_id,
            status: r.status(),
            engine: r.engine.clone(),
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            replay_count: r.replay_count,
            error_reason: r.error_reason.clone(),
            error: r.error.clone(),
            replay_reason: r.replay_reason.clone(),
            image_bytes: r.image_bytes,
            image_kept: r.has_image(),
            lease_owner: r.lease_owner.clone(),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            completed_at: r.completed_at.map(rfc3339),
        }
    }
}

/// Which jobs to list. Every condition is optional; `limit` is clamped to `1..=1000`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    pub user_id: Option<Id>,
    /// Only jobs created at or after this instant (epoch ms).
    pub since_ms: Option<i64>,
    /// Only jobs whose `error_reason` is this.
    pub error_reason: Option<String>,
    pub limit: i64,
}

/// Jobs listed when the caller does not say.
pub const DEFAULT_LIST_LIMIT: i64 = 100;
/// Most jobs one list returns.
pub const MAX_LIST_LIMIT: i64 = 1000;
