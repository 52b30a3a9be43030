//! `/api/installments/*`: the installment object — create, list with the summary, read, update
//! (payments, status, notes), soft delete — and the month calendar and achievements. Answers are
//! **bare** (no envelope) because the app's `InstallmentService` decodes the body itself; the
//! delete answers the envelope (the app reads only the status). The calculator and the financial
//! profile are in `installment_tools`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use mita::error::Code;
use mita::installments::input::InstallmentInput;
use mita::installments::store::{self, FILTERS};
use mita::installments::{InstallmentCtx, InstallmentView, achievements, summary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(achievements))
        .routes(routes!(calendar))
        .routes(routes!(get_one, update, delete))
}

/// The installment context of a request.
pub fn ctx<'a>(state: &'a AppState, user: &'a mita::auth::AuthUser) -> InstallmentCtx<'a> {
    InstallmentCtx {
        db: &state.db,
        clock: &state.clock,
        metrics: &state.metrics,
        user: user.id,
        tz: user.timezone,
    }
}

fn today(state: &AppState, user: &mita::auth::AuthUser) -> chrono::NaiveDate {
    mita::time::local_date(state.clock.now_ms(), user.timezone)
}

/// The installment object (documentation mirror of `InstallmentView`; answered bare).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InstallmentDoc {
    id: String,
    user_id: String,
    item_name: String,
    /// electronics, clothing, furniture, travel, education, health, groceries, utilities, other.
    category: String,
    /// The total to repay (Σ of every payment).
    total_amount: f64,
    /// Each payment but the last (the last is what the total leaves).
    payment_amount: f64,
    /// Annual percent (informative).
    interest_rate: f64,
    /// An integer.
    total_payments: i64,
    /// An integer.
    payments_made: i64,
    /// monthly or biweekly.
    payment_frequency: String,
    /// YYYY-MM-DD.
    first_payment_date: String,
    /// Due date of the first unpaid payment (the final one once all are paid).
    next_payment_date: String,
    final_payment_date: String,
    next_payment_amount: f64,
    /// active, completed, cancelled (overdue is `is_overdue`).
    status: String,
    notes: Option<String>,
    created_at: String,
    updated_at: String,
    completed_at: Option<String>,
    /// 0–100.
    progress_percentage: f64,
    remaining_payments: i64,
    total_paid: f64,
    remaining_balance: f64,
    /// What it costs a month (biweekly payments × 26 ÷ 12).
    monthly_payment: f64,
    is_overdue: bool,
    days_until_next_payment: i64,
}

/// Create an installment; this month's payments are reserved in the daily plan.
#[utoipa::path(post, path = "/api/installments", tag = "installments", request_body = InstallmentInput,
    responses((status = 201, body = InstallmentDoc, description = "bare"), (status = 422)), security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<InstallmentInput>,
) -> ApiResult<impl IntoResponse> {
    let view = store::create(&ctx(&state, &user), &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// active, completed, cancelled or overdue (active with a payment due before today).
    status: Option<String>,
}

/// The summary object (documentation mirror of `Summary`; answered bare).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SummaryDoc {
    total_active: i64,
    total_completed: i64,
    total_cancelled: i64,
    total_overdue: i64,
    total_monthly_payment: f64,
    next_payment_date: Option<String>,
    next_payment_amount: Option<f64>,
    installments: Vec<InstallmentDoc>,
    /// Σ monthly payments ÷ what the plan leaves free each month (a fraction).
    current_installment_load: f64,
    /// safe, moderate, high, critical, unknown.
    load_level: String,
    load_message: String,
    plan_capacity: Option<f64>,
}

/// The caller's installments (filtered by `status`) with counts and totals over all of them.
#[utoipa::path(get, path = "/api/installments", tag = "installments", params(ListQuery),
    responses((status = 200, body = SummaryDoc, description = "bare"), (status = 422)), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let status = match q.status.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if FILTERS.contains(&s.as_str()) => Some(s),
        Some(_) => {
            return Err(ApiError::from(mita::Error::invalid(
                Code::Validation2002,
                "query.status",
                "value",
                "must be active, completed, cancelled or overdue",
            )));
        }
        None => None,
    };
    let c = ctx(&state, &user);
    // A new month: build it and its reservations (1 query when nothing is missing).
    let (now, day) = c.now();
    mita::plan::ensure_month_for_read(c.db, c.user, day, now, c.metrics).await?;
    let today = today(&state, &user);
    Ok(Json(
        summary::list(&state.db, user.id, status.as_deref(), today).await?,
    ))
}

/// One installment (another user's, or a deleted one, is 404).
#[utoipa::path(get, path = "/api/installments/{id}", tag = "installments", params(("id" = String, Path)),
    responses((status = 200, body = InstallmentDoc, description = "bare"), (status = 404)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let row = store::get(&state.db, user.id, id).await?;
    Ok(Json(InstallmentView::of(&row, today(&state, &user))))
}

/// Partial update: `payments_made` (new payments are recorded as transactions, fewer undo
/// them), `status`, `notes`, `item_name`, `category`; other fields are ignored.
#[utoipa::path(patch, path = "/api/installments/{id}", tag = "installments", params(("id" = String, Path)),
    request_body = InstallmentInput,
    responses((status = 200, body = InstallmentDoc, description = "bare"), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(input): ApiJson<InstallmentInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(store::update(&ctx(&state, &user), id, &input).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(as = InstallmentDeleted)]
pub struct Deleted {
    /// `deleted`.
    status: &'static str,
    id: String,
}

/// Soft delete: the installment leaves lists and its future plan reservations are released.
#[utoipa::path(delete, path = "/api/installments/{id}", tag = "installments", params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 404)), security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    store::delete(&ctx(&state, &user), id).await?;
    Ok(ok(Deleted {
        status: "deleted",
        id: id.to_string(),
    })
    .message("Installment deleted"))
}

/// Every payment due in a month (paid, today, upcoming, overdue), answered bare:
/// `{year, month, total_payments_this_month, unpaid_this_month, payment_dates[{installment_id,
/// item_name, payment_number, payment_amount, payment_date, is_upcoming, days_until_payment,
/// status}], available_after_installments}`.
#[utoipa::path(get, path = "/api/installments/calendar/{year}/{month}", tag = "installments",
    params(("year" = i32, Path, description = "2000–2100"), ("month" = u32, Path, description = "1–12")),
    responses((status = 200, description = "bare calendar"), (status = 422)), security(("bearer" = [])))]
async fn calendar(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((year, month)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let bad = |field: &str| {
        mita::Error::invalid(
            Code::Validation2003,
            field,
            "format",
            "must be a whole number",
        )
    };
    let year: i32 = year.trim().parse().map_err(|_| bad("path.year"))?;
    let month: u32 = month.trim().parse().map_err(|_| bad("path.month"))?;
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::from(mita::Error::invalid(
            Code::Validation2003,
            "path.year",
            "range",
            "must be between 2000 and 2100",
        )));
    }
    let Some(first) = chrono::NaiveDate::from_ymd_opt(year, month, 1) else {
        return Err(ApiError::from(mita::Error::invalid(
            Code::Validation2003,
            "path.month",
            "range",
            "must be between 1 and 12",
        )));
    };
    let today = today(&state, &user);
    Ok(Json(
        summary::calendar(&state.db, user.id, first, today).await?,
    ))
}

/// Installment habits (bare): completed installments, calculations made and risky ones not
/// taken, days without a new installment, the interest avoided and a level.
#[utoipa::path(get, path = "/api/installments/achievements", tag = "installments",
    responses((status = 200, description = "bare `{id, user_id, installments_completed, calculations_performed, \
    calculations_declined, days_without_new_installment, max_days_streak, interest_saved, achievement_level, \
    last_calculation_date, updated_at}`")), security(("bearer" = [])))]
async fn achievements(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        achievements::get(&state.db, user.id, state.clock.now_ms(), user.timezone).await?,
    ))
}
