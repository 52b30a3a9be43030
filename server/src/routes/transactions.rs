//! `/api/transactions/*` (the receipt routes live with OCR).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mita::error::Code;
use mita::transactions::checks::{self, AffordabilityQuestion};
use mita::transactions::write::{self, WriteCtx};
use mita::transactions::{self, ListFilter, TransactionInput};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{current_request_id, idempotent_answer, ok, raw_json};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed, PathId, idempotent_json};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(by_date))
        .routes(routes!(merchant_suggestions))
        .routes(routes!(budget_status))
        .routes(routes!(check_affordability))
}

fn ctx<'a>(
    state: &'a AppState,
    user: &'a mita::auth::AuthUser,
    request_id: &'a str,
) -> WriteCtx<'a> {
    WriteCtx {
        db: &state.db,
        clock: &state.clock,
        metrics: &state.metrics,
        user: user.id,
        tz: user.timezone,
        request_id,
        large_spend_cents: state.settings.notifications.large_spend.cents(),
    }
}

/// A transaction (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TransactionDoc {
    id: String,
    user_id: String,
    goal_id: Option<String>,
    category: String,
    amount: f64,
    currency: String,
    description: Option<String>,
    merchant: Option<String>,
    location: Option<String>,
    tags: Vec<String>,
    is_recurring: bool,
    confidence_score: Option<f64>,
    receipt_url: Option<String>,
    notes: Option<String>,
    spent_at: String,
    created_at: String,
    updated_at: String,
    /// Create only: the overspend was (partly) covered from later days.
    rebalanced: Option<bool>,
    rebalance_covered: Option<f64>,
    rebalance_fully_covered: Option<bool>,
}

/// Record a spend; it is applied to the daily plan (and an overspend rebalanced) in the same
/// database transaction. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/transactions", tag = "transactions", request_body = TransactionInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    responses((status = 201, body = TransactionDoc), (status = 409, description = "Key in flight"),
              (status = 422, description = "Invalid input, or key reused with another body")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (input, key): (TransactionInput, _) =
        idempotent_json(&headers, &body, "POST /api/transactions")?;
    let request_id = current_request_id();
    // 1 (auth) + 7–10 statements in one transaction; a few more when an overspend is covered.
    let answer = write::create(&ctx(&state, &user, &request_id), &input, key.as_ref()).await?;
    Ok(idempotent_answer(answer))
}

/// A list of transactions as the envelope around the array the database built (1 query).
async fn list_answer(
    state: &AppState,
    user: mita::id::Id,
    filter: &ListFilter,
) -> ApiResult<Response> {
    let data = transactions::list_json::list_json(&state.db, user, filter).await?;
    let body = mita::envelope::success_json_raw(
        "Success",
        &data,
        &current_request_id(),
        &crate::envelope::now_rfc3339(),
    )?;
    Ok(raw_json(StatusCode::OK, body))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    skip: Option<i64>,
    offset: Option<i64>,
    /// Default 50, max 1000.
    limit: Option<i64>,
    /// YYYY-MM-DD or a date-time (user's timezone).
    start_date: Option<String>,
    end_date: Option<String>,
    category: Option<String>,
}

/// The caller's transactions, newest first.
#[utoipa::path(get, path = "/api/transactions", tag = "transactions", params(ListQuery),
    responses((status = 200, body = Vec<TransactionDoc>)), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = mita::page::limit(q.limit, 50, 1000)?;
    let category = match q.category.as_deref() {
        Some(c) => Some(c.parse().map_err(|()| {
            mita::Error::invalid(
                Code::Validation2009,
                "query.category",
                "enum",
                "unknown category",
            )
        })?),
        None => None,
    };
    let filter = ListFilter {
        skip: q.skip.or(q.offset).unwrap_or(0).max(0),
        limit,
        start: q
            .start_date
            .as_deref()
            .map(|d| mita::time::parse_day(d, "query.start_date", user.timezone))
            .transpose()?,
        end: q
            .end_date
            .as_deref()
            .map(|d| mita::time::parse_day(d, "query.end_date", user.timezone))
            .transpose()?,
        category,
    };
    // 1 (auth) + 1 query, whatever the number of rows.
    list_answer(&state, user.id, &filter).await
}

/// One transaction (another user's, or a deleted one, is 404).
#[utoipa::path(get, path = "/api/transactions/{id}", tag = "transactions", params(("id" = String, Path)),
    responses((status = 200, body = TransactionDoc), (status = 404)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(transactions::get(&state.db, user.id, id).await?))
}

/// Partial update; the old and the new day are re-accrued. An installment payment is 409 (change
/// the installment's `payments_made` instead).
#[utoipa::path(put, path = "/api/transactions/{id}", tag = "transactions", params(("id" = String, Path)),
    request_body = TransactionInput, responses((status = 200, body = TransactionDoc), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(input): ApiJson<TransactionInput>,
) -> ApiResult<impl IntoResponse> {
    let request_id = current_request_id();
    let (view, impact, cover) = write::update(&ctx(&state, &user, &request_id), id, &input).await?;
    Ok(ok(view)
        .message("Transaction updated")
        .meta(json!({ "balance_impact": impact, "rebalanced": cover.rebalanced() })))
}

#[derive(Serialize, ToSchema)]
#[schema(as = TransactionDeleted)]
pub struct Deleted {
    deleted: bool,
    transaction_id: String,
}

/// Soft delete; the transaction then 404s. An installment payment is 409 (change the
/// installment's `payments_made` instead).
#[utoipa::path(delete, path = "/api/transactions/{id}", tag = "transactions", params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 404), (status = 409)), security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let request_id = current_request_id();
    write::delete(&ctx(&state, &user, &request_id), id).await?;
    Ok(ok(Deleted {
        deleted: true,
        transaction_id: id.to_string(),
    })
    .message("Transaction deleted"))
}

#[derive(Deserialize, IntoParams)]
pub struct ByDateQuery {
    date: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    limit: Option<i64>,
}

/// Transactions of a day or a date range, newest first, as a **bare** JSON list (no envelope:
/// the app reads the body itself as the list); errors keep the error envelope.
#[utoipa::path(get, path = "/api/transactions/by-date", tag = "transactions", params(ByDateQuery),
    responses((status = 200, body = Vec<TransactionDoc>, description = "A bare list"), (status = 422)),
    security(("bearer" = [])))]
async fn by_date(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ByDateQuery>,
) -> ApiResult<Response> {
    let tz = user.timezone;
    let (start, end) = match (&q.date, &q.start_date, &q.end_date) {
        (Some(d), _, _) => {
            let d = mita::time::parse_day(d, "query.date", tz)?;
            (Some(d), Some(d))
        }
        (None, None, None) => {
            return Err(mita::Error::invalid(
                Code::Validation2007,
                "query.date",
                "missing",
                "give date or start_date/end_date",
            )
            .into());
        }
        (None, s, e) => (
            s.as_deref()
                .map(|d| mita::time::parse_day(d, "query.start_date", tz))
                .transpose()?,
            e.as_deref()
                .map(|d| mita::time::parse_day(d, "query.end_date", tz))
                .transpose()?,
        ),
    };
    let filter = ListFilter {
        skip: 0,
        limit: mita::page::limit(q.limit, 1000, 1000)?,
        start,
        end,
        category: None,
    };
    // The list text the database built is the whole body.
    let data = transactions::list_json::list_json(&state.db, user.id, &filter).await?;
    Ok(raw_json(StatusCode::OK, data))
}

#[derive(Deserialize, IntoParams)]
pub struct SuggestQuery {
    q: Option<String>,
    query: Option<String>,
    limit: Option<i64>,
}

/// Merchant names the caller used, most frequent first.
#[utoipa::path(get, path = "/api/transactions/merchants/suggestions", tag = "transactions", params(SuggestQuery),
    responses((status = 200, body = Vec<String>)), security(("bearer" = [])))]
async fn merchant_suggestions(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<impl IntoResponse> {
    let text = q.q.or(q.query).unwrap_or_default();
    if text.chars().count() > 100 {
        return Err(mita::Error::invalid(
            Code::Validation2003,
            "query.q",
            "length",
            "must be at most 100 characters",
        )
        .into());
    }
    Ok(ok(transactions::merchant_suggestions(
        &state.db,
        user.id,
        &text,
        q.limit.unwrap_or(10),
    )
    .await?))
}

#[derive(Deserialize, IntoParams)]
pub struct DateQuery {
    /// A date or date-time (default today in the user's timezone).
    date: Option<String>,
}

/// Per plan category planned / spent / remaining / status for a day.
#[utoipa::path(get, path = "/api/transactions/budget-status", tag = "transactions", params(DateQuery),
    responses((status = 200, description = "The day's budget")), security(("bearer" = [])))]
async fn budget_status(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> ApiResult<impl IntoResponse> {
    let day = match q.date.as_deref() {
        Some(d) => mita::time::parse_day(d, "query.date", user.timezone)?,
        None => mita::time::local_date(state.clock.now_ms(), user.timezone),
    };
    Ok(ok(checks::budget_status(&state.db, user.id, day).await?))
}

/// Would this purchase fit today's (or `date`'s: a date, or a date-time read in the user's
/// timezone when it has no offset) budget of its plan category? The rule is in
/// docs/app-contract.md (M4).
#[utoipa::path(post, path = "/api/transactions/check-affordability", tag = "transactions",
    responses((status = 200, description = "{warning_level (safe/caution/danger/blocked), affordable, category, amount, \
        daily_budget, current_spent, remaining, remaining_budget, after_purchase, overage, percentage_used, impact_message, \
        alternative_categories[{category, plan_category, available, daily_budget, percentage_free}], suggestions[], suggestion}"),
        (status = 422)),
    security(("bearer" = [])))]
async fn check_affordability(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(q): ApiJson<AffordabilityQuestion>,
) -> ApiResult<impl IntoResponse> {
    let day = match q.date.as_deref() {
        Some(d) => mita::time::parse_day(d, "body.date", user.timezone)?,
        None => mita::time::local_date(state.clock.now_ms(), user.timezone),
    };
    Ok(ok(checks::affordability(
        &state.db,
        user.id,
        &q.category,
        q.amount,
        day,
    )
    .await?))
}
