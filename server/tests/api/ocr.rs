//! Receipt uploads and OCR jobs over HTTP: the real `tesseract` on an image rendered in the test,
//! ownership, upload validation and limits. Google Vision and the admin list: `ocr_vision.rs`.

use mita::testing::multipart::one_file;
use mita::testing::receipt_image::{RECEIPT, receipt_png};
use serde_json::{Value, json};

use crate::support::{NO_OCR_WORKERS, TestApp, error_body, spawn_app, spawn_with, spawn_without};

/// Uploads `bytes` as `field` to `path` with `token`.
pub async fn upload(
    app: &TestApp,
    path: &str,
    token: &str,
    field: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let (ct, body) = one_file(field, "receipt.png", "image/png", bytes);
    app.authed(reqwest::Method::POST, path, token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_rendered_receipt_goes_through_tesseract_and_comes_back_with_total_date_and_merchant() {
    if !mita::testing::tesseract_or_skip("rendered receipt through tesseract") {
        return;
    }
    let app = spawn_app().await;
    let (token, _, _) = app.user("ocr@example.com").await;

    let resp = upload(
        &app,
        "/api/ocr/process?wait=true",
        &token,
        "receipt",
        &receipt_png(RECEIPT),
    )
    .await;
    assert_eq!(resp.status(), 200, "finished while waiting");
    let job: Value = resp.json().await.unwrap();
    let data = &job["data"];
    assert_eq!(data["status"], "completed", "{job}");
    assert_eq!(data["engine"], "tesseract");
    assert_eq!(data["attempts"], 1);
    let result = &data["result"];
    assert_eq!(result["amount"], json!(10.15), "{result}");
    assert_eq!(result["date"], "2026-03-14", "{result}");
    assert_eq!(
        result["merchant"].as_str().unwrap().to_uppercase(),
        "CORNER MARKET"
    );
    assert_eq!(result["category"], "groceries");
    assert_eq!(result["items"].as_array().unwrap().len(), 3, "{result}");
    assert_eq!(result["items"][1]["amount"], json!(4.99));

    // The same job through the transactions route, and the metrics moved.
    let id = data["job_id"].as_str().unwrap();
    let again: Value = app
        .get_as(&format!("/api/transactions/receipt/status/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["data"]["result"]["amount"], json!(10.15));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("mita_ocr_processing_total{engine=\"tesseract\",status=\"completed\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("mita_ocr_processing_duration_seconds_count{engine=\"tesseract\"} 1"));
    assert!(
        metrics.contains(
            "mita_external_api_requests_total{service=\"ocr_tesseract\",status=\"ok\"} 1"
        )
    );
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(
        health["ocr"],
        json!({"engine": "tesseract", "circuit": "closed"})
    );
}

#[tokio::test]
async fn an_upload_is_accepted_at_once_and_its_image_is_kept_for_its_owner_only() {
    // No workers: the job stays pending.
    let app = spawn_without(NO_OCR_WORKERS, |_| {}).await;
    let (alice, _, _) = app.user("alice@example.com").await;
    let (bob, _, _) = app.user("bob@example.com").await;
    let png = receipt_png(&["SHOP", "TOTAL 1.00"]);

    let resp = upload(
        &app,
        "/api/transactions/receipt?wait=false",
        &alice,
        "file",
        &png,
    )
    .await;
    assert_eq!(resp.status(), 202);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["status"], "pending");
    let id = body["data"]["job_id"].as_str().unwrap().to_string();

    let image = app.get_as(&format!("/api/ocr/image/{id}"), &alice).await;
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().as_ref(), png.as_slice());
    let image = app
        .get_as(&format!("/api/transactions/receipt/{id}/image"), &alice)
        .await;
    assert_eq!(image.status(), 200);

    for path in [
        format!("/api/ocr/status/{id}"),
        format!("/api/transactions/receipt/status/{id}"),
        format!("/api/ocr/image/{id}"),
        format!("/api/transactions/receipt/{id}/image"),
    ] {
        error_body(app.get_as(&path, &bob).await, 404, "RESOURCE_3001").await;
    }
    let delete = app
        .authed(
            reqwest::Method::DELETE,
            &format!("/api/ocr/image/{id}"),
            &bob,
        )
        .send()
        .await
        .unwrap();
    error_body(delete, 404, "RESOURCE_3001").await;
    let delete = app
        .authed(
            reqwest::Method::DELETE,
            &format!("/api/ocr/image/{id}"),
            &alice,
        )
        .send()
        .await
        .unwrap();
    error_body(delete, 409, "RESOURCE_3002").await;
    error_body(
        app.get_as("/api/ocr/status/not-a-uuid", &alice).await,
        422,
        "VALIDATION_2011",
    )
    .await;
}

#[tokio::test]
async fn uploads_that_are_not_images_are_refused() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("notimage@example.com").await;
    let text = upload(
        &app,
        "/api/ocr/process",
        &token,
        "receipt",
        b"TOTAL 5.00 but just text",
    )
    .await;
    error_body(text, 415, "VALIDATION_2002").await;
    let pdf = upload(&app, "/api/ocr/process", &token, "file", b"%PDF-1.7 ...").await;
    error_body(pdf, 415, "VALIDATION_2002").await;
    let json_body = app
        .authed(reqwest::Method::POST, "/api/ocr/process", &token)
        .json(&json!({"receipt": "x"}))
        .send()
        .await
        .unwrap();
    error_body(json_body, 415, "VALIDATION_2002").await;
    let wrong_field = upload(
        &app,
        "/api/ocr/process",
        &token,
        "photo",
        &receipt_png(&["X"]),
    )
    .await;
    error_body(wrong_field, 422, "VALIDATION_2002").await;
    let anonymous = app
        .client
        .post(app.url("/api/ocr/process"))
        .send()
        .await
        .unwrap();
    error_body(anonymous, 401, "AUTH_1004").await;
}

#[tokio::test]
async fn an_upload_over_ten_megabytes_is_a_413_and_one_just_under_is_accepted() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("big@example.com").await;
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(11 * 1024 * 1024, 0);
    let resp = upload(&app, "/api/ocr/process", &token, "receipt", &big).await;
    error_body(resp, 413, "VALIDATION_2002").await;

    // A real image (its header is read before queueing), padded to just under the limit.
    let mut big = receipt_png(&["SHOP", "TOTAL 1.00"]);
    big.resize(10 * 1024 * 1024 - 1024, 0);
    let resp = upload(
        &app,
        "/api/transactions/receipt?wait=false",
        &token,
        "receipt",
        &big,
    )
    .await;
    assert_eq!(
        resp.status(),
        202,
        "the 2 MB JSON limit does not apply to uploads"
    );
}

#[tokio::test]
async fn a_smaller_configured_upload_limit_is_enforced() {
    let app = spawn_with(|s| s.limits.upload_bytes = 4096, axum::Router::new()).await;
    let (token, _, _) = app.user("small@example.com").await;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(8192, 7);
    let resp = upload(&app, "/api/ocr/process", &token, "receipt", &png).await;
    error_body(resp, 413, "VALIDATION_2002").await;
}

/// Issue 18 §12: the engine's own message (which names server paths) is for operators; the
/// job's owner is told the reason in words.
#[tokio::test]
async fn a_failed_jobs_owner_never_sees_server_paths() {
    if !mita::testing::tesseract_or_skip("corrupt receipt through tesseract") {
        return;
    }
    let app = spawn_app().await;
    let (token, _, _) = app.user("paths@example.com").await;
    // A valid PNG header (it passes the upload's checks) over a body no decoder can read.
    let mut png = receipt_png(&["SHOP", "TOTAL 1.00"]);
    for b in png.iter_mut().skip(40) {
        *b = 0x5a;
    }
    let resp = upload(&app, "/api/ocr/process?wait=true", &token, "file", &png).await;
    assert_eq!(resp.status(), 200);
    let job: Value = resp.json().await.unwrap();
    let data = &job["data"];
    assert_eq!(data["status"], "failed", "{job}");
    let shown = data["error"].as_str().unwrap();
    let image_dir = app.state.settings.ocr_image_dir();
    assert!(!shown.contains('/'), "{shown}");
    assert!(
        !job.to_string().contains(&*image_dir.to_string_lossy()),
        "{job}"
    );
    // Operators keep the engine's message.
    let id: mita::id::Id = data["job_id"].as_str().unwrap().parse().unwrap();
    let summary = app.state.ocr.get(id).await.unwrap();
    assert!(summary.error.is_some());
}

/// Issue 18 §7: deleting the account removes its stored receipt images too, and the upload
/// limits answer 429 (rate) and 422 `BUSINESS_4003` (stored bytes) over HTTP.
#[tokio::test]
async fn deleting_an_account_removes_its_images_and_upload_limits_are_clear_errors() {
    let app = spawn_with(
        |s| {
            s.ocr.uploads_per_user_per_hour = 2;
        },
        axum::Router::new(),
    )
    .await;
    let (token, _, user_id) = app.user("gone@example.com").await;
    let png = receipt_png(&["SHOP", "TOTAL 1.00"]);
    for _ in 0..2 {
        let resp = upload(&app, "/api/ocr/process", &token, "receipt", &png).await;
        assert_eq!(resp.status(), 202);
    }
    let resp = upload(&app, "/api/ocr/process", &token, "receipt", &png).await;
    assert!(resp.headers().contains_key("retry-after"));
    error_body(resp, 429, "RATE_LIMIT_7001").await;

    let names = app
        .state
        .ocr
        .image_names_of(user_id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(names.len(), 2);
    let dir = app.state.settings.ocr_image_dir();
    assert!(names.iter().all(|n| dir.join(n).exists()));
    let resp = app
        .authed(reqwest::Method::DELETE, "/api/auth/delete-account", &token)
        .json(&json!({"confirmation": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        names.iter().all(|n| !dir.join(n).exists()),
        "the files went with the account"
    );

    let small = spawn_with(|s| s.ocr.stored_bytes_per_user = 1_000, axum::Router::new()).await;
    let (token, _, _) = small.user("full@example.com").await;
    let resp = upload(&small, "/api/ocr/process", &token, "receipt", &png).await;
    error_body(resp, 422, "BUSINESS_4003").await;
}
