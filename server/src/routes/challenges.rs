//! `/api/challenge/*`: the challenges of `data/challenges.toml`, the caller's attempts and their
//! progress (computed from the caller's transactions and plan), stats and the leaderboard.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use mita::challenges::board::{self, Period};
use mita::challenges::{self, views};
use mita::error::{Code, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Authed, JsonOrQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(available))
        .routes(routes!(active))
        .routes(routes!(stats))
        .routes(routes!(leaderboard))
        .routes(routes!(join))
        .routes(routes!(leave))
        .routes(routes!(progress, refresh_progress))
}

/// The challenge id of the path (a catalogue id; 422 when it cannot be one, 404 when unknown).
fn challenge_of(
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<&'static mita::challenges::catalogue::Challenge> {
    let Path(raw) = path.map_err(|_| {
        ApiError::validation(
            vec![FieldError::new(
                "path.id",
                "format",
                "must be a challenge id",
            )],
            Code::Validation2011,
        )
    })?;
    Ok(challenges::challenge(&raw)?)
}

fn key(state: &AppState) -> Vec<u8> {
    state
        .settings
        .auth
        .jwt_secret
        .as_ref()
        .map(|s| s.expose().as_bytes().to_vec())
        .unwrap_or_default()
}

/// A challenge of the catalogue (documentation; see docs/challenges.md).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ChallengeDoc {
    id: String,
    title: String,
    name: String,
    description: String,
    /// spending_freeze, category_cap, savings_streak.
    r#type: String,
    category: String,
    /// easy, medium, hard.
    difficulty: String,
    /// no_spend_days, category_cap, within_plan_streak.
    rule: String,
    duration_days: i64,
    target_value: i64,
    reward_points: i64,
    /// Estimated savings from the caller's last 30 days.
    reward_amount: f64,
    participants: i64,
    /// 0–1, null before any attempt finished.
    success_rate: Option<f64>,
}

/// An attempt's progress (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProgressDoc {
    challenge_id: String,
    participation_id: String,
    /// active, completed, failed, left.
    status: String,
    current_progress: i64,
    target_value: i64,
    /// 0–100.
    completion_percentage: f64,
    progress_percentage: f64,
    days_completed: i64,
    days_remaining: i64,
    current_streak: i64,
    best_streak: i64,
    /// category_cap only.
    spent: Option<f64>,
    cap: Option<f64>,
    points_earned: i64,
    started_at: String,
    start_date: String,
    end_date: String,
    completed_at: Option<String>,
}

fn today(state: &AppState, user: &mita::auth::AuthUser) -> chrono::NaiveDate {
    mita::time::local_date(state.clock.now_ms(), user.timezone)
}

/// The challenges the caller is not running, with participants, success rate and the savings
/// estimate (a list).
#[utoipa::path(get, path = "/api/challenge/available", tag = "challenges",
    responses((status = 200, body = Vec<ChallengeDoc>)), security(("bearer" = [])))]
async fn available(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    Ok(ok(views::available(
        &state.db,
        user.id,
        today(&state, &user),
        now,
    )
    .await?))
}

/// The caller's running challenges: each challenge's fields and its progress side by side (a
/// list). Reading settles finished attempts first.
#[utoipa::path(get, path = "/api/challenge/active", tag = "challenges",
    responses((status = 200, description = "[challenge + progress fields]")), security(("bearer" = [])))]
async fn active(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    Ok(ok(views::active(
        &state.db,
        user.id,
        today(&state, &user),
        now,
    )
    .await?))
}

/// Points, level, counts, day streaks within the plan, badges and the all-time rank.
#[utoipa::path(get, path = "/api/challenge/stats", tag = "challenges",
    responses((status = 200, description = "{total_points, current_level, next_level_points, points_to_next_level, completed_challenges, active_challenges, current_streak, best_streak, badges_earned[{id,name,description,rarity,icon}], leaderboard_position, points_this_week, challenges_completed_this_month, success_rate}")),
    security(("bearer" = [])))]
async fn stats(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    Ok(ok(board::stats(
        &state.db,
        user.id,
        user.timezone,
        now,
        &key(&state),
    )
    .await?))
}

#[derive(Deserialize, IntoParams)]
pub struct BoardQuery {
    /// weekly (default), monthly, all_time.
    period: Option<String>,
}

/// Users ranked by points of challenges completed in the period; each shown by rank and a
/// pseudonym only.
#[utoipa::path(get, path = "/api/challenge/leaderboard", tag = "challenges", params(BoardQuery),
    responses((status = 200, description = "{top_users[{rank, username, points, level, challenges_completed, badges_count, is_current_user}], user_rank, total_participants, period}"), (status = 422)),
    security(("bearer" = [])))]
async fn leaderboard(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<impl IntoResponse> {
    let period = Period::parse(q.period.as_deref())?;
    let now = state.clock.now_ms();
    Ok(ok(board::leaderboard(
        &state.db,
        user.id,
        user.timezone,
        now,
        period,
        &key(&state),
    )
    .await?))
}

/// Join a challenge from today for its duration (201). Joining one already running answers 200
/// `{joined: false, status: "already_joined"}` and changes nothing.
#[utoipa::path(post, path = "/api/challenge/{id}/join", tag = "challenges", params(("id" = String, Path)),
    responses((status = 201, description = "{joined, status, challenge_id, participation_id, started_at, end_date}"), (status = 200), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn join(
    State(state): State<AppState>,
    Authed(user): Authed,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<axum::response::Response> {
    let ch = challenge_of(path)?;
    let now = state.clock.now_ms();
    let joined = challenges::join(&state.db, user.id, ch, today(&state, &user), now).await?;
    Ok(if joined.joined {
        created(joined).message("Challenge joined").into_response()
    } else {
        ok(joined)
            .message("Already joined this challenge")
            .into_response()
    })
}

#[derive(Serialize, ToSchema)]
pub struct Left {
    left: bool,
    challenge_id: String,
}

/// Leave the running attempt (404 when the caller is not running this challenge).
#[utoipa::path(post, path = "/api/challenge/{id}/leave", tag = "challenges", params(("id" = String, Path)),
    responses((status = 200, body = Left), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn leave(
    State(state): State<AppState>,
    Authed(user): Authed,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<impl IntoResponse> {
    let ch = challenge_of(path)?;
    challenges::leave(&state.db, user.id, &ch.id, state.clock.now_ms()).await?;
    Ok(ok(Left {
        left: true,
        challenge_id: ch.id.clone(),
    })
    .message("You have left the challenge"))
}

/// The caller's progress in a challenge: the running attempt, else the latest finished one
/// (404 when never joined).
#[utoipa::path(get, path = "/api/challenge/{id}/progress", tag = "challenges", params(("id" = String, Path)),
    responses((status = 200, body = ProgressDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn progress(
    State(state): State<AppState>,
    Authed(user): Authed,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<impl IntoResponse> {
    let ch = challenge_of(path)?;
    let now = state.clock.now_ms();
    Ok(ok(views::progress(
        &state.db,
        user.id,
        user.timezone,
        ch,
        now,
    )
    .await?))
}

#[derive(Serialize)]
struct Refreshed {
    updated: bool,
    challenge_id: String,
    new_progress: views::ProgressView,
    /// Fields of the request that were not applied: progress is computed, never entered.
    ignored_fields: Vec<String>,
}

/// Recompute the running attempt's progress from the caller's transactions and plan. The body
/// (a JSON object, optional) is accepted for the app's sake and never applied.
#[utoipa::path(patch, path = "/api/challenge/{id}/progress", tag = "challenges", params(("id" = String, Path)),
    responses((status = 200, description = "{updated, challenge_id, new_progress, ignored_fields}"), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn refresh_progress(
    State(state): State<AppState>,
    Authed(user): Authed,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    JsonOrQuery(body): JsonOrQuery<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let ch = challenge_of(path)?;
    if challenges::active(&state.db, user.id, &ch.id)
        .await?
        .is_none()
    {
        return Err(mita::Error::NotFound("Challenge participation").into());
    }
    let now = state.clock.now_ms();
    let view = views::progress(&state.db, user.id, user.timezone, ch, now).await?;
    Ok(ok(Refreshed {
        updated: true,
        challenge_id: ch.id.clone(),
        new_progress: view,
        ignored_fields: body.keys().cloned().collect(),
    })
    .message("Progress recomputed"))
}
