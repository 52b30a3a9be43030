//! Budget mode, previews, goal summary, parameter checks and authentication of the views.

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use super::{data, send};
use crate::onboarding::laid_out;
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn the_budget_mode_is_persisted_and_checked() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("mode@example.com").await;
    assert_eq!(
        data(&app, "/api/budget/mode", &token).await["mode"],
        "default"
    );

    let resp = send(
        &app,
        Method::PATCH,
        "/api/budget/mode",
        &token,
        json!({"mode": "goal-oriented"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        data(&app, "/api/budget/mode", &token).await["mode"],
        "goal",
        "answered in the app's name"
    );
    let resp = send(
        &app,
        Method::PATCH,
        "/api/budget/mode",
        &token,
        json!({"mode": "yolo"}),
    )
    .await;
    error_body(resp, 422, "VALIDATION_2001").await;
    let resp = send(
        &app,
        Method::PATCH,
        "/api/budget/mode",
        &token,
        json!({"mode": "strict"}),
    )
    .await;
    assert_eq!(
        resp.json::<Value>().await.unwrap()["data"]["mode"],
        "strict"
    );
    assert_eq!(
        data(&app, "/api/budget/mode", &token).await["mode"],
        "strict"
    );
}

#[tokio::test]
async fn shell_and_redistribute_are_previews_that_save_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("shell@example.com").await;
    let shell = json!({"income": 3000, "savings_target": 300, "fixed": {"rent": 1000},
                       "weights": {"food": 0.2, "transportation": 10}, "year": 2026, "month": 2});

    let resp = send(&app, Method::POST, "/api/calendar/shell", &token, shell).await;
    assert_eq!(resp.status(), 200);
    let out = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(out["calendar"].as_array().unwrap().len(), 28);
    assert_eq!(out["allocations"]["food"].to_string(), "600.00");
    assert_eq!(out["allocations"]["transportation"].to_string(), "300.00");
    let laid = laid_out(&json!({"calendar": out["calendar"]}));
    assert_eq!(laid["food"], 60_000);
    let rows: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM daily_plan").fetch_one(pool).await).unwrap();
    assert_eq!(rows, 0, "a preview is not saved");

    let calendar =
        json!({"calendar": {"1": {"total": 50, "limit": 100}, "2": {"total": 130, "limit": 100}}});
    let resp = send(
        &app,
        Method::POST,
        "/api/calendar/redistribute",
        &token,
        calendar.clone(),
    )
    .await;
    let out = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(out["updated_calendar"]["1"]["limit"].to_string(), "70.00");
    assert_eq!(out["updated_calendar"]["2"]["limit"].to_string(), "130.00");
    let mut greedy = calendar;
    greedy["strategy"] = json!("greedy");
    error_body(
        send(
            &app,
            Method::POST,
            "/api/calendar/redistribute",
            &token,
            greedy,
        )
        .await,
        422,
        "VALIDATION_2003",
    )
    .await;
    let bad = json!({"income": 1000, "fixed": {"rent": 2000}});
    error_body(
        send(&app, Method::POST, "/api/calendar/shell", &token, bad).await,
        422,
        "BUSINESS_4001",
    )
    .await;
}

#[tokio::test]
async fn goals_summary_excludes_deleted_goals() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("goals@example.com").await;
    let user: mita::id::Id = user_id.parse().unwrap();
    let yesterday = Utc::now().date_naive().pred_opt().unwrap();
    for (saved, target_date, deleted) in [
        (9_000_i64, None, None),
        (100, Some(yesterday), None),
        (9_500, None, Some(1_i64)),
    ] {
        mita::on_write!(&app.db, pool => sqlx::query(
            "INSERT INTO goals (id, user_id, title, target_amount_cents, saved_amount_cents, status, target_date, created_at, updated_at, deleted_at) \
             VALUES ($1, $2, 'g', 10000, $3, 'active', $4, 1, 1, $5)")
            .bind(mita::id::Id::new()).bind(user).bind(saved).bind(target_date).bind(deleted).execute(pool).await.map(|_| ())).unwrap();
    }

    let dash = data(&app, "/api/dashboard", &token).await;
    let quick = data(&app, "/api/dashboard/quick-stats", &token).await;

    assert_eq!(
        dash["goals_summary"],
        json!({"total_active": 2, "near_completion": 1, "overdue": 1})
    );
    assert_eq!(quick["goals_stats"]["total_goals"], 2);
    assert_eq!(
        quick["goals_stats"]["total_saved_amount"].to_string(),
        "91.00"
    );
}

#[tokio::test]
async fn parameters_are_validated_as_422() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("params@example.com").await;
    for path in [
        "/api/calendar/saved/2026/13",
        "/api/calendar/saved/abc/1",
        "/api/budget/daily?month=0",
        "/api/budget/daily?year=1800",
    ] {
        error_body(app.get_as(path, &token).await, 422, "VALIDATION_2003").await;
    }
    error_body(
        app.get_as("/api/budget/daily?month=abc", &token).await,
        400,
        "VALIDATION_2002",
    )
    .await;
    // A valid month without a plan: no day has a budget.
    let past = data(&app, "/api/budget/daily?year=2024&month=2", &token).await;
    assert_eq!(past.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn every_route_needs_a_token() {
    let app = spawn_app().await;
    for path in [
        "/api/budget/daily",
        "/api/budget/spent",
        "/api/budget/remaining",
        "/api/budget/live_status",
        "/api/budget/redistribution_history",
        "/api/budget/mode",
        "/api/budget/forecast",
        "/api/calendar/saved/2026/1",
        "/api/calendar/current-month",
        "/api/dashboard",
        "/api/dashboard/quick-stats",
        "/api/analytics/monthly",
        "/api/analytics/trend",
    ] {
        error_body(app.get(path).await, 401, "AUTH_1004").await;
    }
    for path in ["/api/calendar/shell", "/api/calendar/redistribute"] {
        error_body(app.post_json(path, &json!({})).await, 401, "AUTH_1004").await;
    }
    let resp = app
        .client
        .patch(app.url("/api/budget/mode"))
        .json(&json!({"mode": "strict"}))
        .send()
        .await
        .unwrap();
    error_body(resp, 401, "AUTH_1004").await;
}
