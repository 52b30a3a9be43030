//! `/api/analytics/*`: spending by category and by day.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::budget::views::analytics;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::{MonthQuery, context};
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(monthly))
        .routes(routes!(trend))
}

/// Spending per transaction category for a month: `data{year, month, total,
/// categories:[{category, total}]}`, largest first.
#[utoipa::path(get, path = "/api/analytics/monthly", tag = "analytics", params(MonthQuery),
    responses((status = 200, description = "Totals per category"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn monthly(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    // 1 query.
    Ok(ok(analytics::monthly(&state.db, &ctx, year, month).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// Days back from today, today included: 1–366, default 30.
    days: Option<u32>,
}

/// Daily spending: `data{start_date, end_date, total, trend:[{date, amount}]}`, every day.
#[utoipa::path(get, path = "/api/analytics/trend", tag = "analytics", params(TrendQuery),
    responses((status = 200, description = "Daily totals"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn trend(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    // 1 query.
    Ok(ok(analytics::trend(&state.db, &ctx, q.days).await?))
}
