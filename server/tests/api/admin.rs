//! `/api/admin/*` and the admin guard.

use reqwest::Method;
use serde_json::Value;

use crate::support::{PASSWORD, error_body, spawn_app};

#[tokio::test]
async fn admin_routes_need_the_admin_role() {
    let app = spawn_app().await;
    let (user_token, _, _) = app.user("ulf@example.com").await;
    error_body(
        app.get_as("/api/admin/audit", &user_token).await,
        403,
        "AUTH_1007",
    )
    .await;
    error_body(app.get("/api/admin/audit").await, 401, "AUTH_1004").await;
}

#[tokio::test]
async fn an_admin_unlocks_an_account_and_reads_the_audit_log() {
    let app = spawn_app().await;
    let admin = app.admin("root@example.com").await;
    let (_, _, id) = app.user("vic@example.com").await;
    for _ in 0..5 {
        app.login("vic@example.com", "Wrong-Passw0rd").await;
    }
    let resp = app
        .authed(
            Method::POST,
            &format!("/api/admin/users/{id}/unlock"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["result"], "unlocked");
    assert_eq!(app.login("vic@example.com", PASSWORD).await.status(), 200);
    let again: Value = app
        .authed(
            Method::POST,
            &format!("/api/admin/users/{id}/unlock"),
            &admin,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["data"]["result"], "not_locked");

    // The audit writer stores events in batches: flush it before reading them back.
    app.state.audit.flush().await;
    let audit: Value = app
        .get_as(
            &format!("/api/admin/audit?event_type=unlock&user_id={id}&since=1h"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let events = audit["data"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["details"]["source"], "admin");

    let missing = app
        .authed(
            Method::POST,
            "/api/admin/users/00000000-0000-0000-0000-000000000000/unlock",
            &admin,
        )
        .send()
        .await
        .unwrap();
    error_body(missing, 404, "RESOURCE_3001").await;
    let malformed = app
        .authed(Method::POST, "/api/admin/users/not-a-uuid/unlock", &admin)
        .send()
        .await
        .unwrap();
    error_body(malformed, 422, "VALIDATION_2011").await;
}

#[tokio::test]
async fn an_admin_ends_every_session_of_a_user() {
    let app = spawn_app().await;
    let admin = app.admin("boss@example.com").await;
    let (token, _, id) = app.user("wil@example.com").await;
    let resp = app
        .authed(
            Method::POST,
            &format!("/api/admin/users/{id}/revoke-tokens"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    error_body(app.get_as("/api/users/me", &token).await, 401, "AUTH_1005").await;
}
