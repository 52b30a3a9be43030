//! The installments screens and the financial calculators (issue 10). Each test sends the
//! client's own request and asserts what the client reads, with its Dart casts:
//! `InstallmentService` (installment_service.dart:146-494) decodes the **bare** body into
//! `InstallmentCalculatorOutput`, `UserFinancialProfile`, `Installment`, `InstallmentsSummary`
//! and `InstallmentAchievement` (installment_models.dart: `as int` needs a JSON integer, `as num`
//! any number, `as String` a string, `DateTime.parse` a date or a date-time);
//! `ApiService.getInstallments` (api_service.dart:2660-2667) reads `data` as a list;
//! `DynamicThresholdService` (dynamic_threshold_service.dart:181-227) reads the bare map's keys.

use chrono::NaiveDate;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::send;
use crate::ghn_support::{at, spawn_at};
use crate::onboarding::{cents, onboard};
use crate::support::TestApp;

/// `x as int`.
fn int(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} is a JSON integer: {v}"))
}

/// `(x as num).toDouble()`.
fn num(v: &Value, key: &str) -> f64 {
    assert!(v[key].is_number(), "{key} is a number: {v}");
    v[key].as_f64().unwrap()
}

/// `x as String`.
fn string<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a String: {v}"))
}

/// `DateTime.parse(x as String)`: a date or an RFC 3339 date-time.
fn date(v: &Value, key: &str) -> NaiveDate {
    let s = string(v, key);
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(s).map(|d| d.date_naive()))
        .unwrap_or_else(|_| panic!("{key} parses as a date: {s}"))
}

/// `Installment.fromJson`: every field it reads, with its cast.
fn assert_installment(v: &Value) {
    for key in [
        "id",
        "user_id",
        "item_name",
        "category",
        "payment_frequency",
        "status",
    ] {
        string(v, key);
    }
    for key in ["total_amount", "payment_amount", "interest_rate"] {
        num(v, key);
    }
    int(v, "total_payments");
    int(v, "payments_made");
    for key in [
        "first_payment_date",
        "next_payment_date",
        "final_payment_date",
        "created_at",
        "updated_at",
    ] {
        date(v, key);
    }
    assert!(v["notes"].is_null() || v["notes"].is_string(), "{v}");
}

/// The body `Installment.toJson()` builds for a new plan (`id`/`user_id` empty, local
/// date-times without an offset).
fn app_installment(name: &str, total: f64, payment: f64, count: i64, first: &str) -> Value {
    json!({
        "id": "", "user_id": "", "item_name": name, "category": "furniture", "total_amount": total,
        "payment_amount": payment, "interest_rate": 0.0, "total_payments": count, "payments_made": 0,
        "payment_frequency": "monthly", "first_payment_date": format!("{first}T00:00:00.000"),
        "next_payment_date": format!("{first}T00:00:00.000"), "final_payment_date": "2027-12-01T00:00:00.000",
        "status": "active", "notes": "0% store offer", "created_at": "2026-11-10T09:00:00.000",
        "updated_at": "2026-11-10T09:00:00.000"
    })
}

async fn bare(resp: reqwest::Response, status: u16) -> Value {
    let url = resp.url().clone();
    assert_eq!(resp.status().as_u16(), status, "status of {url}");
    let b: Value = resp.json().await.unwrap();
    assert!(b.get("success").is_none(), "answered bare: {b}");
    b
}

/// An onboarded user (income 6000, plan leaving 960 a month) on 2026-11-10.
async fn user(email: &str) -> (TestApp, String) {
    let (app, _clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user(email).await;
    onboard(&app, &token).await;
    (app, token)
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    bare(
        send(app, Method::POST, "/api/installments", token, body).await,
        201,
    )
    .await
}

#[tokio::test]
async fn calculator_answers_every_field_the_result_screen_reads() {
    let (app, token) = user("calc@example.com").await;
    // `_calculateInstallment` without a profile: the typed income and balance, provider counts.
    let body = json!({"purchase_amount": 1200.0, "category": "electronics", "num_payments": 4,
        "interest_rate": 0.0, "monthly_income": 6000.0, "current_balance": 5000.0,
        "active_installments_count": 0, "active_installments_monthly": 0.0, "credit_card_debt": 0.0,
        "other_monthly_obligations": 0.0, "planning_mortgage": false});
    let out = bare(
        send(
            &app,
            Method::POST,
            "/api/installments/calculator",
            &token,
            &body,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(string(&out, "risk_level"), "green");
    num(&out, "risk_score");
    assert_eq!(string(&out, "verdict"), "You can afford this");
    assert_eq!(cents(&out["monthly_payment"]), 30_000);
    assert_eq!(cents(&out["total_interest"]), 0);
    assert_eq!(cents(&out["total_cost"]), 120_000);
    assert_eq!(cents(&out["first_payment_amount"]), 30_000);
    let schedule = out["payment_schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), 4);
    for (i, p) in schedule.iter().enumerate() {
        assert_eq!(int(p, "payment_number"), i64::try_from(i).unwrap() + 1);
        assert_eq!(cents(&p["amount"]), 30_000);
        num(p, "interest");
    }
    // The plan leaves 960 a month (income 6000 − fixed 1700 − savings 400 − categories 2940).
    assert_eq!(cents(&out["plan_capacity"]), 96_000);
    assert_eq!(cents(&out["remaining_monthly_funds"]), 66_000);
    assert_eq!(out["payment_to_income_ratio"].to_string(), "5.00");
    assert_eq!(
        out["dti_ratio"].to_string(),
        "33.33",
        "(300 + rent 1500 + utilities 200) ÷ 6000"
    );
    assert_eq!(cents(&out["balance_after_first_payment"]), 470_000);
    for key in ["risk_factors", "warnings", "tips", "statistics"] {
        assert!(out[key].is_array(), "{key}");
    }
    for s in out["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .chain(out["tips"].as_array().unwrap())
    {
        assert!(s.is_string());
    }
    assert!(string(&out, "personalized_message").contains("300.00"));
    let alt = &out["alternative_recommendation"];
    assert_eq!(string(alt, "recommendation_type"), "pay_cash");
    string(alt, "title");
    string(alt, "description");
    assert!(out["potential_late_fee"].is_null() && out["hidden_cost_message"].is_null());
    assert_eq!(string(&out, "income_source"), "request");
    // Without an income in the request the onboarding income is used.
    let mut bare_body = body.clone();
    bare_body.as_object_mut().unwrap().remove("monthly_income");
    let again = bare(
        send(
            &app,
            Method::POST,
            "/api/installments/calculator",
            &token,
            &bare_body,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(string(&again, "income_source"), "account");
    assert_eq!(cents(&again["monthly_income"]), 600_000);

    // Four times the price is more than the plan leaves: red, with factors the card reads.
    let big = json!({"purchase_amount": 4800.0, "category": "electronics", "num_payments": 4,
        "interest_rate": 15.0, "monthly_income": 6000.0, "current_balance": 5000.0,
        "active_installments_count": 0, "active_installments_monthly": 0.0, "credit_card_debt": 0.0,
        "other_monthly_obligations": 0.0, "planning_mortgage": false});
    let out = bare(
        send(
            &app,
            Method::POST,
            "/api/installments/calculator",
            &token,
            &big,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(string(&out, "risk_level"), "red");
    assert!(cents(&out["remaining_monthly_funds"]) < 0);
    assert!(cents(&out["total_interest"]) > 0);
    let factor = &out["risk_factors"][0];
    assert_eq!(string(factor, "factor"), "exceeds_plan");
    assert_eq!(string(factor, "severity"), "critical");
    string(factor, "message");
    assert!(factor["stat"].is_null() || factor["stat"].is_string());
    let alt = &out["alternative_recommendation"];
    assert_eq!(string(alt, "recommendation_type"), "save_instead");
    num(alt, "savings_amount");
    int(alt, "time_needed_days");
    string(&out, "hidden_cost_message");
}

#[tokio::test]
async fn profile_post_stores_the_profile_the_app_sends() {
    let (app, token) = user("profile-post@example.com").await;
    // `getOrCreateFinancialProfile`: the new profile's `toJson` (empty ids, nulls allowed).
    let body = json!({"id": "", "user_id": "", "monthly_income": 6000.0, "current_balance": 2500.5,
        "age_group": "25-34", "credit_card_debt": null, "credit_card_payment": null,
        "other_loans_payment": 150.0, "rent_payment": 1500.0, "subscriptions_payment": null,
        "planning_mortgage": false, "updated_at": "2026-11-10T09:00:00.000"});
    let p = bare(
        send(
            &app,
            Method::POST,
            "/api/installments/profile",
            &token,
            &body,
        )
        .await,
        201,
    )
    .await;
    assert!(!string(&p, "id").is_empty());
    assert!(!string(&p, "user_id").is_empty());
    assert_eq!(cents(&p["monthly_income"]), 600_000);
    assert_eq!(cents(&p["current_balance"]), 250_050);
    assert_eq!(string(&p, "age_group"), "25-34");
    assert!(p["credit_card_debt"].is_null());
    assert_eq!(cents(&p["rent_payment"]), 150_000);
    assert_eq!(p["planning_mortgage"], false);
    date(&p, "updated_at");

    // A second save replaces the profile and keeps its id: 200.
    let mut again = body.clone();
    again["current_balance"] = json!(3000.0);
    let p2 = bare(
        send(
            &app,
            Method::POST,
            "/api/installments/profile",
            &token,
            &again,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(p2["id"], p["id"]);
    assert_eq!(cents(&p2["current_balance"]), 300_000);
}

#[tokio::test]
async fn profile_get_is_404_until_saved_then_the_profile() {
    // Not onboarded: the profile is all the calculator knows.
    let (app, _clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user("profile-get@example.com").await;
    // `getFinancialProfile` maps a 404 to "no profile yet".
    let resp = app.get_as("/api/installments/profile", &token).await;
    assert_eq!(resp.status(), 404);
    let body = json!({"id": "", "user_id": "", "monthly_income": 4200.0, "current_balance": 800.0,
        "age_group": "18-24", "credit_card_debt": 300.0, "credit_card_payment": 40.0,
        "other_loans_payment": null, "rent_payment": 900.0, "subscriptions_payment": 25.5,
        "planning_mortgage": true, "updated_at": "2026-11-10T09:00:00.000"});
    send(
        &app,
        Method::POST,
        "/api/installments/profile",
        &token,
        &body,
    )
    .await;
    let p = bare(app.get_as("/api/installments/profile", &token).await, 200).await;
    string(&p, "id");
    string(&p, "user_id");
    assert_eq!(cents(&p["monthly_income"]), 420_000);
    assert_eq!(cents(&p["credit_card_debt"]), 30_000);
    assert_eq!(cents(&p["subscriptions_payment"]), 2_550);
    assert_eq!(string(&p, "age_group"), "18-24");
    assert_eq!(p["planning_mortgage"], true);
    assert_eq!(cents(&p["total_monthly_obligations"]), 96_550);
    date(&p, "updated_at");

    // The calculator then reads it: the app sends the profile's income and obligations.
    let calc = json!({"purchase_amount": 500.0, "category": "clothing", "num_payments": 4, "interest_rate": 0.0,
        "monthly_income": 4200.0, "current_balance": 800.0, "age_group": "18-24", "active_installments_count": 0,
        "active_installments_monthly": 0.0, "credit_card_debt": 300.0, "other_monthly_obligations": 965.5,
        "planning_mortgage": true});
    let out = bare(
        send(
            &app,
            Method::POST,
            "/api/installments/calculator",
            &token,
            &calc,
        )
        .await,
        200,
    )
    .await;
    let factors: Vec<&str> = out["risk_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["factor"].as_str().unwrap())
        .collect();
    assert!(factors.contains(&"credit_card_debt"), "{factors:?}");
    assert!(factors.contains(&"mortgage_planned"), "{factors:?}");
    assert!(factors.contains(&"young_borrower"), "{factors:?}");
    assert_eq!(string(&out, "risk_level"), "orange");
}

#[tokio::test]
async fn create_answers_the_installment_the_app_decodes() {
    let (app, token) = user("create@example.com").await;
    let i = create(
        &app,
        &token,
        &app_installment("Sofa", 1200.0, 200.0, 6, "2026-11-20"),
    )
    .await;
    assert_installment(&i);
    assert_eq!(string(&i, "item_name"), "Sofa");
    assert_eq!(string(&i, "category"), "furniture");
    assert_eq!(cents(&i["total_amount"]), 120_000);
    assert_eq!(cents(&i["payment_amount"]), 20_000);
    assert_eq!(int(&i, "total_payments"), 6);
    assert_eq!(int(&i, "payments_made"), 0);
    assert_eq!(string(&i, "status"), "active");
    assert_eq!(string(&i, "first_payment_date"), "2026-11-20");
    assert_eq!(string(&i, "next_payment_date"), "2026-11-20");
    assert_eq!(
        string(&i, "final_payment_date"),
        "2027-04-20",
        "computed from the terms"
    );
    assert_eq!(string(&i, "notes"), "0% store offer");
}

#[tokio::test]
async fn list_answers_the_summary_with_the_load_the_screen_shows() {
    let (app, token) = user("list@example.com").await;
    let sofa = create(
        &app,
        &token,
        &app_installment("Sofa", 1200.0, 200.0, 6, "2026-11-20"),
    )
    .await;
    create(
        &app,
        &token,
        &app_installment("Phone", 400.0, 100.0, 4, "2026-11-15"),
    )
    .await;
    // `loadInstallments()` without a filter.
    let s = bare(app.get_as("/api/installments", &token).await, 200).await;
    assert_eq!(int(&s, "total_active"), 2);
    assert_eq!(int(&s, "total_completed"), 0);
    assert_eq!(cents(&s["total_monthly_payment"]), 30_000);
    assert_eq!(string(&s, "next_payment_date"), "2026-11-15");
    assert_eq!(cents(&s["next_payment_amount"]), 10_000);
    let items = s["installments"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    items.iter().for_each(assert_installment);
    assert_eq!(items[0]["item_name"], "Phone", "next due first");
    // 300 a month of the 960 the plan leaves: 31 % ("Safe" below 50 %).
    assert_eq!(s["current_installment_load"].to_string(), "0.3125");
    assert!(num(&s, "current_installment_load") < 0.5);
    assert!(string(&s, "load_message").contains("31%"));

    // The tabs send `?status=`: the counts stay those of every installment.
    let path = format!("/api/installments/{}", string(&sofa, "id"));
    send(
        &app,
        Method::PATCH,
        &path,
        &token,
        &json!({"status": "cancelled"}),
    )
    .await;
    let active = bare(
        app.get_as("/api/installments?status=active", &token).await,
        200,
    )
    .await;
    assert_eq!(active["installments"].as_array().unwrap().len(), 1);
    assert_eq!(int(&active, "total_active"), 1);
    let overdue = bare(
        app.get_as("/api/installments?status=overdue", &token).await,
        200,
    )
    .await;
    assert!(overdue["installments"].as_array().unwrap().is_empty());
    assert!(overdue["next_payment_date"].is_string());
}

#[tokio::test]
async fn get_answers_one_installment() {
    let (app, token) = user("get@example.com").await;
    let made = create(
        &app,
        &token,
        &app_installment("Laptop", 900.0, 300.0, 3, "2026-11-25"),
    )
    .await;
    let path = format!("/api/installments/{}", string(&made, "id"));
    let i = bare(app.get_as(&path, &token).await, 200).await;
    assert_installment(&i);
    assert_eq!(i["id"], made["id"]);
    assert_eq!(int(&i, "payments_made"), 0);
    assert_eq!(cents(&i["remaining_balance"]), 90_000);
}

#[tokio::test]
async fn mark_payment_made_records_a_transaction_and_advances_the_installment() {
    let (app, token) = user("patch@example.com").await;
    let made = create(
        &app,
        &token,
        &app_installment("Sofa", 1200.0, 200.0, 6, "2026-11-20"),
    )
    .await;
    let path = format!("/api/installments/{}", string(&made, "id"));
    // `markPaymentMade`: GET, then PATCH {payments_made: paymentsMade + 1}.
    let current = bare(app.get_as(&path, &token).await, 200).await;
    let next = int(&current, "payments_made") + 1;
    let i = bare(
        send(
            &app,
            Method::PATCH,
            &path,
            &token,
            &json!({"payments_made": next}),
        )
        .await,
        200,
    )
    .await;
    assert_installment(&i);
    assert_eq!(int(&i, "payments_made"), 1);
    assert_eq!(string(&i, "next_payment_date"), "2026-12-20");
    assert_eq!(cents(&i["total_paid"]), 20_000);
    // The payment is a transaction of today.
    let txs = super::data(&app, "/api/transactions", &token).await;
    let tx = &txs.as_array().unwrap()[0];
    assert_eq!(cents(&tx["amount"]), 20_000);
    assert_eq!(tx["category"], "shopping");
    assert_eq!(tx["description"], "Installment payment: Sofa (1/6)");
    assert!(string(tx, "spent_at").starts_with("2026-11-10"));

    // `addNotes` and `cancelInstallment` send one field each.
    let i = bare(
        send(
            &app,
            Method::PATCH,
            &path,
            &token,
            &json!({"notes": "paid at the store"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(string(&i, "notes"), "paid at the store");
    let i = bare(
        send(
            &app,
            Method::PATCH,
            &path,
            &token,
            &json!({"status": "cancelled"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(string(&i, "status"), "cancelled");
}

#[tokio::test]
async fn delete_answers_200_and_the_installment_is_gone() {
    let (app, token) = user("delete@example.com").await;
    let made = create(
        &app,
        &token,
        &app_installment("Bike", 600.0, 150.0, 4, "2026-11-20"),
    )
    .await;
    let path = format!("/api/installments/{}", string(&made, "id"));
    let resp = send(&app, Method::DELETE, &path, &token, &json!(null)).await;
    assert_eq!(resp.status(), 200, "the app accepts 200 or 204");
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["data"]["status"], "deleted");
    assert_eq!(app.get_as(&path, &token).await.status(), 404);
    let s = bare(app.get_as("/api/installments", &token).await, 200).await;
    assert!(s["installments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn calendar_lists_the_months_payments() {
    let (app, token) = user("calendar@example.com").await;
    let sofa = create(
        &app,
        &token,
        &app_installment("Sofa", 1200.0, 200.0, 6, "2026-11-05"),
    )
    .await;
    let path = format!("/api/installments/{}", string(&sofa, "id"));
    send(
        &app,
        Method::PATCH,
        &path,
        &token,
        &json!({"payments_made": 1}),
    )
    .await;
    create(
        &app,
        &token,
        &app_installment("Phone", 400.0, 100.0, 4, "2026-11-15"),
    )
    .await;
    // `getMonthlyCalendar(year, month)`: the body is a map.
    let c = bare(
        app.get_as("/api/installments/calendar/2026/11", &token)
            .await,
        200,
    )
    .await;
    assert_eq!(int(&c, "year"), 2026);
    assert_eq!(int(&c, "month"), 11);
    assert_eq!(cents(&c["total_payments_this_month"]), 30_000);
    assert_eq!(cents(&c["unpaid_this_month"]), 10_000);
    let dates: Vec<(&str, &str)> = c["payment_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (string(p, "payment_date"), string(p, "status")))
        .collect();
    assert_eq!(
        dates,
        vec![("2026-11-05", "paid"), ("2026-11-15", "upcoming")]
    );
    assert_eq!(int(&c["payment_dates"][1], "days_until_payment"), 5);
    // 960 left by the plan − 300 of payments this month.
    assert_eq!(cents(&c["available_after_installments"]), 66_000);
}

#[tokio::test]
async fn achievements_answer_integers_the_model_casts() {
    let (app, token) = user("achievements@example.com").await;
    let risky = json!({"purchase_amount": 9000.0, "category": "electronics", "num_payments": 4,
        "interest_rate": 20.0, "monthly_income": 6000.0, "current_balance": 5000.0});
    send(
        &app,
        Method::POST,
        "/api/installments/calculator",
        &token,
        &risky,
    )
    .await;
    let a = bare(
        app.get_as("/api/installments/achievements", &token).await,
        200,
    )
    .await;
    string(&a, "id");
    string(&a, "user_id");
    assert_eq!(int(&a, "installments_completed"), 0);
    assert_eq!(int(&a, "calculations_performed"), 1);
    assert_eq!(
        int(&a, "calculations_declined"),
        1,
        "a red calculation not taken"
    );
    assert_eq!(int(&a, "days_without_new_installment"), 0);
    int(&a, "max_days_streak");
    assert!(cents(&a["interest_saved"]) > 0);
    assert_eq!(string(&a, "achievement_level"), "cautious");
    date(&a, "last_calculation_date");
    date(&a, "updated_at");
}

#[tokio::test]
async fn installment_evaluate_is_an_enveloped_list() {
    let (app, token) = user("evaluate@example.com").await;
    create(
        &app,
        &token,
        &app_installment("Sofa", 1200.0, 200.0, 6, "2026-11-20"),
    )
    .await;
    // `ApiService.getInstallments()`: a plain GET, `data` read as a list.
    let data = super::data(&app, "/api/financial/installment-evaluate", &token).await;
    let list = data.as_array().expect("data is a list");
    assert_eq!(list.len(), 1);
    let e: &Map<String, Value> = list[0].as_object().unwrap();
    let e = Value::Object(e.clone());
    assert_eq!(string(&e, "item_name"), "Sofa");
    assert_eq!(cents(&e["monthly_payment"]), 20_000);
    assert_eq!(int(&e, "remaining_payments"), 6);
    assert_eq!(cents(&e["total_cost"]), 120_000, "what is still owed");
    assert_eq!(cents(&e["total_interest"]), 0);
    assert_eq!(e["can_afford"], true);
    assert_eq!(string(&e, "risk_level"), "green");
    string(&e, "reason");
    // A proposed purchase through the query.
    let data = super::data(
        &app,
        "/api/financial/installment-evaluate?price=6000&months=4",
        &token,
    )
    .await;
    assert_eq!(data[0]["can_afford"], false);
    assert_eq!(data[0]["budget_impact_assessment"], "exceeds_limits");
}

#[tokio::test]
async fn dynamic_thresholds_answer_the_keys_the_service_reads() {
    let (app, token) = user("thresholds@example.com").await;
    let context = json!({"monthly_income": 6000.0, "age": 35, "region": "US", "family_size": 1,
        "debt_to_income_ratio": 0.0, "months_of_data": 6, "current_savings_rate": 0.0,
        "housing_status": "rent", "life_stage": "single"});
    let ask = |kind: &str| json!({"threshold_type": kind, "user_context": context});
    let post = |body: Value| {
        let app = &app;
        let token = &token;
        async move {
            bare(
                send(
                    app,
                    Method::POST,
                    "/api/financial/dynamic-thresholds",
                    token,
                    &body,
                )
                .await,
                200,
            )
            .await
        }
    };
    let a = post(ask("budget_allocation")).await;
    for key in ["housing", "food", "transport", "entertainment", "savings"] {
        assert!(num(&a, key) > 0.0 && num(&a, key) < 1.0, "{key}");
    }
    assert_eq!(
        a["food"].to_string(),
        "0.1200",
        "the middle tier's food weight"
    );
    let s = post(ask("spending_pattern")).await;
    assert_eq!(cents(&s["small_purchase_threshold"]), 3_000);
    assert_eq!(cents(&s["medium_purchase_threshold"]), 12_000);
    assert_eq!(cents(&s["large_purchase_threshold"]), 60_000);
    for key in [
        "category_concentration_threshold",
        "monthly_variance_threshold",
        "impulse_buying_threshold",
    ] {
        num(&s, key);
    }
    let h = post(ask("health_scoring")).await;
    for (_, v) in h["grade_boundaries"].as_object().unwrap() {
        assert!(v.is_number());
    }
    for (_, v) in h["component_expectations"].as_object().unwrap() {
        assert!(v.is_number());
    }
    let t = post(ask("savings_target")).await;
    assert_eq!(t["target_savings_rate"].to_string(), "0.1200");
    num(&t, "minimum_savings_rate");
    num(&t, "emergency_fund_months");
    let g = post(ask("goal_constraint")).await;
    num(&g, "maximum_goal_timeline_years");
    assert_eq!(cents(&g["maximum_monthly_contribution"]), 72_000);
    num(&g, "minimum_monthly_contribution");
    let b = post(ask("behavioral_trigger")).await;
    num(&b, "total_budget_variance_threshold");
    num(&b, "weekend_overspending_multiplier");
}

#[tokio::test]
async fn housing_affordability_answers_the_four_ratios() {
    let (app, token) = user("housing@example.com").await;
    let body = json!({"user_context": {"monthly_income": 6000.0, "age": 35, "region": "US", "family_size": 1,
        "debt_to_income_ratio": 0.0, "months_of_data": 6, "current_savings_rate": 0.0,
        "housing_status": "rent", "life_stage": "single"}});
    let h = bare(
        send(
            &app,
            Method::POST,
            "/api/financial/housing-affordability",
            &token,
            &body,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(h["recommended_housing_ratio"].to_string(), "0.3000");
    assert_eq!(h["maximum_housing_ratio"].to_string(), "0.3750");
    assert_eq!(h["comfortable_housing_ratio"].to_string(), "0.2550");
    assert_eq!(num(&h, "regional_adjustment_factor"), 1.0);
    // The worked case pays rent 1500 of 6000: a quarter.
    assert_eq!(cents(&h["current_monthly_housing"]), 150_000);
    assert_eq!(h["current_housing_ratio"].to_string(), "0.2500");
    assert_eq!(cents(&h["recommended_monthly_housing"]), 180_000);
}
