//! The advanced receipt calls (docs/ocr.md): the premium upload, batches on the OCR queue, and
//! the review of a parsed receipt the app sends back (rules V1–V5, E1).

use mita::testing::multipart::Form;
use mita::testing::receipt_image::receipt_png;
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{body, data, send};
use crate::support::{NO_OCR_WORKERS, TestApp, spawn_with, spawn_without};

/// A multipart body with the image `parts` under `field` and the text fields `texts`.
fn form(field: &str, parts: &[&[u8]], texts: &[(&str, &str)]) -> (String, Vec<u8>) {
    let mut form = Form::new();
    for (i, p) in parts.iter().enumerate() {
        form = form.file(field, &format!("r{i}.png"), "image/png", p);
    }
    for (name, value) in texts {
        form = form.text(name, value);
    }
    form.finish()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    token: &str,
    f: (String, Vec<u8>),
) -> reqwest::Response {
    app.authed(Method::POST, path, token)
        .header("content-type", f.0)
        .body(f.1)
        .send()
        .await
        .unwrap()
}

async fn jobs(app: &TestApp) -> i64 {
    crate::ghn_support::count(app, "SELECT COUNT(*) FROM ocr_jobs").await
}

#[tokio::test]
async fn the_advanced_upload_and_batches_queue_jobs_once_within_their_limits() {
    // No workers: jobs stay queued; a short wait keeps the test fast.
    let app = spawn_without(NO_OCR_WORKERS, |s| s.ocr.wait_timeout_ms = 100).await;
    let (token, _, _) = app.user("receipts-batch@example.com").await;
    let (bob, _, _) = app.user("receipts-batch-bob@example.com").await;
    let a = receipt_png(&["SHOP A", "TOTAL 1.00"]);
    let b = receipt_png(&["SHOP B", "TOTAL 2.00"]);

    // The premium screen's upload: `file`, `use_premium`, `options`.
    let resp = post_form(
        &app,
        "/api/transactions/receipt/advanced",
        &token,
        form(
            "file",
            &[&a],
            &[("use_premium", "true"), ("options", "{\"enhance\":true}")],
        ),
    )
    .await;
    let d = body(resp, 202).await["data"].clone();
    assert_eq!(d["status"], "pending");
    assert!(d["job_id"].is_string());
    assert_eq!(jobs(&app).await, 1);

    // A batch of three where the third repeats the first: two jobs.
    let resp = post_form(
        &app,
        "/api/transactions/receipt/batch",
        &token,
        form("files", &[&a, &b, &a], &[("use_premium", "false")]),
    )
    .await;
    let d = body(resp, 202).await["data"].clone();
    assert_eq!(d["count"], 3);
    assert_eq!(d["queued"], 2);
    assert_eq!(d["job_ids"].as_array().unwrap().len(), 2);
    assert_eq!(d["jobs"][2]["duplicate_of"], 0);
    assert_eq!(d["jobs"][2]["job_id"], d["jobs"][0]["job_id"]);
    assert_eq!(d["jobs"][1]["duplicate_of"], Value::Null);
    assert_eq!(jobs(&app).await, 3);
    let id = d["job_ids"][1].as_str().unwrap();
    let s = data(
        &app,
        Method::GET,
        &format!("/api/transactions/receipt/status/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(s["status"], "pending");
    // Another user's batch job is 404.
    body(
        send(
            &app,
            Method::GET,
            &format!("/api/transactions/receipt/status/{id}"),
            &bob,
            None,
        )
        .await,
        404,
    )
    .await;

    // Limits: 11 images, a non-image among images, no image: nothing is queued.
    let many: Vec<&[u8]> = (0..11).map(|_| a.as_slice()).collect();
    let b11 = body(
        post_form(
            &app,
            "/api/transactions/receipt/batch",
            &token,
            form("files", &many, &[]),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b11["error"]["details"]["validation_errors"][0]["field"],
        "body.files"
    );
    let text: &[u8] = b"not an image";
    let bad = body(
        post_form(
            &app,
            "/api/transactions/receipt/batch",
            &token,
            form("files", &[&b, text], &[]),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        bad["error"]["details"]["validation_errors"][0]["field"],
        "body.files[1]"
    );
    body(
        post_form(
            &app,
            "/api/transactions/receipt/batch",
            &token,
            form("files", &[], &[("use_premium", "true")]),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(jobs(&app).await, 3);
}

#[tokio::test]
async fn a_batch_over_the_hourly_upload_quota_queues_nothing() {
    let app = spawn_with(|s| s.ocr.uploads_per_user_per_hour = 2, axum::Router::new()).await;
    let (token, _, _) = app.user("receipts-quota@example.com").await;
    let a = receipt_png(&["SHOP A", "TOTAL 1.00"]);
    let b = receipt_png(&["SHOP B", "TOTAL 2.00"]);
    let c = receipt_png(&["SHOP C", "TOTAL 3.00"]);
    body(
        post_form(
            &app,
            "/api/transactions/receipt/batch",
            &token,
            form("files", &[&a, &b, &c], &[]),
        )
        .await,
        429,
    )
    .await;
    assert_eq!(jobs(&app).await, 0);
}

#[tokio::test]
async fn a_parsed_receipt_is_checked_and_enhanced_by_the_written_rules() {
    let app = crate::ghn_support::spawn_at(crate::ghn_support::at(2026, 12, 5, 12))
        .await
        .0;
    let (token, _, _) = app.user("receipts-review@example.com").await;
    // The app's OCRResult.toJson: no total, a category the app made up, untidy merchant.
    let receipt = json!({"merchant": "  Corner   Market ", "total": 0.0, "date": "2026-12-04T18:30:00.000",
        "category": "Groceries & more", "items": [{"name": "Milk", "price": 2.49, "confidence": "high", "category": null},
        {"name": "Bread", "price": 3.1, "confidence": "medium", "category": null}],
        "merchant_confidence": "medium", "total_confidence": "low", "date_confidence": "high",
        "category_confidence": "low", "raw_text": "CORNER MARKET\nMILK 2.49\nBREAD 3.10", "is_premium_processing": false,
        "receipt_image_path": null, "metadata": {"source": "camera"}});
    let d = data(
        &app,
        Method::POST,
        "/api/transactions/receipt/validate",
        &token,
        Some(&receipt),
    )
    .await;
    assert_eq!(d["merchant"], "Corner Market");
    assert_eq!(d["total"], 5.59);
    assert_eq!(d["items_total"], 5.59);
    assert_eq!(d["total_confidence"], "medium");
    assert_eq!(d["date"], "2026-12-04");
    assert_eq!(d["is_valid"], true);
    assert_eq!(d["items"][0]["price"], 2.49);
    assert_eq!(d["metadata"]["source"], "camera");
    let fields: Vec<&str> = d["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["merchant", "total", "category"]);
    assert!(d["category"].is_string());

    // A date after today and no merchant: errors; a total below the items: a warning.
    let wrong = json!({"merchant": "", "total": 4.0, "date": "2026-12-06", "category": "food",
        "items": [{"name": "Lunch", "price": 5.0}]});
    let d = data(
        &app,
        Method::POST,
        "/api/transactions/receipt/validate",
        &token,
        Some(&wrong),
    )
    .await;
    assert_eq!(d["is_valid"], false);
    assert_eq!(d["errors"].as_array().unwrap().len(), 2);
    assert_eq!(d["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(d["category"], "food");
    assert_eq!(d["category_confidence"], "high");

    // Bad shapes: 422 naming the field.
    let negative = json!({"merchant": "x", "items": [{"name": "x", "price": -1.0}]});
    let b = body(
        send(
            &app,
            Method::POST,
            "/api/transactions/receipt/validate",
            &token,
            Some(&negative),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "body.items[0].price"
    );
    let items: Vec<Value> = (0..201)
        .map(|_| json!({"name": "x", "price": 1.0}))
        .collect();
    body(
        send(
            &app,
            Method::POST,
            "/api/ocr/enhance",
            &token,
            Some(&json!({"items": items})),
        )
        .await,
        422,
    )
    .await;

    // E1: the merchant's own category, the plan category, the candidates.
    let d = data(
        &app,
        Method::POST,
        "/api/ocr/enhance",
        &token,
        Some(&receipt),
    )
    .await;
    assert_eq!(d["enhanced"], true);
    assert_eq!(d["merchant"], "Corner Market");
    assert!(d["merchant_type"].is_string());
    assert!(d["spending_category"].is_string());
    assert!(d["category_suggestions"].is_array());
    assert_eq!(d["total"], 5.59);
}
