//! `/api/cohort/*` and `/api/insights/income_based_tips`: the caller against the other users of
//! their income tier, only as aggregates over at least `cohort.min_users` of them
//! (docs/insights.md, "Cohorts").

use axum::extract::State;
use axum::response::IntoResponse;
use mita::budget::views::{Ctx, month_range};
use mita::cohort::{self, Comparison};
use mita::insights::data::days_before;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::MonthQuery;
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(income_classification))
        .routes(routes!(peer_comparison))
        .routes(routes!(insights))
        .routes(routes!(income_based_tips))
}

async fn ctx(state: &AppState, user: mita::id::Id) -> ApiResult<Ctx> {
    Ok(Ctx::load(&state.db, user, state.clock.now_ms()).await?)
}

/// The last 30 days (today included) against the peers.
async fn last_30_days(state: &AppState, ctx: &Ctx) -> ApiResult<Comparison> {
    Ok(cohort::compare(
        &state.db,
        ctx,
        state.settings.cohort.min_users,
        days_before(ctx.today, 29),
        ctx.today,
    )
    .await?)
}

/// The caller's income tier (rule K0): `data{monthly_income, annual_income, tier, income_tier,
/// tier_name, range, currency}` (nulls without an income). Reads no other user.
#[utoipa::path(get, path = "/api/cohort/income_classification", tag = "cohort",
    responses((status = 200, description = "Income tier"), (status = 401)), security(("bearer" = [])))]
async fn income_classification(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    Ok(ok(cohort::classify(&ctx)))
}

/// A month (default the current one, up to today) against the peers (rule K1):
/// `data{available, reason, message, min_users, tier, period_start, period_end, your_spending,
/// cohort_size, peer_count, peer_average, peer_median, peer_savings_rate, percentile,
/// comparison, categories{category: {your_amount, peer_average}}, insights[]}`; every peer
/// figure is null when fewer than `cohort.min_users` peers spent.
#[utoipa::path(get, path = "/api/cohort/peer_comparison", tag = "cohort", params(MonthQuery),
    responses((status = 200, description = "Comparison"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn peer_comparison(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let (year, month) = ctx.month(q.year, q.month)?;
    let (first, last) = month_range(year, month)?;
    let c = cohort::compare(
        &state.db,
        &ctx,
        state.settings.cohort.min_users,
        first,
        last.min(ctx.today).max(first),
    )
    .await?;
    Ok(ok(c))
}

#[derive(Serialize)]
struct CohortInsights {
    #[serde(flatten)]
    comparison: Comparison,
    top_insights: Vec<String>,
    recommendations: Vec<String>,
}

/// The last 30 days against the peers (rules K1–K3): the fields of peer_comparison plus
/// `top_insights[]` and `recommendations[]` (empty below `cohort.min_users` peers).
#[utoipa::path(get, path = "/api/cohort/insights", tag = "cohort",
    responses((status = 200, description = "Cohort insights"), (status = 401)), security(("bearer" = [])))]
async fn insights(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let c = last_30_days(&state, &ctx).await?;
    Ok(ok(CohortInsights {
        top_insights: c.insights.clone(),
        recommendations: cohort::recommendations(&c),
        comparison: c,
    }))
}

/// Tips from the peers of the caller's income group over the last 30 days (rules K2, K3):
/// `data[string]`; below `cohort.min_users` peers (or without an income) the one sentence
/// saying so.
#[utoipa::path(get, path = "/api/insights/income_based_tips", tag = "insights",
    responses((status = 200, description = "Tips"), (status = 401)), security(("bearer" = [])))]
async fn income_based_tips(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = ctx(&state, user.id).await?;
    let c = last_30_days(&state, &ctx).await?;
    let tips = if c.available {
        let mut t = c.insights.clone();
        t.extend(cohort::recommendations(&c));
        t
    } else {
        vec![c.message]
    };
    Ok(ok(tips))
}
