//! The password-hash pool sheds load with 503 instead of queueing without bound.

use serde_json::json;

use crate::support::{PASSWORD, spawn_with};

#[tokio::test]
async fn logins_beyond_the_hash_queue_get_503_with_retry_after_not_a_timeout() {
    let app = spawn_with(
        |s| {
            // Real cost (the defaults) so hashes overlap; one worker and one waiting slot.
            s.auth.argon2_memory_kib = 19_456;
            s.auth.argon2_iterations = 2;
            s.auth.hash_workers = 1;
            s.auth.hash_queue = 1;
        },
        axum::Router::new(),
    )
    .await;
    app.register("yan@example.com").await;
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"email": "yan@example.com", "password": PASSWORD}))
                .send()
                .await
        }));
    }
    let (mut ok, mut shed) = (0, 0);
    for t in tasks {
        let resp = t.await.unwrap().expect("every request is answered");
        match resp.status().as_u16() {
            200 => ok += 1,
            503 => {
                assert!(resp.headers().contains_key("retry-after"));
                shed += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(ok >= 1, "some logins succeed");
    assert!(shed >= 1, "the excess is shed with 503");
}
