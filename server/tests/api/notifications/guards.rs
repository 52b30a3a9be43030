//! Notifications: another user's notifications and devices are 404 and stay unchanged; bad
//! input is a 4xx that writes nothing.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use super::{bare, notify};
use crate::ghn_support::{data, refused, send, snapshot};
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn another_users_notifications_and_devices_are_404_and_stay_unchanged() {
    let app = spawn_app().await;
    let (owner, _, _) = app.user("notif-owner@example.com").await;
    let (intruder, _, _) = app.user("notif-intruder@example.com").await;
    let n = notify(&app, &owner, json!({"title": "Mine", "message": "m"})).await;
    let reg = json!({"push_token": "owner-token", "platform": "web"});
    data(
        &app,
        Method::POST,
        "/api/notifications/register-device",
        &owner,
        Some(&reg),
    )
    .await;
    let id = n["id"].as_str().unwrap();
    let before = snapshot(&app).await;
    for (method, path, payload) in [
        (Method::GET, format!("/api/notifications/{id}"), None),
        (
            Method::POST,
            format!("/api/notifications/{id}/mark-read"),
            None,
        ),
        (Method::DELETE, format!("/api/notifications/{id}"), None),
        (
            Method::PATCH,
            "/api/notifications/update-device".to_string(),
            Some(json!({"old_push_token": "owner-token", "new_push_token": "mine-now"})),
        ),
        (
            Method::POST,
            "/api/notifications/update-device".to_string(),
            Some(json!({"old_push_token": "owner-token", "new_push_token": "mine-now"})),
        ),
        (
            Method::DELETE,
            "/api/notifications/unregister-device".to_string(),
            Some(json!({"push_token": "owner-token"})),
        ),
        (
            Method::POST,
            "/api/notifications/unregister-device".to_string(),
            Some(json!({"push_token": "owner-token"})),
        ),
    ] {
        error_body(
            send(&app, method, &path, &intruder, payload.as_ref()).await,
            404,
            "RESOURCE_3001",
        )
        .await;
    }
    assert_eq!(
        data(
            &app,
            Method::POST,
            "/api/notifications/mark-all-read",
            &intruder,
            None
        )
        .await["marked_read"],
        0
    );
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(
        bare(
            &app,
            Method::GET,
            &format!("/api/notifications/{id}"),
            &owner,
            None
        )
        .await,
        n
    );
    let tokens: Vec<String> = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT push_token FROM push_devices").fetch_all(pool).await).unwrap();
    assert_eq!(tokens, vec!["owner-token".to_string()]);
    let theirs = bare(
        &app,
        Method::GET,
        "/api/notifications/list",
        &intruder,
        None,
    )
    .await;
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn bad_notification_input_is_a_4xx_envelope_and_writes_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("notif-bad@example.com").await;
    let past = (chrono::Utc::now() - Duration::hours(1)).to_rfc3339();
    let before = snapshot(&app).await;
    for (method, path, payload) in [
        (Method::POST, "/api/notifications/create", json!({})),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t"}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t", "message": "m", "type": "spam"}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t", "message": "m", "priority": "urgent"}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t", "message": "m", "channel": "pigeon"}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t", "message": "m", "data": [1, 2]}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t", "message": "m", "expires_at": past}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "t", "message": "m", "scheduled_for": "later"}),
        ),
        (
            Method::POST,
            "/api/notifications/create",
            json!({"title": "", "message": "m"}),
        ),
        (
            Method::PUT,
            "/api/notifications/preferences",
            json!({"push_enabled": "yes"}),
        ),
        (Method::PUT, "/api/notifications/preferences", json!([true])),
        (
            Method::POST,
            "/api/notifications/register-device",
            json!({}),
        ),
        (
            Method::POST,
            "/api/notifications/register-device",
            json!({"push_token": "t"}),
        ),
        (
            Method::POST,
            "/api/notifications/register-device",
            json!({"push_token": "", "platform": "ios"}),
        ),
        (
            Method::POST,
            "/api/notifications/register-device",
            json!({"push_token": "t", "platform": "symbian"}),
        ),
        (
            Method::PATCH,
            "/api/notifications/update-device",
            json!({"old_push_token": "a"}),
        ),
        (
            Method::POST,
            "/api/notifications/update-device",
            json!({"new_push_token": "b"}),
        ),
        (
            Method::DELETE,
            "/api/notifications/unregister-device",
            json!({}),
        ),
        (
            Method::POST,
            "/api/notifications/unregister-device",
            json!({"push_token": 5}),
        ),
    ] {
        let resp = send(&app, method.clone(), path, &token, Some(&payload)).await;
        let status = resp.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {payload}: {status}"
        );
        refused(resp, status).await;
    }
    let r = app
        .authed(Method::POST, "/api/notifications/create", &token)
        .header("content-type", "application/json")
        .body("nope")
        .send()
        .await
        .unwrap();
    error_body(r, 400, "VALIDATION_2010").await;
    // Out of range: the handler's 422; not parsable at all: a bad query string, 400.
    for (q, status) in [
        ("limit=0", 422),
        ("limit=101", 422),
        ("unread_only=maybe", 422),
        ("offset=x", 400),
    ] {
        let r = app
            .get_as(&format!("/api/notifications/list?{q}"), &token)
            .await;
        refused(r, status).await;
    }
    error_body(
        send(
            &app,
            Method::POST,
            "/api/notifications/xyz/mark-read",
            &token,
            None,
        )
        .await,
        422,
        "VALIDATION_2011",
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
}
