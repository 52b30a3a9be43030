//! `/api/referral`: the caller's invite code (docs/referral.md).

use axum::extract::State;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::Authed;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(code))
}

/// The invite code object.
#[derive(Serialize, ToSchema)]
pub struct ReferralCode {
    /// Eight characters of Crockford's base32 (digits and capitals without I, L, O, U), the
    /// same on every call.
    code: String,
}

/// The caller's invite code, made on the first call and the same on every later one.
#[utoipa::path(get, path = "/api/referral/code", tag = "referral",
    responses((status = 200, body = ReferralCode), (status = 401)), security(("bearer" = [])))]
async fn code(State(state): State<AppState>, Authed(user): Authed) -> ApiResult<impl IntoResponse> {
    let code = mita::referral::code(&state.db, user.id).await?;
    Ok(ok(ReferralCode { code }))
}
