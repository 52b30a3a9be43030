//! `/api/behavior/*` analyses: the caller's own spending, plan and income by the rules of
//! docs/insights.md ("Behaviour"). Nothing here stores anything.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use mita::budget::views::Ctx;
use mita::insights::behavior::service::{self, CalendarRequest, ExpenseRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::MonthQuery;
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(analysis))
        .routes(routes!(patterns))
        .routes(routes!(anomalies))
        .routes(routes!(predictions))
        .routes(routes!(triggers))
        .routes(routes!(warnings))
        .routes(routes!(recommendations))
        .routes(routes!(progress))
        .routes(routes!(cluster))
        .routes(routes!(category))
        .routes(routes!(calendar))
        .routes(routes!(expense_suggestions))
}

async fn ctx(state: &AppState, user: mita::id::Id) -> ApiResult<Ctx> {
    Ok(Ctx::load(&state.db, user, state.clock.now_ms()).await?)
}

/// The caller with this month's plan laid out (the routes that read the plan).
async fn planned_ctx(state: &AppState, user: mita::id::Id) -> ApiResult<Ctx> {
    super::budget::context(state, user, true).await
}

/// The selected month's spending figures, patterns, triggers and counts of unusual purchases
/// and warnings: `data{year, month, summary, spending{...}, patterns[], triggers[],
/// anomaly_count, warning_count}`.
#[utoipa::path(get, path = "/api/behavior/analysis", tag = "behavior", params(MonthQuery),
    responses((status = 200, description = "Behaviour analysis of the month"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn analysis(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    Ok(ok(service::analysis(&state.db, &ctx, year, month).await?))
}

/// The month's patterns: `data{year, month, patterns[string], analysis{total,
/// transaction_count, average_transaction, daily_average, weekday_daily_average,
/// weekend_daily_average, weekend_ratio_bp, small_purchases, discretionary_share_bp,
/// first_week_share_bp, top_categories[]}}`.
#[utoipa::path(get, path = "/api/behavior/patterns", tag = "behavior", params(MonthQuery),
    responses((status = 200, description = "Patterns of the month"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn patterns(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    let (analysis, patterns, _) = service::month(&state.db, &ctx, year, month).await?;
    Ok(ok(service::PatternsAnswer {
        year,
        month,
        patterns,
        analysis,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomalyQuery {
    /// With `days` (1–90): the anomalies of the last `days` days as a list.
    days: Option<u32>,
    year: Option<i32>,
    month: Option<u32>,
}

/// Unusual purchases (the rule of `/api/ai/spending-anomalies`). With `days`: `data[anomaly]`
/// of the last `days` days; otherwise `data{year, month, anomalies[], count}` of the month.
#[utoipa::path(get, path = "/api/behavior/anomalies", tag = "behavior", params(AnomalyQuery),
    responses((status = 200, description = "Unusual purchases"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn anomalies(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<AnomalyQuery>,
) -> ApiResult<axum::response::Response> {
    let ctx = ctx(&state, user.id).await?;
    if let Some(days) = q.days {
        let found = service::recent_anomalies(&state.db, &ctx, days).await?;
        return Ok(ok(found).into_response());
    }
    let (year, month) = ctx.month(q.year, q.month)?;
    let (first, last) = service::counted(&ctx, year, month)?;
    let found = service::anomalies_between(&state.db, &ctx, first, last).await?;
    Ok(ok(
        serde_json::json!({"year": year, "month": month, "count": found.len(), "anomalies": found}),
    )
    .into_response())
}

/// Next month's predicted spending: `data{next_month_spending, confidence (0–1),
/// months_used, recommended_budget, savings_potential, trend, risk_factors[],
/// monthly_history[{month, total, transaction_count}]}`.
#[utoipa::path(get, path = "/api/behavior/predictions", tag = "behavior",
    responses((status = 200, description = "Prediction"), (status = 401)), security(("bearer" = [])))]
async fn predictions(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    Ok(ok(service::predictions(&state.db, &ctx).await?))
}

/// The month's spending triggers: `data{year, month, count, triggers[{trigger_type,
/// trigger_name, description, frequency, amount}]}`.
#[utoipa::path(get, path = "/api/behavior/triggers", tag = "behavior", params(MonthQuery),
    responses((status = 200, description = "Triggers"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn triggers(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    let (_, _, triggers) = service::month(&state.db, &ctx, year, month).await?;
    Ok(ok(service::TriggersAnswer {
        year,
        month,
        count: triggers.len(),
        triggers,
    }))
}

/// Days of the month over their plan, and coming days whose weekday usually costs more than
/// the plan: `data{year, month, count, warnings[{date, warning_type, severity, planned, spent,
/// expected, message}]}`.
#[utoipa::path(get, path = "/api/behavior/warnings", tag = "behavior", params(MonthQuery),
    responses((status = 200, description = "Warnings"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn warnings(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = planned_ctx(&state, user.id).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    let w = service::warnings(&state.db, &ctx, year, month).await?;
    Ok(ok(
        serde_json::json!({"year": year, "month": month, "count": w.len(), "warnings": w}),
    ))
}

/// `data{recommendations[string], count, based_on[rule]}` from this month's triggers, the
/// prediction and the largest category.
#[utoipa::path(get, path = "/api/behavior/recommendations", tag = "behavior",
    responses((status = 200, description = "Recommendations"), (status = 401)), security(("bearer" = [])))]
async fn recommendations(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    Ok(ok(service::recommendations(&state.db, &ctx).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// 1–12, default 6 (this month included).
    months: Option<u32>,
}

/// Month-by-month spending: `data{months_tracked, months[], overall_score (0–100),
/// progress_message, metrics[{name, value, trend}], improvements[]}`.
#[utoipa::path(get, path = "/api/behavior/progress", tag = "behavior", params(ProgressQuery),
    responses((status = 200, description = "Progress"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn progress(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    Ok(ok(service::progress(
        &state.db,
        &ctx,
        q.months.unwrap_or(6),
    )
    .await?))
}

/// The caller's spending profile over the last 30 days: `data{cluster_id, cluster_name,
/// description, characteristics[], spending_to_income_bp}`.
#[utoipa::path(get, path = "/api/behavior/cluster", tag = "behavior",
    responses((status = 200, description = "Cluster"), (status = 401)), security(("bearer" = [])))]
async fn cluster(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    Ok(ok(service::cluster(&state.db, &ctx).await?))
}

/// One transaction category in the month: `data{category, year, month, total, count, average,
/// share_bp, previous_month_total, trend, typical_amount, largest, insights[]}`; an unknown
/// category → 422.
#[utoipa::path(get, path = "/api/behavior/category/{category}", tag = "behavior",
    params(("category" = String, Path), MonthQuery),
    responses((status = 200, description = "Category behaviour"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn category(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(name): Path<String>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    Ok(ok(
        service::category(&state.db, &ctx, &name, year, month).await?
    ))
}

/// Every day of the month with its plan, spending, usual weekday spending and risk:
/// `data{year, month, high_risk_days, calendar[{date, day, weekday, planned, spent, expected,
/// risk}]}` (nothing is stored).
#[utoipa::path(post, path = "/api/behavior/calendar", tag = "behavior", request_body = CalendarRequest,
    responses((status = 200, description = "Behaviour calendar"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn calendar(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(r): ApiJson<CalendarRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = planned_ctx(&state, user.id).await?;
    Ok(ok(service::calendar(&state.db, &ctx, &r).await?))
}

/// Suggestions for an expense being entered: `data{category, date, typical_amount,
/// remaining_today, suggestions[{suggestion_type, message}]}` (nothing is stored).
#[utoipa::path(post, path = "/api/behavior/expense_suggestions", tag = "behavior", request_body = ExpenseRequest,
    responses((status = 200, description = "Suggestions"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn expense_suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(r): ApiJson<ExpenseRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = planned_ctx(&state, user.id).await?;
    Ok(ok(service::expense_suggestions(&state.db, &ctx, &r).await?))
}
