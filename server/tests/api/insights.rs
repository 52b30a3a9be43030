//! Insights: every `/api/ai/*` and `/api/insights/*` route answered by the rules from the
//! caller's data (fields, determinism, snapshots, auth, bad input). The LLM fake is in `llm`.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::onboarding::{cents, onboard};
use crate::support::{TestApp, spawn_app};

mod answers;
mod llm;
mod refusals;

/// Every GET route of the insights, with the field each answer must have in `data`.
pub const GET_ROUTES: [(&str, &str); 8] = [
    ("/api/ai/financial-health-score", "score"),
    ("/api/ai/monthly-report", "total_spent"),
    ("/api/ai/weekly-insights", "total"),
    ("/api/ai/spending-patterns", "recurring_merchants"),
    ("/api/ai/day-status-explanation", "explanation"),
    ("/api/insights", "insights"),
    ("/api/ai/spending-anomalies", ""),
    ("/api/ai/latest-snapshots", ""),
];

pub async fn spend(app: &TestApp, token: &str, body: Value) {
    let resp = app
        .authed(Method::POST, "/api/transactions", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
}

pub fn days_ago(days: i64) -> String {
    (Utc::now() - Duration::days(days) - Duration::minutes(1)).to_rfc3339()
}

/// An onboarded user with a usual grocery spend of 10.00, one of 250.00 today, and a monthly
/// Netflix subscription. Returns the token.
pub async fn seeded_user(app: &TestApp, email: &str) -> String {
    let (token, _, _) = app.user(email).await;
    onboard(app, &token).await;
    for d in [40, 35, 30, 25, 20, 15] {
        spend(app, &token, json!({"amount": 10, "category": "groceries", "merchant": "Corner Market", "spent_at": days_ago(d)})).await;
    }
    spend(app, &token, json!({"amount": 250, "category": "groceries", "merchant": "Corner Market", "spent_at": days_ago(0)})).await;
    for d in [62, 31, 1] {
        spend(app, &token, json!({"amount": "15.99", "category": "subscriptions", "merchant": "Netflix", "spent_at": days_ago(d)})).await;
    }
    token
}

pub async fn data(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let mut req = app.authed(method, path, token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["success"], true);
    body
}

#[tokio::test]
async fn every_insights_route_answers_from_the_rules_with_its_fields() {
    let app = spawn_app().await;
    let token = seeded_user(&app, "insights@example.com").await;
    for (path, field) in GET_ROUTES {
        let body = data(&app, Method::GET, path, &token, None).await;
        let d = &body["data"];
        if field.is_empty() {
            assert!(d.is_array(), "{path}: {d}");
            if path.ends_with("anomalies") {
                assert_eq!(body["meta"]["source"], "rules");
            }
        } else {
            assert!(d.get(field).is_some(), "{path} lacks {field}: {d}");
            assert_eq!(d["source"], "rules", "{path}");
            assert!(d.get("model").is_none(), "{path}");
        }
    }

    let health = data(
        &app,
        Method::GET,
        "/api/ai/financial-health-score",
        &token,
        None,
    )
    .await["data"]
        .clone();
    let score = health["score"].as_i64().unwrap();
    assert!((0..=100).contains(&score));
    assert_eq!(health["components"].as_array().unwrap().len(), 4);
    let weights: i64 = health["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["weight"].as_i64().unwrap())
        .sum();
    assert_eq!(weights, 100);
    for f in [
        "grade",
        "risk",
        "improvements",
        "summary",
        "period_start",
        "period_end",
    ] {
        assert!(health.get(f).is_some(), "health lacks {f}");
    }

    let anomalies = data(
        &app,
        Method::GET,
        "/api/ai/spending-anomalies",
        &token,
        None,
    )
    .await["data"]
        .clone();
    let list = anomalies.as_array().unwrap();
    assert_eq!(list.len(), 1, "{anomalies}");
    assert_eq!(cents(&list[0]["amount"]), 25_000);
    assert_eq!(cents(&list[0]["median"]), 1_000);
    assert_eq!(list[0]["category"], "groceries");
    assert_eq!(list[0]["severity"], "high");

    let patterns =
        data(&app, Method::GET, "/api/ai/spending-patterns", &token, None).await["data"].clone();
    let netflix = patterns["recurring_merchants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["merchant"] == "Netflix")
        .cloned()
        .unwrap();
    assert_eq!(netflix["likely_subscription"], true, "{netflix}");
    assert_eq!(patterns["by_weekday"].as_array().unwrap().len(), 7);
    assert_eq!(patterns["top_categories"][0]["category"], "groceries");

    let month =
        data(&app, Method::GET, "/api/ai/monthly-report", &token, None).await["data"].clone();
    assert_eq!(cents(&month["income"]), 600_000, "the onboarding income");
    for f in [
        "net",
        "savings_rate_bp",
        "categories",
        "change_bp",
        "budget",
        "highlights",
        "largest_transaction",
    ] {
        assert!(month.get(f).is_some(), "monthly report lacks {f}");
    }
    let week =
        data(&app, Method::GET, "/api/ai/weekly-insights", &token, None).await["data"].clone();
    assert_eq!(week["daily"].as_array().unwrap().len(), 7);
    assert!(cents(&week["total"]) >= 25_000);

    let day = data(
        &app,
        Method::POST,
        "/api/ai/day-status-explanation",
        &token,
        Some(json!({"status": "green"})),
    )
    .await["data"]
        .clone();
    // The overspend may be covered from later days of the month, so the colour depends on the date.
    let status = day["status"].as_str().unwrap();
    assert!(["green", "yellow", "red"].contains(&status), "{day}");
    if status != "green" {
        assert_eq!(day["requested_status"], "green");
    }
    assert!(day["categories"].is_array() && day["planned"].is_number());
    assert!(!day["contributing_factors"].as_array().unwrap().is_empty());
    assert!(!day["suggestions"].as_array().unwrap().is_empty());
    let yesterday = (Utc::now() - Duration::days(1)).date_naive().to_string();
    let by_get = data(
        &app,
        Method::GET,
        &format!("/api/ai/day-status-explanation?date={yesterday}"),
        &token,
        None,
    )
    .await;
    assert_eq!(by_get["data"]["date"], yesterday);

    let overview = data(&app, Method::GET, "/api/insights/", &token, None).await["data"].clone();
    assert_eq!(overview["anomaly_count"], 1);
    assert!(
        overview["insights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "anomaly")
    );
}

#[tokio::test]
async fn the_same_data_gives_the_same_answer_and_one_snapshot() {
    let app = spawn_app().await;
    let token = seeded_user(&app, "determinism@example.com").await;
    for (path, _) in GET_ROUTES.iter().filter(|(p, _)| !p.ends_with("snapshots")) {
        let first = data(&app, Method::GET, path, &token, None).await;
        let second = data(&app, Method::GET, path, &token, None).await;
        assert_eq!(first["data"], second["data"], "{path}");
    }
    let history =
        data(&app, Method::GET, "/api/insights/history", &token, None).await["data"].clone();
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.len(),
        6,
        "an unchanged analysis is stored once: {kinds:?}"
    );
    let latest =
        data(&app, Method::GET, "/api/ai/latest-snapshots", &token, None).await["data"].clone();
    assert_eq!(latest.as_array().unwrap().len(), 6);
    let health = data(
        &app,
        Method::GET,
        "/api/insights/history?kind=financial_health_score&limit=5",
        &token,
        None,
    )
    .await["data"]
        .clone();
    let one = &health[0];
    assert_eq!(health.as_array().unwrap().len(), 1);
    assert_eq!(one["source"], "rules");
    assert!(one["rating"].is_string() && one["risk"].is_string());
    assert_eq!(one["data"]["score"], one["data"]["score"].as_i64().unwrap());

    // New data → a new analysis.
    spend(
        &app,
        &token,
        json!({"amount": 5, "category": "dining", "spent_at": days_ago(0)}),
    )
    .await;
    data(&app, Method::GET, "/api/ai/weekly-insights", &token, None).await;
    let weekly = data(
        &app,
        Method::GET,
        "/api/insights/history?kind=weekly_insights",
        &token,
        None,
    )
    .await["data"]
        .clone();
    assert_eq!(weekly.as_array().unwrap().len(), 2);
}
