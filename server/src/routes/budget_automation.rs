//! `/api/budget/*` automation and advice: the automation switches, pending and applied
//! adaptations of the plan to the spending pace, suggestions, the behavioral split, income-based
//! recommendations and the month's plan in figures (docs/budget-automation.md).

use axum::extract::State;
use axum::response::IntoResponse;
use mita::budget::advice::{self, BehavioralInput, IncomeInput, MonthlyInput};
use mita::budget::automation::{self, SettingsPatch};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::{MonthQuery, context};
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, patch_settings))
        .routes(routes!(adaptations))
        .routes(routes!(auto_adapt))
        .routes(routes!(suggestions))
        .routes(routes!(behavioral_allocation))
        .routes(routes!(income_based_recommendations))
        .routes(routes!(monthly))
}

/// The automation switches (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AutomationDoc {
    auto_redistribution: bool,
    smart_suggestions: bool,
    behavioral_learning: bool,
    realtime_alerts: bool,
    updated_at: Option<String>,
}

/// The caller's automation switches (every switch on until changed).
#[utoipa::path(get, path = "/api/budget/automation_settings", tag = "budget",
    responses((status = 200, body = AutomationDoc)), security(("bearer" = [])))]
async fn get_settings(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(automation::settings(&state.db, user.id).await?))
}

/// Change any of the switches (JSON booleans; other keys → 422).
#[utoipa::path(patch, path = "/api/budget/automation_settings", tag = "budget", request_body = SettingsPatch,
    responses((status = 200, body = AutomationDoc), (status = 422)), security(("bearer" = [])))]
async fn patch_settings(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(patch): ApiJson<SettingsPatch>,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    Ok(
        ok(automation::update_settings(&state.db, user.id, &patch, now).await?)
            .message("Automation settings updated"),
    )
}

/// The current month's pace per variable category and the moves auto_adapt would make now.
#[utoipa::path(get, path = "/api/budget/adaptations", tag = "budget",
    responses((status = 200, description = "{auto_adapt_enabled, month, pending_suggestions[{from_category, to_category, amount, from_day, to_day}], pending_total, categories{cat: {planned, spent, projected, status}}, recent_adaptations[]}")),
    security(("bearer" = [])))]
async fn adaptations(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    Ok(ok(automation::adaptations(&state.db, &ctx).await?))
}

/// Move planned money from categories heading under their plan to those heading over it, on days
/// after today (one transaction; the BUDGET.md invariants hold).
#[utoipa::path(post, path = "/api/budget/auto_adapt", tag = "budget",
    responses((status = 200, description = "{adapted, reason, message, transfers[], total_moved, rows_changed}")),
    security(("bearer" = [])))]
async fn auto_adapt(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    Ok(ok(automation::auto_adapt(&state.db, &ctx).await?))
}

/// Suggestions for a month from its plan and the spending pace.
#[utoipa::path(get, path = "/api/budget/suggestions", tag = "budget", params(MonthQuery),
    responses((status = 200, description = "{suggestions[{id, type, category, message, text, potential_savings, difficulty}], total_potential_savings, priority_areas, confidence, category_insights}"), (status = 422)),
    security(("bearer" = [])))]
async fn suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    Ok(ok(advice::suggestions(&state.db, &ctx, year, month).await?))
}

/// Split the variable part of an amount between categories by the engine's weights, leaning
/// toward the caller's own spending of the last 90 days as far as it has history.
#[utoipa::path(post, path = "/api/budget/behavioral_allocation", tag = "budget", request_body = BehavioralInput,
    responses((status = 200, description = "{total_amount, method, income_tier, lookback_days, variable_total, unallocated, allocations{cat: {amount, base_amount, confidence, observed_share, transactions}}, confidence}"), (status = 422)),
    security(("bearer" = [])))]
async fn behavioral_allocation(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<BehavioralInput>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    Ok(ok(advice::behavioral(&state.db, &ctx, &input).await?))
}

/// The engine's allocation of a monthly income by its tier, the rest as savings.
#[utoipa::path(post, path = "/api/budget/income_based_recommendations", tag = "budget", request_body = IncomeInput,
    responses((status = 200, description = "{monthly_income, tier, income_tier, allocations{cat: amount, savings}, total_allocated, recommended_savings, savings_rate}"), (status = 422)),
    security(("bearer" = [])))]
async fn income_based_recommendations(
    Authed(_user): Authed,
    ApiJson(input): ApiJson<IncomeInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(advice::recommendations(&input)?))
}

/// A month's plan in figures: income, budget, reserved savings, spent, per category.
#[utoipa::path(post, path = "/api/budget/monthly", tag = "budget", request_body = MonthlyInput,
    responses((status = 200, description = "{year, month, total_income, total_budget, allocated, saved, spent, remaining, unallocated, categories, spent_by_category, source, ignored_fields}"), (status = 422)),
    security(("bearer" = [])))]
async fn monthly(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<MonthlyInput>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    Ok(ok(advice::monthly(&state.db, &ctx, &input).await?))
}
