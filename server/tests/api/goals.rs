//! Goals: the object the app reads, the state machine, savings and transfers, soft delete,
//! idempotency, ownership and bad input.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{body, cents, create_goal, data, send};
use crate::support::{TestApp, error_body, spawn_app};

mod guards;
mod lists;
mod metrics;
mod money;

pub const GOAL_FIELDS: [&str; 19] = [
    "id",
    "title",
    "description",
    "category",
    "target_amount",
    "saved_amount",
    "current_amount",
    "monthly_contribution",
    "status",
    "progress",
    "target_date",
    "deadline",
    "created_at",
    "last_updated",
    "completed_at",
    "priority",
    "remaining_amount",
    "is_completed",
    "is_overdue",
];

fn in_days(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days)).to_string()
}

async fn post(app: &TestApp, path: &str, token: &str, payload: Value) -> reqwest::Response {
    send(app, Method::POST, path, token, Some(&payload)).await
}

#[tokio::test]
async fn a_goal_has_exactly_the_fields_the_app_reads() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-fields@example.com").await;
    let deadline = in_days(200);
    let resp = post(
        &app,
        "/api/goals/",
        &token,
        json!({"title": "Bike", "description": "A red one",
        "target_amount": 1000, "current_amount": "250", "deadline": deadline, "category": "travel",
        "priority": "high", "monthly_contribution": 100, "id": "ignored", "progress": 99}),
    )
    .await;
    let b = body(resp, 201).await;
    assert_eq!(b["success"], true);
    assert_eq!(b["message"], "Goal created");
    let g = &b["data"];
    let mut keys: Vec<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = GOAL_FIELDS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(g["title"], "Bike");
    assert_eq!(g["category"], "Travel");
    assert_eq!(g["target_amount"].to_string(), "1000.00");
    assert_eq!(g["saved_amount"].to_string(), "250.00");
    assert_eq!(g["current_amount"], g["saved_amount"]);
    assert_eq!(g["monthly_contribution"].to_string(), "100.00");
    assert_eq!(g["remaining_amount"].to_string(), "750.00");
    assert_eq!(g["progress"].to_string(), "25.00");
    assert_eq!(g["target_date"], deadline.as_str());
    assert_eq!(g["deadline"], g["target_date"]);
    assert_eq!(g["status"], "active");
    assert_eq!(g["priority"], "high");
    assert_eq!(
        (g["is_completed"].clone(), g["is_overdue"].clone()),
        (json!(false), json!(false))
    );
    assert!(g["completed_at"].is_null());
    assert!(g["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(g["last_updated"].as_str().unwrap().ends_with('Z'));
    assert_ne!(g["id"], "ignored", "unknown fields are never applied");

    let id = g["id"].as_str().unwrap();
    let one = data(
        &app,
        Method::GET,
        &format!("/api/goals/{id}/"),
        &token,
        None,
    )
    .await;
    assert_eq!(&one, g);
    let list = data(&app, Method::GET, "/api/goals", &token, None).await;
    assert_eq!(list.as_array().unwrap(), &vec![g.clone()]);
}

#[tokio::test]
async fn patch_is_partial_and_put_behaves_the_same() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-patch@example.com").await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Car", "target_amount": 5000, "deadline": in_days(90)}),
    )
    .await;
    let path = format!("/api/goals/{}", g["id"].as_str().unwrap());
    let p = data(
        &app,
        Method::PATCH,
        &path,
        &token,
        Some(&json!({"saved_amount": 500, "title": "New car"})),
    )
    .await;
    assert_eq!(
        (
            p["title"].as_str(),
            cents(&p["saved_amount"]),
            p["progress"].to_string()
        ),
        (Some("New car"), 50_000, "10.00".into())
    );
    assert_eq!(p["target_date"], g["target_date"], "absent fields are kept");
    let p = data(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(&json!({"deadline": null, "priority": "low"})),
    )
    .await;
    assert!(
        p["target_date"].is_null() && p["deadline"].is_null(),
        "null clears the date"
    );
    assert_eq!(p["priority"], "low");
    assert_eq!(p["title"], "New car");
    let p = data(
        &app,
        Method::PATCH,
        &path,
        &token,
        Some(&json!({"current_amount": 5000})),
    )
    .await;
    assert_eq!(
        p["status"], "completed",
        "a PATCH to 100 % completes the goal"
    );
    assert!(p["completed_at"].is_string());
}

#[tokio::test]
async fn state_moves_follow_the_machine_and_invalid_moves_answer_400() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-state@example.com").await;
    let g = create_goal(&app, &token, json!({"title": "Trip", "target_amount": 300})).await;
    let id = g["id"].as_str().unwrap();
    let go = |action: &'static str| format!("/api/goals/{id}/{action}");
    error_body(
        post(&app, &go("resume"), &token, json!({})).await,
        400,
        "VALIDATION_2002",
    )
    .await;
    assert_eq!(
        data(&app, Method::GET, &format!("/api/goals/{id}"), &token, None).await["status"],
        "active"
    );
    assert_eq!(
        data(&app, Method::POST, &go("pause"), &token, None).await["status"],
        "paused"
    );
    error_body(
        post(&app, &go("pause"), &token, json!({})).await,
        400,
        "VALIDATION_2002",
    )
    .await;
    assert_eq!(
        data(&app, Method::POST, &go("resume"), &token, None).await["status"],
        "active"
    );
    let done = data(&app, Method::POST, &go("complete"), &token, None).await;
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].is_string());
    for action in ["resume", "pause", "complete"] {
        error_body(
            post(&app, &go(action), &token, json!({})).await,
            400,
            "VALIDATION_2002",
        )
        .await;
    }
    let patch = send(
        &app,
        Method::PATCH,
        &format!("/api/goals/{id}"),
        &token,
        Some(&json!({"status": "cancelled"})),
    )
    .await;
    error_body(patch, 400, "VALIDATION_2002").await;

    let other = create_goal(&app, &token, json!({"title": "Other", "target_amount": 10})).await;
    let path = format!("/api/goals/{}", other["id"].as_str().unwrap());
    let c = data(
        &app,
        Method::PATCH,
        &path,
        &token,
        Some(&json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(c["status"], "cancelled");
    let save = post(
        &app,
        &format!("{path}/add_savings"),
        &token,
        json!({"amount": 1}),
    )
    .await;
    error_body(save, 400, "VALIDATION_2002").await;
}
