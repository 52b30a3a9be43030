//! Peer comparison (docs/insights.md, "Cohorts"): aggregates only over at least
//! `cohort.min_users` (10) peers; with k − 1 peers the answers are exactly those of a user with
//! no peer at all, so nothing about them can be inferred.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, data, send, spawn_at};
use crate::support::TestApp;

async fn member(app: &TestApp, email: &str, income: f64) -> String {
    let (token, _, _) = app.user(email).await;
    data(
        app,
        Method::PATCH,
        "/api/users/me",
        &token,
        Some(&json!({"income": income})),
    )
    .await;
    token
}

async fn spend(app: &TestApp, token: &str, amount: f64, category: &str) {
    let payload = json!({"amount": amount, "category": category, "description": "test",
        "spent_at": "2026-12-02T10:00:00Z"});
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

async fn answers(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/cohort/peer_comparison",
        "/api/cohort/insights",
        "/api/insights/income_based_tips",
    ] {
        out.push(data(app, Method::GET, path, token, None).await);
    }
    out
}

#[tokio::test]
async fn peers_are_compared_only_from_k_of_them_and_k_minus_one_reveal_nothing() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 12)).await;
    // Alice: 5000 a month (middle tier: 57,600 < 60,000 ≤ 86,400 a year), 200.00 of food.
    let alice = member(&app, "cohort-alice@example.com", 5000.0).await;
    spend(&app, &alice, 200.0, "food").await;
    let d = data(
        &app,
        Method::GET,
        "/api/cohort/income_classification",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["tier"], "middle");
    assert_eq!(d["monthly_income"], 5000.0);
    assert_eq!(d["range"], "57600–86400 a year");

    let alone = answers(&app, &alice).await;
    assert_eq!(alone[0]["available"], false);
    assert_eq!(alone[0]["reason"], "cohort_too_small");
    assert_eq!(alone[2].as_array().unwrap().len(), 1);

    // Outside the cohort: another tier, and a user without income.
    let rich = member(&app, "cohort-rich@example.com", 20000.0).await;
    spend(&app, &rich, 9999.0, "food").await;
    let (none, _, _) = app.user("cohort-none@example.com").await;
    spend(&app, &none, 7777.0, "food").await;

    // k − 1 = 9 peers, spending 100, 200, … 900 (one of them also 50.00 of gifts).
    let mut peers = Vec::new();
    for i in 1..=9 {
        let p = member(&app, &format!("cohort-peer{i}@example.com"), 5000.0).await;
        spend(&app, &p, 100.0 * f64::from(i), "food").await;
        peers.push(p);
    }
    spend(&app, &peers[0], 50.0, "gifts").await;
    // Nothing about the nine can be read: every answer is the one Alice had alone.
    assert_eq!(answers(&app, &alice).await, alone);

    // The 10th peer (1000.00) makes the cohort: 10 peers, 5500 spent, 50,000 earned.
    let p = member(&app, "cohort-peer10@example.com", 5000.0).await;
    spend(&app, &p, 1000.0, "food").await;
    let d = data(
        &app,
        Method::GET,
        "/api/cohort/peer_comparison?year=2026&month=12",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["available"], true);
    assert_eq!(d["cohort_size"], 10);
    assert_eq!(d["your_spending"], 200.0);
    assert_eq!(d["peer_average"], 555.0);
    assert_eq!(d["peer_median"], 550.0);
    // One peer below (100), one equal (200): (1 + ½) ÷ 10 = 15 %.
    assert_eq!(d["percentile"], 15);
    assert_eq!(d["comparison"], "below");
    assert_eq!(d["peer_savings_rate"], 0.89);
    // Food: every peer; gifts: one peer only → not shown.
    assert_eq!(d["categories"]["food"]["peer_average"], 550.0);
    assert_eq!(d["categories"]["food"]["your_amount"], 200.0);
    assert!(d["categories"].get("gifts").is_none());
    assert!(d["insights"][0].as_str().unwrap().contains("555.00"));

    let d = data(&app, Method::GET, "/api/cohort/insights", &alice, None).await;
    assert_eq!(d["cohort_size"], 10);
    assert_eq!(d["percentile"], 15);
    assert!(!d["top_insights"].as_array().unwrap().is_empty());
    assert!(d["recommendations"].is_array());
    let d = data(
        &app,
        Method::GET,
        "/api/insights/income_based_tips",
        &alice,
        None,
    )
    .await;
    assert!(d[0].as_str().unwrap().contains("555.00"));

    // A peer above the average gets the recommendations of K3.
    let d = data(&app, Method::GET, "/api/cohort/insights", &p, None).await;
    assert_eq!(d["comparison"], "above");
    assert!(
        d["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("Your food spending"))
    );

    // Without an income there is no cohort.
    let d = data(
        &app,
        Method::GET,
        "/api/cohort/peer_comparison",
        &none,
        None,
    )
    .await;
    assert_eq!(d["reason"], "no_income");
    assert_eq!(d["peer_average"], Value::Null);
    let d = data(
        &app,
        Method::GET,
        "/api/cohort/income_classification",
        &none,
        None,
    )
    .await;
    assert_eq!(d["tier"], Value::Null);
    body(
        send(
            &app,
            Method::GET,
            "/api/cohort/peer_comparison?month=13",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;
}
