//! Submits that are refused: fixed expenses above income and malformed answers write nothing.

use reqwest::Method;
use serde_json::{Value, json};

use super::{count, submit, worked_case};
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn fixed_expenses_above_income_are_business_4001_and_write_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("fixed@example.com").await;
    let mut body = worked_case();
    body["fixed_expenses"]["rent"] = json!("5800.01");

    let resp = submit(&app, &token, &body).await;

    let err = error_body(resp, 422, "BUSINESS_4001").await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Fixed expenses")
    );
    assert_eq!(count(&app, "onboarding_answers").await, 0);
    assert_eq!(count(&app, "daily_plan").await, 0);
    let me: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["has_onboarded"], false);
}

#[tokio::test]
async fn bad_answers_are_4xx_envelopes_and_write_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("bad@example.com").await;
    let mega = "x".repeat(1_000_000);
    let mut raw: Vec<String> = vec![
        r#"{"income": {"monthly_income": 1e308}}"#.into(),
        r#"{"income": {"monthly_income": 6000.001}}"#.into(),
        r#"{"income": {"monthly_income": 6000}"#.into(),
        r#"{"income": {"monthly_income": NaN}}"#.into(),
    ];
    for body in [
        json!({"income": {"monthly_income": "abc"}}),
        json!({"income": [6000]}),
        json!({"income": null}),
        json!({"income": {"monthly_income": null}}),
        json!({"income": {"monthly_income": 6000}, "goals": null}),
        json!({"fixed_expenses": {"rent": 100}}),
        json!({"income": {"monthly_income": 0}}),
        json!({"income": {"monthly_income": -6000}}),
        json!({"income": {"monthly_income": 6000, "additional_income": -1}}),
        json!({"income": {"monthly_income": 6000}, "fixed_expenses": {"rent": -5}}),
        json!({"income": {"monthly_income": 6000}, "fixed_expenses": {"groceries": 5}}),
        json!({"income": {"monthly_income": 6000}, "fixed_expenses": []}),
        json!({"income": {"monthly_income": 6000}, "spending_habits": {"coffee_per_week": "many"}}),
        json!({"income": {"monthly_income": 6000}, "spending_habits": {"coffee_per_week": -1}}),
        json!({"income": {"monthly_income": 6000}, "goals": {"savings_goal_amount_per_month": -1}}),
        json!({"income": {"monthly_income": 6000}, "timezone": "Mars/Olympus"}),
        json!({"income": {"monthly_income": 6000}, "region": mega}),
        json!({"income": {"monthly_income": 6000}, "fixed_expenses": {mega.clone(): 5}}),
        json!({"income": {"monthly_income": 6000}, "timezone": mega}),
    ] {
        raw.push(body.to_string());
    }
    for body in raw {
        let resp = app
            .authed(Method::POST, "/api/onboarding/submit", &token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{status} for {}",
            &body[..body.len().min(120)]
        );
        let text = resp.text().await.unwrap();
        assert!(text.len() < 4_000, "the input is never echoed back");
        let err: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(err["success"], false);
    }
    assert_eq!(count(&app, "onboarding_answers").await, 0);
    assert_eq!(count(&app, "daily_plan").await, 0);
    let me: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["has_onboarded"], false);
    assert!(me["data"]["income"].is_null());
}
