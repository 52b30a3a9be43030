//! Password reset end to end through the development outbox.

use std::time::{Duration, Instant};

use chrono::TimeZone;
use mita::clock::Clock;
use mita::testing::TestDatabase;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, error_body, spawn_app, spawn_full};

/// Waits (bounded) for a mail in the outbox whose text contains `needle`; returns its text.
async fn wait_for_mail(app: &TestApp, needle: &str) -> String {
    let outbox = app.test_db.path().join("outbox");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(entries) = std::fs::read_dir(&outbox) {
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains(needle) {
                    return text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail containing {needle:?} in {}",
            outbox.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn token_from(mail: &str) -> String {
    mail.lines()
        .find_map(|l| l.strip_prefix("Reset token: "))
        .unwrap()
        .trim()
        .to_string()
}

#[tokio::test]
async fn reset_works_once_ends_sessions_and_clears_the_lock() {
    let app = spawn_app().await;
    let (access, _, _) = app.user("val@example.com").await;
    for _ in 0..5 {
        app.login("val@example.com", "Wrong-Passw0rd").await;
    }
    let resp = app
        .post_json(
            "/api/auth/forgot-password",
            &json!({"email": "val@example.com"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let mail = wait_for_mail(&app, "Reset token: ").await;
    let token = token_from(&mail);

    let valid: Value = app
        .get(&format!("/api/auth/verify-reset-token?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(valid["data"]["valid"], true);

    let reset = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"token": token, "new_password": "Fresh-Passw0rd"}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let body: Value = reset.json().await.unwrap();
    assert_eq!(body["data"]["success"], true);

    error_body(app.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;
    assert_eq!(
        app.login("val@example.com", "Fresh-Passw0rd")
            .await
            .status(),
        200,
        "lock cleared"
    );
    let again = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"token": token, "new_password": "Other-Passw0rd1"}),
        )
        .await;
    error_body(again, 400, "AUTH_1003").await;
    // A used token is no 200 (the app reads any 200 as valid), on either method.
    let used = app
        .post_json("/api/auth/verify-reset-token", &json!({"token": token}))
        .await;
    error_body(used, 400, "AUTH_1003").await;
    let used = app
        .get(&format!("/api/auth/verify-reset-token?token={token}"))
        .await;
    error_body(used, 400, "AUTH_1003").await;
    wait_for_mail(&app, "Your MITA password was reset").await;

    for kind in ["password_reset_request", "password_reset_complete"] {
        let events = app.audit_events(kind).await;
        assert_eq!(events.len(), 1, "{kind}");
        assert!(
            !events[0].to_string().contains(&token),
            "no reset token in the audit log"
        );
    }
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_unknown_emails() {
    let app = spawn_app().await;
    app.register("wes@example.com").await;
    let known: Value = app
        .post_json(
            "/api/auth/forgot-password",
            &json!({"email": "wes@example.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let unknown: Value = app
        .post_json(
            "/api/auth/forgot-password",
            &json!({"email": "nobody@example.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(known["data"], unknown["data"]);
    let by_query = app
        .post_raw(
            "/api/auth/password-reset/request?email=wes@example.com",
            None,
            "",
        )
        .await;
    assert_eq!(by_query.status(), 200);
}

#[tokio::test]
async fn a_reset_token_expires_after_an_hour() {
    let clock = Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap());
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let app = spawn_full(test_db, db, |_| {}, axum::Router::new(), clock.clone()).await;
    app.register("xia@example.com").await;
    app.post_json(
        "/api/auth/forgot-password",
        &json!({"email": "xia@example.com"}),
    )
    .await;
    let token = token_from(&wait_for_mail(&app, "Reset token: ").await);
    clock.advance_ms(60 * 60 * 1000 + 1);
    let resp = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"token": token, "new_password": "Fresh-Passw0rd"}),
        )
        .await;
    error_body(resp, 400, "AUTH_1003").await;
    assert_eq!(
        app.login("xia@example.com", PASSWORD).await.status(),
        200,
        "password unchanged"
    );
}

/// The reset tokens in the outbox, once there are `n` of them (bounded wait).
async fn reset_tokens(app: &TestApp, n: usize) -> Vec<String> {
    let outbox = app.test_db.path().join("outbox");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let tokens: Vec<String> = std::fs::read_dir(&outbox)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                    .filter(|t| t.contains("Reset token: "))
                    .map(|t| token_from(&t))
                    .collect()
            })
            .unwrap_or_default();
        if tokens.len() >= n {
            return tokens;
        }
        assert!(Instant::now() < deadline, "{n} reset mails expected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Issue 18 §11: once a reset link (or the user) changed the password, the other links still
/// in the mailbox are dead.
#[tokio::test]
async fn using_one_reset_token_retires_the_others() {
    let app = spawn_app().await;
    app.user("wes@example.com").await;
    for _ in 0..2 {
        let resp = app
            .post_json(
                "/api/auth/forgot-password",
                &json!({"email": "wes@example.com"}),
            )
            .await;
        assert_eq!(resp.status(), 200);
    }
    let tokens = reset_tokens(&app, 2).await;
    let reset = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"token": tokens[0], "new_password": "Fresh-Passw0rd"}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let other = app
        .post_json(
            "/api/auth/reset-password",
            &json!({"token": tokens[1], "new_password": "Other-Passw0rd"}),
        )
        .await;
    error_body(other, 400, "AUTH_1003").await;
    assert_eq!(
        app.login("wes@example.com", "Fresh-Passw0rd")
            .await
            .status(),
        200
    );

    // A change of password by the user retires a pending link too.
    let login: Value = app
        .login("wes@example.com", "Fresh-Passw0rd")
        .await
        .json()
        .await
        .unwrap();
    let token = login["data"]["access_token"].as_str().unwrap().to_string();
    app.post_json(
        "/api/auth/forgot-password",
        &json!({"email": "wes@example.com"}),
    )
    .await;
    let pending = reset_tokens(&app, 3).await;
    let fresh: Vec<&String> = pending.iter().filter(|t| !tokens.contains(t)).collect();
    let changed = app
        .authed(reqwest::Method::POST, "/api/auth/change-password", &token)
        .json(&json!({"current_password": "Fresh-Passw0rd", "new_password": "Third-Passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let late = app
        .get(&format!("/api/auth/verify-reset-token?token={}", fresh[0]))
        .await;
    error_body(late, 400, "AUTH_1003").await;
}
