//! Redistribution in the database, after real spends through the API: the month's total plan is
//! conserved (R1), past and sacred rows keep their plan (R2), each spend covers once with one
//! event per donor category that sum to what the answer reports (R4), and every day's stored
//! status matches the rule.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Utc};
use mita::budget::status::day_status;
use reqwest::Method;
use serde_json::{Value, json};

use crate::onboarding::{cents, onboard};
use crate::support::{TestApp, spawn_app};

type Rows = BTreeMap<(NaiveDate, String), (i64, i64, String)>;

async fn plan(app: &TestApp) -> Rows {
    let rows: Vec<(NaiveDate, String, i64, i64, String)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT date, category, planned_cents, spent_cents, status FROM daily_plan WHERE goal_id IS NULL")
        .fetch_all(pool).await)
    .unwrap();
    rows.into_iter()
        .map(|(d, c, p, s, st)| ((d, c), (p, s, st)))
        .collect()
}

#[tokio::test]
async fn overspends_keep_the_plan_invariants_in_the_database() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("redis@example.com").await;
    onboard(&app, &token).await;
    let today = Utc::now().date_naive();
    let before = plan(&app).await;
    let total = |rows: &Rows| rows.values().map(|v| v.0).sum::<i64>();

    let mut reported = Vec::new();
    for (amount, category) in [
        ("150", "food"),
        ("90", "gas"),
        ("400", "clothing"),
        ("60", "dining"),
    ] {
        let resp = app
            .authed(Method::POST, "/api/transactions", &token)
            .json(&json!({"amount": amount, "category": category}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        reported.push((
            body["data"]["id"].as_str().unwrap().to_string(),
            cents(&body["data"]["rebalance_covered"]),
        ));
    }
    let after = plan(&app).await;

    // R1: new rows (planned 0) aside, the month's plan total is unchanged.
    assert_eq!(
        total(&after),
        total(&before),
        "the month's plan is conserved"
    );
    for ((date, category), (planned, _, _)) in &before {
        let kind_is_sacred = category
            .parse::<mita::budget::PlanCategory>()
            .is_ok_and(|c| c.is_sacred());
        if *date < today || kind_is_sacred {
            assert_eq!(
                after[&(*date, category.clone())].0,
                *planned,
                "{date} {category} must not change"
            );
        }
        assert!(after[&(*date, category.clone())].0 >= 0);
    }
    // R4 and "once per spend": per transaction, distinct donors whose events sum to the answer.
    let events: Vec<(String, String, i64)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT CAST(transaction_id AS TEXT), from_category, amount_cents FROM redistribution_events")
        .fetch_all(pool).await)
    .unwrap();
    for (id, covered) in &reported {
        let mine: Vec<&(String, String, i64)> = events.iter().filter(|e| &e.0 == id).collect();
        let donors: std::collections::BTreeSet<&String> = mine.iter().map(|e| &e.1).collect();
        assert_eq!(
            donors.len(),
            mine.len(),
            "one event per donor category: the cover ran once"
        );
        assert_eq!(mine.iter().map(|e| e.2).sum::<i64>(), *covered);
    }
    let last_day = mita::budget::days::days_in_month(today.year(), today.month());
    if today.day() < last_day {
        assert!(
            reported.iter().any(|(_, c)| *c > 0),
            "later days covered something"
        );
    }
    // Every day's stored status is the rule applied to the day's sums.
    let mut days: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    for ((date, _), (p, s, _)) in &after {
        let e = days.entry(*date).or_default();
        e.0 += p;
        e.1 += s;
    }
    for ((date, category), (_, _, status)) in &after {
        let (p, s) = days[date];
        assert_eq!(status, day_status(p, s).as_str(), "{date} {category}");
    }
}

/// The day's status is written only to rows whose status differs: a spend that leaves the day
/// green rewrites its own row (the accrual) and no other row of the day. On SQLite a month's
/// rows are stored day by day, so a day's rows are neighbours in the table.
#[tokio::test]
async fn a_spend_that_keeps_the_status_rewrites_only_its_own_row() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("quiet-status@example.com").await;
    onboard(&app, &token).await;
    let today = Utc::now().date_naive();
    type DayRows = BTreeMap<String, (i64, i64, String)>;
    let day = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let rows: Vec<(String, i64, i64, String)> = mita::on_db!(&db, pool => sqlx::query_as(
                "SELECT category, spent_cents, updated_at, status FROM daily_plan WHERE date = $1 AND goal_id IS NULL")
                .bind(today).fetch_all(pool).await)
            .unwrap();
            rows.into_iter()
                .map(|(c, s, u, st)| (c, (s, u, st)))
                .collect::<DayRows>()
        }
    };
    let before = day(&app).await;
    assert!(before.len() > 1, "today has several plan rows: {before:?}");
    assert!(before.values().all(|r| r.2 == "green"), "{before:?}");
    assert!(before.contains_key("food"), "{before:?}");

    let resp = app
        .authed(Method::POST, "/api/transactions", &token)
        .json(&json!({"amount": "0.01", "category": "food"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let after = day(&app).await;
    assert_eq!(after["food"].0, before["food"].0 + 1, "the spend accrued");
    assert!(after["food"].1 > before["food"].1, "its row was rewritten");
    for (category, row) in &before {
        assert_eq!(after[category].2, "green", "{category}");
        if category != "food" {
            assert_eq!(&after[category], row, "{category} must not be rewritten");
        }
    }

    if let mita::db::Db::Sqlite(_) = &app.db {
        let dates: Vec<NaiveDate> = mita::on_db!(&app.db, pool => sqlx::query_scalar(
            "SELECT date FROM daily_plan ORDER BY rowid")
            .fetch_all(pool).await)
        .unwrap();
        assert!(
            dates.windows(2).all(|w| w[0] <= w[1]),
            "the month's rows are stored day by day"
        );
    }
}
