//! M1 `POST /api/onboarding/submit` (onboarding_finish_screen.dart:103-176): the app's fixed
//! expenses include `internet`, `car_payment` and `loan_payment`, amounts are Dart doubles, and
//! the body carries `goals` extras and `_meta`.

use chrono::{Datelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::onboarding::{cents, laid_out};
use crate::support::spawn_app;

/// The body exactly as `OnboardingFinishScreen._submitOnboarding` builds it.
fn app_body() -> Value {
    json!({
        "region": "US",
        "timezone": "UTC",
        "income": {"monthly_income": 5200.0, "additional_income": 0},
        "fixed_expenses": {
            "rent": 1400.0, "utilities": 120.0, "internet": 60.5, "insurance": 90.0,
            "car_payment": 310.0, "subscriptions": 25.99, "loan_payment": 150.0, "childcare": 0.0
        },
        "spending_habits": {"dining_out_per_month": 9, "coffee_per_week": 5, "entertainment_per_month": 6,
                            "clothing_per_month": 3, "transport_per_month": 12, "travel_per_year": 3},
        "goals": {"savings_goal_amount_per_month": 300.0, "savings_goal_type": "save_more",
                  "has_emergency_fund": true, "all_goals": ["save_more", "budgeting"]},
        "_meta": {"countryCode": "US", "stateCode": "CA", "incomeTier": "middle",
                  "goals_list": ["save_more", "budgeting"], "habits_list": ["Impulse purchases"],
                  "habits_comment": "coffee"}
    })
}

#[tokio::test]
async fn the_apps_submit_with_internet_car_and_loan_payments_builds_the_plan() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m1@example.com").await;
    let resp = app
        .authed(Method::POST, "/api/onboarding/submit", &token)
        .json(&app_body())
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "the app blocks onboarding on any failure"
    );
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data["status"], "success");
    let plan = &data["budget_plan"];
    let alloc = &plan["allocations"];
    assert_eq!(
        cents(&alloc["utilities"]),
        18_050,
        "utilities 120 + internet 60.50"
    );
    assert_eq!(cents(&alloc["debt_payments"]), 46_000, "car 310 + loan 150");
    assert_eq!(cents(&alloc["rent"]), 140_000);
    assert_eq!(
        cents(&plan["fixed_expenses_total"]),
        140_000 + 18_050 + 9_000 + 46_000 + 2_599
    );

    let calendar: Value = app
        .get_as("/api/calendar/current-month", &token)
        .await
        .json()
        .await
        .unwrap();
    let calendar = &calendar["data"];
    let today = Utc::now().date_naive();
    assert_eq!(
        calendar["calendar"].as_array().unwrap().len() as u32,
        mita::budget::days::days_in_month(today.year(), today.month())
    );
    assert_eq!(
        cents(&calendar["calendar"][4]["planned_budget"]["debt_payments"]["planned"]),
        46_000,
        "debt payments are a fixed expense on day 5"
    );
    assert_eq!(laid_out(calendar)["debt_payments"], 46_000);
}

#[tokio::test]
async fn an_unknown_fixed_expense_key_is_still_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m1-bad@example.com").await;
    let mut body = app_body();
    body["fixed_expenses"]["gym"] = json!(40.0);
    let resp = app
        .authed(Method::POST, "/api/onboarding/submit", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let err = crate::support::error_body(resp, 422, "VALIDATION_2001").await;
    assert!(err.to_string().contains("car_payment"), "{err}");
    let me: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["has_onboarded"], false);
}
