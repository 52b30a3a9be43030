//! The edge of every request: request id, timing, security headers, metrics, and the error
//! envelope for answers produced outside our handlers (405, 413, timeouts, panics).

use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::envelope::{REQUEST, RequestScope, current_request_id};
use crate::error::ApiError;
use crate::extract::{ClientIp, client_ip};
use crate::state::AppState;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const X_RESPONSE_TIME_MS: HeaderName = HeaderName::from_static("x-response-time-ms");

/// Paths served by the docs page keep their trailing slash (the page lives at `/docs/`).
const DOCS_PREFIX: &str = "/docs";

/// Every route answers with and without a trailing slash: strip it before routing (no redirect).
pub fn trim_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') && !path.starts_with(DOCS_PREFIX) {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let new = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = new.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

/// A caller's request id is kept when it is a sane token; otherwise a new one is made.
fn request_id(headers: &HeaderMap) -> String {
    if let Some(given) = headers.get(&X_REQUEST_ID).and_then(|v| v.to_str().ok()) {
        let sane = !given.is_empty()
            && given.len() <= 128
            && given
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if sane {
            return given.to_string();
        }
    }
    let n: u64 = rand::random();
    format!("req_{:012x}", n & 0xffff_ffff_ffff)
}

fn set_security_headers(headers: &mut HeaderMap, docs: bool) {
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=63072000; includeSubDomains"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let csp = if docs {
        // Swagger UI (served by us, no CDN) needs inline styles and data: images.
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
    } else {
        "default-src 'self'"
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// Keeps the headers of the original answer that still apply to the envelope (e.g. `Allow`).
fn into_envelope(original: Response) -> Response {
    let status = original.status();
    let kept: Vec<(HeaderName, HeaderValue)> = original
        .headers()
        .iter()
        .filter(|(k, _)| *k == header::ALLOW || *k == header::RETRY_AFTER)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut response = ApiError::for_status(status).into_response();
    for (k, v) in kept {
        response.headers_mut().insert(k, v);
    }
    response
}

/// The method as a metric label: the standard methods by name, anything else `other` (any
/// token is a valid method, and a label per token would grow the series without bound).
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// On SQLite, runs each request that may write (any method but GET, HEAD and OPTIONS) whole on
/// the write thread (`mita::db::write_thread`: its statements' hand-offs to the writer
/// connection then do not wait behind the reads queued on the main runtime). The outermost
/// layer, so the request's scope, metrics and error tracking all run where the handler runs.
/// A client that goes away still cancels the request as it would on the main runtime.
pub async fn on_write_thread(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.db.write_thread() {
        Some(thread) if !req.method().is_safe() => thread.run(next.run(req)).await,
        _ => next.run(req).await,
    }
}

/// The edge middleware (installed with `Router::layer`, so the matched route is known).
pub async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let id = request_id(req.headers());
    let clock = state.clock.clone();
    REQUEST
        .scope(RequestScope { id, clock }, scoped(state, req, next))
        .await
}

async fn scoped(state: AppState, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = current_request_id();
    let method = method_label(req.method());
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let docs = endpoint.starts_with(DOCS_PREFIX) || endpoint == "/openapi.json";
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>() {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = ClientIp(client_ip(addr.ip(), &forwarded, &state.trusted_proxies));
        req.extensions_mut().insert(ip);
    }

    let counted = endpoint != "/metrics";
    let labels = [method, endpoint.as_str()];
    if counted {
        state
            .metrics
            .http_requests_in_progress
            .with_label_values(&labels)
            .inc();
    }
    let mut response = if crate::error_tracking::enabled() {
        // Error tracking on: a hub of the request's own (its tags, its log lines as
        // breadcrumbs); a 5xx is reported once the answer is known.
        use sentry::SentryFutureExt as _;
        let hub = crate::error_tracking::request_hub(&id, method, &endpoint);
        let response = next.run(req).bind_hub(hub.clone()).await;
        if response.status().is_server_error()
            && response
                .extensions()
                .get::<crate::error_tracking::Panicked>()
                .is_none()
        {
            let code = response
                .extensions()
                .get::<crate::error_tracking::ErrorCode>()
                .map(|c| c.0);
            crate::error_tracking::report_server_error(&hub, response.status(), code);
        }
        response
    } else {
        next.run(req).await
    };
    if counted {
        state
            .metrics
            .http_requests_in_progress
            .with_label_values(&labels)
            .dec();
    }

    if let Some(crate::error::DatabaseError(kind)) = response.extensions().get().copied() {
        state.metrics.database_errors_total.inc(kind);
    }
    if response.status().as_u16() >= 400 && !is_json(response.headers()) {
        response = into_envelope(response);
    }
    let elapsed = started.elapsed();
    if counted {
        let status = response.status();
        state
            .metrics
            .http_requests_total
            .with_label_values(&[method, endpoint.as_str(), status.as_str()])
            .inc();
        state
            .metrics
            .http_request_duration_seconds
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(X_REQUEST_ID, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{:.3}", elapsed.as_secs_f64() * 1000.0)) {
        headers.insert(X_RESPONSE_TIME_MS, v);
    }
    set_security_headers(headers, docs);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slash_is_trimmed_but_query_kept() {
        let req = Request::builder()
            .uri("/api/goals/?status=active")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            trim_trailing_slash(req).uri().to_string(),
            "/api/goals?status=active"
        );
        let req = Request::builder()
            .uri("/")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(trim_trailing_slash(req).uri().path(), "/");
        let req = Request::builder()
            .uri("/docs/")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(trim_trailing_slash(req).uri().path(), "/docs/");
    }

    #[test]
    fn request_ids_are_kept_only_when_sane() {
        let mut h = HeaderMap::new();
        h.insert(X_REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id(&h), "abc-123");
        h.insert(X_REQUEST_ID, HeaderValue::from_static("bad id with spaces"));
        assert!(request_id(&h).starts_with("req_"));
    }
}
