//! The goals advice screens.
//!
//! M8 `GET /api/goals/smart_recommendations`, `/opportunities/detect`,
//! `/adjustments/suggestions` (api_service.dart:1698-1735, goals_provider.dart:187-241,
//! smart_goal_recommendations_screen.dart): three plain GETs loaded together; the app takes
//! `data.recommendations`, `data.opportunities`, `data.adjustments` as lists of maps and reads
//! the fields below with `as String` / `asDouble`; "Create This Goal" posts a recommendation as
//! a goal. M9 `GET /api/goals/{id}/health` (goal_insights_screen.dart:113-166): `health_score as
//! int`, `on_track as bool`, `predicted_completion_date as String?`, `insights` and
//! `recommendations` lists. M23 `GET /api/goals/income_based_suggestions`
//! (api_service.dart:3727-3737): `data` is a list of maps.

use chrono::NaiveDate;
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::ghn_support::{at, create_goal, spawn_at};
use crate::onboarding::{cents, onboard};
use crate::support::TestApp;

/// `GET path` as the app sends it: no query, no body; 200 and the envelope's `data`.
async fn app_get(app: &TestApp, path: &str, token: &str) -> Value {
    let resp = app.get_as(path, token).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.json::<Value>().await.unwrap()["data"].clone()
}

/// `List<Map<String, dynamic>>.from(data[key] as Iterable? ?? [])`: a list of objects.
fn map_list<'a>(data: &'a Value, key: &str) -> Vec<&'a Map<String, Value>> {
    data[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list: {data}"))
        .iter()
        .map(|i| {
            i.as_object()
                .unwrap_or_else(|| panic!("{key} item is a map: {i}"))
        })
        .collect()
}

/// `x as String` (a `null` only where the app has `?? default`).
fn string<'a>(item: &'a Map<String, Value>, key: &str) -> &'a str {
    item.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{key} is a String: {item:?}"))
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// An onboarded user (income 6000) on 2026-11-10 with a high-priority car goal that 200 a month
/// cannot finish by its date and a low-priority trip saved ahead of schedule.
async fn goals_user(email: &str) -> (TestApp, String, Value, Value) {
    let (app, _clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user(email).await;
    onboard(&app, &token).await;
    let car = create_goal(&app, &token, json!({"title": "New car", "category": "Vehicle", "target_amount": 12000.0,
        "saved_amount": 3000.0, "monthly_contribution": 200.0, "target_date": "2027-11-10", "priority": "high"})).await;
    let trip = create_goal(&app, &token, json!({"title": "Trip", "category": "Travel", "target_amount": 3000.0,
        "saved_amount": 500.0, "monthly_contribution": 900.0, "target_date": "2027-05-29", "priority": "low"})).await;
    (app, token, car, trip)
}

#[tokio::test]
async fn m8_the_recommendation_screen_gets_three_lists_of_cards_it_can_read_and_create() {
    let (app, token, car, _trip) = goals_user("m8@example.com").await;
    let today = day("2026-11-10");

    // Recommendations: goals to create, with every field the card and the sheet read.
    let data = app_get(&app, "/api/goals/smart_recommendations", &token).await;
    let recs = map_list(&data, "recommendations");
    // Vehicle and Travel goals exist: the emergency fund and investing are left, high first.
    let titles: Vec<&str> = recs.iter().map(|r| string(r, "title")).collect();
    assert_eq!(titles, vec!["Emergency fund", "Start investing"]);
    for r in &recs {
        assert!(["high", "medium", "low"].contains(&string(r, "priority")));
        assert!(mita::goals::CATEGORIES.contains(&string(r, "category")));
        assert!(string(r, "description").len() > 10);
        assert!(cents(&r["target_amount"]) > 0);
        assert!(cents(&r["monthly_contribution"]) > 0);
        assert!(day(string(r, "suggested_deadline")) >= today);
    }
    assert_eq!(data["count"], 2);
    assert!(data["advice"].is_array(), "the per-goal advice is kept");

    // "Create This Goal" (goals_provider.dart:223-233) posts the recommendation as it came.
    let rec = recs[0];
    let body = json!({
        "title": rec["title"],
        "description": rec.get("description").or(rec.get("reasoning")),
        "category": rec["category"],
        "target_amount": rec["target_amount"],
        "saved_amount": 0,
        "monthly_contribution": rec["monthly_contribution"],
        "priority": rec["priority"],
        "target_date": rec["suggested_deadline"],
    });
    let resp = app
        .authed(Method::POST, "/api/goals/", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let again = app_get(&app, "/api/goals/smart_recommendations", &token).await;
    let titles: Vec<&str> = map_list(&again, "recommendations")
        .iter()
        .map(|r| string(r, "title"))
        .collect();
    assert_eq!(
        titles,
        vec!["Start investing"],
        "the created goal is not offered again"
    );

    // Opportunities: every card names the goal it feeds and its amounts.
    let data = app_get(&app, "/api/goals/opportunities/detect", &token).await;
    let opps = map_list(&data, "opportunities");
    assert!(!opps.is_empty(), "{data}");
    for o in &opps {
        assert_eq!(
            string(o, "suggested_goal"),
            "New car",
            "the most important goal"
        );
        assert_eq!(string(o, "reason"), string(o, "message"));
        assert_eq!(
            cents(&o["target_amount"]),
            900_000,
            "what the car still misses"
        );
        assert_eq!(cents(&o["monthly_contribution"]), cents(&o["amount"]));
        if let Some(c) = o.get("category") {
            assert!(c.is_string(), "the chip reads a String: {c}");
        }
    }

    // Adjustments: current and suggested monthly amounts, the reason with the new date.
    let data = app_get(&app, "/api/goals/adjustments/suggestions", &token).await;
    let adjs = map_list(&data, "adjustments");
    let got: Vec<(&str, i64, i64)> = adjs
        .iter()
        .map(|a| {
            (
                string(a, "goal_title"),
                cents(&a["current_monthly"]),
                cents(&a["suggested_monthly"]),
            )
        })
        .collect();
    // 9000 over 365 days needs 750.58 a month; 2500 over 200 days 380.50.
    assert_eq!(
        got,
        vec![("New car", 20_000, 75_058), ("Trip", 90_000, 38_050)]
    );
    assert_eq!(adjs[0]["goal_id"], car["id"]);
    let reason = string(adjs[0], "reason");
    assert!(
        reason.contains("750.58") && reason.contains("2030-08-11"),
        "the card shows the date only through the reason: {reason}"
    );
}

#[tokio::test]
async fn m9_the_goal_insights_screen_reads_an_integer_score_a_date_and_sentences() {
    let (app, token, car, trip) = goals_user("m9@example.com").await;
    let health = |id: &Value| {
        let path = format!("/api/goals/{}/health", id.as_str().unwrap());
        let app = &app;
        let token = &token;
        async move { app_get(app, &path, token).await }
    };

    let h = health(&car["id"]).await;
    assert!(
        h["health_score"].is_i64(),
        "`as int`: {}",
        h["health_score"]
    );
    // 200 a month finishes on 2030-08-11, 1005 days after the target: behind, whatever the score.
    assert_eq!(h["on_track"], false);
    let predicted = day(h["predicted_completion_date"].as_str().unwrap());
    assert_eq!(predicted, day("2030-08-11"));
    assert!(predicted > day(car["target_date"].as_str().unwrap()));
    let insights = h["insights"].as_array().unwrap();
    assert!(insights.iter().all(Value::is_string), "{insights:?}");
    assert_eq!(
        insights.last().unwrap(),
        "At 200.00 a month you finish on 2030-08-11 — 1005 days after the target date."
    );
    let tips = h["recommendations"].as_array().unwrap();
    assert!(!tips.is_empty() && tips.iter().all(Value::is_string));

    // The trip is saved fast enough: on track, predicted before its date.
    let h = health(&trip["id"]).await;
    assert!(h["health_score"].is_i64());
    assert_eq!(h["on_track"], true);
    assert!(
        day(h["predicted_completion_date"].as_str().unwrap())
            <= day(trip["target_date"].as_str().unwrap())
    );

    // A cent a month towards the largest target: no date within 100 years, still a 200.
    let slow = create_goal(
        &app,
        &token,
        json!({"title": "Castle", "target_amount": 100000000.0,
        "monthly_contribution": 0.01}),
    )
    .await;
    let h = health(&slow["id"]).await;
    assert_eq!(h["predicted_completion_date"], Value::Null);
    assert!(h["health_score"].is_i64());
}

#[tokio::test]
async fn m23_income_based_suggestions_are_the_list_in_data() {
    let (app, _clock) = spawn_at(at(2026, 11, 10, 12)).await;
    let (token, _, _) = app.user("m23@example.com").await;
    onboard(&app, &token).await;
    let resp = app
        .get_as("/api/goals/income_based_suggestions", &token)
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let list = map_list(&body, "data");
    assert_eq!(list.len(), 3);
    for s in &list {
        string(s, "title");
        assert_eq!(string(s, "description"), string(s, "reason"));
        assert!(["high", "medium", "low"].contains(&string(s, "priority")));
        assert!(mita::goals::CATEGORIES.contains(&string(s, "category")));
        assert!(cents(&s["target_amount"]) > 0);
        assert_eq!(
            cents(&s["monthly_target"]),
            cents(&s["monthly_contribution"])
        );
    }
    assert_eq!(body["meta"]["monthly_income"].to_string(), "6000.00");
    assert_eq!(body["meta"]["income_tier"], "middle");
}
