//! `/api/ocr/*` and the receipt routes of `/api/transactions` (the same handlers): upload a
//! receipt image (202 with the job id at once; `?wait=true` waits a bounded time), follow the
//! job, fetch or delete the stored image. (`POST /api/ocr/categorize` lives with the insights.)

mod upload;

use mita::error::Code;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use mita::ocr::job::ReceiptAnswer;
use mita::ocr::{JobStatus, JobView, reason};

use crate::envelope::ok;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    // Uploads may be larger than the JSON body limit: these routes count their bytes themselves
    // (`limits.upload_bytes`).
    let uploads = OpenApiRouter::new()
        .routes(routes!(process))
        .routes(routes!(transaction_receipt))
        .routes(routes!(transaction_receipt_advanced))
        .routes(routes!(transaction_receipt_batch))
        .layer(DefaultBodyLimit::disable());
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(status))
        .routes(routes!(transaction_receipt_status))
        .routes(routes!(image, delete_image))
        .routes(routes!(
            transaction_receipt_image,
            transaction_receipt_image_delete
        ))
        .routes(routes!(receipt_validate))
        .routes(routes!(ocr_enhance))
}

/// The premium-screen upload (multipart `file`, with the app's `use_premium` and `options`):
/// the same as `POST /api/transactions/receipt`. The engine follows the account (premium
/// accounts get the premium engine when one is configured); `use_premium` cannot upgrade it and
/// `options` are accepted and not used.
#[utoipa::path(post, path = "/api/transactions/receipt/advanced", tag = "transactions", params(UploadQuery),
    request_body(content_type = "multipart/form-data", description = "The image in the field `file` or `receipt`"),
    responses((status = 200, body = JobDoc, description = "Parsed"), (status = 202, body = JobDoc, description = "Still queued"),
              (status = 413), (status = 415), (status = 422), (status = 503)),
    security(("bearer" = [])))]
async fn transaction_receipt_advanced(
    state: State<AppState>,
    user: Authed,
    q: ApiQuery<UploadQuery>,
    req: Request,
) -> ApiResult<Response> {
    transaction_receipt(state, user, q, req).await
}

/// Images accepted in one batch.
pub const BATCH_MAX: usize = 10;

/// One image of a batch in the answer.
#[derive(serde::Serialize)]
struct BatchItem {
    index: usize,
    job_id: mita::id::Id,
    status: JobStatus,
    /// The earlier image of the same batch with the same bytes (it shares that job).
    duplicate_of: Option<usize>,
}

/// Queues a batch of receipt images (multipart fields `files`, 1–10 images, each at most
/// `limits.upload_bytes`): 202 with `data{count, queued, jobs[{index, job_id, status,
/// duplicate_of}], job_ids[]}`; follow each with `GET /api/transactions/receipt/status/{job_id}`.
/// Every image is checked (type, header, pixels) and the quotas for the whole batch before any
/// is queued; identical images in one batch are queued once.
#[utoipa::path(post, path = "/api/transactions/receipt/batch", tag = "transactions",
    request_body(content_type = "multipart/form-data", description = "The images in repeated fields `files`"),
    responses((status = 202, description = "Queued"), (status = 413), (status = 415), (status = 422), (status = 429)),
    security(("bearer" = [])))]
async fn transaction_receipt_batch(
    State(state): State<AppState>,
    Authed(user): Authed,
    req: Request,
) -> ApiResult<Response> {
    let images = upload::read_images(req, state.settings.limits.upload_bytes, BATCH_MAX).await?;
    let mut unique: Vec<usize> = Vec::new();
    let mut first_of: Vec<usize> = Vec::new();
    for (i, img) in images.iter().enumerate() {
        match unique.iter().find(|&&u| images[u] == *img) {
            Some(&u) => first_of.push(u),
            None => {
                unique.push(i);
                first_of.push(i);
            }
        }
    }
    let distinct: Vec<&[u8]> = unique.iter().map(|&u| images[u].as_slice()).collect();
    state.ocr.check_batch(user.id, &distinct).await?;
    let premium = user.is_premium || user.role == "premium_user";
    let mut views: std::collections::BTreeMap<usize, JobView> = Default::default();
    for &u in &unique {
        views.insert(u, state.ocr.submit(user.id, premium, &images[u]).await?);
    }
    let jobs: Vec<BatchItem> = first_of
        .iter()
        .enumerate()
        .filter_map(|(index, u)| {
            views.get(u).map(|v| BatchItem {
                index,
                job_id: v.job_id,
                status: v.status,
                duplicate_of: (*u != index).then_some(*u),
            })
        })
        .collect();
    Ok(ok(json!({
        "count": images.len(),
        "queued": unique.len(),
        "job_ids": unique.iter().filter_map(|u| views.get(u).map(|v| v.job_id)).collect::<Vec<_>>(),
        "jobs": jobs,
    }))
    .status(StatusCode::ACCEPTED)
    .message("Receipts queued for OCR")
    .into_response())
}

async fn today(state: &AppState, user: mita::id::Id) -> ApiResult<chrono::NaiveDate> {
    Ok(
        mita::budget::views::Ctx::load(&state.db, user, state.clock.now_ms())
            .await?
            .today,
    )
}

/// Checks a parsed receipt the app sends back (`OCRResult.toJson`) by rules V1–V5 of
/// docs/ocr.md: `data{merchant, total, date, category, items[{name, price, confidence,
/// category}], *_confidence, raw_text, is_premium_processing, receipt_image_path, metadata,
/// is_valid, errors[], warnings[], corrections[{field, from, to}], items_total}`. Nothing is
/// stored.
#[utoipa::path(post, path = "/api/transactions/receipt/validate", tag = "transactions",
    request_body(content_type = "application/json", description = "The app's OCRResult.toJson"),
    responses((status = 200, description = "The checked receipt"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn receipt_validate(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<mita::ocr::review::ReceiptIn>,
) -> ApiResult<impl IntoResponse> {
    let today = today(&state, user.id).await?;
    Ok(ok(mita::ocr::review::review(&body, today)?))
}

/// The checked receipt (V1–V5) plus rule E1: `enhanced`, `merchant_type` (the merchant's own
/// keyword category), `spending_category` (the plan category), `category_suggestions[]`.
/// Nothing is stored.
#[utoipa::path(post, path = "/api/ocr/enhance", tag = "ocr",
    request_body(content_type = "application/json", description = "The app's OCRResult.toJson"),
    responses((status = 200, description = "The enhanced receipt"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn ocr_enhance(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<mita::ocr::review::ReceiptIn>,
) -> ApiResult<impl IntoResponse> {
    let today = today(&state, user.id).await?;
    Ok(ok(mita::ocr::review::enhance(&body, today)?))
}

#[derive(Deserialize, IntoParams)]
pub struct UploadQuery {
    /// `true`: wait (at most `ocr.wait_timeout_ms`, 30 s by default) for the result. Default
    /// `false` on `/api/ocr/process`, `true` on `/api/transactions/receipt`.
    wait: Option<String>,
}

impl UploadQuery {
    fn wait(&self, default: bool) -> bool {
        match self.wait.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            _ => default,
        }
    }
}

/// An OCR job (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct JobDoc {
    job_id: String,
    /// pending, processing, completed or failed.
    status: String,
    /// 0, 50 or 100.
    progress: u8,
    engine: Option<String>,
    attempts: i32,
    created_at: String,
    completed_at: Option<String>,
    /// Completed jobs: `{merchant, amount, date, items[{name, amount}], subtotal, tax, category,
    /// plan_category, confidence, fields_needing_review[]}`.
    #[schema(value_type = Object)]
    result: Option<String>,
    /// Failed jobs: what went wrong; `error_reason` is a stable token (`circuit_open`,
    /// `engine_error`, `timeout`, `no_text`, ...).
    error: Option<String>,
    error_reason: Option<String>,
}

/// Upload a receipt image (multipart field `receipt` or `file`: JPEG, PNG, WebP or HEIC, at
/// most 10 MB). Answers 202 with the queued job; with `?wait=true`, 200 with the finished job
/// when it finishes in time.
#[utoipa::path(post, path = "/api/ocr/process", tag = "ocr", params(UploadQuery),
    request_body(content_type = "multipart/form-data", description = "The image in the field `receipt` or `file`"),
    responses((status = 202, body = JobDoc), (status = 200, body = JobDoc, description = "Finished while waiting"),
              (status = 413), (status = 415), (status = 422)),
    security(("bearer" = [])))]
async fn process(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<UploadQuery>,
    req: Request,
) -> ApiResult<Response> {
    submit(state, user, q, req).await
}

/// Upload a receipt image and wait for the parsed receipt (the mobile app never polls). Answers
/// 200 with the job and the receipt under the names the app reads (`merchant`, `total`, `date`,
/// `category`, `items[{name, price}]`, `raw_text`, `receipt_image_path`); 202 with the job when it
/// does not finish within `ocr.wait_timeout_ms` (it stays queued: follow it with
/// `GET /api/transactions/receipt/status/{job_id}`); `?wait=false` answers 202 at once. A job that
/// failed is kept for replay and answers 422 `BUSINESS_4002` (nothing readable on the image) or
/// 503 `EXTERNAL_6001` (the engine failed), with `details{job_id, error_reason}`.
#[utoipa::path(post, path = "/api/transactions/receipt", tag = "transactions", params(UploadQuery),
    request_body(content_type = "multipart/form-data", description = "The image in the field `receipt` or `file`"),
    responses((status = 200, body = JobDoc, description = "Parsed"), (status = 202, body = JobDoc, description = "Still queued"),
              (status = 413), (status = 415), (status = 422), (status = 503)),
    security(("bearer" = [])))]
async fn transaction_receipt(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<UploadQuery>,
    req: Request,
) -> ApiResult<Response> {
    let view = accept(&state, &user, q.wait(true), req).await?;
    let status = match view.status {
        JobStatus::Failed => return Err(failed_receipt(&view)),
        JobStatus::Completed => StatusCode::OK,
        JobStatus::Pending | JobStatus::Processing => StatusCode::ACCEPTED,
    };
    let message = if status == StatusCode::OK {
        "Receipt processed"
    } else {
        "Receipt queued for OCR"
    };
    Ok(ok(ReceiptAnswer::from(view))
        .status(status)
        .message(message)
        .into_response())
}

/// The error a failed receipt job answers on the synchronous upload.
fn failed_receipt(view: &JobView) -> ApiError {
    let reason = view.error_reason.as_deref().unwrap_or(reason::ENGINE_ERROR);
    let details = json!({"job_id": view.job_id, "error_reason": reason});
    if matches!(reason, reason::NO_TEXT | reason::UNREADABLE_IMAGE) {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::Business4002,
            "No receipt could be read from the image",
        )
        .with_details(details)
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::External6001,
            "Receipt recognition is unavailable; the receipt is kept and will be retried",
        )
        .with_details(details)
        .retry_after(30)
    }
}

async fn submit(
    state: AppState,
    user: mita::auth::AuthUser,
    q: UploadQuery,
    req: Request,
) -> ApiResult<Response> {
    let view = accept(&state, &user, q.wait(false), req).await?;
    let (status, message) = if view.status.is_terminal() {
        (StatusCode::OK, "Receipt processed")
    } else {
        (StatusCode::ACCEPTED, "Receipt queued for OCR")
    };
    Ok(ok(view).status(status).message(message).into_response())
}

/// Reads and checks the upload, queues the job and, with `wait`, waits a bounded time for it.
async fn accept(
    state: &AppState,
    user: &mita::auth::AuthUser,
    wait: bool,
    req: Request,
) -> ApiResult<JobView> {
    let bytes = upload::read_image(req, state.settings.limits.upload_bytes).await?;
    if mita::ocr::sniff(&bytes).is_none() {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Validation2002,
            "The upload is not a JPEG, PNG, WebP or HEIC image",
        ));
    }
    let premium = user.is_premium || user.role == "premium_user";
    let mut view = state.ocr.submit(user.id, premium, &bytes).await?;
    if wait {
        // Stay inside the request timeout, whatever the configuration says.
        let request = Duration::from_secs(state.settings.server.request_timeout_secs.max(2));
        let bound = request.saturating_sub(Duration::from_secs(1));
        let timeout = Duration::from_millis(state.settings.ocr.wait_timeout_ms).min(bound);
        view = state.ocr.wait(user.id, view.job_id, timeout).await?;
    }
    Ok(view)
}

/// An OCR job of the caller (another user's job is a 404).
#[utoipa::path(get, path = "/api/ocr/status/{job_id}", tag = "ocr", params(("job_id" = String, Path)),
    responses((status = 200, body = JobDoc), (status = 404)), security(("bearer" = [])))]
async fn status(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(job): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.ocr.status(user.id, job).await?))
}

/// An OCR job of the caller (the same as `GET /api/ocr/status/{job_id}`).
#[utoipa::path(get, path = "/api/transactions/receipt/status/{job_id}", tag = "transactions",
    params(("job_id" = String, Path)), responses((status = 200, body = JobDoc), (status = 404)),
    security(("bearer" = [])))]
async fn transaction_receipt_status(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(job): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.ocr.status(user.id, job).await?))
}

/// The stored receipt image (owner only), as its own content type.
#[utoipa::path(get, path = "/api/ocr/image/{job_id}", tag = "ocr", params(("job_id" = String, Path)),
    responses((status = 200, content_type = "image/*", description = "The image bytes"), (status = 404)),
    security(("bearer" = [])))]
async fn image(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(job): PathId,
) -> ApiResult<Response> {
    image_response(&state, user.id, job).await
}

/// Where the stored receipt image is: `data{job_id, url, content_type}`; `url` is
/// `/api/ocr/image/{job_id}`, which answers the bytes (with the bearer token).
#[utoipa::path(get, path = "/api/transactions/receipt/{job_id}/image", tag = "transactions",
    params(("job_id" = String, Path)),
    responses((status = 200, description = "`{job_id, url, content_type}`"), (status = 404)),
    security(("bearer" = [])))]
async fn transaction_receipt_image(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(job): PathId,
) -> ApiResult<impl IntoResponse> {
    let content_type = state.ocr.image_type(user.id, job).await?;
    Ok(ok(json!({
        "job_id": job,
        "url": format!("/api/ocr/image/{job}"),
        "content_type": content_type,
    })))
}

/// Delete the stored image of a finished job (the same as `DELETE /api/ocr/image/{job_id}`).
#[utoipa::path(delete, path = "/api/transactions/receipt/{job_id}/image", tag = "transactions",
    params(("job_id" = String, Path)),
    responses((status = 200), (status = 404), (status = 409)), security(("bearer" = [])))]
async fn transaction_receipt_image_delete(
    state: State<AppState>,
    user: Authed,
    job: PathId,
) -> ApiResult<impl IntoResponse> {
    delete_image(state, user, job).await
}

async fn image_response(
    state: &AppState,
    user: mita::id::Id,
    job: mita::id::Id,
) -> ApiResult<Response> {
    let (bytes, mime) = state.ocr.image(user, job).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// Delete the stored image of a finished job (409 while the job is still queued).
#[utoipa::path(delete, path = "/api/ocr/image/{job_id}", tag = "ocr", params(("job_id" = String, Path)),
    responses((status = 200), (status = 404), (status = 409)), security(("bearer" = [])))]
async fn delete_image(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(job): PathId,
) -> ApiResult<impl IntoResponse> {
    state.ocr.delete_image(user.id, job).await?;
    Ok(ok(json!({"deleted": true, "job_id": job})))
}
