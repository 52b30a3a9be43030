//! `/api/behavior/*`: the behaviour screens (docs/insights.md, "Behaviour").

use axum::extract::State;
use axum::response::IntoResponse;
use mita::insights::behavior::settings::{self, Group};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_preferences, patch_preferences))
        .routes(routes!(
            get_notification_settings,
            patch_notification_settings
        ))
}

/// The behaviour preferences (documentation).
#[derive(ToSchema)]
#[schema(as = BehaviorPreferencesDoc)]
#[allow(dead_code)]
pub struct PreferencesDoc {
    /// Default true.
    auto_insights: Option<bool>,
    /// Default true.
    anomaly_detection: Option<bool>,
    /// Default true.
    predictive_alerts: Option<bool>,
    /// Default false.
    peer_comparison: Option<bool>,
}

/// The behaviour notification switches (documentation; each defaults to true).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NotificationSettingsDoc {
    pattern_alerts: Option<bool>,
    anomaly_detection: Option<bool>,
    budget_adaptation: Option<bool>,
    weekly_insights: Option<bool>,
}

/// The caller's behaviour preferences: `data{auto_insights, anomaly_detection,
/// predictive_alerts, peer_comparison}` (defaults until set).
#[utoipa::path(get, path = "/api/behavior/preferences", tag = "behavior",
    responses((status = 200, body = PreferencesDoc), (status = 401)), security(("bearer" = [])))]
async fn get_preferences(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(
        settings::read(&state.db, user.id, Group::Preferences).await?
    ))
}

/// Set any of the preferences (booleans; null or absent leaves one as it is; other keys are
/// ignored); answers all four.
#[utoipa::path(patch, path = "/api/behavior/preferences", tag = "behavior", request_body = PreferencesDoc,
    responses((status = 200, body = PreferencesDoc), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn patch_preferences(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    let answer = settings::update(&state.db, user.id, Group::Preferences, &body, now).await?;
    Ok(ok(answer).message("Preferences updated"))
}

/// The caller's behaviour notification switches: `data{pattern_alerts, anomaly_detection,
/// budget_adaptation, weekly_insights}`.
#[utoipa::path(get, path = "/api/behavior/notification_settings", tag = "behavior",
    responses((status = 200, body = NotificationSettingsDoc), (status = 401)), security(("bearer" = [])))]
async fn get_notification_settings(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(
        settings::read(&state.db, user.id, Group::Notifications).await?
    ))
}

/// Set any of the four switches (as for the preferences); answers all four.
#[utoipa::path(patch, path = "/api/behavior/notification_settings", tag = "behavior", request_body = NotificationSettingsDoc,
    responses((status = 200, body = NotificationSettingsDoc), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn patch_notification_settings(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now_ms();
    let answer = settings::update(&state.db, user.id, Group::Notifications, &body, now).await?;
    Ok(ok(answer).message("Notification settings updated"))
}
