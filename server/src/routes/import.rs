//! Bank-file import (docs/import.md): upload a CSV (with its column mapping), OFX/QFX or QIF
//! file for a preview, then commit the preview. Another user's import is 404.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use mita::error::{Code, FieldError};
use mita::import::{self, MAX_FILE_BYTES, Mapping};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 256 * 1024))
        .routes(routes!(commit))
}

/// The preview (documentation mirror of `mita::import::Preview`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PreviewDoc {
    import_id: String,
    /// `csv`, `ofx` (OFX and QFX) or `qif`.
    format: String,
    /// The encoding the file was read with: `UTF-8`, `UTF-16LE`, `UTF-16BE`, `windows-1252`...
    encoding: String,
    rows_parsed: i64,
    new_rows: i64,
    duplicates: i64,
    /// `{line, reason}` of each line left out.
    rejected: Vec<serde_json::Value>,
    /// `{line, date, amount, currency, payee, category, description, tags, duplicate,
    /// external_id}`.
    rows: Vec<serde_json::Value>,
    expires_at: String,
}

/// The commit's answer.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CommittedDoc {
    import_id: String,
    inserted: i64,
    duplicates: i64,
    days_affected: i64,
}

fn missing(field: &str, message: &str) -> ApiError {
    ApiError::validation(
        vec![FieldError::new(field, "missing", message)],
        Code::Validation2001,
    )
}

/// Upload a bank file (multipart: `file`, a CSV, OFX/QFX or QIF file; `format`, optional:
/// `csv`, `ofx`, `qfx` or `qif`, detected from the content when absent; `mapping`, JSON, required
/// for a CSV: `date`, `payee`, `amount` or `debit`/`credit`, optional `currency`, `id`,
/// `date_format`, `decimal`, `delimiter`, `spends_positive`, `account`, `encoding`, `format`).
/// Answers the preview; nothing is imported until the commit.
#[utoipa::path(post, path = "/api/import", tag = "import",
    request_body(content_type = "multipart/form-data", description = "`file` (CSV, OFX/QFX or QIF), optional `format`, and `mapping` (JSON; required for a CSV)"),
    responses((status = 200, body = PreviewDoc), (status = 401), (status = 413), (status = 422, description = "Bad mapping, or a malformed file: the message names the line")),
    security(("bearer" = [])))]
async fn upload(
    State(state): State<AppState>,
    Authed(user): Authed,
    req: Request,
) -> ApiResult<impl IntoResponse> {
    let mut multipart = Multipart::from_request(req, &()).await.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Validation2002,
            "Expected a multipart/form-data upload with the fields `file` and `mapping`",
        )
    })?;
    let (mut file, mut name, mut mapping, mut format) = (None, None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        ApiError::new(
            e.status(),
            Code::Validation2002,
            "The upload could not be read (too large or malformed)",
        )
    })? {
        match field.name() {
            Some("file") => {
                name = field.file_name().map(str::to_string);
                file = Some(field.bytes().await.map_err(|e| {
                    ApiError::new(
                        e.status(),
                        Code::Validation2002,
                        "The file could not be read (too large?)",
                    )
                })?);
            }
            Some("mapping") => {
                let text = field
                    .text()
                    .await
                    .map_err(|_| missing("body.mapping", "not text"))?;
                let parsed: Mapping = serde_json::from_str(&text).map_err(|e| {
                    ApiError::validation(
                        vec![FieldError::new("body.mapping", "format", e.to_string())],
                        Code::Validation2001,
                    )
                })?;
                mapping = Some(parsed);
            }
            Some("format") => {
                format = Some(
                    field
                        .text()
                        .await
                        .map_err(|_| missing("body.format", "not text"))?,
                );
            }
            _ => {}
        }
    }
    let file =
        file.ok_or_else(|| missing("body.file", "the bank file is required in the field `file`"))?;
    let mut mapping: Mapping = mapping.unwrap_or_default();
    if let Some(f) = format.filter(|f| !f.trim().is_empty()) {
        if import::Format::from_name(&f).is_none() {
            return Err(ApiError::validation(
                vec![FieldError::new(
                    "body.format",
                    "value",
                    "must be csv, ofx, qfx or qif",
                )],
                Code::Validation2001,
            ));
        }
        mapping.format = Some(f);
    }
    let preview = import::preview(
        &state.db,
        &state.clock,
        user.id,
        user.timezone,
        name.as_deref(),
        &file,
        &mapping,
    )
    .await?;
    Ok(ok(preview).message("Preview: nothing imported yet"))
}

/// Commit a preview: its new rows are inserted in one transaction (duplicates checked again),
/// the plan moves once per affected day and category.
#[utoipa::path(post, path = "/api/import/{id}/commit", tag = "import",
    params(("id" = String, Path, description = "The preview's import_id")),
    responses((status = 200, body = CommittedDoc), (status = 401), (status = 404, description = "Another user's, unknown or expired"),
              (status = 409, description = "Already committed"), (status = 422)),
    security(("bearer" = [])))]
async fn commit(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let done = import::commit(
        &state.db,
        &state.clock,
        &state.metrics,
        user.id,
        user.timezone,
        id,
    )
    .await?;
    Ok(ok(done).message("Import committed"))
}
