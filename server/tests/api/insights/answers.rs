//! The assistant's intents and the category suggestions (history, keywords, OCR's categorize).

use reqwest::Method;
use serde_json::{Value, json};

use super::{data, days_ago, spend};
use crate::onboarding::{cents, onboard};
use crate::support::spawn_app;

#[tokio::test]
async fn the_assistant_answers_from_the_data_and_falls_back_politely() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("assistant@example.com").await;
    onboard(&app, &token).await;
    for amount in ["12.50", "7.50"] {
        spend(
            &app,
            &token,
            json!({"amount": amount, "category": "groceries", "spent_at": days_ago(0)}),
        )
        .await;
    }
    let ask = |q: &str| {
        data(
            &app,
            Method::POST,
            "/api/ai/assistant",
            &token,
            Some(json!({"question": q})),
        )
    };
    let spent = ask("How much did I spend on groceries this month?").await["data"].clone();
    assert_eq!(spent["intent"], "spending");
    assert_eq!(cents(&spent["amount"]), 2_000);
    assert!(
        spent["answer"].as_str().unwrap().contains("20.00"),
        "{spent}"
    );
    assert_eq!(spent["source"], "rules");

    let food = ask("how much did I spend on food today").await["data"].clone();
    assert_eq!(
        cents(&food["amount"]),
        2_000,
        "groceries land on the food plan category"
    );

    let afford = ask("Can I afford 5 on groceries today?").await["data"].clone();
    assert_eq!(afford["intent"], "afford");
    assert!(afford["answer"].is_string());

    let other = ask("What is the meaning of life?").await["data"].clone();
    assert_eq!(other["intent"], "fallback");
    assert!(!other["suggestions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn category_suggestions_weigh_the_users_own_history_and_keywords() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("suggest@example.com").await;
    spend(
        &app,
        &token,
        json!({"amount": 30, "category": "pets", "merchant": "Joe's Corner"}),
    )
    .await;
    let post = |body: Value| {
        data(
            &app,
            Method::POST,
            "/api/ai/category-suggestions",
            &token,
            Some(body),
        )
    };
    let mine = post(json!({"description": "JOE'S CORNER #12"})).await;
    assert_eq!(mine["meta"]["source"], "rules");
    assert_eq!(mine["data"][0]["category"], "pets");
    assert_eq!(mine["data"][0]["reason"], "history");
    let coffee =
        post(json!({"description": "Starbucks downtown", "amount": 4.5})).await["data"].clone();
    assert_eq!(coffee[0]["category"], "dining");
    assert!(coffee[0]["confidence"].as_f64().unwrap() > 0.5);
    assert!(coffee.as_array().unwrap().len() <= 3);

    let ocr = data(
        &app,
        Method::POST,
        "/api/ocr/categorize",
        &token,
        Some(json!({"merchant": "Shell", "amount": 40})),
    )
    .await;
    assert_eq!(ocr["data"]["category"], "gas");
    assert!(ocr["data"]["confidence"].is_number());
    assert!(ocr["data"]["suggestions"].is_array());
}
