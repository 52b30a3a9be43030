//! Shared application state handed to every handler.

use std::sync::Arc;
use std::time::Instant;

use ipnet::IpNet;
use mita::resilience::HourlyQuota;
use mita::services::Services;

use crate::ratelimit::RateLimits;

/// Everything a handler may need: the core services (held once; `state.db`, `state.auth`, …
/// reach them through `Deref`) and what only the HTTP edge uses. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub started: Instant,
    pub limits: Arc<RateLimits>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<IpNet>>,
    /// Data exports per user and hour (`GET /api/users/me/export` reads every table).
    pub exports: Arc<HourlyQuota>,
    /// The stores' receipt validation (`/api/iap/validate`).
    pub store: Arc<mita::premium::StoreClient>,
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.services
    }
}

impl AppState {
    pub fn new(services: Services) -> mita::Result<Self> {
        let settings = &services.settings;
        let trusted = settings
            .trusted_proxies
            .iter()
            .map(|cidr| parse_cidr(cidr))
            .collect::<mita::Result<Vec<_>>>()?;
        let store = mita::premium::StoreClient::from_settings(
            &settings.iap,
            services.clock.clone(),
            services.metrics.clone(),
        )?;
        let postgres = matches!(services.db, mita::db::Db::Postgres(_));
        Ok(AppState {
            store: Arc::new(store),
            limits: Arc::new(RateLimits::new(&settings.rate_limit, postgres)),
            started: Instant::now(),
            trusted_proxies: Arc::new(trusted),
            exports: Arc::new(HourlyQuota::new(EXPORTS_PER_USER_PER_HOUR)),
            services,
        })
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
