//! JWT negatives (all 401, never 5xx) and refresh-token reuse detection.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, error_body, spawn_app, spawn_with};

const SECRET: &str = "test-secret-0123456789abcdef0123456789";

fn decode_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn forged_and_out_of_window_tokens_are_401() {
    let app = spawn_app().await;
    let (access, refresh, _) = app.user("pat@example.com").await;
    let good = decode_claims(&access);
    let now = chrono::Utc::now().timestamp();
    let with = |key: &str, value: Value| {
        let mut c = good.clone();
        c[key] = value;
        c
    };
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(good.to_string())
    );
    let cases: Vec<(&str, String, &str)> = vec![
        ("re-signed copy (sanity)", sign(&good, SECRET), ""),
        (
            "bad signature",
            sign(&good, "another-secret-0123456789abcdef0123"),
            "AUTH_1003",
        ),
        ("alg none", alg_none, "AUTH_1003"),
        (
            "wrong aud",
            sign(&with("aud", json!("someone-else")), SECRET),
            "AUTH_1003",
        ),
        (
            "wrong iss",
            sign(&with("iss", json!("evil")), SECRET),
            "AUTH_1003",
        ),
        (
            "expired beyond leeway",
            sign(&with("exp", json!(now - 3600)), SECRET),
            "AUTH_1002",
        ),
        (
            "nbf in the future",
            sign(&with("nbf", json!(now + 3600)), SECRET),
            "AUTH_1003",
        ),
        (
            "refresh token as access token",
            refresh.clone(),
            "AUTH_1003",
        ),
        ("garbage", "not.a.jwt".to_string(), "AUTH_1003"),
    ];
    for (name, token, code) in cases {
        let resp = app.get_as("/api/users/me", &token).await;
        if code.is_empty() {
            assert_eq!(resp.status(), 200, "{name}");
        } else {
            assert_eq!(resp.status(), 401, "{name}");
            error_body(resp, 401, code).await;
        }
    }
    // Access token used to refresh.
    let resp = app
        .post_json("/api/auth/refresh-token", &json!({"refresh_token": access}))
        .await;
    error_body(resp, 401, "AUTH_1006").await;
}

#[tokio::test]
async fn a_token_signed_with_the_previous_secret_still_verifies_during_rotation() {
    let old_secret = "the-old-secret-0123456789abcdef01234567";
    let app = spawn_with(
        |s| s.auth.jwt_previous_secret = Some(mita::config::Secret::new(old_secret)),
        axum::Router::new(),
    )
    .await;
    let (access, _, _) = app.user("quin@example.com").await;
    let claims = decode_claims(&access);
    assert_eq!(
        app.get_as("/api/users/me", &sign(&claims, old_secret))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_as(
            "/api/users/me",
            &sign(&claims, "never-configured-secret-0123456789ab")
        )
        .await
        .status(),
        401
    );
}

#[tokio::test]
async fn a_revoked_jti_and_an_old_token_version_are_refused() {
    let app = spawn_app().await;
    let (access, _, _) = app.user("rae@example.com").await;
    app.authed(Method::POST, "/api/auth/revoke", &access)
        .send()
        .await
        .unwrap();
    error_body(app.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;

    let (access, _, _) = app.user("sam@example.com").await;
    let other: Value = app
        .login("sam@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let other = other["data"]["access_token"].as_str().unwrap().to_string();
    app.authed(Method::POST, "/api/auth/change-password", &access)
        .json(&json!({"current_password": PASSWORD, "new_password": "Brand-New-Passw0rd"}))
        .send()
        .await
        .unwrap();
    error_body(app.get_as("/api/users/me", &other).await, 401, "AUTH_1005").await;
}

#[tokio::test]
async fn refresh_reuse_after_rotation_revokes_the_whole_login() {
    let app = spawn_app().await;
    let (_, first_refresh, _) = app.user("tia@example.com").await;
    let rotated: Value = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": first_refresh}),
        )
        .await
        .json()
        .await
        .unwrap();
    let newer_access = rotated["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let newer_refresh = rotated["data"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let rotated_again: Value = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": newer_refresh}),
        )
        .await
        .json()
        .await
        .unwrap();
    let newest_access = rotated_again["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let newest_refresh = rotated_again["data"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get_as("/api/users/me", &newest_access).await.status(),
        200
    );

    // The first refresh token is two rotations old: theft. Everything of that login dies.
    let reuse = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": first_refresh}),
        )
        .await;
    error_body(reuse, 401, "AUTH_1006").await;
    error_body(
        app.get_as("/api/users/me", &newest_access).await,
        401,
        "AUTH_1005",
    )
    .await;
    error_body(
        app.get_as("/api/users/me", &newer_access).await,
        401,
        "AUTH_1005",
    )
    .await;
    error_body(
        app.post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": newest_refresh}),
        )
        .await,
        401,
        "AUTH_1006",
    )
    .await;
    assert_eq!(app.audit_events("refresh_reuse_detected").await.len(), 1);

    // Other logins of the same user are untouched.
    let other: Value = app
        .login("tia@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.get_as(
            "/api/users/me",
            other["data"]["access_token"].as_str().unwrap()
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn a_retry_within_the_grace_window_is_not_theft() {
    let app = spawn_app().await;
    let (_, refresh, _) = app.user("uma@example.com").await;
    let first = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(first.status(), 200);
    // The client never saw the answer and retries with the same token, seconds later.
    let retry = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(retry.status(), 200);
    let body: Value = retry.json().await.unwrap();
    assert_eq!(
        app.get_as(
            "/api/users/me",
            body["data"]["access_token"].as_str().unwrap()
        )
        .await
        .status(),
        200
    );
}

/// Issue 18 §10: retries of a rotated token are accepted within the grace window of the first
/// rotation only; a retry does not open a new window.
#[tokio::test]
async fn retries_do_not_extend_the_grace_window() {
    let (app, clock) = crate::ghn_support::spawn_at(crate::ghn_support::at(2026, 12, 4, 12)).await;
    let (_, refresh, _) = app.user("vic@example.com").await;
    let body = json!({"refresh_token": refresh});
    assert_eq!(
        app.post_json("/api/auth/refresh-token", &body)
            .await
            .status(),
        200
    );
    let grace_ms = app.state.settings.auth.refresh_grace_secs * 1000;
    clock.advance_ms(grace_ms - 1);
    assert_eq!(
        app.post_json("/api/auth/refresh-token", &body)
            .await
            .status(),
        200,
        "a retry inside the window"
    );
    clock.advance_ms(2);
    let late = app.post_json("/api/auth/refresh-token", &body).await;
    error_body(late, 401, "AUTH_1006").await;
}
