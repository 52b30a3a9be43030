//! Client error reports (`POST /api/errors/report`): crash and error reports sent by the app.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use sqlx::types::Json;

use crate::clock::Clock;
use crate::db::Db;
use crate::error::{Code, Error, FieldError, Result};
use crate::id::Id;
use crate::on_write;

const MAX_ERROR_CHARS: usize = 10_000;
const MAX_STACK_CHARS: usize = 100_000;
const MAX_SHORT_CHARS: usize = 200;

/// A report as the app sends it; unknown fields are kept as context.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientErrorReport {
    /// The error message.
    pub error: String,
    /// The client's id for this error.
    #[serde(default)]
    pub id: Option<String>,
    /// The client's timestamp: RFC 3339, or a local date-time without an offset (the app's
    /// `DateTime.toIso8601String()`), read in the sender's timezone.
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default, rename = "stackTrace", alias = "stack_trace")]
    pub stack_trace: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Who sent a report (all optional: the route is public).
#[derive(Debug, Default, Clone)]
pub struct Origin {
    pub user_id: Option<Id>,
    /// The sender's timezone when known (a valid token came with the report); else UTC.
    pub timezone: Option<chrono_tz::Tz>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(field, "length", format!("must be at most {max} characters"))
}

impl ClientErrorReport {
    fn validate(&self, tz: chrono_tz::Tz) -> Result<Option<i64>> {
        let mut errors = Vec::new();
        if self.error.trim().is_empty() {
            errors.push(FieldError::new(
                "body.error",
                "missing",
                "must not be empty",
            ));
        }
        if self.error.chars().count() > MAX_ERROR_CHARS {
            errors.push(too_long("body.error", MAX_ERROR_CHARS));
        }
        if self
            .stack_trace
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_STACK_CHARS)
        {
            errors.push(too_long("body.stackTrace", MAX_STACK_CHARS));
        }
        for (field, v) in [("body.id", &self.id), ("body.severity", &self.severity)] {
            if v.as_ref()
                .is_some_and(|s| s.chars().count() > MAX_SHORT_CHARS)
            {
                errors.push(too_long(field, MAX_SHORT_CHARS));
            }
        }
        let reported_at = match &self.timestamp {
            None => None,
            Some(t) => match crate::time::parse_instant(t, "body.timestamp", tz) {
                Ok(ms) => Some(ms),
                Err(_) => {
                    errors.push(FieldError::new(
                        "body.timestamp",
                        "format",
                        "must be an ISO 8601 date-time",
                    ));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(reported_at)
        } else {
            Err(Error::Validation {
                code: Code::Validation2001,
                message: "Request validation failed".into(),
                fields: errors,
            })
        }
    }
}

/// Stores a report and returns its id.
pub async fn record(
    db: &Db,
    clock: &Clock,
    report: ClientErrorReport,
    origin: Origin,
) -> Result<Id> {
    let reported_at = report.validate(origin.timezone.unwrap_or(chrono_tz::Tz::UTC))?;
    let id = Id::new();
    // Card numbers never reach the stored report (an error message may quote a form field).
    let masked = |s: &str| crate::pan::mask(s).into_owned();
    let report = ClientErrorReport {
        error: masked(&report.error),
        id: report.id.as_deref().map(masked),
        stack_trace: report.stack_trace.as_deref().map(masked),
        severity: report.severity.as_deref().map(masked),
        extra: report
            .extra
            .into_iter()
            .map(|(k, mut v)| {
                crate::pan::mask_json(&mut v);
                (masked(&k), v)
            })
            .collect(),
        ..report
    };
    let context = (!report.extra.is_empty()).then(|| Json(report.extra));
    on_write!(db, pool => sqlx::query(
        "INSERT INTO client_error_reports \
         (id, user_id, error, error_id, severity, stack_trace, context, client_ip, user_agent, reported_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(origin.user_id)
    .bind(&report.error)
    .bind(&report.id)
    .bind(&report.severity)
    .bind(&report.stack_trace)
    .bind(&context)
    .bind(&origin.client_ip)
    .bind(&origin.user_agent)
    .bind(reported_at)
    .bind(clock.now_ms())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(id)
}
