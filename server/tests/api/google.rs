//! Google sign-in against a fake token-info endpoint on loopback.

use mita::testing::fakes::{self, Mode};
use serde_json::{Value, json};

use crate::support::{error_body, spawn_with};

/// Token `x` is the verified `x@gmail.com`; `other-audience` was issued to another client and
/// `bad` is one Google rejects.
fn claims(token: &str) -> Option<Value> {
    let aud = if token == "other-audience" {
        "someone-else"
    } else {
        "mita-client"
    };
    let exp = (chrono::Utc::now().timestamp() + 3600).to_string();
    (token != "bad").then(|| json!({"iss": "https://accounts.google.com", "aud": aud, "sub": format!("sub-{token}"),
        "email": format!("{token}@gmail.com"), "email_verified": "true", "exp": exp, "name": "G User"}))
}

#[tokio::test]
async fn google_sign_in_creates_the_user_refuses_bad_audiences_and_fails_fast_when_down() {
    let (url, fake) = fakes::google_tokeninfo(claims).await;
    let app = spawn_with(
        move |s| {
            s.google.client_ids = vec!["mita-client".into()];
            s.google.tokeninfo_url = url;
            s.google.timeout_ms = 2000;
        },
        axum::Router::new(),
    )
    .await;

    let resp = app
        .post_json("/api/auth/google", &json!({"id_token": "alice"}))
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let access = body["data"]["access_token"].as_str().unwrap();
    assert!(body["data"]["expires_in"].as_i64().unwrap() > 0);
    let me: Value = app
        .get_as("/api/users/me", access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["email"], "alice@gmail.com");
    // A second sign-in reuses the account.
    assert_eq!(
        app.post_json("/api/auth/google", &json!({"id_token": "alice"}))
            .await
            .status(),
        200
    );
    let users: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await).unwrap();
    assert_eq!(users, 1);

    error_body(
        app.post_json("/api/auth/google", &json!({"id_token": "other-audience"}))
            .await,
        401,
        "AUTH_1011",
    )
    .await;
    error_body(
        app.post_json("/api/auth/google", &json!({"id_token": "bad"}))
            .await,
        401,
        "AUTH_1011",
    )
    .await;

    fake.set(Mode::Failing);
    for _ in 0..5 {
        let resp = app
            .post_json("/api/auth/google", &json!({"id_token": "alice"}))
            .await;
        error_body(resp, 503, "EXTERNAL_6001").await;
    }
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(health["google_oauth"]["circuit"], "open");
    let calls_when_open = fake.calls();
    let resp = app
        .post_json("/api/auth/google", &json!({"id_token": "alice"}))
        .await;
    assert!(resp.headers().contains_key("retry-after"));
    error_body(resp, 503, "EXTERNAL_6001").await;
    assert_eq!(
        fake.calls(),
        calls_when_open,
        "an open breaker does not call Google"
    );
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("mita_circuit_breaker_state{service=\"google_oauth\"} 1"),
        "{text}"
    );
}

/// Issue 18 §4: Google sign-in links only to an account whose own address is verified, never
/// replaces another linked Google account, and ends the account's other sessions when it links.
#[tokio::test]
async fn google_links_only_verified_accounts_and_ends_their_other_sessions() {
    let (url, _fake) = fakes::google_tokeninfo(claims).await;
    let app = spawn_with(
        move |s| {
            s.google.client_ids = vec!["mita-client".into()];
            s.google.tokeninfo_url = url;
        },
        axum::Router::new(),
    )
    .await;
    let sub_of = |email: &'static str| {
        let db = app.db.clone();
        async move {
            let sub: Option<String> = mita::on_db!(&db, pool => sqlx::query_scalar(
                "SELECT google_sub FROM users WHERE email = $1").bind(email).fetch_one(pool).await)
            .unwrap();
            sub
        }
    };
    let verify = |email: &'static str| {
        let db = app.db.clone();
        async move {
            mita::on_write!(&db, pool => sqlx::query("UPDATE users SET email_verified = TRUE WHERE email = $1")
                .bind(email).execute(pool).await.map(|_| ()))
            .unwrap();
        }
    };

    // Someone registered the address with a password and never verified it: no link.
    app.register("mallory@gmail.com").await;
    let resp = app
        .post_json("/api/auth/google", &json!({"id_token": "mallory"}))
        .await;
    error_body(resp, 409, "RESOURCE_3002").await;
    assert_eq!(sub_of("mallory@gmail.com").await, None, "not linked");

    // A verified account is linked, and its other sessions end.
    let (old_access, _, _) = app.user("carol@gmail.com").await;
    verify("carol@gmail.com").await;
    let resp = app
        .post_json("/api/auth/google", &json!({"id_token": "carol"}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        sub_of("carol@gmail.com").await.as_deref(),
        Some("sub-carol")
    );
    error_body(
        app.get_as("/api/users/me", &old_access).await,
        401,
        "AUTH_1005",
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    let access = body["data"]["access_token"].as_str().unwrap();
    assert_eq!(app.get_as("/api/users/me", access).await.status(), 200);

    // An address already linked to another Google account keeps that link.
    app.register("dave@gmail.com").await;
    verify("dave@gmail.com").await;
    mita::on_write!(&app.db, pool => sqlx::query("UPDATE users SET google_sub = 'sub-original' WHERE email = 'dave@gmail.com'")
        .execute(pool).await.map(|_| ()))
    .unwrap();
    let resp = app
        .post_json("/api/auth/google", &json!({"id_token": "dave"}))
        .await;
    error_body(resp, 409, "RESOURCE_3002").await;
    assert_eq!(
        sub_of("dave@gmail.com").await.as_deref(),
        Some("sub-original")
    );
}
