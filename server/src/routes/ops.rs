//! Operational routes: `/`, `/health`, `/ready`, `/metrics`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mita::build;
use mita::health::check_db;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::envelope::now_rfc3339;
use crate::error::ApiError;
use crate::state::AppState;

/// A health probe never waits longer than this for the database.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(root))
        .routes(routes!(health))
        .routes(routes!(ready))
}

#[derive(Serialize, ToSchema)]
pub struct RootInfo {
    status: &'static str,
    service: &'static str,
    version: &'static str,
}

/// Service identity.
#[utoipa::path(get, path = "/", tag = "operations", responses((status = 200, body = RootInfo)))]
async fn root() -> Json<RootInfo> {
    Json(RootInfo {
        status: "healthy",
        service: build::SERVICE,
        version: build::VERSION,
    })
}

#[derive(Serialize, ToSchema)]
pub struct ComponentState {
    engine: &'static str,
    circuit: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct LlmState {
    configured: bool,
    circuit: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `healthy`, or `degraded` while the database is unreachable or migrations are pending.
    status: &'static str,
    service: &'static str,
    version: &'static str,
    commit: &'static str,
    /// `connected` / `disconnected`.
    database: &'static str,
    /// `current` / `pending` / `unknown`.
    migrations: &'static str,
    ocr: ComponentState,
    /// `shared`, `not_shared` (another instance stores receipt images where this one cannot
    /// read them) or `unchecked`.
    receipt_images: &'static str,
    llm: LlmState,
    google_oauth: LlmState,
    uptime_seconds: u64,
    timestamp: String,
}

/// Liveness with details: 200 while the process runs, even when the database is down.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    let db = check_db(&state.db, PROBE_TIMEOUT).await;
    Json(Health {
        status: if db.is_ready() { "healthy" } else { "degraded" },
        service: build::SERVICE,
        version: build::VERSION,
        commit: build::COMMIT,
        database: db.database,
        migrations: db.migrations,
        ocr: {
            let (engine, circuit) = state.ocr.health();
            ComponentState {
                engine: engine.as_str(),
                circuit: circuit.as_str(),
            }
        },
        receipt_images: state.ocr.image_dir_state(),
        llm: LlmState {
            configured: state.insights.llm_configured(),
            circuit: state.insights.llm_circuit().as_str(),
        },
        google_oauth: match &state.auth.google {
            Some(g) => LlmState {
                configured: true,
                circuit: g.breaker_state().as_str(),
            },
            None => LlmState {
                configured: false,
                circuit: "closed",
            },
        },
        uptime_seconds: state.started.elapsed().as_secs(),
        timestamp: now_rfc3339(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    status: &'static str,
    database: &'static str,
    migrations: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// Readiness for a load balancer: 200 when the database answers and migrations are current.
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, body = Readiness), (status = 503, body = Readiness)))]
async fn ready(State(state): State<AppState>) -> Response {
    let db = check_db(&state.db, PROBE_TIMEOUT).await;
    let body = Readiness {
        status: if db.is_ready() { "ready" } else { "not_ready" },
        database: db.database,
        migrations: db.migrations,
        reason: db.reason(),
    };
    if db.is_ready() {
        Json(body).into_response()
    } else {
        let mut r = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        r
    }
}

/// Prometheus text. With `METRICS_TOKEN` set, a missing or wrong bearer token gets a 404, so the
/// endpoint does not reveal itself.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.settings.metrics.token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !presented.is_some_and(|p| constant_time_eq(p.as_bytes(), token.expose().as_bytes())) {
            return ApiError::not_found("Route").into_response();
        }
    }
    let (active, max) = state.db.pool_usage();
    state
        .metrics
        .database_connections_active
        .set(i64::from(active));
    state.metrics.database_connections_max.set(i64::from(max));
    match state.metrics.render() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Test-only: a request that takes `ms` milliseconds, to observe graceful shutdown.
#[cfg(feature = "test-hooks")]
pub async fn slow(
    axum::extract::Query(q): axum::extract::Query<SlowQuery>,
) -> Json<serde_json::Value> {
    tokio::time::sleep(Duration::from_millis(q.ms.min(60_000))).await;
    Json(serde_json::json!({ "slept_ms": q.ms }))
}

#[cfg(feature = "test-hooks")]
#[derive(serde::Deserialize)]
pub struct SlowQuery {
    ms: u64,
}
