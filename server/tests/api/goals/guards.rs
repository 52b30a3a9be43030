//! Goals: another user's goal is 404 everywhere and stays unchanged; bad input is a 4xx that
//! writes nothing.

use reqwest::Method;
use serde_json::json;

use super::in_days;
use crate::ghn_support::{create_goal, data, refused, send, snapshot};
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn another_users_goal_is_404_on_every_id_route_and_stays_unchanged() {
    let app = spawn_app().await;
    let (owner, _, _) = app.user("goal-owner@example.com").await;
    let (intruder, _, _) = app.user("goal-intruder@example.com").await;
    let g = create_goal(
        &app,
        &owner,
        json!({"title": "Mine", "target_amount": 100, "deadline": in_days(60)}),
    )
    .await;
    let id = g["id"].as_str().unwrap();
    let before = snapshot(&app).await;
    let amount = json!({"amount": 10});
    let patch = json!({"title": "Stolen"});
    let routes: Vec<(Method, String, Option<&serde_json::Value>)> = vec![
        (Method::GET, format!("/api/goals/{id}"), None),
        (Method::PATCH, format!("/api/goals/{id}"), Some(&patch)),
        (Method::PUT, format!("/api/goals/{id}"), Some(&patch)),
        (Method::DELETE, format!("/api/goals/{id}"), None),
        (
            Method::POST,
            format!("/api/goals/{id}/add_savings"),
            Some(&amount),
        ),
        (
            Method::POST,
            format!("/api/goals/{id}/auto_transfer"),
            Some(&amount),
        ),
        (Method::POST, format!("/api/goals/{id}/complete"), None),
        (Method::POST, format!("/api/goals/{id}/pause"), None),
        (Method::POST, format!("/api/goals/{id}/resume"), None),
        (Method::GET, format!("/api/goals/{id}/health"), None),
    ];
    for (method, path, payload) in routes {
        error_body(
            send(&app, method, &path, &intruder, payload).await,
            404,
            "RESOURCE_3001",
        )
        .await;
    }
    assert_eq!(snapshot(&app).await, before);
    let after = data(&app, Method::GET, &format!("/api/goals/{id}"), &owner, None).await;
    assert_eq!(after, g, "the owner's goal is unchanged");
    assert!(
        data(&app, Method::GET, "/api/goals", &intruder, None)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn bad_goal_input_is_a_4xx_envelope_and_writes_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-bad@example.com").await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Target", "target_amount": 100}),
    )
    .await;
    let id = g["id"].as_str().unwrap();
    let goal = format!("/api/goals/{id}");
    let save = format!("/api/goals/{id}/add_savings");
    let transfer = format!("/api/goals/{id}/auto_transfer");
    let cases: Vec<(Method, &str, serde_json::Value)> = vec![
        (Method::POST, "/api/goals", json!({})),
        (Method::POST, "/api/goals", json!({"title": "x"})),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": 0}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": -5}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": "1.001"}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": "lots"}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": 1e12}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": 10, "deadline": "2001-01-01"}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": 10, "target_date": "soon"}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": 10, "category": "Boats"}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x", "target_amount": 10, "priority": "urgent"}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": 7, "target_amount": 10}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "", "target_amount": 10}),
        ),
        (
            Method::POST,
            "/api/goals",
            json!({"title": "x".repeat(201), "target_amount": 10}),
        ),
        (Method::POST, "/api/goals", json!([1, 2])),
        (Method::PATCH, &goal, json!({"target_amount": 0})),
        (Method::PATCH, &goal, json!({"saved_amount": -1})),
        (Method::PATCH, &goal, json!({"status": "archived"})),
        (Method::PATCH, &goal, json!({"monthly_contribution": "x"})),
        (Method::PUT, &goal, json!({"deadline": "2020-02-30"})),
        (Method::POST, &save, json!({})),
        (Method::POST, &save, json!({"amount": 0})),
        (Method::POST, &save, json!({"amount": "-3"})),
        (Method::POST, &save, json!({"amount": "0.001"})),
        (Method::POST, &transfer, json!({"amount": 100000.01})),
        (Method::POST, &transfer, json!({"amount": null})),
        (Method::POST, &transfer, json!("ten")),
    ];
    let before = snapshot(&app).await;
    for (method, path, payload) in cases {
        let resp = send(&app, method.clone(), path, &token, Some(&payload)).await;
        let status = resp.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {payload}: {status}"
        );
        refused(resp, status).await;
    }
    // Malformed JSON, a wrong content type and a malformed id.
    for path in ["/api/goals", save.as_str(), transfer.as_str()] {
        let r = app
            .authed(Method::POST, path, &token)
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        error_body(r, 400, "VALIDATION_2010").await;
        let r = app
            .authed(Method::POST, path, &token)
            .header("content-type", "text/plain")
            .body("amount=1")
            .send()
            .await
            .unwrap();
        refused(r, 415).await;
    }
    error_body(
        send(
            &app,
            Method::PATCH,
            "/api/goals/not-a-uuid",
            &token,
            Some(&json!({})),
        )
        .await,
        422,
        "VALIDATION_2011",
    )
    .await;
    let r = app
        .authed(Method::POST, &save, &token)
        .header("Idempotency-Key", "")
        .json(&json!({"amount": 1}))
        .send()
        .await
        .unwrap();
    refused(r, 400).await;
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(data(&app, Method::GET, &goal, &token, None).await, g);
}
