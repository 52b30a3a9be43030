//! Goals: money in — `add_savings` completing a goal, `auto_transfer` recording a transaction
//! with the goal, and both honouring `Idempotency-Key`.

use chrono::Utc;
use reqwest::Method;
use serde_json::json;

use super::post;
use crate::ghn_support::{body, cents, count, create_goal, data, refused, snapshot};
use crate::support::{error_body, spawn_app};
use mita::metrics::{IdempotencyOutcome, TransactionOp};

#[tokio::test]
async fn add_savings_to_the_target_completes_the_goal_with_completed_at() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-save@example.com").await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Phone", "target_amount": "100.00"}),
    )
    .await;
    let path = format!("/api/goals/{}/add_savings", g["id"].as_str().unwrap());
    let b = body(post(&app, &path, &token, json!({"amount": 60})).await, 200).await;
    assert_eq!(b["data"]["status"], "active");
    assert_eq!(b["data"]["progress"].to_string(), "60.00");
    let b = body(
        post(&app, &path, &token, json!({"amount": "40"})).await,
        200,
    )
    .await;
    let done = &b["data"];
    assert_eq!(done["status"], "completed");
    assert_eq!(done["is_completed"], true);
    assert_eq!(done["progress"].to_string(), "100.00");
    assert_eq!(done["remaining_amount"].to_string(), "0.00");
    let at = chrono::DateTime::parse_from_rfc3339(done["completed_at"].as_str().unwrap()).unwrap();
    assert!((Utc::now() - at.with_timezone(&Utc)).num_seconds().abs() < 60);
    let stats = data(&app, Method::GET, "/api/goals/statistics", &token, None).await;
    assert_eq!(
        (
            stats["completed_goals"].as_i64(),
            stats["active_goals"].as_i64()
        ),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn auto_transfer_records_a_savings_transaction_and_raises_the_goal_together() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("goal-transfer@example.com").await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Laptop", "target_amount": 1500}),
    )
    .await;
    let id = g["id"].as_str().unwrap();
    let b = body(
        post(
            &app,
            &format!("/api/goals/{id}/auto_transfer"),
            &token,
            json!({"amount": "125.50"}),
        )
        .await,
        200,
    )
    .await;
    let d = &b["data"];
    assert_eq!(d["amount"].to_string(), "125.50");
    assert_eq!(d["goal"]["saved_amount"].to_string(), "125.50");
    let t = &d["transaction"];
    assert_eq!(
        (
            t["category"].as_str(),
            t["goal_id"].as_str(),
            t["user_id"].as_str()
        ),
        (Some("other"), Some(id), Some(user_id.as_str()))
    );
    assert_eq!(t["description"], "Transfer to goal Laptop");
    assert_eq!(t["amount"].to_string(), "125.50");
    let list = data(&app, Method::GET, "/api/transactions", &token, None).await;
    assert_eq!(list[0]["id"], t["id"]);
    let goal = data(&app, Method::GET, &format!("/api/goals/{id}"), &token, None).await;
    assert_eq!(cents(&goal["saved_amount"]), 12_550);

    // A refused transfer writes neither the transaction nor the goal.
    data(
        &app,
        Method::PATCH,
        &format!("/api/goals/{id}"),
        &token,
        Some(&json!({"status": "cancelled"})),
    )
    .await;
    let before = snapshot(&app).await;
    let r = post(
        &app,
        &format!("/api/goals/{id}/auto_transfer"),
        &token,
        json!({"amount": 10}),
    )
    .await;
    error_body(r, 400, "VALIDATION_2002").await;
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn add_savings_and_auto_transfer_honour_idempotency_keys() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-idem@example.com").await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Camera", "target_amount": 900}),
    )
    .await;
    let id = g["id"].as_str().unwrap();
    for route in ["add_savings", "auto_transfer"] {
        let path = format!("/api/goals/{id}/{route}");
        let key = format!("key-{route}");
        let first = app
            .authed(Method::POST, &path, &token)
            .header("Idempotency-Key", &key)
            .json(&json!({"amount": 100}))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 200);
        let first = first.text().await.unwrap();
        let again = app
            .authed(Method::POST, &path, &token)
            .header("Idempotency-Key", &key)
            .json(&json!({"amount": 100}))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        assert_eq!(
            again.text().await.unwrap(),
            first,
            "{route}: the first answer is replayed"
        );
        let other = app
            .authed(Method::POST, &path, &token)
            .header("Idempotency-Key", &key)
            .json(&json!({"amount": 5}))
            .send()
            .await
            .unwrap();
        refused(other, 422).await;
    }
    let goal = data(&app, Method::GET, &format!("/api/goals/{id}"), &token, None).await;
    assert_eq!(cents(&goal["saved_amount"]), 20_000, "each key wrote once");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM transactions").await, 1);
    let replays = app
        .state
        .metrics
        .idempotency_replays_total
        .get(IdempotencyOutcome::Replayed);
    assert_eq!(replays, 2);
    assert_eq!(
        app.state
            .metrics
            .transactions_total
            .get(TransactionOp::Create),
        1
    );
}
