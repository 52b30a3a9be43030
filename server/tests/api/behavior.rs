//! The behaviour screens (docs/insights.md, "Behaviour"): each rule on hand-made data, the
//! switches, and that one user's answers never contain another's data.

use reqwest::Method;
use serde_json::json;

use crate::ghn_support::{at, body, count, data, send, spawn_at};

#[tokio::test]
async fn the_switches_have_defaults_a_patch_sets_only_what_it_names_and_bad_values_are_refused() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 10)).await;
    let (alice, _, _) = app.user("behavior-switches@example.com").await;
    let (bob, _, _) = app.user("behavior-switches-bob@example.com").await;
    let d = data(&app, Method::GET, "/api/behavior/preferences", &alice, None).await;
    assert_eq!(
        d,
        json!({"auto_insights": true, "anomaly_detection": true, "predictive_alerts": true, "peer_comparison": false})
    );
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/notification_settings",
        &alice,
        None,
    )
    .await;
    assert_eq!(
        d,
        json!({"pattern_alerts": true, "anomaly_detection": true, "budget_adaptation": true, "weekly_insights": true})
    );
    // The app's PATCH: every key, null for the unset ones.
    let d = data(
        &app,
        Method::PATCH,
        "/api/behavior/notification_settings",
        &alice,
        Some(&json!({"pattern_alerts": false, "anomaly_detection": null, "budget_adaptation": null, "weekly_insights": false})),
    )
    .await;
    assert_eq!(d["pattern_alerts"], false);
    assert_eq!(d["anomaly_detection"], true);
    assert_eq!(d["weekly_insights"], false);
    data(
        &app,
        Method::PATCH,
        "/api/behavior/preferences",
        &alice,
        Some(&json!({"peer_comparison": true, "unknown_key": 5})),
    )
    .await;
    // Preferences and notification switches are separate objects.
    let d = data(&app, Method::GET, "/api/behavior/preferences", &alice, None).await;
    assert_eq!(d["peer_comparison"], true);
    assert_eq!(d["anomaly_detection"], true);
    assert!(d.get("unknown_key").is_none());
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/notification_settings",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["pattern_alerts"], false);
    assert_eq!(d["budget_adaptation"], true);
    // Bob's switches are his own.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/notification_settings",
        &bob,
        None,
    )
    .await;
    assert_eq!(d["pattern_alerts"], true);
    // A non-boolean: 422 naming the key, nothing changes.
    let before = count(&app, "SELECT COUNT(*) FROM behavior_settings").await;
    let b = body(
        send(
            &app,
            Method::PATCH,
            "/api/behavior/preferences",
            &bob,
            Some(&json!({"auto_insights": "yes"})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "body.auto_insights"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM behavior_settings").await,
        before
    );
}

async fn spend(app: &crate::support::TestApp, token: &str, amount: f64, category: &str, at: &str) {
    let payload =
        json!({"amount": amount, "category": category, "description": "test", "spent_at": at});
    let b = body(
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
    assert!(b["data"]["id"].is_string());
}

/// Hand-made data: today is Saturday 2026-12-05 (UTC). October 300.00, November 390.00 (rent
/// 300 + ten 9.00 coffees), December so far: a 40.00 dining on Saturday the 5th, 10.00 on
/// Tuesday the 1st.
#[tokio::test]
async fn the_analyses_follow_the_written_rules_on_the_callers_data_only() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 12)).await;
    let (alice, _, _) = app.user("behavior-rules@example.com").await;
    let (bob, _, _) = app.user("behavior-rules-bob@example.com").await;
    crate::onboarding::onboard(&app, &alice).await;
    spend(&app, &alice, 300.0, "rent", "2026-10-03T10:00:00Z").await;
    spend(&app, &alice, 300.0, "rent", "2026-11-03T10:00:00Z").await;
    for day in 10..20 {
        spend(
            &app,
            &alice,
            9.0,
            "food",
            &format!("2026-11-{day}T08:00:00Z"),
        )
        .await;
    }
    spend(&app, &alice, 10.0, "groceries", "2026-12-01T09:00:00Z").await;
    spend(&app, &alice, 40.0, "dining", "2026-12-05T09:00:00Z").await;

    // Triggers of November: ten purchases of at most 10.00 (T2); rent on the 3rd is 300 of 390
    // = 76.92 % in the first week (T3).
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/triggers?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    let kinds: Vec<&str> = d["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trigger_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["small_frequent_purchases", "month_start_spending"]);
    assert_eq!(d["triggers"][0]["trigger_name"], "Small frequent purchases");
    assert_eq!(d["triggers"][0]["frequency"], "10 times");
    assert_eq!(d["triggers"][0]["amount"], 90.0);
    assert!(d["triggers"][0]["description"].is_string());

    // Patterns of November: the figures the sentences come from.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/patterns?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["analysis"]["total"], 390.0);
    assert_eq!(d["analysis"]["transaction_count"], 11);
    assert_eq!(d["analysis"]["small_purchases"], 10);
    assert_eq!(d["analysis"]["top_categories"][0]["category"], "rent");
    assert!(
        d["patterns"][0]
            .as_str()
            .unwrap()
            .starts_with("rent is your largest category")
    );

    // Predictions: complete months September (none), October 300, November 390 → mean of the
    // two with spending = 345.00, confidence 0.30 + 2 × 0.20; November rose 30 % → "up".
    let d = data(&app, Method::GET, "/api/behavior/predictions", &alice, None).await;
    assert_eq!(d["next_month_spending"], 345.0);
    assert_eq!(d["months_used"], 2);
    assert_eq!(d["confidence"], 0.7);
    assert_eq!(d["trend"], "up");
    assert_eq!(d["monthly_history"].as_array().unwrap().len(), 3);
    assert!(
        d["risk_factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("rose"))
    );

    // Category: December dining 40.00 of 50.00 = 80 %, nothing in November → up.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/category/dining",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["total"], 40.0);
    assert_eq!(d["share_bp"], 8000);
    assert_eq!(d["previous_month_total"], 0.0);
    assert_eq!(d["trend"], "up");
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/behavior/category/yachts",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "path.category"
    );

    // Progress over 3 months: Oct 300, Nov 390, Dec 50 (current); score 50 + half of −30 % = 35.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/progress?months=3",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["months"].as_array().unwrap().len(), 3);
    assert_eq!(d["months"][0]["month"], "2026-10");
    assert_eq!(d["overall_score"], 35);
    assert_eq!(d["metrics"][0]["name"], "Monthly spending");
    assert_eq!(d["metrics"][0]["value"], 390.0);
    assert_eq!(d["metrics"][0]["trend"], "up");
    assert!(d["progress_message"].is_string());
    assert!(d["improvements"].is_array());
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/behavior/progress?months=13",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "query.months"
    );

    // Cluster of the last 30 days (Nov 6 – Dec 5): 140.00; the ten coffees → impulse buyer.
    let d = data(&app, Method::GET, "/api/behavior/cluster", &alice, None).await;
    assert_eq!(d["cluster_id"], "impulse_buyer");
    assert!(d["cluster_name"].is_string());
    assert!(d["description"].is_string());
    assert!(
        d["characteristics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "Small frequent purchases")
    );

    // Recommendations name their rules.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/recommendations",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["count"], d["recommendations"].as_array().unwrap().len());
    assert!(d["recommendations"][0].is_string());

    // Anomalies: a list with `days`, a month object otherwise.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/anomalies?days=30",
        &alice,
        None,
    )
    .await;
    assert!(d.is_array());
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/anomalies?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["count"], d["anomalies"].as_array().unwrap().len());

    // Calendar and warnings cover the month's plan.
    let payload = json!({"year": 2026, "month": 12, "profile": {}, "mood_log": {}, "challenge_log": {}, "calendar_log": {}});
    let d = data(
        &app,
        Method::POST,
        "/api/behavior/calendar",
        &alice,
        Some(&payload),
    )
    .await;
    assert_eq!(d["calendar"].as_array().unwrap().len(), 31);
    assert_eq!(d["calendar"][4]["date"], "2026-12-05");
    assert_eq!(d["calendar"][4]["spent"], 40.0);
    assert!(d["calendar"][4]["planned"].as_f64().unwrap() > 0.0);
    let d = data(&app, Method::GET, "/api/behavior/warnings", &alice, None).await;
    assert_eq!(d["count"], d["warnings"].as_array().unwrap().len());

    // Expense suggestions: usual food purchase 9.00; 30.00 is above twice that.
    let payload =
        json!({"category": "food", "amount": 30.0, "description": "lunch", "date": "2026-12-05"});
    let d = data(
        &app,
        Method::POST,
        "/api/behavior/expense_suggestions",
        &alice,
        Some(&payload),
    )
    .await;
    assert_eq!(d["typical_amount"], 9.0);
    assert_eq!(d["suggestions"][0]["suggestion_type"], "above_usual");
    assert!(d["remaining_today"].is_number());
    let bad = json!({"category": "food", "amount": -3});
    body(
        send(
            &app,
            Method::POST,
            "/api/behavior/expense_suggestions",
            &alice,
            Some(&bad),
        )
        .await,
        422,
    )
    .await;

    // The whole analysis, and a future month refused.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/analysis?year=2026&month=11",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["spending"]["total"], 390.0);
    assert_eq!(d["triggers"].as_array().unwrap().len(), 2);
    assert!(d["summary"].is_string());
    body(
        send(
            &app,
            Method::GET,
            "/api/behavior/analysis?year=2027&month=1",
            &alice,
            None,
        )
        .await,
        422,
    )
    .await;

    // Bob sees none of Alice's spending.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/patterns?year=2026&month=11",
        &bob,
        None,
    )
    .await;
    assert_eq!(d["analysis"]["total"], 0.0);
    let d = data(&app, Method::GET, "/api/behavior/predictions", &bob, None).await;
    assert_eq!(d["next_month_spending"], 0.0);
    let d = data(&app, Method::GET, "/api/behavior/cluster", &bob, None).await;
    assert_eq!(d["cluster_id"], "getting_started");
}

/// Seasonal factors (S1) and insight cards (B1) on hand-made data: today is 2026-12-05; rent
/// 100.00 in September, October and November, a 300.00 gift on November 20 and ten 5.00
/// coffees from November 21.
#[tokio::test]
async fn seasonal_factors_and_insight_cards_come_from_the_callers_months() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 12)).await;
    let (alice, _, _) = app.user("seasonal@example.com").await;
    let (bob, _, _) = app.user("seasonal-bob@example.com").await;
    for m in 9..=11 {
        spend(
            &app,
            &alice,
            100.0,
            "rent",
            &format!("2026-{m:02}-03T10:00:00Z"),
        )
        .await;
    }
    spend(&app, &alice, 300.0, "gifts", "2026-11-20T10:00:00Z").await;
    for day in 21..31 {
        spend(
            &app,
            &alice,
            5.0,
            "food",
            &format!("2026-11-{day}T08:00:00Z"),
        )
        .await;
    }

    // September 100, October 100, November 450: mean 216.67.
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/analytics/seasonal-patterns",
            &alice,
            None,
        )
        .await,
        200,
    )
    .await;
    let d = &b["data"];
    assert_eq!(d["months_analyzed"], 3);
    assert_eq!(d["monthly_patterns"]["9"], 0.46);
    assert_eq!(d["monthly_patterns"]["10"], 0.46);
    assert_eq!(d["monthly_patterns"]["11"], 2.08);
    assert_eq!(d["category_seasonality"]["rent"]["11"], 1.0);
    assert_eq!(d["category_seasonality"]["gifts"]["11"], 1.0);
    assert_eq!(d["highest_month"], "November");
    assert_eq!(d["lowest_month"], "September");
    // The app reads both maps at the top level of the body.
    assert_eq!(b["monthly_patterns"], d["monthly_patterns"]);
    assert_eq!(b["category_seasonality"], d["category_seasonality"]);

    // Last 30 days (Nov 6 – Dec 5): 350.00 against 100.00 the 30 days before → rising; ten
    // purchases of at most 10.00 → T2.
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/analytics/behavioral-insights",
            &alice,
            None,
        )
        .await,
        200,
    )
    .await;
    let cards = b["insights"].as_array().unwrap();
    assert_eq!(b["insights"], b["data"]["insights"]);
    assert_eq!(b["data"]["count"], cards.len());
    let t2 = cards
        .iter()
        .find(|c| c["id"] == "small_frequent_purchases")
        .unwrap();
    assert_eq!(t2["type"], "pattern");
    assert_eq!(t2["title"], "Small frequent purchases");
    assert_eq!(t2["confidence"], 1.0);
    assert_eq!(t2["actionable"], true);
    let trend = cards
        .iter()
        .find(|c| c["id"] == "spending_trend_up")
        .unwrap();
    assert_eq!(trend["type"], "trend");
    assert_eq!(trend["impact"], "high");
    assert!(trend["message"].as_str().unwrap().contains("350"));
    for c in cards {
        assert!(c["message"].is_string());
        assert!(c["recommendations"].is_array());
        assert!(c["related_patterns"].is_array());
        assert_eq!(c["timeframe"], "last_30_days");
    }

    // Bob has nothing: no factors, no cards.
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/analytics/seasonal-patterns",
            &bob,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(b["data"]["months_analyzed"], 0);
    assert_eq!(b["monthly_patterns"], json!({}));
    assert!(b["data"]["message"].as_str().unwrap().contains("3 months"));
    let b = body(
        send(
            &app,
            Method::GET,
            "/api/analytics/behavioral-insights",
            &bob,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(b["insights"], json!([]));
}

/// Every operation of issue 11 is in `/openapi.json` with a description.
#[tokio::test]
async fn openapi_documents_every_insight_premium_and_receipt_operation() {
    let app = crate::support::spawn_app().await;
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut ops: Vec<(&str, &str)> = [
        "analysis",
        "anomalies",
        "category/{category}",
        "cluster",
        "patterns",
        "predictions",
        "progress",
        "recommendations",
        "triggers",
        "warnings",
        "preferences",
        "notification_settings",
    ]
    .iter()
    .map(|p| ("get", *p))
    .collect();
    ops.extend([
        ("patch", "preferences"),
        ("patch", "notification_settings"),
        ("post", "calendar"),
        ("post", "expense_suggestions"),
    ]);
    let mut all: Vec<(String, &str)> = ops
        .into_iter()
        .map(|(m, p)| (format!("/api/behavior/{p}"), m))
        .collect();
    for (m, p) in [
        ("get", "/api/ai/budget-optimization"),
        ("get", "/api/ai/goal-analysis"),
        ("get", "/api/ai/personalized-feedback"),
        ("get", "/api/ai/profile"),
        ("get", "/api/ai/savings-optimization"),
        ("get", "/api/ai/spending-prediction"),
        ("post", "/api/ai/snapshot"),
        ("get", "/api/cohort/income_classification"),
        ("get", "/api/cohort/peer_comparison"),
        ("get", "/api/cohort/insights"),
        ("get", "/api/insights/income_based_tips"),
        ("get", "/api/analytics/behavioral-insights"),
        ("get", "/api/analytics/seasonal-patterns"),
        ("post", "/api/analytics/feature-usage"),
        ("post", "/api/analytics/feature-access-attempt"),
        ("post", "/api/analytics/paywall-impression"),
        ("get", "/api/analytics/feature-usage/{user_id}/{feature}"),
        ("get", "/api/users/{user_id}/premium-status"),
        ("get", "/api/users/{user_id}/premium-features"),
        ("get", "/api/users/{user_id}/subscription-history"),
        ("put", "/api/subscriptions/{subscription_id}/status"),
        ("post", "/api/iap/validate"),
        ("post", "/api/transactions/receipt/advanced"),
        ("post", "/api/transactions/receipt/batch"),
        ("post", "/api/transactions/receipt/validate"),
        ("delete", "/api/transactions/receipt/{job_id}/image"),
        ("post", "/api/ocr/enhance"),
    ] {
        all.push((p.to_string(), m));
    }
    for (path, method) in &all {
        let op = &doc["paths"][path.as_str()][*method];
        assert!(op.is_object(), "{method} {path} missing from /openapi.json");
        assert!(
            op["summary"].is_string() || op["description"].is_string(),
            "{method} {path} is described"
        );
    }
}
