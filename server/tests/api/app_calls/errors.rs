//! M3 `POST /api/errors/report` (core/error_handling.dart:67-81, 269-296): the app sends
//! `timestamp: DateTime.now().toIso8601String()` (local, no offset) with whatever bearer token it
//! holds, and drops the report for good on any 4xx.

use mita::on_db;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::spawn_app;

/// `ErrorReport.toJson()` of a report made at 2026-11-26 10:00:00.123456 local time.
fn app_report() -> Value {
    json!({"id": "1764151200123", "timestamp": "2026-11-26T10:00:00.123456", "error": "Bad state: No element",
           "stackTrace": "#0 ListMixin.first", "severity": "medium", "category": "ui",
           "context": {"screen": "dashboard"}, "appVersion": "1.0.0", "platform": "android",
           "deviceInfo": "Pixel 7", "isConnected": true, "userId": null})
}

async fn stored(app: &crate::support::TestApp, id: &str) -> (Option<String>, i64) {
    on_db!(&app.db, pool => sqlx::query_as(
        "SELECT CAST(user_id AS TEXT), reported_at FROM client_error_reports WHERE CAST(id AS TEXT) = $1")
        .bind(id).fetch_one(pool).await)
    .unwrap()
}

#[tokio::test]
async fn a_local_timestamp_without_offset_is_accepted_in_the_senders_timezone() {
    let app = spawn_app().await;

    // Signed out: `Bearer null`, a naive timestamp read as UTC.
    let resp = app
        .client
        .post(app.url("/api/errors/report"))
        .header("authorization", "Bearer null")
        .json(&app_report())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the app drops a report on any 4xx");
    let id = resp.json::<Value>().await.unwrap()["data"]["report_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        stored(&app, &id).await,
        (None, 1_795_687_200_123),
        "2026-11-26T10:00:00.123 UTC"
    );

    // Signed in from Berlin (UTC+1 in November): the same wall-clock time is an hour earlier.
    let (token, _, user_id) = app.user("m3@example.com").await;
    let resp = app
        .authed(Method::PATCH, "/api/users/me", &token)
        .json(&json!({"timezone": "Europe/Berlin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .authed(Method::POST, "/api/errors/report", &token)
        .json(&app_report())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.json::<Value>().await.unwrap()["data"]["report_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        stored(&app, &id).await,
        (Some(user_id), 1_795_687_200_123 - 3_600_000)
    );
}
