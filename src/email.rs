//! Outgoing mail: SMTP through lettre when `smtp.host` (`SMTP_HOST`) is set; otherwise each mail
//! is written to `<data_dir>/outbox/` as an `.eml` file and noted in the log (development).
//! SMTP calls have a timeout and a circuit breaker (`service="smtp"`), and are counted in
//! `mita_external_api_requests_total` / `mita_external_api_duration_seconds`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::clock::Clock;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::metrics::{ExternalService, ExternalStatus, Metrics};
use crate::resilience::{BreakerConfig, BreakerError, CircuitBreaker};

/// The metrics and breaker label of this service.
pub const SERVICE: ExternalService = ExternalService::Smtp;

/// Sends mail. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Transport>,
    from: String,
    breaker: Arc<CircuitBreaker>,
    metrics: Arc<Metrics>,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

impl Mailer {
    pub fn new(settings: &Settings, clock: Clock, metrics: Arc<Metrics>) -> Result<Mailer> {
        let smtp = &settings.smtp;
        let transport = match &smtp.host {
            None => Transport::Outbox(settings.data_path("outbox")),
            Some(host) => {
                let builder = match smtp.security.as_str() {
                    "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                        .map_err(|e| Error::Config(format!("smtp: {e}")))?,
                    _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                        .map_err(|e| Error::Config(format!("smtp: {e}")))?,
                };
                let mut builder = builder
                    .port(smtp.port)
                    .timeout(Some(Duration::from_millis(smtp.timeout_ms)));
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.expose().to_string(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
        };
        let breaker = CircuitBreaker::new(
            SERVICE,
            BreakerConfig::default(),
            clock,
            Some(metrics.clone()),
        );
        Ok(Mailer {
            inner: Arc::new(transport),
            from: smtp.from.clone(),
            breaker: Arc::new(breaker),
            metrics,
        })
    }

    /// The outbox directory, when mails go to files.
    pub fn outbox(&self) -> Option<&PathBuf> {
        match &*self.inner {
            Transport::Outbox(p) => Some(p),
            Transport::Smtp(_) => None,
        }
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<()> {
        let message = Message::builder()
            .from(
                self.from
                    .parse()
                    .map_err(|e| Error::Config(format!("smtp.from: {e}")))?,
            )
            .to(to
                .parse()
                .map_err(|_| Error::Internal("invalid recipient address".into()))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| Error::Internal(format!("mail: {e}")))?;
        match &*self.inner {
            Transport::Smtp(t) => {
                let started = std::time::Instant::now();
                let sent = self.breaker.call(t.send(message)).await;
                self.metrics
                    .external_api_duration_seconds
                    .observe(SERVICE, started.elapsed().as_secs_f64());
                let status = match &sent {
                    Ok(_) => ExternalStatus::Ok,
                    Err(BreakerError::Open(_)) => ExternalStatus::CircuitOpen,
                    Err(BreakerError::Inner(e)) if e.is_timeout() => ExternalStatus::Timeout,
                    Err(BreakerError::Inner(_)) => ExternalStatus::Error,
                };
                self.metrics
                    .external_api_requests_total
                    .inc((SERVICE, status));
                sent.map_err(|e| Error::External {
                    message: format!("smtp: {e}"),
                    retry_after_secs: 30,
                })?;
            }
            Transport::Outbox(dir) => {
                let bytes = message.formatted();
                let dir = dir.clone();
                let path = dir.join(format!(
                    "{}-{}.eml",
                    chrono::Utc::now().timestamp_millis(),
                    crate::id::Id::new()
                ));
                let written = path.clone();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    std::fs::write(&path, bytes)
                })
                .await
                .map_err(|e| Error::Internal(e.to_string()))?
                .map_err(|e| Error::Internal(format!("outbox: {e}")))?;
                tracing::info!(file = %written.display(), subject, "mail written to the outbox (no SMTP_HOST set)");
            }
        }
        Ok(())
    }
}
