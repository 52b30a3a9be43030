//! API.md §1 behaviour that is not route-specific: envelopes for every failure, limits, headers.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::json;

use crate::support::{assert_standard_headers, error_body, spawn_app, spawn_with};

#[tokio::test]
async fn unknown_route_is_a_404_envelope_with_the_standard_headers() {
    let app = spawn_app().await;
    let body = error_body(app.get("/api/nope").await, 404, "RESOURCE_3001").await;
    assert!(
        !body.to_string().contains("/api/nope"),
        "the path is not echoed"
    );
}

#[tokio::test]
async fn wrong_method_is_a_405_envelope_with_allow() {
    let app = spawn_app().await;
    let resp = app.client.delete(app.url("/health")).send().await.unwrap();
    assert!(resp.headers()["allow"].to_str().unwrap().contains("GET"));
    error_body(resp, 405, "VALIDATION_2002").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_envelope_without_internals() {
    let app = spawn_app().await;
    let resp = app
        .post_raw(
            "/api/errors/report",
            Some("application/json"),
            "{\"error\": \"x\"",
        )
        .await;
    let body = error_body(resp, 400, "VALIDATION_2010").await;
    let text = body.to_string();
    assert!(
        !text.contains("serde") && !text.contains("Failed to"),
        "{text}"
    );
}

#[tokio::test]
async fn missing_or_wrong_content_type_is_a_415_envelope() {
    let app = spawn_app().await;
    error_body(
        app.post_raw("/api/errors/report", None, "{\"error\":\"x\"}")
            .await,
        415,
        "VALIDATION_2002",
    )
    .await;
    error_body(
        app.post_raw(
            "/api/errors/report",
            Some("text/plain"),
            "{\"error\":\"x\"}",
        )
        .await,
        415,
        "VALIDATION_2002",
    )
    .await;
}

#[tokio::test]
async fn wrong_shape_is_a_422_naming_the_field_and_not_echoing_the_value() {
    let app = spawn_app().await;
    let resp = app
        .post_json("/api/errors/report", &json!({"error": ["sekrit-value"]}))
        .await;
    let body = error_body(resp, 422, "VALIDATION_2001").await;
    let errors = &body["error"]["details"]["validation_errors"];
    assert_eq!(errors[0]["field"], "body.error");
    assert!(!body.to_string().contains("sekrit-value"));
}

#[tokio::test]
async fn body_over_the_limit_is_a_413_envelope() {
    let app = spawn_app().await;
    let big = format!("{{\"error\": \"{}\"}}", "x".repeat(2 * 1024 * 1024 + 10));
    let resp = app
        .post_raw("/api/errors/report", Some("application/json"), big)
        .await;
    error_body(resp, 413, "VALIDATION_2002").await;
}

#[tokio::test]
async fn a_smaller_configured_body_limit_is_enforced() {
    let app = spawn_with(|s| s.limits.body_bytes = 64, Router::new()).await;
    let resp = app
        .post_json("/api/errors/report", &json!({"error": "x".repeat(100)}))
        .await;
    error_body(resp, 413, "VALIDATION_2002").await;
    let ok = app
        .post_json("/api/errors/report", &json!({"error": "short"}))
        .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_request_over_the_timeout_gets_a_503_envelope() {
    let slow = Router::new().route(
        "/test/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }),
    );
    let app = spawn_with(|s| s.server.request_timeout_secs = 1, slow).await;
    let resp = app.get("/test/slow").await;
    let retry_after = resp.headers().get("retry-after").cloned();
    error_body(resp, 503, "SYSTEM_8003").await;
    assert!(retry_after.is_some());
}

#[tokio::test]
async fn a_panicking_handler_is_a_generic_500_envelope() {
    let boom = Router::new().route(
        "/test/panic",
        get(|| async {
            if std::hint::black_box(true) {
                panic!("internal detail 42");
            }
            "unreachable"
        }),
    );
    let app = spawn_with(|_| {}, boom).await;
    let body = error_body(app.get("/test/panic").await, 500, "SYSTEM_8001").await;
    assert!(!body.to_string().contains("internal detail"));
}

#[tokio::test]
async fn every_route_answers_with_and_without_a_trailing_slash() {
    let app = spawn_app().await;
    for path in ["/health", "/health/", "/ready/", "/"] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_standard_headers(&resp);
    }
    let resp = app
        .post_json("/api/errors/report/", &json!({"error": "x"}))
        .await;
    assert_eq!(
        resp.status(),
        200,
        "POST with a trailing slash is served, not redirected"
    );
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "abc-123_x.y")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123_x.y");
    let resp = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(id.starts_with("req_") && !id.contains("script"), "{id}");
}

/// Every timestamp the API answers comes from the injected clock: success and error envelopes,
/// errors made at the edge (405), `/health`.
#[tokio::test]
async fn envelopes_carry_the_request_id_and_the_injected_clocks_time() {
    let (app, clock) = crate::ghn_support::spawn_at(crate::ghn_support::at(2031, 2, 3, 4)).await;
    let resp = app
        .client
        .post(app.url("/api/errors/report"))
        .header("x-request-id", "trace-1")
        .json(&json!({"error": "x"}))
        .send()
        .await
        .unwrap();
    assert_standard_headers(&resp);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["request_id"], "trace-1");
    assert_eq!(body["timestamp"], "2031-02-03T04:00:00Z");
    clock.advance_ms(90_500);
    let later = "2031-02-03T04:01:30Z";
    let body = error_body(app.get("/api/nope").await, 404, "RESOURCE_3001").await;
    assert_eq!(body["error"]["timestamp"], later);
    let resp = app.client.delete(app.url("/health")).send().await.unwrap();
    let body = error_body(resp, 405, "VALIDATION_2002").await;
    assert_eq!(body["error"]["timestamp"], later);
    let health: serde_json::Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(health["timestamp"], later);
}

/// Issue 18 §9: inputs that used to overflow date arithmetic are a 422 or a sensible answer,
/// never a 500.
#[tokio::test]
async fn extreme_dates_and_projections_are_no_500() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("far@example.com").await;
    let goal: serde_json::Value = app
        .authed(reqwest::Method::POST, "/api/goals/", &token)
        .json(
            &json!({"title": "Moon", "target_amount": 100000, "monthly_contribution": 0.01,
                      "target_date": "2030-01-01"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = goal["data"]["id"].as_str().unwrap();
    let health = app.get_as(&format!("/api/goals/{id}/health"), &token).await;
    assert_eq!(health.status(), 200);
    let health: serde_json::Value = health.json().await.unwrap();
    assert!(
        health["data"]["projected_completion_date"].is_null(),
        "834,000 years out is never: {health}"
    );
    for path in [
        "/api/goals/smart_recommendations",
        "/api/goals/adjustments/suggestions",
        "/api/goals/opportunities/detect",
    ] {
        assert_eq!(app.get_as(path, &token).await.status(), 200, "{path}");
    }

    let habit: serde_json::Value = app
        .authed(reqwest::Method::POST, "/api/habits/", &token)
        .json(&json!({"title": "Walk"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let habit = habit["data"]["id"].as_str().unwrap();
    for query in [
        "end_date=-262143-01-10",
        "start_date=0001-01-01&end_date=0001-01-31",
        "end_date=%2B262142-12-31",
    ] {
        let resp = app
            .get_as(&format!("/api/habits/{habit}/progress?{query}"), &token)
            .await;
        error_body(resp, 422, "VALIDATION_2007").await;
    }
    let resp = app
        .get_as("/api/transactions?start_date=0500-01-01", &token)
        .await;
    error_body(resp, 422, "VALIDATION_2007").await;
}

/// Issue 12 §6: a query string that does not parse is a 400 `VALIDATION_2002` naming the field
/// (API.md), not a 422.
#[tokio::test]
async fn a_query_string_of_the_wrong_type_is_a_400() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("query@example.com").await;
    let body = error_body(
        app.get_as("/api/transactions?limit=lots", &token).await,
        400,
        "VALIDATION_2002",
    )
    .await;
    assert_eq!(
        body["error"]["details"]["validation_errors"][0]["field"],
        "query.limit"
    );
    assert!(
        !body.to_string().contains("lots"),
        "the value is not echoed"
    );
}

/// The thread a request's handler ran on.
async fn handler_thread() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_string()
}

#[tokio::test]
async fn on_sqlite_requests_that_may_write_run_on_the_write_thread() {
    use axum::routing::post;
    use mita::db::write_thread::THREAD_NAME;
    let routes = Router::new()
        .route("/test/thread", get(handler_thread).post(handler_thread))
        .route(
            "/test/panic",
            post(|| async {
                if std::hint::black_box(true) {
                    panic!("internal detail");
                }
            }),
        );
    let app = spawn_with(|_| {}, routes).await;
    let sqlite = app.db.write_thread().is_some();
    let read = app.get("/test/thread").await.text().await.unwrap();
    assert_ne!(read, THREAD_NAME, "reads stay on the main runtime");
    let resp = app.post_json("/test/thread", &json!({})).await;
    assert_eq!(resp.status(), 200);
    let write = resp.text().await.unwrap();
    assert_eq!(
        write == THREAD_NAME,
        sqlite,
        "a POST ran on {write:?} (SQLite: {sqlite})"
    );
    // A panic on the write thread is the same 500 envelope as anywhere else.
    let body = error_body(
        app.post_json("/test/panic", &json!({})).await,
        500,
        "SYSTEM_8001",
    )
    .await;
    assert!(!body.to_string().contains("internal detail"));
    // And the thread keeps serving.
    let again = app.post_json("/test/thread", &json!({})).await;
    assert_eq!(again.status(), 200);
}
