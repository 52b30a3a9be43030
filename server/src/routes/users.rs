//! `/api/users/me`: the caller's profile.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::users::{self, Profile, ProfileUpdate};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(export_me))
}

/// Profile fields (documentation mirror of the core `Profile`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProfileDoc {
    id: String,
    email: String,
    name: Option<String>,
    country: String,
    timezone: String,
    income: Option<f64>,
    savings_goal: Option<f64>,
    budget_method: Option<String>,
    currency: String,
    region: Option<String>,
    notifications_enabled: bool,
    dark_mode_enabled: bool,
    has_onboarded: bool,
    email_verified: bool,
    created_at: String,
    member_since: String,
    profile_completion: u8,
    /// The same as `email_verified`.
    verified_email: bool,
    /// The region when set, else the country.
    location: String,
    /// The settings screen (defaults: false, true, true, "English", "MM/dd/yyyy", 80).
    biometric_auth: bool,
    auto_sync: bool,
    offline_mode: bool,
    language: String,
    date_format: String,
    budget_alert_threshold: f64,
}

/// The profile fields the app reads at the top level of the answer instead of in `data`
/// (receipt_capture_screen.dart, user_settings_screen.dart, budget_adapter_service.dart).
const TOP_LEVEL_FIELDS: [&str; 6] = [
    "is_premium",
    "income",
    "auto_sync",
    "offline_mode",
    "date_format",
    "budget_alert_threshold",
];

/// The caller's profile (`data`); a few fields are also at the top level, where some screens of
/// the app read them.
#[utoipa::path(get, path = "/api/users/me", tag = "users",
    responses((status = 200, body = ProfileDoc), (status = 401)), security(("bearer" = [])))]
async fn me(State(state): State<AppState>, Authed(user): Authed) -> ApiResult<impl IntoResponse> {
    let u = users::by_id(&state.db, user.id)
        .await?
        .ok_or(mita::Error::NotFound("User"))?;
    let profile = Profile::from(&u);
    let fields =
        serde_json::to_value(&profile).map_err(|e| mita::Error::Internal(e.to_string()))?;
    let top = TOP_LEVEL_FIELDS
        .iter()
        .filter_map(|k| Some(((*k).to_string(), fields.get(*k)?.clone())))
        .collect();
    Ok(ok(profile).top_level(top))
}

/// Update the caller's profile. The address is not changed here (see `email`).
#[utoipa::path(patch, path = "/api/users/me", tag = "users", request_body = ProfileUpdate,
    responses((status = 200, body = ProfileDoc),
              (status = 422, description = "Invalid input, or VALIDATION_2004 for a different email (use POST /api/users/me/email)")),
    security(("bearer" = [])))]
async fn update_me(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> ApiResult<impl IntoResponse> {
    let profile = users::update_profile(&state.db, &state.clock, user.id, body).await?;
    Ok(ok(profile).message("Profile updated"))
}

/// Everything MITA stores about the caller (GDPR articles 15 and 20), as one JSON document:
/// `data.tables` holds every personal table's rows (credential columns such as password and
/// token hashes left out, listed in `data.omitted`). Money columns are integer cents, times epoch
/// milliseconds, as stored. Sent as a download (`Content-Disposition: attachment`). At most 10
/// exports per user and hour (429 `RATE_LIMIT_7001` beyond).
#[utoipa::path(get, path = "/api/users/me/export", tag = "users",
    responses((status = 200, description = "The export document (`format`, `exported_at`, `user_id`, `tables`, `omitted`)"),
        (status = 401), (status = 429)), security(("bearer" = [])))]
async fn export_me(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    if !state.exports.take(user.id, state.clock.now_ms()) {
        return Err(mita::Error::RateLimited {
            retry_after_secs: 3600,
        }
        .into());
    }
    let export = state.export_account(user.id).await?;
    let day = export.exported_at.get(..10).unwrap_or("export").to_string();
    let disposition = format!("attachment; filename=\"mita-export-{day}.json\"");
    Ok((
        [(axum::http::header::CONTENT_DISPOSITION, disposition)],
        ok(export),
    ))
}
