//! M2 `POST /api/calendar/shell` (api_service.dart:1240-1422 `getCalendar`): amounts come from
//! the app's double arithmetic (`income * 0.2`), weights from its sliders (`9 / 37`), and the
//! answer's days are read as `{date, limit, total ?? spent, planned_budget}`.

use chrono::Datelike;
use chrono::Utc;
use serde_json::Value;

use crate::onboarding::cents;
use crate::support::spawn_app;

#[tokio::test]
async fn the_apps_shell_request_is_answered_with_days_that_spent_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("m2@example.com").await;
    let now = Utc::now();
    // What Dart's jsonEncode writes for income 1001.0 and the default sliders.
    let body = format!(
        r#"{{"savings_target": 200.20000000000002, "income": 1001.0, "location": null,
            "fixed": {{"rent": 300.3, "utilities": 50.050000000000004, "insurance": 40.04, "internet": 20.0}},
            "weights": {{"food": 0.24324324324324326, "transportation": 0.24324324324324326,
                         "entertainment": 0.15, "shopping": 0.10, "healthcare": 0.07}},
            "year": {}, "month": {}}}"#,
        now.year(),
        now.month()
    );
    let resp = app
        .authed(reqwest::Method::POST, "/api/calendar/shell", &token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let data = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(
        cents(&data["savings_target"]),
        20_020,
        "rounded to the cent"
    );
    assert_eq!(
        cents(&data["allocations"]["utilities"]),
        5_005 + 2_000,
        "utilities 50.05 and internet 20"
    );
    // 1001 × 24.32 % = 243.4432 → floor to the cent (before any scaling down).
    assert!(cents(&data["allocations"]["food"]) <= 24_344);
    let days = data["calendar"].as_array().unwrap();
    assert_eq!(
        days.len() as u32,
        mita::budget::days::days_in_month(now.year(), now.month())
    );
    for d in days {
        assert!(
            d.get("total").is_none(),
            "the app would read it as spent: {d}"
        );
        assert_eq!(cents(&d["spent"]), 0);
        assert!(d["limit"].is_number());
        assert!(d["planned_budget"].is_object());
        assert!(d["date"].is_string());
    }
}
