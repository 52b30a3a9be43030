//! `/api/insights` (the current insights as cards), `/api/insights/history` (stored analyses),
//! and OCR's rule-based `POST /api/ocr/categorize`.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::error::Code;
use mita::insights::snapshots::HistoryFilter;
use mita::insights::{Origin, categorize};
use mita::money::RoundedMoney;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ai::origin_meta;
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current))
        .routes(routes!(history))
        .routes(routes!(ocr_categorize))
}

/// The current insights: `data{health_score, grade, anomaly_count, insights:[{type, title,
/// message, severity}], summary, source, model?}`.
#[utoipa::path(get, path = "/api/insights", tag = "insights",
    responses((status = 200, description = "Insight cards"), (status = 401)), security(("bearer" = [])))]
async fn current(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.insights.overview(user.id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// One kind: financial_health_score, spending_anomalies, spending_patterns,
    /// monthly_report, weekly_insights or insights.
    kind: Option<String>,
    /// 1–100, default 50.
    limit: Option<i64>,
    skip: Option<i64>,
    offset: Option<i64>,
}

/// Stored analyses, newest first: `data[{id, kind, period_start, period_end, rating, risk,
/// summary, data, source, model, created_at, date (= created_at), text (summary, else the
/// kind's label)}]`.
#[utoipa::path(get, path = "/api/insights/history", tag = "insights", params(HistoryQuery),
    responses((status = 200, description = "data: [{id, kind, period_start, period_end, rating, risk, summary, data, source, model, created_at, date, text}]"), (status = 401), (status = 422)),
    security(("bearer" = [])))]
async fn history(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<impl IntoResponse> {
    let filter = HistoryFilter {
        kind: q.kind,
        limit: q.limit.unwrap_or(50),
        skip: q.skip.or(q.offset).unwrap_or(0),
    };
    Ok(ok(state.insights.history(user.id, &filter).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CategorizeRequest {
    /// The purchase description (or use `merchant`; at least one is required).
    description: Option<String>,
    merchant: Option<String>,
    /// A hint: rounded to the cent; zero or negative is ignored.
    #[schema(value_type = Option<f64>)]
    #[serde(default)]
    amount: Option<RoundedMoney>,
}

/// Rule-based category of a receipt line or description: `data{category, confidence,
/// suggestions[category names, best first], candidates[{category, confidence, reason}]}`;
/// `meta{source: "rules"}`. (`suggestions` is a list of names: the app reads strings there.)
#[utoipa::path(post, path = "/api/ocr/categorize", tag = "ocr", request_body = CategorizeRequest,
    responses((status = 200, description = "The category"), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn ocr_categorize(
    Authed(_user): Authed,
    ApiJson(body): ApiJson<CategorizeRequest>,
) -> ApiResult<impl IntoResponse> {
    let text: Vec<&str> = [body.merchant.as_deref(), body.description.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let text = text.join(" ");
    if text.is_empty() || text.chars().count() > 1_000 {
        return Err(mita::Error::invalid(
            Code::Validation2003,
            "body.description",
            "length",
            "give a description or a merchant (at most 1000 characters in all)",
        )
        .into());
    }
    let amount = body.amount.map(|a| a.0).filter(|a| a.cents() > 0);
    let suggestion = categorize(&text, amount);
    let names: Vec<&str> = suggestion
        .suggestions
        .iter()
        .map(|c| c.category.as_str())
        .collect();
    let mut data =
        serde_json::to_value(&suggestion).map_err(|e| mita::Error::Internal(e.to_string()))?;
    if let Some(o) = data.as_object_mut() {
        let candidates = o.remove("suggestions").unwrap_or_default();
        o.insert("suggestions".into(), serde_json::json!(names));
        o.insert("candidates".into(), candidates);
    }
    Ok(ok(data).meta(origin_meta(&Origin::RULES)))
}
