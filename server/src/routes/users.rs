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
    OpenApiRouter::new().routes(routes!(me, update_me))
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
}

/// Fields `PATCH /api/users/me` applies; anything else (`id`, `role`, `is_premium`...) is ignored.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProfileUpdateDoc {
    name: Option<String>,
    email: Option<String>,
    country: Option<String>,
    timezone: Option<String>,
    income: Option<f64>,
    savings_goal: Option<f64>,
    budget_method: Option<String>,
    currency: Option<String>,
    region: Option<String>,
    notifications_enabled: Option<bool>,
    dark_mode_enabled: Option<bool>,
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/users/me", tag = "users",
    responses((status = 200, body = ProfileDoc), (status = 401)), security(("bearer" = [])))]
async fn me(State(state): State<AppState>, Authed(user): Authed) -> ApiResult<impl IntoResponse> {
    let u = users::by_id(&state.db, user.id)
        .await?
        .ok_or(mita::Error::NotFound("User"))?;
    Ok(ok(Profile::from(&u)))
}

/// Update the caller's profile.
#[utoipa::path(patch, path = "/api/users/me", tag = "users", request_body = ProfileUpdateDoc,
    responses((status = 200, body = ProfileDoc), (status = 409, description = "Email taken"), (status = 422)),
    security(("bearer" = [])))]
async fn update_me(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> ApiResult<impl IntoResponse> {
    let profile = users::update_profile(&state.db, &state.clock, user.id, body).await?;
    Ok(ok(profile).message("Profile updated"))
}
