//! The client of an OpenAI-compatible chat API (`POST {base_url}/chat/completions`), behind a
//! timeout and a circuit breaker, with the external-service metrics (service `llm`) recorded on
//! every call. It only ever rewrites text the rules produced: a failure is never the caller's
//! problem, the rule-based answer stands.
//!
//! The API key is a bearer credential: it is never logged and never put in an error.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::json;

use crate::clock::Clock;
use crate::config::{LlmSettings, Secret};
use crate::error::{Error, Result};
use crate::metrics::{ExternalService, ExternalStatus, Metrics};
use crate::resilience::{BreakerConfig, BreakerState, CircuitBreaker};

/// The service label of this client in the external-API and circuit-breaker metrics.
pub const SERVICE: ExternalService = ExternalService::Llm;

/// Longest answer kept (in characters); the rest is cut.
pub const MAX_ANSWER_CHARS: usize = 2_000;

/// Why the LLM gave no usable answer (the caller falls back to the rules in every case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// The breaker is open: the call was not made.
    #[error("LLM circuit open")]
    CircuitOpen,
    /// No answer within the configured timeout.
    #[error("LLM timed out")]
    Timeout,
    /// Connection error, error status, or an answer without text.
    #[error("LLM failed")]
    Failed,
}

/// The chat-completions answer, reduced to what we read.
#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

/// Calls the chat API. Create one per process and share it (`Arc`).
pub struct LlmClient {
    client: reqwest::Client,
    url: Url,
    api_key: Option<Secret>,
    model: String,
    metrics: Arc<Metrics>,
    breaker: CircuitBreaker,
}

impl fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmClient")
            .field("url", &self.url.as_str())
            .field("model", &self.model)
            .field("breaker", &self.breaker)
            .finish()
    }
}

impl LlmClient {
    /// A client for `settings`, or `None` when no `base_url` is configured. Fails on an
    /// unparsable URL (startup stops with the message).
    pub fn from_settings(
        settings: &LlmSettings,
        clock: Clock,
        metrics: Arc<Metrics>,
    ) -> Result<Option<Self>> {
        let Some(base) = settings.base_url.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if base.is_empty() {
            return Ok(None);
        }
        let url = Url::parse(&format!("{}/chat/completions", base.trim_end_matches('/')))
            .map_err(|e| Error::Config(format!("llm.base_url: {e}")))?;
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The key travels in a header: never let a redirect carry it to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("llm http client: {e}")))?;
        let config = BreakerConfig {
            failure_threshold: settings.breaker_threshold.max(1),
            open_for_ms: i64::try_from(settings.breaker_open_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX),
            half_open_max_calls: 1,
        };
        let breaker = CircuitBreaker::new(SERVICE, config, clock, Some(metrics.clone()));
        Ok(Some(LlmClient {
            client,
            url,
            api_key: settings.api_key.clone(),
            model: settings.model.clone(),
            metrics,
            breaker,
        }))
    }

    /// The model named in every request (reported with an enriched answer).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The breaker's state, for `/health`.
    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// One chat completion: the `system` instructions and the `user` message; returns the
    /// answer's text (trimmed, at most [`MAX_ANSWER_CHARS`] characters, never empty).
    pub async fn chat(&self, system: &str, user: &str) -> Result<String, LlmError> {
        let Ok(permit) = self.breaker.try_acquire() else {
            self.count(ExternalStatus::CircuitOpen);
            return Err(LlmError::CircuitOpen);
        };
        let body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
        });
        let mut request = self.client.post(self.url.clone()).json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        // Wall time for the latency histogram; the injected clock is for rules, not durations.
        let started = Instant::now();
        let answer = async {
            let response = request.send().await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        }
        .await;
        self.metrics
            .external_api_duration_seconds
            .observe(SERVICE, started.elapsed().as_secs_f64());
        let (status, bytes) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                permit.failure();
                let timeout = e.is_timeout();
                self.count(ExternalStatus::failed(timeout));
                tracing::warn!(service = SERVICE.as_str(), error = %e.without_url(), "chat call failed");
                return Err(if timeout {
                    LlmError::Timeout
                } else {
                    LlmError::Failed
                });
            }
        };
        if status != StatusCode::OK {
            permit.failure();
            self.count(ExternalStatus::Error);
            tracing::warn!(
                service = SERVICE.as_str(),
                status = status.as_u16(),
                "chat error status"
            );
            return Err(LlmError::Failed);
        }
        match serde_json::from_slice::<Completion>(&bytes)
            .ok()
            .and_then(text_of)
        {
            Some(text) => {
                permit.success();
                self.count(ExternalStatus::Ok);
                Ok(text)
            }
            None => {
                permit.failure();
                self.count(ExternalStatus::Error);
                tracing::warn!(service = SERVICE.as_str(), "chat answer without text");
                Err(LlmError::Failed)
            }
        }
    }

    fn count(&self, status: ExternalStatus) {
        self.metrics
            .external_api_requests_total
            .inc((SERVICE, status));
    }
}

/// `choices[0].message.content`, trimmed and bounded; `None` when missing or blank.
fn text_of(completion: Completion) -> Option<String> {
    let content = completion.choices.into_iter().next()?.message.content?;
    let text = content.trim();
    if text.is_empty() {
        return None;
    }
    Some(text.chars().take(MAX_ANSWER_CHARS).collect())
}
