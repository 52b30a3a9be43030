//! `/api/calendar/*`: the stored month plan and two previews that are never saved.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use chrono::Datelike;
use mita::budget::views::preview::{self, RedistributeRequest, ShellRequest};
use mita::budget::views::{calendar, check_month};
use mita::error::Code;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::budget::context;
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(saved))
        .routes(routes!(current_month))
        .routes(routes!(shell))
        .routes(routes!(redistribute))
}

const CALENDAR: &str = "`data{year, month, calendar:[{date, day, planned_budget{category:{planned, spent, status}}, limit, total, spent, status}]}`; \
    goal reservations appear under `goal_savings`; `limit` is the spendable plan, `total` includes goal reservations";

/// The stored plan of a month.
#[utoipa::path(get, path = "/api/calendar/saved/{year}/{month}", tag = "calendar",
    params(("year" = i32, Path, description = "2000–2100"), ("month" = u32, Path, description = "1–12")),
    responses((status = 200, description = CALENDAR), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn saved(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path((year, month)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let bad = || {
        mita::Error::invalid(
            Code::Validation2003,
            "path",
            "format",
            "year and month must be numbers",
        )
    };
    let year: i32 = year.trim().parse().map_err(|_| bad())?;
    let month: u32 = month.trim().parse().map_err(|_| bad())?;
    let (year, month) = check_month(year, month)?;
    let ctx = context(&state, user.id, false).await?;
    // 1 query.
    Ok(ok(calendar::saved(&state.db, &ctx, year, month).await?))
}

/// The plan of the caller's current month (built first if a new month has no plan yet).
#[utoipa::path(get, path = "/api/calendar/current-month", tag = "calendar",
    responses((status = 200, description = CALENDAR), (status = 401)), security(("bearer" = [])))]
async fn current_month(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, true).await?;
    // 1 query.
    Ok(ok(calendar::current(&state.db, &ctx).await?))
}

/// A preview calendar from an income, fixed expenses and category weights (not saved).
#[utoipa::path(post, path = "/api/calendar/shell", tag = "calendar", request_body = ShellRequest,
    responses((status = 200, description = "`data{year, month, allocations, savings_target, unallocated, calendar[]}`"),
              (status = 401), (status = 422, description = "Invalid input, or BUSINESS_4001 fixed expenses above income")),
    security(("bearer" = [])))]
async fn shell(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<ShellRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = context(&state, user.id, false).await?;
    // 0 queries: computed in memory.
    Ok(ok(preview::shell(
        &body,
        (ctx.today.year(), ctx.today.month()),
    )?))
}

/// Preview of the `balance` strategy: the surplus of under-limit days moves to over-limit days
/// in proportion (Σ limits unchanged). Not saved.
#[utoipa::path(post, path = "/api/calendar/redistribute", tag = "calendar", request_body = RedistributeRequest,
    responses((status = 200, description = "`data{strategy, moved, updated_calendar{day:{total, limit}}}`"),
              (status = 401), (status = 422, description = "Unknown strategy or invalid amounts")),
    security(("bearer" = [])))]
async fn redistribute(
    Authed(_user): Authed,
    ApiJson(body): ApiJson<RedistributeRequest>,
) -> ApiResult<impl IntoResponse> {
    // 0 queries: computed in memory.
    Ok(ok(preview::redistribute(&body)?))
}
