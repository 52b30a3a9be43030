//! `POST /api/errors/report`: client error reports (public).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use mita::reports::{self, ClientErrorReport, Origin};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::ok;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientIp, MaybeAuthed};
use crate::ratelimit::{self, Limited};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

#[derive(Serialize, ToSchema)]
pub struct ErrorReportReceived {
    /// Always `received`.
    status: &'static str,
    report_id: String,
}

/// Store a client error report.
#[utoipa::path(post, path = "/api/errors/report", tag = "errors",
    request_body = ClientErrorReport,
    responses((status = 200, description = "Stored", body = ErrorReportReceived),
              (status = 422, description = "Invalid report")))]
async fn report(
    State(state): State<AppState>,
    _limit: Limited<ratelimit::ErrorReport>,
    ClientIp(ip): ClientIp,
    MaybeAuthed(user): MaybeAuthed,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ClientErrorReport>,
) -> ApiResult<impl IntoResponse> {
    let origin = Origin {
        user_id: user.as_ref().map(|u| u.id),
        timezone: user.as_ref().map(|u| u.timezone),
        client_ip: Some(ip.to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
    };
    let id = reports::record(&state.db, &state.clock, body, origin).await?;
    Ok(ok(ErrorReportReceived {
        status: "received",
        report_id: id.to_string(),
    })
    .message("Error report received"))
}
