//! HTTP helpers for the OCR tests (the Vision fake is `mita::testing::fakes::vision`).

use serde_json::{Value, json};

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
