//! Google Vision against a fake `images:annotate` on loopback (the real request and answer
//! shapes), premium routing, failures that keep the image, and the admin job list.

use mita::config::{OcrEngineKind, Secret, Settings};
use mita::testing::fakes::{self, Mode, VISION_KEY};
use mita::testing::receipt_image::{RECEIPT, receipt_png};
use serde_json::{Value, json};

use crate::ocr::upload;
use crate::support::{PASSWORD, TestApp, error_body, spawn_with};

fn vision(base: String, everyone: bool) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.ocr.google_vision.base_url = base;
        s.ocr.google_vision.api_key = Some(Secret::new(VISION_KEY));
        s.ocr.breaker_failure_threshold = 2;
        if everyone {
            s.ocr.engine = OcrEngineKind::GoogleVision;
        }
    }
}

/// A user with role premium_user; returns a token carrying the role.
async fn premium(app: &TestApp, email: &str) -> String {
    let (_, _, id) = app.user(email).await;
    let meta = mita::auth::RequestMeta::api();
    app.state
        .auth
        .set_role(id.parse().unwrap(), "premium_user", &meta)
        .await
        .unwrap();
    let login: Value = app.login(email, PASSWORD).await.json().await.unwrap();
    login["data"]["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn premium_receipts_are_read_by_google_vision_when_it_is_configured() {
    let (base, fake) = fakes::vision(RECEIPT).await;
    let app = spawn_with(vision(base, false), axum::Router::new()).await;
    let token = premium(&app, "rich@example.com").await;

    let resp = upload(
        &app,
        "/api/ocr/process?wait=true",
        &token,
        "receipt",
        &receipt_png(&["X"]),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["status"], "completed", "{body}");
    assert_eq!(body["data"]["engine"], "google_vision");
    assert_eq!(body["data"]["result"]["amount"], json!(10.15));
    assert_eq!(fake.calls(), 1);

    let (basic, _, _) = app.user("basic@example.com").await;
    let resp = upload(
        &app,
        "/api/ocr/process",
        &basic,
        "receipt",
        &receipt_png(&["X"]),
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["data"]["engine"], "tesseract",
        "basic users stay on tesseract"
    );

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(
        "mita_external_api_requests_total{service=\"ocr_google_vision\",status=\"ok\"} 1"
    ));
    assert!(metrics.contains("mita_circuit_breaker_state{service=\"ocr_google_vision\"} 0"));
}

#[tokio::test]
async fn failed_jobs_keep_their_image_and_admins_list_them() {
    let (base, fake) = fakes::vision(RECEIPT).await;
    fake.set(Mode::Failing);
    let app = spawn_with(vision(base, true), axum::Router::new()).await;
    let (token, _, _) = app.user("unlucky@example.com").await;
    let png = receipt_png(&["X"]);

    let mut reasons = Vec::new();
    for _ in 0..3 {
        let resp = upload(&app, "/api/ocr/process?wait=true", &token, "receipt", &png).await;
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["data"]["status"], "failed", "{body}");
        reasons.push(body["data"]["error_reason"].as_str().unwrap().to_string());
        let id = body["data"]["job_id"].as_str().unwrap();
        let image = app.get_as(&format!("/api/ocr/image/{id}"), &token).await;
        assert_eq!(image.status(), 200, "a failed job keeps its image");
    }
    assert_eq!(reasons, ["engine_error", "engine_error", "circuit_open"]);
    assert_eq!(fake.calls(), 2, "the open breaker did not call");
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(
        health["ocr"],
        json!({"engine": "google_vision", "circuit": "open"})
    );

    let admin = app.admin("root@example.com").await;
    let resp = app
        .get_as("/api/admin/ocr/jobs?status=failed", &admin)
        .await;
    assert_eq!(resp.status(), 200);
    let jobs: Value = resp.json().await.unwrap();
    let jobs = jobs["data"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    assert!(
        jobs.iter()
            .all(|j| j["status"] == "failed" && j["image_kept"] == true)
    );
    let open: Value = app
        .get_as(
            "/api/admin/ocr/jobs?status=failed&error_reason=circuit_open",
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open["data"].as_array().unwrap().len(), 1);
    error_body(
        app.get_as("/api/admin/ocr/jobs", &token).await,
        403,
        "AUTH_1007",
    )
    .await;
    error_body(
        app.get_as("/api/admin/ocr/jobs?status=lost", &admin).await,
        422,
        "VALIDATION_2001",
    )
    .await;
}
