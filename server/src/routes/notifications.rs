//! `/api/notifications/*`. Several answers are **bare** (no envelope) because the app reads them
//! that way: the list, one notification, create, mark-read and the preferences. Push devices are
//! in `notification_devices`.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use mita::error::Code;
use mita::notifications::prefs::{self, PreferencesUpdate};
use mita::notifications::{self, ListFilter, NotificationInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread_count))
        .routes(routes!(create))
        .routes(routes!(mark_all_read))
        .routes(routes!(get_preferences, put_preferences))
        .routes(routes!(get_one, delete))
        .routes(routes!(mark_read))
}

/// The notification object (documentation mirror of `NotificationView`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NotificationDoc {
    id: String,
    user_id: String,
    title: String,
    message: String,
    /// alert, warning, info, tip, achievement, reminder, recommendation.
    r#type: String,
    /// low, medium, high, critical.
    priority: String,
    image_url: Option<String>,
    action_url: Option<String>,
    data: Option<serde_json::Value>,
    status: String,
    channel: Option<String>,
    is_read: bool,
    read_at: Option<String>,
    scheduled_for: Option<String>,
    sent_at: Option<String>,
    delivered_at: Option<String>,
    error_message: Option<String>,
    expires_at: Option<String>,
    category: Option<String>,
    group_key: Option<String>,
    created_at: String,
    updated_at: String,
}

/// The preferences (documentation; answered bare).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PreferencesDoc {
    push_enabled: bool,
    email_enabled: bool,
    budget_alerts: bool,
    goal_updates: bool,
    daily_reminders: bool,
    ai_recommendations: bool,
    transaction_alerts: bool,
    achievement_notifications: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Default 50, max 100.
    limit: Option<i64>,
    offset: Option<i64>,
    skip: Option<i64>,
    /// true / false (also 1 / 0).
    unread_only: Option<String>,
    r#type: Option<String>,
    priority: Option<String>,
    category: Option<String>,
}

fn flag(v: Option<&str>) -> ApiResult<bool> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no" | "") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(_) => Err(mita::Error::invalid(
            Code::Validation2002,
            "query.unread_only",
            "type",
            "must be true or false",
        )
        .into()),
    }
}

/// **Bare** `{notifications[], total, unread_count, has_more}`, newest first; `total` counts every
/// matching notification, not the page; expired ones never appear.
#[utoipa::path(get, path = "/api/notifications/list", tag = "notifications", params(ListQuery),
    responses((status = 200, description = "{notifications[], total, unread_count, has_more} (bare)")), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let limit = mita::page::limit(q.limit, 50, 100)?;
    let filter = ListFilter {
        limit,
        offset: q.offset.or(q.skip).unwrap_or(0),
        unread_only: flag(q.unread_only.as_deref())?,
        kind: q.r#type.map(|s| s.trim().to_ascii_lowercase()),
        priority: q.priority.map(|s| s.trim().to_ascii_lowercase()),
        category: q.category,
    };
    // 2 queries.
    Ok(Json(
        notifications::list(&state.db, user.id, &filter, state.clock.now_ms()).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    unread_count: i64,
}

/// `data{unread_count}` (expired notifications not counted).
#[utoipa::path(get, path = "/api/notifications/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount)), security(("bearer" = [])))]
async fn unread_count(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let n = notifications::unread_count(&state.db, user.id, state.clock.now_ms()).await?;
    Ok(ok(UnreadCount { unread_count: n }))
}

/// One notification (**bare**); another user's or an expired one is 404.
#[utoipa::path(get, path = "/api/notifications/{id}", tag = "notifications", params(("id" = String, Path)),
    responses((status = 200, body = NotificationDoc), (status = 404)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        notifications::get(&state.db, user.id, id, state.clock.now_ms()).await?,
    ))
}

/// Create a notification for the caller; answers it **bare** with 200.
#[utoipa::path(post, path = "/api/notifications/create", tag = "notifications",
    responses((status = 200, body = NotificationDoc), (status = 422)), security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(input): ApiJson<NotificationInput>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        notifications::create(
            &state.db,
            user.id,
            &input,
            state.clock.now_ms(),
            user.timezone,
        )
        .await?,
    ))
}

/// Mark one read; answers it **bare**.
#[utoipa::path(post, path = "/api/notifications/{id}/mark-read", tag = "notifications", params(("id" = String, Path)),
    responses((status = 200, body = NotificationDoc), (status = 404)), security(("bearer" = [])))]
async fn mark_read(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        notifications::mark_read(&state.db, user.id, id, state.clock.now_ms()).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    marked_read: u64,
}

/// Mark every unread notification read: `data{marked_read}`.
#[utoipa::path(post, path = "/api/notifications/mark-all-read", tag = "notifications",
    responses((status = 200, body = MarkedRead)), security(("bearer" = [])))]
async fn mark_all_read(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let n = notifications::mark_all_read(&state.db, user.id, state.clock.now_ms()).await?;
    Ok(ok(MarkedRead { marked_read: n }))
}

#[derive(Serialize, ToSchema)]
#[schema(as = NotificationDeleted)]
pub struct Deleted {
    deleted: bool,
    notification_id: String,
}

/// Delete one: `data{deleted: true, notification_id}`.
#[utoipa::path(delete, path = "/api/notifications/{id}", tag = "notifications", params(("id" = String, Path)),
    responses((status = 200, body = Deleted), (status = 404)), security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    notifications::delete(&state.db, user.id, id, state.clock.now_ms()).await?;
    Ok(ok(Deleted {
        deleted: true,
        notification_id: id.to_string(),
    })
    .message("Notification deleted"))
}

/// The caller's preferences (**bare**; all on until changed).
#[utoipa::path(get, path = "/api/notifications/preferences", tag = "notifications",
    responses((status = 200, body = PreferencesDoc)), security(("bearer" = [])))]
async fn get_preferences(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(prefs::get(&state.db, user.id).await?))
}

/// Change any of the switches (the others are kept); stored, and answered **bare**.
#[utoipa::path(put, path = "/api/notifications/preferences", tag = "notifications", request_body = PreferencesUpdate,
    responses((status = 200, body = PreferencesDoc), (status = 422)), security(("bearer" = [])))]
async fn put_preferences(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(update): ApiJson<PreferencesUpdate>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        prefs::update(&state.db, user.id, &update, state.clock.now_ms()).await?,
    ))
}
