//! Recurring transactions (docs/recurring.md): CRUD under `/api/recurring` and the coming
//! occurrences. Listing materialises the caller's due occurrences first. Every `{id}` route
//! answers 404 for another user's definition and leaves it unchanged.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::recurring::{self, RecurringCtx, RecurringInput, run};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_recurring, list_recurring))
        .routes(routes!(upcoming))
        .routes(routes!(get_recurring, update_recurring, delete_recurring))
}

fn ctx<'a>(state: &'a AppState, user: &'a mita::auth::AuthUser) -> RecurringCtx<'a> {
    RecurringCtx {
        db: &state.db,
        clock: &state.clock,
        metrics: &state.metrics,
        user: user.id,
        tz: user.timezone,
    }
}

/// A stored definition.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RecurringDoc {
    id: String,
    amount: f64,
    currency: String,
    category: String,
    payee: String,
    description: Option<String>,
    notes: Option<String>,
    frequency: String,
    day_of_month: Option<i64>,
    weekday: Option<String>,
    interval_days: Option<i64>,
    month: Option<i64>,
    start_date: String,
    end_date: Option<String>,
    count: Option<i64>,
    /// Transactions made so far.
    occurrences_done: i64,
    /// The next date a transaction will be made on; null once the schedule is over.
    next_date: Option<String>,
    /// A fixed expense: its occurrences of the current month are reserved in the plan.
    reserves_plan: bool,
    created_at: String,
    updated_at: String,
}

/// Make a recurring transaction; occurrences already due are made at once.
#[utoipa::path(post, path = "/api/recurring", tag = "recurring", request_body = RecurringInput,
    responses((status = 201, body = RecurringDoc), (status = 401),
        (status = 422, description = "A field named in the error; BUSINESS_4012 too many definitions")),
    security(("bearer" = [])))]
async fn create_recurring(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<RecurringInput>,
) -> ApiResult<impl IntoResponse> {
    let view = recurring::create(&ctx(&state, &user), &body).await?;
    Ok(created(view).message("Recurring transaction created"))
}

/// The caller's recurring transactions (their due occurrences are made first).
#[utoipa::path(get, path = "/api/recurring", tag = "recurring",
    responses((status = 200, body = Vec<RecurringDoc>), (status = 401)),
    security(("bearer" = [])))]
async fn list_recurring(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(recurring::list(&ctx(&state, &user)).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct UpcomingQuery {
    /// How many days ahead (1–366, default 30).
    days: Option<i64>,
}

/// One coming occurrence.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpcomingItemDoc {
    date: String,
    recurring_id: String,
    amount: f64,
    currency: String,
    category: String,
    payee: String,
    reserves_plan: bool,
}

/// The coming occurrences.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpcomingDoc {
    from: String,
    to: String,
    days: i64,
    /// By date; at most 500.
    occurrences: Vec<UpcomingItemDoc>,
    total: f64,
}

/// The occurrences of every recurring transaction from today to `days` ahead.
#[utoipa::path(get, path = "/api/recurring/upcoming", tag = "recurring", params(UpcomingQuery),
    responses((status = 200, body = UpcomingDoc), (status = 401), (status = 422)),
    security(("bearer" = [])))]
async fn upcoming(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<UpcomingQuery>,
) -> ApiResult<impl IntoResponse> {
    let today = mita::time::local_date(state.clock.now_ms(), user.timezone);
    Ok(ok(run::upcoming(
        &state.db,
        user.id,
        today,
        q.days.unwrap_or(30),
    )
    .await?))
}

/// One recurring transaction with the latest transactions it made.
#[utoipa::path(get, path = "/api/recurring/{id}", tag = "recurring",
    params(("id" = String, Path, description = "The definition's id")),
    responses((status = 200, body = RecurringDoc, description = "plus `materialised`: [{date, transaction_id}], newest first"),
        (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn get_recurring(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(recurring::get(&state.db, user.id, id).await?))
}

/// Change a recurring transaction; the new terms apply from today on.
#[utoipa::path(patch, path = "/api/recurring/{id}", tag = "recurring", request_body = RecurringInput,
    params(("id" = String, Path, description = "The definition's id")),
    responses((status = 200, body = RecurringDoc), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn update_recurring(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(body): ApiJson<RecurringInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(recurring::update(&ctx(&state, &user), id, &body).await?)
        .message("Recurring transaction updated"))
}

#[derive(Serialize, ToSchema)]
pub struct RecurringDeleted {
    deleted: bool,
    recurring_id: String,
}

/// Stop a recurring transaction: no more occurrences; the transactions it made stay.
#[utoipa::path(delete, path = "/api/recurring/{id}", tag = "recurring",
    params(("id" = String, Path, description = "The definition's id")),
    responses((status = 200, body = RecurringDeleted), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn delete_recurring(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    recurring::delete(&ctx(&state, &user), id).await?;
    Ok(ok(RecurringDeleted {
        deleted: true,
        recurring_id: id.to_string(),
    })
    .message("Recurring transaction deleted"))
}
