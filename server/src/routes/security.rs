//! Account hardening routes (issue 15): the sessions list, two-factor sign-in (TOTP), email
//! verification and the confirmed change of address. Each handler calls one
//! `mita::auth::AuthService` method.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use mita::auth::logins::SessionInfo;
use mita::auth::two_factor::{Reauth, SecondFactor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{SessionAnswer, session};
use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Authed, JsonOrQuery, MaybeAuthed, Meta, PathId};
use crate::ratelimit::{self, Limited};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login_second_step))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(two_factor_status))
        .routes(routes!(two_factor_setup))
        .routes(routes!(two_factor_enable))
        .routes(routes!(two_factor_disable))
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(request_email_change))
        .routes(routes!(confirm_email_change))
}

#[derive(Deserialize, ToSchema)]
pub struct SecondStepRequest {
    /// The challenge the first step answered.
    challenge: String,
    /// The 6-digit code of the authenticator app...
    #[serde(default)]
    code: Option<String>,
    /// ...or one unused recovery code.
    #[serde(default)]
    recovery_code: Option<String>,
}

/// Second step of a login with two-factor sign-in: the challenge and a code → tokens. A wrong,
/// replayed or used code is 401 `AUTH_1012` and counts toward the lockout (then `AUTH_1008`);
/// an unknown, used or expired challenge is 401 `AUTH_1010`.
#[utoipa::path(post, path = "/api/auth/login/2fa", tag = "auth", request_body = SecondStepRequest,
    responses((status = 200, body = SessionAnswer),
              (status = 401, description = "AUTH_1012 wrong code, AUTH_1010 bad challenge, AUTH_1008 locked"),
              (status = 422, description = "No code given"), (status = 429, description = "Rate limited")))]
async fn login_second_step(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::Login>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<SecondStepRequest>,
) -> ApiResult<impl IntoResponse> {
    let factor = SecondFactor {
        code: body.code,
        recovery_code: body.recovery_code,
    };
    let logged_in = state
        .auth
        .login_second_step(&body.challenge, &factor, &meta)
        .await?;
    Ok(ok(session(logged_in, false, true)).message("Login successful"))
}

/// One login (documentation mirror of the core `SessionInfo`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SessionDoc {
    id: String,
    created_at: String,
    /// The last sign-in or token refresh of this login.
    last_used_at: String,
    expires_at: String,
    user_agent: Option<String>,
    /// The client's network (IPv4 /24, IPv6 /48), never the full address.
    approximate_address: Option<String>,
    /// The login this request was made with.
    current: bool,
}

/// The caller's active logins (one per sign-in), the most recently used first.
#[utoipa::path(get, path = "/api/auth/sessions", tag = "auth",
    responses((status = 200, body = Vec<SessionDoc>), (status = 401)), security(("bearer" = [])))]
async fn list_sessions(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    let sessions: Vec<SessionInfo> = state
        .auth
        .list_sessions(user.id, user.claims.family())
        .await?;
    Ok(ok(sessions))
}

#[derive(Serialize, ToSchema)]
pub struct SessionEnded {
    deleted: bool,
    session_id: String,
}

/// End one of the caller's logins at once (its access and refresh tokens stop working).
/// Another user's, an ended or an unknown session is 404.
#[utoipa::path(delete, path = "/api/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = SessionEnded), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
async fn end_session(
    State(state): State<AppState>,
    Authed(user): Authed,
    PathId(id): PathId,
    Meta(meta): Meta,
) -> ApiResult<impl IntoResponse> {
    state.auth.end_session(&user, id, &meta).await?;
    Ok(ok(SessionEnded {
        deleted: true,
        session_id: id.to_string(),
    })
    .message("Session ended"))
}

#[derive(Serialize, ToSchema)]
pub struct TwoFactorStatusDoc {
    enabled: bool,
    /// Setup started, waiting for the first code.
    pending: bool,
    enabled_at: Option<String>,
    recovery_codes_left: i64,
}

/// Is two-factor sign-in on?
#[utoipa::path(get, path = "/api/auth/2fa", tag = "auth",
    responses((status = 200, body = TwoFactorStatusDoc), (status = 401)), security(("bearer" = [])))]
async fn two_factor_status(
    State(state): State<AppState>,
    Authed(user): Authed,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.auth.two_factor_status(user.id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentDoc {
    /// The shared secret in base32 (to type in by hand).
    secret: String,
    /// `otpauth://totp/...` for a QR code.
    otpauth_uri: String,
    /// `SHA1`.
    algorithm: String,
    digits: u8,
    /// Seconds per code.
    period: u64,
}

/// Start two-factor setup (needs the password): a new secret for the authenticator app. Not
/// active until `POST /api/auth/2fa/enable` confirms a first code.
#[utoipa::path(post, path = "/api/auth/2fa/setup", tag = "auth", request_body = Reauth,
    responses((status = 200, body = EnrollmentDoc), (status = 401, description = "Wrong password (counts toward the lockout)"),
              (status = 409, description = "Already on"), (status = 422), (status = 429),
              (status = 503, description = "auth.totp_key not configured")),
    security(("bearer" = [])))]
async fn two_factor_setup(
    State(state): State<AppState>,
    Authed(user): Authed,
    _limit: Limited<ratelimit::ChangePassword>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<Reauth>,
) -> ApiResult<impl IntoResponse> {
    Ok(ok(state.auth.two_factor_setup(&user, &body, &meta).await?)
        .message("Scan the code, then confirm with a first code"))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The current 6-digit code of the authenticator app.
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes for a lost phone: shown this once, stored only hashed.
    recovery_codes: Vec<String>,
}

/// Turn two-factor sign-in on by confirming the first code; answers ten recovery codes (once).
#[utoipa::path(post, path = "/api/auth/2fa/enable", tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 409, description = "No setup in progress, or already on"),
              (status = 422, description = "Wrong code")),
    security(("bearer" = [])))]
async fn two_factor_enable(
    State(state): State<AppState>,
    Authed(user): Authed,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CodeRequest>,
) -> ApiResult<impl IntoResponse> {
    let recovery_codes = state
        .auth
        .two_factor_enable(&user, &body.code, &meta)
        .await?;
    Ok(ok(RecoveryCodes { recovery_codes }).message("Two-factor sign-in is on"))
}

#[derive(Deserialize, ToSchema)]
pub struct DisableRequest {
    #[serde(default)]
    password: Option<String>,
    /// For an account without a password: a fresh Google ID token.
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    message: &'static str,
}

/// Turn two-factor sign-in off: the password and a current code (or a recovery code). Wrong
/// ones count toward the lockout.
#[utoipa::path(post, path = "/api/auth/2fa/disable", tag = "auth", request_body = DisableRequest,
    responses((status = 200, body = Done), (status = 401, description = "AUTH_1001 password, AUTH_1012 code, AUTH_1008 locked"),
              (status = 409, description = "Not on"), (status = 422), (status = 429)),
    security(("bearer" = [])))]
async fn two_factor_disable(
    State(state): State<AppState>,
    Authed(user): Authed,
    _limit: Limited<ratelimit::ChangePassword>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<DisableRequest>,
) -> ApiResult<impl IntoResponse> {
    let reauth = Reauth {
        password: body.password,
        id_token: body.id_token,
    };
    let factor = SecondFactor {
        code: body.code,
        recovery_code: body.recovery_code,
    };
    state
        .auth
        .two_factor_disable(&user, &reauth, &factor, &meta)
        .await?;
    Ok(ok(Done {
        message: "Two-factor sign-in is off",
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct LinkToken {
    /// The token from the link.
    token: String,
}

/// Verify the account's address with the link mailed at registration (token in the JSON body
/// or the query). Single use; refused (400 `AUTH_1003`) when used, expired, for another
/// purpose, for an address the account no longer has, or for another user than the caller's
/// token (when one is sent).
#[utoipa::path(post, path = "/api/auth/verify-email", tag = "auth", request_body = LinkToken,
    params(("token" = Option<String>, Query, description = "Or in the JSON body")),
    responses((status = 200, body = Done), (status = 400, description = "Invalid or expired link")))]
async fn verify_email(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
    Meta(meta): Meta,
    JsonOrQuery(body): JsonOrQuery<LinkToken>,
) -> ApiResult<impl IntoResponse> {
    state
        .auth
        .verify_email(&body.token, caller.map(|c| c.id), &meta)
        .await?;
    Ok(ok(Done {
        message: "Email address verified",
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ResendAnswer {
    /// `sent` or `already_verified`.
    status: String,
}

/// Mail a new verification link (a few per hour; 429 beyond).
#[utoipa::path(post, path = "/api/auth/resend-verification", tag = "auth",
    responses((status = 200, body = ResendAnswer), (status = 401), (status = 429)), security(("bearer" = [])))]
async fn resend_verification(
    State(state): State<AppState>,
    Authed(user): Authed,
    Meta(meta): Meta,
) -> ApiResult<impl IntoResponse> {
    let outcome = state.auth.resend_verification(&user, &meta).await?;
    let status = match outcome {
        mita::auth::email_links::ResendOutcome::Sent => "sent",
        mita::auth::email_links::ResendOutcome::AlreadyVerified => "already_verified",
    };
    Ok(ok(ResendAnswer {
        status: status.into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    new_email: String,
    /// The current password...
    #[serde(default)]
    password: Option<String>,
    /// ...or, for an account without one, a fresh Google ID token.
    #[serde(default)]
    id_token: Option<String>,
}

const CHANGE_SENT: &str =
    "A confirmation link has been sent to the new address; the change happens when it is opened";

/// Ask to change the account's address: the current password, then a link to the new address
/// (and a notice to the old one). 202 whether or not the new address is taken; a taken one is
/// refused (409) when the link is used. `PATCH /api/users/me` never changes the address.
#[utoipa::path(post, path = "/api/users/me/email", tag = "users", request_body = EmailChangeRequest,
    responses((status = 202, body = Done), (status = 401, description = "Wrong password (counts toward the lockout)"),
              (status = 422), (status = 429)), security(("bearer" = [])))]
async fn request_email_change(
    State(state): State<AppState>,
    Authed(user): Authed,
    _limit: Limited<ratelimit::ChangePassword>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<EmailChangeRequest>,
) -> ApiResult<impl IntoResponse> {
    let reauth = Reauth {
        password: body.password,
        id_token: body.id_token,
    };
    state
        .auth
        .request_email_change(&user, &body.new_email, &reauth, &meta)
        .await?;
    Ok(ok(Done {
        message: CHANGE_SENT,
    })
    .status(StatusCode::ACCEPTED)
    .message(CHANGE_SENT))
}

/// Confirm a change of address with the mailed link: the account moves to the new address
/// (verified) and every session ends. Single use; 400 `AUTH_1003` when used, expired or for
/// another user than the caller's token; 409 when the address was taken meanwhile.
#[utoipa::path(post, path = "/api/users/me/email/confirm", tag = "users", request_body = LinkToken,
    params(("token" = Option<String>, Query, description = "Or in the JSON body")),
    responses((status = 200, body = Done), (status = 400, description = "Invalid or expired link"),
              (status = 409, description = "Address taken meanwhile")))]
async fn confirm_email_change(
    State(state): State<AppState>,
    MaybeAuthed(caller): MaybeAuthed,
    Meta(meta): Meta,
    JsonOrQuery(body): JsonOrQuery<LinkToken>,
) -> ApiResult<impl IntoResponse> {
    state
        .auth
        .confirm_email_change(&body.token, caller.map(|c| c.id), &meta)
        .await?;
    Ok(ok(Done {
        message: "Email address changed; please sign in again",
    }))
}
