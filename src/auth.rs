//! Accounts and authentication: registration, login with lockout, JWT sessions with refresh
//! rotation and revocation, password reset, Google sign-in and the admin operations — one
//! service used by both the HTTP API and `mita admin`.

pub mod account;
pub mod admin;
pub mod email_links;
pub mod login;
pub mod logins;
pub mod password;
pub mod pat;
pub mod session;
pub mod tokens;
pub mod two_factor;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::audit::{AuditEvent, AuditLog, EventType, Outcome};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::email::Mailer;
use crate::error::{Code, Error, Result};
use crate::google::GoogleVerifier;
use crate::id::Id;
use crate::metrics::Metrics;
use password::PasswordHasher;
use tokens::{Claims, TokenService};

/// Revoked token ids this process has seen, so repeated use of one is refused without a query.
/// The database stays the source of truth (revocation is global across instances).
const REVOKED_CACHE_MAX: usize = 10_000;

/// Who is asking: recorded in audit events.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// `api`, `cli:<os user>`, `system`.
    pub actor: String,
}

impl RequestMeta {
    pub fn api() -> Self {
        RequestMeta {
            actor: "api".into(),
            ..Default::default()
        }
    }

    /// An audit event carrying this request's origin.
    pub fn event(
        &self,
        event_type: EventType,
        outcome: Outcome,
        user_id: Option<Id>,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(event_type, outcome).actor(&self.actor);
        if let Some(u) = user_id {
            e = e.user(u);
        }
        if let Some(ip) = &self.client_ip {
            e = e.client_ip(ip);
        }
        if let Some(ua) = &self.user_agent {
            e = e.user_agent(ua);
        }
        if let Some(r) = &self.request_id {
            e = e.request_id(r);
        }
        e
    }
}

/// Tokens handed to a client after login, registration, refresh or Google sign-in.
#[derive(Clone, Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

/// An authenticated caller (token checked against the database on every request).
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: Id,
    pub role: String,
    pub is_premium: bool,
    /// The user's timezone ("today" and "this month" are computed in it).
    pub timezone: chrono_tz::Tz,
    /// The account's address is verified (see `auth.unverified_blocked`).
    pub email_verified: bool,
    pub claims: Claims,
    /// Set when the request came with a personal access token rather than a session.
    pub pat: Option<pat::PatGrant>,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// The auth service. Build one per process and share it.
pub struct AuthService {
    pub db: Db,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub hasher: PasswordHasher,
    pub tokens: TokenService,
    pub audit: AuditLog,
    pub mailer: Mailer,
    pub google: Option<GoogleVerifier>,
    /// Seals the TOTP secrets (`auth.totp_key`); without it two-factor setup answers 503.
    totp_box: Option<two_factor::secret::SecretBox>,
    revoked_cache: Mutex<HashSet<String>>,
}

impl AuthService {
    /// Requires `settings.auth.jwt_secret` (see `Settings::ensure_jwt_secret`).
    pub fn new(
        db: Db,
        clock: Clock,
        settings: Arc<Settings>,
        metrics: Arc<Metrics>,
        audit: AuditLog,
    ) -> Result<Self> {
        let hasher = PasswordHasher::new(&settings.auth, metrics.clone())?;
        let tokens = TokenService::new(&settings.auth, clock.clone())?;
        let mailer = Mailer::new(&settings, clock.clone(), metrics.clone())?;
        let google = if settings.google.client_ids.is_empty() {
            None
        } else {
            Some(GoogleVerifier::new(
                &settings.google,
                clock.clone(),
                metrics.clone(),
            )?)
        };
        let totp_box = two_factor::secret::SecretBox::from_settings(&settings.auth)?;
        Ok(AuthService {
            db,
            clock,
            settings,
            metrics,
            hasher,
            tokens,
            audit,
            mailer,
            google,
            totp_box,
            revoked_cache: Mutex::new(HashSet::new()),
        })
    }

    fn remember_revoked(&self, jti: &str) {
        if let Ok(mut cache) = self.revoked_cache.lock() {
            if cache.len() >= REVOKED_CACHE_MAX {
                cache.clear();
            }
            cache.insert(jti.to_string());
        }
    }

    fn known_revoked(&self, jti: &str) -> bool {
        self.revoked_cache
            .lock()
            .map(|c| c.contains(jti))
            .unwrap_or(false)
    }

    pub(crate) fn unauthorized(code: Code, message: &str) -> Error {
        Error::Unauthorized {
            code,
            message: message.into(),
            details: None,
        }
    }
}
