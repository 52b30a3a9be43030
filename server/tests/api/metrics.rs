//! `/metrics`: route-template labels, token protection.

use axum::Router;

use crate::support::{spawn_app, spawn_with};

fn line_value(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn http_requests_are_counted_under_the_route_template() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.get("/health/").await;
    }
    app.get("/no/such/thing").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(
        line_value(
            &text,
            "mita_http_requests_total{endpoint=\"/health\",method=\"GET\",status_code=\"200\"}"
        ),
        Some(3.0),
        "{text}"
    );
    assert!(text.contains("endpoint=\"unmatched\""));
    assert!(
        !text.contains("/no/such/thing"),
        "raw paths never become labels"
    );
    assert!(
        !text.contains("endpoint=\"/metrics\""),
        "/metrics itself is not counted"
    );
    assert!(text.contains("mita_http_request_duration_seconds_bucket"));
    assert!(text.contains("mita_build_info{"));
    assert!(text.contains("mita_database_connections_max"));
    assert!(text.contains("process_resident_memory_bytes"));
}

#[tokio::test]
async fn metrics_token_refuses_a_missing_or_wrong_token() {
    let app = spawn_with(
        |s| s.metrics.token = Some(mita::config::Secret::new("s3cret-token")),
        Router::new(),
    )
    .await;
    assert_eq!(app.get("/metrics").await.status(), 404);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("mita_build_info"));
}

/// Issue 18 §8: any token is an HTTP method; unknown ones share the label `other`, so a client
/// cannot grow the series (and `/metrics`) without bound.
#[tokio::test]
async fn unknown_methods_share_one_metric_label() {
    let app = crate::support::spawn_app().await;
    for m in ["ZQ1", "ZQ2", "ZQ3"] {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        app.client
            .request(method, app.url("/health"))
            .send()
            .await
            .unwrap();
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("ZQ"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("mita_http_requests_total{")
                && l.contains("method=\"other\"")
                && l.ends_with(" 3")),
        "{text}"
    );
}

/// The `operation` label values and sample counts of `mita_database_query_duration_seconds`.
fn query_counts(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("mita_database_query_duration_seconds_count{operation=\""))
        .filter_map(|rest| {
            let (op, tail) = rest.split_once("\"}")?;
            Some((op.to_string(), tail.trim().parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn database_time_is_measured_per_operation_with_a_bounded_label() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("dbtime@example.com").await;
    let created = app
        .authed(reqwest::Method::POST, "/api/transactions", &token)
        .json(&serde_json::json!({"amount": "12.34", "category": "dining"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let listed = app.get_as("/api/transactions", &token).await;
    assert_eq!(listed.status(), 200);

    let text = app.get("/metrics").await.text().await.unwrap();
    let counts = query_counts(&text);
    let count = |pred: &dyn Fn(&str) -> bool| -> f64 {
        counts
            .iter()
            .filter(|(op, _)| pred(op))
            .map(|(_, n)| n)
            .sum()
    };
    assert!(count(&|op| op == "commit") >= 1.0, "{counts:?}");
    assert!(
        count(&|op| op.starts_with("transactions")) >= 2.0,
        "the create's statements and the list's query: {counts:?}"
    );
    assert!(
        count(&|op| op.starts_with("auth")) >= 1.0,
        "registration and token checks: {counts:?}"
    );
    for (op, _) in &counts {
        assert!(
            !op.starts_with("mita::") && !op.contains('@') && !op.contains('/'),
            "labels are module paths without the crate name: {op}"
        );
    }
    assert!(text.contains(
        "mita_database_query_duration_seconds_bucket{operation=\"commit\",le=\"0.005\"}"
    ));
}
