//! Two instances (two servers with their own pools and services) on one PostgreSQL database
//! behave as one service (issue 13): shared rate limits, lockout, logout and refresh-token reuse
//! across instances, one idempotent write for a key sent to both, leases for once-per-cluster
//! jobs, and the check that both see one receipt image directory.

use mita::db::Db;
use mita::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

use mita::clock::Clock;

use mita_server::Background;

use crate::support::{PASSWORD, TestApp, error_body, spawn_built};

/// A first instance with a clock that moves only when told, or None on SQLite (one instance
/// per database there).
async fn first(
    test: &str,
    configure: impl FnOnce(&mut mita::config::Settings),
) -> Option<(TestApp, Clock)> {
    first_with(test, configure, Background::default()).await
}

async fn first_with(
    test: &str,
    configure: impl FnOnce(&mut mita::config::Settings),
    background: Background,
) -> Option<(TestApp, Clock)> {
    let test_db = TestDatabase::create().await.unwrap();
    if !test_db.postgres_or_skip(test) {
        return None;
    }
    let db = test_db.migrated().await.unwrap();
    let clock = Clock::manual(chrono::Utc::now());
    let extra = axum::Router::new();
    let app = spawn_built(test_db, db, configure, extra, clock.clone(), background).await;
    Some((app, clock))
}

/// Another instance on the first one's database (own pool, services, data directory), on the
/// same clock.
async fn second(
    first: &TestApp,
    clock: &Clock,
    configure: impl FnOnce(&mut mita::config::Settings),
) -> TestApp {
    second_with(first, clock, configure, Background::default()).await
}

async fn second_with(
    first: &TestApp,
    clock: &Clock,
    configure: impl FnOnce(&mut mita::config::Settings),
    background: Background,
) -> TestApp {
    let test_db = TestDatabase::shared(&first.test_db.url).unwrap();
    let db = Db::connect(&test_db.settings()).await.unwrap();
    let extra = axum::Router::new();
    spawn_built(test_db, db, configure, extra, clock.clone(), background).await
}

#[tokio::test]
async fn the_sixth_register_from_one_address_over_two_instances_is_429() {
    let limited = |s: &mut mita::config::Settings| s.rate_limit.enabled = true;
    let Some((a, clock)) = first("shared rate limits", limited).await else {
        return;
    };
    let b = second(&a, &clock, limited).await;
    for (i, app) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let resp = app
            .post_json(
                "/api/auth/register",
                &json!({"email": format!("r{i}@example.com"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(resp.status(), 201, "register {i}");
    }
    for app in [&b, &a] {
        let resp = app
            .post_json(
                "/api/auth/register",
                &json!({"email": "sixth@example.com", "password": PASSWORD}),
            )
            .await;
        assert!(resp.headers().contains_key("retry-after"));
        error_body(resp, 429, "RATE_LIMIT_7001").await;
    }
}

#[tokio::test]
async fn lockout_logout_and_refresh_reuse_hold_across_instances() {
    let Some((a, clock)) = first("auth across instances", |_| {}).await else {
        return;
    };
    let b = second(&a, &clock, |_| {}).await;
    a.register("lock@example.com").await;
    for app in [&a, &b, &a, &b, &a] {
        error_body(
            app.login("lock@example.com", "Wrong-Passw0rd").await,
            401,
            "AUTH_1001",
        )
        .await;
    }
    error_body(
        b.login("lock@example.com", PASSWORD).await,
        401,
        "AUTH_1008",
    )
    .await;

    // Logout on A ends the token on B.
    let (access, refresh, _) = a.user("out@example.com").await;
    assert_eq!(b.get_as("/api/users/me", &access).await.status(), 200);
    let resp = a
        .authed(Method::POST, "/api/auth/logout", &access)
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    error_body(b.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;

    // A refresh token rotated on A and presented again on B (past the grace window) ends the
    // whole login, on both.
    let (_, refresh, _) = a.user("reuse@example.com").await;
    let rotated: Value = a
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_access = rotated["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    clock.advance_ms(a.state.settings.auth.refresh_grace_secs * 1000 + 1);
    let reused = b
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    error_body(reused, 401, "AUTH_1006").await;
    error_body(
        a.get_as("/api/users/me", &new_access).await,
        401,
        "AUTH_1005",
    )
    .await;
}

#[tokio::test]
async fn one_idempotency_key_sent_to_both_instances_at_once_makes_one_transaction() {
    let Some((a, clock)) = first("idempotency across instances", |_| {}).await else {
        return;
    };
    let b = second(&a, &clock, |_| {}).await;
    let (token, _, _) = a.user("idem@example.com").await;
    let send = |app: &TestApp| {
        app.authed(Method::POST, "/api/transactions", &token)
            .header("idempotency-key", "one-purchase-7f3a")
            .json(&json!({"amount": 12.5, "category": "food"}))
            .send()
    };
    let (ra, rb) = tokio::join!(send(&a), send(&b));
    let statuses = [ra.unwrap().status().as_u16(), rb.unwrap().status().as_u16()];
    assert!(statuses.contains(&201), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [201, 409].contains(s)),
        "the other is a replay or in flight: {statuses:?}"
    );
    let rows: i64 = mita::on_db!(&a.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM transactions WHERE deleted_at IS NULL").fetch_one(pool).await)
    .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_cluster_lease_has_one_holder_until_it_expires() {
    let Some((a, _clock)) = first("cluster leases", |_| {}).await else {
        return;
    };
    let lease = |holder: &'static str, now: i64| {
        let db = a.db.clone();
        async move {
            mita::cluster::lease_as(&db, "job", holder, now, 1_000)
                .await
                .unwrap()
        }
    };
    assert!(lease("instance-a", 0).await);
    assert!(!lease("instance-b", 500).await, "held by a");
    assert!(lease("instance-a", 900).await, "a renews");
    assert!(!lease("instance-b", 1_800).await, "renewed until 1900");
    assert!(lease("instance-b", 1_900).await, "expired: b takes over");
    assert!(!lease("instance-a", 2_000).await);
}

#[tokio::test]
async fn instances_notice_whether_they_share_the_receipt_image_directory() {
    // No housekeeping: it runs the directory check at start, and this test drives it by hand
    // from the state before any check.
    let quiet = Background {
        housekeeping: false,
        ..Background::default()
    };
    let Some((a, clock)) = first_with("shared image directory", |_| {}, quiet).await else {
        return;
    };
    // B stores its images elsewhere (its own data directory).
    let b = second_with(&a, &clock, |_| {}, quiet).await;
    assert_eq!(a.state.ocr.image_dir_state(), "unchecked");
    // Both processes of this test share one instance name, so B plays a third instance's
    // marker by hand: a row whose file is not in B's directory.
    let other = "other-host:1:abcdef12";
    mita::on_write!(&a.db, pool => sqlx::query(
        "INSERT INTO instance_markers (instance, marker, seen_at) VALUES ($1, 'x', $2)")
        .bind(other).bind(clock.now_ms()).execute(pool).await.map(|_| ()))
    .unwrap();
    let found = b.state.ocr.check_shared_dir().await.unwrap();
    assert_eq!(found.missing, vec![other.to_string()]);
    assert_eq!(b.state.ocr.image_dir_state(), "not_shared");
    let health: Value = b.get("/health").await.json().await.unwrap();
    assert_eq!(health["receipt_images"], "not_shared");

    // Once the other instance's marker file is in the directory, it is shared.
    let dir = b.state.settings.ocr_image_dir();
    std::fs::write(dir.join(".mita-instance-other-host-1-abcdef12"), "x").unwrap();
    let found = b.state.ocr.check_shared_dir().await.unwrap();
    assert!(found.missing.is_empty());
    assert_eq!(found.shared_with, 1);
    assert_eq!(b.state.ocr.image_dir_state(), "shared");
}

#[tokio::test]
async fn concurrent_spends_of_one_user_over_both_instances_keep_the_plan_whole() {
    let Some((a, clock)) = first("concurrent writers across instances", |_| {}).await else {
        return;
    };
    let b = second(&a, &clock, |_| {}).await;
    let (token, _, _) = a.user("writers@example.com").await;
    crate::onboarding::onboard(&a, &token).await;
    let planned = |app: &TestApp| {
        let token = token.clone();
        let app_url = app.url("/api/calendar/current-month");
        let client = app.client.clone();
        async move {
            let cal: Value = client
                .get(app_url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            crate::onboarding::laid_out(&cal["data"])
                .values()
                .sum::<i64>()
        }
    };
    let before = planned(&a).await;
    // Eight at once, alternating between the instances.
    let spends: Vec<_> = (0..8)
        .map(|i| {
            let app = if i % 2 == 0 { &a } else { &b };
            let category = ["food", "shopping", "travel", "other"][i % 4];
            tokio::spawn(
                app.authed(Method::POST, "/api/transactions", &token)
                    .json(&json!({"amount": 40 + i, "category": category}))
                    .send(),
            )
        })
        .collect();
    let mut acknowledged = 0;
    for spend in spends {
        let resp = spend.await.unwrap().unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        acknowledged += crate::onboarding::cents(&body["data"]["amount"]);
    }
    let dash: Value = b
        .get_as("/api/dashboard", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        crate::onboarding::cents(&dash["data"]["spent"]),
        acknowledged
    );
    assert_eq!(
        planned(&b).await,
        before,
        "redistribution moves money, never makes it"
    );
}
