//! Personal access tokens (docs/tokens.md): create (the secret is shown once), list, revoke.
//! These routes need a signed-in session: a personal access token cannot mint or revoke tokens.

use axum::extract::State;
use axum::response::IntoResponse;
use mita::auth::pat::NewToken;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed, Meta, PathId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
}

/// One token as listed (never the secret).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenDoc {
    id: String,
    name: String,
    scope: String,
    /// `mita_pat_` and the secret's first 4 characters.
    prefix: String,
    created_at: String,
    expires_at: Option<String>,
    /// Updated at most once a minute.
    last_used_at: Option<String>,
}

/// The created token, with its secret (shown this once).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreatedTokenDoc {
    id: String,
    name: String,
    scope: String,
    prefix: String,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    /// `mita_pat_...`: send it as `Authorization: Bearer <token>`. Not retrievable later.
    token: String,
}

/// Make a personal access token for scripts. The answer holds the secret; only its hash is
/// kept. Needs a signed-in session (403 `AUTH_1013` with a token).
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedTokenDoc), (status = 401), (status = 403, description = "AUTH_1013: made with a personal access token"),
              (status = 422, description = "Bad name, scope or lifetime; BUSINESS_4010 too many tokens")),
    security(("bearer" = [])))]
async fn create_token(
    State(state): State<AppState>,
    Authed(user): Authed,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<impl IntoResponse> {
    let made = state.auth.create_pat(&user, &body, &meta).await?;
    Ok(created(made).message("Token created; copy it now, it is not shown again"))
}

/// The caller's live tokens (revoked ones are gone), newest first.
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenDoc>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
async fn list_tokens(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.auth.list_pats(user.id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct TokenRevoked {
    revoked: bool,
    token_id: String,
}

/// Revoke one of the caller's tokens; it stops working on the next request. Another user's, a
/// revoked or an unknown token is 404.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 200, body = TokenRevoked), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn revoke_token(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    Meta(meta): Meta,
) -> ApiResult<impl IntoResponse> {
    state.auth.revoke_pat(&user, id, &meta).await?;
    Ok(ok(TokenRevoked {
        revoked: true,
        token_id: id.to_string(),
    })
    .message("Token revoked"))
}
