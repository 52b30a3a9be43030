//! `ApiError`: every failure leaves the server in the error envelope of API.md §1.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mita::error::{Code, Error, FieldError};
use mita::metrics::DbErrorKind;
use serde_json::{Value, json};

use crate::envelope::now_rfc3339;

/// An HTTP error answer: status, API code, a message safe to show, optional details.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    pub details: Option<Box<Value>>,
    pub retry_after_secs: Option<u64>,
    /// The `error_type` when the failure came from the database (counted by the edge
    /// middleware in `mita_database_errors_total`).
    pub database_error: Option<DbErrorKind>,
}

/// Marks a response whose error came from the database (a response extension).
#[derive(Clone, Copy, Debug)]
pub struct DatabaseError(pub DbErrorKind);

impl ApiError {
    pub fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after_secs: None,
            database_error: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Code::Resource3001,
            format!("{what} not found"),
        )
    }

    pub fn validation(fields: Vec<FieldError>, code: Code) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "Request validation failed",
        )
        .with_details(json!({ "validation_errors": fields }))
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::System8001,
            "An unexpected error occurred",
        )
    }

    pub fn unavailable(retry_after: u64) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::System8003,
            "Service temporarily unavailable",
        )
        .retry_after(retry_after)
    }

    /// The generic envelope for a status produced outside our handlers (405, 413, timeouts...).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => ApiError::not_found("Route"),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                Code::Validation2002,
                "Method not allowed for this route",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(status, Code::Validation2002, "Request body too large")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::new(status, Code::Validation2002, "Unsupported content type")
            }
            StatusCode::REQUEST_TIMEOUT
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Code::System8003,
                "Request timed out or service unavailable",
            )
            .retry_after(1),
            s if s.is_client_error() => ApiError::new(s, Code::Validation2002, "Bad request"),
            _ => ApiError::internal(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let database_error = mita::metrics::database_error_kind(&e);
        let mut answer = ApiError::from_core(e);
        answer.database_error = database_error;
        answer
    }
}

impl ApiError {
    fn from_core(e: Error) -> Self {
        match e {
            Error::Validation { code, fields, .. } => ApiError::validation(fields, code),
            Error::BadRequest { code, message } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message)
            }
            Error::NotFound(what) => ApiError::not_found(what),
            Error::Unauthorized {
                code,
                message,
                details,
            } => {
                let e = ApiError::new(StatusCode::UNAUTHORIZED, code, message);
                match details {
                    Some(d) => e.with_details(d),
                    None => e,
                }
            }
            Error::Forbidden => ApiError::new(StatusCode::FORBIDDEN, Code::Auth1007, "Not allowed"),
            Error::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            Error::Business { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            Error::RateLimited { retry_after_secs } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                Code::RateLimit7001,
                "Too many requests; try again later",
            )
            .retry_after(retry_after_secs.max(1)),
            Error::External {
                message,
                retry_after_secs,
            } => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, Code::External6001, message)
                .retry_after(retry_after_secs.max(1)),
            Error::Unavailable {
                reason,
                retry_after_secs,
            } => {
                tracing::warn!(%reason, "answering 503");
                ApiError::unavailable(retry_after_secs)
            }
            e if e.is_unavailable() => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::unavailable(2)
            }
            e => {
                // The cause is logged once here; the answer stays generic.
                tracing::error!(error = %e, "internal error");
                ApiError::internal()
            }
        }
    }
}

fn error_id() -> String {
    let n: u64 = rand::random();
    format!("mita_{:012x}", n & 0xffff_ffff_ffff)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "error_id": error_id(),
            "timestamp": now_rfc3339(),
        });
        if let Some(details) = self.details {
            error["details"] = *details;
        }
        let mut response = (
            self.status,
            Json(json!({ "success": false, "error": error })),
        )
            .into_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(kind) = self.database_error {
            response.extensions_mut().insert(DatabaseError(kind));
        }
        if self.status.is_server_error() {
            response
                .extensions_mut()
                .insert(crate::error_tracking::ErrorCode(self.code));
        }
        response
    }
}

/// Handler result type.
pub type ApiResult<T> = Result<T, ApiError>;
