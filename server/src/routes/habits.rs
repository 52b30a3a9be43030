//! `/api/habits/*`: habits, their daily completions, streaks and progress (user's timezone).

use axum::extract::State;
use axum::response::IntoResponse;
use mita::habits::completions::{self, DateInput};
use mita::habits::{self, HabitInput, HabitView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed, JsonOrQuery, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(update, replace, delete))
        .routes(routes!(complete, uncomplete))
        .routes(routes!(progress))
}

fn today(state: &AppState, user: &mita::auth::AuthUser) -> chrono::NaiveDate {
    mita::time::local_date(state.clock.now_ms(), user.timezone)
}

/// The habit object (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct HabitDoc {
    id: String,
    title: String,
    description: Option<String>,
    /// daily, weekly, monthly.
    target_frequency: String,
    created_at: String,
    current_streak: i64,
    longest_streak: i64,
    /// Percent of the last 30 days.
    completion_rate: f64,
    completed_dates: Vec<String>,
}

/// Create a habit.
#[utoipa::path(post, path = "/api/habits", tag = "habits", request_body = HabitInput,
    responses((status = 201, body = HabitDoc), (status = 422)), security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<HabitInput>,
) -> ApiResult<impl IntoResponse> {
    let row = habits::create(&state.db, user.id, &input, state.clock.now_ms()).await?;
    Ok(created(HabitView::of(&row, &[], today(&state, &user))).message("Habit created"))
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Default 50, max 100.
    limit: Option<i64>,
    skip: Option<i64>,
    offset: Option<i64>,
}

/// The caller's habits with streaks and rates (oldest first).
#[utoipa::path(get, path = "/api/habits", tag = "habits", params(ListQuery),
    responses((status = 200, body = Vec<HabitDoc>)), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = mita::page::limit(q.limit, 50, 100)?;
    let skip = q.skip.or(q.offset).unwrap_or(0);
    // 2 queries.
    Ok(ok(habits::list(
        &state.db,
        user.id,
        limit,
        skip,
        today(&state, &user),
    )
    .await?))
}

/// Update a habit (any field).
#[utoipa::path(patch, path = "/api/habits/{id}", tag = "habits", params(("id" = String, Path)), request_body = HabitInput,
    responses((status = 200, body = HabitDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiJson(input): ApiJson<HabitInput>,
) -> ApiResult<impl IntoResponse> {
    habits::update(&state.db, user.id, id, &input, state.clock.now_ms()).await?;
    Ok(
        ok(habits::view(&state.db, user.id, id, today(&state, &user)).await?)
            .message("Habit updated"),
    )
}

/// Same as PATCH, for clients that send PUT.
#[utoipa::path(put, path = "/api/habits/{id}", tag = "habits", params(("id" = String, Path)), request_body = HabitInput,
    responses((status = 200, body = HabitDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn replace(
    state: State<AppState>,
    user: Authed,
    id: PathId,
    input: ApiJson<HabitInput>,
) -> ApiResult<impl IntoResponse> {
    update(state, user, id, input).await
}

#[derive(Serialize, ToSchema)]
#[schema(as = HabitDeleted)]
pub struct Deleted {
    deleted: bool,
    habit_id: String,
}

/// Delete a habit and its completions.
#[utoipa::path(delete, path = "/api/habits/{id}", tag = "habits", params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 404)), security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    habits::delete(&state.db, user.id, id).await?;
    Ok(ok(Deleted {
        deleted: true,
        habit_id: id.to_string(),
    })
    .message("Habit deleted"))
}

/// Mark a day done: `{date}` in the JSON body (or `?date=`), default today in the caller's
/// timezone. Idempotent per day: `{status: completed | already_completed, habit_id, completed_at}`.
#[utoipa::path(post, path = "/api/habits/{id}/complete", tag = "habits", params(("id" = String, Path)),
    responses((status = 200, description = "{status, habit_id, date, completed_at}"), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn complete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    JsonOrQuery(input): JsonOrQuery<DateInput>,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    let day = input.day(today(&state, &user), user.timezone)?;
    let answer = completions::complete(&state.db, user.id, id, day, now).await?;
    Ok(ok(answer).message("Habit completion recorded"))
}

/// Undo a day: `{date}` (body or query, default today) → `{status: uncompleted | not_completed}`.
#[utoipa::path(delete, path = "/api/habits/{id}/complete", tag = "habits", params(("id" = String, Path)),
    responses((status = 200, description = "{status, habit_id, date}"), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn uncomplete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    JsonOrQuery(input): JsonOrQuery<DateInput>,
) -> ApiResult<impl IntoResponse> {
    let day = input.day(today(&state, &user), user.timezone)?;
    Ok(ok(
        completions::uncomplete(&state.db, user.id, id, day).await?
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ProgressQuery {
    /// YYYY-MM-DD (default: 29 days before end_date).
    start_date: Option<String>,
    /// YYYY-MM-DD (default: today).
    end_date: Option<String>,
}

/// Completions over a range: `{habit_id, start_date, end_date, total_completions, completion_rate
/// (a fraction 0–1), current_streak, completion_dates[]}`.
#[utoipa::path(get, path = "/api/habits/{id}/progress", tag = "habits", params(("id" = String, Path), ProgressQuery),
    responses((status = 200, description = "The habit's progress"), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn progress(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> ApiResult<impl IntoResponse> {
    let tz = user.timezone;
    let start = q
        .start_date
        .as_deref()
        .map(|d| mita::time::parse_day(d, "query.start_date", tz))
        .transpose()?;
    let end = q
        .end_date
        .as_deref()
        .map(|d| mita::time::parse_day(d, "query.end_date", tz))
        .transpose()?;
    Ok(ok(completions::progress(
        &state.db,
        user.id,
        id,
        (start, end),
        today(&state, &user),
    )
    .await?))
}
