//! `/api/goals/*`: the goal object — create, list, statistics, read, update, soft delete. State
//! changes and money are in `goal_moves`, the advisory routes in `goals_advice`.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::error::Code;
use mita::goals::input::{GoalInput, canonical_category};
use mita::goals::store::{self, ListFilter};
use mita::goals::{GoalCtx, GoalView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, current_request_id, ok};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(statistics))
        .routes(routes!(get_one, update, replace, delete))
}

/// The goal context of a request.
pub fn ctx<'a>(
    state: &'a AppState,
    user: &'a mita::auth::AuthUser,
    request_id: &'a str,
) -> GoalCtx<'a> {
    GoalCtx {
        db: &state.db,
        clock: &state.clock,
        metrics: &state.metrics,
        user: user.id,
        tz: user.timezone,
        request_id,
    }
}

/// Today in the caller's timezone.
pub fn today(state: &AppState, user: &mita::auth::AuthUser) -> chrono::NaiveDate {
    mita::time::local_date(state.clock.now_ms(), user.timezone)
}

/// The goal object (documentation mirror of `GoalView`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct GoalDoc {
    id: String,
    title: String,
    description: Option<String>,
    /// Savings, Travel, Emergency, Technology, Education, Health, Home, Vehicle, Investment, Other.
    category: Option<String>,
    target_amount: f64,
    saved_amount: f64,
    /// Alias of `saved_amount`.
    current_amount: f64,
    monthly_contribution: f64,
    /// active, paused, completed, cancelled.
    status: String,
    /// 0–100.
    progress: f64,
    target_date: Option<String>,
    /// Alias of `target_date`.
    deadline: Option<String>,
    created_at: String,
    last_updated: String,
    completed_at: Option<String>,
    /// high, medium, low.
    priority: String,
    remaining_amount: f64,
    is_completed: bool,
    is_overdue: bool,
}

/// Create a goal; progress is computed and a fully saved goal completes at once.
#[utoipa::path(post, path = "/api/goals", tag = "goals", request_body = GoalInput,
    responses((status = 201, body = GoalDoc), (status = 422)), security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<impl IntoResponse> {
    let rid = current_request_id();
    let view = store::create(&ctx(&state, &user, &rid), &input).await?;
    Ok(created(view).message("Goal created"))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// active, paused, completed, cancelled.
    status: Option<String>,
    category: Option<String>,
    /// Default 50, max 100.
    limit: Option<i64>,
    skip: Option<i64>,
    offset: Option<i64>,
}

/// The caller's goals, newest first (deleted goals never appear).
#[utoipa::path(get, path = "/api/goals", tag = "goals", params(ListQuery),
    responses((status = 200, body = Vec<GoalDoc>)), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let invalid = |field: &str, message: &str| {
        ApiError::from(mita::Error::invalid(
            Code::Validation2002,
            field,
            "value",
            message,
        ))
    };
    let status = match q.status.as_deref().map(str::to_ascii_lowercase) {
        Some(s) if ["active", "paused", "completed", "cancelled"].contains(&s.as_str()) => Some(s),
        Some(_) => {
            return Err(invalid(
                "query.status",
                "must be active, paused, completed or cancelled",
            ));
        }
        None => None,
    };
    let category = match q.category.as_deref() {
        Some(c) => Some(
            canonical_category(c)
                .ok_or_else(|| invalid("query.category", "unknown category"))?
                .to_string(),
        ),
        None => None,
    };
    let limit = mita::page::limit(q.limit, 50, 100)?;
    let rid = current_request_id();
    let c = ctx(&state, &user, &rid);
    // A new month: build it and its reservations (1 query when nothing is missing).
    let (now, day) = c.now();
    mita::plan::ensure_month_for_read(c.db, c.user, day, now, c.metrics).await?;
    let filter = ListFilter {
        status,
        category,
        limit,
        skip: q.skip.or(q.offset).unwrap_or(0),
    };
    let today = today(&state, &user);
    let rows = store::list(&state.db, user.id, &filter).await?;
    Ok(ok(rows
        .iter()
        .map(|r| GoalView::of(r, today))
        .collect::<Vec<_>>()))
}

/// Counts and sums over the caller's goals (deleted goals excluded).
#[utoipa::path(get, path = "/api/goals/statistics", tag = "goals",
    responses((status = 200, description = "{total_goals, active_goals, completed_goals, paused_goals, completion_rate, \
    average_progress, total_target_amount, total_saved_amount, overdue_goals, due_soon}")), security(("bearer" = [])))]
async fn statistics(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(store::statistics(
        &state.db,
        user.id,
        today(&state, &user),
    )
    .await?))
}

/// One goal (another user's, or a deleted one, is 404).
#[utoipa::path(get, path = "/api/goals/{id}", tag = "goals", params(("id" = String, Path)),
    responses((status = 200, body = GoalDoc), (status = 404)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let row = store::get(&state.db, user.id, id).await?;
    Ok(ok(GoalView::of(&row, today(&state, &user))))
}

/// Partial update; the plan reservation is recomputed. A `status` is a state move (400 if not allowed).
#[utoipa::path(patch, path = "/api/goals/{id}", tag = "goals", params(("id" = String, Path)), request_body = GoalInput,
    responses((status = 200, body = GoalDoc), (status = 400), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(input): ApiJson<GoalInput>,
) -> ApiResult<impl IntoResponse> {
    let rid = current_request_id();
    Ok(ok(store::update(&ctx(&state, &user, &rid), id, &input).await?).message("Goal updated"))
}

/// Same as PATCH (partial), for clients that send PUT.
#[utoipa::path(put, path = "/api/goals/{id}", tag = "goals", params(("id" = String, Path)), request_body = GoalInput,
    responses((status = 200, body = GoalDoc), (status = 400), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn replace(
    state: State<AppState>,
    user: Authed,
    id: PathId,
    input: ApiJson<GoalInput>,
) -> ApiResult<impl IntoResponse> {
    update(state, user, id, input).await
}

#[derive(Serialize, ToSchema)]
#[schema(as = GoalDeleted)]
pub struct Deleted {
    /// `deleted`.
    status: &'static str,
    id: String,
}

/// Soft delete: the goal leaves lists, statistics and the plan; it then 404s.
#[utoipa::path(delete, path = "/api/goals/{id}", tag = "goals", params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 404)), security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let rid = current_request_id();
    store::delete(&ctx(&state, &user, &rid), id).await?;
    Ok(ok(Deleted {
        status: "deleted",
        id: id.to_string(),
    })
    .message("Goal deleted"))
}
