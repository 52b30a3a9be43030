//! Budget automation and advice: auto_adapt changes the real plan and keeps the BUDGET.md
//! invariants; adaptations, suggestions, the behavioral split, income-based recommendations and
//! the monthly figures answer what the app reads; the switches persist; bad input is 422.

use chrono::NaiveDate;
use mita::id::Id;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, cents, count, data, refused, send, spawn_at};
use crate::onboarding::onboard;
use crate::support::TestApp;

type PlanRow = (Id, NaiveDate, String, i64);

async fn plan_rows(app: &TestApp, user: &str) -> Vec<PlanRow> {
    let user: Id = user.parse().unwrap();
    mita::on_db!(&app.db, pool => sqlx::query_as::<_, PlanRow>(
        "SELECT id, date, category, planned_cents FROM daily_plan WHERE user_id = $1 ORDER BY id")
        .bind(user).fetch_all(pool).await)
    .unwrap()
}

/// A user onboarded with the worked case on 10 December who spent 150.00 on food on each of the
/// 1st to 3rd: food is far ahead of its pace, the other variable categories behind theirs.
async fn spender() -> (TestApp, String, String) {
    let (app, _clock) = spawn_at(at(2026, 12, 10, 12)).await;
    let (token, _, id) = app.user("adapt@example.com").await;
    onboard(&app, &token).await;
    for d in 1..=3 {
        let payload = json!({"amount": 150, "category": "food", "spent_at": format!("2026-12-0{d}T12:00:00Z")});
        let resp = send(
            &app,
            Method::POST,
            "/api/transactions",
            &token,
            Some(&payload),
        )
        .await;
        assert_eq!(resp.status(), 201);
    }
    (app, token, id)
}

#[tokio::test]
async fn auto_adapt_moves_plan_money_to_the_category_ahead_of_pace_and_keeps_the_invariants() {
    let (app, token, id) = spender().await;
    let today = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();

    let pending = data(&app, Method::GET, "/api/budget/adaptations", &token, None).await;
    assert_eq!(pending["categories"]["food"]["status"], "over");
    assert_eq!(pending["auto_adapt_enabled"], true);
    let proposed = pending["pending_suggestions"].as_array().unwrap().clone();
    assert!(!proposed.is_empty(), "{pending}");
    assert!(proposed.iter().all(|m| m["to_category"] == "food"));

    let before = plan_rows(&app, &id).await;
    let adapted = data(&app, Method::POST, "/api/budget/auto_adapt", &token, None).await;
    assert_eq!(adapted["adapted"], true, "{adapted}");
    assert_eq!(
        adapted["transfers"].as_array().unwrap().len(),
        proposed.len()
    );
    let after = plan_rows(&app, &id).await;

    // R1: Σ planned over the month unchanged; the moved total is what the rows lost.
    let total = |rows: &[PlanRow]| rows.iter().map(|r| r.3).sum::<i64>();
    assert_eq!(total(&before), total(&after));
    assert_eq!(before.len(), after.len());
    let mut lost = 0;
    let mut food_gained = 0;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!((b.0, b.1, &b.2), (a.0, a.1, &a.2));
        let sacred = [
            "rent",
            "mortgage",
            "utilities",
            "insurance",
            "subscriptions",
            "education",
            "childcare",
            "debt_payments",
            "goal_savings",
        ]
        .contains(&b.2.as_str());
        // R2: sacred rows, past rows and today's rows never change.
        if sacred || b.1 <= today {
            assert_eq!(b.3, a.3, "{b:?}");
        }
        // R3: never negative, never more than half of a row's planned taken.
        assert!(a.3 >= 0);
        assert!(b.3 - a.3 <= b.3 / 2, "{b:?} -> {a:?}");
        lost += (b.3 - a.3).max(0);
        if b.2 == "food" {
            food_gained += a.3 - b.3;
        }
    }
    let moved = cents(&adapted["total_moved"]);
    assert!(moved > 0);
    assert_eq!(lost, moved);
    assert_eq!(food_gained, moved);
    // R4: the events sum to what moved, one per move.
    let events = count(
        &app,
        "SELECT COUNT(*) FROM redistribution_events WHERE reason = 'auto_adapt'",
    )
    .await;
    assert_eq!(events, i64::try_from(proposed.len()).unwrap());
    let event_sum = count(&app,
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM redistribution_events WHERE reason = 'auto_adapt'").await;
    assert_eq!(event_sum, moved);

    let later = data(&app, Method::GET, "/api/budget/adaptations", &token, None).await;
    assert_eq!(
        later["recent_adaptations"].as_array().unwrap().len(),
        proposed.len()
    );
    // The history the app shows lists them too.
    let history = data(
        &app,
        Method::GET,
        "/api/budget/redistribution_history",
        &token,
        None,
    )
    .await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "auto_adapt")
    );
}

#[tokio::test]
async fn suggestions_monthly_and_the_allocations_answer_what_the_app_reads() {
    let (app, token, _) = spender().await;
    let s = data(
        &app,
        Method::GET,
        "/api/budget/suggestions?year=2026&month=12",
        &token,
        None,
    )
    .await;
    let first = &s["suggestions"][0];
    assert_eq!(
        (first["category"].as_str(), first["type"].as_str()),
        (Some("food"), Some("reduce"))
    );
    assert!(first["message"].as_str().unwrap().contains("food"));
    assert!(cents(&first["potential_savings"]) > 0);
    assert_eq!(s["confidence"].to_string(), "0.32"); // 10 of 31 days
    assert_eq!(s["priority_areas"][0], "food");

    let m = data(
        &app,
        Method::POST,
        "/api/budget/monthly",
        &token,
        Some(&json!({"year": 2026, "month": 12, "user_answers": {"x": 1}})),
    )
    .await;
    assert_eq!(m["total_income"].to_string(), "6000.00");
    assert_eq!(m["categories"]["rent"].to_string(), "1500.00");
    assert_eq!(m["spent"].to_string(), "450.00");
    assert_eq!(m["ignored_fields"], json!(["user_answers"]));

    // The settings screen: allocations[cat] is a double (written with decimals).
    let r = data(
        &app,
        Method::POST,
        "/api/budget/income_based_recommendations",
        &token,
        Some(&json!({"monthly_income": 6000.0})),
    )
    .await;
    assert_eq!(r["tier"], "middle");
    let allocations = r["allocations"].as_object().unwrap();
    assert!(allocations.values().all(|v| v.to_string().contains('.')));
    assert_eq!(allocations.values().map(cents).sum::<i64>(), 600_000);

    let b = data(
        &app,
        Method::POST,
        "/api/budget/behavioral_allocation",
        &token,
        Some(&json!({"total_amount": 6000.0, "profile": {"income_tier": "middle"}})),
    )
    .await;
    let food = &b["allocations"]["food"];
    assert!(
        food["amount"].is_number() && food["confidence"].is_number(),
        "{b}"
    );
    // Three food spends give the history a weight of 30 in food.
    assert_eq!(food["confidence"], 30);
    assert!(cents(&food["amount"]) > cents(&food["base_amount"]));
    let sum: i64 = b["allocations"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| cents(&v["amount"]))
        .sum();
    assert_eq!(sum, cents(&b["variable_total"]));
}

#[tokio::test]
async fn automation_switches_persist_and_bad_input_is_refused_without_writing() {
    let (app, _clock) = spawn_at(at(2026, 12, 10, 12)).await;
    let (token, _, _) = app.user("switches@example.com").await;
    let s = data(
        &app,
        Method::GET,
        "/api/budget/automation_settings",
        &token,
        None,
    )
    .await;
    for key in [
        "auto_redistribution",
        "smart_suggestions",
        "behavioral_learning",
        "realtime_alerts",
    ] {
        assert_eq!(s[key], true, "{key}");
    }
    assert_eq!(s["updated_at"], Value::Null);
    data(
        &app,
        Method::PATCH,
        "/api/budget/automation_settings",
        &token,
        Some(&json!({"auto_redistribution": false})),
    )
    .await;
    let s = data(
        &app,
        Method::GET,
        "/api/budget/automation_settings",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (
            s["auto_redistribution"].as_bool(),
            s["smart_suggestions"].as_bool()
        ),
        (Some(false), Some(true))
    );

    let cases: Vec<(Method, &str, Value, &str)> = vec![
        (
            Method::PATCH,
            "/api/budget/automation_settings",
            json!({"auto_redistribution": "yes"}),
            "body.auto_redistribution",
        ),
        (
            Method::PATCH,
            "/api/budget/automation_settings",
            json!({"smart_suggestions": true, "autopilot": true}),
            "body",
        ),
        (
            Method::POST,
            "/api/budget/income_based_recommendations",
            json!({"monthly_income": 0}),
            "body.monthly_income",
        ),
        (
            Method::POST,
            "/api/budget/income_based_recommendations",
            json!({}),
            "body.monthly_income",
        ),
        (
            Method::POST,
            "/api/budget/behavioral_allocation",
            json!({"total_amount": -5}),
            "body.total_amount",
        ),
        (
            Method::POST,
            "/api/budget/behavioral_allocation",
            json!({"total_amount": 100, "profile": "rich"}),
            "body.profile",
        ),
        (
            Method::POST,
            "/api/budget/monthly",
            json!({"year": 2026, "month": 13}),
            "month",
        ),
    ];
    for (method, path, payload, field) in cases {
        let err = refused(send(&app, method, path, &token, Some(&payload)).await, 422).await;
        let got = err["error"]["details"]["validation_errors"][0]["field"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            got == field || got.starts_with(&format!("{field}.")),
            "{path} {payload}: {err}"
        );
    }
    let err = refused(
        send(
            &app,
            Method::GET,
            "/api/budget/suggestions?month=0",
            &token,
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        err["error"]["details"]["validation_errors"][0]["field"],
        "month"
    );
    // Only the one valid switch change was written; the behavioral split of a user without
    // income or history needs an amount.
    let s = data(
        &app,
        Method::GET,
        "/api/budget/automation_settings",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (
            s["auto_redistribution"].as_bool(),
            s["smart_suggestions"].as_bool()
        ),
        (Some(false), Some(true))
    );
    refused(
        send(
            &app,
            Method::POST,
            "/api/budget/behavioral_allocation",
            &token,
            Some(&json!({})),
        )
        .await,
        422,
    )
    .await;
    // Nothing to adapt without a plan: answered, nothing written.
    let a = data(&app, Method::POST, "/api/budget/auto_adapt", &token, None).await;
    assert_eq!(a["adapted"], false);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM redistribution_events").await,
        0
    );
}

#[tokio::test]
async fn with_auto_redistribution_off_an_overspend_stays_uncovered() {
    let (app, _clock) = spawn_at(at(2026, 12, 10, 12)).await;
    let (token, _, _) = app.user("switch-off@example.com").await;
    onboard(&app, &token).await;
    data(
        &app,
        Method::PATCH,
        "/api/budget/automation_settings",
        &token,
        Some(&json!({"auto_redistribution": false})),
    )
    .await;
    let payload = json!({"amount": 300, "category": "entertainment"});
    let resp = send(
        &app,
        Method::POST,
        "/api/transactions",
        &token,
        Some(&payload),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["data"]["rebalanced"], false, "{b}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM redistribution_events").await,
        0
    );
    // Back on: the next overspend is covered from later days.
    data(
        &app,
        Method::PATCH,
        "/api/budget/automation_settings",
        &token,
        Some(&json!({"auto_redistribution": true})),
    )
    .await;
    let resp = send(
        &app,
        Method::POST,
        "/api/transactions",
        &token,
        Some(&payload),
    )
    .await;
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["data"]["rebalanced"], true, "{b}");
    assert!(count(&app, "SELECT COUNT(*) FROM redistribution_events").await > 0);
}

async fn patch_switches(app: &TestApp, token: &str, body: Value) {
    data(
        app,
        Method::PATCH,
        "/api/budget/automation_settings",
        token,
        Some(&body),
    )
    .await;
}

async fn spend_entertainment(app: &TestApp, token: &str, day: u32) {
    let payload = json!({"amount": 400, "category": "entertainment",
        "spent_at": format!("2026-12-{day:02}T12:00:00Z")});
    let resp = send(
        app,
        Method::POST,
        "/api/transactions",
        token,
        Some(&payload),
    )
    .await;
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn the_other_switches_turn_off_suggestions_learning_and_realtime_alerts() {
    let (app, token, _) = spender().await;
    // On (the default): food's pace gives suggestions and its history weighs in.
    let s = data(&app, Method::GET, "/api/budget/suggestions", &token, None).await;
    assert!(!s["suggestions"].as_array().unwrap().is_empty(), "{s}");
    patch_switches(
        &app,
        &token,
        json!({"smart_suggestions": false, "behavioral_learning": false}),
    )
    .await;
    let s = data(&app, Method::GET, "/api/budget/suggestions", &token, None).await;
    assert_eq!(s["suggestions"], json!([]), "{s}");
    assert_eq!(s["intelligent_insights"], json!([]));
    assert_eq!(
        (s["total_count"].as_i64(), s["smart_suggestions"].as_bool()),
        (Some(0), Some(false))
    );
    assert!(!s["category_insights"].as_array().unwrap().is_empty());
    let b = data(
        &app,
        Method::POST,
        "/api/budget/behavioral_allocation",
        &token,
        Some(&json!({"total_amount": 6000.0})),
    )
    .await;
    let food = &b["allocations"]["food"];
    assert_eq!(
        (food["confidence"].as_i64(), b["method"].as_str()),
        (Some(0), Some("base")),
        "{b}"
    );
    assert_eq!(cents(&food["amount"]), cents(&food["base_amount"]));

    // realtime_alerts off: a spend that turns today red raises nothing ...
    patch_switches(&app, &token, json!({"realtime_alerts": false})).await;
    let sql = "SELECT COUNT(*) FROM notifications";
    let before = count(&app, sql).await;
    spend_entertainment(&app, &token, 10).await;
    assert_eq!(count(&app, sql).await, before);
    // ... and back on, the same spend on another day raises its alert.
    patch_switches(&app, &token, json!({"realtime_alerts": true})).await;
    spend_entertainment(&app, &token, 9).await;
    assert!(count(&app, sql).await > before);
}
