//! Personal access tokens (docs/tokens.md): made with a session and shown once, stored hashed,
//! usable as Bearer on the API but never on the auth, token, admin or export routes, `read`
//! refused on writes, revocation immediate, last use recorded at most once a minute, audited;
//! another user's token is 404 and unchanged.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, spawn_at};
use crate::support::{PASSWORD, TestApp, error_body};

async fn make(app: &TestApp, session: &str, name: &str, scope: &str) -> Value {
    let resp = app
        .authed(Method::POST, "/api/tokens", session)
        .json(&json!({"name": name, "scope": scope}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json::<Value>().await.unwrap()["data"].clone()
}

async fn list(app: &TestApp, session: &str) -> Vec<Value> {
    let resp = app.get_as("/api/tokens", session).await;
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["data"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_and_works_as_bearer() {
    let (app, clock) = spawn_at(at(2026, 11, 26, 12)).await;
    let (session, _, user_id) = app.user("pat@example.com").await;
    let made = make(&app, &session, "backup script", "write").await;
    let secret = made["token"].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("mita_pat_") && secret.len() > 40,
        "{made}"
    );
    assert_eq!(made["scope"], "write");
    assert_eq!(made["name"], "backup script");
    assert!(secret.starts_with(made["prefix"].as_str().unwrap()));
    assert!(made["last_used_at"].is_null());

    // Only a hash is stored.
    let stored: Vec<String> = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT token_hash FROM personal_access_tokens").fetch_all(pool).await)
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], secret);
    assert_eq!(stored[0].len(), 64);

    // The list never shows the secret.
    let listed = list(&app, &session).await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("token").is_none(), "{}", listed[0]);
    assert_eq!(listed[0]["id"], made["id"]);

    // As a Bearer on the API: reads and writes.
    let me = app.get_as("/api/users/me", &secret).await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["data"]["id"], user_id);
    let spend = app
        .authed(Method::POST, "/api/transactions", &secret)
        .json(&json!({"amount": 4.5, "category": "food"}))
        .send()
        .await
        .unwrap();
    assert_eq!(spend.status(), 201);

    // Last use recorded, at most once a minute.
    let used = list(&app, &session).await[0]["last_used_at"].clone();
    assert_eq!(used, mita::clock::rfc3339(clock.now_ms()));
    clock.advance_ms(30_000);
    assert_eq!(app.get_as("/api/users/me", &secret).await.status(), 200);
    assert_eq!(list(&app, &session).await[0]["last_used_at"], used);
    clock.advance_ms(31_000);
    assert_eq!(app.get_as("/api/users/me", &secret).await.status(), 200);
    assert_eq!(
        list(&app, &session).await[0]["last_used_at"],
        mita::clock::rfc3339(clock.now_ms())
    );

    let created = app.audit_events("token_create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["user_id"], user_id);
    assert_eq!(created[0]["details"]["pat_id"], made["id"]);
}

#[tokio::test]
async fn a_read_token_is_refused_on_writes_and_no_token_opens_the_session_routes() {
    let (app, _) = spawn_at(at(2026, 11, 26, 12)).await;
    let (session, refresh, _) = app.user("scope@example.com").await;
    let read = make(&app, &session, "dashboard", "read").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let write = make(&app, &session, "sync", "write").await["token"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(app.get_as("/api/transactions", &read).await.status(), 200);
    let refused = app
        .authed(Method::POST, "/api/transactions", &read)
        .json(&json!({"amount": 4.5, "category": "food"}))
        .send()
        .await
        .unwrap();
    let body = error_body(refused, 403, "AUTH_1014").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read scope")
    );
    let stored: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM transactions").fetch_one(pool).await)
    .unwrap();
    assert_eq!(stored, 0, "a refused write writes nothing");

    for token in [&read, &write] {
        for (method, path, body) in [
            (
                Method::POST,
                "/api/tokens",
                json!({"name": "x", "scope": "write"}),
            ),
            (Method::GET, "/api/tokens", Value::Null),
            (Method::GET, "/api/auth/sessions", Value::Null),
            (Method::GET, "/api/auth/token/validate", Value::Null),
            (
                Method::POST,
                "/api/auth/change-password",
                json!({"current_password": PASSWORD, "new_password": "Another-Passw0rd"}),
            ),
            (Method::POST, "/api/auth/logout", json!({})),
            (Method::GET, "/api/users/me/export", Value::Null),
            (Method::GET, "/api/admin/audit", Value::Null),
        ] {
            let mut req = app.authed(method.clone(), path, token);
            if !body.is_null() {
                req = req.json(&body);
            }
            let resp = req.send().await.unwrap();
            error_body(resp, 403, "AUTH_1013").await;
        }
    }
    // A token is no refresh token either.
    let resp = app
        .post_json("/api/auth/refresh-token", &json!({"refresh_token": write}))
        .await;
    assert_eq!(resp.status(), 401);
    // The session still works, and its refresh token too.
    let resp = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn revocation_is_immediate_and_another_users_token_is_404_and_unchanged() {
    let (app, _) = spawn_at(at(2026, 11, 26, 12)).await;
    let (ana, _, ana_id) = app.user("ana@example.com").await;
    let (bob, _, _) = app.user("bob@example.com").await;
    let made = make(&app, &ana, "cron", "write").await;
    let id = made["id"].as_str().unwrap();
    let secret = made["token"].as_str().unwrap();
    assert_eq!(app.get_as("/api/users/me", secret).await.status(), 200);

    // Bob cannot see or revoke it.
    assert!(list(&app, &bob).await.is_empty());
    let resp = app
        .authed(Method::DELETE, &format!("/api/tokens/{id}"), &bob)
        .send()
        .await
        .unwrap();
    error_body(resp, 404, "RESOURCE_3001").await;
    assert_eq!(app.get_as("/api/users/me", secret).await.status(), 200);
    assert_eq!(list(&app, &ana).await.len(), 1);

    // A malformed id is 422.
    let resp = app
        .authed(Method::DELETE, "/api/tokens/not-a-uuid", &ana)
        .send()
        .await
        .unwrap();
    error_body(resp, 422, "VALIDATION_2011").await;

    // Ana revokes it: the next request fails.
    let resp = app
        .authed(Method::DELETE, &format!("/api/tokens/{id}"), &ana)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data, json!({"revoked": true, "token_id": id}));
    error_body(app.get_as("/api/users/me", secret).await, 401, "AUTH_1005").await;
    assert!(list(&app, &ana).await.is_empty());
    // Twice is 404.
    let resp = app
        .authed(Method::DELETE, &format!("/api/tokens/{id}"), &ana)
        .send()
        .await
        .unwrap();
    error_body(resp, 404, "RESOURCE_3001").await;

    let revoked = app.audit_events("token_revoke").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["user_id"], ana_id);
}

#[tokio::test]
async fn expired_unknown_and_password_changed_tokens_are_refused() {
    let (app, clock) = spawn_at(at(2026, 11, 26, 12)).await;
    let (session, _, _) = app.user("exp@example.com").await;
    let resp = app
        .authed(Method::POST, "/api/tokens", &session)
        .json(&json!({"name": "short", "scope": "read", "expires_in_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let short = resp.json::<Value>().await.unwrap()["data"].clone();
    assert!(short["expires_at"].is_string());
    let short = short["token"].as_str().unwrap().to_string();
    let long = make(&app, &session, "long", "read").await["token"]
        .as_str()
        .unwrap()
        .to_string();
    error_body(
        app.get_as("/api/users/me", "mita_pat_unknown").await,
        401,
        "AUTH_1003",
    )
    .await;
    clock.advance_ms(86_400_000);
    error_body(app.get_as("/api/users/me", &short).await, 401, "AUTH_1002").await;
    assert_eq!(app.get_as("/api/users/me", &long).await.status(), 200);
    // The day-old session token has expired too: sign in again.
    let login: Value = app
        .login("exp@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let session = login["data"]["access_token"].as_str().unwrap().to_string();

    // Bad input: 422 naming the field, nothing stored.
    for (body, field) in [
        (json!({"name": "", "scope": "read"}), "body.name"),
        (json!({"name": "x", "scope": "admin"}), "body.scope"),
        (
            json!({"name": "x", "scope": "read", "expires_in_days": 0}),
            "body.expires_in_days",
        ),
    ] {
        let resp = app
            .authed(Method::POST, "/api/tokens", &session)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422);
        let err: Value = resp.json().await.unwrap();
        assert_eq!(
            err["error"]["details"]["validation_errors"][0]["field"], field,
            "{err}"
        );
    }
    assert_eq!(list(&app, &session).await.len(), 2);

    // A password change ends every token with the sessions.
    let resp = app
        .authed(Method::POST, "/api/auth/change-password", &session)
        .json(&json!({"current_password": PASSWORD, "new_password": "Another-Passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    error_body(app.get_as("/api/users/me", &long).await, 401, "AUTH_1005").await;
}
