//! Per-IP rate limits and the trusted-proxy rule for `X-Forwarded-For`.

use serde_json::json;

use crate::support::{error_body, spawn_with};

#[tokio::test]
async fn the_eleventh_login_from_one_ip_is_429_and_a_spoofed_forwarded_for_changes_nothing() {
    let app = spawn_with(|s| s.rate_limit.enabled = true, axum::Router::new()).await;
    for i in 0..10 {
        let resp = app
            .client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&json!({"email": "nobody@example.com", "password": "Wrong-Passw0rd"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "attempt {i}");
    }
    let resp = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({"email": "nobody@example.com", "password": "Wrong-Passw0rd"}))
        .send()
        .await
        .unwrap();
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    error_body(resp, 429, "RATE_LIMIT_7001").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("mita_rate_limited_total{endpoint=\"login\"} 1"),
        "{text}"
    );
    assert!(text.contains("mita_login_attempts_total{result=\"rate_limited\"} 1"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = spawn_with(
        |s| {
            s.rate_limit.enabled = true;
            s.trusted_proxies = vec!["127.0.0.1/32".into()];
        },
        axum::Router::new(),
    )
    .await;
    let attempt = |ip: &'static str| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", format!("{ip}, 127.0.0.1"))
            .json(&json!({"email": "nobody@example.com", "password": "Wrong-Passw0rd"}))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(attempt("203.0.113.1").await.unwrap().status(), 401);
    }
    assert_eq!(attempt("203.0.113.1").await.unwrap().status(), 429);
    assert_eq!(
        attempt("203.0.113.2").await.unwrap().status(),
        401,
        "another client is not limited"
    );
}

/// Issue 18 §2: behind a proxy that appends its own `X-Forwarded-For` line (HAProxy), the
/// client's own first line does not choose the bucket; IPv6 clients share their /64.
#[tokio::test]
async fn a_clients_own_forwarded_line_does_not_escape_the_limit_and_ipv6_counts_per_64() {
    let app = spawn_with(
        |s| {
            s.rate_limit.enabled = true;
            s.trusted_proxies = vec!["127.0.0.1/32".into()];
        },
        axum::Router::new(),
    )
    .await;
    let attempt = |spoof: String, real: &'static str| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", spoof)
            .header("x-forwarded-for", real)
            .json(&json!({"email": "nobody@example.com", "password": "Wrong-Passw0rd"}))
            .send()
    };
    for i in 0..10 {
        let resp = attempt(format!("198.51.100.{i}"), "203.0.113.9")
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "attempt {i}");
    }
    let resp = attempt("198.51.100.99".into(), "203.0.113.9")
        .await
        .unwrap();
    error_body(resp, 429, "RATE_LIMIT_7001").await;

    // Ten addresses of one IPv6 /64 are one client.
    for i in 0..10 {
        let resp = attempt("-".into(), ["2001:db8:5:6::1", "2001:db8:5:6::2"][i % 2])
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "v6 attempt {i}");
    }
    let resp = attempt("-".into(), "2001:db8:5:6:ffff::3").await.unwrap();
    error_body(resp, 429, "RATE_LIMIT_7001").await;
}
