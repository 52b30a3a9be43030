//! M5 `GET /api/transactions/by-date` and M24 `POST /api/ocr/categorize`.

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use super::send;
use crate::onboarding::cents;
use crate::support::{error_body, spawn_app};

/// M5 (api_service.dart:3872-3896, budget_adapter_service.dart:803-818): `?date=YYYY-MM-DD`;
/// the app takes the body itself as the list (`response.data is List`) and reads `category` and
/// `amount` of each entry.
#[tokio::test]
async fn by_date_answers_a_bare_list() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m5@example.com").await;
    for (amount, category) in [(12.5, "food"), (3.0, "transportation")] {
        let resp = send(
            &app,
            Method::POST,
            "/api/transactions",
            &token,
            &json!({"amount": amount, "category": category}),
        )
        .await;
        assert_eq!(resp.status(), 201);
    }
    let today = Utc::now().date_naive();
    let resp = app
        .get_as(&format!("/api/transactions/by-date?date={today}"), &token)
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let list = body.as_array().expect("a bare JSON list");
    let mut seen: Vec<(String, i64)> = list
        .iter()
        .map(|t| {
            (
                t["category"].as_str().unwrap().to_string(),
                cents(&t["amount"]),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("food".to_string(), 1_250),
            ("transportation".to_string(), 300)
        ]
    );
    // Errors keep the error envelope (the app maps them to an empty list).
    error_body(
        app.get_as("/api/transactions/by-date?date=yesterday", &token)
            .await,
        422,
        "VALIDATION_2007",
    )
    .await;
    error_body(
        app.get_as(
            &format!("/api/transactions/by-date?date={today}&limit=5000"),
            &token,
        )
        .await,
        422,
        "VALIDATION_2003",
    )
    .await;
}

/// M24 (api_service.dart:3279-3298): `{description, amount (a double)}`; the app reads
/// `data.suggestions` as a list of strings.
#[tokio::test]
async fn categorize_suggests_category_names() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m24@example.com").await;
    let resp = app
        .authed(Method::POST, "/api/ocr/categorize", &token)
        .header("content-type", "application/json")
        .body(r#"{"description": "Shell petrol station", "amount": 40.123}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    let suggestions = data["suggestions"].as_array().unwrap();
    assert!(!suggestions.is_empty());
    assert!(suggestions.iter().all(Value::is_string), "{data}");
    assert_eq!(suggestions[0], data["category"]);
    assert_eq!(data["category"], "gas");
    assert_eq!(data["candidates"][0]["category"], "gas");
    // An amount of 0 is no hint, not an error.
    let resp = send(
        &app,
        Method::POST,
        "/api/ocr/categorize",
        &token,
        &json!({"description": "lunch", "amount": 0}),
    )
    .await;
    assert_eq!(resp.status(), 200);
}
