//! The `[ocr]` settings: the receipt job queue, its workers and the OCR engines.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;
use crate::error::{Error, Result};

/// Which OCR engine reads a receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OcrEngineKind {
    /// The local `tesseract` program (the default).
    #[default]
    Tesseract,
    /// Google Cloud Vision `images:annotate` over HTTPS.
    GoogleVision,
}

impl OcrEngineKind {
    /// The stored and metric-label name: `tesseract` or `google_vision`.
    pub fn as_str(self) -> &'static str {
        match self {
            OcrEngineKind::Tesseract => "tesseract",
            OcrEngineKind::GoogleVision => "google_vision",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<OcrEngineKind> {
        match name {
            "tesseract" => Some(OcrEngineKind::Tesseract),
            "google_vision" => Some(OcrEngineKind::GoogleVision),
            _ => None,
        }
    }
}

/// Google Cloud Vision. Configured when `api_key` is set; then premium users' receipts use it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct GoogleVisionSettings {
    /// Base URL; requests go to `{base_url}/v1/images:annotate` (a fake on loopback in tests).
    pub base_url: String,
    /// API key (`GOOGLE_VISION_API_KEY`); unset = engine off.
    pub api_key: Option<Secret>,
    /// Deadline of one call, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for GoogleVisionSettings {
    fn default() -> Self {
        GoogleVisionSettings {
            base_url: "https://vision.googleapis.com".to_string(),
            api_key: None,
            timeout_ms: 15_000,
        }
    }
}

/// The receipt OCR queue (`ocr_jobs`), the workers inside `mita serve`, and the engines.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct OcrSettings {
    /// Workers inside each `mita serve` (0 = this instance processes no jobs).
    pub workers: usize,
    /// The engine for everyone; premium users get `google_vision` whenever it is configured.
    pub engine: OcrEngineKind,
    /// Where receipt images are kept (default `<data_dir>/receipts`). Shared by every instance.
    pub image_dir: Option<PathBuf>,
    /// The `tesseract` program (a name looked up in `PATH`, or a path).
    pub tesseract_path: PathBuf,
    /// Tesseract language(s), e.g. `eng` or `eng+deu`.
    pub tesseract_lang: String,
    /// Deadline of one engine call, in milliseconds (the process is killed after it).
    pub timeout_ms: u64,
    /// Tesseract processes running at once in this instance (each takes about one core).
    pub concurrency: usize,
    /// How long a claimed job stays leased without a heartbeat before it returns to pending.
    pub lease_ms: u64,
    /// How often a worker renews its lease while working.
    pub heartbeat_ms: u64,
    /// How often an idle worker looks for new jobs (jobs created here wake it at once).
    pub poll_ms: u64,
    /// Claims of a job (per replay) before a job whose worker keeps dying is marked failed.
    pub max_attempts: i32,
    /// Longest `?wait=true` on an upload, in milliseconds (kept below the request timeout).
    pub wait_timeout_ms: u64,
    /// On shutdown: how long a worker may finish its job before it is returned to pending.
    pub shutdown_grace_ms: u64,
    /// Hours the image of a finished job (completed or failed) is kept; a failed job can be
    /// replayed until then.
    pub completed_image_retention_hours: u64,
    /// Receipt uploads one user may make per hour (every instance counts, through the
    /// database); 0 = no limit. It bounds Google Vision calls too (each upload is tried at most
    /// `max_attempts` times).
    pub uploads_per_user_per_hour: u32,
    /// Bytes of receipt images one user may keep stored at once; 0 = no limit.
    pub stored_bytes_per_user: u64,
    /// Largest image accepted, in pixels (width × height read from the header before the
    /// upload is queued: a small file can decode into gigabytes).
    pub max_pixels: u64,
    /// Address-space cap of one `tesseract` process, in MiB (`ulimit -v`); 0 = none.
    pub tesseract_memory_mb: u64,
    /// Consecutive engine failures that open an engine's circuit breaker.
    pub breaker_failure_threshold: u32,
    /// How long an open breaker fails jobs fast before a trial call, in milliseconds.
    pub breaker_open_ms: i64,
    pub google_vision: GoogleVisionSettings,
}

impl Default for OcrSettings {
    fn default() -> Self {
        OcrSettings {
            workers: 2,
            engine: OcrEngineKind::Tesseract,
            image_dir: None,
            tesseract_path: PathBuf::from("tesseract"),
            tesseract_lang: "eng".to_string(),
            timeout_ms: 30_000,
            concurrency: 2,
            lease_ms: 60_000,
            heartbeat_ms: 10_000,
            poll_ms: 1_000,
            max_attempts: 3,
            wait_timeout_ms: 30_000,
            shutdown_grace_ms: 10_000,
            completed_image_retention_hours: 24 * 30,
            uploads_per_user_per_hour: 60,
            stored_bytes_per_user: 200 * 1024 * 1024,
            max_pixels: 40_000_000,
            tesseract_memory_mb: 1024,
            breaker_failure_threshold: 5,
            breaker_open_ms: 30_000,
            google_vision: GoogleVisionSettings::default(),
        }
    }
}

impl OcrSettings {
    /// True when Google Vision has an API key.
    pub fn google_vision_configured(&self) -> bool {
        self.google_vision
            .api_key
            .as_ref()
            .is_some_and(|k| !k.expose().is_empty())
    }

    /// Rules that make the section unusable.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(format!("ocr.{m}")));
        if self.engine == OcrEngineKind::GoogleVision && !self.google_vision_configured() {
            return bad(
                "engine = \"google_vision\" needs ocr.google_vision.api_key (GOOGLE_VISION_API_KEY)",
            );
        }
        if self.max_attempts < 1 {
            return bad("max_attempts must be at least 1");
        }
        if self.lease_ms == 0 || self.heartbeat_ms == 0 || self.heartbeat_ms >= self.lease_ms {
            return bad("heartbeat_ms must be greater than 0 and less than lease_ms");
        }
        if self.timeout_ms == 0 || self.poll_ms == 0 {
            return bad("timeout_ms and poll_ms must be greater than 0");
        }
        if self.breaker_failure_threshold == 0 || self.breaker_open_ms <= 0 {
            return bad("breaker_failure_threshold and breaker_open_ms must be greater than 0");
        }
        Ok(())
    }
}
