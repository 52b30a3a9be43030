//! Shared application state handed to every handler.

use std::sync::Arc;
use std::time::Instant;

use ipnet::IpNet;
use mita::audit::AuditLog;
use mita::auth::AuthService;
use mita::clock::Clock;
use mita::config::Settings;
use mita::db::Db;
use mita::metrics::Metrics;
use mita::resilience::HourlyQuota;
use mita::services::Services;

use crate::ratelimit::RateLimits;

/// Everything a handler may need. Cheap to clone (reference counted).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub audit: AuditLog,
    pub auth: Arc<AuthService>,
    /// Rule-based insights, enriched by the LLM when configured.
    pub insights: Arc<mita::insights::Insights>,
    /// Receipt OCR: uploads, job status, images, the admin job list.
    pub ocr: Arc<mita::ocr::OcrService>,
    pub started: Instant,
    pub limits: Arc<RateLimits>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<IpNet>>,
    /// Data exports per user and hour (`GET /api/users/me/export` reads every table).
    pub exports: Arc<HourlyQuota>,
    /// The stores' receipt validation (`/api/iap/validate`).
    pub store: Arc<mita::premium::StoreClient>,
}

impl AppState {
    pub fn new(services: Services) -> mita::Result<Self> {
        let trusted = services
            .settings
            .trusted_proxies
            .iter()
            .map(|cidr| parse_cidr(cidr))
            .collect::<mita::Result<Vec<_>>>()?;
        let store = mita::premium::StoreClient::from_settings(
            &services.settings.iap,
            services.clock.clone(),
            services.metrics.clone(),
        )?;
        Ok(AppState {
            store: Arc::new(store),
            limits: Arc::new(RateLimits::new(
                &services.settings.rate_limit,
                matches!(services.db, mita::db::Db::Postgres(_)),
            )),
            db: services.db,
            settings: services.settings,
            metrics: services.metrics,
            clock: services.clock,
            audit: services.audit,
            auth: services.auth,
            insights: services.insights,
            ocr: services.ocr,
            started: Instant::now(),
            trusted_proxies: Arc::new(trusted),
            exports: Arc::new(HourlyQuota::new(EXPORTS_PER_USER_PER_HOUR)),
        })
    }

    /// The core services this state was built from (cheap: reference counted).
    pub fn services(&self) -> Services {
        Services {
            db: self.db.clone(),
            clock: self.clock.clone(),
            settings: self.settings.clone(),
            metrics: self.metrics.clone(),
            audit: self.audit.clone(),
            auth: self.auth.clone(),
            insights: self.insights.clone(),
            ocr: self.ocr.clone(),
        }
    }
}

/// How many data exports one user may take per hour.
pub const EXPORTS_PER_USER_PER_HOUR: u32 = 10;

fn parse_cidr(text: &str) -> mita::Result<IpNet> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| {
            mita::Error::Config(format!(
                "trusted_proxies: `{text}` is not an IP address or CIDR"
            ))
        })
}
