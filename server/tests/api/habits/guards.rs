//! Habits: another user's habit is 404 everywhere and stays unchanged; bad input is a 4xx that
//! writes nothing.

use reqwest::Method;
use serde_json::json;

use super::create;
use crate::ghn_support::{data, refused, send, snapshot};
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn another_users_habit_is_404_on_every_id_route_and_stays_unchanged() {
    let app = spawn_app().await;
    let (owner, _, _) = app.user("habit-owner@example.com").await;
    let (intruder, _, _) = app.user("habit-intruder@example.com").await;
    let h = create(&app, &owner, json!({"title": "Mine"})).await;
    let id = h["id"].as_str().unwrap();
    let before = snapshot(&app).await;
    let patch = json!({"title": "Stolen"});
    for (method, path, payload) in [
        (Method::PATCH, format!("/api/habits/{id}"), Some(&patch)),
        (Method::PUT, format!("/api/habits/{id}"), Some(&patch)),
        (Method::DELETE, format!("/api/habits/{id}"), None),
        (Method::POST, format!("/api/habits/{id}/complete"), None),
        (Method::DELETE, format!("/api/habits/{id}/complete"), None),
        (Method::GET, format!("/api/habits/{id}/progress"), None),
    ] {
        error_body(
            send(&app, method, &path, &intruder, payload).await,
            404,
            "RESOURCE_3001",
        )
        .await;
    }
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(
        data(&app, Method::GET, "/api/habits", &owner, None).await[0],
        h
    );
}

#[tokio::test]
async fn bad_habit_input_is_a_4xx_envelope_and_writes_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("habit-bad@example.com").await;
    let h = create(&app, &token, json!({"title": "Fine"})).await;
    let id = h["id"].as_str().unwrap();
    let one = format!("/api/habits/{id}");
    let done = format!("/api/habits/{id}/complete");
    let before = snapshot(&app).await;
    for (method, path, payload) in [
        (Method::POST, "/api/habits", json!({})),
        (Method::POST, "/api/habits", json!({"title": ""})),
        (
            Method::POST,
            "/api/habits",
            json!({"title": "x", "target_frequency": "hourly"}),
        ),
        (Method::POST, "/api/habits", json!({"title": ["x"]})),
        (
            Method::POST,
            "/api/habits",
            json!({"title": "x", "description": "d".repeat(1001)}),
        ),
        (Method::PATCH, one.as_str(), json!({"title": "  "})),
        (Method::PATCH, one.as_str(), json!({"target_frequency": 3})),
        (
            Method::PUT,
            one.as_str(),
            json!({"target_frequency": "yearly"}),
        ),
        (Method::POST, done.as_str(), json!({"date": "yesterday"})),
        (Method::POST, done.as_str(), json!({"date": "2999-01-01"})),
        (Method::DELETE, done.as_str(), json!({"date": 5})),
    ] {
        let resp = send(&app, method.clone(), path, &token, Some(&payload)).await;
        let status = resp.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {payload}: {status}"
        );
        refused(resp, status).await;
    }
    let r = app
        .authed(Method::POST, "/api/habits", &token)
        .header("content-type", "application/json")
        .body("{\"title\":")
        .send()
        .await
        .unwrap();
    error_body(r, 400, "VALIDATION_2010").await;
    error_body(
        app.get_as(
            &format!("{one}/progress?start_date=2026-02-01&end_date=2026-01-01"),
            &token,
        )
        .await,
        422,
        "VALIDATION_2007",
    )
    .await;
    error_body(
        app.get_as("/api/habits/nope/progress", &token).await,
        422,
        "VALIDATION_2011",
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
}
