//! M20/M21 `/api/users/me` and M22 `GET /api/auth/verify-reset-token`.

use reqwest::Method;
use serde_json::{Value, json};

use super::send;
use crate::support::spawn_app;

/// M20 `GET /api/users/me`: `data` carries what the profile screens read (`verified_email`,
/// `location`, `member_since`, an integer `profile_completion`...), and `is_premium`, `income`
/// and the settings screen's values are also at the top level, where
/// receipt_capture_screen.dart:101, user_settings_screen.dart:134-144 and
/// budget_adapter_service.dart:422 read them.
#[tokio::test]
async fn the_profile_answers_the_fields_the_screens_read_where_they_read_them() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m20@example.com").await;
    let resp = send(
        &app,
        Method::PATCH,
        "/api/users/me",
        &token,
        &json!({"income": 5200, "region": "Europe"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    let d = &body["data"];
    assert_eq!(d["has_onboarded"], false);
    assert_eq!(d["email"], "m20@example.com");
    assert_eq!(d["verified_email"], false);
    assert_eq!(d["location"], "Europe");
    assert!(d["profile_completion"].is_u64(), "read with `as int?`: {d}");
    assert!(chrono::DateTime::parse_from_rfc3339(d["member_since"].as_str().unwrap()).is_ok());
    // The settings screen's defaults until set.
    assert_eq!(d["auto_sync"], true);
    assert_eq!(d["offline_mode"], true);
    assert_eq!(d["date_format"], "MM/dd/yyyy");
    assert_eq!(d["budget_alert_threshold"].to_string(), "80.00");
    // And at the top level.
    assert_eq!(body["is_premium"], false);
    assert_eq!(body["income"].to_string(), "5200.00");
    assert_eq!(body["auto_sync"], true);
    assert_eq!(body["offline_mode"], true);
    assert_eq!(body["date_format"], "MM/dd/yyyy");
    assert_eq!(body["budget_alert_threshold"], d["budget_alert_threshold"]);
    assert_eq!(body["success"], true, "the envelope keys stay");
}

/// M21 `PATCH /api/users/me` from the settings screen (user_settings_screen.dart:172-191) and the
/// profile settings screen (profile_settings_screen.dart:114-141): every value is stored and read
/// back.
#[tokio::test]
async fn the_settings_screens_saves_are_kept() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m21@example.com").await;
    let settings = json!({"dark_mode": true, "notifications": false, "biometric_auth": true,
        "auto_sync": false, "offline_mode": false, "currency": "EUR", "language": "Bulgarian",
        "date_format": "dd/MM/yyyy", "budget_alert_threshold": 65.0});
    let resp = send(&app, Method::PATCH, "/api/users/me", &token, &settings).await;
    assert_eq!(resp.status(), 200);
    let profile = json!({"name": "Ana", "email": "m21@example.com", "income": 5000.0,
        "savings_goal": 400.0, "region": "Europe", "budget_method": "50/30/20 Rule"});
    let resp = send(&app, Method::PATCH, "/api/users/me", &token, &profile).await;
    assert_eq!(resp.status(), 200);

    let body: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    let d = &body["data"];
    assert_eq!(d["dark_mode_enabled"], true);
    assert_eq!(d["notifications_enabled"], false);
    assert_eq!(d["biometric_auth"], true);
    assert_eq!(
        d["auto_sync"], false,
        "the second save kept the first one's keys"
    );
    assert_eq!(d["offline_mode"], false);
    assert_eq!(d["currency"], "EUR");
    assert_eq!(d["language"], "Bulgarian");
    assert_eq!(d["date_format"], "dd/MM/yyyy");
    assert_eq!(d["budget_alert_threshold"].to_string(), "65.00");
    assert_eq!(body["budget_alert_threshold"].to_string(), "65.00");
    assert_eq!(d["name"], "Ana");
    assert_eq!(d["income"].to_string(), "5000.00");
    assert_eq!(d["savings_goal"].to_string(), "400.00");
    assert_eq!(d["budget_method"], "50/30/20 Rule");

    // A threshold outside 0–100 is a 422 and changes nothing.
    let resp = send(
        &app,
        Method::PATCH,
        "/api/users/me",
        &token,
        &json!({"budget_alert_threshold": 120, "auto_sync": true}),
    )
    .await;
    crate::support::error_body(resp, 422, "VALIDATION_2001").await;
    let d: Value = app
        .get_as("/api/users/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["data"]["auto_sync"], false);
}

/// M22 `GET /api/auth/verify-reset-token?token=` (api_service.dart:4110-4132): the app takes a
/// 200 as "valid" and reads nothing else, so an unknown token must not be a 200.
#[tokio::test]
async fn an_unknown_reset_token_is_not_a_200() {
    let app = spawn_app().await;
    let resp = app
        .get("/api/auth/verify-reset-token?token=not-a-real-token")
        .await;
    crate::support::error_body(resp, 400, "AUTH_1003").await;
}
