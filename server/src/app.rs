//! Building the router (`app`, testable without a socket) and serving it (`serve`).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;
use tower::Layer;
use tower::util::MapRequestLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::middleware::{edge, on_write_thread, trim_trailing_slash};
use crate::routes;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "MITA API", description = "The HTTP API behind the MITA mobile app. See API.md for the envelope and error conventions."),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "errors", description = "Client error reports"),
        (name = "auth", description = "Registration, login, tokens, password reset"),
        (name = "users", description = "The caller's profile"),
        (name = "tokens", description = "Personal access tokens for the caller's own scripts"),
        (name = "import", description = "Bank-file import: preview, then commit"),
        (name = "rules", description = "Categorisation rules applied to spends without a category"),
        (name = "recurring", description = "Recurring transactions made on their dates"),
        (name = "onboarding", description = "Onboarding questions and answers (builds the budget plan)"),
        (name = "budget", description = "The daily plan, budget mode and forecast"),
        (name = "calendar", description = "The month's plan day by day, and previews"),
        (name = "dashboard", description = "The main screen"),
        (name = "analytics", description = "Spending by category and by day, and the app's product-analytics events"),
        (name = "behavior", description = "The behaviour screens: analyses of the caller's own spending by written rules, and their switches"),
        (name = "premium", description = "Premium status and subscriptions; a subscription starts only from a receipt the store confirmed"),
        (name = "cohort", description = "Peer comparisons, only as aggregates over at least cohort.min_users users"),
        (name = "transactions", description = "Spends, applied to the daily plan at once"),
        (name = "ai", description = "Rule-based answers about the caller's money, enriched by an LLM when configured"),
        (name = "insights", description = "Current insights and stored analyses"),
        (name = "goals", description = "Savings goals, their reservations in the daily plan, and advice"),
        (name = "installments", description = "Installments, their reservations in the daily plan, the affordability calculator and the financial profile"),
        (name = "financial", description = "Installment evaluations, income-relative thresholds and housing ratios"),
        (name = "habits", description = "Habits, daily completions and streaks"),
        (name = "mood", description = "The mood of each day"),
        (name = "referral", description = "The caller's invite code"),
        (name = "challenges", description = "Challenges scored from the caller's transactions and plan, stats and the pseudonymous leaderboard"),
        (name = "notifications", description = "Notifications, preferences and push devices"),
        (name = "ocr", description = "Receipt uploads, OCR job status and receipt images"),
        (name = "admin", description = "Support operations (role admin)")
    )
)]
struct ApiDoc;

/// Declares the `bearer` security scheme the protected routes refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document generated from the route annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// `GET /openapi.json`: the document, built and serialized on the first request (on a blocking
/// thread: it walks every route) and kept as JSON bytes, a fraction of the document's own size.
async fn openapi_json() -> Result<axum::response::Response, ApiError> {
    static DOC: tokio::sync::OnceCell<axum::body::Bytes> = tokio::sync::OnceCell::const_new();
    let body = DOC
        .get_or_try_init(|| async {
            match tokio::task::spawn_blocking(|| serde_json::to_vec(&openapi())).await {
                Ok(Ok(json)) => Ok(axum::body::Bytes::from(json)),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "the OpenAPI document did not serialize");
                    Err(ApiError::internal())
                }
                Err(e) => {
                    tracing::error!(error = %e, "building the OpenAPI document failed");
                    Err(ApiError::internal())
                }
            }
        })
        .await?
        .clone();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::ops::router())
        .merge(routes::errors::router())
        .merge(routes::auth::router())
        .merge(routes::users::router())
        .merge(routes::security::router())
        .merge(routes::tokens::router())
        .merge(routes::rules::router())
        .merge(routes::import::router())
        .merge(routes::recurring::router())
        .merge(routes::onboarding::router())
        .merge(routes::budget::router())
        .merge(routes::budget_automation::router())
        .merge(routes::calendar::router())
        .merge(routes::dashboard::router())
        .merge(routes::analytics::router())
        .merge(routes::behavior::router())
        .merge(routes::behavior_analysis::router())
        .merge(routes::transactions::router())
        .merge(routes::ai::router())
        .merge(routes::insights::router())
        .merge(routes::cohort::router())
        .merge(routes::premium::router())
        .merge(routes::goals::router())
        .merge(routes::goal_moves::router())
        .merge(routes::goals_advice::router())
        .merge(routes::installments::router())
        .merge(routes::installment_tools::router())
        .merge(routes::financial::router())
        .merge(routes::habits::router())
        .merge(routes::mood::router())
        .merge(routes::referral::router())
        .merge(routes::challenges::router())
        .merge(routes::notifications::router())
        .merge(routes::notification_devices::router())
        .merge(routes::ocr::router())
        .merge(routes::admin::router())
}

/// The application router with every layer, ready to serve. `metrics_public` controls whether
/// `/metrics` is on this router (it is not when a private metrics listener is configured).
pub fn router(state: AppState, metrics_public: bool) -> Router {
    router_with(state, metrics_public, Router::new())
}

/// Like [`router`], with `extra` routes behind the same layers (tests use it for slow routes).
pub fn router_with(state: AppState, metrics_public: bool, extra: Router<AppState>) -> Router {
    // The OpenAPI document is dropped here and built again on the first `GET /openapi.json`
    // (`openapi_json`): kept for the life of the process it was two thirds of an idle
    // server's heap (~4.7 MB of ~7 MB; docs/performance.md, memory).
    let (mut router, _openapi) = api_router().split_for_parts();
    router = router
        .merge(extra)
        .route("/openapi.json", get(openapi_json));
    if metrics_public {
        router = router.route("/metrics", get(routes::ops::metrics));
    }
    #[cfg(feature = "test-hooks")]
    {
        router = router.route("/__test/slow", get(routes::ops::slow));
    }
    let timeout = Duration::from_secs(state.settings.server.request_timeout_secs.max(1));
    router
        .merge(SwaggerUi::new("/docs").config(utoipa_swagger_ui::Config::from("/openapi.json")))
        .fallback(|| async { ApiError::not_found("Route") })
        .layer(DefaultBodyLimit::max(state.settings.limits.body_bytes))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            let mut response = axum::response::IntoResponse::into_response(ApiError::internal());
            // Reported by the panic integration already (with the request's tags).
            response
                .extensions_mut()
                .insert(crate::error_tracking::Panicked);
            response
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), edge))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            on_write_thread,
        ))
        .with_state(state)
}

/// The router as one service, with trailing slashes normalised before routing.
pub fn app(
    state: AppState,
) -> impl Clone
+ tower::Service<
    axum::extract::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future: Send,
> + Send
+ 'static {
    MapRequestLayer::new(trim_trailing_slash).layer(router(state, true))
}

/// How `serve` runs.
#[derive(Default)]
pub struct ServeOptions {
    /// Serve `/metrics` on this separate listener instead of the main one.
    pub metrics_listener: Option<TcpListener>,
    /// How long in-flight requests may take after the shutdown signal.
    pub shutdown_timeout: Duration,
    /// Extra routes served behind the same layers (tests).
    pub extra_routes: Option<Router<AppState>>,
    /// Called once the router is built, before the first connection is accepted, on the task
    /// that built it: `mita serve` gives the allocator's free memory back to the system here
    /// (building the router and its OpenAPI document leaves ~4 MB freed; cli/src/memory.rs).
    pub after_build: Option<Box<dyn FnOnce() + Send>>,
}

/// Serves HTTP until `shutdown` resolves, then stops accepting, lets in-flight requests finish
/// (up to the deadline) and returns. [`crate::Application::run`] runs it with the workers.
pub(crate) async fn serve(
    state: AppState,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let main_router = MapRequestLayer::new(trim_trailing_slash).layer(router_with(
        state.clone(),
        options.metrics_listener.is_none(),
        options.extra_routes.unwrap_or_default(),
    ));
    if let Some(after_build) = options.after_build {
        after_build();
    }
    let main =
        axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                SocketAddr,
            >(main_router),
        )
        .with_graceful_shutdown(wait(rx.clone()));
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(async move { main.await });
    if let Some(metrics_listener) = options.metrics_listener {
        let metrics_router = Router::new()
            .route("/metrics", get(routes::ops::metrics))
            .fallback(|| async { ApiError::not_found("Route") })
            .with_state(state);
        let server =
            axum::serve(metrics_listener, metrics_router).with_graceful_shutdown(wait(rx.clone()));
        tasks.spawn(async move { server.await });
    }

    let deadline = options.shutdown_timeout;
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(
            deadline_secs = deadline.as_secs(),
            "shutdown signal received: draining in-flight requests"
        );
        let _ = tx.send(true);
    });

    let drained = async {
        while let Some(result) = tasks.join_next().await {
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(std::io::Error::other(e)),
            }
        }
        Ok(())
    };
    let mut rx_deadline = rx;
    let deadline_reached = async move {
        let _ = rx_deadline.wait_for(|stop| *stop).await;
        tokio::time::sleep(deadline).await;
    };
    tokio::select! {
        result = drained => result,
        () = deadline_reached => {
            tracing::warn!("shutdown deadline reached; abandoning the requests still in flight");
            Ok(())
        }
    }
}
