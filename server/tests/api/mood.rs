//! Moods: the app's call (a naive local date-time), one mood per user-local day with the last
//! write winning, the range read, bad input, and other users' moods staying out of sight.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, count, data, refused, send, set_timezone, spawn_at};
use crate::support::error_body;

#[tokio::test]
async fn the_apps_mood_call_records_one_mood_per_local_day_and_the_last_write_wins() {
    // 03:00 UTC on 5 December is 22:00 on 4 December in New York.
    let (app, _clock) = spawn_at(at(2026, 12, 5, 3)).await;
    let (token, _, _) = app.user("mood@example.com").await;
    set_timezone(&app, &token, "America/New_York").await;

    // The app's own body: `DateTime.now().toIso8601String()` of the phone's local clock.
    let first = body(
        send(
            &app,
            Method::POST,
            "/api/mood/",
            &token,
            Some(&json!({"mood": 2, "date": "2026-12-04T22:00:00.000"})),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(first["success"], true);
    assert_eq!(first["data"]["date"], "2026-12-04");
    assert_eq!(first["data"]["mood"], 2);

    // Later that evening, without a date: the same local day, replaced.
    let second = body(
        send(
            &app,
            Method::POST,
            "/api/mood",
            &token,
            Some(&json!({"mood": 5})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(second["data"]["id"], first["data"]["id"]);
    assert_eq!(second["data"]["date"], "2026-12-04");
    assert_eq!(second["data"]["mood"], 5);

    // An earlier day keeps its own row.
    body(
        send(
            &app,
            Method::POST,
            "/api/mood",
            &token,
            Some(&json!({"mood": 3, "date": "2026-12-01"})),
        )
        .await,
        201,
    )
    .await;
    let list = data(&app, Method::GET, "/api/mood", &token, None).await;
    let got: Vec<(String, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["date"].as_str().unwrap().to_string(),
                m["mood"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("2026-12-01".to_string(), 3), ("2026-12-04".to_string(), 5)]
    );
    let narrow = data(
        &app,
        Method::GET,
        "/api/mood?start_date=2026-12-02&end_date=2026-12-04",
        &token,
        None,
    )
    .await;
    assert_eq!(narrow.as_array().unwrap().len(), 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moods").await, 2);
}

#[tokio::test]
async fn bad_moods_are_refused_with_the_field_named_and_nothing_is_written() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 12)).await;
    let (token, _, _) = app.user("mood-bad@example.com").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"mood": 0}), "body.mood"),
        (json!({"mood": 6}), "body.mood"),
        (json!({"mood": 2.5}), "body.mood"),
        (json!({"mood": "happy"}), "body.mood"),
        (json!({}), "body.mood"),
        (json!({"mood": 3, "date": "2026-12-06"}), "body.date"),
        (json!({"mood": 3, "date": "yesterday"}), "body.date"),
        (json!({"mood": 3, "date": 20261205}), "body.date"),
    ];
    for (payload, field) in cases {
        let resp = send(&app, Method::POST, "/api/mood", &token, Some(&payload)).await;
        let err = refused(resp, 422).await;
        assert_eq!(
            err["error"]["details"]["validation_errors"][0]["field"], field,
            "{payload}: {err}"
        );
    }
    let resp = send(
        &app,
        Method::GET,
        "/api/mood?start_date=2026-12-05&end_date=2026-12-01",
        &token,
        None,
    )
    .await;
    error_body(resp, 422, "VALIDATION_2007").await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moods").await, 0);
}

#[tokio::test]
async fn a_user_never_sees_or_changes_another_users_moods() {
    let (app, _clock) = spawn_at(at(2026, 12, 5, 12)).await;
    let (alice, _, _) = app.user("mood-alice@example.com").await;
    let (bob, _, _) = app.user("mood-bob@example.com").await;
    body(
        send(
            &app,
            Method::POST,
            "/api/mood",
            &alice,
            Some(&json!({"mood": 4})),
        )
        .await,
        201,
    )
    .await;
    // Bob's mood of the same day is his own row, not a replacement of Alice's.
    body(
        send(
            &app,
            Method::POST,
            "/api/mood",
            &bob,
            Some(&json!({"mood": 1})),
        )
        .await,
        201,
    )
    .await;
    let bobs = data(&app, Method::GET, "/api/mood", &bob, None).await;
    assert_eq!(bobs.as_array().unwrap().len(), 1);
    assert_eq!(bobs[0]["mood"], 1);
    let alices = data(&app, Method::GET, "/api/mood", &alice, None).await;
    assert_eq!(alices.as_array().unwrap().len(), 1);
    assert_eq!(alices[0]["mood"], 4);
}

#[tokio::test]
async fn spending_patterns_compare_the_spending_of_low_mood_days_with_the_others() {
    let (app, _clock) = spawn_at(at(2026, 12, 20, 12)).await;
    let (token, _, _) = app.user("mood-insight@example.com").await;
    for (day, mood, amount) in [
        (1, 1, 100),
        (2, 2, 100),
        (3, 1, 100),
        (4, 4, 10),
        (5, 4, 10),
        (6, 5, 10),
    ] {
        let date = format!("2026-12-{day:02}");
        body(
            send(
                &app,
                Method::POST,
                "/api/mood",
                &token,
                Some(&json!({"mood": mood, "date": date})),
            )
            .await,
            201,
        )
        .await;
        let spend = json!({"amount": amount, "category": "shopping", "spent_at": format!("{date}T12:00:00Z")});
        body(
            send(
                &app,
                Method::POST,
                "/api/transactions",
                &token,
                Some(&spend),
            )
            .await,
            201,
        )
        .await;
    }
    let p = data(&app, Method::GET, "/api/ai/spending-patterns", &token, None).await;
    let moods: Vec<(i64, i64, String)> = p["mood"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["mood"].as_i64().unwrap(),
                m["days"].as_i64().unwrap(),
                m["average_spend"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        moods,
        vec![
            (1, 2, "100.00".to_string()),
            (2, 1, "100.00".to_string()),
            (4, 2, "10.00".to_string()),
            (5, 1, "10.00".to_string())
        ]
    );
    let sentences = p["patterns"].to_string();
    assert!(sentences.contains("low-mood days"), "{sentences}");
}
