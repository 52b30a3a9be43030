//! `mita admin user sessions` and `mita admin user reset-2fa` against a running server.

use serde_json::{Value, json};

use super::{Fixture, PASSWORD};
use crate::support::{register, stderr, stdout};

/// The current code of an authenticator holding `secret` (base32), by the system clock (the
/// server's; a code is good one step either side).
fn code_now(secret: &str) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(bytes.as_ref().to_vec())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now).to_string()
}

/// Registers `email` and turns two-factor sign-in on through the API.
async fn enrolled(f: &Fixture, email: &str) {
    // The session's user agent is checked by the sessions listing below.
    let client = reqwest::Client::builder()
        .user_agent("cli-test-agent")
        .build()
        .unwrap();
    let token = register(&client, &f.url("/api/auth/register"), email, PASSWORD).await;
    let setup: Value = client
        .post(f.url("/api/auth/2fa/setup"))
        .bearer_auth(&token)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = setup["data"]["secret"].as_str().unwrap();
    let enabled = client
        .post(f.url("/api/auth/2fa/enable"))
        .bearer_auth(&token)
        .json(&json!({"code": code_now(secret)}))
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.status(), 200);
}

async fn two_factor_required(f: &Fixture, email: &str) -> bool {
    let body: Value = f.login(email, PASSWORD).await.json().await.unwrap();
    body["data"]["two_factor_required"] == true
}

#[tokio::test]
async fn user_sessions_lists_the_accounts_logins() {
    let f = Fixture::serving().await;
    enrolled(&f, "sess@example.com").await;

    let sessions = f.admin_json(&["user", "sessions", "sess@example.com"]);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["user_agent"], "cli-test-agent");
    assert_eq!(sessions[0]["approximate_address"], "127.0.0.0/24");
    let table = f.admin(&["user", "sessions", "sess@example.com"]);
    assert!(
        stdout(&table).contains("cli-test-agent"),
        "{}",
        stdout(&table)
    );
    assert_eq!(
        f.admin(&["user", "sessions", "nobody@example.com"])
            .status
            .code(),
        Some(3)
    );
}

#[tokio::test]
async fn reset_2fa_asks_for_confirmation_is_audited_and_lets_the_password_alone_sign_in() {
    let f = Fixture::serving().await;
    enrolled(&f, "lost@example.com").await;
    assert!(two_factor_required(&f, "lost@example.com").await);

    let refused = f.admin(&["user", "reset-2fa", "lost@example.com"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    assert!(
        two_factor_required(&f, "lost@example.com").await,
        "nothing changed"
    );

    let dry = f.admin_json(&["user", "reset-2fa", "lost@example.com", "--dry-run"]);
    assert_eq!(dry["result"], "would_reset");
    assert!(two_factor_required(&f, "lost@example.com").await);

    let done = f.admin_json(&["user", "reset-2fa", "lost@example.com", "--yes"]);
    assert_eq!(done["result"], "reset");
    assert!(!two_factor_required(&f, "lost@example.com").await);

    let again = f.admin(&["user", "reset-2fa", "lost@example.com", "--yes"]);
    assert_eq!(again.status.code(), Some(4), "nothing to do");
    let events = f.admin_json(&["audit", "--event", "admin_action"]);
    let resets: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["details"]["action"] == "reset_2fa")
        .collect();
    assert_eq!(resets.len(), 1, "{events}");
    assert!(resets[0]["actor"].as_str().unwrap().starts_with("cli:"));
}
