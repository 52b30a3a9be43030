//! Two-factor sign-in (TOTP, RFC 6238) through the routes, on a manual clock.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::{challenge, code_at, enable_two_factor, second_step, send, start};
use crate::ghn_support::spawn_at;
use crate::support::{PASSWORD, error_body};

#[tokio::test]
async fn setup_needs_the_password_and_is_active_only_after_a_first_code() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("setup@example.com").await;
    let resp = send(
        &app,
        Method::POST,
        "/api/auth/2fa/setup",
        &token,
        &json!({}),
    )
    .await;
    error_body(resp, 422, "VALIDATION_2001").await;
    let resp = send(
        &app,
        Method::POST,
        "/api/auth/2fa/setup",
        &token,
        &json!({"password": "Wrong-Passw0rd"}),
    )
    .await;
    error_body(resp, 401, "AUTH_1001").await;

    let resp = send(
        &app,
        Method::POST,
        "/api/auth/2fa/setup",
        &token,
        &json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let setup: Value = resp.json().await.unwrap();
    let secret = setup["data"]["secret"].as_str().unwrap().to_string();
    let uri = setup["data"]["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/MITA:setup%40example.com?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={secret}")));
    assert_eq!(setup["data"]["digits"], 6);
    assert_eq!(setup["data"]["period"], 30);

    // Not yet active: the password alone still signs in.
    let login: Value = app
        .login("setup@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert!(login["data"]["access_token"].is_string());
    let status: Value = app
        .get_as("/api/auth/2fa", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["pending"], true);
    assert_eq!(status["data"]["enabled"], false);

    let wrong = send(
        &app,
        Method::POST,
        "/api/auth/2fa/enable",
        &token,
        &json!({"code": "000000"}),
    )
    .await;
    error_body(wrong, 422, "VALIDATION_2001").await;
    let code = code_at(&secret, clock.now());
    let resp = send(
        &app,
        Method::POST,
        "/api/auth/2fa/enable",
        &token,
        &json!({"code": code}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let codes: Value = resp.json().await.unwrap();
    assert_eq!(
        codes["data"]["recovery_codes"].as_array().unwrap().len(),
        10
    );
    let status: Value = app
        .get_as("/api/auth/2fa", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["enabled"], true);
    assert_eq!(status["data"]["recovery_codes_left"], 10);
    let again = send(
        &app,
        Method::POST,
        "/api/auth/2fa/setup",
        &token,
        &json!({"password": PASSWORD}),
    )
    .await;
    error_body(again, 409, "RESOURCE_3002").await;
    assert_eq!(app.audit_events("two_factor_enable").await.len(), 1);
}

#[tokio::test]
async fn login_answers_a_challenge_and_the_code_completes_it_once() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("twostep@example.com").await;
    let (secret, _) = enable_two_factor(&app, &clock, &token).await;
    clock.advance_ms(30_000);

    let c = challenge(&app, "twostep@example.com").await;
    let resp = second_step(&app, &c, json!({"code": code_at(&secret, clock.now())})).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let access = body["data"]["access_token"].as_str().unwrap();
    assert_eq!(app.get_as("/api/users/me", access).await.status(), 200);

    clock.advance_ms(30_000);
    let reused = second_step(&app, &c, json!({"code": code_at(&secret, clock.now())})).await;
    error_body(reused, 401, "AUTH_1010").await;
    let no_code = second_step(
        &app,
        &challenge(&app, "twostep@example.com").await,
        json!({}),
    )
    .await;
    error_body(no_code, 422, "VALIDATION_2001").await;
}

#[tokio::test]
async fn a_challenge_expires_after_its_short_lifetime() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("late@example.com").await;
    let (secret, _) = enable_two_factor(&app, &clock, &token).await;
    clock.advance_ms(30_000);
    let c = challenge(&app, "late@example.com").await;
    clock.advance_ms(300_000 + 1);
    let resp = second_step(&app, &c, json!({"code": code_at(&secret, clock.now())})).await;
    error_body(resp, 401, "AUTH_1010").await;
}

#[tokio::test]
async fn codes_are_accepted_one_step_either_side_and_refused_beyond_or_replayed() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("edges@example.com").await;
    // Enrolled ten steps before step S (the enrolment's code spends its step).
    let (secret, _) = enable_two_factor(&app, &clock, &token).await;
    let s = start() + Duration::seconds(300); // the first second of step S
    let at = |steps: i64| code_at(&secret, s + Duration::seconds(30 * steps));

    // The last millisecond of step S.
    clock.set_ms(s.timestamp_millis() + 29_999);
    let refused = second_step(
        &app,
        &challenge(&app, "edges@example.com").await,
        json!({"code": at(-2)}),
    )
    .await;
    error_body(refused, 401, "AUTH_1012").await;
    let c = challenge(&app, "edges@example.com").await;
    assert_eq!(
        second_step(&app, &c, json!({"code": at(-1)}))
            .await
            .status(),
        200,
        "one step behind"
    );
    let replay = second_step(
        &app,
        &challenge(&app, "edges@example.com").await,
        json!({"code": at(-1)}),
    )
    .await;
    error_body(replay, 401, "AUTH_1012").await;
    assert_eq!(
        second_step(
            &app,
            &challenge(&app, "edges@example.com").await,
            json!({"code": at(0)})
        )
        .await
        .status(),
        200
    );
    let replay = second_step(
        &app,
        &challenge(&app, "edges@example.com").await,
        json!({"code": at(0)}),
    )
    .await;
    error_body(replay, 401, "AUTH_1012").await;
    assert_eq!(
        second_step(
            &app,
            &challenge(&app, "edges@example.com").await,
            json!({"code": at(1)})
        )
        .await
        .status(),
        200,
        "one step ahead"
    );
    let ahead = second_step(
        &app,
        &challenge(&app, "edges@example.com").await,
        json!({"code": at(3)}),
    )
    .await;
    error_body(ahead, 401, "AUTH_1012").await;

    // A code of step S+2 is good from the first millisecond of step S+1, not before.
    clock.set_ms(s.timestamp_millis() + 30_000 - 1);
    let early = second_step(
        &app,
        &challenge(&app, "edges@example.com").await,
        json!({"code": at(2)}),
    )
    .await;
    error_body(early, 401, "AUTH_1012").await;
    clock.set_ms(s.timestamp_millis() + 30_000);
    let c = challenge(&app, "edges@example.com").await;
    assert_eq!(
        second_step(&app, &c, json!({"code": at(2)})).await.status(),
        200
    );
}

#[tokio::test]
async fn recovery_codes_sign_in_once_each() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("lostphone@example.com").await;
    let (_, codes) = enable_two_factor(&app, &clock, &token).await;
    let typed = codes[0].to_uppercase().replace('-', " ");
    let c = challenge(&app, "lostphone@example.com").await;
    let resp = second_step(&app, &c, json!({"recovery_code": typed})).await;
    assert_eq!(resp.status(), 200, "case and separators do not matter");
    let again = second_step(
        &app,
        &challenge(&app, "lostphone@example.com").await,
        json!({"recovery_code": codes[0]}),
    )
    .await;
    error_body(again, 401, "AUTH_1012").await;
    let other = second_step(
        &app,
        &challenge(&app, "lostphone@example.com").await,
        json!({"recovery_code": codes[1]}),
    )
    .await;
    assert_eq!(other.status(), 200);
    let body: Value = other.json().await.unwrap();
    let access = body["data"]["access_token"].as_str().unwrap();
    let status: Value = app
        .get_as("/api/auth/2fa", access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["data"]["recovery_codes_left"], 8);
}

#[tokio::test]
async fn wrong_codes_count_toward_the_lockout_and_a_right_password_does_not_reset_them() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("guess@example.com").await;
    let (secret, _) = enable_two_factor(&app, &clock, &token).await;
    clock.advance_ms(30_000);
    let c = challenge(&app, "guess@example.com").await;
    for _ in 0..3 {
        error_body(
            second_step(&app, &c, json!({"code": "123456"})).await,
            401,
            "AUTH_1012",
        )
        .await;
    }
    // The password again (right): the count goes on.
    let c = challenge(&app, "guess@example.com").await;
    for _ in 0..2 {
        error_body(
            second_step(&app, &c, json!({"code": "654321"})).await,
            401,
            "AUTH_1012",
        )
        .await;
    }
    let user = app
        .state
        .auth
        .user_by_email("guess@example.com")
        .await
        .unwrap();
    assert_eq!(user.failed_login_attempts, 5);
    assert!(
        user.account_locked_until.is_some(),
        "locked at the threshold"
    );
    let right = second_step(&app, &c, json!({"code": code_at(&secret, clock.now())})).await;
    error_body(right, 401, "AUTH_1008").await;
    error_body(
        app.login("guess@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;
    assert!(!app.audit_events("lockout").await.is_empty());

    // After the lock a completed second step clears the count.
    clock.advance_ms(31 * 60_000);
    let c = challenge(&app, "guess@example.com").await;
    assert_eq!(
        second_step(&app, &c, json!({"code": code_at(&secret, clock.now())}))
            .await
            .status(),
        200
    );
    let user = app
        .state
        .auth
        .user_by_email("guess@example.com")
        .await
        .unwrap();
    assert_eq!(user.failed_login_attempts, 0);
}

#[tokio::test]
async fn disabling_needs_the_password_and_a_code() {
    let (app, clock) = spawn_at(start()).await;
    let (token, _, _) = app.user("off@example.com").await;
    let (secret, codes) = enable_two_factor(&app, &clock, &token).await;
    clock.advance_ms(30_000);
    let code = code_at(&secret, clock.now());
    let disable = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move { send(app, Method::POST, "/api/auth/2fa/disable", &token, &body).await }
    };
    error_body(disable(json!({"code": code})).await, 422, "VALIDATION_2001").await;
    error_body(
        disable(json!({"password": "Wrong-Passw0rd", "code": code})).await,
        401,
        "AUTH_1001",
    )
    .await;
    error_body(
        disable(json!({"password": PASSWORD})).await,
        422,
        "VALIDATION_2001",
    )
    .await;
    error_body(
        disable(json!({"password": PASSWORD, "code": "000000"})).await,
        401,
        "AUTH_1012",
    )
    .await;
    let user = app
        .state
        .auth
        .user_by_email("off@example.com")
        .await
        .unwrap();
    assert_eq!(
        user.failed_login_attempts, 2,
        "the wrong password and the wrong code"
    );
    let resp = disable(json!({"password": PASSWORD, "recovery_code": codes[3]})).await;
    assert_eq!(resp.status(), 200);
    let login: Value = app
        .login("off@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        login["data"]["access_token"].is_string(),
        "the password alone again"
    );
    assert_eq!(app.audit_events("two_factor_disable").await.len(), 1);
    error_body(
        disable(json!({"password": PASSWORD, "code": code})).await,
        409,
        "RESOURCE_3002",
    )
    .await;
}
