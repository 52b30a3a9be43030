//! Onboarding: questions, the submitted answers → budget plan + this month's daily plan, exact
//! figures, idempotent second submit, and bad input that writes nothing.

use std::collections::BTreeMap;

use chrono::{Datelike, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, error_body, spawn_app};
use mita::metrics::BudgetCalculation;

mod refusals;

/// An amount of the API (a JSON number with two decimals) in cents.
pub fn cents(v: &Value) -> i64 {
    assert!(v.is_number(), "money is a JSON number: {v}");
    mita::money::Money::parse(&v.to_string()).unwrap().cents()
}

/// The worked case of BUDGET.md: income 6000, rent 1500, utilities 200, savings 400.
pub fn worked_case() -> Value {
    json!({"income": {"monthly_income": 6000, "additional_income": 0},
           "fixed_expenses": {"rent": 1500, "utilities": 200},
           "spending_habits": {"dining_out_per_month": 0, "coffee_per_week": 0, "transport_per_month": 10,
                               "entertainment_per_month": 4, "clothing_per_month": 2, "travel_per_year": 0},
           "goals": {"savings_goal_amount_per_month": 400}})
}

pub async fn submit(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.authed(Method::POST, "/api/onboarding/submit", token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Onboards with the worked case; returns the answer's `data`.
pub async fn onboard(app: &TestApp, token: &str) -> Value {
    let resp = submit(app, token, &worked_case()).await;
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["data"].clone()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    mita::on_db!(&app.db, pool => sqlx::query_scalar(sql).fetch_one(pool).await).unwrap()
}

/// Σ planned per category over the calendar answer.
pub fn laid_out(calendar: &Value) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for day in calendar["calendar"].as_array().unwrap() {
        for (category, cell) in day["planned_budget"].as_object().unwrap() {
            *out.entry(category.clone()).or_default() += cents(&cell["planned"]);
        }
    }
    out
}

#[tokio::test]
async fn questions_cover_income_fixed_expenses_habits_goals_and_profile() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("q@example.com").await;
    let body: Value = app
        .get_as("/api/onboarding/questions", &token)
        .await
        .json()
        .await
        .unwrap();
    let questions = body["data"]["questions"].as_array().unwrap();
    let fields: Vec<&str> = questions
        .iter()
        .map(|q| q["field"].as_str().unwrap())
        .collect();
    for f in [
        "income.monthly_income",
        "fixed_expenses.rent",
        "spending_habits.coffee_per_week",
        "goals.savings_goal_amount_per_month",
        "region",
        "timezone",
    ] {
        assert!(fields.contains(&f), "missing {f}");
    }
    assert!(
        questions
            .iter()
            .all(|q| q["type"].is_string() && q["label"].is_string())
    );
}

#[tokio::test]
async fn the_worked_case_builds_an_exact_plan_for_the_current_month() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("plan@example.com").await;
    let plans_before = app
        .state
        .metrics
        .budget_calculations_total
        .get(BudgetCalculation::Plan);

    let data = onboard(&app, &token).await;

    assert_eq!(data["status"], "success");
    let today = Utc::now().date_naive();
    let days = mita::budget::days::days_in_month(today.year(), today.month());
    assert_eq!(data["calendar_days"], days);
    let plan = &data["budget_plan"];
    assert_eq!(plan["total_income"].to_string(), "6000.00");
    assert_eq!(cents(&plan["fixed_expenses_total"]), 170_000);
    assert_eq!(cents(&plan["savings_goal"]), 40_000);
    assert_eq!(cents(&plan["discretionary_total"]), 390_000);
    assert_eq!(plan["income_tier"], "middle");
    let allocations: BTreeMap<String, i64> = plan["allocations"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), cents(v)))
        .collect();
    assert_eq!(allocations["rent"], 150_000);
    assert_eq!(allocations["utilities"], 20_000);
    assert_eq!(allocations["food"], 72_000, "12 % of 6000");
    let variable: i64 = allocations
        .iter()
        .filter(|(k, _)| !["rent", "utilities"].contains(&k.as_str()))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(
        variable + cents(&plan["unallocated"]),
        390_000,
        "variable + unallocated = discretionary"
    );

    let calendar: Value = app
        .get_as("/api/calendar/current-month", &token)
        .await
        .json()
        .await
        .unwrap();
    let calendar = &calendar["data"];
    assert_eq!(
        calendar["calendar"].as_array().unwrap().len(),
        days as usize,
        "every day present"
    );
    assert_eq!(
        laid_out(calendar),
        allocations,
        "each category's days sum exactly to its allocation"
    );
    let first = &calendar["calendar"][0]["planned_budget"];
    assert_eq!(cents(&first["rent"]["planned"]), 150_000, "rent on day 1");
    assert_eq!(
        cents(&calendar["calendar"][4]["planned_budget"]["utilities"]["planned"]),
        20_000,
        "utilities on day 5"
    );

    let me: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["has_onboarded"], true);
    assert_eq!(me["data"]["income"].to_string(), "6000.00");
    assert_eq!(me["data"]["savings_goal"].to_string(), "400.00");
    assert_eq!(count(&app, "onboarding_answers").await, 1);
    let plans_after = app
        .state
        .metrics
        .budget_calculations_total
        .get(BudgetCalculation::Plan);
    assert_eq!(
        plans_after,
        plans_before + 1,
        "mita_budget_calculations_total{{kind=\"plan\"}} moved"
    );
    let metrics = app.state.metrics.render().unwrap();
    assert!(
        metrics.contains("mita_budget_calculation_duration_seconds_count{kind=\"plan\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_second_submit_answers_already_onboarded_and_changes_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("twice@example.com").await;
    onboard(&app, &token).await;
    let before: Value = app
        .get_as("/api/calendar/current-month", &token)
        .await
        .json()
        .await
        .unwrap();
    let rows = count(&app, "daily_plan").await;

    let mut other = worked_case();
    other["income"]["monthly_income"] = json!(9000);
    let resp = submit(&app, &token, &other).await;

    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["status"], "already_onboarded");
    let after: Value = app
        .get_as("/api/calendar/current-month", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["data"], after["data"]);
    assert_eq!(count(&app, "daily_plan").await, rows);
    let me: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["income"].to_string(), "6000.00");
}

#[tokio::test]
async fn timezone_and_region_answers_update_the_profile() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tz@example.com").await;
    let mut body = worked_case();
    body["timezone"] = json!("Pacific/Kiritimati");
    body["region"] = json!("Line Islands");

    let data = submit(&app, &token, &body)
        .await
        .json::<Value>()
        .await
        .unwrap();

    assert_eq!(data["data"]["status"], "success");
    let me: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["timezone"], "Pacific/Kiritimati");
    assert_eq!(me["data"]["region"], "Line Islands");
    let today = mita::time::local_date(
        Utc::now().timestamp_millis(),
        mita::time::tz("Pacific/Kiritimati"),
    );
    let calendar: Value = app
        .get_as("/api/calendar/current-month", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        calendar["data"]["month"],
        today.month(),
        "the month is the user's month"
    );
}

#[tokio::test]
async fn onboarding_routes_need_a_token() {
    let app = spawn_app().await;
    error_body(app.get("/api/onboarding/questions").await, 401, "AUTH_1004").await;
    error_body(
        app.post_json("/api/onboarding/submit", &worked_case())
            .await,
        401,
        "AUTH_1004",
    )
    .await;
}
