//! `/api/auth/*`: registration, login, tokens, password reset, Google sign-in.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use mita::auth::login::{LoggedIn, Registration};
use mita::auth::two_factor::LoginOutcome;
use mita::clock::rfc3339;
use mita::error::Code;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::{created, ok};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Authed, JsonOrQuery, Meta, bearer};
use crate::ratelimit::{self, Limited};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh_token))
        .routes(routes!(logout))
        .routes(routes!(revoke))
        .routes(routes!(validate))
        .routes(routes!(google))
        .routes(routes!(forgot_password))
        .routes(routes!(password_reset_request))
        .routes(routes!(verify_reset_token_get, verify_reset_token_post))
        .routes(routes!(reset_password))
        .routes(routes!(change_password))
        .routes(routes!(delete_account))
}

#[derive(Serialize, ToSchema)]
pub struct UserSummary {
    id: String,
    email: String,
    country: String,
    is_premium: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionAnswer {
    access_token: String,
    refresh_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Access-token lifetime in seconds.
    expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserSummary>,
}

pub(crate) fn session(
    logged_in: LoggedIn,
    with_created: bool,
    with_last_login: bool,
) -> SessionAnswer {
    let u = &logged_in.user;
    SessionAnswer {
        access_token: logged_in.tokens.access_token,
        refresh_token: logged_in.tokens.refresh_token,
        token_type: logged_in.tokens.token_type,
        expires_in: logged_in.tokens.expires_in,
        user: Some(UserSummary {
            id: u.id.to_string(),
            email: u.email.clone(),
            country: u.country.clone(),
            is_premium: u.is_premium,
            created_at: with_created.then(|| rfc3339(u.created_at)),
            last_login: if with_last_login {
                u.last_login_at.map(rfc3339)
            } else {
                None
            },
        }),
    }
}

/// Create an account; answers 201 with a session.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = Registration,
    responses((status = 201, body = SessionAnswer), (status = 409, description = "Email taken"),
              (status = 422, description = "Invalid input or weak password"), (status = 429, description = "Rate limited")))]
async fn register(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::Register>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<Registration>,
) -> ApiResult<impl IntoResponse> {
    let logged_in = state.auth.register(body, &meta).await?;
    Ok(created(session(logged_in, true, false)).message("Registration successful"))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    email: String,
    password: String,
}

/// Sign in with email and password. With two-factor sign-in on, the answer carries no tokens
/// but a challenge (`two_factor_required: true`) for `POST /api/auth/login/2fa`.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginAnswer),
              (status = 401, description = "AUTH_1001 bad credentials, AUTH_1008 locked (details.locked_until)"),
              (status = 429, description = "Rate limited"), (status = 503, description = "Hashing queue full")))]
async fn login(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::Login>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    match state.auth.login(&body.email, &body.password, &meta).await? {
        LoginOutcome::Session(logged_in) => {
            Ok(ok(LoginAnswer::Session(session(*logged_in, false, true)))
                .message("Login successful"))
        }
        LoginOutcome::TwoFactor(challenge) => {
            Ok(ok(LoginAnswer::Challenge(challenge.into())).message("Two-factor code required"))
        }
    }
}

/// The first step's answer: tokens, or (two-factor sign-in on) a challenge for
/// `POST /api/auth/login/2fa`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    Session(SessionAnswer),
    Challenge(ChallengeAnswer),
}

/// No tokens yet: send the challenge with a code to `POST /api/auth/login/2fa`.
#[derive(Serialize, ToSchema)]
pub struct ChallengeAnswer {
    /// Always true.
    two_factor_required: bool,
    /// Single use, short-lived.
    challenge: String,
    /// Seconds the challenge stays valid.
    expires_in: i64,
    /// `totp` and `recovery_code`.
    methods: Vec<String>,
}

impl From<mita::auth::two_factor::LoginChallenge> for ChallengeAnswer {
    fn from(c: mita::auth::two_factor::LoginChallenge) -> Self {
        ChallengeAnswer {
            two_factor_required: c.two_factor_required,
            challenge: c.challenge,
            expires_in: c.expires_in,
            methods: c.methods.iter().map(|m| (*m).to_string()).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RefreshRequest {
    #[serde(default)]
    refresh_token: Option<String>,
}

/// The refresh token from the body, or else from the `Authorization: Bearer` header.
struct RefreshInput(Option<String>);

impl FromRequestParts<AppState> for RefreshInput {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(RefreshInput(bearer(parts).map(str::to_string)))
    }
}

/// Rotate a refresh token: a new pair; the old refresh token stops working. Presenting an
/// already-rotated token again revokes the whole login.
#[utoipa::path(post, path = "/api/auth/refresh-token", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = SessionAnswer), (status = 401, description = "AUTH_1006 / AUTH_1002")))]
async fn refresh_token(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::Refresh>,
    Meta(meta): Meta,
    RefreshInput(from_header): RefreshInput,
    JsonOrQuery(body): JsonOrQuery<RefreshRequest>,
) -> ApiResult<impl IntoResponse> {
    let Some(token) = body.refresh_token.or(from_header) else {
        return Err(mita::Error::Unauthorized {
            code: Code::Auth1004,
            message: "Refresh token required".into(),
            details: None,
        }
        .into());
    };
    let pair = state.auth.refresh(&token, &meta).await?;
    Ok(ok(SessionAnswer {
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        token_type: pair.token_type,
        expires_in: pair.expires_in,
        user: None,
    })
    .message("Token refreshed"))
}

#[derive(Serialize, ToSchema)]
pub struct LogoutAnswer {
    logout_time: String,
}

/// Sign out: revokes the presented access token and its login's refresh token.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = LogoutAnswer), (status = 401)), security(("bearer" = [])))]
async fn logout(
    State(state): State<AppState>,
    Authed(user): Authed,
    Meta(meta): Meta,
    JsonOrQuery(body): JsonOrQuery<RefreshRequest>,
) -> ApiResult<impl IntoResponse> {
    state
        .auth
        .logout(&user, body.refresh_token.as_deref(), &meta)
        .await?;
    Ok(ok(LogoutAnswer {
        logout_time: rfc3339(state.clock.now_ms()),
    })
    .message("Logged out"))
}

#[derive(Serialize, ToSchema)]
pub struct MessageAnswer {
    message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    success: Option<bool>,
}

/// Revoke the presented access token.
#[utoipa::path(post, path = "/api/auth/revoke", tag = "auth",
    responses((status = 200, body = MessageAnswer), (status = 401)), security(("bearer" = [])))]
async fn revoke(
    State(state): State<AppState>,
    Authed(user): Authed,
    Meta(meta): Meta,
) -> ApiResult<impl IntoResponse> {
    state.auth.revoke(&user, &meta).await?;
    Ok(ok(MessageAnswer {
        message: "Token revoked",
        success: None,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ValidateAnswer {
    user_id: String,
    valid: bool,
    expires_at: String,
    scope: String,
}

/// Check the presented access token.
#[utoipa::path(get, path = "/api/auth/token/validate", tag = "auth",
    responses((status = 200, body = ValidateAnswer), (status = 401)), security(("bearer" = [])))]
async fn validate(Authed(user): Authed) -> impl IntoResponse {
    ok(ValidateAnswer {
        user_id: user.id.to_string(),
        valid: true,
        expires_at: rfc3339(user.claims.exp_ms()),
        scope: user.claims.scope.clone(),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct GoogleRequest {
    id_token: String,
}

/// Sign in with a Google ID token (the account is created on first sign-in, its address
/// verified by Google). With two-factor sign-in on, the answer is a challenge as for `login`.
#[utoipa::path(post, path = "/api/auth/google", tag = "auth", request_body = GoogleRequest,
    responses((status = 200, body = LoginAnswer), (status = 401, description = "AUTH_1011"),
              (status = 503, description = "Google unreachable or circuit open")))]
async fn google(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::Login>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<GoogleRequest>,
) -> ApiResult<impl IntoResponse> {
    match state.auth.google_login(&body.id_token, &meta).await? {
        LoginOutcome::Session(logged_in) => {
            let mut answer = session(*logged_in, false, false);
            answer.user = None;
            Ok(ok(LoginAnswer::Session(answer)).message("Google sign-in successful"))
        }
        LoginOutcome::TwoFactor(challenge) => {
            Ok(ok(LoginAnswer::Challenge(challenge.into())).message("Two-factor code required"))
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ForgotRequest {
    email: String,
    #[serde(default)]
    #[allow(dead_code)]
    client_id: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    redirect_url: Option<String>,
}

const RESET_SENT: &str = "If an account exists for that email, a reset link has been sent";

/// Ask for a password-reset email. Always the same answer (no account enumeration).
#[utoipa::path(post, path = "/api/auth/forgot-password", tag = "auth", request_body = ForgotRequest,
    responses((status = 200, body = MessageAnswer), (status = 429)))]
async fn forgot_password(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::PasswordReset>,
    Meta(meta): Meta,
    JsonOrQuery(body): JsonOrQuery<ForgotRequest>,
) -> ApiResult<impl IntoResponse> {
    state.auth.forgot_password(&body.email, &meta).await?;
    Ok(ok(MessageAnswer {
        message: RESET_SENT,
        success: None,
    }))
}

/// Same as `forgot-password` (email in the JSON body or the query).
#[utoipa::path(post, path = "/api/auth/password-reset/request", tag = "auth", request_body = ForgotRequest,
    params(("email" = Option<String>, Query, description = "The account's email (or in the JSON body)")),
    responses((status = 200, body = MessageAnswer), (status = 429)))]
async fn password_reset_request(
    state: State<AppState>,
    limit: Limited<ratelimit::PasswordReset>,
    meta: Meta,
    body: JsonOrQuery<ForgotRequest>,
) -> ApiResult<impl IntoResponse> {
    forgot_password(state, limit, meta, body).await
}

#[derive(Deserialize, ToSchema)]
pub struct TokenQuery {
    token: String,
}

#[derive(Serialize, ToSchema)]
pub struct ValidAnswer {
    valid: bool,
}

/// The answer to a reset-token check: 200 `{valid: true}`, or 400 `AUTH_1003` for a token that
/// is unknown, used or expired (the app takes any 200 as "valid").
async fn reset_token_answer(state: &AppState, token: &str) -> ApiResult<impl IntoResponse + use<>> {
    if !state.auth.verify_reset_token(token).await? {
        return Err(mita::auth::account::invalid_reset_token().into());
    }
    Ok(ok(ValidAnswer { valid: true }))
}

/// Is this reset token usable? 200 `{valid: true}`; 400 `AUTH_1003` when it is not.
#[utoipa::path(get, path = "/api/auth/verify-reset-token", tag = "auth",
    params(("token" = String, Query)), responses((status = 200, body = ValidAnswer), (status = 400)))]
async fn verify_reset_token_get(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> ApiResult<impl IntoResponse> {
    reset_token_answer(&state, &q.token).await
}

/// Is this reset token usable? (token in the query or the JSON body; answers as the GET)
#[utoipa::path(post, path = "/api/auth/verify-reset-token", tag = "auth", request_body = TokenQuery,
    responses((status = 200, body = ValidAnswer), (status = 400)))]
async fn verify_reset_token_post(
    State(state): State<AppState>,
    JsonOrQuery(q): JsonOrQuery<TokenQuery>,
) -> ApiResult<impl IntoResponse> {
    reset_token_answer(&state, &q.token).await
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    token: String,
    new_password: String,
}

/// Set a new password with a reset token (single use). Every session ends; the lock clears.
#[utoipa::path(post, path = "/api/auth/reset-password", tag = "auth", request_body = ResetRequest,
    responses((status = 200, body = MessageAnswer), (status = 400, description = "Invalid or expired token"),
              (status = 422, description = "Weak password")))]
async fn reset_password(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::PasswordReset>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ResetRequest>,
) -> ApiResult<impl IntoResponse> {
    state
        .auth
        .reset_password(&body.token, &body.new_password, &meta)
        .await?;
    Ok(ok(MessageAnswer {
        message: "Password has been reset",
        success: Some(true),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

/// Change the password (JSON body or query parameters). Every session ends. Rate limited; a
/// wrong current password counts toward the account's lockout (then 401 `AUTH_1008`).
#[utoipa::path(post, path = "/api/auth/change-password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 200, body = MessageAnswer), (status = 401), (status = 422), (status = 429)), security(("bearer" = [])))]
async fn change_password(
    State(state): State<AppState>,
    Authed(user): Authed,
    _limit: Limited<ratelimit::ChangePassword>,
    Meta(meta): Meta,
    JsonOrQuery(body): JsonOrQuery<ChangePasswordRequest>,
) -> ApiResult<impl IntoResponse> {
    state
        .auth
        .change_password(&user, &body.current_password, &body.new_password, &meta)
        .await?;
    Ok(ok(MessageAnswer {
        message: "Password changed; please sign in again",
        success: None,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteAccountRequest {
    /// Must be `true`.
    #[serde(default, deserialize_with = "bool_or_text")]
    confirmation: bool,
}

fn bool_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Text(String),
    }
    Ok(match B::deserialize(d)? {
        B::Bool(b) => b,
        B::Text(t) => matches!(t.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
    })
}

/// Delete the account and all its data, stored receipt images included (JSON
/// `{confirmation:true}` or `?confirmation=true`).
#[utoipa::path(delete, path = "/api/auth/delete-account", tag = "auth", request_body = DeleteAccountRequest,
    responses((status = 200, body = MessageAnswer), (status = 401), (status = 422)), security(("bearer" = [])))]
async fn delete_account(
    State(state): State<AppState>,
    Authed(user): Authed,
    Meta(meta): Meta,
    JsonOrQuery(body): JsonOrQuery<DeleteAccountRequest>,
) -> ApiResult<impl IntoResponse> {
    if !body.confirmation {
        return Err(mita::Error::invalid(
            Code::Validation2001,
            "body.confirmation",
            "required",
            "must be true to delete the account",
        )
        .into());
    }
    state.erase_account(user.id, &meta, false).await?;
    Ok(ok(MessageAnswer {
        message: "Account deleted",
        success: Some(true),
    }))
}
