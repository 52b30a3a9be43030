//! `mita metrics` against a running server.

use mita::testing::TestDatabase;

use crate::support::{Server, mita, run, stderr, stdout};

#[tokio::test]
async fn metrics_json_against_a_running_server_parses() {
    let db = TestDatabase::create().await.unwrap();
    let server = Server::start(&db.url, &["--migrate"], &[]);
    for _ in 0..5 {
        reqwest::get(server.url("/health")).await.unwrap();
    }
    let out = run(mita().args([
        "metrics",
        "--json",
        "--interval",
        "0.2",
        "--url",
        &server.url("/metrics"),
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert!(json.is_object());
    assert!(
        stdout(&out).contains("/health"),
        "the endpoint appears: {}",
        stdout(&out)
    );
}

#[tokio::test]
async fn metrics_with_a_token_needs_the_token() {
    let db = TestDatabase::create().await.unwrap();
    let server = Server::start(&db.url, &["--migrate"], &[("METRICS_TOKEN", "tok-123")]);
    let url = server.url("/metrics");
    let without = run(mita().args(["metrics", "--raw", "--url", &url]));
    assert_eq!(without.status.code(), Some(1));
    let with = run(mita().args([
        "metrics",
        "--raw",
        "--url",
        &url,
        "--token",
        "tok-123",
        "--filter",
        "mita_build",
    ]));
    assert!(with.status.success(), "{}", stderr(&with));
    assert!(stdout(&with).contains("mita_build_info"));
    assert!(
        !stdout(&with).contains("process_"),
        "--filter keeps only the prefix"
    );
}

/// Issue 12 §6: without `--url`, `mita metrics` reads the address `mita serve` is configured
/// with; a base URL gets `/metrics` added.
#[tokio::test]
async fn metrics_finds_the_configured_server_and_takes_a_base_url() {
    let db = TestDatabase::create().await.unwrap();
    let server = Server::start(&db.url, &["--migrate"], &[]);
    let bind = server.base.trim_start_matches("http://").to_string();
    let configured = run(mita()
        .args(["metrics", "--raw", "--filter", "mita_build"])
        .env("MITA_SERVER__BIND", &bind));
    assert!(configured.status.success(), "{}", stderr(&configured));
    assert!(stdout(&configured).contains("mita_build_info"));
    let base = run(mita().args([
        "metrics",
        "--raw",
        "--filter",
        "mita_build",
        "--url",
        &server.base,
    ]));
    assert!(base.status.success(), "{}", stderr(&base));
    assert!(stdout(&base).contains("mita_build_info"));
}
