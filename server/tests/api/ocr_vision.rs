//! Google Vision against a fake `images:annotate` on loopback (the real request and answer
//! shapes), premium routing, failures that keep the image, and the admin job list.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine as _;
use mita::config::{OcrEngineKind, Secret, Settings};
use mita::testing::receipt_image::receipt_png;
use serde_json::{Value, json};

use crate::ocr::{RECEIPT, upload};
use crate::support::{PASSWORD, TestApp, error_body, spawn_with};

#[derive(Clone, Default)]
struct Fake {
    down: Arc<AtomicBool>,
    calls: Arc<AtomicUsize>,
}

async fn annotate(
    State(fake): State<Fake>,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> axum::response::Response {
    fake.calls.fetch_add(1, Ordering::SeqCst);
    if q.get("key").map(String::as_str) != Some("vision-key") {
        let error = json!({"error": {"code": 403, "message": "API key not valid"}});
        return (StatusCode::FORBIDDEN, axum::Json(error)).into_response();
    }
    if fake.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let request = &body["requests"][0];
    let image = base64::engine::general_purpose::STANDARD
        .decode(request["image"]["content"].as_str().unwrap_or_default())
        .unwrap_or_default();
    if !image.starts_with(b"\x89PNG") || request["features"][0]["type"] != "DOCUMENT_TEXT_DETECTION"
    {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let text = RECEIPT.join("\n");
    axum::Json(json!({"responses": [{
        "textAnnotations": [{"locale": "en", "description": text}],
        "fullTextAnnotation": {"text": text},
    }]}))
    .into_response()
}

async fn start_fake() -> (String, Fake) {
    let fake = Fake::default();
    let app = axum::Router::new()
        .route("/v1/images:annotate", post(annotate))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, fake)
}

fn vision(base: String, everyone: bool) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.ocr.google_vision.base_url = base;
        s.ocr.google_vision.api_key = Some(Secret::new("vision-key"));
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
    let (base, fake) = start_fake().await;
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
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1);

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
    let (base, fake) = start_fake().await;
    fake.down.store(true, Ordering::SeqCst);
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
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        2,
        "the open breaker did not call"
    );
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
