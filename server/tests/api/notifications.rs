//! Notifications: the bare answers the app reads, paging, expiry, preferences that survive a
//! restart, push devices, ownership and bad input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, data, relogin, send, spawn_at};
use crate::support::{TestApp, error_body, spawn_app};

mod guards;
mod settings;

const FIELDS: [&str; 22] = [
    "id",
    "user_id",
    "title",
    "message",
    "type",
    "priority",
    "image_url",
    "action_url",
    "data",
    "status",
    "channel",
    "is_read",
    "read_at",
    "scheduled_for",
    "sent_at",
    "delivered_at",
    "error_message",
    "expires_at",
    "category",
    "group_key",
    "created_at",
    "updated_at",
];

const PREFS: [&str; 8] = [
    "push_enabled",
    "email_enabled",
    "budget_alerts",
    "goal_updates",
    "daily_reminders",
    "ai_recommendations",
    "transaction_alerts",
    "achievement_notifications",
];

fn sorted_keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

async fn bare(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    payload: Option<&Value>,
) -> Value {
    let b = body(send(app, method, path, token, payload).await, 200).await;
    assert!(
        b.get("success").is_none() && b.get("request_id").is_none(),
        "bare, without the envelope: {b}"
    );
    b
}

async fn notify(app: &TestApp, token: &str, payload: Value) -> Value {
    bare(
        app,
        Method::POST,
        "/api/notifications/create",
        token,
        Some(&payload),
    )
    .await
}

#[tokio::test]
async fn the_bare_answers_have_exactly_the_apps_shapes() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("notif@example.com").await;
    let n = notify(
        &app,
        &token,
        json!({"title": "Hello", "message": "World", "type": "tip", "priority": "high",
        "data": {"k": 1}, "category": "budget", "action_url": "/calendar"}),
    )
    .await;
    assert_eq!(sorted_keys(&n), sorted(&FIELDS));
    assert_eq!(
        (
            n["user_id"].as_str(),
            n["title"].as_str(),
            n["message"].as_str()
        ),
        (Some(user_id.as_str()), Some("Hello"), Some("World"))
    );
    assert_eq!(
        (
            n["type"].as_str(),
            n["priority"].as_str(),
            n["is_read"].as_bool()
        ),
        (Some("tip"), Some("high"), Some(false))
    );
    assert_eq!(n["data"], json!({"k": 1}));
    assert!(n["created_at"].as_str().unwrap().ends_with('Z'));
    let id = n["id"].as_str().unwrap();

    assert_eq!(
        bare(
            &app,
            Method::GET,
            &format!("/api/notifications/{id}"),
            &token,
            None
        )
        .await,
        n
    );
    let list = bare(&app, Method::GET, "/api/notifications/list", &token, None).await;
    assert_eq!(
        sorted_keys(&list),
        sorted(&["notifications", "total", "unread_count", "has_more"])
    );
    assert_eq!(list["notifications"], json!([n.clone()]));
    assert_eq!(
        (
            list["total"].as_i64(),
            list["unread_count"].as_i64(),
            list["has_more"].as_bool()
        ),
        (Some(1), Some(1), Some(false))
    );
    assert_eq!(
        data(
            &app,
            Method::GET,
            "/api/notifications/unread-count",
            &token,
            None
        )
        .await,
        json!({"unread_count": 1})
    );

    let read = bare(
        &app,
        Method::POST,
        &format!("/api/notifications/{id}/mark-read"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        (read["is_read"].as_bool(), read["status"].as_str()),
        (Some(true), Some("read"))
    );
    assert!(read["read_at"].is_string());
    notify(&app, &token, json!({"title": "2", "message": "m"})).await;
    notify(&app, &token, json!({"title": "3", "message": "m"})).await;
    assert_eq!(
        data(
            &app,
            Method::POST,
            "/api/notifications/mark-all-read",
            &token,
            None
        )
        .await,
        json!({"marked_read": 2})
    );
    assert_eq!(
        data(
            &app,
            Method::GET,
            "/api/notifications/unread-count",
            &token,
            None
        )
        .await["unread_count"],
        0
    );

    let d = data(
        &app,
        Method::DELETE,
        &format!("/api/notifications/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(d, json!({"deleted": true, "notification_id": id}));
    error_body(
        app.get_as(&format!("/api/notifications/{id}"), &token)
            .await,
        404,
        "RESOURCE_3001",
    )
    .await;
}

#[tokio::test]
async fn pages_report_has_more_and_total_counts_every_match_while_expired_ones_vanish() {
    let (app, clock) = spawn_at(at(2026, 11, 26, 10)).await;
    let (token, _, _) = app.user("notif-pages@example.com").await;
    for i in 0..5 {
        let kind = if i < 3 { "tip" } else { "alert" };
        notify(
            &app,
            &token,
            json!({"title": format!("n{i}"), "message": "m", "type": kind}),
        )
        .await;
        clock.advance_ms(1000);
    }
    let expiring = notify(
        &app,
        &token,
        json!({"title": "soon gone", "message": "m",
        "expires_at": (at(2026, 11, 26, 11)).to_rfc3339()}),
    )
    .await;
    let p1 = bare(
        &app,
        Method::GET,
        "/api/notifications/list?limit=2",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (p1["total"].as_i64(), p1["has_more"].as_bool()),
        (Some(6), Some(true))
    );
    assert_eq!(p1["notifications"][0]["id"], expiring["id"], "newest first");

    clock.advance_ms(2 * 60 * 60 * 1000);
    let token = relogin(&app, "notif-pages@example.com").await;
    let p1 = bare(
        &app,
        Method::GET,
        "/api/notifications/list?limit=2&offset=0",
        &token,
        None,
    )
    .await;
    assert_eq!(p1["notifications"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            p1["total"].as_i64(),
            p1["unread_count"].as_i64(),
            p1["has_more"].as_bool()
        ),
        (Some(5), Some(5), Some(true))
    );
    assert_eq!(p1["notifications"][0]["title"], "n4");
    let p3 = bare(
        &app,
        Method::GET,
        "/api/notifications/list?limit=2&offset=4",
        &token,
        None,
    )
    .await;
    assert_eq!(p3["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(
        (p3["total"].as_i64(), p3["has_more"].as_bool()),
        (Some(5), Some(false))
    );
    let alerts = bare(
        &app,
        Method::GET,
        "/api/notifications/list?type=alert&limit=1",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (alerts["total"].as_i64(), alerts["has_more"].as_bool()),
        (Some(2), Some(true))
    );
    let first = p1["notifications"][0]["id"].as_str().unwrap().to_string();
    bare(
        &app,
        Method::POST,
        &format!("/api/notifications/{first}/mark-read"),
        &token,
        None,
    )
    .await;
    let unread = bare(
        &app,
        Method::GET,
        "/api/notifications/list?unread_only=true",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (unread["total"].as_i64(), unread["unread_count"].as_i64()),
        (Some(4), Some(4))
    );
    assert_eq!(
        data(
            &app,
            Method::GET,
            "/api/notifications/unread-count",
            &token,
            None
        )
        .await["unread_count"],
        4
    );
    let gone = expiring["id"].as_str().unwrap();
    error_body(
        app.get_as(&format!("/api/notifications/{gone}"), &token)
            .await,
        404,
        "RESOURCE_3001",
    )
    .await;
}
