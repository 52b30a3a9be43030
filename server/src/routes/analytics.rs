//! `/api/analytics/*`: spending by category and by day, and the product-analytics events the
//! app reports (docs/analytics-events.md).

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use mita::app_events::{self, EventInput, Kind};
use mita::budget::views::analytics;
use mita::error::{Code, Error};
use mita::id::Id;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::{MonthQuery, context};
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(monthly))
        .routes(routes!(trend))
        .routes(routes!(feature_usage))
        .routes(routes!(feature_access_attempt))
        .routes(routes!(paywall_impression))
        .routes(routes!(feature_usage_stats))
        .routes(routes!(seasonal_patterns))
        .routes(routes!(behavioral_insights))
}

/// `keys` of `value` (an object), for a client that reads them at the top level of the body.
fn copied(
    value: &impl serde::Serialize,
    keys: &[&str],
) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
    let v = serde_json::to_value(value).map_err(|e| Error::Internal(format!("answer: {e}")))?;
    Ok(keys
        .iter()
        .filter_map(|k| v.get(*k).map(|x| ((*k).to_string(), x.clone())))
        .collect())
}

/// Seasonal factors of the 12 complete months before this one (rule S1 of docs/insights.md):
/// `data{months_analyzed, monthly_patterns{"1".."12": factor}, category_seasonality{category:
/// {month: factor}}, highest_month, lowest_month, message}`; `monthly_patterns` and
/// `category_seasonality` are also at the top level of the body (the app reads them there).
#[utoipa::path(get, path = "/api/analytics/seasonal-patterns", tag = "analytics",
    responses((status = 200, description = "Seasonal factors"), (status = 401)), security(("bearer" = [])))]
async fn seasonal_patterns(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    let s = mita::insights::behavior::service::seasonal(&state.db, &ctx).await?;
    let top = copied(&s, &["monthly_patterns", "category_seasonality"])?;
    Ok(ok(s).top_level(top))
}

/// Insight cards of the last 30 days (rule B1 of docs/insights.md): `data{insights[{id, type,
/// title, message, category, impact, confidence, actionable, recommendations[],
/// related_patterns[], timeframe}], count}`; `insights` is also at the top level of the body.
#[utoipa::path(get, path = "/api/analytics/behavioral-insights", tag = "analytics",
    responses((status = 200, description = "Insight cards"), (status = 401)), security(("bearer" = [])))]
async fn behavioral_insights(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    let b = mita::insights::behavior::service::behavioral_insights(&state.db, &ctx).await?;
    let top = copied(&b, &["insights"])?;
    Ok(ok(b).top_level(top))
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

/// The answer of an event route (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RecordedDoc {
    event_id: String,
    /// feature_usage, feature_access_attempt, paywall_impression.
    kind: String,
    recorded_at: String,
}

async fn record(
    state: &AppState,
    user: Id,
    kind: Kind,
    e: &EventInput,
) -> ApiResult<impl IntoResponse + use<>> {
    let r = app_events::record(
        &state.db,
        &state.settings.analytics,
        user,
        kind,
        e,
        state.clock.now_ms(),
    )
    .await?;
    state.metrics.app_events_total.inc(kind);
    Ok(ok(r).message("Event recorded"))
}

/// Record that the caller used a feature: `data{event_id, kind, recorded_at}` (429 above
/// `analytics.events_per_hour`).
#[utoipa::path(post, path = "/api/analytics/feature-usage", tag = "analytics", request_body = EventInput,
    responses((status = 200, body = RecordedDoc), (status = 401), (status = 422), (status = 429)), security(("bearer" = [])))]
async fn feature_usage(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(e): ApiJson<EventInput>,
) -> ApiResult<impl IntoResponse> {
    record(&state, user.id, Kind::FeatureUsage, &e).await
}

/// Record that the caller tried to open a feature (`has_access` required).
#[utoipa::path(post, path = "/api/analytics/feature-access-attempt", tag = "analytics", request_body = EventInput,
    responses((status = 200, body = RecordedDoc), (status = 401), (status = 422), (status = 429)), security(("bearer" = [])))]
async fn feature_access_attempt(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(e): ApiJson<EventInput>,
) -> ApiResult<impl IntoResponse> {
    record(&state, user.id, Kind::FeatureAccessAttempt, &e).await
}

/// Record that the caller was shown a paywall (`screen` required).
#[utoipa::path(post, path = "/api/analytics/paywall-impression", tag = "analytics", request_body = EventInput,
    responses((status = 200, body = RecordedDoc), (status = 401), (status = 422), (status = 429)), security(("bearer" = [])))]
async fn paywall_impression(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(e): ApiJson<EventInput>,
) -> ApiResult<impl IntoResponse> {
    record(&state, user.id, Kind::PaywallImpression, &e).await
}

/// The caller's own counts for one feature: `data{user_id, feature, total_events,
/// by_kind{feature_usage, feature_access_attempt, paywall_impression}, access_granted,
/// access_denied, events_last_30_days, first_used_at, last_used_at}`. Another user's id → 404.
#[utoipa::path(get, path = "/api/analytics/feature-usage/{user_id}/{feature}", tag = "analytics",
    params(("user_id" = String, Path), ("feature" = String, Path)),
    responses((status = 200, description = "Counts of the caller's events"), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn feature_usage_stats(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((user_id, feature)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let id: Id = user_id.parse().map_err(|_| {
        Error::invalid(
            Code::Validation2011,
            "path.user_id",
            "uuid",
            "must be a UUID",
        )
    })?;
    if id != user.id {
        return Err(Error::NotFound("user").into());
    }
    Ok(ok(app_events::feature_stats(
        &state.db,
        user.id,
        &feature,
        state.clock.now_ms(),
    )
    .await?))
}
