//! `POST /api/errors/report`.

use mita::on_db;
use serde_json::json;

use crate::support::{error_body, spawn_app};

async fn count(app: &crate::support::TestApp) -> i64 {
    on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM client_error_reports").fetch_one(pool).await)
        .unwrap()
}

#[tokio::test]
async fn a_report_is_stored_with_its_extra_fields_as_context() {
    let app = spawn_app().await;
    let resp = app
        .post_json(
            "/api/errors/report",
            &json!({"error": "NullPointer", "id": "e1", "timestamp": "2026-11-26T10:00:00+02:00",
                    "stackTrace": "at main()", "severity": "high", "screen": "dashboard"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["status"], "received");
    let id = body["data"]["report_id"].as_str().unwrap().to_string();

    let (error, context, reported_at): (String, String, i64) = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT error, CAST(context AS TEXT), reported_at FROM client_error_reports WHERE CAST(id AS TEXT) = $1")
        .bind(&id).fetch_one(pool).await)
    .unwrap();
    assert_eq!(error, "NullPointer");
    assert!(context.contains("dashboard"));
    assert_eq!(reported_at, 1_795_680_000_000, "the offset is honoured");
}

#[tokio::test]
async fn invalid_reports_are_422_and_write_nothing() {
    let app = spawn_app().await;
    for bad in [
        json!({}),
        json!({"error": ""}),
        json!({"error": null}),
        json!({"error": "x", "timestamp": "yesterday"}),
        json!({"error": "x".repeat(10_001)}),
        json!({"error": "x", "severity": 1e308}),
    ] {
        let resp = app.post_json("/api/errors/report", &bad).await;
        error_body(resp, 422, "VALIDATION_2001").await;
    }
    assert_eq!(count(&app).await, 0);
}

/// Issue 12 §3: a card number in a client error report (its message, stack or context) is
/// stored masked to its last four digits.
#[tokio::test]
async fn card_numbers_in_error_reports_are_stored_masked() {
    let app = spawn_app().await;
    let resp = app
        .post_json(
            "/api/errors/report",
            &json!({"error": "FormatException: 4111 1111 1111 1111 is not a date",
                    "stackTrace": "at parse(5500000000000004)",
                    "context": {"field": "card", "value": "4242-4242-4242-4242", "raw": 6011111111111117_u64}}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let (error, stack, context): (String, String, String) = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT error, stack_trace, CAST(context AS TEXT) FROM client_error_reports").fetch_one(pool).await)
    .unwrap();
    let all = format!("{error} {stack} {context}");
    for pan in [
        "4111 1111 1111 1111",
        "5500000000000004",
        "4242-4242-4242-4242",
        "6011111111111117",
    ] {
        assert!(!all.contains(pan), "{pan} in {all}");
    }
    assert!(error.contains("**** **** **** 1111"), "{error}");
    assert!(context.contains("****-****-****-4242"), "{context}");
}
