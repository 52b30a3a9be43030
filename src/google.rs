//! Google sign-in: checks a Google ID token with Google's token-info endpoint
//! (`GET {tokeninfo_url}?id_token=...`) behind a circuit breaker, and returns who signed in.
//!
//! The token is a bearer credential: it is never logged, never put in an error, and reqwest
//! errors (whose text contains the request URL, hence the token) are stripped of their URL.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::Value;

use crate::clock::Clock;
use crate::config::GoogleSettings;
use crate::error::{Error, Result};
use crate::metrics::{ExternalService, ExternalStatus, Metrics};
use crate::resilience::{BreakerConfig, BreakerState, CircuitBreaker};

/// The service label of this client in the external-API and circuit-breaker metrics.
pub const SERVICE: ExternalService = ExternalService::GoogleOauth;

const ISSUERS: [&str; 2] = ["accounts.google.com", "https://accounts.google.com"];
/// Google ID tokens are about 1 KiB; anything far larger is not one.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Who signed in, as vouched for by Google.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoogleIdentity {
    /// Google's stable account id.
    pub sub: String,
    /// The verified email address, lower-cased.
    pub email: String,
    /// The display name, when Google shares it.
    pub name: Option<String>,
}

/// Why a token was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GoogleError {
    /// No client ids are configured: Google sign-in is off.
    #[error("Google sign-in is not configured")]
    NotConfigured,
    /// The token is not a valid ID token for us (the reason never contains the token).
    #[error("invalid Google token: {0}")]
    Invalid(&'static str),
    /// Google could not be asked: timeout, connection error, 5xx, or the breaker is open.
    #[error("Google sign-in is unavailable")]
    Unavailable,
}

/// The token-info answer; Google sends numbers and booleans as strings, so those stay loose.
#[derive(Deserialize)]
struct TokenInfo {
    iss: Option<String>,
    aud: Option<String>,
    sub: Option<String>,
    email: Option<String>,
    email_verified: Option<Value>,
    exp: Option<Value>,
    name: Option<String>,
}

/// Checks Google ID tokens. Create one per process and share it (`Arc`).
pub struct GoogleVerifier {
    client: reqwest::Client,
    tokeninfo_url: Url,
    client_ids: Vec<String>,
    clock: Clock,
    metrics: Arc<Metrics>,
    breaker: CircuitBreaker,
}

impl fmt::Debug for GoogleVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleVerifier")
            .field("tokeninfo_url", &self.tokeninfo_url.as_str())
            .field("client_ids", &self.client_ids)
            .field("breaker", &self.breaker)
            .finish()
    }
}

impl GoogleVerifier {
    /// Builds the HTTP client (with `timeout_ms` as the whole-call deadline) and a breaker with
    /// [`BreakerConfig::default`]. Fails on an unparsable `tokeninfo_url`.
    pub fn new(settings: &GoogleSettings, clock: Clock, metrics: Arc<Metrics>) -> Result<Self> {
        let tokeninfo_url = Url::parse(&settings.tokeninfo_url).map_err(|e| {
            Error::Config(format!(
                "google.tokeninfo_url {:?}: {e}",
                settings.tokeninfo_url
            ))
        })?;
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The token is in the URL: never let a redirect carry it to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("google http client: {e}")))?;
        let breaker = CircuitBreaker::new(
            SERVICE,
            BreakerConfig::default(),
            clock.clone(),
            Some(metrics.clone()),
        );
        Ok(GoogleVerifier {
            client,
            tokeninfo_url,
            client_ids: settings.client_ids.clone(),
            clock,
            metrics,
            breaker,
        })
    }

    /// Replaces the circuit breaker's configuration (a fresh, closed breaker).
    pub fn with_breaker(mut self, config: BreakerConfig) -> Self {
        self.breaker = CircuitBreaker::new(
            SERVICE,
            config,
            self.clock.clone(),
            Some(self.metrics.clone()),
        );
        self
    }

    /// True when at least one client id is configured.
    pub fn is_configured(&self) -> bool {
        !self.client_ids.is_empty()
    }

    /// The breaker's state, for `/health`.
    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// Seconds a caller refused with [`GoogleError::Unavailable`] should wait (`Retry-After`):
    /// the rest of the breaker's open time, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        let ms = u64::try_from(self.breaker.retry_after_ms()).unwrap_or(0);
        ms.div_ceil(1000).max(1)
    }

    /// Checks `id_token` with Google and returns the identity it proves.
    pub async fn verify(&self, id_token: &str) -> Result<GoogleIdentity, GoogleError> {
        if !self.is_configured() {
            return Err(GoogleError::NotConfigured);
        }
        check_shape(id_token)?;
        let info = self.fetch(id_token).await?;
        self.check_claims(info)
    }

    /// One call to the token-info endpoint, through the breaker, with metrics.
    async fn fetch(&self, id_token: &str) -> Result<TokenInfo, GoogleError> {
        let Ok(permit) = self.breaker.try_acquire() else {
            self.count(ExternalStatus::CircuitOpen);
            return Err(GoogleError::Unavailable);
        };
        let mut url = self.tokeninfo_url.clone();
        url.query_pairs_mut().append_pair("id_token", id_token);
        // Wall time for the latency histogram; the injected clock is for rules, not durations.
        let started = Instant::now();
        let answer = async {
            let response = self.client.get(url).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        self.metrics
            .external_api_duration_seconds
            .observe(SERVICE, started.elapsed().as_secs_f64());
        let (status, body) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                permit.failure();
                self.count(ExternalStatus::failed(e.is_timeout()));
                let e = e.without_url();
                tracing::warn!(service = SERVICE.as_str(), error = %e, "token-info call failed");
                return Err(GoogleError::Unavailable);
            }
        };
        if status == StatusCode::OK {
            return match serde_json::from_slice::<TokenInfo>(&body) {
                Ok(info) => {
                    permit.success();
                    self.count(ExternalStatus::Ok);
                    Ok(info)
                }
                Err(e) => {
                    permit.failure();
                    self.count(ExternalStatus::Error);
                    tracing::warn!(service = SERVICE.as_str(), error = %e, "token-info answer unreadable");
                    Err(GoogleError::Unavailable)
                }
            };
        }
        if status.is_client_error()
            && status != StatusCode::REQUEST_TIMEOUT
            && status != StatusCode::TOO_MANY_REQUESTS
        {
            // Google answered and refused the token: the service is healthy.
            permit.success();
            self.count(ExternalStatus::Ok);
            return Err(GoogleError::Invalid("rejected by Google"));
        }
        permit.failure();
        self.count(ExternalStatus::Error);
        tracing::warn!(
            service = SERVICE.as_str(),
            status = status.as_u16(),
            "token-info error status"
        );
        Err(GoogleError::Unavailable)
    }

    fn check_claims(&self, info: TokenInfo) -> Result<GoogleIdentity, GoogleError> {
        let aud = info.aud.unwrap_or_default();
        if !self.client_ids.contains(&aud) {
            return Err(GoogleError::Invalid("audience mismatch"));
        }
        if !info
            .iss
            .as_deref()
            .is_some_and(|iss| ISSUERS.contains(&iss))
        {
            return Err(GoogleError::Invalid("wrong issuer"));
        }
        let exp_secs = info
            .exp
            .as_ref()
            .and_then(as_i64)
            .ok_or(GoogleError::Invalid("missing expiry"))?;
        if exp_secs.saturating_mul(1000) <= self.clock.now_ms() {
            return Err(GoogleError::Invalid("expired"));
        }
        let sub = info.sub.filter(|s| !s.is_empty());
        let sub = sub.ok_or(GoogleError::Invalid("missing subject"))?;
        let email = info.email.map(|e| e.trim().to_lowercase());
        let email = email
            .filter(|e| e.contains('@'))
            .ok_or(GoogleError::Invalid("missing email"))?;
        if !info
            .email_verified
            .as_ref()
            .and_then(as_bool)
            .unwrap_or(false)
        {
            return Err(GoogleError::Invalid("email not verified"));
        }
        let name = info.name.filter(|n| !n.trim().is_empty());
        Ok(GoogleIdentity { sub, email, name })
    }

    fn count(&self, status: ExternalStatus) {
        self.metrics
            .external_api_requests_total
            .inc((SERVICE, status));
    }
}

/// Refuses what cannot be a JWT before spending a call (and a breaker slot) on it.
fn check_shape(id_token: &str) -> Result<(), GoogleError> {
    let plausible = !id_token.is_empty()
        && id_token.len() <= MAX_TOKEN_LEN
        && id_token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='));
    if plausible {
        Ok(())
    } else {
        Err(GoogleError::Invalid("malformed token"))
    }
}

/// `1700000000` or `"1700000000"`.
fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `true` or `"true"` (any case).
fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}
