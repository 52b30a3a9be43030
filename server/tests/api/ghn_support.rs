//! Helpers shared by the goals, habits and notifications tests.

use chrono::{DateTime, TimeZone, Utc};
use mita::clock::Clock;
use mita::testing::TestDatabase;
use reqwest::{Method, Response};
use serde_json::Value;

use crate::support::{TestApp, spawn_full};

/// Sends `body` (as JSON when given) with the caller's token.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Response {
    let mut req = app.authed(method, path, token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap()
}

/// Asserts the status and returns the JSON body.
pub async fn body(resp: Response, status: u16) -> Value {
    let url = resp.url().clone();
    assert_eq!(resp.status().as_u16(), status, "status of {url}");
    resp.json().await.unwrap()
}

/// `data` of a successful envelope answer to `method path`.
pub async fn data(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    payload: Option<&Value>,
) -> Value {
    let b = body(send(app, method, path, token, payload).await, 200).await;
    assert_eq!(b["success"], true, "{b}");
    b["data"].clone()
}

/// One number of a query (`SELECT COUNT(*) ...`).
pub async fn count(app: &TestApp, sql: &'static str) -> i64 {
    mita::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await).unwrap()
}

/// Row counts of every table these features write.
pub async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM goals",
        "SELECT COUNT(*) FROM goals WHERE deleted_at IS NOT NULL",
        "SELECT CAST(COALESCE(SUM(saved_amount_cents), 0) AS BIGINT) FROM goals",
        "SELECT COUNT(*) FROM transactions",
        "SELECT COUNT(*) FROM daily_plan",
        "SELECT COUNT(*) FROM habits",
        "SELECT COUNT(*) FROM habit_completions",
        "SELECT COUNT(*) FROM notifications",
        "SELECT COUNT(*) FROM notification_preferences",
        "SELECT COUNT(*) FROM push_devices",
        "SELECT COUNT(*) FROM idempotency_keys",
    ] {
        out.push(count(app, sql).await);
    }
    out
}

/// A server whose clock stands still at `start` (moved with the returned clock).
pub async fn spawn_at(start: DateTime<Utc>) -> (TestApp, Clock) {
    let clock = Clock::manual(start);
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let app = spawn_full(test_db, db, |_| {}, axum::Router::new(), clock.clone()).await;
    (app, clock)
}

/// `Utc` instant from its parts.
pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// Sets the caller's timezone.
pub async fn set_timezone(app: &TestApp, token: &str, tz: &str) {
    let body = serde_json::json!({ "timezone": tz });
    data(app, Method::PATCH, "/api/users/me", token, Some(&body)).await;
}

/// Creates a goal; returns its object.
pub async fn create_goal(app: &TestApp, token: &str, payload: Value) -> Value {
    let b = body(
        send(app, Method::POST, "/api/goals", token, Some(&payload)).await,
        201,
    )
    .await;
    b["data"].clone()
}

/// Cents of a JSON money value.
pub fn cents(v: &Value) -> i64 {
    assert!(v.is_number(), "money is a JSON number: {v}");
    mita::money::Money::parse(&v.to_string()).unwrap().cents()
}

/// An error envelope with `status` and an API code (any), never a 5xx.
pub async fn refused(resp: Response, status: u16) -> Value {
    let url = resp.url().clone();
    assert_eq!(resp.status().as_u16(), status, "status of {url}");
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["success"], false, "{b}");
    assert!(b["error"]["code"].is_string(), "{b}");
    b
}

/// A fresh access token for `email` (after the clock moved past the old one's lifetime).
pub async fn relogin(app: &TestApp, email: &str) -> String {
    let resp = app.login(email, crate::support::PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let b: Value = resp.json().await.unwrap();
    b["data"]["access_token"].as_str().unwrap().to_string()
}
