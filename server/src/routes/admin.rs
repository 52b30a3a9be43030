//! `/api/admin/*` (role `admin`): the same operations as `mita admin`, through the same service.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::audit::{AuditFilter, list as list_audit, parse_since};
use mita::auth::admin::UnlockOutcome;
use mita::error::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{Admin, ApiQuery, Meta, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit))
        .routes(routes!(unlock))
        .routes(routes!(revoke_tokens))
        .routes(routes!(ocr_jobs))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// e.g. `login_failure`, `lockout`, `unlock`.
    event_type: Option<String>,
    user_id: Option<String>,
    /// RFC 3339 time or a duration back from now such as `24h`, `7d`, `30m`.
    since: Option<String>,
    /// 1–1000 (default 100).
    limit: Option<i64>,
}

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, description = "A list of audit events"), (status = 403)), security(("bearer" = [])))]
async fn audit(
    State(state): State<AppState>,
    Admin(_admin): Admin,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    let user_id = match q.user_id.as_deref() {
        Some(raw) => Some(raw.parse().map_err(|_| {
            mita::Error::invalid(
                Code::Validation2011,
                "query.user_id",
                "format",
                "must be a UUID",
            )
        })?),
        None => None,
    };
    let since_ms = match q.since.as_deref() {
        Some(s) => Some(parse_since(s, state.clock.now_ms())?),
        None => None,
    };
    let filter = AuditFilter {
        event_type: q.event_type,
        user_id,
        since_ms,
        limit: q.limit.unwrap_or(100),
    };
    Ok(ok(list_audit(&state.db, &filter).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UnlockAnswer {
    user_id: String,
    /// `unlocked` or `not_locked` (nothing changed).
    #[schema(value_type = String)]
    result: UnlockOutcome,
}

/// Unlock an account (clears the lock and the failure counter).
#[utoipa::path(post, path = "/api/admin/users/{id}/unlock", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = UnlockAnswer), (status = 403), (status = 404)), security(("bearer" = [])))]
async fn unlock(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Meta(mut meta): Meta,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    meta.actor = format!("api:admin:{}", admin.id);
    let result = state.auth.unlock(id, None, &meta).await?;
    Ok(ok(UnlockAnswer {
        user_id: id.to_string(),
        result,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RevokeAnswer {
    user_id: String,
    revoked: bool,
}

/// End every session of a user.
#[utoipa::path(post, path = "/api/admin/users/{id}/revoke-tokens", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = RevokeAnswer), (status = 403), (status = 404)), security(("bearer" = [])))]
async fn revoke_tokens(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Meta(mut meta): Meta,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    meta.actor = format!("api:admin:{}", admin.id);
    state.auth.admin_revoke_tokens(id, &meta).await?;
    Ok(ok(RevokeAnswer {
        user_id: id.to_string(),
        revoked: true,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct OcrJobsQuery {
    /// pending, processing, completed or failed.
    status: Option<String>,
    user_id: Option<String>,
    /// RFC 3339 time or a duration back from now such as `24h`.
    since: Option<String>,
    /// Only failed jobs with this reason (`circuit_open`, `engine_error`, `timeout`...).
    error_reason: Option<String>,
    /// 1–1000 (default 100).
    limit: Option<i64>,
}

/// OCR jobs, newest first (the same service as `mita ocr list`).
#[utoipa::path(get, path = "/api/admin/ocr/jobs", tag = "admin", params(OcrJobsQuery),
    responses((status = 200, description = "A list of OCR jobs"), (status = 403)), security(("bearer" = [])))]
async fn ocr_jobs(
    State(state): State<AppState>,
    Admin(_admin): Admin,
    ApiQuery(q): ApiQuery<OcrJobsQuery>,
) -> ApiResult<impl IntoResponse> {
    let status = match q.status.as_deref() {
        Some(s) => Some(s.parse::<mita::ocr::JobStatus>().map_err(|_| {
            mita::Error::invalid(
                Code::Validation2001,
                "query.status",
                "enum",
                "must be one of pending, processing, completed, failed",
            )
        })?),
        None => None,
    };
    let user_id = match q.user_id.as_deref() {
        Some(raw) => Some(raw.parse().map_err(|_| {
            mita::Error::invalid(
                Code::Validation2011,
                "query.user_id",
                "format",
                "must be a UUID",
            )
        })?),
        None => None,
    };
    let since_ms = match q.since.as_deref() {
        Some(s) => Some(parse_since(s, state.clock.now_ms())?),
        None => None,
    };
    let filter = mita::ocr::JobFilter {
        status,
        user_id,
        since_ms,
        error_reason: q.error_reason,
        limit: q.limit.unwrap_or(mita::ocr::DEFAULT_LIST_LIMIT),
    };
    Ok(ok(state.ocr.list(&filter).await?))
}
