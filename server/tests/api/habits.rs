//! Habits: the object the app reads, completion once per day (date from the JSON body or the
//! query), streaks across months and in the user's timezone, progress, ownership, bad input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, data, relogin, send, set_timezone, spawn_at};
use crate::support::{TestApp, error_body, spawn_app};

mod guards;

const HABIT_FIELDS: [&str; 9] = [
    "id",
    "title",
    "description",
    "target_frequency",
    "created_at",
    "current_streak",
    "longest_streak",
    "completion_rate",
    "completed_dates",
];

async fn create(app: &TestApp, token: &str, payload: Value) -> Value {
    body(
        send(app, Method::POST, "/api/habits", token, Some(&payload)).await,
        201,
    )
    .await["data"]
        .clone()
}

async fn complete(app: &TestApp, token: &str, id: &str, date: &str) -> Value {
    data(
        app,
        Method::POST,
        &format!("/api/habits/{id}/complete"),
        token,
        Some(&json!({"date": date})),
    )
    .await
}

#[tokio::test]
async fn a_habit_has_the_fields_the_app_reads_and_completes_once_per_day() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("habit@example.com").await;
    let h = create(
        &app,
        &token,
        json!({"title": "No coffee out", "description": "Brew at home"}),
    )
    .await;
    let mut keys: Vec<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = HABIT_FIELDS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(
        (h["target_frequency"].as_str(), h["current_streak"].as_i64()),
        (Some("daily"), Some(0))
    );
    assert_eq!(h["completion_rate"].to_string(), "0.00");
    let id = h["id"].as_str().unwrap();

    let first = data(
        &app,
        Method::POST,
        &format!("/api/habits/{id}/complete/"),
        &token,
        None,
    )
    .await;
    assert_eq!(first["status"], "completed");
    assert_eq!(first["habit_id"], id);
    assert!(first["completed_at"].as_str().unwrap().ends_with('Z'));
    let again = data(
        &app,
        Method::POST,
        &format!("/api/habits/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(again["status"], "already_completed");
    assert_eq!(again["completed_at"], first["completed_at"]);
    let list = data(&app, Method::GET, "/api/habits", &token, None).await;
    let h = &list[0];
    assert_eq!(
        h["completed_dates"].as_array().unwrap().len(),
        1,
        "twice on one day counts once"
    );
    assert_eq!(
        (h["current_streak"].as_i64(), h["longest_streak"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        h["completion_rate"].to_string(),
        "3.33",
        "1 of the last 30 days"
    );

    let undo = data(
        &app,
        Method::DELETE,
        &format!("/api/habits/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(undo["status"], "uncompleted");
    let undo = data(
        &app,
        Method::DELETE,
        &format!("/api/habits/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(undo["status"], "not_completed");

    let p = data(
        &app,
        Method::PATCH,
        &format!("/api/habits/{id}"),
        &token,
        Some(&json!({"title": "Brew", "target_frequency": "weekly"})),
    )
    .await;
    assert_eq!(
        (
            p["title"].as_str(),
            p["target_frequency"].as_str(),
            p["description"].as_str()
        ),
        (Some("Brew"), Some("weekly"), Some("Brew at home"))
    );
    let d = data(
        &app,
        Method::DELETE,
        &format!("/api/habits/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(d, json!({"deleted": true, "habit_id": id}));
    assert!(
        data(&app, Method::GET, "/api/habits", &token, None)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        crate::ghn_support::count(&app, "SELECT COUNT(*) FROM habit_completions").await,
        0,
        "completions go with it"
    );
}

#[tokio::test]
async fn streaks_run_across_a_month_boundary_with_dates_from_body_or_query() {
    let (app, _clock) = spawn_at(at(2026, 2, 2, 12)).await;
    let (token, _, _) = app.user("habit-streak@example.com").await;
    let h = create(&app, &token, json!({"title": "Walk"})).await;
    let id = h["id"].as_str().unwrap();
    for date in ["2026-01-20", "2026-01-21", "2026-01-29", "2026-01-30"] {
        assert_eq!(
            complete(&app, &token, id, date).await["status"],
            "completed"
        );
    }
    // The query form, as older clients send it (no JSON body).
    for date in ["2026-01-31", "2026-02-01"] {
        let r = app
            .authed(
                Method::POST,
                &format!("/api/habits/{id}/complete?date={date}"),
                &token,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(body(r, 200).await["data"]["status"], "completed");
    }
    complete(&app, &token, id, "2026-02-02T08:00:00Z").await;
    assert_eq!(
        complete(&app, &token, id, "2026-02-02").await["status"],
        "already_completed"
    );
    let list = data(&app, Method::GET, "/api/habits", &token, None).await;
    assert_eq!(
        (
            list[0]["current_streak"].as_i64(),
            list[0]["longest_streak"].as_i64()
        ),
        (Some(5), Some(5))
    );
    assert_eq!(
        list[0]["completion_rate"].to_string(),
        "23.33",
        "7 of 30 days"
    );

    let p = data(
        &app,
        Method::GET,
        &format!("/api/habits/{id}/progress?start_date=2026-01-27&end_date=2026-02-02"),
        &token,
        None,
    )
    .await;
    assert_eq!(p["total_completions"], 5);
    assert_eq!(
        p["completion_rate"].to_string(),
        "0.7143",
        "5 of 7 days, a fraction"
    );
    assert_eq!(p["current_streak"], 5);
    assert_eq!(
        p["completion_dates"],
        json!([
            "2026-01-29",
            "2026-01-30",
            "2026-01-31",
            "2026-02-01",
            "2026-02-02"
        ])
    );
    let p = data(
        &app,
        Method::GET,
        &format!("/api/habits/{id}/progress"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        (p["start_date"].as_str(), p["end_date"].as_str()),
        (Some("2026-01-04"), Some("2026-02-02"))
    );
    assert_eq!(p["total_completions"], 7);
    error_body(
        send(
            &app,
            Method::POST,
            &format!("/api/habits/{id}/complete"),
            &token,
            Some(&json!({"date": "2026-02-03"})),
        )
        .await,
        422,
        "VALIDATION_2007",
    )
    .await;
}

#[tokio::test]
async fn today_and_streaks_are_the_users_in_a_non_utc_timezone() {
    // 03:00 UTC on 1 March is still 28 February in Los Angeles.
    let (app, clock) = spawn_at(at(2026, 3, 1, 3)).await;
    let (token, _, _) = app.user("habit-tz@example.com").await;
    set_timezone(&app, &token, "America/Los_Angeles").await;
    let h = create(&app, &token, json!({"title": "Read"})).await;
    let id = h["id"].as_str().unwrap();
    complete(&app, &token, id, "2026-02-27").await;
    let today = data(
        &app,
        Method::POST,
        &format!("/api/habits/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(today["date"], "2026-02-28", "today is the user's day");
    // A date-time is reduced to the user's day: 06:00 UTC on 1 March is still the 28th there.
    assert_eq!(
        complete(&app, &token, id, "2026-03-01T06:00:00Z").await["status"],
        "already_completed"
    );
    let list = data(&app, Method::GET, "/api/habits", &token, None).await;
    assert_eq!(list[0]["current_streak"], 2);
    // The next local day: the streak is alive until it ends, then gone.
    clock.set_ms(at(2026, 3, 2, 3).timestamp_millis());
    let token = relogin(&app, "habit-tz@example.com").await;
    assert_eq!(
        data(&app, Method::GET, "/api/habits", &token, None).await[0]["current_streak"],
        2
    );
    clock.set_ms(at(2026, 3, 2, 9).timestamp_millis());
    let token = relogin(&app, "habit-tz@example.com").await;
    assert_eq!(
        data(&app, Method::GET, "/api/habits", &token, None).await[0]["current_streak"],
        0
    );
    assert_eq!(
        data(&app, Method::GET, "/api/habits", &token, None).await[0]["longest_streak"],
        2
    );
}
