//! Notification preferences (stored, surviving a restart) and push devices.

use reqwest::Method;
use serde_json::json;

use super::{PREFS, bare, sorted, sorted_keys};
use crate::ghn_support::{data, send};
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn preferences_are_stored_and_survive_a_restart_of_the_server() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("prefs@example.com").await;
    let defaults = bare(
        &app,
        Method::GET,
        "/api/notifications/preferences",
        &token,
        None,
    )
    .await;
    assert_eq!(sorted_keys(&defaults), sorted(&PREFS));
    assert!(PREFS.iter().all(|k| defaults[*k] == true));
    let put = json!({"transaction_alerts": false, "daily_reminders": false, "unknown": 1});
    let changed = bare(
        &app,
        Method::PUT,
        "/api/notifications/preferences",
        &token,
        Some(&put),
    )
    .await;
    assert_eq!(
        (
            changed["transaction_alerts"].as_bool(),
            changed["daily_reminders"].as_bool(),
            changed["push_enabled"].as_bool()
        ),
        (Some(false), Some(false), Some(true))
    );
    let changed = bare(
        &app,
        Method::PUT,
        "/api/notifications/preferences/",
        &token,
        Some(&json!({"push_enabled": false})),
    )
    .await;
    assert_eq!(
        (
            changed["transaction_alerts"].as_bool(),
            changed["push_enabled"].as_bool()
        ),
        (Some(false), Some(false)),
        "others are kept"
    );

    let app = app.restart().await;
    let again = bare(
        &app,
        Method::GET,
        "/api/notifications/preferences",
        &token,
        None,
    )
    .await;
    assert_eq!(again, changed);
}

#[tokio::test]
async fn devices_are_registered_updated_and_unregistered() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("devices@example.com").await;
    let reg = json!({"push_token": "tok-1", "platform": "iOS", "device_id": "phone-1", "app_version": "2.3.0"});
    let a = data(
        &app,
        Method::POST,
        "/api/notifications/register-device",
        &token,
        Some(&reg),
    )
    .await;
    assert_eq!(a["status"], "registered");
    let again = data(
        &app,
        Method::POST,
        "/api/notifications/register-device",
        &token,
        Some(&reg),
    )
    .await;
    assert_eq!(
        (again["status"].as_str(), &again["device_id"]),
        (Some("updated"), &a["device_id"])
    );
    let legacy = json!({"token": "tok-2", "platform": "android"});
    assert_eq!(
        data(
            &app,
            Method::POST,
            "/api/notifications/register-device",
            &token,
            Some(&legacy)
        )
        .await["status"],
        "registered"
    );
    let stored: Vec<(String, String, Option<String>, Option<String>)> = mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT push_token, platform, device_id, app_version FROM push_devices ORDER BY push_token").fetch_all(pool).await).unwrap();
    assert_eq!(
        stored,
        vec![
            (
                "tok-1".into(),
                "ios".into(),
                Some("phone-1".into()),
                Some("2.3.0".into())
            ),
            ("tok-2".into(), "android".into(), None, None),
        ]
    );
    let _ = user_id;

    let up = json!({"old_push_token": "tok-1", "new_push_token": "tok-1b", "platform": "ios"});
    let u = data(
        &app,
        Method::PATCH,
        "/api/notifications/update-device",
        &token,
        Some(&up),
    )
    .await;
    assert_eq!(
        (u["status"].as_str(), &u["device_id"]),
        (Some("updated"), &a["device_id"])
    );
    let up = json!({"old_push_token": "tok-1b", "new_push_token": "tok-1c"});
    data(
        &app,
        Method::POST,
        "/api/notifications/update-device",
        &token,
        Some(&up),
    )
    .await;
    let un = data(
        &app,
        Method::DELETE,
        "/api/notifications/unregister-device",
        &token,
        Some(&json!({"push_token": "tok-1c"})),
    )
    .await;
    assert_eq!(un["status"], "unregistered");
    data(
        &app,
        Method::POST,
        "/api/notifications/unregister-device",
        &token,
        Some(&json!({"token": "tok-2"})),
    )
    .await;
    assert_eq!(
        crate::ghn_support::count(&app, "SELECT COUNT(*) FROM push_devices").await,
        0
    );
    error_body(
        send(
            &app,
            Method::DELETE,
            "/api/notifications/unregister-device",
            &token,
            Some(&json!({"push_token": "tok-2"})),
        )
        .await,
        404,
        "RESOURCE_3001",
    )
    .await;
}
