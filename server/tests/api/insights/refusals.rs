//! What the insights routes refuse: no token (401), bad input (400/422).

use reqwest::Method;
use serde_json::{Value, json};

use super::GET_ROUTES;
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn insights_routes_need_a_token() {
    let app = spawn_app().await;
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(
        health["llm"],
        json!({"configured": false, "circuit": "closed"})
    );
    for (path, _) in GET_ROUTES.iter().chain(&[("/api/insights/history", "")]) {
        error_body(app.get(path).await, 401, "AUTH_1004").await;
    }
    for path in [
        "/api/ai/assistant",
        "/api/ai/category-suggestions",
        "/api/ai/day-status-explanation",
        "/api/ocr/categorize",
    ] {
        error_body(
            app.post_json(path, &json!({"question": "x", "description": "x"}))
                .await,
            401,
            "AUTH_1004",
        )
        .await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_without_reaching_the_rules() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("bad-insights@example.com").await;
    let post =
        |path: &'static str, body: Value| app.authed(Method::POST, path, &token).json(&body).send();
    let get = |path: &'static str| app.get_as(path, &token);
    error_body(
        post("/api/ai/assistant", json!({"question": "  "}))
            .await
            .unwrap(),
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        post("/api/ai/assistant", json!({"question": "x".repeat(1001)}))
            .await
            .unwrap(),
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        post("/api/ai/assistant", json!({})).await.unwrap(),
        422,
        "VALIDATION_2001",
    )
    .await;
    let malformed = app
        .authed(Method::POST, "/api/ai/assistant", &token)
        .header("content-type", "application/json")
        .body("{")
        .send();
    error_body(malformed.await.unwrap(), 400, "VALIDATION_2010").await;
    error_body(
        post("/api/ai/category-suggestions", json!({"description": ""}))
            .await
            .unwrap(),
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        post(
            "/api/ai/category-suggestions",
            json!({"description": "tea", "amount": "1.234"}),
        )
        .await
        .unwrap(),
        422,
        "VALIDATION_2001",
    )
    .await;
    error_body(
        post(
            "/api/ai/category-suggestions",
            json!({"description": "tea", "amount": -3}),
        )
        .await
        .unwrap(),
        422,
        "VALIDATION_2006",
    )
    .await;
    error_body(
        post(
            "/api/ai/day-status-explanation",
            json!({"status": "purple"}),
        )
        .await
        .unwrap(),
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        post(
            "/api/ai/day-status-explanation",
            json!({"date": "2026-13-45"}),
        )
        .await
        .unwrap(),
        422,
        "VALIDATION_2007",
    )
    .await;
    error_body(
        get("/api/ai/day-status-explanation?date=someday").await,
        422,
        "VALIDATION_2007",
    )
    .await;
    error_body(
        get("/api/ai/monthly-report?month=13").await,
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        get("/api/ai/monthly-report?year=abc").await,
        400,
        "VALIDATION_2002",
    )
    .await;
    error_body(
        get("/api/insights/history?limit=0").await,
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        get("/api/insights/history?kind=bogus").await,
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        post("/api/ocr/categorize", json!({"merchant": " "}))
            .await
            .unwrap(),
        422,
        "VALIDATION_2003",
    )
    .await;
}
