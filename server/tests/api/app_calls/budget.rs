//! M15–M19: the budget screens (daily_budget_screen.dart, budget_settings_screen.dart,
//! budget_provider.dart).

use chrono::{Datelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::{data, send};
use crate::ghn_support::{at, spawn_at};
use crate::onboarding::{cents, onboard};
use crate::support::spawn_app;

/// M16 `GET /api/budget/daily` (api_service.dart:2269, daily_budget_screen.dart:684-693): no
/// query; each entry's `date`, `limit` (the app divides by it), `spent`, `status`
/// (good/warning/over).
#[tokio::test]
async fn daily_budget_entries_have_a_limit_to_divide_by_and_the_apps_status_words() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m16@example.com").await;
    assert_eq!(
        data(&app, "/api/budget/daily", &token).await,
        json!([]),
        "no plan: no day with a budget (the app shows its empty card)"
    );
    onboard(&app, &token).await;
    // A spend far over today's budget turns today red: `over`.
    let resp = send(
        &app,
        Method::POST,
        "/api/transactions",
        &token,
        &json!({"amount": 2000, "category": "food"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let days = data(&app, "/api/budget/daily", &token).await;
    let days = days.as_array().unwrap();
    let today = Utc::now().date_naive();
    assert_eq!(
        days.len() as u32,
        mita::budget::days::days_in_month(today.year(), today.month())
    );
    for d in days {
        assert!(chrono::NaiveDate::parse_from_str(d["date"].as_str().unwrap(), "%Y-%m-%d").is_ok());
        assert!(cents(&d["limit"]) > 0, "{d}");
        assert!(d["spent"].is_number());
        assert!(
            ["good", "warning", "over"].contains(&d["status"].as_str().unwrap()),
            "{d}"
        );
    }
    let today_entry = days
        .iter()
        .find(|d| d["date"] == today.to_string())
        .unwrap();
    assert_eq!(today_entry["status"], "over");
    assert_eq!(cents(&today_entry["spent"]), 200_000);
}

/// M17 `GET /api/budget/remaining?year&month` (budget_settings_screen.dart:354-358): numbers
/// `total_budget`, `total_spent`, `remaining`.
#[tokio::test]
async fn remaining_answers_the_months_totals() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m17@example.com").await;
    let plan = onboard(&app, &token).await["budget_plan"].clone();
    let allocated: i64 = plan["allocations"]
        .as_object()
        .unwrap()
        .values()
        .map(cents)
        .sum();
    let resp = send(
        &app,
        Method::POST,
        "/api/transactions",
        &token,
        &json!({"amount": 42, "category": "food"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let now = Utc::now();
    let r = data(
        &app,
        &format!(
            "/api/budget/remaining?year={}&month={}",
            now.year(),
            now.month()
        ),
        &token,
    )
    .await;
    assert_eq!(cents(&r["total_budget"]), allocated);
    assert_eq!(cents(&r["total_spent"]), 4_200);
    assert_eq!(cents(&r["remaining"]), allocated - 4_200);
}

/// M18 `GET /api/budget/live_status`: the provider reads `monthly_budget`/`monthly_spent`, the
/// daily-budget screen `total_budget`/`total_spent`.
#[tokio::test]
async fn live_status_answers_both_names_of_the_months_figures() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m18@example.com").await;
    onboard(&app, &token).await;
    let resp = send(
        &app,
        Method::POST,
        "/api/transactions",
        &token,
        &json!({"amount": 12.5, "category": "transportation"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let s = data(&app, "/api/budget/live_status", &token).await;
    assert!(cents(&s["total_budget"]) > 0);
    assert_eq!(s["total_budget"], s["monthly_budget"]);
    assert_eq!(cents(&s["total_spent"]), 1_250);
    assert_eq!(s["total_spent"], s["monthly_spent"]);
}

/// M19 `GET /api/budget/redistribution_history` (daily_budget_screen.dart:550-567): a list;
/// "Day {from} → Day {to}" and `amount`.
#[tokio::test]
async fn redistribution_history_names_the_days_of_the_month() {
    // Mid-month, so later days can cover an overspend.
    let (app, _clock) = spawn_at(at(2026, 12, 10, 12)).await;
    let (token, _, _) = app.user("m19@example.com").await;
    onboard(&app, &token).await;
    let resp = send(
        &app,
        Method::POST,
        "/api/transactions",
        &token,
        &json!({"amount": 100, "category": "food", "spent_at": "2026-12-10T12:00:00Z"}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let history = data(&app, "/api/budget/redistribution_history", &token).await;
    let events = history.as_array().unwrap();
    assert!(!events.is_empty());
    for e in events {
        assert_eq!(e["to"], 10, "the overspent day: {e}");
        let from = e["from"].as_u64().unwrap();
        assert!((11..=31).contains(&from), "a later donor day: {e}");
        assert!(cents(&e["amount"]) > 0);
    }
}

/// M15 `PATCH /api/budget/mode` (budget_settings_screen.dart:45-97): the app's ids, `goal`
/// among them, and `GET` answers the same ids.
#[tokio::test]
async fn every_budget_mode_the_app_offers_is_accepted_and_answered_as_sent() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m15@example.com").await;
    for mode in ["default", "flexible", "strict", "behavioral", "goal"] {
        let resp = send(
            &app,
            Method::PATCH,
            "/api/budget/mode",
            &token,
            &json!({"mode": mode}),
        )
        .await;
        assert_eq!(resp.status(), 200, "{mode}");
        let got: Value = data(&app, "/api/budget/mode", &token).await;
        assert_eq!(got["mode"], mode);
    }
}
