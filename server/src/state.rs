//! Shared application state handed to every handler.

use std::sync::Arc;
use std::time::Instant;

use mita::clock::Clock;
use mita::config::Settings;
use mita::db::Db;
use mita::metrics::Metrics;

/// Everything a handler may need. Cheap to clone (reference counted).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub started: Instant,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, metrics: Arc<Metrics>, clock: Clock) -> Self {
        AppState {
            db,
            settings: Arc::new(settings),
            metrics,
            clock,
            started: Instant::now(),
        }
    }
}
