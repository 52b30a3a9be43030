//! `/api/dashboard`: the main screen and its quick stats.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::budget::views::stats;
use mita::dashboard as view;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::context;
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::Authed;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard))
        .routes(routes!(quick_stats))
}

/// The main screen: `data{balance, spent, daily_targets[{category, limit, spent, icon, color}],
/// week[{day, date, status, spent, budget}], transactions[last 10], insights_preview{title, text},
/// user_income, goals_summary{total_active, near_completion, overdue}}`. `balance` = monthly
/// income − this month's spending; `spent` = today's spending (user's timezone).
#[utoipa::path(get, path = "/api/dashboard", tag = "dashboard",
    responses((status = 200, description = "The dashboard"), (status = 401)), security(("bearer" = [])))]
async fn dashboard(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    // 4 queries.
    Ok(ok(view::dashboard(&state.db, &ctx).await?))
}

/// `data{monthly_spending, daily_average, top_category{name, amount}, savings_rate (percent, 2
/// decimals), savings_amount, goals_stats}` for the current month.
#[utoipa::path(get, path = "/api/dashboard/quick-stats", tag = "dashboard",
    responses((status = 200, description = "Quick stats"), (status = 401)), security(("bearer" = [])))]
async fn quick_stats(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    // 2 queries.
    Ok(ok(stats::quick_stats(&state.db, &ctx).await?))
}
