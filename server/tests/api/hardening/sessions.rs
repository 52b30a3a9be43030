//! `GET /api/auth/sessions` and `DELETE /api/auth/sessions/{id}`.

use reqwest::Method;
use serde_json::{Value, json};

use super::start;
use crate::ghn_support::spawn_at;
use crate::support::{PASSWORD, TestApp, error_body, spawn_app};

async fn login_as(app: &TestApp, email: &str, agent: &str) -> (String, String) {
    let resp = app
        .client
        .post(app.url("/api/auth/login"))
        .header("user-agent", agent)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    (
        body["data"]["access_token"].as_str().unwrap().to_string(),
        body["data"]["refresh_token"].as_str().unwrap().to_string(),
    )
}

async fn sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let resp = app.get_as("/api/auth/sessions", token).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn each_login_is_listed_with_the_current_one_marked() {
    let (app, clock) = spawn_at(start()).await;
    app.user("list@example.com").await;
    clock.advance_ms(60_000);
    let (phone, phone_refresh) = login_as(&app, "list@example.com", "MITA-iOS/2.1").await;
    clock.advance_ms(60_000);
    let (tablet, _) = login_as(&app, "list@example.com", "MITA-Android/2.1").await;

    let list = sessions(&app, &phone).await;
    assert_eq!(list.len(), 3, "registration, phone, tablet: {list:?}");
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "MITA-iOS/2.1");
    assert_eq!(
        list[0]["user_agent"], "MITA-Android/2.1",
        "most recently used first"
    );
    for s in &list {
        assert_eq!(
            s["approximate_address"], "127.0.0.0/24",
            "never the full address"
        );
        assert!(s["created_at"].as_str().unwrap().ends_with('Z'));
    }
    let listed_by_tablet = sessions(&app, &tablet).await;
    assert_eq!(
        listed_by_tablet
            .iter()
            .find(|s| s["current"] == true)
            .unwrap()["user_agent"],
        "MITA-Android/2.1"
    );

    // A refresh is a use: the phone's login moves to the top with its new last use.
    clock.advance_ms(60_000);
    let resp = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": phone_refresh}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let list = sessions(&app, &tablet).await;
    assert_eq!(list[0]["user_agent"], "MITA-iOS/2.1");
    assert_eq!(list[0]["last_used_at"], "2026-12-01T09:03:00.000Z");
    assert_eq!(list[0]["created_at"], "2026-12-01T09:01:00.000Z");
}

#[tokio::test]
async fn a_session_deleted_on_one_device_ends_it_at_once() {
    let app = spawn_app().await;
    app.user("two@example.com").await;
    let (phone, _) = login_as(&app, "two@example.com", "phone").await;
    let (laptop, laptop_refresh) = login_as(&app, "two@example.com", "laptop").await;
    assert_eq!(app.get_as("/api/users/me", &laptop).await.status(), 200);

    let list = sessions(&app, &phone).await;
    let laptop_id = list.iter().find(|s| s["user_agent"] == "laptop").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = app
        .authed(
            Method::DELETE,
            &format!("/api/auth/sessions/{laptop_id}"),
            &phone,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // The very next request of the laptop is refused, and so is its refresh token.
    error_body(app.get_as("/api/users/me", &laptop).await, 401, "AUTH_1005").await;
    let resp = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": laptop_refresh}),
        )
        .await;
    error_body(resp, 401, "AUTH_1006").await;
    assert_eq!(
        app.get_as("/api/users/me", &phone).await.status(),
        200,
        "the phone stays in"
    );
    assert!(
        sessions(&app, &phone)
            .await
            .iter()
            .all(|s| s["id"] != laptop_id.as_str())
    );

    let again = app
        .authed(
            Method::DELETE,
            &format!("/api/auth/sessions/{laptop_id}"),
            &phone,
        )
        .send()
        .await
        .unwrap();
    error_body(again, 404, "RESOURCE_3001").await;
    assert_eq!(app.audit_events("session_revoke").await.len(), 1);
}

#[tokio::test]
async fn another_users_session_is_not_found_and_a_bad_id_is_422() {
    let app = spawn_app().await;
    let (alice, _, _) = app.user("alice.s@example.com").await;
    let (mallory, _, _) = app.user("mallory.s@example.com").await;
    let alice_session = sessions(&app, &alice).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = app
        .authed(
            Method::DELETE,
            &format!("/api/auth/sessions/{alice_session}"),
            &mallory,
        )
        .send()
        .await
        .unwrap();
    error_body(resp, 404, "RESOURCE_3001").await;
    assert_eq!(app.get_as("/api/users/me", &alice).await.status(), 200);
    assert_eq!(
        sessions(&app, &mallory).await.len(),
        1,
        "only one's own logins are listed"
    );
    let resp = app
        .authed(Method::DELETE, "/api/auth/sessions/not-a-uuid", &mallory)
        .send()
        .await
        .unwrap();
    error_body(resp, 422, "VALIDATION_2011").await;
}
