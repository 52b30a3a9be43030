//! `/api/budget/*`: the daily plan as the app reads it, the budget mode and the forecast.

use axum::extract::State;
use axum::response::IntoResponse;
use chrono::Datelike;
use mita::budget::views::daily::{self, Figure};
use mita::budget::views::settings::{self, ModeBody};
use mita::budget::views::{Ctx, forecast};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(daily_budget))
        .routes(routes!(spent))
        .routes(routes!(remaining))
        .routes(routes!(live_status))
        .routes(routes!(redistribution_history))
        .routes(routes!(get_mode, set_mode))
        .routes(routes!(forecast_month))
}

/// The caller's context (1 query: the user row). With `current`, an onboarded user's current
/// month is built first when it has no plan yet (+1 read query; a write only on a month's
/// first read).
pub async fn context(state: &AppState, user: mita::id::Id, current: bool) -> ApiResult<Ctx> {
    let ctx = Ctx::load(&state.db, user, state.clock.now_ms()).await?;
    if current {
        mita::plan::ensure_month_for_read(
            &state.db,
            ctx.user.id,
            ctx.today,
            ctx.now,
            &state.metrics,
        )
        .await?;
    }
    Ok(ctx)
}

/// The caller's context and the month asked for; the current month (asked for or by default) is
/// built first when it has no plan yet, as in [`context`].
async fn month_context(
    state: &AppState,
    user: mita::id::Id,
    q: &MonthQuery,
) -> ApiResult<(Ctx, i32, u32)> {
    let ctx = Ctx::load(&state.db, user, state.clock.now_ms()).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    if (year, month) == (ctx.today.year(), ctx.today.month()) {
        mita::plan::ensure_month_for_read(
            &state.db,
            ctx.user.id,
            ctx.today,
            ctx.now,
            &state.metrics,
        )
        .await?;
    }
    Ok((ctx, year, month))
}

/// A month; both default to the caller's current month.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// 2000–2100.
    pub year: Option<i32>,
    /// 1–12.
    pub month: Option<u32>,
}

/// The days of the month that have a budget: `data[{date, budget, limit (= budget), spent,
/// remaining, status (good/warning/over), day_status (green/yellow/red)}]`. Days without a
/// budget are left out.
#[utoipa::path(get, path = "/api/budget/daily", tag = "budget", params(MonthQuery),
    responses((status = 200, description = "A list of days"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn daily_budget(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let (ctx, year, month) = month_context(&state, user.id, &q).await?;
    // 1 query.
    Ok(ok(daily::daily(&state.db, &ctx, year, month).await?))
}

/// Spent per plan category this month: `data{category: amount, total_budget, total_spent,
/// remaining}`.
#[utoipa::path(get, path = "/api/budget/spent", tag = "budget", params(MonthQuery),
    responses((status = 200, description = "`{plan_category: amount, total_budget, total_spent, remaining}`"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn spent(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    // 1 query.
    Ok(ok(daily::per_category(
        &state.db,
        &ctx,
        year,
        month,
        Figure::Spent,
    )
    .await?))
}

/// Planned − spent per plan category this month (negative when overspent), with the month's
/// `total_budget`, `total_spent` and `remaining`.
#[utoipa::path(get, path = "/api/budget/remaining", tag = "budget", params(MonthQuery),
    responses((status = 200, description = "`{plan_category: amount, total_budget, total_spent, remaining}`"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn remaining(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let (ctx, year, month) = month_context(&state, user.id, &q).await?;
    // 1 query.
    Ok(ok(daily::per_category(
        &state.db,
        &ctx,
        year,
        month,
        Figure::Remaining,
    )
    .await?))
}

/// Today against today's plan: `data{date, daily_budget, spent_today, remaining_today, status,
/// monthly_budget, monthly_spent, total_budget (= monthly_budget), total_spent (= monthly_spent),
/// on_track}`; status over / warning (> 90 %) / good / neutral.
#[utoipa::path(get, path = "/api/budget/live_status", tag = "budget",
    responses((status = 200, description = "Live status"), (status = 401)), security(("bearer" = [])))]
async fn live_status(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    // 1 query.
    Ok(ok(daily::live_status(&state.db, &ctx).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// 1–100, default 50.
    limit: Option<i64>,
    offset: Option<i64>,
    /// Same as `offset`.
    skip: Option<i64>,
}

/// Recorded redistributions, newest first: `data[{id, from_category, to_category, amount,
/// reason, from_day, to_day, from, to (their days of the month), created_at}]`.
#[utoipa::path(get, path = "/api/budget/redistribution_history", tag = "budget", params(HistoryQuery),
    responses((status = 200, description = "A list of events"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn redistribution_history(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<impl IntoResponse> {
    // 1 query.
    let events =
        settings::redistribution_history(&state.db, user.id, q.limit, q.offset.or(q.skip)).await?;
    Ok(ok(events))
}

/// `{mode}`: strict, flexible, behavioral, goal (also accepted: goal-oriented) or default.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ModeDoc {
    mode: String,
}

/// The caller's budget mode (`default` until set).
#[utoipa::path(get, path = "/api/budget/mode", tag = "budget",
    responses((status = 200, body = ModeDoc), (status = 401)), security(("bearer" = [])))]
async fn get_mode(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    // 1 query.
    Ok(ok(settings::mode(&state.db, user.id).await?))
}

/// Set the caller's budget mode (persisted). Another value → 422.
#[utoipa::path(patch, path = "/api/budget/mode", tag = "budget", request_body = ModeBody,
    responses((status = 200, body = ModeDoc), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn set_mode(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<ModeBody>,
) -> ApiResult<impl IntoResponse> {
    // 1 statement.
    let mode = settings::set_mode(&state.db, user.id, body.mode, state.clock.now_ms()).await?;
    Ok(ok(mode).message("Budget mode updated"))
}

/// Where the current month is heading: pace, safe daily limit, projected month end and the
/// categories at risk (formulas in docs/budget.md).
#[utoipa::path(get, path = "/api/budget/forecast", tag = "budget",
    responses((status = 200, description = "The forecast"), (status = 401)), security(("bearer" = [])))]
async fn forecast_month(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    // 1 query.
    Ok(ok(forecast::forecast(&state.db, &ctx).await?))
}
