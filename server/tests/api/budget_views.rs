//! Read views of the plan: budget/daily, spent, remaining, live status, calendar, dashboard,
//! analytics, mode, forecast and the previews.

use chrono::{Datelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::onboarding::{cents, laid_out, onboard};
use crate::support::{TestApp, error_body, spawn_app};

mod requests;

async fn data(app: &TestApp, path: &str, token: &str) -> Value {
    let resp = app.get_as(path, token).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.json::<Value>().await.unwrap()["data"].clone()
}

async fn spend(app: &TestApp, token: &str, amount: &str, category: &str) -> String {
    let resp = app
        .authed(Method::POST, "/api/transactions", token)
        .json(&json!({"amount": amount, "category": category, "spent_at": Utc::now().to_rfc3339()}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> reqwest::Response {
    app.authed(method, path, token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn daily_spent_remaining_and_calendar_agree_with_the_plan() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("views@example.com").await;
    let plan = onboard(&app, &token).await["budget_plan"].clone();
    let today = Utc::now().date_naive();

    let daily = data(&app, "/api/budget/daily", &token).await;
    let current = data(&app, "/api/calendar/current-month", &token).await;
    let saved = data(
        &app,
        &format!("/api/calendar/saved/{}/{}", today.year(), today.month()),
        &token,
    )
    .await;
    let remaining = data(&app, "/api/budget/remaining", &token).await;
    let spent = data(&app, "/api/budget/spent", &token).await;

    assert_eq!(current, saved);
    let days = daily.as_array().unwrap();
    assert_eq!(days.len(), current["calendar"].as_array().unwrap().len());
    let total: i64 = plan["allocations"]
        .as_object()
        .unwrap()
        .values()
        .map(cents)
        .sum();
    assert_eq!(days.iter().map(|d| cents(&d["budget"])).sum::<i64>(), total);
    for (d, c) in days.iter().zip(current["calendar"].as_array().unwrap()) {
        assert_eq!(d["date"], c["date"]);
        assert_eq!(d["budget"], c["limit"]);
        assert_eq!(d["limit"], d["budget"]);
        assert_eq!(d["remaining"], d["budget"]);
        assert_eq!(d["status"], "good");
        assert_eq!(d["day_status"], "green");
    }
    for (category, amount) in plan["allocations"].as_object().unwrap() {
        assert_eq!(remaining[category], *amount, "{category}");
        assert_eq!(cents(&spent[category]), 0);
    }
    assert_eq!(cents(&remaining["total_budget"]), total);
    assert_eq!(cents(&remaining["remaining"]), total);
    assert_eq!(cents(&spent["total_spent"]), 0);
    assert_eq!(
        laid_out(&current).len(),
        plan["allocations"].as_object().unwrap().len()
    );
}

#[tokio::test]
async fn a_user_without_a_plan_sees_no_budget_days_and_only_their_own_data() {
    let app = spawn_app().await;
    let (owner, _, _) = app.user("owner@example.com").await;
    let (other, _, _) = app.user("other@example.com").await;
    onboard(&app, &owner).await;
    spend(&app, &owner, "42", "food").await;

    let daily = data(&app, "/api/budget/daily", &other).await;
    let dashboard = data(&app, "/api/dashboard", &other).await;

    assert_eq!(
        daily,
        json!([]),
        "no day has a budget (the app divides by it)"
    );
    assert_eq!(cents(&dashboard["balance"]), 0);
    assert_eq!(cents(&dashboard["spent"]), 0);
    assert!(dashboard["transactions"].as_array().unwrap().is_empty());
    let spent = data(&app, "/api/budget/spent", &other).await;
    let keys: Vec<&String> = spent.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["total_budget", "total_spent", "remaining"],
        "no category"
    );
    assert!(
        ["total_budget", "total_spent", "remaining"]
            .iter()
            .all(|k| cents(&spent[*k]) == 0)
    );
}

#[tokio::test]
async fn the_worked_case_moves_balance_spent_and_live_status() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("worked@example.com").await;
    onboard(&app, &token).await;
    let before = data(&app, "/api/budget/live_status", &token).await;

    let id = spend(&app, &token, "42.00", "food").await;
    let dash = data(&app, "/api/dashboard", &token).await;
    let live = data(&app, "/api/budget/live_status", &token).await;

    assert_eq!(dash["balance"].to_string(), "5958.00");
    assert_eq!(dash["spent"].to_string(), "42.00");
    assert_eq!(dash["user_income"].to_string(), "6000.00");
    assert_eq!(dash["transactions"][0]["id"], id);
    assert_eq!(dash["week"].as_array().unwrap().len(), 7);
    assert_eq!(cents(&dash["week"][6]["spent"]), 4_200);
    assert_eq!(live["spent_today"].to_string(), "42.00");
    assert_eq!(cents(&live["monthly_spent"]), 4_200);
    assert_eq!(
        cents(&live["remaining_today"]),
        cents(&live["daily_budget"]) - 4_200
    );
    assert_eq!(
        live["monthly_budget"], before["monthly_budget"],
        "a redistribution keeps the month's total"
    );
    assert!(
        dash["daily_targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["category"] == "food" && cents(&t["spent"]) == 4_200)
    );

    let path = format!("/api/transactions/{id}");
    assert_eq!(
        send(&app, Method::PUT, &path, &token, json!({"amount": 100}))
            .await
            .status(),
        200
    );
    let dash = data(&app, "/api/dashboard", &token).await;
    assert_eq!(
        (dash["balance"].to_string(), dash["spent"].to_string()),
        ("5900.00".into(), "100.00".into())
    );
    assert_eq!(
        send(
            &app,
            Method::PUT,
            &path,
            &token,
            json!({"category": "transportation"})
        )
        .await
        .status(),
        200
    );
    let dash = data(&app, "/api/dashboard", &token).await;
    assert_eq!(
        (dash["balance"].to_string(), dash["spent"].to_string()),
        ("5900.00".into(), "100.00".into())
    );
    assert_eq!(
        app.authed(Method::DELETE, &path, &token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let dash = data(&app, "/api/dashboard", &token).await;
    assert_eq!(
        (dash["balance"].to_string(), dash["spent"].to_string()),
        ("6000.00".into(), "0.00".into())
    );
    error_body(app.get_as(&path, &token).await, 404, "RESOURCE_3001").await;
    assert_eq!(
        cents(&data(&app, "/api/budget/live_status", &token).await["spent_today"]),
        0
    );
}

#[tokio::test]
async fn an_overspend_shows_in_the_redistribution_history() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("history@example.com").await;
    onboard(&app, &token).await;
    let today = Utc::now().date_naive();
    let last_day = mita::budget::days::days_in_month(today.year(), today.month());

    spend(&app, &token, "100", "food").await;
    let history = data(&app, "/api/budget/redistribution_history?limit=10", &token).await;

    let events = history.as_array().unwrap();
    if today.day() < last_day {
        assert!(!events.is_empty(), "future days cover the overspend");
        assert!(
            events
                .iter()
                .all(|e| e["to_category"] == "food" && e["reason"] == "realtime_rebalance")
        );
        let covered: i64 = events.iter().map(|e| cents(&e["amount"])).sum();
        // Today's food plan before the spend: 720.00 over the month's days (at least the floor).
        let food_today = 72_000 / i64::from(last_day);
        assert!(
            covered > 0 && covered <= 10_000 - food_today,
            "at most the overspend over today's food plan"
        );
    } else {
        assert!(
            events.is_empty(),
            "no future day on the last day of the month"
        );
    }
    error_body(
        app.get_as("/api/budget/redistribution_history?limit=1000", &token)
            .await,
        422,
        "VALIDATION_2003",
    )
    .await;
}

#[tokio::test]
async fn the_forecast_and_quick_stats_use_integer_figures() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("forecast@example.com").await;
    onboard(&app, &token).await;
    spend(&app, &token, "10", "food").await;
    spend(&app, &token, "5.50", "dining").await;
    spend(&app, &token, "20", "gas").await;

    let f = data(&app, "/api/budget/forecast", &token).await;
    let q = data(&app, "/api/dashboard/quick-stats", &token).await;

    let today = Utc::now().date_naive();
    assert_eq!(f["days_elapsed"], today.day());
    assert_eq!(cents(&f["spent_to_date"]), 3_550);
    assert!(f["on_track"].is_boolean() && f["safe_daily_limit"].is_number());
    assert_eq!(q["monthly_spending"].to_string(), "35.50");
    assert_eq!(q["top_category"]["name"], "transportation");
    assert_eq!(q["top_category"]["amount"].to_string(), "20.00");
    assert_eq!(cents(&q["savings_amount"]), 600_000 - 3_550);
    assert_eq!(
        q["savings_rate"].to_string(),
        "99.41",
        "(6000 − 35.50) ÷ 6000 in percent"
    );
    assert_eq!(
        cents(&q["daily_average"]),
        (3_550 + i64::from(today.day()) / 2) / i64::from(today.day())
    );
}

#[tokio::test]
async fn analytics_totals_match_the_spends() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("analytics@example.com").await;
    spend(&app, &token, "10", "food").await;
    spend(&app, &token, "5.50", "dining").await;
    spend(&app, &token, "20", "gas").await;
    spend(&app, &token, "1", "food").await;

    let monthly = data(&app, "/api/analytics/monthly", &token).await;
    let trend = data(&app, "/api/analytics/trend?days=7", &token).await;

    assert_eq!(monthly["total"].to_string(), "36.50");
    let first = &monthly["categories"][0];
    assert_eq!(
        (first["category"].as_str(), first["total"].to_string()),
        (Some("gas"), "20.00".into())
    );
    let second = &monthly["categories"][1];
    assert_eq!(
        (second["category"].as_str(), second["total"].to_string()),
        (Some("food"), "11.00".into())
    );
    let points = trend["trend"].as_array().unwrap();
    assert_eq!(points.len(), 7);
    assert_eq!(points[6]["amount"].to_string(), "36.50");
    assert_eq!(cents(&points[0]["amount"]), 0);
    error_body(
        app.get_as("/api/analytics/trend?days=0", &token).await,
        422,
        "VALIDATION_2003",
    )
    .await;
}
