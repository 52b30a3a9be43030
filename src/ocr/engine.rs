//! The OCR engines behind one trait, each wrapped in its own circuit breaker, timed and counted.
//!
//! An engine turns an image file into text. [`Engines::run`] is the only way the workers call
//! one: it refuses fast while the engine's breaker is open, records the outcome in the breaker,
//! and moves `mita_external_api_requests_total{service,status}`,
//! `mita_external_api_duration_seconds{service}` and `mita_ocr_processing_duration_seconds{engine}`.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use crate::clock::Clock;
use crate::config::{OcrEngineKind, OcrSettings};
use crate::error::Result;
use crate::metrics::{ExternalService, ExternalStatus, Metrics};
use crate::resilience::{BreakerConfig, BreakerState, CircuitBreaker};

use super::job::reason;

/// What an engine call returns.
pub type EngineFuture<'a> = Pin<Box<dyn Future<Output = Result<String, EngineError>> + Send + 'a>>;

/// Something that reads the text of a receipt image.
pub trait OcrEngine: Send + Sync {
    /// Reads `image` (a file of type `mime`) and returns its text, lines separated by `\n`.
    fn recognize<'a>(&'a self, image: &'a Path, mime: &'a str) -> EngineFuture<'a>;
}

/// Why an engine call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No answer within the deadline (the process is killed).
    #[error("the OCR engine timed out")]
    Timeout,
    /// The engine is missing or cannot be reached.
    #[error("the OCR engine is unavailable: {0}")]
    Unavailable(String),
    /// The engine failed.
    #[error("the OCR engine failed: {0}")]
    Failed(String),
    /// The engine works but cannot decode this image (does not count against the engine).
    #[error("the image cannot be read: {0}")]
    UnreadableImage(String),
}

impl EngineError {
    /// The job's `error_reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            EngineError::Timeout => reason::TIMEOUT,
            EngineError::Unavailable(_) => reason::ENGINE_UNAVAILABLE,
            EngineError::Failed(_) => reason::ENGINE_ERROR,
            EngineError::UnreadableImage(_) => reason::UNREADABLE_IMAGE,
        }
    }
}

/// Why [`Engines::run`] produced no text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// The breaker is open: the engine was not called.
    CircuitOpen { retry_after_ms: i64 },
    /// The breaker is half-open and its trial call is in flight: try again shortly.
    Busy,
    /// The engine was called and failed.
    Engine(EngineError),
}

struct Slot {
    kind: OcrEngineKind,
    service: ExternalService,
    engine: Arc<dyn OcrEngine>,
    breaker: CircuitBreaker,
}

/// The configured engines. Tesseract is always present; Google Vision when it has an API key.
pub struct Engines {
    default: OcrEngineKind,
    slots: Vec<Slot>,
    metrics: Arc<Metrics>,
    clock: Clock,
    breaker: BreakerConfig,
}

/// The breaker (and external-service) label of an engine.
pub fn service_label(kind: OcrEngineKind) -> ExternalService {
    match kind {
        OcrEngineKind::Tesseract => ExternalService::OcrTesseract,
        OcrEngineKind::GoogleVision => ExternalService::OcrGoogleVision,
    }
}

impl Engines {
    /// The engines `settings` describe.
    pub fn from_settings(
        settings: &OcrSettings,
        clock: Clock,
        metrics: Arc<Metrics>,
    ) -> Result<Self> {
        let breaker = BreakerConfig {
            failure_threshold: settings.breaker_failure_threshold,
            open_for_ms: settings.breaker_open_ms,
            half_open_max_calls: 1,
        };
        let mut engines = Engines {
            default: settings.engine,
            slots: Vec::new(),
            metrics,
            clock,
            breaker,
        };
        engines.set(
            OcrEngineKind::Tesseract,
            Arc::new(super::tesseract::Tesseract::new(settings)),
        );
        if settings.google_vision_configured() {
            engines.set(
                OcrEngineKind::GoogleVision,
                Arc::new(super::google_vision::GoogleVision::new(
                    &settings.google_vision,
                )?),
            );
        }
        Ok(engines)
    }

    /// Installs (or replaces) the engine of `kind`, with a fresh closed breaker.
    pub fn set(&mut self, kind: OcrEngineKind, engine: Arc<dyn OcrEngine>) {
        let service = service_label(kind);
        self.slots.retain(|s| s.kind != kind);
        self.slots.push(Slot {
            kind,
            service,
            engine,
            breaker: CircuitBreaker::new(
                service,
                self.breaker,
                self.clock.clone(),
                Some(self.metrics.clone()),
            ),
        });
    }

    /// The engine for everyone (`ocr.engine`).
    pub fn default_kind(&self) -> OcrEngineKind {
        self.default
    }

    /// The engine a new job of this user gets: Google Vision for premium users when configured.
    pub fn for_user(&self, premium: bool) -> OcrEngineKind {
        if premium && self.has(OcrEngineKind::GoogleVision) {
            OcrEngineKind::GoogleVision
        } else {
            self.default
        }
    }

    /// True when the engine of `kind` is configured.
    pub fn has(&self, kind: OcrEngineKind) -> bool {
        self.slots.iter().any(|s| s.kind == kind)
    }

    /// The engine that runs a job stored with `engine` (tesseract when that one is not here).
    pub fn resolve(&self, engine: Option<&str>) -> OcrEngineKind {
        engine
            .and_then(OcrEngineKind::parse)
            .filter(|k| self.has(*k))
            .unwrap_or(OcrEngineKind::Tesseract)
    }

    /// The breaker state of an engine (closed for an engine that is not configured).
    pub fn breaker_state(&self, kind: OcrEngineKind) -> BreakerState {
        self.slot(kind)
            .map(|s| s.breaker.state())
            .unwrap_or(BreakerState::Closed)
    }

    fn slot(&self, kind: OcrEngineKind) -> Option<&Slot> {
        self.slots.iter().find(|s| s.kind == kind)
    }

    /// Reads `image` with the engine of `kind`, through its breaker.
    pub async fn run(
        &self,
        kind: OcrEngineKind,
        image: &Path,
        mime: &str,
    ) -> Result<String, RunError> {
        let Some(slot) = self
            .slot(kind)
            .or_else(|| self.slot(OcrEngineKind::Tesseract))
        else {
            return Err(RunError::Engine(EngineError::Unavailable(
                "no OCR engine is configured".into(),
            )));
        };
        let permit = match slot.breaker.try_acquire() {
            Ok(p) => p,
            Err(open) if open.retry_after_ms == 0 => return Err(RunError::Busy),
            Err(open) => {
                self.count(slot.service, ExternalStatus::CircuitOpen);
                return Err(RunError::CircuitOpen {
                    retry_after_ms: open.retry_after_ms,
                });
            }
        };
        // Wall time for the histograms; the injected clock is for rules, not durations.
        let started = Instant::now();
        let outcome = slot.engine.recognize(image, mime).await;
        let secs = started.elapsed().as_secs_f64();
        self.metrics
            .external_api_duration_seconds
            .observe(slot.service, secs);
        self.metrics
            .ocr_processing_duration_seconds
            .observe(slot.kind, secs);
        match outcome {
            Ok(text) => {
                permit.success();
                self.count(slot.service, ExternalStatus::Ok);
                Ok(text)
            }
            Err(e @ EngineError::UnreadableImage(_)) => {
                // The engine answered; the image is the problem.
                permit.success();
                self.count(slot.service, ExternalStatus::Ok);
                Err(RunError::Engine(e))
            }
            Err(e) => {
                permit.failure();
                let status = ExternalStatus::failed(e == EngineError::Timeout);
                self.count(slot.service, status);
                tracing::warn!(service = slot.service.as_str(), error = %e, "OCR engine call failed");
                Err(RunError::Engine(e))
            }
        }
    }

    fn count(&self, service: ExternalService, status: ExternalStatus) {
        self.metrics
            .external_api_requests_total
            .inc((service, status));
    }
}
