//! The advisory goal routes: computed from the user's own data, by the formulas of
//! docs/goals.md, and the same data always gives the same answer.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, cents, create_goal, data, send, spawn_at};
use crate::onboarding::onboard;
use crate::support::{TestApp, error_body};

const ROUTES: [&str; 8] = [
    "/api/goals/income_based_suggestions",
    "/api/goals/smart_recommendations",
    "/api/goals/adjustments/suggestions",
    "/api/goals/opportunities/detect",
    "/api/goals/budget/allocate",
    "/api/goals/budget/progress?month=11&year=2026",
    "/api/goals/budget/adjustment_suggestions",
    "/api/goals/statistics",
];

async fn scenario() -> (TestApp, String, Value, Value, Value) {
    let (app, _clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user("advice@example.com").await;
    let plan = onboard(&app, &token).await["budget_plan"].clone();
    let g1 = create_goal(&app, &token, json!({"title": "Rainy day", "category": "Emergency", "target_amount": 5000,
        "saved_amount": 1000, "deadline": "2027-11-10", "monthly_contribution": 200, "priority": "high"})).await;
    let g2 = create_goal(
        &app,
        &token,
        json!({"title": "Trip", "category": "Travel", "target_amount": 1000,
        "saved_amount": 850, "monthly_contribution": 50, "priority": "low"}),
    )
    .await;
    let spend = json!({"amount": 30, "category": "food", "spent_at": "2026-11-10T11:00:00Z"});
    let resp = app
        .authed(Method::POST, "/api/transactions", &token)
        .json(&spend)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    (app, token, plan, g1, g2)
}

fn kinds(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_advisory_route_answers_from_the_users_data_and_repeats_itself() {
    let (app, token, plan, g1, g2) = scenario().await;
    let mut first = Vec::new();
    for route in ROUTES {
        first.push(data(&app, Method::GET, route, &token, None).await);
    }
    for (route, earlier) in ROUTES.iter().zip(&first) {
        assert_eq!(
            &data(&app, Method::GET, route, &token, None).await,
            earlier,
            "{route}: same data, same answer"
        );
    }
    let health = data(
        &app,
        Method::GET,
        &format!("/api/goals/{}/health", g1["id"].as_str().unwrap()),
        &token,
        None,
    )
    .await;

    // Income: 6000 a month is the middle tier: 20 % = 1200 a month; the user already has
    // Emergency and Travel goals, so only the investing template is left. `data` is the list,
    // the savings figures are in `meta`.
    let sugg = first[0].as_array().unwrap();
    assert_eq!(sugg.len(), 1);
    assert_eq!(
        (
            sugg[0]["category"].as_str(),
            sugg[0]["target_amount"].to_string()
        ),
        (Some("Investment"), "4320.00".into())
    );
    assert_eq!(
        (
            sugg[0]["monthly_contribution"].to_string(),
            sugg[0]["months_to_goal"].as_i64()
        ),
        ("360.00".into(), Some(12))
    );
    let meta = body(
        send(
            &app,
            Method::GET,
            "/api/goals/income_based_suggestions",
            &token,
            None,
        )
        .await,
        200,
    )
    .await["meta"]
        .clone();
    assert_eq!(meta["monthly_income"].to_string(), "6000.00");
    assert_eq!(meta["recommended_savings_rate"].to_string(), "20.00");
    assert_eq!(meta["recommended_monthly_savings"].to_string(), "1200.00");
    assert_eq!(meta["income_tier"], "middle");

    // The goal to create is the same investing template; the advice about the existing goals
    // is under `advice`. Rainy day needs 4000 over 365 days = 11.99 months: 333.59 a month
    // (rounded up) > 200.
    let r = &first[1];
    assert_eq!(kinds(&r["recommendations"]), vec!["start_investing"]);
    assert_eq!(
        r["recommendations"][0]["target_amount"].to_string(),
        "4320.00"
    );
    assert_eq!(r["count"], 1);
    assert!(r["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        kinds(&r["advice"]),
        vec!["increase_contribution", "set_target_date", "almost_there"]
    );
    assert_eq!(r["advice"][0]["goal_id"], g1["id"]);
    assert_eq!(r["advice"][0]["suggested_monthly"].to_string(), "333.59");
    assert_eq!(r["advice"][1]["goal_id"], g2["id"]);
    assert_eq!(
        r["advice"][1]["suggested_target_date"], "2027-02-10",
        "150 at 50 a month: 3 × 30.44 days"
    );
    assert_eq!(r["advice"][2]["amount"].to_string(), "150.00");

    let a = &first[2];
    assert_eq!(kinds(&a["adjustments"]), vec!["behind_schedule"]);
    assert_eq!(
        a["adjustments"][0]["suggested_monthly"].to_string(),
        "333.59"
    );
    assert_eq!(
        a["adjustments"][0]["suggested_target_date"], "2028-07-11",
        "20 months at 200 = 609 days"
    );
    assert_eq!(a["adjustments"][0]["current_monthly"].to_string(), "200.00");

    let o = &first[3];
    assert_eq!(
        o["count"].as_u64().unwrap() as usize,
        o["opportunities"].as_array().unwrap().len()
    );
    for item in o["opportunities"].as_array().unwrap() {
        assert_eq!(item["goal_id"], g1["id"], "the most important goal");
        assert!(cents(&item["amount"]) >= 100);
    }

    // The month leaves income − Σ planned for goals; the high-priority goal is served first.
    let planned: i64 = plan["allocations"]
        .as_object()
        .unwrap()
        .values()
        .map(cents)
        .sum();
    let alloc = &first[4];
    assert_eq!(cents(&alloc["available_for_goals"]), 600_000 - planned);
    let list = alloc["allocations"].as_array().unwrap();
    assert_eq!(
        (list[0]["goal_id"].clone(), list[1]["goal_id"].clone()),
        (g1["id"].clone(), g2["id"].clone())
    );
    assert_eq!(list[0]["required_monthly"].to_string(), "333.59");
    assert_eq!(list[1]["required_monthly"].to_string(), "50.00");
    assert_eq!(cents(&alloc["total_required"]), 38_359);

    let p = &first[5];
    let reserved = cents(&p["goals"][0]["reserved"]);
    assert!(reserved > 0, "the dated goal reserves this month: {p}");
    assert_eq!(cents(&p["total_reserved"]), reserved);
    assert!(first[6]["count"].is_number() && first[6]["suggestions"].is_array());

    // Created today, so progress is where the straight line expects it (score 100), but 200 a
    // month finishes in July 2028, after the November 2027 target: not on track.
    assert_eq!(health["goal_id"], g1["id"]);
    assert_eq!(
        (
            health["health_score"].as_i64(),
            health["risk_level"].as_str(),
            health["on_track"].as_bool()
        ),
        (Some(100), Some("low"), Some(false))
    );
    assert_eq!(health["required_monthly"].to_string(), "333.59");
    assert_eq!(health["months_left"].to_string(), "11.99");
    assert_eq!(health["projected_completion_date"], "2028-07-11");
}

#[tokio::test]
async fn a_transfer_shows_in_the_months_goal_progress() {
    let (app, token, _, g1, _) = scenario().await;
    let id = g1["id"].as_str().unwrap();
    data(
        &app,
        Method::POST,
        &format!("/api/goals/{id}/auto_transfer"),
        &token,
        Some(&json!({"amount": 100})),
    )
    .await;
    let p = data(
        &app,
        Method::GET,
        "/api/goals/budget/progress",
        &token,
        None,
    )
    .await;
    let mine = p["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["goal_id"] == g1["id"])
        .unwrap();
    assert_eq!(mine["contributed"].to_string(), "100.00");
    assert_eq!(p["total_contributed"].to_string(), "100.00");
}

#[tokio::test]
async fn advice_for_a_user_without_data_is_empty_not_an_error() {
    let (app, _clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user("advice-empty@example.com").await;
    for route in ROUTES {
        data(&app, Method::GET, route, &token, None).await;
    }
    let s = data(
        &app,
        Method::GET,
        "/api/goals/income_based_suggestions",
        &token,
        None,
    )
    .await;
    assert_eq!(s, json!([]));
    let r = data(
        &app,
        Method::GET,
        "/api/goals/smart_recommendations",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (r["recommendations"].clone(), r["count"].clone()),
        (json!([]), json!(0))
    );
    error_body(
        app.get_as("/api/goals/budget/allocate?month=13", &token)
            .await,
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        app.get_as("/api/goals/budget/progress?year=abc", &token)
            .await,
        400,
        "VALIDATION_2002",
    )
    .await;
}
