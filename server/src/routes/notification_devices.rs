//! `/api/notifications/*-device`: push devices, registered by token (`push_token`, or `token`).

use axum::extract::State;
use axum::response::IntoResponse;
use mita::notifications::devices::{self, Registration, TokenChange, Unregistration};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed, JsonOrQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register_device))
        .routes(routes!(update_device, update_device_post))
        .routes(routes!(unregister_device, unregister_device_post))
}

/// An answer of the device routes (documentation).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeviceDoc {
    device_id: String,
    /// registered, updated, unregistered.
    status: String,
}

/// Register this device for push: `data{device_id, status: registered | updated}`.
#[utoipa::path(post, path = "/api/notifications/register-device", tag = "notifications", request_body = Registration,
    responses((status = 200, body = DeviceDoc), (status = 422)), security(("bearer" = [])))]
async fn register_device(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(r): ApiJson<Registration>,
) -> ApiResult<impl IntoResponse> {
    let answer = devices::register(&state.db, user.id, &r, state.clock.now_ms()).await?;
    Ok(ok(answer).message("Device registered"))
}

/// Replace a device's push token (404 when the old token is not the caller's).
#[utoipa::path(patch, path = "/api/notifications/update-device", tag = "notifications", request_body = TokenChange,
    responses((status = 200, body = DeviceDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn update_device(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(c): ApiJson<TokenChange>,
) -> ApiResult<impl IntoResponse> {
    let answer = devices::update_token(&state.db, user.id, &c, state.clock.now_ms()).await?;
    Ok(ok(answer).message("Device updated"))
}

/// Same as PATCH.
#[utoipa::path(post, path = "/api/notifications/update-device", tag = "notifications", request_body = TokenChange,
    responses((status = 200, body = DeviceDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn update_device_post(
    state: State<AppState>,
    user: Authed,
    c: ApiJson<TokenChange>,
) -> ApiResult<impl IntoResponse> {
    update_device(state, user, c).await
}

/// Forget a device (body or query `push_token`; 404 when it is not the caller's).
#[utoipa::path(delete, path = "/api/notifications/unregister-device", tag = "notifications", request_body = Unregistration,
    responses((status = 200, body = DeviceDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn unregister_device(
    State(state): State<AppState>,
    Authed(user): Authed,
    JsonOrQuery(u): JsonOrQuery<Unregistration>,
) -> ApiResult<impl IntoResponse> {
    let answer = devices::unregister(&state.db, user.id, &u).await?;
    Ok(ok(answer).message("Device unregistered"))
}

/// Same as DELETE.
#[utoipa::path(post, path = "/api/notifications/unregister-device", tag = "notifications", request_body = Unregistration,
    responses((status = 200, body = DeviceDoc), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn unregister_device_post(
    state: State<AppState>,
    user: Authed,
    u: JsonOrQuery<Unregistration>,
) -> ApiResult<impl IntoResponse> {
    unregister_device(state, user, u).await
}
