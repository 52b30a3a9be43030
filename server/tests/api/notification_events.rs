//! Notifications the server raises itself: a large spend, a day going red, goal milestones and
//! completion — each once per event, each only when the user's preference allows it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{create_goal, data, send};
use crate::onboarding::onboard;
use crate::support::{TestApp, spawn_app, spawn_with};

async fn spend(app: &TestApp, token: &str, amount: &str, category: &str) -> Value {
    let payload = json!({"amount": amount, "category": category});
    let resp = send(
        app,
        Method::POST,
        "/api/transactions",
        token,
        Some(&payload),
    )
    .await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

/// The caller's notifications of one category (bare list).
async fn raised(app: &TestApp, token: &str, category: &str) -> Vec<Value> {
    let resp = send(
        app,
        Method::GET,
        &format!("/api/notifications/list?category={category}&limit=100"),
        token,
        None,
    )
    .await;
    assert_eq!(resp.status(), 200);
    let b: Value = resp.json().await.unwrap();
    b["notifications"].as_array().unwrap().clone()
}

async fn prefs(app: &TestApp, token: &str, payload: Value) {
    let resp = send(
        app,
        Method::PUT,
        "/api/notifications/preferences",
        token,
        Some(&payload),
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_large_spend_notifies_once_and_not_when_transaction_alerts_are_off() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("large@example.com").await;
    let created = spend(&app, &token, "250.00", "shopping").await;
    assert_eq!(created["meta"]["large_spend"], true);
    spend(&app, &token, "199.99", "shopping").await;
    let found = raised(&app, &token, "transaction").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let n = &found[0];
    assert_eq!(
        (
            n["title"].as_str(),
            n["type"].as_str(),
            n["is_read"].as_bool()
        ),
        (Some("Large purchase"), Some("alert"), Some(false))
    );
    let txn = created["data"]["id"].as_str().unwrap();
    assert_eq!(n["data"]["transaction_id"], txn);
    // Editing the same transaction is the same event: no second notification.
    let edit = send(
        &app,
        Method::PUT,
        &format!("/api/transactions/{txn}"),
        &token,
        Some(&json!({"amount": 300})),
    )
    .await;
    assert_eq!(edit.status(), 200);
    assert_eq!(raised(&app, &token, "transaction").await.len(), 1);

    let (quiet, _, _) = app.user("large-quiet@example.com").await;
    prefs(&app, &quiet, json!({"transaction_alerts": false})).await;
    spend(&app, &quiet, "5000", "travel").await;
    assert!(raised(&app, &quiet, "transaction").await.is_empty());
}

#[tokio::test]
async fn the_large_spend_threshold_is_configurable() {
    let app = spawn_with(
        |s| s.notifications.large_spend = mita::money::Money::from_cents(5_000),
        axum::Router::new(),
    )
    .await;
    let (token, _, _) = app.user("threshold@example.com").await;
    assert_eq!(
        spend(&app, &token, "49.99", "food").await["meta"]["large_spend"],
        false
    );
    assert!(raised(&app, &token, "transaction").await.is_empty());
    assert_eq!(
        spend(&app, &token, "50", "food").await["meta"]["large_spend"],
        true
    );
    assert_eq!(raised(&app, &token, "transaction").await.len(), 1);
}

#[tokio::test]
async fn a_day_going_red_notifies_once_respecting_budget_alerts() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("red@example.com").await;
    onboard(&app, &token).await;
    spend(&app, &token, "1", "food").await;
    assert!(
        raised(&app, &token, "budget").await.is_empty(),
        "a green day is no news"
    );
    spend(&app, &token, "3000", "shopping").await;
    let found = raised(&app, &token, "budget").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["type"], "warning");
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(found[0]["data"]["date"], today.as_str());
    spend(&app, &token, "2000", "travel").await;
    assert_eq!(
        raised(&app, &token, "budget").await.len(),
        1,
        "the same red day notifies once"
    );

    let (quiet, _, _) = app.user("red-quiet@example.com").await;
    onboard(&app, &quiet).await;
    prefs(&app, &quiet, json!({"budget_alerts": false})).await;
    spend(&app, &quiet, "3000", "shopping").await;
    assert!(raised(&app, &quiet, "budget").await.is_empty());
}

#[tokio::test]
async fn goal_milestones_and_completion_notify_once_each() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("milestones@example.com").await;
    let g = create_goal(&app, &token, json!({"title": "Boat", "target_amount": 100})).await;
    let save = format!("/api/goals/{}/add_savings", g["id"].as_str().unwrap());
    for amount in [10, 20, 5, 20, 30, 15] {
        data(
            &app,
            Method::POST,
            &save,
            &token,
            Some(&json!({"amount": amount})),
        )
        .await;
    }
    // 10, 30 (25 %), 35, 55 (50 %), 85 (75 %), 100 (completed).
    let found = raised(&app, &token, "goal").await;
    let mut milestones: Vec<i64> = found
        .iter()
        .map(|n| n["data"]["milestone"].as_i64().unwrap())
        .collect();
    milestones.sort_unstable();
    assert_eq!(milestones, vec![25, 50, 75, 100]);
    let done = found
        .iter()
        .find(|n| n["data"]["milestone"] == 100)
        .unwrap();
    assert_eq!(
        (done["title"].as_str(), done["type"].as_str()),
        (Some("Goal completed"), Some("achievement"))
    );

    // A jump straight to 80 % announces 75 % only; completing by hand announces completion.
    let h = create_goal(&app, &token, json!({"title": "Tent", "target_amount": 100})).await;
    let path = format!("/api/goals/{}", h["id"].as_str().unwrap());
    data(
        &app,
        Method::POST,
        &format!("{path}/add_savings"),
        &token,
        Some(&json!({"amount": 80})),
    )
    .await;
    data(
        &app,
        Method::POST,
        &format!("{path}/complete"),
        &token,
        None,
    )
    .await;
    let tent: Vec<i64> = raised(&app, &token, "goal")
        .await
        .iter()
        .filter(|n| n["data"]["goal_id"] == h["id"])
        .map(|n| n["data"]["milestone"].as_i64().unwrap())
        .collect();
    assert_eq!(tent.len(), 2);
    assert!(tent.contains(&75) && tent.contains(&100));
}

#[tokio::test]
async fn goal_updates_off_silences_goal_news_without_replaying_it_later() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-quiet@example.com").await;
    prefs(&app, &token, json!({"goal_updates": false})).await;
    let g = create_goal(
        &app,
        &token,
        json!({"title": "Quiet", "target_amount": 100}),
    )
    .await;
    let save = format!("/api/goals/{}/add_savings", g["id"].as_str().unwrap());
    data(
        &app,
        Method::POST,
        &save,
        &token,
        Some(&json!({"amount": 60})),
    )
    .await;
    assert!(raised(&app, &token, "goal").await.is_empty());
    prefs(&app, &token, json!({"goal_updates": true})).await;
    data(
        &app,
        Method::POST,
        &save,
        &token,
        Some(&json!({"amount": 1})),
    )
    .await;
    assert!(
        raised(&app, &token, "goal").await.is_empty(),
        "50 % was already passed"
    );
    data(
        &app,
        Method::POST,
        &save,
        &token,
        Some(&json!({"amount": 39})),
    )
    .await;
    let found = raised(&app, &token, "goal").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["data"]["milestone"], 100);
}

/// Issue 19: the answer's `meta.large_spend` and the notification use the same threshold — the
/// user's own when set, not only the configured one.
#[tokio::test]
async fn large_spend_in_the_answer_follows_the_users_own_threshold() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("own-threshold@example.com").await;
    let user: mita::id::Id = user_id.parse().unwrap();
    mita::on_write!(&app.db, pool => sqlx::query(
        "INSERT INTO user_budget_settings (user_id, large_spend_threshold_cents, updated_at) VALUES ($1, 1000, 1)")
        .bind(user).execute(pool).await.map(|_| ()))
    .unwrap();
    let answer = spend(&app, &token, "50", "food").await;
    assert_eq!(
        answer["meta"]["large_spend"], true,
        "50.00 ≥ the user's 10.00"
    );
    assert_eq!(raised(&app, &token, "transaction").await.len(), 1);
    let answer = spend(&app, &token, "9.99", "food").await;
    assert_eq!(answer["meta"]["large_spend"], false);
    assert_eq!(raised(&app, &token, "transaction").await.len(), 1);
}
