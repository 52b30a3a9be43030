//! Bank-file import (docs/import.md): CSV preview and commit through the real routes; the same
//! file twice adds nothing; a malformed file is 422 naming the line; rules give categories; the
//! plan moves as for the same spends typed; another user's import is 404.

use mita::testing::multipart::Form;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, spawn_at};
use crate::onboarding::onboard;
use crate::support::{TestApp, error_body};

/// POST /api/import with `file` and `mapping`.
pub async fn upload_csv(
    app: &TestApp,
    token: &str,
    csv: impl AsRef<[u8]>,
    mapping: &Value,
) -> reqwest::Response {
    let (content_type, body) = Form::new()
        .text("mapping", &mapping.to_string())
        .file("file", "bank.csv", "text/csv", csv.as_ref())
        .finish();
    app.authed(Method::POST, "/api/import", token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn commit(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.authed(Method::POST, &format!("/api/import/{id}/commit"), token)
        .send()
        .await
        .unwrap()
}

const BANK: &str = "Date;Description;Amount;Currency\n\
2026-11-18;STARBUCKS 123;-4,50;EUR\n\
2026-11-18;Salary;2500,00;EUR\n\
2026-11-19;Fresh Market;-1.234,56;EUR\n\
2026-11-19;\"Corner; Shop\";-12,00;EUR\n\
2026-11-19;\"Corner; Shop\";-12,00;EUR\n\
19/11/2026;Bad date;-1,00;EUR\n\
2026-11-20;Bad amount;abc;EUR\n";

fn mapping() -> Value {
    json!({"date": "Date", "payee": "Description", "amount": "Amount", "currency": "Currency", "decimal": ","})
}

async fn plan(app: &TestApp, user: &str) -> Vec<(String, String, i64)> {
    let rows: Vec<(chrono::NaiveDate, String, i64)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT date, category, spent_cents FROM daily_plan \
         WHERE user_id = $1 AND goal_id IS NULL AND spent_cents <> 0 ORDER BY date, category")
        .bind(user.parse::<mita::id::Id>().unwrap()).fetch_all(pool).await)
    .unwrap();
    rows.into_iter()
        .map(|(d, c, s)| (d.to_string(), c, s))
        .collect()
}

#[tokio::test]
async fn preview_commit_and_the_same_file_twice_adds_nothing() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (ana, _, ana_id) = app.user("import-ana@example.com").await;
    let (twin, _, twin_id) = app.user("import-twin@example.com").await;
    let (bob, _, _) = app.user("import-bob@example.com").await;
    onboard(&app, &ana).await;
    onboard(&app, &twin).await;
    let resp = app
        .authed(Method::POST, "/api/rules", &ana)
        .json(&json!({"name": "coffee", "payee_contains": "starbucks", "set_category": "food", "add_tag": "coffee"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    let resp = upload_csv(&app, &ana, BANK, &mapping()).await;
    assert_eq!(resp.status(), 200);
    let preview = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(preview["rows_parsed"], 4, "{preview}");
    assert_eq!(preview["new_rows"], 4);
    assert_eq!(preview["duplicates"], 0);
    let rejected = preview["rejected"].as_array().unwrap();
    let lines: Vec<i64> = rejected
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 7, 8], "{preview}");
    assert!(rejected[0]["reason"].as_str().unwrap().contains("credit"));
    assert!(rejected[1]["reason"].as_str().unwrap().contains("date"));
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows[0]["payee"], "STARBUCKS 123");
    assert_eq!(rows[0]["amount"], 4.5);
    assert_eq!(rows[0]["category"], "food");
    assert_eq!(rows[0]["tags"], json!(["coffee"]));
    assert_eq!(rows[0]["currency"], "EUR");
    assert_eq!(rows[1]["amount"], 1234.56);
    assert_eq!(rows[1]["category"], "other");
    assert_eq!(rows[2]["payee"], "Corner; Shop");
    let id = preview["import_id"].as_str().unwrap();
    // A preview writes no transaction.
    let listed: Value = app
        .get_as("/api/transactions", &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(0));

    // Bob cannot commit it.
    error_body(commit(&app, &bob, id).await, 404, "RESOURCE_3001").await;

    let resp = commit(&app, &ana, id).await;
    assert_eq!(resp.status(), 200);
    let done = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(done["inserted"], 4);
    assert_eq!(done["days_affected"], 2);
    let listed: Value = app
        .get_as("/api/transactions", &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(4), "{listed}");
    // Twice: 409.
    error_body(commit(&app, &ana, id).await, 409, "RESOURCE_3002").await;

    // The plan moved exactly as for the same spends typed by the twin.
    for (amount, merchant, category, spent_at) in [
        (4.5, "STARBUCKS 123", "food", "2026-11-18T12:00:00"),
        (1234.56, "Fresh Market", "other", "2026-11-19T12:00:00"),
        (12.0, "Corner; Shop", "other", "2026-11-19T12:00:00"),
        (12.0, "Corner; Shop", "other", "2026-11-19T12:00:00"),
    ] {
        let resp = app
            .authed(Method::POST, "/api/transactions", &twin)
            .json(&json!({"amount": amount, "merchant": merchant, "category": category, "spent_at": spent_at}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
    }
    assert_eq!(plan(&app, &ana_id).await, plan(&app, &twin_id).await);

    // The same file again: everything is a duplicate, the commit adds nothing.
    let again = upload_csv(&app, &ana, BANK, &mapping())
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(again["duplicates"], 4, "{again}");
    assert_eq!(again["new_rows"], 0);
    let done = commit(&app, &ana, again["import_id"].as_str().unwrap())
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(done["inserted"], 0);
    let listed: Value = app
        .get_as("/api/transactions", &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn malformed_files_and_bad_mappings_are_422_and_write_nothing() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("import-bad@example.com").await;
    // Not UTF-8 on line 3 when the mapping says UTF-8: the line is named.
    let m = json!({"date": "Date", "payee": "Payee", "amount": "Amount", "encoding": "utf-8"});
    let resp = upload_csv(&app, &t, b"Date,Payee,Amount\n2026-11-18,A,-1.00\n\xff", &m).await;
    assert_eq!(resp.status(), 422);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(
        err["error"]["details"]["validation_errors"][0]["field"],
        "body.file"
    );
    assert!(
        err["error"]["details"]["validation_errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 3:"),
        "{err}"
    );
    // A mapped column missing from the header line.
    let resp = upload_csv(
        &app,
        &t,
        "Date,Payee,Amount\n",
        &json!({"date": "Date", "payee": "Who", "amount": "Amount"}),
    )
    .await;
    let err: Value = resp.json().await.unwrap();
    assert_eq!(
        err["error"]["details"]["validation_errors"][0]["field"], "body.mapping.payee",
        "{err}"
    );
    // Neither amount nor debit.
    let resp = upload_csv(
        &app,
        &t,
        "Date,Payee,Amount\n",
        &json!({"date": "Date", "payee": "Payee"}),
    )
    .await;
    let err: Value = resp.json().await.unwrap();
    assert_eq!(
        err["error"]["details"]["validation_errors"][0]["field"], "body.mapping.amount",
        "{err}"
    );
    // Too many rows.
    let mut big = String::from("Date,Payee,Amount\n");
    for _ in 0..20_001 {
        big.push_str("2026-11-18,A,-1.00\n");
    }
    let resp = upload_csv(&app, &t, &big, &m).await;
    assert_eq!(resp.status(), 422);
    let err: Value = resp.json().await.unwrap();
    assert!(
        err["error"]["details"]["validation_errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 20002:"),
        "{err}"
    );
    let stored: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM imports").fetch_one(pool).await).unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn debit_and_credit_columns() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("import-dc@example.com").await;
    let csv = "Booked,Text,Out,In\n11/18/2026,Rent,900.00,\n11/18/2026,Refund,,20.00\n01/01/2030,Future,5.00,\n";
    let m = json!({"date": "Booked", "payee": "Text", "debit": "Out", "credit": "In", "date_format": "%m/%d/%Y"});
    let preview = upload_csv(&app, &t, csv, &m)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    assert_eq!(preview["rows_parsed"], 1, "{preview}");
    assert_eq!(preview["rows"][0]["amount"], 900.0);
    assert_eq!(preview["rows"][0]["date"], "2026-11-18");
    assert_eq!(preview["rejected"][0]["line"], 3);
    assert_eq!(preview["rejected"][1]["line"], 4);
    assert!(
        preview["rejected"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("future")
    );
}

/// Benchmark figure for docs/import.md, not a timed test: run with
/// `cargo test -p mita-server --test api -- --ignored import::ten_thousand --nocapture`.
#[tokio::test]
#[ignore]
async fn ten_thousand_rows_benchmark() {
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (t, _, _) = app.user("import-bench@example.com").await;
    onboard(&app, &t).await;
    let mut csv = String::from("Date,Payee,Amount\n");
    for i in 0..10_000 {
        let day = 1 + i % 19;
        csv.push_str(&format!(
            "2026-11-{day:02},Shop {i},-{}.{:02}\n",
            1 + i % 50,
            i % 100
        ));
    }
    let m = json!({"date": "Date", "payee": "Payee", "amount": "Amount"});
    let started = std::time::Instant::now();
    let preview = upload_csv(&app, &t, &csv, &m)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let parsed = started.elapsed();
    assert_eq!(preview["new_rows"], 10_000);
    let started = std::time::Instant::now();
    let done = commit(&app, &t, preview["import_id"].as_str().unwrap())
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .clone();
    let committed = started.elapsed();
    assert_eq!(done["inserted"], 10_000, "{done}");
    println!(
        "10,000 rows: preview {parsed:?}, commit {committed:?}, days {}",
        done["days_affected"]
    );
}
