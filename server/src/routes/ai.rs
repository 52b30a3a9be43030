//! `/api/ai/*`: answers computed by rules over the caller's data (docs/insights.md), enriched by
//! the LLM when one is configured. Object answers carry `source` (`rules` / `llm`) and `model`
//! in `data`; list answers carry them in `meta`. An LLM failure never fails the request.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::error::Code;
use mita::insights::rules::day::DayExplanation;
use mita::insights::{Origin, Sourced};
use mita::money::Money;
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::MonthQuery;
use crate::envelope::{Envelope, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assistant))
        .routes(routes!(category_suggestions))
        .routes(routes!(day_status_explanation, day_status_explanation_post))
        .routes(routes!(financial_health_score))
        .routes(routes!(spending_anomalies))
        .routes(routes!(monthly_report))
        .routes(routes!(weekly_insights))
        .routes(routes!(spending_patterns))
        .routes(routes!(latest_snapshots))
        .routes(routes!(budget_optimization))
        .routes(routes!(savings_optimization))
        .routes(routes!(spending_prediction))
        .routes(routes!(personalized_feedback))
        .routes(routes!(profile))
        .routes(routes!(goal_analysis))
        .routes(routes!(snapshot))
}

/// `meta` of a list answer: `{source, model?}`.
pub fn origin_meta(origin: &Origin) -> Value {
    serde_json::to_value(origin).unwrap_or(Value::Null)
}

#[derive(Deserialize, ToSchema)]
pub struct AssistantRequest {
    /// 1–1000 characters.
    question: String,
    /// Anything the app wants the LLM to know (not used by the rules).
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    context: Option<Value>,
}

/// Answers a question about the caller's money: `data{answer, intent, period_start,
/// period_end, category, amount, suggestions, source, model?}`.
#[utoipa::path(post, path = "/api/ai/assistant", tag = "ai", request_body = AssistantRequest,
    responses((status = 200, description = "The answer"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn assistant(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<AssistantRequest>,
) -> ApiResult<impl IntoResponse> {
    let answer = state
        .insights
        .assistant(user.id, &body.question, body.context.as_ref())
        .await?;
    Ok(ok(answer))
}

#[derive(Deserialize, ToSchema)]
pub struct SuggestionRequest {
    /// What was bought: a merchant or a description (1–500 characters).
    description: String,
    /// Optional amount (0.01 – 100000).
    #[schema(value_type = Option<f64>)]
    #[serde(default)]
    amount: Option<Money>,
}

/// Category suggestions for a description: `data[{category, confidence, reason}]`, best first
/// (at most 3); `meta{source, model?}`.
#[utoipa::path(post, path = "/api/ai/category-suggestions", tag = "ai", request_body = SuggestionRequest,
    responses((status = 200, description = "Candidates"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn category_suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<SuggestionRequest>,
) -> ApiResult<impl IntoResponse> {
    let (list, origin) = state
        .insights
        .category_suggestions(user.id, &body.description, body.amount)
        .await?;
    Ok(ok(list).meta(origin_meta(&origin)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// A date (default: today in the caller's timezone).
    date: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct DayRequest {
    /// A date (default: today in the caller's timezone).
    date: Option<String>,
    /// The status the app shows (green / yellow / red / neutral).
    status: Option<String>,
}

async fn explain_day(
    state: &AppState,
    user: &mita::auth::AuthUser,
    date: Option<&str>,
    field: &str,
    status: Option<&str>,
) -> ApiResult<Envelope<Sourced<DayExplanation>>> {
    let date = date
        .map(|d| mita::time::parse_day(d, field, user.timezone))
        .transpose()?;
    let answer = state
        .insights
        .day_explanation(user.id, date, status)
        .await?;
    Ok(ok(answer))
}

/// Why a day is green, yellow or red: `data{date, status, planned, spent, remaining,
/// categories, explanation, contributing_factors, suggestions, source, model?}`.
#[utoipa::path(get, path = "/api/ai/day-status-explanation", tag = "ai", params(DayQuery),
    responses((status = 200, description = "The explanation"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn day_status_explanation(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<impl IntoResponse> {
    explain_day(&state, &user, q.date.as_deref(), "query.date", None).await
}

/// The same as the GET, with the date (and the status the app shows) in a JSON body.
#[utoipa::path(post, path = "/api/ai/day-status-explanation", tag = "ai", request_body = DayRequest,
    responses((status = 200, description = "The explanation"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn day_status_explanation_post(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<DayRequest>,
) -> ApiResult<impl IntoResponse> {
    let (date, status) = (body.date.as_deref(), body.status.as_deref());
    explain_day(&state, &user, date, "body.date", status).await
}

/// The financial health score: `data{score, grade, risk, risk_level (= risk), risk_score
/// (100 − score), components[], improvements[], recommendations[] (= improvements),
/// period_start, period_end, summary, source, model?}`.
#[utoipa::path(get, path = "/api/ai/financial-health-score", tag = "ai",
    responses((status = 200, description = "{score, grade, risk, risk_level, risk_score (integer 0-100), components[], improvements[string], recommendations[string], period_start, period_end, summary, source, model?}"), (status = 401)),
    security(("bearer" = [])))]
async fn financial_health_score(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.health_score(user.id).await?))
}

/// Unusual spends of the last 30 days: `data[{id, type, transaction_id, date, category, amount,
/// median, expected_amount, threshold, deviation, severity, anomaly_score, confidence,
/// possible_causes[], merchant, description}]`, newest first; `meta{source}`. A `year`/`month`
/// query (the app sends the current month) is accepted and ignored: the window is always the 30
/// days ending today.
#[utoipa::path(get, path = "/api/ai/spending-anomalies", tag = "ai",
    responses((status = 200, description = "data: [{id, type (amount), transaction_id, date, category, amount, median, expected_amount, threshold, deviation, severity (medium|high), anomaly_score (0-1), confidence (0-1), possible_causes[string], merchant, description}]; meta: {source}"), (status = 401)),
    security(("bearer" = [])))]
async fn spending_anomalies(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let (list, origin) = state.insights.anomalies(user.id).await?;
    Ok(ok(list).meta(origin_meta(&origin)))
}

/// A month's report (default: the current month): totals, income, savings rate, categories,
/// change against the month before, the plan's green/yellow/red days, highlights,
/// recommendations, summary.
#[utoipa::path(get, path = "/api/ai/monthly-report", tag = "ai", params(MonthQuery),
    responses((status = 200, description = "{year, month, period_start, period_end, total_spent, transaction_count, income, net, savings_rate_bp, average_per_day, categories[], previous_month_total, change_bp, largest_transaction, budget, highlights[string], recommendations[string], summary, source, model?}"), (status = 401), (status = 422)),
    security(("bearer" = [])))]
async fn monthly_report(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    let report = state
        .insights
        .monthly_report(user.id, q.year, q.month)
        .await?;
    Ok(ok(report))
}

/// The last 7 days against the 7 before: totals, days, categories, busiest day, trend, insights
/// (one text) and the sentences under `insight_list`.
#[utoipa::path(get, path = "/api/ai/weekly-insights", tag = "ai",
    responses((status = 200, description = "{period_start, period_end, total, previous_total, change_bp, daily[], categories[], busiest_day, days_green, days_yellow, days_red, trend (improving|stable|declining), insights (string), insight_list[string], summary, source, model?}"), (status = 401)),
    security(("bearer" = [])))]
async fn weekly_insights(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.weekly_insights(user.id).await?))
}

/// Patterns of the last 90 days: weekdays against weekends, per weekday, top categories,
/// recurring merchants.
#[utoipa::path(get, path = "/api/ai/spending-patterns", tag = "ai",
    responses((status = 200, description = "The patterns"), (status = 401)), security(("bearer" = [])))]
async fn spending_patterns(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.patterns(user.id).await?))
}

/// The newest stored analysis of each kind: `data[{id, kind, period_start, period_end, rating,
/// risk, summary, data, source, model, created_at, date, text}]`, newest first.
#[utoipa::path(get, path = "/api/ai/latest-snapshots", tag = "ai",
    responses((status = 200, description = "A list of snapshots"), (status = 401)), security(("bearer" = [])))]
async fn latest_snapshots(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.latest_snapshots(user.id).await?))
}

/// Budget optimisation (rule O1): `data{months_used, current_allocation{category: amount},
/// optimized_allocation, expected_savings, monthly_average, overall_score, confidence (0–1),
/// cuts[{category, monthly_average, optimized, saving}], suggestions[], recommendations[],
/// summary, source, model?}`.
#[utoipa::path(get, path = "/api/ai/budget-optimization", tag = "ai",
    responses((status = 200, description = "Optimisation of the average month"), (status = 401)), security(("bearer" = [])))]
async fn budget_optimization(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.budget_optimization(user.id).await?))
}

/// Savings optimisation (rule O2): `data{potential_savings, monthly_average, income,
/// savings_rate_bp, optimized_savings_rate_bp, suggestions[string], cuts[], months_used,
/// summary, source, model?}`.
#[utoipa::path(get, path = "/api/ai/savings-optimization", tag = "ai",
    responses((status = 200, description = "What could be saved"), (status = 401)), security(("bearer" = [])))]
async fn savings_optimization(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.savings_optimization(user.id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PredictionQuery {
    /// 1–365, default 30.
    days_ahead: Option<u32>,
}

/// Spending of the next `days_ahead` days at the pace of the last 90 (rule SP1):
/// `data{period_days, predicted_amount, confidence (0–1), trend, history_start, history_end,
/// predictions{category: {predicted_amount, confidence, influencing_factors[], trend}},
/// summary, source, model?}`.
#[utoipa::path(get, path = "/api/ai/spending-prediction", tag = "ai", params(PredictionQuery),
    responses((status = 200, description = "Prediction"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn spending_prediction(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<PredictionQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state
        .insights
        .spending_prediction(user.id, q.days_ahead)
        .await?))
}

/// Feedback on a month (rule F1): `data{year, month, feedback, tips[string], category_focus,
/// total, triggers[], source, model?}`.
#[utoipa::path(get, path = "/api/ai/personalized-feedback", tag = "ai", params(MonthQuery),
    responses((status = 200, description = "Feedback"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn personalized_feedback(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state
        .insights
        .personalized_feedback(user.id, q.year, q.month)
        .await?))
}

/// The spending profile of a month (rule FP1): `data{year, month, spending_personality,
/// personality_name, description, key_traits[], key_strengths[], strengths[],
/// improvement_areas[], recommended_strategies[], spending_to_income_bp, summary, source,
/// model?}`.
#[utoipa::path(get, path = "/api/ai/profile", tag = "ai", params(MonthQuery),
    responses((status = 200, description = "Profile"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn profile(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.profile(user.id, q.year, q.month).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalQuery {
    /// One of the caller's goals (another user's → 404); default: every active goal.
    goal_id: Option<String>,
}

/// Are the goals on track (rule G1): `data{goal_id, goals[goal health], on_track,
/// projected_completion, adjustments_needed[string], insights[string], summary, source,
/// model?}`.
#[utoipa::path(get, path = "/api/ai/goal-analysis", tag = "ai", params(GoalQuery),
    responses((status = 200, description = "Goal analysis"), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn goal_analysis(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<GoalQuery>,
) -> ApiResult<impl IntoResponse> {
    let goal = q
        .goal_id
        .as_deref()
        .map(|g| {
            g.parse::<mita::id::Id>().map_err(|_| {
                mita::error::Error::invalid(
                    Code::Validation2011,
                    "query.goal_id",
                    "uuid",
                    "must be a UUID",
                )
            })
        })
        .transpose()?;
    Ok(ok(state.insights.goal_analysis(user.id, goal).await?))
}

/// Grades a month (rule A1) and stores it as a `month_snapshot`: `data{year, month,
/// period_start, period_end, rating, risk, total_spent, income, savings_rate_bp, budget,
/// summary, source, model?}`. `/api/ai/latest-snapshots` lists it first afterwards.
#[utoipa::path(post, path = "/api/ai/snapshot", tag = "ai", params(MonthQuery),
    responses((status = 200, description = "The stored snapshot"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn snapshot(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state
        .insights
        .month_snapshot(user.id, q.year, q.month)
        .await?))
}
