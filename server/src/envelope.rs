//! The success envelope of API.md §1 and the request id it reports.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The request being served: its id, and the application's clock for the timestamps of its
/// answers. The edge middleware sets it around everything a request runs.
pub struct RequestScope {
    pub id: String,
    pub clock: mita::clock::Clock,
}

tokio::task_local! {
    pub static REQUEST: RequestScope;
}

/// The current request id, or an empty string outside a request.
pub fn current_request_id() -> String {
    REQUEST.try_with(|r| r.id.clone()).unwrap_or_default()
}

/// Now by the injected clock, as RFC 3339 UTC with a single `Z` (outside a request, e.g. the
/// private metrics listener's 404, by the system clock).
pub fn now_rfc3339() -> String {
    let ms = REQUEST.try_with(|r| r.clock.now_ms());
    mita::envelope::timestamp_of(ms.unwrap_or_else(|_| mita::clock::Clock::system().now_ms()))
}

/// `{"success": true, "message", "data", "timestamp", "request_id", "meta"?}` with a status.
pub struct Envelope<T> {
    status: StatusCode,
    message: &'static str,
    data: T,
    meta: Option<Value>,
    /// Keys copied next to `data` for clients that read them there (never replacing an
    /// envelope key).
    top_level: Option<serde_json::Map<String, Value>>,
}

/// A 200 answer with `data`.
pub fn ok<T: Serialize>(data: T) -> Envelope<T> {
    Envelope {
        status: StatusCode::OK,
        message: "Success",
        data,
        meta: None,
        top_level: None,
    }
}

/// A 201 answer with `data`.
pub fn created<T: Serialize>(data: T) -> Envelope<T> {
    Envelope {
        status: StatusCode::CREATED,
        message: "Created",
        data,
        meta: None,
        top_level: None,
    }
}

impl<T: Serialize> Envelope<T> {
    pub fn message(mut self, message: &'static str) -> Self {
        self.message = message;
        self
    }
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
    pub fn meta(mut self, meta: Value) -> Self {
        self.meta = Some(meta);
        self
    }
    /// Also answers these keys at the top level of the envelope (for a client that reads them
    /// there instead of in `data`; see docs/app-contract.md).
    pub fn top_level(mut self, keys: serde_json::Map<String, Value>) -> Self {
        self.top_level = Some(keys);
        self
    }
}

impl<T: Serialize> IntoResponse for Envelope<T> {
    fn into_response(self) -> Response {
        match mita::envelope::success_json(
            self.message,
            &self.data,
            self.meta.as_ref(),
            &current_request_id(),
            &now_rfc3339(),
        ) {
            Ok(body) => match self.top_level {
                None => raw_json(self.status, body),
                Some(keys) => match with_top_level(&body, keys) {
                    Ok(body) => raw_json(self.status, body),
                    Err(e) => crate::error::ApiError::from(e).into_response(),
                },
            },
            Err(e) => crate::error::ApiError::from(e).into_response(),
        }
    }
}

/// `body` (an envelope) with `keys` added at its top level, where no envelope key has the name.
fn with_top_level(body: &str, keys: serde_json::Map<String, Value>) -> mita::Result<String> {
    let internal = |e: serde_json::Error| mita::Error::Internal(format!("envelope: {e}"));
    let mut envelope: serde_json::Map<String, Value> =
        serde_json::from_str(body).map_err(internal)?;
    for (key, value) in keys {
        envelope.entry(key).or_insert(value);
    }
    serde_json::to_string(&envelope).map_err(internal)
}

/// A JSON answer from already-serialized text (e.g. a replayed idempotent answer).
pub fn raw_json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The answer of an idempotent write, fresh or replayed, with the status it carries.
pub fn idempotent_answer(answer: mita::idempotency::Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    raw_json(status, answer.body)
}
