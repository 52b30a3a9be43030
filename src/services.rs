//! The set of services one process runs (`mita serve`, or a CLI command), built in one place so
//! the API and the CLI share the exact same wiring.

use std::sync::Arc;

use crate::audit::AuditLog;
use crate::auth::AuthService;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::Result;
use crate::metrics::Metrics;

/// Everything a handler or a command needs. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub audit: AuditLog,
    pub auth: Arc<AuthService>,
}

impl Services {
    /// Wires the services over an open database. `settings.auth.jwt_secret` must be set (see
    /// `Settings::ensure_jwt_secret`). Starts the audit writer.
    pub fn new(
        db: Db,
        settings: Settings,
        metrics: Arc<Metrics>,
        clock: Clock,
    ) -> Result<Services> {
        let settings = Arc::new(settings);
        let audit = AuditLog::start(db.clone(), clock.clone(), settings.audit_fallback_path());
        let auth = Arc::new(AuthService::new(
            db.clone(),
            clock.clone(),
            settings.clone(),
            metrics.clone(),
            audit.clone(),
        )?);
        Ok(Services {
            db,
            clock,
            settings,
            metrics,
            audit,
            auth,
        })
    }

    /// Flushes background writers (the audit log). Call before closing the database.
    pub async fn shutdown(&self) {
        self.audit.shutdown().await;
    }
}
