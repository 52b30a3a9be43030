//! Premium status and subscriptions (docs/premium.md): `/api/users/{id}/premium-*`,
//! `/api/users/{id}/subscription-history`, `/api/subscriptions/{id}/status`, `/api/iap/validate`.
//! Every `{id}` other than the caller's (or the caller's subscription) is 404.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use mita::error::{Code, Error};
use mita::id::Id;
use mita::premium::{self, StatusInput, ValidateInput};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(premium_status))
        .routes(routes!(premium_features))
        .routes(routes!(subscription_history))
        .routes(routes!(subscription_status))
        .routes(routes!(iap_validate))
}

/// The path's user id, which must be the caller's (not a UUID → 422, another user → 404).
fn own(caller: Id, raw: &str) -> ApiResult<()> {
    let id: Id = raw.parse().map_err(|_| {
        Error::invalid(
            Code::Validation2011,
            "path.user_id",
            "uuid",
            "must be a UUID",
        )
    })?;
    if id != caller {
        return Err(Error::NotFound("User").into());
    }
    Ok(())
}

/// `data{user_id, is_premium, premium_source (account | subscription | null), subscription
/// {subscription_id, product_id, status, expires_at, auto_renew, trial_period, platform,
/// grace_period_expires_at, billing_retry_until, metadata} | null, expires_at, features[]}`.
#[utoipa::path(get, path = "/api/users/{user_id}/premium-status", tag = "premium",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Premium status"), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn premium_status(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(user_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    own(user.id, &user_id)?;
    Ok(ok(premium::status(
        &state.db,
        user.id,
        state.clock.now_ms(),
    )
    .await?))
}

/// `data{user_id, is_premium, premium_source, features[]}`: every premium feature when premium,
/// none otherwise.
#[utoipa::path(get, path = "/api/users/{user_id}/premium-features", tag = "premium",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Features"), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn premium_features(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(user_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    own(user.id, &user_id)?;
    let s = premium::status(&state.db, user.id, state.clock.now_ms()).await?;
    Ok(ok(json!({
        "user_id": s.user_id,
        "is_premium": s.is_premium,
        "premium_source": s.premium_source,
        "features": s.features,
    })))
}

/// `data[{id, subscription_id, event (validated | status_changed), status, source (store |
/// app), product_id, platform, expires_at, created_at}]`, newest first, at most 100.
#[utoipa::path(get, path = "/api/users/{user_id}/subscription-history", tag = "premium",
    params(("user_id" = String, Path)),
    responses((status = 200, description = "Events"), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn subscription_history(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(user_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    own(user.id, &user_id)?;
    Ok(ok(premium::history(&state.db, user.id).await?))
}

/// Ends one of the caller's subscriptions (`cancelled` or `expired`): `data{subscription}`.
/// Only a store receipt starts or extends one, so any other status is 422.
#[utoipa::path(put, path = "/api/subscriptions/{subscription_id}/status", tag = "premium",
    params(("subscription_id" = String, Path)), request_body = StatusInput,
    responses((status = 200, description = "The subscription"), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn subscription_status(
    State(state): State<AppState>,
    Authed(user): Authed,
    Path(subscription_id): Path<String>,
    ApiJson(body): ApiJson<StatusInput>,
) -> ApiResult<impl IntoResponse> {
    let id: Id = subscription_id
        .parse()
        .map_err(|_| Error::NotFound("Subscription"))?;
    let s = premium::set_status(&state.db, user.id, id, &body, state.clock.now_ms()).await?;
    Ok(ok(json!({ "subscription": s })))
}

/// Asks the store about a receipt and records the purchase it confirms: the premium status
/// (`data`, as premium-status), with `subscription` also at the top level of the body (the app
/// caches `body['subscription']`). A receipt the store refuses → 422 on `body.receipt`, nothing
/// stored; a purchase of another account → 409; the platform not configured → 503; the store
/// down or its breaker open → 503.
#[utoipa::path(post, path = "/api/iap/validate", tag = "premium", request_body = ValidateInput,
    responses((status = 200, description = "Premium status"), (status = 401), (status = 404), (status = 409), (status = 422), (status = 503)), security(("bearer" = [])))]
async fn iap_validate(
    State(state): State<AppState>,
    Authed(user): Authed,
    ApiJson(body): ApiJson<ValidateInput>,
) -> ApiResult<impl IntoResponse> {
    let s = premium::validate(
        &state.db,
        &state.store,
        user.id,
        &body,
        state.clock.now_ms(),
    )
    .await?;
    let mut top = serde_json::Map::new();
    top.insert(
        "subscription".into(),
        serde_json::to_value(&s.subscription).unwrap_or_default(),
    );
    Ok(ok(s).top_level(top))
}
