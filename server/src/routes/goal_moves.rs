//! `/api/goals/{id}/*` moves: state changes (complete, pause, resume) and the money that goes
//! into a goal (`add_savings`, `auto_transfer`, both honouring `Idempotency-Key`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use mita::goals::GoalView;
use mita::goals::input::AmountInput;
use mita::goals::savings;
use mita::goals::state::{self as goal_state, Move};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::goals::{GoalDoc, ctx};
use crate::envelope::idempotent_answer;
use crate::envelope::{current_request_id, ok};
use crate::error::ApiResult;
use crate::extract::{Authed, PathId, idempotent_json};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_savings))
        .routes(routes!(auto_transfer))
        .routes(routes!(complete))
        .routes(routes!(pause))
        .routes(routes!(resume))
}

/// Add `amount` to the goal's savings; it completes at 100 % (with `completed_at`). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/goals/{id}/add_savings", tag = "goals", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    request_body = AmountInput, responses((status = 200, body = GoalDoc), (status = 400, description = "Cancelled goal"),
    (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
async fn add_savings(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (input, key) = idempotent_json::<AmountInput>(
        &headers,
        &body,
        &format!("POST /api/goals/{id}/add_savings"),
    )?;
    let rid = current_request_id();
    let answer = savings::add_savings(&ctx(&state, &user, &rid), id, &input, key.as_ref()).await?;
    Ok(idempotent_answer(answer))
}

/// Record a savings transaction (category `other`, this goal's id) and add it to the goal, in
/// one database transaction. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/goals/{id}/auto_transfer", tag = "goals", params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key and body")),
    request_body = AmountInput, responses((status = 200, description = "{goal, transaction, amount}"),
    (status = 400), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
async fn auto_transfer(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (input, key) = idempotent_json::<AmountInput>(
        &headers,
        &body,
        &format!("POST /api/goals/{id}/auto_transfer"),
    )?;
    let rid = current_request_id();
    let answer =
        savings::auto_transfer(&ctx(&state, &user, &rid), id, &input, key.as_ref()).await?;
    Ok(idempotent_answer(answer))
}

async fn change(
    state: &AppState,
    user: &mita::auth::AuthUser,
    id: mita::id::Id,
    mv: Move,
) -> ApiResult<GoalView> {
    let rid = current_request_id();
    Ok(goal_state::change(&ctx(state, user, &rid), id, mv).await?)
}

/// Mark the goal completed (from active or paused; 400 otherwise).
#[utoipa::path(post, path = "/api/goals/{id}/complete", tag = "goals", params(("id" = String, Path)),
    responses((status = 200, body = GoalDoc), (status = 400), (status = 404)), security(("bearer" = [])))]
async fn complete(
    State(s): State<AppState>,
    Authed(u): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(change(&s, &u, id, Move::Complete).await?).message("Goal completed"))
}

/// Pause an active goal (400 otherwise); its plan rows are released.
#[utoipa::path(post, path = "/api/goals/{id}/pause", tag = "goals", params(("id" = String, Path)),
    responses((status = 200, body = GoalDoc), (status = 400), (status = 404)), security(("bearer" = [])))]
async fn pause(
    State(s): State<AppState>,
    Authed(u): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(change(&s, &u, id, Move::Pause).await?).message("Goal paused"))
}

/// Resume a paused goal (400 otherwise); its plan rows are reserved again.
#[utoipa::path(post, path = "/api/goals/{id}/resume", tag = "goals", params(("id" = String, Path)),
    responses((status = 200, body = GoalDoc), (status = 400), (status = 404)), security(("bearer" = [])))]
async fn resume(
    State(s): State<AppState>,
    Authed(u): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(change(&s, &u, id, Move::Resume).await?).message("Goal resumed"))
}
