//! The counters the goal flows move, as `/metrics` (and so `mita metrics`) shows them.

use reqwest::Method;
use serde_json::json;

use super::in_days;
use crate::ghn_support::{create_goal, data};
use crate::support::spawn_app;

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn goal_flows_move_the_transaction_budget_and_idempotency_counters() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-metrics@example.com").await;
    let before = app.get("/metrics").await.text().await.unwrap();
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Dated", "target_amount": 900, "deadline": in_days(120)}),
    )
    .await;
    let path = format!("/api/goals/{}/auto_transfer", g["id"].as_str().unwrap());
    for _ in 0..2 {
        let r = app
            .authed(Method::POST, &path, &token)
            .header("Idempotency-Key", "m-1")
            .json(&json!({"amount": 25}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    data(&app, Method::GET, "/api/goals", &token, None).await;
    let after = app.get("/metrics").await.text().await.unwrap();
    let moved = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(moved("mita_transactions_total{operation=\"create\"}"), 1.0);
    assert_eq!(
        moved("mita_idempotency_replays_total{outcome=\"replayed\"}"),
        1.0
    );
    assert!(
        moved("mita_budget_calculations_total{kind=\"plan\"}") >= 2.0,
        "reserved at create and after the transfer"
    );
    assert!(moved("mita_budget_calculations_total{kind=\"accrual\"}") >= 1.0);
    assert!(after.contains("mita_http_requests_total{endpoint=\"/api/goals/{id}/auto_transfer\",method=\"POST\",status_code=\"200\"} 2"));
}
