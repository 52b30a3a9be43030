//! `/api/goals/*` advisory routes: suggestions, recommendations, adjustments, opportunities,
//! one goal's health, and the goals in the month's budget. All computed by rules from the
//! caller's own goals, income, plan and spending (docs/goals.md has the formulas).

use axum::extract::State;
use axum::response::IntoResponse;
use mita::clock::rfc3339;
use mita::goals::facts::{self, Advice, Facts};
use mita::goals::{advice, budget, health, suggestions};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::goals::today;
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(income_based_suggestions))
        .routes(routes!(smart_recommendations))
        .routes(routes!(adjustment_suggestions))
        .routes(routes!(opportunities))
        .routes(routes!(goal_health))
        .routes(routes!(budget_allocate))
        .routes(routes!(budget_progress))
        .routes(routes!(budget_adjustment_suggestions))
}

async fn load(
    state: &AppState,
    user: &mita::auth::AuthUser,
    month: Option<(i32, u32)>,
) -> ApiResult<Facts> {
    let today = today(state, user);
    let month = match month {
        Some(m) => m,
        None => facts::month_of(today, None, None)?,
    };
    // 4 queries.
    Ok(facts::load(&state.db, user.id, today, user.timezone, month).await?)
}

/// `{<key>[], count, generated_at}`.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    items: serde_json::Map<String, serde_json::Value>,
    count: usize,
    generated_at: String,
}

fn listed(state: &AppState, key: &str, items: Vec<Advice>) -> ApiResult<Listed> {
    let count = items.len();
    let mut map = serde_json::Map::new();
    map.insert(
        key.to_string(),
        serde_json::to_value(items).map_err(|e| mita::Error::Internal(e.to_string()))?,
    );
    Ok(Listed {
        items: map,
        count,
        generated_at: rfc3339(state.clock.now_ms()),
    })
}

/// Goals sized from the caller's income: `data[{type, title, category, target_amount,
/// monthly_contribution, monthly_target, months_to_goal, target_date, priority, reason,
/// description}]`; `meta{monthly_income, recommended_savings_rate, recommended_monthly_savings,
/// income_tier}`.
#[utoipa::path(get, path = "/api/goals/income_based_suggestions", tag = "goals",
    responses((status = 200, description = "data: [{type, title, category, target_amount, monthly_contribution, monthly_target, months_to_goal, target_date, priority, reason, description}]; meta: {monthly_income, recommended_savings_rate, recommended_monthly_savings, income_tier}")),
    security(("bearer" = [])))]
async fn income_based_suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let f = load(&state, &user, None).await?;
    let s = suggestions::income_based(&f);
    let meta =
        serde_json::to_value(&s.savings).map_err(|e| mita::Error::Internal(e.to_string()))?;
    Ok(ok(s.suggestions).meta(meta))
}

/// `{recommendations[], advice[], count, generated_at}`.
#[derive(Serialize)]
struct Smart {
    #[serde(flatten)]
    body: advice::SmartRecommendations,
    count: usize,
    generated_at: String,
}

/// New goals to create (`recommendations[{type, title, category, target_amount,
/// monthly_contribution, priority, description, reasoning, suggested_deadline, months_to_goal}]`,
/// each a valid `POST /api/goals` body) and the advice about the caller's goals (`advice[]`).
#[utoipa::path(get, path = "/api/goals/smart_recommendations", tag = "goals",
    responses((status = 200, description = "{recommendations[{type, title, category, target_amount, monthly_contribution, priority, description, reasoning, suggested_deadline, months_to_goal}], advice[{type, priority, message, goal_id?, goal_title?, amount?, suggested_monthly?, suggested_target_date?}], count (= recommendations), generated_at}")),
    security(("bearer" = [])))]
async fn smart_recommendations(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let f = load(&state, &user, None).await?;
    let body = advice::smart_recommendations(&f);
    Ok(ok(Smart {
        count: body.recommendations.len(),
        body,
        generated_at: rfc3339(state.clock.now_ms()),
    }))
}

/// `{adjustments[], count, generated_at}`: goals behind or ahead of schedule.
#[utoipa::path(get, path = "/api/goals/adjustments/suggestions", tag = "goals",
    responses((status = 200, description = "{adjustments[{type, priority, message, reason, goal_id, goal_title, current_monthly, suggested_monthly, suggested_target_date?, amount?}], count, generated_at}")),
    security(("bearer" = [])))]
async fn adjustment_suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let f = load(&state, &user, None).await?;
    Ok(ok(listed(&state, "adjustments", advice::adjustments(&f))?))
}

/// `{opportunities[], count, generated_at}`: money that could go to the top goal.
#[utoipa::path(get, path = "/api/goals/opportunities/detect", tag = "goals",
    responses((status = 200, description = "{opportunities[{type, priority, message, reason, suggested_goal, amount, monthly_contribution, target_amount, category?, goal_id?, goal_title?}], count, generated_at}")),
    security(("bearer" = [])))]
async fn opportunities(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let f = load(&state, &user, None).await?;
    Ok(ok(listed(
        &state,
        "opportunities",
        advice::opportunities(&f),
    )?))
}

/// Is the goal on track? Score, risk, required monthly amount, projected completion, insights
/// and recommendations.
#[utoipa::path(get, path = "/api/goals/{id}/health", tag = "goals", params(("id" = String, Path)),
    responses((status = 200, description = "{goal_id, title, status, health_score (integer 0-100), risk_level, on_track, progress, expected_progress, remaining_amount, target_date, days_left, months_left, required_monthly, monthly_contribution, projected_completion_date, predicted_completion_date, is_overdue, insights[string], recommendations[string]}"), (status = 404)),
    security(("bearer" = [])))]
async fn goal_health(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let today = today(&state, &user);
    Ok(ok(health::of_goal(
        &state.db,
        user.id,
        id,
        today,
        user.timezone,
    )
    .await?))
}

#[derive(Deserialize, IntoParams)]
pub struct MonthQuery {
    /// 1–12 (default: the current month).
    month: Option<u32>,
    /// Default: the current year.
    year: Option<i32>,
}

async fn month_facts(
    state: &AppState,
    user: &mita::auth::AuthUser,
    q: &MonthQuery,
) -> ApiResult<Facts> {
    let month = facts::month_of(today(state, user), q.year, q.month)?;
    load(state, user, Some(month)).await
}

/// How the money the month's plan leaves is allocated to the active goals, most important first.
#[utoipa::path(get, path = "/api/goals/budget/allocate", tag = "goals", params(MonthQuery),
    responses((status = 200, description = "The allocation"), (status = 422)), security(("bearer" = [])))]
async fn budget_allocate(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let f = month_facts(&state, &user, &q).await?;
    Ok(ok(budget::allocate(&f)))
}

/// The month's reservations and contributions per goal.
#[utoipa::path(get, path = "/api/goals/budget/progress", tag = "goals", params(MonthQuery),
    responses((status = 200, description = "Progress from the budget"), (status = 422)), security(("bearer" = [])))]
async fn budget_progress(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let f = month_facts(&state, &user, &q).await?;
    // + 2 queries.
    let sums = budget::month_sums(&state.db, user.id, &f).await?;
    Ok(ok(budget::progress(&f, &sums)))
}

/// `{suggestions[], count}`: what to change when the goals do not fit the month's budget.
#[utoipa::path(get, path = "/api/goals/budget/adjustment_suggestions", tag = "goals", params(MonthQuery),
    responses((status = 200, description = "{suggestions[], count}"), (status = 422)), security(("bearer" = [])))]
async fn budget_adjustment_suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let f = month_facts(&state, &user, &q).await?;
    let suggestions = budget::adjustment_suggestions(&f);
    Ok(ok(
        serde_json::json!({ "count": suggestions.len(), "suggestions": suggestions }),
    ))
}
