//! Goals in lists, statistics and the dashboard: filters, sums, and soft-deleted goals gone.

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use super::in_days;
use crate::ghn_support::{create_goal, data, send};
use crate::support::{error_body, spawn_app};

#[tokio::test]
async fn a_deleted_goal_is_gone_from_list_statistics_and_the_dashboard() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("goal-del@example.com").await;
    let keep = create_goal(
        &app,
        &token,
        json!({"title": "Keep", "target_amount": 100, "saved_amount": 90}),
    )
    .await;
    let gone = create_goal(
        &app,
        &token,
        json!({"title": "Gone", "target_amount": 100, "saved_amount": 85}),
    )
    .await;
    let dash = data(&app, Method::GET, "/api/dashboard", &token, None).await;
    assert_eq!(dash["goals_summary"]["total_active"], 2);
    assert_eq!(dash["goals_summary"]["near_completion"], 2);

    let path = format!("/api/goals/{}", gone["id"].as_str().unwrap());
    let d = data(&app, Method::DELETE, &path, &token, None).await;
    assert_eq!(d, json!({"status": "deleted", "id": gone["id"]}));
    error_body(app.get_as(&path, &token).await, 404, "RESOURCE_3001").await;
    error_body(
        send(&app, Method::DELETE, &path, &token, None).await,
        404,
        "RESOURCE_3001",
    )
    .await;
    error_body(
        send(
            &app,
            Method::PATCH,
            &path,
            &token,
            Some(&json!({"title": "x"})),
        )
        .await,
        404,
        "RESOURCE_3001",
    )
    .await;

    let list = data(&app, Method::GET, "/api/goals", &token, None).await;
    let ids: Vec<&Value> = list.as_array().unwrap().iter().map(|g| &g["id"]).collect();
    assert_eq!(ids, vec![&keep["id"]]);
    let stats = data(&app, Method::GET, "/api/goals/statistics", &token, None).await;
    assert_eq!(stats["total_goals"], 1);
    assert_eq!(stats["active_goals"], 1);
    assert_eq!(stats["total_target_amount"].to_string(), "100.00");
    assert_eq!(stats["total_saved_amount"].to_string(), "90.00");
    let dash = data(&app, Method::GET, "/api/dashboard", &token, None).await;
    assert_eq!(dash["goals_summary"]["total_active"], 1);
    assert_eq!(dash["goals_summary"]["near_completion"], 1);
    let summary = mita::goals::summary(&app.db, user_id.parse().unwrap(), Utc::now().date_naive())
        .await
        .unwrap();
    assert_eq!(
        (
            summary.total_active,
            summary.near_completion,
            summary.overdue
        ),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn statistics_and_filters_cover_the_live_goals() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("goal-stats@example.com").await;
    let soon = create_goal(
        &app,
        &token,
        json!({"title": "Soon", "target_amount": 200, "saved_amount": 50,
        "deadline": in_days(10), "category": "Home"}),
    )
    .await;
    let paused = create_goal(
        &app,
        &token,
        json!({"title": "Paused", "target_amount": 100}),
    )
    .await;
    data(
        &app,
        Method::POST,
        &format!("/api/goals/{}/pause", paused["id"].as_str().unwrap()),
        &token,
        None,
    )
    .await;
    create_goal(
        &app,
        &token,
        json!({"title": "Done", "target_amount": 100, "saved_amount": 100, "category": "Home"}),
    )
    .await;
    let s = data(&app, Method::GET, "/api/goals/statistics/", &token, None).await;
    let shown: Vec<String> = [
        "total_goals",
        "active_goals",
        "completed_goals",
        "paused_goals",
        "completion_rate",
        "average_progress",
        "total_target_amount",
        "total_saved_amount",
        "overdue_goals",
        "due_soon",
    ]
    .iter()
    .map(|k| format!("{k}={}", s[*k]))
    .collect();
    assert_eq!(
        shown,
        [
            "total_goals=3",
            "active_goals=1",
            "completed_goals=1",
            "paused_goals=1",
            "completion_rate=33.33",
            "average_progress=41.67",
            "total_target_amount=400.00",
            "total_saved_amount=150.00",
            "overdue_goals=0",
            "due_soon=1"
        ]
    );
    assert_eq!(s.as_object().unwrap().len(), 10, "{s}");
    let home = data(&app, Method::GET, "/api/goals?category=home", &token, None).await;
    let titles: Vec<&str> = home
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Done", "Soon"], "newest first");
    let active = data(&app, Method::GET, "/api/goals?status=active", &token, None).await;
    assert_eq!(active.as_array().unwrap().len(), 1);
    assert_eq!(active[0]["id"], soon["id"]);
    error_body(
        app.get_as("/api/goals?status=archived", &token).await,
        422,
        "VALIDATION_2002",
    )
    .await;
}
