//! The set of services one process runs (`mita serve`, or a CLI command), built in one place so
//! the API and the CLI share the exact same wiring.

use std::sync::Arc;

use crate::audit::AuditLog;
use crate::auth::{AuthService, RequestMeta};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::Result;
use crate::id::Id;
use crate::insights::Insights;
use crate::metrics::Metrics;
use crate::ocr::OcrService;

/// Everything a handler or a command needs. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub audit: AuditLog,
    pub auth: Arc<AuthService>,
    /// Rule-based insights, enriched by the LLM when one is configured.
    pub insights: Arc<Insights>,
    /// Receipt OCR: the job queue, its engines and the parser (workers run in `mita serve`).
    pub ocr: Arc<OcrService>,
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
        let insights = Arc::new(Insights::new(
            db.clone(),
            &settings.llm,
            clock.clone(),
            metrics.clone(),
        )?);
        let ocr = Arc::new(OcrService::new(
            db.clone(),
            clock.clone(),
            settings.clone(),
            metrics.clone(),
            audit.clone(),
        )?);
        Ok(Services {
            ocr,
            db,
            clock,
            settings,
            metrics,
            audit,
            auth,
            insights,
        })
    }

    /// Erases an account (the app's delete-account call and `mita admin user delete`): every
    /// row of the user removed and their audit trail pseudonymised in one transaction
    /// ([`crate::privacy::erase`]), then their stored receipt images removed (files are not rows:
    /// they are listed first and removed once the rows are gone). A dry run changes nothing.
    pub async fn erase_account(
        &self,
        user: Id,
        meta: &RequestMeta,
        dry_run: bool,
    ) -> Result<crate::privacy::Erasure> {
        let images = self.ocr.image_names_of(user).await?;
        let erasure =
            crate::privacy::erase(&self.db, &self.audit, &self.clock, user, meta, dry_run).await?;
        if !dry_run {
            self.ocr.remove_images(&images).await;
        }
        Ok(erasure)
    }

    /// Everything stored about `user` ([`crate::privacy::export`]).
    pub async fn export_account(&self, user: Id) -> Result<crate::privacy::Export> {
        crate::privacy::export(&self.db, &self.clock, user).await
    }

    /// Flushes background writers (the audit log). Call before closing the database.
    pub async fn shutdown(&self) {
        self.audit.shutdown().await;
    }
}
