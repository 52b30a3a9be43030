//! Recurring transactions (docs/recurring.md): CRUD under /api/recurring (another user's
//! definition is 404 and unchanged), 422s naming the field, catch-up after a clock jump making
//! each missed date once (twice run, two instances racing), the bound per run, end date and
//! count, delete keeping history, the plan moving exactly as for a typed twin, and fixed
//! expenses reserving their plan rows ahead.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use mita::clock::Clock;
use mita::id::Id;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, data, relogin, send, spawn_at};
use crate::onboarding::{cents, onboard};
use crate::support::{TestApp, error_body};

const DAY_MS: i64 = 86_400_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
}

fn day(offset: i64) -> NaiveDate {
    if offset >= 0 {
        today().checked_add_days(Days::new(offset as u64)).unwrap()
    } else {
        today()
            .checked_sub_days(Days::new((-offset) as u64))
            .unwrap()
    }
}

async fn app() -> (TestApp, Clock) {
    spawn_at(at(2026, 12, 5, 10)).await
}

async fn create(app: &TestApp, token: &str, payload: Value) -> Value {
    let b = body(
        send(app, Method::POST, "/api/recurring", token, Some(&payload)).await,
        201,
    )
    .await;
    assert_eq!(b["success"], true);
    b["data"].clone()
}

fn every_day(amount: f64, category: &str, start: NaiveDate) -> Value {
    json!({"amount": amount, "category": category, "payee": "Corner shop", "frequency": "every_n_days",
           "interval_days": 1, "start_date": start.to_string()})
}

/// The live transactions' days of a user, in order.
async fn spend_days(app: &TestApp, user: &str) -> Vec<NaiveDate> {
    let user: Id = user.parse().unwrap();
    mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT local_date FROM transactions WHERE user_id = $1 AND deleted_at IS NULL ORDER BY local_date")
        .bind(user).fetch_all(pool).await)
    .unwrap()
}

/// One tick of the background job.
async fn tick(app: &TestApp) -> mita::recurring::run::Tick {
    mita::recurring::run::tick(&app.db, &app.state.clock, &app.state.metrics)
        .await
        .unwrap()
}

/// (date, category) → (planned, spent, status) of a user's plain plan rows.
type Plan = BTreeMap<(NaiveDate, String), (i64, i64, String)>;

async fn plan(app: &TestApp, user: &str) -> Plan {
    let user: Id = user.parse().unwrap();
    let rows: Vec<(NaiveDate, String, i64, i64, String)> =
        mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT date, category, planned_cents, spent_cents, status FROM daily_plan \
         WHERE user_id = $1 AND goal_id IS NULL AND installment_id IS NULL")
        .bind(user).fetch_all(pool).await)
        .unwrap();
    rows.into_iter()
        .map(|(d, c, p, s, st)| ((d, c), (p, s, st)))
        .collect()
}

/// (from, to, from_day, to_day) → amount of a user's redistribution events.
async fn covers(
    app: &TestApp,
    user: &str,
) -> BTreeMap<(String, String, NaiveDate, NaiveDate), i64> {
    let user: Id = user.parse().unwrap();
    let rows: Vec<(String, String, NaiveDate, NaiveDate, i64)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT from_category, to_category, from_day, to_day, amount_cents FROM redistribution_events WHERE user_id = $1")
        .bind(user).fetch_all(pool).await)
    .unwrap();
    let mut out = BTreeMap::new();
    for (f, t, fd, td, a) in rows {
        *out.entry((f, t, fd, td)).or_default() += a;
    }
    out
}

#[tokio::test]
async fn crud_and_another_users_definition_is_404_and_unchanged() {
    let (app, _) = app().await;
    let (ana, _, _) = app.user("ana-rec@example.com").await;
    let (bob, _, _) = app.user("bob-rec@example.com").await;
    let made = create(
        &app,
        &ana,
        json!({"amount": "15.99", "category": "subscriptions", "payee": "Streaming", "frequency": "monthly",
               "day_of_month": 31, "start_date": "2026-12-06", "notes": "family plan"}),
    )
    .await;
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["amount"], 15.99);
    assert_eq!(made["frequency"], "monthly");
    assert_eq!(made["day_of_month"], 31);
    assert_eq!(made["next_date"], "2026-12-31");
    assert_eq!(made["occurrences_done"], 0);
    assert_eq!(made["reserves_plan"], true);
    assert_eq!(made["notes"], "family plan");

    let listed = data(&app, Method::GET, "/api/recurring", &ana, None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    let none = data(&app, Method::GET, "/api/recurring", &bob, None).await;
    assert!(none.as_array().unwrap().is_empty());

    let path = format!("/api/recurring/{id}");
    let patched = data(
        &app,
        Method::PATCH,
        &path,
        &ana,
        Some(&json!({"amount": 17.49, "frequency": "weekly", "weekday": "friday", "notes": null})),
    )
    .await;
    assert_eq!(patched["amount"], 17.49);
    assert_eq!(patched["weekday"], "friday");
    assert_eq!(patched["day_of_month"], Value::Null);
    assert_eq!(patched["notes"], Value::Null);
    // 2026-12-05 is a Saturday: the next Friday is the 11th.
    assert_eq!(patched["next_date"], "2026-12-11");

    // Bob: 404 on every {id} route, and Ana's definition does not move.
    for (method, payload) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"amount": 1}))),
        (Method::DELETE, None),
    ] {
        let resp = send(&app, method, &path, &bob, payload.as_ref()).await;
        error_body(resp, 404, "RESOURCE_3001").await;
    }
    let read = data(&app, Method::GET, &path, &ana, None).await;
    assert_eq!(read["amount"], 17.49);
    assert_eq!(read["weekday"], "friday");
    assert!(read["materialised"].as_array().unwrap().is_empty());
    error_body(
        send(&app, Method::GET, "/api/recurring/not-an-id", &ana, None).await,
        422,
        "VALIDATION_2011",
    )
    .await;

    let gone = data(&app, Method::DELETE, &path, &ana, None).await;
    assert_eq!(gone["deleted"], true);
    error_body(
        send(&app, Method::GET, &path, &ana, None).await,
        404,
        "RESOURCE_3001",
    )
    .await;
}

#[tokio::test]
async fn bad_schedules_are_422_naming_the_field_and_write_nothing() {
    let (app, _) = app().await;
    let (ana, _, _) = app.user("bad-rec@example.com").await;
    let base = json!({"amount": 10, "category": "food", "payee": "Shop", "frequency": "monthly",
                      "day_of_month": 3, "start_date": "2026-12-01"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("day_of_month", json!(32)), "body.day_of_month"),
        (with("frequency", json!("daily")), "body.frequency"),
        (with("amount", json!(0)), "body.amount"),
        (with("amount", json!(100000.01)), "body.amount"),
        (with("category", json!("rockets")), "body.category"),
        (with("start_date", json!("2026-02-30")), "body.start_date"),
        (with("start_date", json!("2024-01-01")), "body.start_date"),
        (with("end_date", json!("2026-11-01")), "body.end_date"),
        (with("count", json!(0)), "body.count"),
        (
            json!({"amount": 10, "category": "food", "payee": "Shop", "frequency": "weekly", "start_date": "2026-12-01"}),
            "body.weekday",
        ),
        (
            json!({"amount": 10, "category": "food", "payee": "Shop", "frequency": "every_n_days", "interval_days": 0,
                   "start_date": "2026-12-01"}),
            "body.interval_days",
        ),
        (
            json!({"amount": 10, "category": "food", "payee": "Shop", "frequency": "yearly", "month": 4,
                   "day_of_month": 31, "start_date": "2026-12-01"}),
            "body.day_of_month",
        ),
        (with("payee", json!("")), "body.payee"),
    ];
    for (payload, field) in cases {
        let resp = send(&app, Method::POST, "/api/recurring", &ana, Some(&payload)).await;
        assert_eq!(resp.status(), 422, "{payload}");
        let b: Value = resp.json().await.unwrap();
        let fields: Vec<&str> = b["error"]["details"]["validation_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{payload}: {b}");
    }
    // A PATCH that breaks the schedule is refused too, and changes nothing.
    let made = create(&app, &ana, base.clone()).await;
    let path = format!("/api/recurring/{}", made["id"].as_str().unwrap());
    let resp = send(
        &app,
        Method::PATCH,
        &path,
        &ana,
        Some(&json!({"frequency": "weekly"})),
    )
    .await;
    let b = error_body(resp, 422, "VALIDATION_2001").await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "body.weekday"
    );
    assert_eq!(
        data(&app, Method::GET, &path, &ana, None).await["frequency"],
        "monthly"
    );
    let resp = send(
        &app,
        Method::GET,
        "/api/recurring/upcoming?days=0",
        &ana,
        None,
    )
    .await;
    let b = error_body(resp, 422, "VALIDATION_2003").await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "query.days"
    );
    let count: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM recurring_transactions").fetch_one(pool).await)
    .unwrap();
    assert_eq!(count, 1, "only the valid create was stored");
}

#[tokio::test]
async fn catch_up_after_a_clock_jump_makes_each_missed_date_once() {
    let (app, clock) = app().await;
    let (ana, _, ana_id) = app.user("jump-rec@example.com").await;
    let made = create(
        &app,
        &ana,
        json!({"amount": 4.5, "category": "food", "payee": "Bakery", "frequency": "every_n_days",
               "interval_days": 2, "start_date": today().to_string()}),
    )
    .await;
    assert_eq!(
        made["occurrences_done"], 1,
        "today's occurrence is made at once"
    );
    assert_eq!(made["next_date"], day(2).to_string());
    // Nothing runs for six days (the server was down); then the job ticks twice.
    clock.advance_ms(6 * DAY_MS);
    let first = tick(&app).await;
    assert_eq!((first.users, first.materialised), (1, 3));
    let again = tick(&app).await;
    assert_eq!(again.materialised, 0);
    let direct = mita::recurring::run::materialise_user(
        &app.db,
        &app.state.clock,
        &app.state.metrics,
        ana_id.parse().unwrap(),
        mita::time::tz("UTC"),
        100,
    )
    .await
    .unwrap();
    assert_eq!(direct, 0);
    assert_eq!(
        spend_days(&app, &ana_id).await,
        vec![day(0), day(2), day(4), day(6)]
    );
    let ana = relogin(&app, "jump-rec@example.com").await;
    let path = format!("/api/recurring/{}", made["id"].as_str().unwrap());
    let read = data(&app, Method::GET, &path, &ana, None).await;
    assert_eq!(read["occurrences_done"], 4);
    assert_eq!(read["next_date"], day(8).to_string());
    let dates: Vec<&str> = read["materialised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 4);
    assert!(read["materialised"][0]["transaction_id"].is_string());
    // The transactions are the app's ordinary ones.
    let listed = body(
        send(&app, Method::GET, "/api/transactions", &ana, None).await,
        200,
    )
    .await;
    let txs = listed["data"]["transactions"]
        .as_array()
        .or(listed["data"].as_array())
        .unwrap()
        .clone();
    assert_eq!(txs.len(), 4);
    assert!(
        txs.iter()
            .all(|t| t["merchant"] == "Bakery" && t["is_recurring"] == true)
    );
    assert!(txs.iter().all(|t| cents(&t["amount"]) == 450));
}

#[tokio::test]
async fn two_runs_racing_on_one_database_make_each_occurrence_once() {
    let (a, clock) = app().await;
    let (ana, _, ana_id) = a.user("race-rec@example.com").await;
    create(&a, &ana, every_day(2.0, "food", today())).await;
    clock.advance_ms(20 * DAY_MS);
    // A second instance on the same PostgreSQL database when there is one; on SQLite, the
    // same state twice (one writer).
    let second = if a.test_db.is_postgres() {
        let test_db = mita::testing::TestDatabase::shared(&a.test_db.url).unwrap();
        let db = mita::db::Db::connect(&test_db.settings()).await.unwrap();
        Some(
            crate::support::spawn_full(test_db, db, |_| {}, axum::Router::new(), clock.clone())
                .await,
        )
    } else {
        None
    };
    let b = second.as_ref().unwrap_or(&a);
    let (x, y, z) = tokio::join!(tick(&a), tick(b), tick(&a));
    assert_eq!(x.materialised + y.materialised + z.materialised, 20);
    let days = spend_days(&a, &ana_id).await;
    assert_eq!(days.len(), 21);
    let distinct: std::collections::BTreeSet<_> = days.iter().collect();
    assert_eq!(distinct.len(), 21, "one transaction per date");
}

#[tokio::test]
async fn a_long_catch_up_is_bounded_per_run_and_finishes_on_the_next() {
    let (app, _) = app().await;
    let (ana, _, ana_id) = app.user("bound-rec@example.com").await;
    let made = create(&app, &ana, every_day(1.0, "other", day(-150))).await;
    assert_eq!(made["occurrences_done"], 100, "at most 100 per run");
    assert_eq!(made["next_date"], day(-50).to_string());
    let listed = data(&app, Method::GET, "/api/recurring", &ana, None).await;
    assert_eq!(listed[0]["occurrences_done"], 151);
    assert_eq!(listed[0]["next_date"], day(1).to_string());
    assert_eq!(spend_days(&app, &ana_id).await.len(), 151);
}

#[tokio::test]
async fn end_date_and_count_bound_the_occurrences() {
    let (app, clock) = app().await;
    let (ana, _, ana_id) = app.user("end-rec@example.com").await;
    let mut ended = every_day(3.0, "food", day(-9));
    ended["end_date"] = json!(day(-5).to_string());
    let ended = create(&app, &ana, ended).await;
    assert_eq!(ended["occurrences_done"], 5);
    assert_eq!(ended["next_date"], Value::Null);
    let counted = create(
        &app,
        &ana,
        json!({"amount": 7, "category": "entertainment", "payee": "Cinema", "frequency": "weekly",
               "weekday": "monday", "start_date": day(-30).to_string(), "count": 3}),
    )
    .await;
    assert_eq!(counted["occurrences_done"], 3);
    assert_eq!(counted["next_date"], Value::Null);
    clock.advance_ms(30 * DAY_MS);
    assert_eq!(tick(&app).await.materialised, 0);
    let days = spend_days(&app, &ana_id).await;
    assert_eq!(days.len(), 8);
    assert!(days.iter().all(|d| *d <= day(-5) || *d < day(-9)));
    // Upcoming lists nothing for either.
    let ana = relogin(&app, "end-rec@example.com").await;
    let up = data(&app, Method::GET, "/api/recurring/upcoming", &ana, None).await;
    assert!(up["occurrences"].as_array().unwrap().is_empty(), "{up}");
}

#[tokio::test]
async fn delete_stops_future_occurrences_and_keeps_the_transactions_made() {
    let (app, clock) = app().await;
    let (ana, _, ana_id) = app.user("del-rec@example.com").await;
    let made = create(&app, &ana, every_day(5.0, "food", day(-2))).await;
    assert_eq!(made["occurrences_done"], 3);
    let path = format!("/api/recurring/{}", made["id"].as_str().unwrap());
    // A PATCH changes the coming ones only.
    data(
        &app,
        Method::PATCH,
        &path,
        &ana,
        Some(&json!({"amount": 6})),
    )
    .await;
    clock.advance_ms(DAY_MS);
    assert_eq!(tick(&app).await.materialised, 1);
    let ana = relogin(&app, "del-rec@example.com").await;
    data(&app, Method::DELETE, &path, &ana, None).await;
    clock.advance_ms(3 * DAY_MS);
    assert_eq!(tick(&app).await.materialised, 0);
    assert_eq!(
        spend_days(&app, &ana_id).await,
        vec![day(-2), day(-1), day(0), day(1)]
    );
    let amounts: Vec<i64> = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT amount_cents FROM transactions WHERE user_id = $1 ORDER BY local_date")
        .bind(ana_id.parse::<Id>().unwrap()).fetch_all(pool).await)
    .unwrap();
    assert_eq!(amounts, vec![500, 500, 500, 600]);
    let ana = relogin(&app, "del-rec@example.com").await;
    let listed = data(&app, Method::GET, "/api/recurring", &ana, None).await;
    assert!(listed.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_recurring_spend_moves_the_plan_exactly_as_the_same_typed_spend() {
    let (app, clock) = app().await;
    let (ana, _, ana_id) = app.user("ana-twin@example.com").await;
    let (bob, _, bob_id) = app.user("bob-twin@example.com").await;
    onboard(&app, &ana).await;
    onboard(&app, &bob).await;
    assert_eq!(plan(&app, &ana_id).await, plan(&app, &bob_id).await);
    // 80.00 of food a day overspends the food row: the cover takes from later days.
    create(&app, &ana, every_day(80.0, "food", today())).await;
    let typed = json!({"amount": 80, "category": "food", "merchant": "Corner shop"});
    body(
        send(&app, Method::POST, "/api/transactions", &bob, Some(&typed)).await,
        201,
    )
    .await;
    let ana_plan = plan(&app, &ana_id).await;
    assert_eq!(ana_plan, plan(&app, &bob_id).await);
    assert!(
        !covers(&app, &ana_id).await.is_empty(),
        "the spend was covered"
    );
    assert_eq!(covers(&app, &ana_id).await, covers(&app, &bob_id).await);
    // The next day: the job makes Ana's; Bob types his.
    clock.advance_ms(DAY_MS);
    assert_eq!(tick(&app).await.materialised, 1);
    let bob = relogin(&app, "bob-twin@example.com").await;
    body(
        send(&app, Method::POST, "/api/transactions", &bob, Some(&typed)).await,
        201,
    )
    .await;
    assert_eq!(plan(&app, &ana_id).await, plan(&app, &bob_id).await);
    assert_eq!(covers(&app, &ana_id).await, covers(&app, &bob_id).await);
    let food = plan(&app, &ana_id).await[&(day(1), "food".to_string())].clone();
    assert_eq!(food.1, 8000, "spent on the day");
}

#[tokio::test]
async fn a_fixed_expense_reserves_its_plan_rows_ahead_and_its_spend_uses_them() {
    let (app, clock) = app().await;
    let (ana, _, ana_id) = app.user("fixed-rec@example.com").await;
    onboard(&app, &ana).await;
    let before = plan(&app, &ana_id).await;
    let key = |d: NaiveDate| (d, "subscriptions".to_string());
    assert!(before.get(&key(day(3))).is_none_or(|r| r.0 == 0));
    let made = create(
        &app,
        &ana,
        json!({"amount": 15.99, "category": "subscriptions", "payee": "Streaming", "frequency": "monthly",
               "day_of_month": 8, "start_date": today().to_string()}),
    )
    .await;
    assert_eq!(made["reserves_plan"], true);
    let reserved = plan(&app, &ana_id).await;
    assert_eq!(reserved[&key(day(3))].0, 1599, "the 8th is reserved");
    let before_total: i64 = before.values().map(|r| r.0).sum();
    let after_total: i64 = reserved.values().map(|r| r.0).sum();
    assert_eq!(after_total - before_total, 1599, "nothing else moved");
    for (k, v) in &before {
        if *k != key(day(3)) {
            assert_eq!(reserved[k], *v, "{k:?}");
        }
    }
    let up = data(
        &app,
        Method::GET,
        "/api/recurring/upcoming?days=40",
        &ana,
        None,
    )
    .await;
    let dates: Vec<&str> = up["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-12-08", "2027-01-08"]);
    assert_eq!(cents(&up["total"]), 3198);
    assert_eq!(up["occurrences"][0]["reserves_plan"], true);

    // On the 8th the spend lands on its reserved row: no overspend, no cover.
    clock.advance_ms(3 * DAY_MS);
    assert_eq!(tick(&app).await.materialised, 1);
    let spent = plan(&app, &ana_id).await;
    assert_eq!(spent[&key(day(3))].0, 1599);
    assert_eq!(spent[&key(day(3))].1, 1599);
    assert!(covers(&app, &ana_id).await.is_empty());

    // A second one on the 20th, deleted: its reservation goes, the past stays.
    let ana = relogin(&app, "fixed-rec@example.com").await;
    let other = create(
        &app,
        &ana,
        json!({"amount": 40, "category": "insurance", "payee": "Insurer", "frequency": "monthly",
               "day_of_month": 20, "start_date": today().to_string()}),
    )
    .await;
    let k20 = (day(15), "insurance".to_string());
    assert_eq!(plan(&app, &ana_id).await[&k20].0, 4000);
    let path = format!("/api/recurring/{}", other["id"].as_str().unwrap());
    data(&app, Method::DELETE, &path, &ana, None).await;
    assert_eq!(plan(&app, &ana_id).await[&k20].0, 0);
    assert_eq!(plan(&app, &ana_id).await[&key(day(3))], spent[&key(day(3))]);
}
