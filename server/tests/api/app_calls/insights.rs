//! The insights screens.
//!
//! M10 `GET /api/insights/history` (advice_history_screen.dart:66-84): a list of maps, `date as
//! String?` (DateTime.parse), `text as String?`. M11 `GET /api/ai/weekly-insights`
//! (insights_screen.dart:1200-1202, 1595-1611): `insights` and `trend` as Strings. M12 `GET
//! /api/ai/monthly-report?year=&month=` (insights_screen.dart:2176-2189): `summary`,
//! `highlights`, `recommendations` (string lists). M13 `GET /api/ai/spending-anomalies?year=&month=`
//! (insights_screen.dart:1317-1331, spending_pattern_analyzer.dart:121-140): a list of maps with
//! `id`, `type`, `category`, `amount`, `expected_amount`, `anomaly_score` and `confidence` (0–1),
//! `date`, `merchant`, `description`, `possible_causes`. M14 `GET /api/ai/financial-health-score`
//! (insights_screen.dart:889-902, predictive_analytics_widget.dart:113-125): `score`, `grade`,
//! `improvements`, `risk_score` (0–100), `risk_level`, `recommendations`.

use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};

use crate::insights::{days_ago, seeded_user, spend};
use crate::onboarding::cents;
use crate::support::{TestApp, spawn_app};

/// `GET path` as the app sends it; 200 and the envelope's `data`.
async fn app_get(app: &TestApp, path: &str, token: &str) -> Value {
    let resp = app.get_as(path, token).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.json::<Value>().await.unwrap()["data"].clone()
}

/// The query the app adds: `{year: now.year, month: now.month}` as integers.
fn this_month() -> String {
    let now = Utc::now();
    format!("year={}&month={}", now.year(), now.month())
}

/// `asStringList`: every item of the list, each a String here.
fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("a String: {s}")))
        .collect()
}

#[tokio::test]
async fn m10_every_history_row_has_a_date_and_a_text() {
    let app = spawn_app().await;
    let token = seeded_user(&app, "m10@example.com").await;
    let week = app_get(&app, "/api/ai/weekly-insights", &token).await;
    app_get(&app, "/api/ai/financial-health-score", &token).await;
    // An older analysis stored without a summary.
    let me = app_get(&app, "/api/users/me", &token).await;
    let my_id: mita::id::Id = me["id"].as_str().unwrap().parse().unwrap();
    mita::on_write!(&app.db, pool => sqlx::query(
        "INSERT INTO ai_snapshots (id, user_id, kind, summary, data, source, created_at) \
         VALUES ($1, $2, 'monthly_report', NULL, $3, 'rules', 1)")
        .bind(mita::id::Id::new()).bind(my_id).bind(sqlx::types::Json(json!({})))
        .execute(pool).await.map(|_| ()))
    .unwrap();

    let history = app_get(&app, "/api/insights/history", &token).await;
    let rows = history.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{history}");
    for row in rows {
        let row = row.as_object().expect("each row is a map");
        let date = row["date"].as_str().unwrap();
        assert!(DateTime::parse_from_rfc3339(date).is_ok(), "{date}");
        assert_eq!(row["date"], row["created_at"]);
        assert!(!row["text"].as_str().unwrap().is_empty());
    }
    let weekly = rows
        .iter()
        .find(|r| r["kind"] == "weekly_insights")
        .unwrap();
    assert_eq!(weekly["text"], week["summary"]);
    assert_eq!(
        rows[2]["text"], "Monthly report",
        "no summary: the kind's label"
    );
}

#[tokio::test]
async fn m11_the_weekly_card_reads_one_text_and_a_trend() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m11@example.com").await;
    // 100.00 the week before, 30.00 this week: spending fell by 70 %.
    spend(
        &app,
        &token,
        json!({"amount": 100, "category": "groceries", "spent_at": days_ago(10)}),
    )
    .await;
    spend(
        &app,
        &token,
        json!({"amount": 30, "category": "groceries", "spent_at": days_ago(0)}),
    )
    .await;
    let week = app_get(&app, "/api/ai/weekly-insights", &token).await;
    let text = week["insights"].as_str().expect("insights is a String");
    assert!(
        text.starts_with("You spent 70% less than the week before."),
        "{text}"
    );
    assert_eq!(text, strings(&week["insight_list"]).join(" "));
    assert_eq!(week["trend"], "improving");

    // 300.00 more this week: up on the week before.
    spend(
        &app,
        &token,
        json!({"amount": 300, "category": "groceries", "spent_at": days_ago(0)}),
    )
    .await;
    let week = app_get(&app, "/api/ai/weekly-insights", &token).await;
    assert_eq!(week["trend"], "declining");
    assert!(week["insights"].is_string());

    // Nothing spent the week before: stable.
    let (fresh, _, _) = app.user("m11-fresh@example.com").await;
    let week = app_get(&app, "/api/ai/weekly-insights", &fresh).await;
    assert_eq!(week["trend"], "stable");
    assert_eq!(
        week["insights"], week["summary"],
        "no sentences: the summary"
    );
}

#[tokio::test]
async fn m12_the_monthly_report_has_recommendations() {
    let app = spawn_app().await;
    let token = seeded_user(&app, "m12@example.com").await;
    let path = format!("/api/ai/monthly-report?{}", this_month());
    let report = app_get(&app, &path, &token).await;
    assert!(report["summary"].is_string());
    assert!(!strings(&report["highlights"]).is_empty());
    let recs = strings(&report["recommendations"]);
    // Groceries (250.00 today) is most of the month's spending, whatever the day of the month.
    assert!(
        recs.iter().any(|r| r.starts_with("groceries took ")
            && r.ends_with("of your spending: set a limit for it.")),
        "{recs:?}"
    );

    // A user with no income and no spending is asked for both.
    let (fresh, _, _) = app.user("m12-fresh@example.com").await;
    let report = app_get(&app, &path, &fresh).await;
    assert_eq!(
        strings(&report["recommendations"]),
        vec![
            "Log your expenses this month to get a full report.",
            "Add your monthly income to your profile to see your savings rate.",
        ]
    );
}

#[tokio::test]
async fn m13_anomalies_carry_the_analyzers_fields_on_a_0_to_1_scale() {
    let app = spawn_app().await;
    let token = seeded_user(&app, "m13@example.com").await;
    let path = format!("/api/ai/spending-anomalies?{}", this_month());
    let list = app_get(&app, &path, &token).await;
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let a = items[0].as_object().unwrap();
    assert_eq!(a["id"], a["transaction_id"]);
    assert!(a["id"].is_string());
    assert_eq!(a["type"], "amount");
    assert_eq!(a["category"], "groceries");
    assert_eq!(cents(&a["amount"]), 25_000);
    assert_eq!(cents(&a["expected_amount"]), 1_000);
    // 240 spreads above the median: the top of the high band; 7 groceries spends of history.
    let score = a["anomaly_score"].as_f64().unwrap();
    assert_eq!(a["anomaly_score"].to_string(), "1.00");
    assert!(
        score >= 0.8 && a["severity"] == "high",
        "the app's band is mita's severity"
    );
    assert_eq!(a["confidence"].to_string(), "0.60");
    assert!(chrono::NaiveDate::parse_from_str(a["date"].as_str().unwrap(), "%Y-%m-%d").is_ok());
    assert_eq!(a["merchant"], "Corner Market");
    assert!(a["description"].as_str().unwrap().contains("Corner Market"));
    assert_eq!(
        strings(&a["possible_causes"]),
        vec!["One purchase far above your usual groceries spend of 10.00 USD"],
        "Corner Market is a known merchant and this is the only unusual spend"
    );

    // The month in the query is accepted and does not change the window (the last 30 days).
    let other = app_get(&app, "/api/ai/spending-anomalies?year=2020&month=1", &token).await;
    assert_eq!(other, list);
}

#[tokio::test]
async fn m14_the_health_score_has_the_risk_fields() {
    let app = spawn_app().await;
    let token = seeded_user(&app, "m14@example.com").await;
    let h = app_get(&app, "/api/ai/financial-health-score", &token).await;
    let score = h["score"].as_i64().unwrap();
    assert!(h["grade"].is_string());
    let improvements = strings(&h["improvements"]);
    assert_eq!(
        h["risk_score"].as_i64(),
        Some(100 - score),
        "an integer 0-100"
    );
    assert!(["low", "moderate", "high"].contains(&h["risk_level"].as_str().unwrap()));
    assert_eq!(h["risk_level"], h["risk"]);
    assert_eq!(strings(&h["recommendations"]), improvements);
}
