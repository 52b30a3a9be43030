//! The behaviour screens (docs/insights.md, "Behaviour"): each rule on hand-made data, the
//! switches, and that one user's answers never contain another's data.

use reqwest::Method;
use serde_json::json;

use crate::ghn_support::{at, body, count, data, send, spawn_at};

#[tokio::test]
async fn the_switches_have_defaults_a_patch_sets_only_what_it_names_and_bad_values_are_refused() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 10)).await;
    let (alice, _, _) = app.user("behavior-switches@example.com").await;
    let (bob, _, _) = app.user("behavior-switches-bob@example.com").await;
    let d = data(&app, Method::GET, "/api/behavior/preferences", &alice, None).await;
    assert_eq!(
        d,
        json!({"auto_insights": true, "anomaly_detection": true, "predictive_alerts": true, "peer_comparison": false})
    );
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/notification_settings",
        &alice,
        None,
    )
    .await;
    assert_eq!(
        d,
        json!({"pattern_alerts": true, "anomaly_detection": true, "budget_adaptation": true, "weekly_insights": true})
    );
    // The app's PATCH: every key, null for the unset ones.
    let d = data(
        &app,
        Method::PATCH,
        "/api/behavior/notification_settings",
        &alice,
        Some(&json!({"pattern_alerts": false, "anomaly_detection": null, "budget_adaptation": null, "weekly_insights": false})),
    )
    .await;
    assert_eq!(d["pattern_alerts"], false);
    assert_eq!(d["anomaly_detection"], true);
    assert_eq!(d["weekly_insights"], false);
    data(
        &app,
        Method::PATCH,
        "/api/behavior/preferences",
        &alice,
        Some(&json!({"peer_comparison": true, "unknown_key": 5})),
    )
    .await;
    // Preferences and notification switches are separate objects.
    let d = data(&app, Method::GET, "/api/behavior/preferences", &alice, None).await;
    assert_eq!(d["peer_comparison"], true);
    assert_eq!(d["anomaly_detection"], true);
    assert!(d.get("unknown_key").is_none());
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/notification_settings",
        &alice,
        None,
    )
    .await;
    assert_eq!(d["pattern_alerts"], false);
    assert_eq!(d["budget_adaptation"], true);
    // Bob's switches are his own.
    let d = data(
        &app,
        Method::GET,
        "/api/behavior/notification_settings",
        &bob,
        None,
    )
    .await;
    assert_eq!(d["pattern_alerts"], true);
    // A non-boolean: 422 naming the key, nothing changes.
    let before = count(&app, "SELECT COUNT(*) FROM behavior_settings").await;
    let b = body(
        send(
            &app,
            Method::PATCH,
            "/api/behavior/preferences",
            &bob,
            Some(&json!({"auto_insights": "yes"})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "body.auto_insights"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM behavior_settings").await,
        before
    );
}
