//! M4 `POST /api/transactions/check-affordability` (api_service.dart:2612-2628,
//! add_expense_screen.dart:333-345, budget_warning_dialog.dart:372-388): the app sends
//! `{category, amount (a double), date: DateTime.toIso8601String() (local, no offset)}` and reads
//! `warning_level`, `category`, `amount`, `daily_budget`, `remaining_budget`, `overage`,
//! `percentage_used`, `impact_message`, `alternative_categories[{category, available}]`,
//! `suggestions[]`.

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use crate::onboarding::{cents, onboard};
use crate::support::spawn_app;

async fn check(app: &crate::support::TestApp, token: &str, body: Value) -> Value {
    let resp = app
        .authed(Method::POST, "/api/transactions/check-affordability", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["data"].clone()
}

#[tokio::test]
async fn the_warning_dialog_gets_every_field_it_reads() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m4@example.com").await;
    onboard(&app, &token).await;
    let status: Value = app
        .get_as("/api/transactions/budget-status", &token)
        .await
        .json()
        .await
        .unwrap();
    let food = status["data"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "food")
        .unwrap();
    let food_planned = cents(&food["planned"]);
    let day_left = cents(&status["data"]["total_remaining"]);
    // The user's local noon today, as the app's date picker gives it (UTC user here).
    let date = format!("{}T12:00:00.000", Utc::now().date_naive());

    // A small spend: safe, and the app shows no dialog.
    let small = check(
        &app,
        &token,
        json!({"category": "food", "amount": 1.5, "date": date}),
    )
    .await;
    assert_eq!(small["warning_level"], "safe");
    assert_eq!(small["category"], "food");
    assert_eq!(cents(&small["amount"]), 150);
    assert_eq!(cents(&small["daily_budget"]), food_planned);
    assert_eq!(cents(&small["remaining_budget"]), food_planned - 150);
    assert_eq!(cents(&small["overage"]), 0);
    assert!(small["percentage_used"].is_number());
    assert!(small["impact_message"].as_str().unwrap().len() > 10);
    assert!(small["suggestions"].is_array());
    assert!(small["alternative_categories"].is_array());

    // Over the food budget but within the day: danger, with the overage and alternatives.
    let over = food_planned + 100;
    assert!(over < day_left, "the worked case leaves room in the day");
    let amount = format!("{}.{:02}", over / 100, over % 100);
    let big = check(
        &app,
        &token,
        json!({"category": "food", "amount": amount.parse::<f64>().unwrap(), "date": date}),
    )
    .await;
    assert_eq!(big["warning_level"], "danger");
    assert_eq!(cents(&big["overage"]), 100);
    assert_eq!(cents(&big["remaining_budget"]), -100);
    let pct = big["percentage_used"].as_f64().unwrap();
    assert!(pct > 100.0 && pct < 999.9, "{pct}");
    for alt in big["alternative_categories"].as_array().unwrap() {
        assert!(alt["category"].is_string(), "{alt}");
        assert!(
            cents(&alt["available"]) >= over,
            "room for the whole amount: {alt}"
        );
    }
    let suggestions = big["suggestions"].as_array().unwrap();
    assert!(!suggestions.is_empty() && suggestions.len() <= 3);

    // Without a date (the app sends null): today.
    let none = check(
        &app,
        &token,
        json!({"category": "food", "amount": 1.5, "date": null}),
    )
    .await;
    assert_eq!(none["remaining_budget"], small["remaining_budget"]);

    // More than the whole day holds: blocked.
    let whole = check(
        &app,
        &token,
        json!({"category": "food", "amount": 99999.0, "date": date}),
    )
    .await;
    assert_eq!(whole["warning_level"], "blocked");
}
