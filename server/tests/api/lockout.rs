//! Lockout: the threshold, the lock checked before the password, expiry through the injected
//! clock, and the race of many concurrent wrong attempts.

use chrono::TimeZone;
use mita::clock::Clock;
use mita::testing::TestDatabase;
use serde_json::Value;

use crate::support::{PASSWORD, TestApp, error_body, spawn_app, spawn_full};

const WRONG: &str = "Wrong-Passw0rd";

async fn counters(app: &TestApp, email: &str) -> (i32, Option<i64>) {
    mita::on_db!(&app.db, pool => sqlx::query_as("SELECT failed_login_attempts, account_locked_until FROM users WHERE email = $1")
        .bind(email).fetch_one(pool).await)
    .unwrap()
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_password() {
    let app = spawn_app().await;
    app.register("lou@example.com").await;
    for _ in 0..5 {
        error_body(app.login("lou@example.com", WRONG).await, 401, "AUTH_1001").await;
    }
    let body = error_body(
        app.login("lou@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;
    assert!(
        body["error"]["details"]["locked_until"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(counters(&app, "lou@example.com").await.0, 5);
    assert_eq!(app.audit_events("lockout").await.len(), 1);
    assert_eq!(app.audit_events("login_failure").await.len(), 5);
    assert_eq!(app.audit_events("login_locked").await.len(), 1);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("mita_account_lockouts_total 1"), "{text}");
    assert!(text.contains("mita_login_attempts_total{result=\"locked\"} 1"));
    assert!(text.contains("mita_login_attempts_total{result=\"failure\"} 5"));
}

#[tokio::test]
async fn a_success_before_the_threshold_resets_the_counter() {
    let app = spawn_app().await;
    app.register("mia@example.com").await;
    for _ in 0..4 {
        app.login("mia@example.com", WRONG).await;
    }
    assert_eq!(app.login("mia@example.com", PASSWORD).await.status(), 200);
    assert_eq!(counters(&app, "mia@example.com").await, (0, None));
}

#[tokio::test]
async fn lock_expiry_unlocks_and_clears_the_counter() {
    let start = chrono::Utc
        .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .unwrap();
    let clock = Clock::manual(start);
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let app = spawn_full(test_db, db, |_| {}, axum::Router::new(), clock.clone()).await;
    app.register("ned@example.com").await;
    for _ in 0..5 {
        app.login("ned@example.com", WRONG).await;
    }
    error_body(
        app.login("ned@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;

    clock.advance_ms(29 * 60 * 1000);
    error_body(
        app.login("ned@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;

    clock.advance_ms(60 * 1000 + 1);
    // One typo after expiry must not re-lock: the counter starts again from zero.
    error_body(app.login("ned@example.com", WRONG).await, 401, "AUTH_1001").await;
    assert_eq!(counters(&app, "ned@example.com").await, (1, None));
    assert_eq!(app.login("ned@example.com", PASSWORD).await.status(), 200);
    let unlocks = app.audit_events("unlock").await;
    assert_eq!(unlocks.len(), 1);
    assert_eq!(unlocks[0]["details"]["source"], "expiry");
}

#[tokio::test]
async fn fifty_concurrent_wrong_attempts_lock_without_skipping_or_overshooting() {
    // No per-account hashing share: all fifty reach the counter at once.
    let app =
        crate::support::spawn_with(|s| s.auth.hash_per_account = 0, axum::Router::new()).await;
    app.register("ola@example.com").await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&serde_json::json!({"email": "ola@example.com", "password": WRONG}))
                .send()
                .await
                .unwrap()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        let resp = t.await.unwrap();
        assert_eq!(resp.status(), 401);
        let body: Value = resp.json().await.unwrap();
        codes.push(body["error"]["code"].as_str().unwrap().to_string());
    }
    let (attempts, locked_until) = counters(&app, "ola@example.com").await;
    assert_eq!(attempts, 5, "the counter stops at the threshold");
    assert!(locked_until.is_some(), "the account is locked");
    assert_eq!(
        codes.iter().filter(|c| *c == "AUTH_1001").count(),
        5,
        "exactly five attempts were counted"
    );
    assert_eq!(
        app.audit_events("lockout").await.len(),
        1,
        "locked exactly once"
    );
    error_body(
        app.login("ola@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;
}

/// Issue 18 §1: guesses already past the lock check when the account locks must not let a right
/// password in behind them, nor clear the lock.
#[tokio::test]
async fn a_right_password_behind_many_wrong_ones_in_flight_meets_the_lock() {
    let app = crate::support::spawn_with(
        |s| {
            s.auth.hash_workers = 1;
            s.auth.hash_queue = 64;
            s.auth.hash_per_account = 0;
        },
        axum::Router::new(),
    )
    .await;
    app.register("pia@example.com").await;
    // The single hashing thread is held, so every attempt below reads the account unlocked and
    // then waits in line; polled with a bound, no sleep.
    let hold = app.state.auth.hasher.hold();
    let depth = app.state.metrics.password_hash_queue_depth.clone();
    let wait_for_depth = |n: i64| {
        let depth = depth.clone();
        async move {
            tokio::time::timeout(std::time::Duration::from_secs(20), async {
                while depth.get() < n {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            })
            .await
            .expect("the attempts line up for the hashing thread");
        }
    };
    wait_for_depth(1).await;
    let login = |password: &'static str| {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        tokio::spawn(async move {
            client
                .post(url)
                .json(&serde_json::json!({"email": "pia@example.com", "password": password}))
                .send()
                .await
                .unwrap()
        })
    };
    let wrong: Vec<_> = (0..49).map(|_| login(WRONG)).collect();
    wait_for_depth(50).await;
    let right = login(PASSWORD);
    wait_for_depth(51).await;
    drop(hold);
    error_body(right.await.unwrap(), 401, "AUTH_1008").await;
    for t in wrong {
        assert_eq!(t.await.unwrap().status(), 401);
    }
    let (attempts, locked_until) = counters(&app, "pia@example.com").await;
    assert_eq!(attempts, 5);
    assert!(locked_until.is_some(), "the lock stays");
}

/// Issue 18 §3: a wrong current password on change-password counts toward the lockout (a
/// stolen token is no unthrottled password oracle), and the route is rate limited.
#[tokio::test]
async fn wrong_current_passwords_lock_the_account_and_change_password_is_rate_limited() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("quin@example.com").await;
    let change = |current: &'static str| {
        app.authed(reqwest::Method::POST, "/api/auth/change-password", &token)
            .json(&serde_json::json!({"current_password": current, "new_password": "Newer-Passw0rd1"}))
            .send()
    };
    for _ in 0..5 {
        error_body(change(WRONG).await.unwrap(), 401, "AUTH_1001").await;
    }
    assert!(
        counters(&app, "quin@example.com").await.1.is_some(),
        "locked"
    );
    error_body(change(PASSWORD).await.unwrap(), 401, "AUTH_1008").await;
    error_body(
        app.login("quin@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;

    let limited = crate::support::spawn_with(
        |s| {
            s.rate_limit.enabled = true;
            s.rate_limit.change_password = mita::config::Limit {
                max: 2,
                window_secs: 3600,
            };
        },
        axum::Router::new(),
    )
    .await;
    let (token, _, _) = limited.user("rex@example.com").await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = limited
            .authed(reqwest::Method::POST, "/api/auth/change-password", &token)
            .json(
                &serde_json::json!({"current_password": WRONG, "new_password": "Newer-Passw0rd1"}),
            )
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 429]);
}
