//! A fake OCR engine and a fixture wiring the OCR service over a fresh database.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use mita::audit::AuditLog;
use mita::clock::Clock;
use mita::config::{OcrEngineKind, Settings};
use mita::db::Db;
use mita::id::Id;
use mita::metrics::{JobStatus, Metrics};
use mita::ocr::{EngineError, EngineFuture, Engines, OcrEngine, OcrService};
use mita::on_write;
use mita::testing::TestDatabase;

/// What the fake engine does when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Returns a small receipt.
    Text,
    /// Fails like a crashed engine.
    Fail,
    /// Never answers (until dropped).
    Hang,
}

pub struct FakeEngine {
    behaviour: Mutex<Behaviour>,
    calls: AtomicUsize,
}

impl FakeEngine {
    pub fn set(&self, b: Behaviour) {
        *self.behaviour.lock().unwrap() = b;
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Polls (bounded) until the engine has been called `n` times.
    pub async fn wait_for_calls(&self, n: usize) {
        for _ in 0..500 {
            if self.calls() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the engine was not called {n} times");
    }
}

impl OcrEngine for FakeEngine {
    fn recognize<'a>(&'a self, _image: &'a Path, _mime: &'a str) -> EngineFuture<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let behaviour = *self.behaviour.lock().unwrap();
        Box::pin(async move {
            match behaviour {
                Behaviour::Text => Ok("FAKE SHOP\n2026-03-14\nTOTAL 5.00\n".to_string()),
                Behaviour::Fail => Err(EngineError::Failed("fake engine down".into())),
                Behaviour::Hang => std::future::pending().await,
            }
        })
    }
}

pub struct Fixture {
    pub _test_db: TestDatabase,
    pub db: Db,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub ocr: Arc<OcrService>,
    pub engine: Arc<FakeEngine>,
}

pub async fn fixture(behaviour: Behaviour) -> Fixture {
    fixture_with(behaviour, |_| {}).await
}

/// A fixture whose settings `configure` may change.
pub async fn fixture_with(behaviour: Behaviour, configure: impl FnOnce(&mut Settings)) -> Fixture {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 3, 14, 12, 0, 0).unwrap());
    let mut settings = Settings {
        data_dir: test_db.path(),
        ..Settings::default()
    };
    settings.ocr.breaker_failure_threshold = 3;
    settings.ocr.heartbeat_ms = 50;
    settings.ocr.shutdown_grace_ms = 200;
    configure(&mut settings);
    let settings = Arc::new(settings);
    let metrics = Arc::new(Metrics::new().unwrap());
    let audit = AuditLog::start(
        db.clone(),
        clock.clone(),
        test_db.path().join("audit.jsonl"),
    );
    let engine = Arc::new(FakeEngine {
        behaviour: Mutex::new(behaviour),
        calls: AtomicUsize::new(0),
    });
    let mut engines =
        Engines::from_settings(&settings.ocr, clock.clone(), metrics.clone()).unwrap();
    engines.set(OcrEngineKind::Tesseract, engine.clone());
    engines.set(OcrEngineKind::GoogleVision, engine.clone());
    let ocr = Arc::new(OcrService::with_engines(
        db.clone(),
        clock.clone(),
        settings.clone(),
        metrics.clone(),
        audit,
        engines,
    ));
    Fixture {
        _test_db: test_db,
        db,
        clock,
        settings,
        metrics,
        ocr,
        engine,
    }
}

impl Fixture {
    /// A user row (jobs belong to users).
    pub async fn user(&self, email: &str) -> Id {
        let id = Id::new();
        on_write!(&self.db, pool => sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ($1, $2, 'x', 1, 1)")
            .bind(id)
            .bind(email)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        id
    }

    /// A stop signal that never fires.
    pub fn never_stop(&self) -> tokio::sync::watch::Receiver<bool> {
        let (tx, rx) = tokio::sync::watch::channel(false);
        std::mem::forget(tx);
        rx
    }

    /// `mita_ocr_processing_total{status="completed", engine}`.
    pub fn completed(&self, engine: OcrEngineKind) -> u64 {
        let labels = (JobStatus::Completed, Some(engine));
        self.metrics.ocr_processing_total.get(labels)
    }
}
