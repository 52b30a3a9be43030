//! The core error type. Variants carry meaning (not HTTP statuses); the HTTP edge maps them.

use std::fmt;

mod code;
pub use code::Code;

/// Result alias for core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One failed input check: which field, what is wrong, and the kind of rule (`range`, `format`...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        kind: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            kind: kind.into(),
        }
    }
}

/// Everything that can go wrong in a core operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Well-formed input that breaks a rule (HTTP 422), e.g. [`Code::Validation2006`].
    #[error("{message}")]
    Validation {
        code: Code,
        message: String,
        fields: Vec<FieldError>,
    },
    /// Input that could not be understood at all (HTTP 400).
    #[error("{message}")]
    BadRequest { code: Code, message: String },
    /// No such object, or it belongs to someone else (HTTP 404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Missing, invalid or refused credentials (HTTP 401 with `WWW-Authenticate: Bearer`).
    #[error("{message}")]
    Unauthorized {
        code: Code,
        message: String,
        details: Option<serde_json::Value>,
    },
    /// Authenticated but not allowed (HTTP 403).
    #[error("forbidden")]
    Forbidden,
    /// A uniqueness or state conflict (HTTP 409).
    #[error("{message}")]
    Conflict { code: Code, message: String },
    /// A business rule refused the operation (HTTP 422 with a BUSINESS code).
    #[error("{message}")]
    Business { code: Code, message: String },
    /// The database or another dependency cannot serve now (HTTP 503).
    #[error("service unavailable: {reason}")]
    Unavailable {
        reason: String,
        retry_after_secs: u64,
    },
    /// The caller asked too often (HTTP 429 [`Code::RateLimit7001`] with `Retry-After`).
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// An external provider (Google, OCR, LLM) is down or its circuit is open (HTTP 503).
    #[error("external service unavailable: {message}")]
    External {
        message: String,
        retry_after_secs: u64,
    },
    /// A database failure that is not the caller's fault.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failure.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Invalid configuration (startup stops with this message).
    #[error("configuration error: {0}")]
    Config(String),
    /// Anything else unexpected.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A single-field validation error.
    pub fn invalid(code: Code, field: &str, kind: &str, message: impl fmt::Display) -> Self {
        let message = message.to_string();
        Error::Validation {
            code,
            message: "Request validation failed".to_string(),
            fields: vec![FieldError::new(field, kind, message)],
        }
    }

    /// True when the failure means "the database is not reachable right now".
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Unavailable { .. } => true,
            Error::Database(e) => is_connection_error(e),
            _ => false,
        }
    }
}

/// True for errors that mean "cannot reach the database" (as opposed to a bad query).
pub fn is_connection_error(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_)
            // The server (or what answers in its place) spoke no PostgreSQL: e.g. an SSLRequest
            // answered by a dead proxy. The database is unusable, not the request wrong.
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_)
    )
}
