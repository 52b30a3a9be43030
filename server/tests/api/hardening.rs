//! Account hardening (issue 15) through the real routes: confirmed email changes, email
//! verification, the sessions list and two-factor sign-in.

mod email;
mod secrets;
mod sessions;
mod two_factor;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use mita::clock::Clock;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp};

/// The instant the manual clocks of these tests start at: a multiple of 30 s (a TOTP step
/// begins there).
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

/// Waits (bounded) for a mail to `to` whose text contains `needle`; returns its text.
pub async fn mail_to(app: &TestApp, to: &str, needle: &str) -> String {
    let outbox = app.test_db.path().join("outbox");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(entries) = std::fs::read_dir(&outbox) {
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains(&format!("To: {to}")) && text.contains(needle) {
                    return text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} containing {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Mails to `to` in the outbox that contain `needle` (right now).
pub fn mails_to(app: &TestApp, to: &str, needle: &str) -> usize {
    let outbox = app.test_db.path().join("outbox");
    std::fs::read_dir(&outbox)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    text.contains(&format!("To: {to}")) && text.contains(needle)
                })
                .count()
        })
        .unwrap_or(0)
}

/// The token on the line starting with `label` (e.g. `Verification token: `).
pub fn token_after(mail: &str, label: &str) -> String {
    mail.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in {mail}"))
        .trim()
        .to_string()
}

/// The verification link token mailed to `email` at registration.
pub async fn verification_token(app: &TestApp, email: &str) -> String {
    let mail = mail_to(app, email, "Verification token: ").await;
    token_after(&mail, "Verification token: ")
}

/// A JSON request with a bearer token.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    app.authed(method, path, token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The code of an authenticator app holding `secret` (base32) at `at`.
pub fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(bytes.as_ref().to_vec())
        .build()
        .unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap())
        .to_string()
}

/// Turns two-factor sign-in on for the holder of `token` at the clock's time; returns the
/// secret and the ten recovery codes.
pub async fn enable_two_factor(app: &TestApp, clock: &Clock, token: &str) -> (String, Vec<String>) {
    let setup = send(
        app,
        Method::POST,
        "/api/auth/2fa/setup",
        token,
        &json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(setup.status(), 200);
    let setup: Value = setup.json().await.unwrap();
    let secret = setup["data"]["secret"].as_str().unwrap().to_string();
    let code = code_at(&secret, clock.now());
    let enabled = send(
        app,
        Method::POST,
        "/api/auth/2fa/enable",
        token,
        &json!({"code": code}),
    )
    .await;
    assert_eq!(enabled.status(), 200);
    let enabled: Value = enabled.json().await.unwrap();
    let codes = enabled["data"]["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

/// The first login step of an account with two-factor sign-in: its challenge.
pub async fn challenge(app: &TestApp, email: &str) -> String {
    let resp = app.login(email, PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["two_factor_required"], true, "{body}");
    assert!(body["data"].get("access_token").is_none(), "no tokens yet");
    body["data"]["challenge"].as_str().unwrap().to_string()
}

/// The second login step.
pub async fn second_step(app: &TestApp, challenge: &str, factor: Value) -> reqwest::Response {
    let mut body = factor;
    body["challenge"] = json!(challenge);
    app.post_json("/api/auth/login/2fa", &body).await
}
