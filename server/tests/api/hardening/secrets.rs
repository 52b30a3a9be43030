//! No TOTP secret, code, recovery code, challenge or link token reaches the logs or the audit
//! log, and the secret is stored only encrypted.

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    challenge, code_at, enable_two_factor, mail_to, second_step, send, start, token_after,
    verification_token,
};
use crate::ghn_support::spawn_at;
use crate::support::PASSWORD;

#[tokio::test]
async fn no_secret_code_or_link_token_appears_in_the_logs_or_the_audit_log() {
    // Every test's logs of the `mita` crates go to one global capture.
    crate::queries::install_counter();
    let (app, clock) = spawn_at(start()).await;
    let email = "quiet@example.com";
    let (token, _, _) = app.user(email).await;
    let mut secrets: Vec<String> = vec![PASSWORD.to_string()];

    let verify = verification_token(&app, email).await;
    app.post_json("/api/auth/verify-email", &json!({"token": verify}))
        .await;
    secrets.push(verify);

    let (secret, codes) = enable_two_factor(&app, &clock, &token).await;
    secrets.push(secret.clone());
    secrets.push(code_at(&secret, clock.now()));
    secrets.extend(codes.iter().cloned());

    clock.advance_ms(30_000);
    let c = challenge(&app, email).await;
    let wrong = second_step(&app, &c, json!({"code": "135791"})).await;
    assert_eq!(wrong.status(), 401);
    secrets.push("135791".into());
    let code = code_at(&secret, clock.now());
    assert_eq!(
        second_step(&app, &c, json!({"code": code})).await.status(),
        200
    );
    secrets.push(code);
    secrets.push(c);
    let c = challenge(&app, email).await;
    assert_eq!(
        second_step(&app, &c, json!({"recovery_code": codes[0]}))
            .await
            .status(),
        200
    );
    secrets.push(c);

    let resp = send(
        &app,
        Method::POST,
        "/api/users/me/email",
        &token,
        &json!({"new_email": "quiet.new@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(resp.status(), 202);
    let mail = mail_to(&app, "quiet.new@example.com", "Email change token: ").await;
    let link = token_after(&mail, "Email change token: ");
    app.post_json("/api/users/me/email/confirm", &json!({"token": link}))
        .await;
    secrets.push(link);

    // At rest: the secret is sealed, the recovery codes and the tokens are hashes.
    let stored: String = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT secret_enc FROM user_totp").fetch_one(pool).await)
    .unwrap();
    assert!(stored.starts_with("v1:"));
    let mut at_rest = stored;
    for sql in [
        "SELECT code_hash FROM totp_recovery_codes",
        "SELECT token_hash FROM email_tokens",
        "SELECT token_hash FROM login_challenges",
    ] {
        let rows: Vec<String> =
            mita::on_db!(&app.db, pool => sqlx::query_scalar(sql).fetch_all(pool).await).unwrap();
        at_rest.push_str(&rows.join("\n"));
    }

    app.state.audit.flush().await;
    let filter = mita::audit::AuditFilter {
        event_type: None,
        user_id: None,
        since_ms: None,
        limit: 1000,
    };
    let audit: Vec<Value> = mita::audit::list(&app.db, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    assert!(audit.len() >= 8, "the flow was audited: {audit:?}");
    let audit = serde_json::to_string(&audit).unwrap();
    let logs = crate::queries::captured_logs();
    assert!(
        logs.contains("mail written to the outbox"),
        "the capture works"
    );
    for s in &secrets {
        let plain = s.replace('-', "");
        for (what, text) in [
            ("logs", &logs),
            ("audit log", &audit),
            ("database", &at_rest),
        ] {
            assert!(!appears(text, s), "{what} contain a secret");
            assert!(!appears(text, &plain), "{what} contain a secret");
        }
    }
}

/// `needle` stands in `text` as a token of its own (not inside a longer run of letters, digits
/// or a decimal: a 6-digit code must not be "found" inside a timing or a hash).
fn appears(text: &str, needle: &str) -> bool {
    let joined = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.');
    text.match_indices(needle).any(|(i, _)| {
        !joined(text[..i].chars().next_back()) && !joined(text[i + needle.len()..].chars().next())
    })
}
