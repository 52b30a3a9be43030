//! Goals in the daily plan (BUDGET.md §6): reservation rows per goal, released and reserved
//! again as the goal changes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use mita::budget::split_even;
use mita::metrics::BudgetCalculation;
use mita::plan::goals::required_monthly;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, cents, create_goal, data, relogin, spawn_at};
use crate::onboarding::onboard;
use crate::support::TestApp;

/// (date → planned cents) of one goal's rows.
async fn rows(app: &TestApp, goal: &Value) -> BTreeMap<NaiveDate, i64> {
    let id: mita::id::Id = goal["id"].as_str().unwrap().parse().unwrap();
    let rows: Vec<(NaiveDate, i64, String)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT date, planned_cents, category FROM daily_plan WHERE goal_id = $1 ORDER BY date")
        .bind(id).fetch_all(pool).await)
    .unwrap();
    assert!(rows.iter().all(|r| r.2 == "goal_savings"));
    rows.into_iter().map(|(d, p, _)| (d, p)).collect()
}

fn day(m: u32, d: u32) -> NaiveDate {
    let y = if m >= 11 { 2026 } else { 2027 };
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The rows BUDGET.md §6 asks for, from `today` (November 2026) on.
fn expected(remaining: i64, today: NaiveDate, target: NaiveDate) -> BTreeMap<NaiveDate, i64> {
    let monthly = required_monthly(remaining, (target - today).num_days());
    split_even(monthly, 30)
        .into_iter()
        .enumerate()
        .map(|(i, c)| (day(11, u32::try_from(i).unwrap() + 1), c))
        .filter(|(d, _)| *d >= today)
        .collect()
}

#[tokio::test]
async fn two_dated_goals_reserve_rows_and_pausing_one_releases_only_its_rows() {
    let (app, clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user("plan-goals@example.com").await;
    onboard(&app, &token).await;
    let plans_before = app
        .state
        .metrics
        .budget_calculations_total
        .get(BudgetCalculation::Plan);
    let today = day(11, 10);
    let a = create_goal(
        &app,
        &token,
        json!({"title": "A", "target_amount": 1200, "deadline": "2027-05-10"}),
    )
    .await;
    let b = create_goal(
        &app,
        &token,
        json!({"title": "B", "target_amount": 600, "deadline": "2027-02-10"}),
    )
    .await;
    let (ra, rb) = (rows(&app, &a).await, rows(&app, &b).await);
    assert_eq!(ra, expected(120_000, today, day(5, 10)));
    assert_eq!(rb, expected(60_000, today, day(2, 10)));
    assert_eq!(ra.len(), 21, "10 to 30 November");
    assert_eq!(
        rb.keys().collect::<Vec<_>>(),
        ra.keys().collect::<Vec<_>>(),
        "same days, no collision"
    );
    assert!(
        app.state
            .metrics
            .budget_calculations_total
            .get(BudgetCalculation::Plan)
            >= plans_before + 2
    );

    // The calendar shows both goals under goal_savings.
    let cal = data(
        &app,
        Method::GET,
        "/api/calendar/current-month",
        &token,
        None,
    )
    .await;
    let d15 = cal["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2026-11-15")
        .unwrap();
    assert_eq!(
        cents(&d15["planned_budget"]["goal_savings"]["planned"]),
        ra[&day(11, 15)] + rb[&day(11, 15)]
    );

    let path_a = format!("/api/goals/{}", a["id"].as_str().unwrap());
    data(&app, Method::POST, &format!("{path_a}/pause"), &token, None).await;
    assert!(
        rows(&app, &a).await.is_empty(),
        "pausing releases the goal's rows"
    );
    assert_eq!(rows(&app, &b).await, rb, "the other goal keeps its rows");
    data(
        &app,
        Method::POST,
        &format!("{path_a}/resume"),
        &token,
        None,
    )
    .await;
    assert_eq!(rows(&app, &a).await, ra, "resuming reserves again");

    // Target, saved amount and date changes recompute; later days move, past days never do.
    clock.set_ms(at(2026, 11, 20, 12).timestamp_millis());
    let token = relogin(&app, "plan-goals@example.com").await;
    let today = day(11, 20);
    let path_b = format!("/api/goals/{}", b["id"].as_str().unwrap());
    data(
        &app,
        Method::PATCH,
        &path_b,
        &token,
        Some(&json!({"target_amount": 900})),
    )
    .await;
    let now_b = rows(&app, &b).await;
    let mut want: BTreeMap<NaiveDate, i64> = rb
        .iter()
        .filter(|(d, _)| **d < today)
        .map(|(d, c)| (*d, *c))
        .collect();
    want.extend(expected(90_000, today, day(2, 10)));
    assert_eq!(now_b, want);
    data(
        &app,
        Method::POST,
        &format!("{path_b}/add_savings"),
        &token,
        Some(&json!({"amount": 300})),
    )
    .await;
    let mut want: BTreeMap<NaiveDate, i64> = rb
        .iter()
        .filter(|(d, _)| **d < today)
        .map(|(d, c)| (*d, *c))
        .collect();
    want.extend(expected(60_000, today, day(2, 10)));
    assert_eq!(rows(&app, &b).await, want);
    data(
        &app,
        Method::PATCH,
        &path_b,
        &token,
        Some(&json!({"deadline": "2027-08-20"})),
    )
    .await;
    let mut want: BTreeMap<NaiveDate, i64> = rb
        .iter()
        .filter(|(d, _)| **d < today)
        .map(|(d, c)| (*d, *c))
        .collect();
    want.extend(expected(60_000, today, day(8, 20)));
    assert_eq!(rows(&app, &b).await, want);

    // Completing and deleting release the rows from today on.
    data(
        &app,
        Method::POST,
        &format!("{path_a}/complete"),
        &token,
        None,
    )
    .await;
    assert!(rows(&app, &a).await.keys().all(|d| *d < today));
    data(&app, Method::DELETE, &path_b, &token, None).await;
    assert!(rows(&app, &b).await.keys().all(|d| *d < today));
}

#[tokio::test]
async fn a_new_month_gets_the_active_goals_reserved() {
    let (app, clock) = spawn_at(at(2026, 11, 28, 12)).await;
    let (token, _, _) = app.user("plan-month@example.com").await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "G", "target_amount": 3000, "deadline": "2027-06-01"}),
    )
    .await;
    assert_eq!(rows(&app, &g).await.len(), 3);
    clock.set_ms(at(2026, 12, 2, 9).timestamp_millis());
    let token = relogin(&app, "plan-month@example.com").await;
    data(&app, Method::GET, "/api/goals", &token, None).await;
    let r = rows(&app, &g).await;
    let december: Vec<_> = r
        .keys()
        .filter(|d| d.to_string().starts_with("2026-12"))
        .collect();
    assert_eq!(december.len(), 30, "2 to 31 December");
    let monthly = required_monthly(
        300_000,
        (NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()
            - NaiveDate::from_ymd_opt(2026, 12, 2).unwrap())
        .num_days(),
    );
    assert_eq!(
        r[&NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()],
        split_even(monthly, 31)[30]
    );
    // A second read reserves nothing more.
    data(&app, Method::GET, "/api/goals", &token, None).await;
    assert_eq!(rows(&app, &g).await, r);
}

/// Issue 19: a month first built by a goal transfer (no read before it) gets the active goals'
/// reservations at once, like a month built by any other write.
#[tokio::test]
async fn a_month_first_built_by_a_transfer_has_the_goals_reserved() {
    let (app, clock) = spawn_at(at(2026, 11, 28, 12)).await;
    let (token, _, _) = app.user("transfer-month@example.com").await;
    onboard(&app, &token).await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Dated", "target_amount": 3000, "deadline": "2027-06-01"}),
    )
    .await;
    let pot = create_goal(&app, &token, json!({"title": "Pot", "target_amount": 500})).await;
    clock.set_ms(at(2026, 12, 2, 9).timestamp_millis());
    let token = relogin(&app, "transfer-month@example.com").await;
    let resp = app
        .authed(
            Method::POST,
            &format!("/api/goals/{}/auto_transfer", pot["id"].as_str().unwrap()),
            &token,
        )
        .json(&json!({"amount": 10}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let december = rows(&app, &g)
        .await
        .into_keys()
        .filter(|d| d.to_string().starts_with("2026-12"))
        .count();
    assert_eq!(december, 30, "2 to 31 December, before any read repairs it");
}
