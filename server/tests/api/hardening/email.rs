//! Confirmed email changes and email verification.

use mita::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use super::{mail_to, mails_to, send, start, token_after, verification_token};
use crate::ghn_support::spawn_at;
use crate::support::{PASSWORD, error_body, spawn_app, spawn_full, spawn_with};

const CHANGE_TOKEN: &str = "Email change token: ";

async fn me(app: &crate::support::TestApp, token: &str) -> Value {
    let body: Value = app
        .get_as("/api/users/me", token)
        .await
        .json()
        .await
        .unwrap();
    body["data"].clone()
}

/// The takeover of issue 15: a stolen access token moved the account to another address in one
/// PATCH, then reset the password. Now the PATCH changes nothing and no reset mail goes there.
#[tokio::test]
async fn a_stolen_token_cannot_move_the_account_to_another_address() {
    let app = spawn_app().await;
    let (stolen, _, _) = app.user("victim@example.com").await;
    let resp = send(
        &app,
        Method::PATCH,
        "/api/users/me",
        &stolen,
        &json!({"email": "thief@example.com", "name": "Pwned"}),
    )
    .await;
    let body = error_body(resp, 422, "VALIDATION_2004").await;
    let field = &body["error"]["details"]["validation_errors"][0];
    assert_eq!(field["field"], "body.email");
    assert!(
        field["message"]
            .as_str()
            .unwrap()
            .contains("POST /api/users/me/email"),
        "points at the confirmed flow: {field}"
    );
    let profile = me(&app, &stolen).await;
    assert_eq!(profile["email"], "victim@example.com");
    assert_ne!(
        profile["name"], "Pwned",
        "nothing of the request was applied"
    );

    // Without the password the dedicated route refuses too.
    let resp = send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &stolen,
        &json!({"new_email": "thief@example.com"}),
    )
    .await;
    error_body(resp, 422, "VALIDATION_2001").await;
    let resp = send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &stolen,
        &json!({"new_email": "thief@example.com", "password": "Guess-Passw0rd"}),
    )
    .await;
    error_body(resp, 401, "AUTH_1001").await;
    let state = app
        .state
        .auth
        .user_by_email("victim@example.com")
        .await
        .unwrap();
    assert_eq!(
        state.failed_login_attempts, 1,
        "a wrong password counts toward the lockout"
    );

    // So a password reset for the thief's address reaches nobody.
    let resp = app
        .post_json(
            "/api/auth/forgot-password",
            &json!({"email": "thief@example.com"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(mails_to(&app, "thief@example.com", "Reset token"), 0);
}

/// The settings screen sends the current address with every save: accepted silently.
#[tokio::test]
async fn the_current_address_in_a_profile_save_is_accepted() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("same@example.com").await;
    let resp = send(
        &app,
        Method::PATCH,
        "/api/users/me",
        &token,
        &json!({"email": " Same@Example.com ", "name": "Same"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let profile = me(&app, &token).await;
    assert_eq!(profile["email"], "same@example.com");
    assert_eq!(profile["name"], "Same");
}

#[tokio::test]
async fn an_email_change_happens_when_the_link_is_used_once_and_ends_every_session() {
    let app = spawn_app().await;
    let (access, refresh, _) = app.user("old@example.com").await;
    let resp = send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &access,
        &json!({"new_email": "New@Example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(resp.status(), 202);
    let notice = mail_to(&app, "old@example.com", "change of your MITA account").await;
    assert!(notice.contains("n***@example.com"), "{notice}");
    assert!(
        !notice.contains(CHANGE_TOKEN),
        "the old address gets no link"
    );
    let link = token_after(
        &mail_to(&app, "new@example.com", CHANGE_TOKEN).await,
        CHANGE_TOKEN,
    );
    assert_eq!(
        me(&app, &access).await["email"],
        "old@example.com",
        "not before the link"
    );

    let resp = app
        .post_json("/api/users/me/email/confirm", &json!({"token": link}))
        .await;
    assert_eq!(resp.status(), 200);
    error_body(app.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;
    let resp = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    error_body(resp, 401, "AUTH_1006").await;
    mail_to(&app, "old@example.com", "email address was changed").await;

    let login: Value = app
        .login("new@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let token = login["data"]["access_token"].as_str().unwrap();
    let profile = me(&app, token).await;
    assert_eq!(profile["email"], "new@example.com");
    assert_eq!(
        profile["email_verified"], true,
        "the link proved the new address"
    );
    error_body(
        app.login("old@example.com", PASSWORD).await,
        401,
        "AUTH_1001",
    )
    .await;

    let again = app
        .post_json("/api/users/me/email/confirm", &json!({"token": link}))
        .await;
    error_body(again, 400, "AUTH_1003").await;
    assert_eq!(app.audit_events("email_change_request").await.len(), 1);
    assert_eq!(app.audit_events("email_change").await.len(), 1);
}

#[tokio::test]
async fn an_email_change_link_is_refused_when_expired_for_another_user_or_another_purpose() {
    let (app, clock) = spawn_at(start()).await;
    let (ann, _, _) = app.user("ann@example.com").await;
    let (bob, _, _) = app.user("bob@example.com").await;
    let ask = |token: String, to: &'static str| {
        let app = &app;
        async move {
            let resp = send(
                app,
                Method::POST,
                "/api/users/me/email",
                &token,
                &json!({"new_email": to, "password": PASSWORD}),
            )
            .await;
            assert_eq!(resp.status(), 202);
            token_after(&mail_to(app, to, CHANGE_TOKEN).await, CHANGE_TOKEN)
        }
    };
    let link = ask(ann.clone(), "ann.new@example.com").await;

    // Bob, signed in, cannot use Ann's link (and it stays usable for Ann).
    let resp = app
        .authed(Method::POST, "/api/users/me/email/confirm", &bob)
        .json(&json!({"token": link}))
        .send()
        .await
        .unwrap();
    error_body(resp, 400, "AUTH_1003").await;
    assert_eq!(me(&app, &bob).await["email"], "bob@example.com");

    // A verification link is not an email-change link, nor the other way round.
    let verify = verification_token(&app, "ann@example.com").await;
    let resp = app
        .post_json("/api/users/me/email/confirm", &json!({"token": verify}))
        .await;
    error_body(resp, 400, "AUTH_1003").await;
    let resp = app
        .post_json("/api/auth/verify-email", &json!({"token": link}))
        .await;
    error_body(resp, 400, "AUTH_1003").await;

    // Past its lifetime (24 h by default) the link is dead.
    clock.advance_ms(24 * 3_600_000 + 1);
    let resp = app
        .post_json("/api/users/me/email/confirm", &json!({"token": link}))
        .await;
    error_body(resp, 400, "AUTH_1003").await;
    let relogin: Value = app
        .login("ann@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let ann = relogin["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(me(&app, &ann).await["email"], "ann@example.com");

    // A fresh link, used by Ann herself while signed in, works.
    let link = ask(ann.clone(), "ann.newer@example.com").await;
    let resp = app
        .authed(Method::POST, "/api/users/me/email/confirm", &ann)
        .json(&json!({"token": link}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_taken_address_is_answered_like_a_free_one_and_refused_at_the_link() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("mover@example.com").await;
    app.user("owner@example.com").await;
    let free = send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &token,
        &json!({"new_email": "free@example.com", "password": PASSWORD}),
    )
    .await;
    let taken = send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &token,
        &json!({"new_email": "owner@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(free.status(), 202);
    assert_eq!(taken.status(), 202);
    let (mut free, mut taken): (Value, Value) =
        (free.json().await.unwrap(), taken.json().await.unwrap());
    for v in [&mut free, &mut taken] {
        let o = v.as_object_mut().unwrap();
        o.remove("timestamp");
        o.remove("request_id");
    }
    assert_eq!(free, taken, "no enumeration");
    let free_link = token_after(
        &mail_to(&app, "free@example.com", CHANGE_TOKEN).await,
        CHANGE_TOKEN,
    );
    let link = token_after(
        &mail_to(&app, "owner@example.com", CHANGE_TOKEN).await,
        CHANGE_TOKEN,
    );
    let resp = app
        .post_json("/api/users/me/email/confirm", &json!({"token": link}))
        .await;
    error_body(resp, 409, "RESOURCE_3002").await;
    let resp = app
        .post_json("/api/users/me/email/confirm", &json!({"token": free_link}))
        .await;
    error_body(resp, 400, "AUTH_1003").await;
    assert_eq!(
        me(&app, &token).await["email"],
        "mover@example.com",
        "only the newest link counts"
    );
}

#[tokio::test]
async fn registration_mails_a_link_that_verifies_the_address_once() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("fresh@example.com").await;
    assert_eq!(me(&app, &token).await["email_verified"], false);
    let link = verification_token(&app, "fresh@example.com").await;
    let resp = app
        .post_raw(&format!("/api/auth/verify-email?token={link}"), None, "")
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(me(&app, &token).await["email_verified"], true);
    let again = app
        .post_json("/api/auth/verify-email", &json!({"token": link}))
        .await;
    error_body(again, 400, "AUTH_1003").await;
    let resp = send(
        &app,
        Method::POST,
        "/api/auth/resend-verification",
        &token,
        &json!({}),
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["status"], "already_verified");
    assert_eq!(app.audit_events("email_verify").await.len(), 1);
}

#[tokio::test]
async fn resending_the_verification_mail_is_rate_limited_per_account() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("slow@example.com").await;
    // Registration sent one; two more fit in the hour (3 by default).
    for _ in 0..2 {
        let resp = send(
            &app,
            Method::POST,
            "/api/auth/resend-verification",
            &token,
            &json!({}),
        )
        .await;
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["data"]["status"], "sent", "{body}");
    }
    let resp = send(
        &app,
        Method::POST,
        "/api/auth/resend-verification",
        &token,
        &json!({}),
    )
    .await;
    assert!(resp.headers().contains_key("retry-after"));
    error_body(resp, 429, "RATE_LIMIT_7001").await;
    clock.advance_ms(3_600_000 + 1);
    let resp = send(
        &app,
        Method::POST,
        "/api/auth/resend-verification",
        &token,
        &json!({}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    // Every one of those links verifies (the newest first; then the others are retired).
    let link = verification_token(&app, "slow@example.com").await;
    let resp = app
        .post_json("/api/auth/verify-email", &json!({"token": link}))
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn unverified_accounts_may_do_everything_unless_the_setting_says_otherwise() {
    let open = spawn_app().await;
    let (token, _, _) = open.user("open@example.com").await;
    let txn = json!({"amount": 12.5, "category": "groceries"});
    let resp = send(&open, Method::POST, "/api/transactions", &token, &txn).await;
    assert_eq!(resp.status(), 201, "the default blocks nothing");

    let strict = spawn_with(
        |s| s.auth.unverified_blocked = vec!["write".into()],
        axum::Router::new(),
    )
    .await;
    let (token, _, _) = strict.user("strict@example.com").await;
    let resp = send(&strict, Method::POST, "/api/transactions", &token, &txn).await;
    let body = error_body(resp, 403, "AUTH_1009").await;
    assert_eq!(body["error"]["details"]["blocked"], "write");
    assert_eq!(
        strict.get_as("/api/transactions", &token).await.status(),
        200,
        "reads stay open"
    );
    let link = verification_token(&strict, "strict@example.com").await;
    let resp = strict
        .post_json("/api/auth/verify-email", &json!({"token": link}))
        .await;
    assert_eq!(resp.status(), 200);
    let resp = send(&strict, Method::POST, "/api/transactions", &token, &txn).await;
    assert_eq!(resp.status(), 201, "a verified account is not blocked");
}

#[tokio::test]
async fn a_verification_link_no_longer_applies_once_the_address_changed() {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let app = spawn_full(
        test_db,
        db,
        |_| {},
        axum::Router::new(),
        mita::clock::Clock::system(),
    )
    .await;
    let (token, _, _) = app.user("first@example.com").await;
    let verify = verification_token(&app, "first@example.com").await;
    send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &token,
        &json!({"new_email": "second@example.com", "password": PASSWORD}),
    )
    .await;
    let link = token_after(
        &mail_to(&app, "second@example.com", CHANGE_TOKEN).await,
        CHANGE_TOKEN,
    );
    let resp = app
        .post_json("/api/users/me/email/confirm", &json!({"token": link}))
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .post_json("/api/auth/verify-email", &json!({"token": verify}))
        .await;
    error_body(resp, 400, "AUTH_1003").await;
}
