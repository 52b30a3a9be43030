//! Data export and erasure (issue 12 §3): `GET /api/users/me/export`, the app's delete-account
//! call, over every table of the schema.

use std::collections::BTreeMap;

use mita::db::Db;
use mita::id::Id;
use mita::testing::receipt_image::receipt_png;
use reqwest::Method;
use serde_json::{Value, json};

use crate::hardening::{challenge, enable_two_factor, second_step};
use crate::ocr::upload;
use crate::onboarding::onboard;
use crate::support::{PASSWORD, TestApp, error_body, spawn_app};

/// Written into every free-text field of the subject's data and sent as their user agent: after
/// the erasure it must be nowhere in the database.
const MARK: &str = "zq-erase-me-7731";

/// A request of the subject: their token and user agent.
fn subject(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    as_user(app, method, path, token, MARK)
}

/// A request with `token`, the user agent naming `mark`.
fn as_user(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    mark: &str,
) -> reqwest::RequestBuilder {
    app.authed(method, path, token)
        .header("user-agent", format!("{mark}-agent/1.0"))
}

struct Caller<'a> {
    app: &'a TestApp,
    token: &'a str,
    mark: &'a str,
}

impl Caller<'_> {
    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        as_user(self.app, method, path, self.token, self.mark)
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> Value {
        call(self.app, method, path, self.token, self.mark, body).await
    }
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    mark: &str,
    body: Value,
) -> Value {
    let resp = as_user(app, method.clone(), path, token, mark)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Creates data of `token`'s user in as many tables as the API reaches, `mark` in every text;
/// returns the recovery codes of the two-factor sign-in it turns on.
async fn populate(app: &TestApp, token: &str, email: &str, mark: &str) -> Vec<String> {
    let me = Caller { app, token, mark };
    onboard(app, token).await;
    let tx = me
        .call(
            Method::POST,
            "/api/transactions",
            json!({"amount": 12.34, "category": "food", "description": format!("{mark} lunch")}),
        )
        .await;
    assert!(tx["data"]["id"].is_string(), "{tx}");
    // A large spend: redistribution, a notification; stored for its idempotency key.
    let resp = me
        .request(Method::POST, "/api/transactions")
        .header("Idempotency-Key", format!("{mark}-1"))
        .json(&json!({"amount": 900, "category": "entertainment", "description": mark}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    me.call(
        Method::PATCH,
        "/api/budget/mode",
        json!({"mode": "goal-oriented"}),
    )
    .await;
    me.call(
        Method::POST,
        "/api/goals",
        json!({"title": format!("{mark} bike"), "target_amount": 300}),
    )
    .await;
    let habit = me
        .call(
            Method::POST,
            "/api/habits",
            json!({"title": format!("{mark} walk"), "target_frequency": "daily"}),
        )
        .await;
    let habit = habit["data"]["id"].as_str().unwrap().to_string();
    me.call(
        Method::POST,
        &format!("/api/habits/{habit}/complete"),
        json!({}),
    )
    .await;
    me.call(
        Method::POST,
        "/api/notifications/create",
        json!({"title": mark, "message": format!("{mark} message")}),
    )
    .await;
    me.call(
        Method::PUT,
        "/api/notifications/preferences",
        json!({"push_enabled": false}),
    )
    .await;
    me.call(
        Method::POST,
        "/api/notifications/register-device",
        json!({"push_token": format!("{mark}-device"), "platform": "android"}),
    )
    .await;
    let report = me
        .request(Method::POST, "/api/errors/report")
        .json(&json!({"error": format!("{mark} crash"), "stackTrace": "at main()"}))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), 200);
    me.call(Method::GET, "/api/ai/financial-health-score", Value::Null)
        .await;
    me.call(Method::POST, "/api/mood/", json!({"mood": 4}))
        .await;
    me.call(
        Method::POST,
        "/api/challenge/three_no_spend_days/join",
        Value::Null,
    )
    .await;
    me.call(
        Method::POST,
        "/api/analytics/feature-usage",
        json!({"feature": format!("{mark} feature"), "screen": "home", "metadata": {"note": mark}}),
    )
    .await;
    // A store-confirmed purchase: a subscription and its history.
    me.call(
        Method::POST,
        "/api/iap/validate",
        json!({"receipt": format!("good-apple-{mark}"), "platform": "ios"}),
    )
    .await;
    me.call(
        Method::PATCH,
        "/api/budget/automation_settings",
        json!({"realtime_alerts": false}),
    )
    .await;
    me.call(Method::POST, "/api/budget/auto_adapt", Value::Null)
        .await;
    me.call(
        Method::PATCH,
        "/api/behavior/notification_settings",
        json!({"pattern_alerts": false, "anomaly_detection": null}),
    )
    .await;
    let installment = me
        .call(
            Method::POST,
            "/api/installments",
            json!({"item_name": format!("{mark} sofa"), "category": "furniture", "total_amount": 600,
                   "payment_amount": 100, "interest_rate": 0, "total_payments": 6, "payments_made": 0,
                   "payment_frequency": "monthly", "first_payment_date": "2030-01-15"}),
        )
        .await;
    let installment = installment["id"]
        .as_str()
        .or(installment["data"]["id"].as_str())
        .unwrap()
        .to_string();
    me.call(
        Method::PATCH,
        &format!("/api/installments/{installment}"),
        json!({"payments_made": 1}),
    )
    .await;
    me.call(
        Method::POST,
        "/api/installments/profile",
        json!({"monthly_income": 6000, "current_balance": 2000, "age_group": "25-34"}),
    )
    .await;
    me.call(
        Method::POST,
        "/api/installments/calculator",
        json!({"purchase_amount": 600, "category": "furniture", "num_payments": 6}),
    )
    .await;
    let pat = me
        .call(
            Method::POST,
            "/api/tokens",
            json!({"name": format!("{mark} script"), "scope": "read"}),
        )
        .await;
    assert!(pat["data"]["token"].is_string(), "{pat}");
    let rule = me
        .call(
            Method::POST,
            "/api/rules",
            json!({"name": format!("{mark} rule"), "payee_contains": mark, "set_description": mark}),
        )
        .await;
    assert!(rule["data"]["id"].is_string(), "{rule}");
    // A recurring definition started yesterday: its occurrences are made at once.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    let recurring = me
        .call(
            Method::POST,
            "/api/recurring",
            json!({"amount": 9.99, "category": "insurance", "payee": format!("{mark} insurer"),
                   "frequency": "every_n_days", "interval_days": 1, "start_date": yesterday.to_string()}),
        )
        .await;
    assert!(
        recurring["data"]["occurrences_done"].as_i64().unwrap() >= 1,
        "{recurring}"
    );
    let imported = crate::import::upload_csv(
        app,
        token,
        format!("Date,Payee,Amount\n2026-01-02,{mark} shop,-3.00\n"),
        &json!({"date": "Date", "payee": "Payee", "amount": "Amount"}),
    )
    .await;
    assert_eq!(imported.status(), 200);
    let receipt = upload(
        app,
        "/api/transactions/receipt?wait=false",
        token,
        "file",
        &receipt_png(&["SHOP", "TOTAL 1.00"]),
    )
    .await;
    assert_eq!(receipt.status(), 202);
    let forgot = app
        .post_json("/api/auth/forgot-password", &json!({"email": email}))
        .await;
    assert_eq!(forgot.status(), 200);
    me.call(
        Method::POST,
        "/api/users/me/email",
        json!({"new_email": format!("{mark}@example.org"), "password": PASSWORD}),
    )
    .await;
    let (_, recovery_codes) = enable_two_factor(app, &app.state.clock, token).await;
    // With two-factor sign-in on, a password login leaves a challenge.
    let login = app.login(email, PASSWORD).await;
    assert_eq!(login.status(), 200);
    // A signed-out access token is remembered until it expires.
    me.call(Method::POST, "/api/auth/logout", json!({})).await;
    recovery_codes
}

/// `populate` signed the token out: signs in again (second factor on) with a recovery code.
async fn sign_in_again(app: &TestApp, email: &str, recovery_code: &str) -> String {
    let challenge = challenge(app, email).await;
    let login: Value = second_step(app, &challenge, json!({"recovery_code": recovery_code}))
        .await
        .json()
        .await
        .unwrap();
    login["data"]["access_token"].as_str().unwrap().to_string()
}

/// Every base table of the schema.
async fn tables(db: &Db) -> Vec<String> {
    match db {
        Db::Sqlite(s) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&s.tools)
        .await
        .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    }
}

/// Every row of `table`, each as one text (all columns).
async fn rows_as_text(db: &Db, table: &str) -> Vec<String> {
    match db {
        Db::Sqlite(s) => {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(table)
                .fetch_all(&s.tools)
                .await
                .unwrap();
            let concat: Vec<String> = columns
                .iter()
                .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                .collect();
            // Bytes, read leniently: a column may hold a blob (a stored answer body).
            let sql = format!(
                "SELECT CAST({} AS BLOB) FROM \"{table}\"",
                concat.join(" || '|' || ")
            );
            let rows: Vec<Vec<u8>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&s.tools)
                .await
                .unwrap();
            rows.iter()
                .map(|r| String::from_utf8_lossy(r).into_owned())
                .collect()
        }
        Db::Postgres(p) => {
            let sql = format!("SELECT t::text FROM \"{table}\" t");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(p)
                .await
                .unwrap()
        }
    }
}

/// Rows per table that mention any of `needles`.
async fn mentions(db: &Db, needles: &[&str]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for table in tables(db).await {
        let n = rows_as_text(db, &table)
            .await
            .iter()
            .filter(|row| {
                let row = row.to_lowercase();
                needles.iter().any(|n| row.contains(&n.to_lowercase()))
            })
            .count();
        if n > 0 {
            out.insert(table, n);
        }
    }
    out
}

#[tokio::test]
async fn every_table_of_the_schema_is_classified_for_export_and_erasure() {
    let app = spawn_app().await;
    let unknown = mita::privacy::check_catalogue(&app.db).await.unwrap();
    assert!(
        unknown.is_empty(),
        "tables with no user_id and not in privacy::NOT_PERSONAL: {unknown:?}"
    );
}

#[tokio::test]
async fn erasure_leaves_nothing_of_the_user_in_any_table_and_keeps_the_audit_trail_under_a_pseudonym()
 {
    let app = crate::premium::spawn_with_store().await;
    let email = "subject@example.com";
    let (token, _, id) = app.user(email).await;
    let (other, _, other_id) = app.user("bystander@example.com").await;
    let codes = populate(&app, &token, email, MARK).await;
    populate(&app, &other, "bystander@example.com", "bystander").await;
    let token = sign_in_again(&app, email, &codes[0]).await;
    app.state.audit.flush().await;
    let user: Id = id.parse().unwrap();
    let other_user: Id = other_id.parse().unwrap();

    // Every personal table holds rows of the subject, so the erasure is tried on all of them.
    let before = mita::privacy::row_counts(&app.db, user).await.unwrap();
    let empty: Vec<&String> = before
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(t, _)| t)
        .collect();
    assert!(
        empty.is_empty(),
        "the test gives the subject no rows in {empty:?}"
    );
    let needles = [id.as_str(), email, MARK];
    assert!(!mentions(&app.db, &needles).await.is_empty());
    let audit_before: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE user_id = $1").bind(user).fetch_one(pool).await)
    .unwrap();
    assert!(audit_before > 0);
    let other_before = mita::privacy::row_counts(&app.db, other_user)
        .await
        .unwrap();

    let resp = subject(&app, Method::DELETE, "/api/auth/delete-account", &token)
        .json(&json!({"confirmation": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    app.state.audit.flush().await;

    let left = mentions(&app.db, &needles).await;
    assert!(
        left.is_empty(),
        "rows still naming the subject (id, email or their text) per table: {left:?}"
    );
    // The bystander keeps everything.
    assert_eq!(
        mita::privacy::row_counts(&app.db, other_user)
            .await
            .unwrap(),
        other_before
    );
    // The trail stays, under one pseudonym that the erasure event carries.
    let deletions = app.audit_events("account_deletion").await;
    assert_eq!(deletions.len(), 1);
    let pseudonym: Id = deletions[0]["user_id"].as_str().unwrap().parse().unwrap();
    assert_ne!(pseudonym, user);
    let kept: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE user_id = $1 AND client_ip IS NULL AND user_agent IS NULL")
        .bind(pseudonym).fetch_one(pool).await)
    .unwrap();
    assert_eq!(kept, audit_before + 1);
    // The receipt image file is gone too.
    let images = std::fs::read_dir(app.state.settings.ocr_image_dir())
        .map(|d| d.count())
        .unwrap_or(0);
    let other_images = app.state.ocr.image_names_of(other_user).await.unwrap();
    assert_eq!(images - other_images.len(), marker_files(&app));
    // Signed out everywhere: the token no longer works.
    error_body(app.get_as("/api/users/me", &token).await, 401, "AUTH_1003").await;
}

/// Files in the image directory that are not receipts (the instances' shared-directory markers).
fn marker_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.state.settings.ocr_image_dir())
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn the_export_holds_the_callers_rows_of_every_table_and_no_credentials() {
    let app = crate::premium::spawn_with_store().await;
    let email = "exported@example.com";
    let (token, _, id) = app.user(email).await;
    let (other, _, other_id) = app.user("neighbour@example.com").await;
    let codes = populate(&app, &token, email, MARK).await;
    populate(&app, &other, "neighbour@example.com", "neighbour").await;
    let token = sign_in_again(&app, email, &codes[0]).await;
    app.state.audit.flush().await;

    let resp = app.get_as("/api/users/me/export", &token).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"mita-export-")
    );
    let body: Value = resp.json().await.unwrap();
    let export = &body["data"];
    assert_eq!(export["format"], "mita-export-1");
    assert_eq!(export["user_id"], id);
    let tables = export["tables"].as_object().unwrap();
    let user: Id = id.parse().unwrap();
    let counts = mita::privacy::row_counts(&app.db, user).await.unwrap();
    let skipped: Vec<&str> = mita::privacy::NOT_EXPORTED
        .iter()
        .map(|(t, _)| *t)
        .collect();
    for (table, n) in &counts {
        if skipped.contains(&table.as_str()) {
            assert!(tables.get(table).is_none(), "{table} is not exported");
            continue;
        }
        let rows = tables[table].as_array().unwrap();
        // Audit events may have grown with the export's own login.
        if table != "audit_events" {
            assert_eq!(rows.len() as i64, *n, "rows of {table}");
        }
    }
    assert_eq!(tables["users"][0]["email"], email);
    assert_eq!(tables["users"][0]["has_onboarded"], true);
    assert!(
        tables["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["amount_cents"] == 1234 || t["amount"] == 1234),
        "{}",
        tables["transactions"]
    );
    let text = export["tables"].to_string();
    for secret in [
        "password_hash",
        "token_hash",
        "code_hash",
        "secret_enc",
        "current_jti",
        "push_token\"",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the export");
    }
    assert!(!text.contains(&other_id), "another user's id in the export");
    assert!(!text.contains("neighbour@example.com"));
    assert!(text.contains(MARK));
    assert!(
        text.contains(&format!("{MARK}-agent")),
        "the sessions' user agents are the user's"
    );

    // Export is limited per user and hour.
    for _ in 1..mita_server::state::EXPORTS_PER_USER_PER_HOUR {
        assert_eq!(
            app.get_as("/api/users/me/export", &token).await.status(),
            200
        );
    }
    error_body(
        app.get_as("/api/users/me/export", &token).await,
        429,
        "RATE_LIMIT_7001",
    )
    .await;
}
