//! Challenges: the app's calls end to end, progress computed from the caller's transactions
//! (never from the PATCH body), settling, stats, the pseudonymous leaderboard, other users'
//! attempts, bad input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, count, data, refused, relogin, send, spawn_at};
use crate::support::{TestApp, error_body};

const DAY_MS: i64 = 86_400_000;

async fn spend(app: &TestApp, token: &str, category: &str, amount: f64, spent_at: &str) {
    let payload = json!({"amount": amount, "category": category, "spent_at": spent_at});
    body(
        send(
            app,
            Method::POST,
            "/api/transactions",
            token,
            Some(&payload),
        )
        .await,
        201,
    )
    .await;
}

async fn join(app: &TestApp, token: &str, id: &str) -> Value {
    body(
        send(
            app,
            Method::POST,
            &format!("/api/challenge/{id}/join"),
            token,
            None,
        )
        .await,
        201,
    )
    .await["data"]
        .clone()
}

fn find<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|c| c["id"] == id)
}

#[tokio::test]
async fn a_joined_challenge_progresses_from_the_users_own_spends_and_pays_out_when_won() {
    let (app, clock) = spawn_at(at(2026, 12, 1, 12)).await;
    let (token, _, _) = app.user("challenger@example.com").await;

    // What the available card reads.
    let available = data(&app, Method::GET, "/api/challenge/available", &token, None).await;
    let card = find(&available, "three_no_spend_days").expect("offered");
    for field in [
        "id",
        "title",
        "description",
        "difficulty",
        "duration_days",
        "participants",
        "reward_points",
        "reward_amount",
        "success_rate",
        "type",
        "category",
        "target_value",
    ] {
        assert!(card.get(field).is_some(), "{field} in {card}");
    }
    assert_eq!(
        (
            card["duration_days"].as_i64(),
            card["participants"].as_i64()
        ),
        (Some(7), Some(0))
    );
    assert_eq!(card["success_rate"], Value::Null);

    let joined = join(&app, &token, "three_no_spend_days").await;
    assert_eq!(
        (joined["joined"].as_bool(), joined["end_date"].as_str()),
        (Some(true), Some("2026-12-07"))
    );
    // Joining again changes nothing.
    let again = body(
        send(
            &app,
            Method::POST,
            "/api/challenge/three_no_spend_days/join",
            &token,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(again["data"]["status"], "already_joined");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM challenge_participations").await,
        1
    );
    let available = data(&app, Method::GET, "/api/challenge/available", &token, None).await;
    assert!(
        find(&available, "three_no_spend_days").is_none(),
        "running ones are not offered"
    );

    // Dining out on the 2nd; rent (not one of its categories) on the 3rd.
    clock.advance_ms(3 * DAY_MS); // 4 December, 12:00
    let token = relogin(&app, "challenger@example.com").await;
    spend(&app, &token, "dining", 12.5, "2026-12-02T19:00:00Z").await;
    spend(&app, &token, "rent", 1500.0, "2026-12-03T09:00:00Z").await;

    // What the active card reads.
    let active = data(&app, Method::GET, "/api/challenge/active", &token, None).await;
    let card = find(&active, "three_no_spend_days").expect("running");
    assert_eq!(card["title"], "Three No-Spend Days");
    assert_eq!(
        (
            card["current_progress"].as_i64(),
            card["target_value"].as_i64()
        ),
        (Some(2), Some(3))
    );
    assert_eq!(card["end_date"], "2026-12-07");
    assert_eq!(card["difficulty"], "easy");
    assert_eq!(card["reward_points"], 150);
    assert!(card["reward_amount"].is_number());

    let progress = data(
        &app,
        Method::GET,
        "/api/challenge/three_no_spend_days/progress",
        &token,
        None,
    )
    .await;
    assert_eq!(progress["status"], "active");
    assert_eq!(progress["current_progress"], 2);
    assert_eq!(progress["days_completed"], 3);
    assert_eq!(progress["days_remaining"], 4);
    assert_eq!(progress["completion_percentage"].to_string(), "66.67");

    // The PATCH body is never applied: progress stays what the spends say.
    let patched = data(
        &app,
        Method::PATCH,
        "/api/challenge/three_no_spend_days/progress",
        &token,
        Some(&json!({"current_progress": 3, "status": "completed"})),
    )
    .await;
    assert_eq!(patched["new_progress"]["current_progress"], 2);
    assert_eq!(patched["new_progress"]["status"], "active");
    assert_eq!(
        patched["ignored_fields"],
        json!(["current_progress", "status"])
    );

    // The 4th passes without a spend: the third no-spend day wins the challenge.
    clock.advance_ms(DAY_MS);
    let token = relogin(&app, "challenger@example.com").await;
    let active = data(&app, Method::GET, "/api/challenge/active", &token, None).await;
    assert!(find(&active, "three_no_spend_days").is_none());
    let progress = data(
        &app,
        Method::GET,
        "/api/challenge/three_no_spend_days/progress",
        &token,
        None,
    )
    .await;
    assert_eq!(progress["status"], "completed");
    assert_eq!(progress["points_earned"], 150);
    assert_eq!(progress["completion_percentage"].to_string(), "100.00");

    // What the stats panel reads.
    let stats = data(&app, Method::GET, "/api/challenge/stats", &token, None).await;
    assert_eq!(stats["total_points"], 150);
    assert_eq!(stats["current_level"], 1);
    assert_eq!(stats["next_level_points"], 250);
    assert_eq!(stats["points_to_next_level"], 100);
    assert_eq!(stats["completed_challenges"], 1);
    assert_eq!(stats["active_challenges"], 0);
    assert_eq!(stats["leaderboard_position"], 1);
    assert_eq!(stats["challenges_completed_this_month"], 1);
    assert_eq!(stats["badges_earned"][0]["name"], "First Win");
    assert_eq!(stats["badges_earned"][0]["rarity"], "common");
    assert!(stats["current_streak"].is_i64());

    // It can be taken again; the finished attempt stays as history.
    join(&app, &token, "three_no_spend_days").await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM challenge_participations").await,
        2
    );
}

#[tokio::test]
async fn a_category_cap_fails_on_the_spend_that_crosses_it() {
    let (app, _clock) = spawn_at(at(2026, 12, 1, 12)).await;
    let (token, _, _) = app.user("cap@example.com").await;
    join(&app, &token, "dining_cap_week").await;
    spend(&app, &token, "dining", 25.0, "2026-12-01T10:00:00Z").await;
    let p = data(
        &app,
        Method::GET,
        "/api/challenge/dining_cap_week/progress",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (p["status"].as_str(), p["spent"].to_string()),
        (Some("active"), "25.00".into())
    );
    assert_eq!(p["cap"].to_string(), "40.00");
    spend(&app, &token, "dining", 15.01, "2026-12-01T11:00:00Z").await;
    let p = data(
        &app,
        Method::GET,
        "/api/challenge/dining_cap_week/progress",
        &token,
        None,
    )
    .await;
    assert_eq!(
        (p["status"].as_str(), p["spent"].to_string()),
        (Some("failed"), "40.01".into())
    );
    let stats = data(&app, Method::GET, "/api/challenge/stats", &token, None).await;
    assert_eq!(
        (
            stats["failed_challenges"].as_i64(),
            stats["total_points"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(stats["leaderboard_position"], Value::Null);
    let available = data(&app, Method::GET, "/api/challenge/available", &token, None).await;
    assert_eq!(
        find(&available, "dining_cap_week").unwrap()["success_rate"].to_string(),
        "0.00"
    );
}

#[tokio::test]
async fn the_leaderboard_shows_ranks_and_pseudonyms_never_an_email_or_name() {
    let (app, clock) = spawn_at(at(2026, 12, 1, 12)).await;
    let emails = [
        "board-ann@example.com",
        "board-bob@example.com",
        "board-cy@example.com",
    ];
    let mut tokens = Vec::new();
    for email in emails {
        let (token, _, _) = app.user(email).await;
        let me = json!({"name": format!("Name of {email}")});
        data(&app, Method::PATCH, "/api/users/me", &token, Some(&me)).await;
        tokens.push(token);
    }
    // Ann wins two challenges, Bob one, Cy none.
    join(&app, &tokens[0], "three_no_spend_days").await;
    join(&app, &tokens[0], "ten_no_spend_days").await;
    join(&app, &tokens[1], "three_no_spend_days").await;
    join(&app, &tokens[2], "plan_streak_7").await;
    clock.advance_ms(10 * DAY_MS + 3_600_000); // 11 December, 13:00: ten finished days each
    let mut fresh = Vec::new();
    for email in emails {
        let token = relogin(&app, email).await;
        // Reading one's challenges settles them.
        data(&app, Method::GET, "/api/challenge/active", &token, None).await;
        fresh.push(token);
    }
    let resp = send(
        &app,
        Method::GET,
        "/api/challenge/leaderboard?period=monthly",
        &fresh[1],
        None,
    )
    .await;
    let text = resp.text().await.unwrap();
    for email in emails {
        assert!(!text.contains(email), "no email on the board: {text}");
        assert!(!text.contains("Name of"), "no name on the board: {text}");
    }
    let board: Value = serde_json::from_str(&text).unwrap();
    let top = board["data"]["top_users"].as_array().unwrap();
    let ranks: Vec<(i64, i64, bool)> = top
        .iter()
        .map(|e| {
            (
                e["rank"].as_i64().unwrap(),
                e["points"].as_i64().unwrap(),
                e["is_current_user"] == true,
            )
        })
        .collect();
    assert_eq!(ranks, vec![(1, 750, false), (2, 150, true)]);
    assert!(top.iter().all(
        |e| e["username"].as_str().is_some_and(|u| !u.is_empty()) && e.get("user_id").is_none()
    ));
    assert_eq!(board["data"]["user_rank"], 2);
    assert_eq!(board["data"]["total_participants"], 2);
    // The same user keeps the same pseudonym.
    let again = data(
        &app,
        Method::GET,
        "/api/challenge/leaderboard?period=all_time",
        &fresh[0],
        None,
    )
    .await;
    assert_eq!(again["top_users"][1]["username"], top[1]["username"]);
    // Cy, with nothing completed, is not ranked.
    let cy = data(
        &app,
        Method::GET,
        "/api/challenge/leaderboard",
        &fresh[2],
        None,
    )
    .await;
    assert_eq!(cy["user_rank"], Value::Null);
    let resp = send(
        &app,
        Method::GET,
        "/api/challenge/leaderboard?period=yearly",
        &fresh[2],
        None,
    )
    .await;
    let err = error_body(resp, 422, "VALIDATION_2003").await;
    assert_eq!(
        err["error"]["details"]["validation_errors"][0]["field"],
        "query.period"
    );
}

#[tokio::test]
async fn another_users_attempt_is_404_and_unchanged() {
    let (app, _clock) = spawn_at(at(2026, 12, 1, 12)).await;
    let (alice, _, _) = app.user("ch-alice@example.com").await;
    let (bob, _, _) = app.user("ch-bob@example.com").await;
    join(&app, &alice, "plan_streak_7").await;
    let path = "/api/challenge/plan_streak_7";
    refused(
        send(&app, Method::GET, &format!("{path}/progress"), &bob, None).await,
        404,
    )
    .await;
    refused(
        send(
            &app,
            Method::PATCH,
            &format!("{path}/progress"),
            &bob,
            Some(&json!({})),
        )
        .await,
        404,
    )
    .await;
    refused(
        send(&app, Method::POST, &format!("{path}/leave"), &bob, None).await,
        404,
    )
    .await;
    let p = data(&app, Method::GET, &format!("{path}/progress"), &alice, None).await;
    assert_eq!(p["status"], "active");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM challenge_participations WHERE status = 'active'"
        )
        .await,
        1
    );
    // Bob joining is his own attempt; Alice's stays.
    join(&app, &bob, "plan_streak_7").await;
    let left = data(&app, Method::POST, &format!("{path}/leave"), &bob, None).await;
    assert_eq!(left["left"], true);
    let p = data(&app, Method::GET, &format!("{path}/progress"), &alice, None).await;
    assert_eq!(p["status"], "active");
    let p = data(&app, Method::GET, &format!("{path}/progress"), &bob, None).await;
    assert_eq!(p["status"], "left");
    refused(
        send(&app, Method::POST, &format!("{path}/leave"), &bob, None).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn bad_challenge_ids_and_bodies_are_refused_and_write_nothing() {
    let (app, _clock) = spawn_at(at(2026, 12, 1, 12)).await;
    let (token, _, _) = app.user("ch-bad@example.com").await;
    for (method, path) in [
        (Method::POST, "/api/challenge/Not%20An%20Id/join"),
        (Method::POST, "/api/challenge/Not%20An%20Id/leave"),
        (Method::GET, "/api/challenge/Not%20An%20Id/progress"),
        (Method::PATCH, "/api/challenge/Not%20An%20Id/progress"),
    ] {
        let err = error_body(
            send(&app, method, path, &token, None).await,
            422,
            "VALIDATION_2011",
        )
        .await;
        assert_eq!(
            err["error"]["details"]["validation_errors"][0]["field"],
            "path.id"
        );
    }
    refused(
        send(
            &app,
            Method::POST,
            "/api/challenge/no_such_challenge/join",
            &token,
            None,
        )
        .await,
        404,
    )
    .await;
    join(&app, &token, "three_no_spend_days").await;
    let resp = send(
        &app,
        Method::PATCH,
        "/api/challenge/three_no_spend_days/progress",
        &token,
        Some(&json!([1, 2])),
    )
    .await;
    let err = refused(resp, 422).await;
    assert_eq!(
        err["error"]["details"]["validation_errors"][0]["field"],
        "body"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM challenge_participations").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM challenge_participations WHERE progress <> 0"
        )
        .await,
        0
    );
}
