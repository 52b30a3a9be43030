//! The audit trail of a whole session, and the auth metrics moving with their events.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, spawn_app};

#[tokio::test]
async fn every_auth_event_is_recorded_once_without_any_secret() {
    let app = spawn_app().await;
    let admin = app.admin("chief@example.com").await;
    let (access, refresh, id) = app.user("zed@example.com").await;
    app.login("zed@example.com", "Wrong-Passw0rd").await;
    let rotated: Value = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_access = rotated["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.authed(Method::POST, "/api/auth/revoke", &access)
        .send()
        .await
        .unwrap();
    app.authed(
        Method::POST,
        &format!("/api/admin/users/{id}/revoke-tokens"),
        &admin,
    )
    .send()
    .await
    .unwrap();
    let login: Value = app
        .login("zed@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let last_access = login["data"]["access_token"].as_str().unwrap().to_string();
    app.authed(Method::POST, "/api/auth/change-password", &last_access)
        .json(&json!({"current_password": PASSWORD, "new_password": "Changed-Passw0rd"}))
        .send()
        .await
        .unwrap();
    let login: Value = app
        .login("zed@example.com", "Changed-Passw0rd")
        .await
        .json()
        .await
        .unwrap();
    let final_access = login["data"]["access_token"].as_str().unwrap().to_string();
    app.authed(Method::POST, "/api/auth/logout", &final_access)
        .send()
        .await
        .unwrap();

    let user_events =
        |events: Vec<Value>| events.into_iter().filter(|e| e["user_id"] == id).count();
    assert_eq!(user_events(app.audit_events("register").await), 1);
    assert_eq!(user_events(app.audit_events("login_failure").await), 1);
    assert_eq!(user_events(app.audit_events("refresh").await), 1);
    assert_eq!(user_events(app.audit_events("revoke").await), 1);
    assert_eq!(user_events(app.audit_events("admin_action").await), 1);
    assert_eq!(user_events(app.audit_events("login_success").await), 2);
    assert_eq!(user_events(app.audit_events("password_change").await), 1);
    assert_eq!(user_events(app.audit_events("logout").await), 1);

    let all = mita::audit::list(
        &app.db,
        &mita::audit::AuditFilter {
            event_type: None,
            user_id: None,
            since_ms: None,
            limit: 1000,
        },
    )
    .await
    .unwrap();
    let dump = serde_json::to_string(&all).unwrap();
    for secret in [
        PASSWORD,
        "Wrong-Passw0rd",
        "Changed-Passw0rd",
        &access,
        &refresh,
        &new_access,
    ] {
        assert!(!dump.contains(secret), "the audit log contains a secret");
    }
    let one = all
        .iter()
        .find(|e| serde_json::to_value(e).unwrap()["event_type"] == "login_success")
        .unwrap();
    let one = serde_json::to_value(one).unwrap();
    assert_eq!(one["client_ip"], "127.0.0.1");
    assert!(one["request_id"].as_str().unwrap().starts_with("req_"));
    assert!(one["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(one["outcome"], "success");
}

#[tokio::test]
async fn auth_metrics_move_with_their_events() {
    let app = spawn_app().await;
    let admin = app.admin("metric-admin@example.com").await;
    let (access, _, id) = app.user("met@example.com").await;
    for _ in 0..5 {
        app.login("met@example.com", "Wrong-Passw0rd").await;
    }
    app.authed(
        Method::POST,
        &format!("/api/admin/users/{id}/unlock"),
        &admin,
    )
    .send()
    .await
    .unwrap();
    app.authed(Method::POST, "/api/auth/logout", &access)
        .send()
        .await
        .unwrap();
    let text = app.get("/metrics").await.text().await.unwrap();
    for line in [
        "mita_account_unlocks_total{source=\"admin\"} 1",
        "mita_tokens_revoked_total{reason=\"logout\"} 1",
        "mita_account_lockouts_total 1",
    ] {
        assert!(text.contains(line), "missing {line}");
    }
    let hashes = text
        .lines()
        .find(|l| l.starts_with("mita_password_hash_duration_seconds_count"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap();
    // 2 registrations + the admin login + 5 wrong passwords.
    assert!(hashes >= 8.0, "every register/login hashed: {hashes}");
    assert!(
        text.contains("mita_password_hash_queue_depth 0"),
        "the queue drains"
    );
    assert!(text.contains("mita_active_users "));
}

/// Issue 12 §3: a card number sent where the audit log records it (here a user agent) is stored
/// masked.
#[tokio::test]
async fn card_numbers_never_reach_the_audit_log() {
    let app = crate::support::spawn_app().await;
    let resp = app
        .client
        .post(app.url("/api/auth/login"))
        .header("user-agent", "probe 4111 1111 1111 1111")
        .json(&serde_json::json!({"email": "nobody@example.com", "password": "Wrong-Passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let events = app.audit_events("login_failure").await;
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("4111 1111 1111 1111"), "{text}");
    assert!(text.contains("**** **** **** 1111"), "{text}");
}
