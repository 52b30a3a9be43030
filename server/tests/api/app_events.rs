//! Product-analytics events (docs/analytics-events.md): the app's three POST bodies are stored
//! as the caller's rows with bounded size; a user records at most `analytics.events_per_hour`
//! per rolling hour (then 429, nothing stored) and keeps at most `events_kept_per_user`; the
//! counter `mita_app_events_total{kind}` moves; only the caller reads their counts back.

use axum::Router;
use chrono::{DateTime, Utc};
use mita::clock::Clock;
use mita::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, count, data, send};
use crate::support::{TestApp, spawn_full};

async fn spawn(start: DateTime<Utc>, per_hour: u32, kept: u32) -> (TestApp, Clock) {
    let clock = Clock::manual(start);
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let app = spawn_full(
        test_db,
        db,
        |s| {
            s.analytics.events_per_hour = per_hour;
            s.analytics.events_kept_per_user = kept;
        },
        Router::new(),
        clock.clone(),
    )
    .await;
    (app, clock)
}

/// The three bodies exactly as the app's `api_service.dart` sends them.
fn usage(feature: &str) -> Value {
    json!({"feature": feature, "screen": "insights", "action": "open", "metadata": {"tab": 2},
        "session_id": null, "platform": "android", "app_version": "1.4.0",
        "timestamp": "2026-12-05T10:00:00.123456"})
}

fn attempt(feature: &str, has_access: bool) -> Value {
    json!({"feature": feature, "has_access": has_access, "is_premium_feature": true,
        "screen": null, "metadata": {}})
}

fn impression(feature: &str) -> Value {
    json!({"screen": "paywall", "feature": feature, "context": "limit_reached", "metadata": {},
        "timestamp": "2026-12-05T10:00:00.000"})
}

async fn scrape_kind(app: &TestApp, kind: &str) -> i64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let prefix = format!("mita_app_events_total{{kind=\"{kind}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn the_apps_events_are_stored_counted_and_read_back_by_their_owner_only() {
    let (app, clock) = spawn(at(2026, 12, 5, 10), 300, 5000).await;
    let (alice, _, alice_id) = app.user("events-alice@example.com").await;
    let (bob, _, _) = app.user("events-bob@example.com").await;

    for payload in [usage("ai_insights"), usage("ai_insights")] {
        let d = data(
            &app,
            Method::POST,
            "/api/analytics/feature-usage",
            &alice,
            Some(&payload),
        )
        .await;
        assert_eq!(d["kind"], "feature_usage");
        assert!(d["event_id"].is_string());
    }
    data(
        &app,
        Method::POST,
        "/api/analytics/feature-access-attempt",
        &alice,
        Some(&attempt("ai_insights", false)),
    )
    .await;
    data(
        &app,
        Method::POST,
        "/api/analytics/feature-access-attempt",
        &alice,
        Some(&attempt("ai_insights", true)),
    )
    .await;
    clock.advance_ms(60_000);
    data(
        &app,
        Method::POST,
        "/api/analytics/paywall-impression",
        &alice,
        Some(&impression("ai_insights")),
    )
    .await;
    // Bob's events never count in Alice's figures.
    data(
        &app,
        Method::POST,
        "/api/analytics/feature-usage",
        &bob,
        Some(&usage("ai_insights")),
    )
    .await;
    assert_eq!(scrape_kind(&app, "feature_usage").await, 3);
    assert_eq!(scrape_kind(&app, "feature_access_attempt").await, 2);
    assert_eq!(scrape_kind(&app, "paywall_impression").await, 1);

    let path = format!("/api/analytics/feature-usage/{alice_id}/ai_insights");
    let d = data(&app, Method::GET, &path, &alice, None).await;
    assert_eq!(d["user_id"], alice_id.as_str());
    assert_eq!(d["feature"], "ai_insights");
    assert_eq!(d["total_events"], 5);
    assert_eq!(
        d["by_kind"],
        json!({"feature_usage": 2, "feature_access_attempt": 2, "paywall_impression": 1})
    );
    assert_eq!(d["access_granted"], 1);
    assert_eq!(d["access_denied"], 1);
    assert_eq!(d["events_last_30_days"], 5);
    assert_eq!(d["first_used_at"], "2026-12-05T10:00:00.000Z");
    assert_eq!(d["last_used_at"], "2026-12-05T10:01:00.000Z");
    // A feature never used: zeros, not an error.
    let d = data(
        &app,
        Method::GET,
        &format!("/api/analytics/feature-usage/{alice_id}/budget_ai"),
        &alice,
        None,
    )
    .await;
    assert_eq!(d["total_events"], 0);
    assert!(d["last_used_at"].is_null());

    // Bob asking for Alice's counts: 404, as for any object of another user.
    let b = body(send(&app, Method::GET, &path, &bob, None).await, 404).await;
    assert_eq!(b["error"]["code"], "RESOURCE_3001");
    // A malformed id: 422 naming it.
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/analytics/feature-usage/not-a-uuid/ai_insights",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(b["error"]["code"], "VALIDATION_2011");
    // Without a token: 401.
    assert_eq!(app.get(&path).await.status(), 401);
}

#[tokio::test]
async fn bad_events_are_refused_naming_the_field_and_store_nothing() {
    let (app, _clock) = spawn(at(2026, 12, 5, 10), 300, 5000).await;
    let (alice, _, _) = app.user("events-bad@example.com").await;
    let long = "x".repeat(101);
    let big: String = "y".repeat(2100);
    let cases = [
        (
            "/api/analytics/feature-usage",
            json!({"screen": "home"}),
            "body.feature",
        ),
        (
            "/api/analytics/feature-usage",
            json!({"feature": long}),
            "body.feature",
        ),
        (
            "/api/analytics/feature-usage",
            json!({"feature": "a", "metadata": {"blob": big}}),
            "body.metadata",
        ),
        (
            "/api/analytics/feature-usage",
            json!({"feature": "a", "metadata": [1, 2]}),
            "body.metadata",
        ),
        (
            "/api/analytics/feature-access-attempt",
            json!({"feature": "a"}),
            "body.has_access",
        ),
        (
            "/api/analytics/paywall-impression",
            json!({"feature": "a"}),
            "body.screen",
        ),
        (
            "/api/analytics/paywall-impression",
            json!({"screen": "a\u{0007}b"}),
            "body.screen",
        ),
    ];
    for (path, payload, field) in cases {
        let b = body(
            send(&app, Method::POST, path, &alice, Some(&payload)).await,
            422,
        )
        .await;
        let fields: Vec<&str> = b["error"]["details"]["validation_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{path} {payload}: {b}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM app_events").await, 0);
    // An unreadable client clock is informative only: the event is kept without it.
    let d = data(
        &app,
        Method::POST,
        "/api/analytics/feature-usage",
        &alice,
        Some(&json!({"feature": "a", "timestamp": "yesterday"})),
    )
    .await;
    assert_eq!(d["kind"], "feature_usage");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM app_events WHERE client_at IS NULL"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_user_records_at_most_the_hourly_rate_and_keeps_at_most_the_cap() {
    let (app, clock) = spawn(at(2026, 12, 5, 10), 3, 5).await;
    let (alice, _, alice_id) = app.user("events-rate@example.com").await;
    let (bob, _, _) = app.user("events-rate-bob@example.com").await;
    for _ in 0..3 {
        data(
            &app,
            Method::POST,
            "/api/analytics/feature-usage",
            &alice,
            Some(&usage("f")),
        )
        .await;
        clock.advance_ms(1_000);
    }
    let resp = send(
        &app,
        Method::POST,
        "/api/analytics/feature-usage",
        &alice,
        Some(&usage("f")),
    )
    .await;
    assert!(resp.headers().get("retry-after").is_some());
    let b = body(resp, 429).await;
    assert_eq!(b["error"]["code"], "RATE_LIMIT_7001");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM app_events").await, 3);
    // Another user is not limited by Alice's events.
    data(
        &app,
        Method::POST,
        "/api/analytics/feature-usage",
        &bob,
        Some(&usage("f")),
    )
    .await;
    // An hour later the window has room again; past 5 kept, the oldest go.
    clock.advance_ms(3_600_000);
    for _ in 0..3 {
        data(
            &app,
            Method::POST,
            "/api/analytics/paywall-impression",
            &alice,
            Some(&impression("f")),
        )
        .await;
        clock.advance_ms(1_000);
    }
    let d = data(
        &app,
        Method::GET,
        &format!("/api/analytics/feature-usage/{alice_id}/f"),
        &alice,
        None,
    )
    .await;
    assert_eq!(d["total_events"], 5);
    assert_eq!(d["by_kind"]["feature_usage"], 2, "the oldest usage went");
    assert_eq!(d["by_kind"]["paywall_impression"], 3);
    assert_eq!(d["first_used_at"], "2026-12-05T10:00:01.000Z");
}
