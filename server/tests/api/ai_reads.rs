//! The remaining `/api/ai/*` reads (docs/insights.md, "AI reads"): each rule on hand-made data,
//! the app's own requests, another user's goal 404, bad input 422.

use reqwest::Method;
use serde_json::json;

use crate::ghn_support::{at, body, create_goal, data, send, spawn_at};

async fn spend(app: &crate::support::TestApp, token: &str, amount: f64, category: &str, at: &str) {
    let payload =
        json!({"amount": amount, "category": category, "description": "test", "spent_at": at});
    body(
        send(
            app,
            Method::POST,
            "/api/transactions",
            token,
            Some(&payload),
        )
        .await,
        201,
    )
    .await;
}

/// Today is Saturday 2026-12-05; income 6000 (onboarding). October: rent 500 on the 2nd,
/// dining 100 on the 5th; November: rent 500 on the 2nd, dining 300 on the 5th; December:
/// dining 40 on the 2nd.
#[tokio::test]
async fn the_ai_reads_follow_their_rules_on_the_callers_data() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 12)).await;
    let (alice, _, _) = app.user("ai-reads@example.com").await;
    let (bob, _, _) = app.user("ai-reads-bob@example.com").await;
    crate::onboarding::onboard(&app, &alice).await;
    for m in [10, 11] {
        spend(
            &app,
            &alice,
            500.0,
            "rent",
            &format!("2026-{m}-02T10:00:00Z"),
        )
        .await;
    }
    spend(&app, &alice, 100.0, "dining", "2026-10-05T10:00:00Z").await;
    spend(&app, &alice, 300.0, "dining", "2026-11-05T10:00:00Z").await;
    spend(&app, &alice, 40.0, "dining", "2026-12-02T10:00:00Z").await;

    // O1: October and November used; dining averages 200, cut to 180.
    let d = data(
        &app,
        Method::GET,
        "/api/ai/budget-optimization",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["months_used"], 2);
    assert_eq!(d["current_allocation"]["dining"], 200.0);
    assert_eq!(d["current_allocation"]["rent"], 500.0);
    assert_eq!(d["optimized_allocation"]["dining"], 180.0);
    assert_eq!(d["expected_savings"], 20.0);
    assert_eq!(d["overall_score"], 71);
    assert_eq!(d["confidence"], 0.7);
    assert!(d["suggestions"][0].as_str().unwrap().contains("dining"));
    assert_eq!(d["source"], "rules");

    // O2: 700 a month of 6000 leaves 88.33 %.
    let d = data(
        &app,
        Method::GET,
        "/api/ai/savings-optimization",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["potential_savings"], 20.0);
    assert_eq!(d["savings_rate_bp"], 8833);
    assert!(d["suggestions"][0].as_str().unwrap().contains("20.00"));

    // SP1: 1440.00 over the 90 days ending today → 480.00 in 30 days.
    let d = data(
        &app,
        Method::GET,
        "/api/ai/spending-prediction?days_ahead=30",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["predicted_amount"], 480.0);
    assert_eq!(d["period_days"], 30);
    assert_eq!(d["predictions"]["rent"]["predicted_amount"], 333.33);
    assert_eq!(d["predictions"]["rent"]["confidence"], 0.7);
    assert!(d["predictions"]["dining"]["influencing_factors"].is_array());
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/ai/spending-prediction?days_ahead=0",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "query.days_ahead"
    );

    // F1 for November: rent first (62.5 %), T3 (all in the first week) and T4 (dining 37.5 %).
    let d = data(
        &app,
        Method::GET,
        "/api/ai/personalized-feedback?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    assert!(
        d["feedback"]
            .as_str()
            .unwrap()
            .starts_with("rent is your largest category")
    );
    assert_eq!(d["category_focus"], "rent");
    assert_eq!(
        d["triggers"],
        json!(["month_start_spending", "discretionary_spending"])
    );
    assert_eq!(d["tips"].as_array().unwrap().len(), 3);
    assert!(d["tips"][2].as_str().unwrap().contains("rent"));

    // FP1 for November: 800 of 6000 → saver; the two triggers are the improvement areas.
    let d = data(
        &app,
        Method::GET,
        "/api/ai/profile?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["spending_personality"], "saver");
    assert_eq!(d["improvement_areas"].as_array().unwrap().len(), 2);
    assert_eq!(d["strengths"], d["key_strengths"]);
    assert!(
        d["key_strengths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "You spend 13% of your income")
    );
    assert!(d["recommended_strategies"].is_array());
    assert!(d["key_traits"].is_array());

    // A1: November has no plan days (onboarding was in December) → graded by the savings
    // rate 86.67 % → A; it is the newest snapshot afterwards.
    let d = data(
        &app,
        Method::POST,
        "/api/ai/snapshot?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    assert_eq!(
        (d["rating"].as_str(), d["risk"].as_str()),
        (Some("A"), Some("low"))
    );
    let latest = data(&app, Method::GET, "/api/ai/latest-snapshots", &alice, None).await;
    assert_eq!(latest[0]["kind"], "month_snapshot");
    assert_eq!(latest[0]["rating"], "A");
    assert_eq!(latest[0]["summary"], d["summary"]);
    body(
        send(
            &app,
            Method::POST,
            "/api/ai/snapshot?year=2026&month=13",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;

    // G1: a goal with too small a contribution is behind and gets an adjustment.
    let g = create_goal(
        &app,
        &alice,
        json!({"title": "Bike", "target_amount": 1000, "deadline": "2027-06-01", "monthly_contribution": 10}),
    )
    .await;
    let id = g["id"].as_str().unwrap();
    let d = data(&app, Method::GET, "/api/ai/goal-analysis", &alice, None).await;
    assert_eq!(d["goals"].as_array().unwrap().len(), 1);
    assert_eq!(d["on_track"], false);
    assert!(
        d["adjustments_needed"][0]
            .as_str()
            .unwrap()
            .starts_with("Bike: save")
    );
    let d = data(
        &app,
        Method::GET,
        &format!("/api/ai/goal-analysis?goal_id={id}"),
        &alice,
        None,
    )
    .await;
    assert_eq!(d["goal_id"], id);
    // Bob cannot analyse Alice's goal; a malformed id is 422.
    body(
        send(
            &app,
            Method::GET,
            &format!("/api/ai/goal-analysis?goal_id={id}"),
            &bob,
            None,
        )
        .await,
        404,
    )
    .await;
    body(
        send(
            &app,
            Method::GET,
            "/api/ai/goal-analysis?goal_id=nope",
            &bob,
            None,
        )
        .await,
        422,
    )
    .await;

    // Bob's answers hold nothing of Alice's.
    let d = data(&app, Method::GET, "/api/ai/goal-analysis", &bob, None).await;
    assert_eq!(
        (d["goals"].as_array().unwrap().len(), &d["on_track"]),
        (0, &json!(true))
    );
    let d = data(&app, Method::GET, "/api/ai/budget-optimization", &bob, None).await;
    assert_eq!(d["months_used"], 0);
    assert_eq!(d["current_allocation"], json!({}));
    let d = data(&app, Method::GET, "/api/ai/spending-prediction", &bob, None).await;
    assert_eq!(d["predicted_amount"], 0.0);
    let d = data(&app, Method::GET, "/api/ai/profile", &bob, None).await;
    assert_eq!(d["spending_personality"], "getting_started");
}
