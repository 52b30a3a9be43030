//! A fake Google Vision `images:annotate` on loopback (the real request and answer shapes), and
//! small HTTP helpers for the OCR tests.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};

/// The receipt the fake reads (and the tests draw).
pub const RECEIPT: &[&str] = &[
    "CORNER MARKET",
    "2026-03-14 12:31",
    "BANANAS 1.19",
    "ORGANIC MILK 4.99",
    "SOURDOUGH BREAD 3.49",
    "SUBTOTAL 9.67",
    "TAX 0.48",
    "TOTAL 10.15",
];

#[derive(Clone, Default)]
pub struct Fake {
    pub down: Arc<AtomicBool>,
    pub calls: Arc<AtomicUsize>,
}

async fn annotate(
    State(fake): State<Fake>,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> axum::response::Response {
    fake.calls.fetch_add(1, Ordering::SeqCst);
    if q.get("key").map(String::as_str) != Some("vision-key") {
        return StatusCode::FORBIDDEN.into_response();
    }
    if fake.down.load(Ordering::SeqCst) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let request = &body["requests"][0];
    let has_image = request["image"]["content"]
        .as_str()
        .is_some_and(|c| !c.is_empty());
    if !has_image || request["features"][0]["type"] != "DOCUMENT_TEXT_DETECTION" {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let text = RECEIPT.join("\n");
    axum::Json(json!({"responses": [{
        "textAnnotations": [{"description": text}],
        "fullTextAnnotation": {"text": text},
    }]}))
    .into_response()
}

/// Starts the fake; returns its base URL.
pub async fn start_fake() -> (String, Fake) {
    let fake = Fake::default();
    let app = axum::Router::new()
        .route("/v1/images:annotate", post(annotate))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, fake)
}

/// A `multipart/form-data` body with one PNG file field; returns (content type, body).
pub fn multipart(field: &str, png: &[u8]) -> (String, Vec<u8>) {
    let boundary = "mita-cli-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"r.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Registers a user over HTTP; returns the access token.
pub async fn register(client: &reqwest::Client, base: &str, email: &str) -> String {
    let resp = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"email": email, "password": "Sturdy-Passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    body["data"]["access_token"].as_str().unwrap().to_string()
}
