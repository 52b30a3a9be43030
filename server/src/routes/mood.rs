//! `/api/mood`: the mood of a day (the app's mood screen) and the moods of a date range.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::mood::{self, MoodInput, MoodView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record, list))
}

/// The mood object (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MoodDoc {
    id: String,
    /// The user-local day, YYYY-MM-DD.
    date: String,
    /// 1 (very sad) to 5 (great).
    mood: i32,
    created_at: String,
    updated_at: String,
}

/// Record the mood of a day: one per day, the last write wins (201 when the day had none, 200
/// when it replaced the day's mood).
#[utoipa::path(post, path = "/api/mood", tag = "mood", request_body = MoodInput,
    responses((status = 201, body = MoodDoc), (status = 200, body = MoodDoc), (status = 422)),
    security(("bearer" = [])))]
async fn record(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<MoodInput>,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    let today = mita::time::local_date(now, user.timezone);
    let (value, day) = input.check(today, user.timezone)?;
    let (row, is_new) = mood::record(&state.db, user.id, value, day, now).await?;
    let view = MoodView::from(&row);
    Ok(if is_new {
        created(view).message("Mood recorded")
    } else {
        ok(view).message("Mood updated")
    })
}

#[derive(Deserialize, IntoParams)]
pub struct RangeQuery {
    /// YYYY-MM-DD (default: 29 days before end_date).
    start_date: Option<String>,
    /// YYYY-MM-DD (default: today).
    end_date: Option<String>,
}

/// The caller's moods over a range of at most 366 days, oldest first (a list).
#[utoipa::path(get, path = "/api/mood", tag = "mood", params(RangeQuery),
    responses((status = 200, body = Vec<MoodDoc>), (status = 422)), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<impl IntoResponse> {
    let tz = user.timezone;
    let day = |text: &Option<String>, field| {
        text.as_deref()
            .map(|d| mita::time::parse_day(d, field, tz))
            .transpose()
    };
    let start = day(&q.start_date, "query.start_date")?;
    let end = day(&q.end_date, "query.end_date")?;
    let today = mita::time::local_date(state.clock.now_ms(), tz);
    let (start, end) = mood::range(start, end, today)?;
    let rows = mood::between(&state.db, user.id, start, end).await?;
    Ok(ok(rows.iter().map(MoodView::from).collect::<Vec<_>>()))
}
