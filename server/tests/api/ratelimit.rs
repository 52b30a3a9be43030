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
