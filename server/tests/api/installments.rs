//! Installments in the daily plan (docs/installments.md §4): each due date reserves a
//! `debt_payments` row carrying the installment's id and nothing else in the plan moves; a
//! payment is spent on the day it is made; undo, cancel and delete release; the payments'
//! transactions belong to their installment; another user's installment is 404 and unchanged on
//! every `{id}` route; bad input is a 422 naming the field and writes nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use mita::id::Id;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, count, relogin, send, spawn_at};
use crate::onboarding::{cents, onboard};
use crate::support::TestApp;

/// (date, category, installment id) → (planned, spent) of every plan row of a user.
type Rows = BTreeMap<(NaiveDate, String, Option<Id>), (i64, i64)>;

async fn plan(app: &TestApp, user: &str) -> Rows {
    let user: Id = user.parse().unwrap();
    let rows: Vec<(NaiveDate, String, Option<Id>, i64, i64)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT date, category, installment_id, planned_cents, spent_cents FROM daily_plan WHERE user_id = $1")
        .bind(user).fetch_all(pool).await)
    .unwrap();
    rows.into_iter()
        .map(|(d, c, i, p, s)| ((d, c, i), (p, s)))
        .collect()
}

/// The plain rows (no installment) of a plan.
fn plain(rows: &Rows) -> Rows {
    rows.iter()
        .filter(|(k, _)| k.2.is_none())
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// (date → (planned, spent)) of one installment's rows.
fn of(rows: &Rows, id: &str) -> BTreeMap<NaiveDate, (i64, i64)> {
    let id: Id = id.parse().unwrap();
    rows.iter()
        .filter(|(k, _)| k.2 == Some(id))
        .map(|(k, v)| {
            assert_eq!(k.1, "debt_payments");
            (k.0, *v)
        })
        .collect()
}

fn planned(rows: &Rows) -> i64 {
    rows.values().map(|v| v.0).sum()
}

fn day(m: u32, d: u32) -> NaiveDate {
    let y = if m >= 11 { 2026 } else { 2027 };
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn installment(
    name: &str,
    total: i64,
    payment: i64,
    count: i64,
    first: &str,
    frequency: &str,
) -> Value {
    json!({"item_name": name, "category": "furniture", "total_amount": total, "payment_amount": payment,
        "interest_rate": 0, "total_payments": count, "payments_made": 0, "payment_frequency": frequency,
        "first_payment_date": first})
}

async fn create(app: &TestApp, token: &str, payload: &Value) -> Value {
    body(
        send(app, Method::POST, "/api/installments", token, Some(payload)).await,
        201,
    )
    .await
}

async fn patch(app: &TestApp, token: &str, id: &str, payload: Value) -> reqwest::Response {
    let path = format!("/api/installments/{id}");
    send(app, Method::PATCH, &path, token, Some(&payload)).await
}

/// An onboarded user on 2026-11-10 (UTC).
async fn onboarded(email: &str) -> (TestApp, mita::clock::Clock, String, String) {
    let (app, clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, id) = app.user(email).await;
    onboard(&app, &token).await;
    (app, clock, token, id)
}

#[tokio::test]
async fn an_installment_reserves_its_due_dates_and_nothing_else_changes() {
    let (app, _clock, token, user) = onboarded("plan-inst@example.com").await;
    let before = plan(&app, &user).await;

    let sofa = create(
        &app,
        &token,
        &installment("Sofa", 600, 100, 6, "2026-11-12", "biweekly"),
    )
    .await;
    let id = sofa["id"].as_str().unwrap().to_string();
    let after = plan(&app, &user).await;
    assert_eq!(
        of(&after, &id),
        BTreeMap::from([(day(11, 12), (10_000, 0)), (day(11, 26), (10_000, 0))]),
        "one row per due date this month"
    );
    assert_eq!(plain(&after), plain(&before), "no other row moved");
    assert_eq!(planned(&after), planned(&before) + 20_000);
    // The calendar shows the reservation under debt_payments.
    let cal = super::app_calls::data(&app, "/api/calendar/current-month", &token).await;
    let d12 = cal["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2026-11-12")
        .unwrap();
    assert_eq!(
        cents(&d12["planned_budget"]["debt_payments"]["planned"]),
        10_000
    );

    // Paid early (today, the 10th): the reservation moves to today, planned and spent.
    body(
        patch(&app, &token, &id, json!({"payments_made": 1})).await,
        200,
    )
    .await;
    let paid = plan(&app, &user).await;
    assert_eq!(
        of(&paid, &id),
        BTreeMap::from([(day(11, 10), (10_000, 10_000)), (day(11, 26), (10_000, 0))])
    );
    assert_eq!(planned(&paid), planned(&after), "Σ planned unchanged");
    assert_eq!(
        plain(&paid),
        plain(&before),
        "the payment is not spent on a plain row"
    );

    // An ordinary shopping spend of the same day lands on the shopping row, alone.
    let spend = json!({"amount": 20, "category": "shopping"});
    body(
        send(
            &app,
            Method::POST,
            "/api/transactions",
            &token,
            Some(&spend),
        )
        .await,
        201,
    )
    .await;
    let spent = plan(&app, &user).await;
    let shopping = spent[&(day(11, 10), "shopping".to_string(), None)];
    assert_eq!(
        shopping.1, 2_000,
        "the installment payment is not counted twice"
    );

    // Undone: the transaction goes, the due date is reserved again.
    let i = body(
        patch(&app, &token, &id, json!({"payments_made": 0})).await,
        200,
    )
    .await;
    assert_eq!(i["payments_made"], 0);
    let undone = plan(&app, &user).await;
    assert_eq!(of(&undone, &id), of(&after, &id));
    let live: i64 = count(
        &app,
        "SELECT COUNT(*) FROM transactions WHERE deleted_at IS NULL AND description LIKE 'Installment payment%'",
    )
    .await;
    assert_eq!(live, 0);

    // Deleted: every reservation from today on is released.
    let path = format!("/api/installments/{id}");
    body(send(&app, Method::DELETE, &path, &token, None).await, 200).await;
    let gone = plan(&app, &user).await;
    assert!(of(&gone, &id).is_empty(), "rows released on delete");
    assert_eq!(planned(&gone), planned(&spent) - 20_000);
}

#[tokio::test]
async fn the_payments_transactions_belong_to_their_installment() {
    let (app, _clock, token, user) = onboarded("inst-tx@example.com").await;
    let sofa = create(
        &app,
        &token,
        &installment("Sofa", 600, 100, 6, "2026-11-20", "monthly"),
    )
    .await;
    let id = sofa["id"].as_str().unwrap();
    body(
        patch(&app, &token, id, json!({"payments_made": 2})).await,
        200,
    )
    .await;
    let txs = super::app_calls::data(&app, "/api/transactions", &token).await;
    let txs = txs.as_array().unwrap();
    assert_eq!(txs.len(), 2, "one transaction per payment");
    let rows = plan(&app, &user).await;
    assert_eq!(
        of(&rows, id),
        BTreeMap::from([(day(11, 10), (20_000, 20_000))]),
        "both payments spent today; payment 3 is due in January"
    );
    // Editing or deleting one through /api/transactions is refused and changes nothing.
    let path = format!("/api/transactions/{}", txs[0]["id"].as_str().unwrap());
    let put = send(
        &app,
        Method::PUT,
        &path,
        &token,
        Some(&json!({"amount": 1})),
    )
    .await;
    assert_eq!(put.status(), 409);
    let del = send(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(del.status(), 409);
    assert_eq!(app.get_as(&path, &token).await.status(), 200);
    assert_eq!(plan(&app, &user).await, rows);
}

#[tokio::test]
async fn a_late_payment_keeps_the_past_row_and_a_new_month_is_laid_out() {
    let (app, clock, token, user) = onboarded("inst-late@example.com").await;
    let tv = create(
        &app,
        &token,
        &installment("TV", 300, 100, 3, "2026-11-20", "monthly"),
    )
    .await;
    let id = tv["id"].as_str().unwrap().to_string();
    clock.set_ms(at(2026, 11, 21, 12).timestamp_millis());
    let token = relogin(&app, "inst-late@example.com").await;
    let listed = body(
        app.get_as("/api/installments?status=overdue", &token).await,
        200,
    )
    .await;
    assert_eq!(
        listed["installments"].as_array().unwrap().len(),
        1,
        "due yesterday, unpaid"
    );
    body(
        patch(&app, &token, &id, json!({"payments_made": 1})).await,
        200,
    )
    .await;
    assert_eq!(
        of(&plan(&app, &user).await, &id),
        BTreeMap::from([(day(11, 20), (10_000, 0)), (day(11, 21), (10_000, 10_000))]),
        "the past row stays as it was; the payment is spent today"
    );

    // December: reading the list lays out the month (the plan first, then the installment).
    clock.set_ms(at(2026, 12, 2, 12).timestamp_millis());
    let token = relogin(&app, "inst-late@example.com").await;
    let s = body(app.get_as("/api/installments", &token).await, 200).await;
    assert_eq!(s["next_payment_date"], "2026-12-20");
    let rows = plan(&app, &user).await;
    assert_eq!(of(&rows, &id)[&day(12, 20)], (10_000, 0));
    assert!(
        rows.keys().any(|k| k.0 == day(12, 1) && k.1 == "rent"),
        "December's plan was built"
    );
    // Reading again lays out nothing more.
    body(app.get_as("/api/installments", &token).await, 200).await;
    assert_eq!(plan(&app, &user).await, rows);
}

#[tokio::test]
async fn cancelling_releases_the_reservations_and_completing_needs_every_payment() {
    let (app, _clock, token, user) = onboarded("inst-cancel@example.com").await;
    let lamp = create(
        &app,
        &token,
        &installment("Lamp", 200, 100, 2, "2026-11-15", "monthly"),
    )
    .await;
    let id = lamp["id"].as_str().unwrap();
    let reserved = of(&plan(&app, &user).await, id);
    assert_eq!(reserved, BTreeMap::from([(day(11, 15), (10_000, 0))]));

    body(
        patch(&app, &token, id, json!({"status": "cancelled"})).await,
        200,
    )
    .await;
    assert!(
        of(&plan(&app, &user).await, id).is_empty(),
        "cancelling releases"
    );
    let refused = patch(&app, &token, id, json!({"payments_made": 1})).await;
    assert_eq!(
        refused.status(),
        422,
        "a cancelled installment takes no payment"
    );
    body(
        patch(&app, &token, id, json!({"status": "active"})).await,
        200,
    )
    .await;
    assert_eq!(
        of(&plan(&app, &user).await, id),
        reserved,
        "resuming reserves again"
    );

    let early = patch(&app, &token, id, json!({"status": "completed"})).await;
    assert_eq!(early.status(), 422);
    let done = body(
        patch(&app, &token, id, json!({"payments_made": 2})).await,
        200,
    )
    .await;
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].is_string());
    assert_eq!(
        of(&plan(&app, &user).await, id),
        BTreeMap::from([(day(11, 10), (20_000, 20_000))]),
        "only today's payments remain"
    );
    let a = body(
        app.get_as("/api/installments/achievements", &token).await,
        200,
    )
    .await;
    assert_eq!(a["installments_completed"], 1);
}

/// Alice's installment with one payment, and Bob's token.
async fn two_users(tag: &str) -> (TestApp, String, String, String, Rows) {
    let (app, _clock, alice, alice_id) = onboarded(&format!("alice-{tag}@example.com")).await;
    let (bob, _, _) = app.user(&format!("bob-{tag}@example.com")).await;
    let made = create(
        &app,
        &alice,
        &installment("Desk", 400, 100, 4, "2026-11-20", "monthly"),
    )
    .await;
    let id = made["id"].as_str().unwrap().to_string();
    body(
        patch(&app, &alice, &id, json!({"payments_made": 1})).await,
        200,
    )
    .await;
    let rows = plan(&app, &alice_id).await;
    (app, alice, bob, id, rows)
}

async fn unchanged(
    app: &TestApp,
    alice: &str,
    id: &str,
    alice_rows: &Rows,
    alice_id: Option<&str>,
) {
    let i = body(
        app.get_as(&format!("/api/installments/{id}"), alice).await,
        200,
    )
    .await;
    assert_eq!(i["payments_made"], 1);
    assert_eq!(i["status"], "active");
    assert!(i["notes"].is_null());
    let txs = count(
        app,
        "SELECT COUNT(*) FROM transactions WHERE deleted_at IS NULL",
    )
    .await;
    assert_eq!(txs, 1, "only Alice's payment");
    if let Some(user) = alice_id {
        assert_eq!(&plan(app, user).await, alice_rows);
    }
}

async fn alice_id(app: &TestApp, token: &str) -> String {
    let me = super::app_calls::data(app, "/api/users/me", token).await;
    me["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn another_users_installment_is_404_to_get() {
    let (app, alice, bob, id, rows) = two_users("get").await;
    let resp = app.get_as(&format!("/api/installments/{id}"), &bob).await;
    assert_eq!(resp.status(), 404);
    let user = alice_id(&app, &alice).await;
    unchanged(&app, &alice, &id, &rows, Some(&user)).await;
}

#[tokio::test]
async fn another_users_installment_is_404_to_patch_and_unchanged() {
    let (app, alice, bob, id, rows) = two_users("patch").await;
    for payload in [
        json!({"payments_made": 3}),
        json!({"payments_made": 0}),
        json!({"status": "cancelled", "notes": "mine now"}),
    ] {
        let resp = patch(&app, &bob, &id, payload).await;
        assert_eq!(resp.status(), 404);
    }
    let user = alice_id(&app, &alice).await;
    unchanged(&app, &alice, &id, &rows, Some(&user)).await;
}

#[tokio::test]
async fn another_users_installment_is_404_to_delete_and_unchanged() {
    let (app, alice, bob, id, rows) = two_users("delete").await;
    let path = format!("/api/installments/{id}");
    let resp = send(&app, Method::DELETE, &path, &bob, None).await;
    assert_eq!(resp.status(), 404);
    let user = alice_id(&app, &alice).await;
    unchanged(&app, &alice, &id, &rows, Some(&user)).await;
    // Nor do Bob's lists see it.
    let s = body(app.get_as("/api/installments", &bob).await, 200).await;
    assert!(s["installments"].as_array().unwrap().is_empty());
    let e = super::app_calls::data(&app, "/api/financial/installment-evaluate", &bob).await;
    assert_eq!(e, json!([]));
}

/// Row counts of every table installments write.
async fn tables(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM installments",
        "SELECT COUNT(*) FROM installment_payments",
        "SELECT COUNT(*) FROM installment_profiles",
        "SELECT COUNT(*) FROM installment_calculations",
        "SELECT COUNT(*) FROM transactions",
        "SELECT COUNT(*) FROM daily_plan",
        "SELECT CAST(COALESCE(SUM(planned_cents), 0) AS BIGINT) FROM daily_plan",
    ] {
        out.push(count(app, sql).await);
    }
    out
}

#[tokio::test]
async fn bad_input_is_422_naming_the_field_and_writes_nothing() {
    let (app, _clock, token, _) = onboarded("inst-422@example.com").await;
    let made = create(
        &app,
        &token,
        &installment("Chair", 300, 100, 3, "2026-11-20", "monthly"),
    )
    .await;
    let one = format!("/api/installments/{}", made["id"].as_str().unwrap());
    let (stranger, _, _) = app.user("no-income@example.com").await;
    let before = tables(&app).await;
    let good = installment("Chair", 300, 100, 3, "2026-11-20", "monthly");
    let with = |key: &str, value: Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    let cases: Vec<(Method, String, Option<Value>, &str, &str)> = vec![
        (
            Method::POST,
            "/api/installments".into(),
            Some(with("category", json!("yachts"))),
            "body.category",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments".into(),
            Some(with("total_amount", json!(150))),
            "body.total_amount",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments".into(),
            Some(with("payment_amount", json!(10.555))),
            "body.payment_amount",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments".into(),
            Some(with("total_payments", json!(0))),
            "body.total_payments",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments".into(),
            Some(with("first_payment_date", json!("soon"))),
            "body.first_payment_date",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments".into(),
            Some(with("payment_frequency", json!("daily"))),
            "body.payment_frequency",
            token.as_str(),
        ),
        (
            Method::PATCH,
            one.clone(),
            Some(json!({"payments_made": 4})),
            "body.payments_made",
            token.as_str(),
        ),
        (
            Method::PATCH,
            one.clone(),
            Some(json!({"payments_made": 1, "status": "overdue"})),
            "body.status",
            token.as_str(),
        ),
        (
            Method::PATCH,
            one.clone(),
            Some(json!({"payments_made": 2, "status": "completed"})),
            "body.status",
            token.as_str(),
        ),
        (
            Method::GET,
            "/api/installments?status=late".into(),
            None,
            "query.status",
            token.as_str(),
        ),
        (
            Method::GET,
            "/api/installments/calendar/2026/13".into(),
            None,
            "path.month",
            token.as_str(),
        ),
        (
            Method::GET,
            "/api/installments/calendar/1999/1".into(),
            None,
            "path.year",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments/calculator".into(),
            Some(json!({"purchase_amount": 100, "category": "other", "num_payments": 0})),
            "body.num_payments",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments/calculator".into(),
            Some(json!({"purchase_amount": 100, "category": "other", "num_payments": 4})),
            "body.monthly_income",
            stranger.as_str(),
        ),
        (
            Method::POST,
            "/api/installments/profile".into(),
            Some(json!({"age_group": "50-60"})),
            "body.age_group",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/installments/profile".into(),
            Some(json!({"monthly_income": -5})),
            "body.monthly_income",
            token.as_str(),
        ),
        (
            Method::GET,
            "/api/financial/installment-evaluate?price=100".into(),
            None,
            "query.months",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/financial/dynamic-thresholds".into(),
            Some(json!({"threshold_type": "time_bias", "user_context": {"monthly_income": 3000}})),
            "body.threshold_type",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/financial/housing-affordability".into(),
            Some(json!({"user_context": {"monthly_income": 3000, "family_size": 0}})),
            "body.user_context.family_size",
            token.as_str(),
        ),
        (
            Method::POST,
            "/api/financial/housing-affordability".into(),
            Some(json!({})),
            "body.user_context.monthly_income",
            stranger.as_str(),
        ),
    ];
    for (method, path, payload, field, who) in cases {
        let resp = send(&app, method.clone(), &path, who, payload.as_ref()).await;
        assert_eq!(resp.status(), 422, "{method} {path}");
        let b: Value = resp.json().await.unwrap();
        assert_eq!(b["success"], false);
        let fields: Vec<&str> = b["error"]["details"]["validation_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{method} {path}: {fields:?}");
    }
    assert_eq!(tables(&app).await, before, "nothing was written");
    let i = body(app.get_as(&one, &token).await, 200).await;
    assert_eq!(i["payments_made"], 0);
    assert_eq!(i["status"], "active");
}

#[tokio::test]
async fn openapi_documents_every_installment_and_financial_operation() {
    let app = crate::support::spawn_app().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    for (path, method) in [
        ("/api/installments", "get"),
        ("/api/installments", "post"),
        ("/api/installments/{id}", "get"),
        ("/api/installments/{id}", "patch"),
        ("/api/installments/{id}", "delete"),
        ("/api/installments/calculator", "post"),
        ("/api/installments/profile", "get"),
        ("/api/installments/profile", "post"),
        ("/api/installments/achievements", "get"),
        ("/api/installments/calendar/{year}/{month}", "get"),
        ("/api/financial/installment-evaluate", "get"),
        ("/api/financial/dynamic-thresholds", "post"),
        ("/api/financial/housing-affordability", "post"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing from /openapi.json");
        assert!(
            op["summary"].is_string() || op["description"].is_string(),
            "{method} {path} is described"
        );
    }
}

/// A payment whose link cannot be stored (refused by a trigger, after its transaction was
/// written in the same database transaction) leaves nothing behind.
#[tokio::test]
async fn a_payment_that_fails_half_way_changes_nothing() {
    let (app, _clock, token, user) = onboarded("inst-atomic@example.com").await;
    let made = create(
        &app,
        &token,
        &installment("Oven", 400, 100, 4, "2026-11-20", "monthly"),
    )
    .await;
    let id = made["id"].as_str().unwrap();
    let rows = plan(&app, &user).await;
    let before = tables(&app).await;
    let statements: &[&str] = match &app.db {
        mita::db::Db::Sqlite(_) => &[
            "CREATE TRIGGER refuse_links BEFORE INSERT ON installment_payments \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        mita::db::Db::Postgres(_) => &[
            "CREATE FUNCTION refuse_links() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_links BEFORE INSERT ON installment_payments FOR EACH ROW EXECUTE FUNCTION refuse_links()",
        ],
    };
    for sql in statements {
        mita::on_write!(&app.db, pool => sqlx::query(*sql).execute(pool).await.map(|_| ()))
            .unwrap();
    }
    let resp = patch(&app, &token, id, json!({"payments_made": 1})).await;
    assert_eq!(resp.status(), 500);
    assert_eq!(
        tables(&app).await,
        before,
        "no transaction, no link, no plan row"
    );
    assert_eq!(plan(&app, &user).await, rows);
    let i = body(
        app.get_as(&format!("/api/installments/{id}"), &token).await,
        200,
    )
    .await;
    assert_eq!(i["payments_made"], 0);
}
