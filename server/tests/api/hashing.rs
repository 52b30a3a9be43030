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

/// Issue 18 §3: one account cannot fill the hashing queue: its own excess is 429 while another
/// account's login still gets through.
#[tokio::test]
async fn one_account_cannot_fill_the_hashing_queue() {
    let app = crate::support::spawn_with(
        |s| {
            s.auth.hash_workers = 1;
            s.auth.hash_queue = 8;
            s.auth.hash_per_account = 4;
        },
        axum::Router::new(),
    )
    .await;
    app.register("greedy@example.com").await;
    app.register("patient@example.com").await;
    // The hashing thread is held: nothing finishes until every request below has its answer
    // or its place in line.
    let hold = app.state.auth.hasher.hold();
    let depth = &app.state.metrics.password_hash_queue_depth;
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&serde_json::json!({"email": "greedy@example.com", "password": "Wrong-Passw0rd"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    // 26 are refused at once; the account's 4 wait behind the held job (polled with a bound).
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while tasks.iter().filter(|t| t.is_finished()).count() < 26 || depth.get() < 5 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the greedy account's excess is answered at once");
    let other = {
        let app_client = app.client.clone();
        let url = app.url("/api/auth/login");
        tokio::spawn(async move {
            app_client
                .post(url)
                .json(&serde_json::json!({"email": "patient@example.com", "password": crate::support::PASSWORD}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while depth.get() < 6 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the other account gets a place in a queue of 8");
    drop(hold);
    assert_eq!(other.await.unwrap(), 200, "another account is not starved");
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        26,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        4,
        "{statuses:?}"
    );
}
