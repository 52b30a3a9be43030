//! Transactions: CRUD, validation, ownership, idempotency, user-timezone days.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, error_body, spawn_app};

async fn count_rows(app: &TestApp) -> i64 {
    mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM transactions").fetch_one(pool).await).unwrap()
}

/// Writers queued for the SQLite writer (always 0 on PostgreSQL, which has no group commit).
fn count_waiting_writers(app: &TestApp) -> usize {
    match &app.db {
        mita::db::Db::Sqlite(s) => s.group.waiting(),
        mita::db::Db::Postgres(_) => usize::MAX,
    }
}

async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.authed(Method::POST, "/api/transactions", token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn create_answers_201_with_every_field_and_the_balance_impact() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("tx1@example.com").await;
    let resp = create(
        &app,
        &token,
        json!({"amount": "42.5", "category": "dining", "description": "Lunch", "merchant": "Cafe",
        "tags": ["work"], "spent_at": chrono::Utc::now().to_rfc3339()}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    let d = &body["data"];
    assert_eq!(d["user_id"], user_id);
    assert_eq!(
        d["amount"].to_string(),
        "42.50",
        "money is a JSON number with two decimals"
    );
    assert_eq!(d["category"], "dining");
    assert_eq!(d["currency"], "USD");
    assert_eq!(d["tags"], json!(["work"]));
    for f in [
        "id",
        "goal_id",
        "merchant",
        "location",
        "is_recurring",
        "confidence_score",
        "receipt_url",
        "notes",
        "spent_at",
        "created_at",
        "updated_at",
        "rebalanced",
        "rebalance_covered",
        "rebalance_fully_covered",
    ] {
        assert!(d.get(f).is_some(), "missing {f}");
    }
    let impact = &body["meta"]["balance_impact"];
    assert_eq!(
        impact["category"], "food",
        "dining lands on the food plan category"
    );
    assert_eq!(impact["amount"].to_string(), "42.50");
    assert_eq!(
        impact["budget_exceeded"], true,
        "no plan yet: any spend exceeds it"
    );

    let id = d["id"].as_str().unwrap();
    let one: Value = app
        .get_as(&format!("/api/transactions/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"]["description"], "Lunch");
    let list: Value = app
        .get_as("/api/transactions?limit=50", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn list_is_newest_first_and_filters_by_category_and_dates() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx2@example.com").await;
    let now = chrono::Utc::now();
    for (days_ago, cat) in [(3, "food"), (1, "gas"), (2, "food")] {
        let at = (now - chrono::Duration::days(days_ago)).to_rfc3339();
        assert_eq!(
            create(
                &app,
                &token,
                json!({"amount": 10, "category": cat, "spent_at": at})
            )
            .await
            .status(),
            201
        );
    }
    let list: Value = app
        .get_as("/api/transactions", &token)
        .await
        .json()
        .await
        .unwrap();
    let cats: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["category"].as_str().unwrap())
        .collect();
    assert_eq!(cats, vec!["gas", "food", "food"]);
    let food: Value = app
        .get_as("/api/transactions?category=food&limit=1", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(food["data"].as_array().unwrap().len(), 1);
    let day = (now - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let by_date: Value = app
        .get_as(&format!("/api/transactions/by-date?date={day}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_date.as_array().unwrap().len(), 1, "a bare list");
    error_body(
        app.get_as("/api/transactions?limit=0", &token).await,
        422,
        "VALIDATION_2003",
    )
    .await;
    error_body(
        app.get_as("/api/transactions?category=snacks", &token)
            .await,
        422,
        "VALIDATION_2009",
    )
    .await;
}

#[tokio::test]
async fn update_and_delete_follow_the_rules_and_deleted_ones_404() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx3@example.com").await;
    let created: Value = create(&app, &token, json!({"amount": 42, "category": "food"}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let resp = app
        .authed(Method::PUT, &format!("/api/transactions/{id}"), &token)
        .json(&json!({"amount": 100, "category": "transportation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["amount"].to_string(), "100.00");
    assert_eq!(body["data"]["category"], "transportation");
    let del = app
        .authed(Method::DELETE, &format!("/api/transactions/{id}"), &token)
        .send()
        .await
        .unwrap();
    let body: Value = del.json().await.unwrap();
    assert_eq!(body["data"], json!({"deleted": true, "transaction_id": id}));
    error_body(
        app.get_as(&format!("/api/transactions/{id}"), &token).await,
        404,
        "RESOURCE_3001",
    )
    .await;
    let list: Value = app
        .get_as("/api/transactions", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn another_users_transaction_is_404_and_stays_unchanged() {
    let app = spawn_app().await;
    let (alice, _, _) = app.user("alice-tx@example.com").await;
    let (mallory, _, _) = app.user("mallory-tx@example.com").await;
    let created: Value = create(&app, &alice, json!({"amount": 42, "category": "food"}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["data"]["id"].as_str().unwrap();
    let path = format!("/api/transactions/{id}");
    error_body(app.get_as(&path, &mallory).await, 404, "RESOURCE_3001").await;
    error_body(
        app.authed(Method::PUT, &path, &mallory)
            .json(&json!({"amount": 1}))
            .send()
            .await
            .unwrap(),
        404,
        "RESOURCE_3001",
    )
    .await;
    error_body(
        app.authed(Method::DELETE, &path, &mallory)
            .send()
            .await
            .unwrap(),
        404,
        "RESOURCE_3001",
    )
    .await;
    let mine: Value = app.get_as(&path, &alice).await.json().await.unwrap();
    assert_eq!(mine["data"]["amount"].to_string(), "42.00");
    error_body(
        app.get_as("/api/transactions/not-a-uuid", &alice).await,
        422,
        "VALIDATION_2011",
    )
    .await;
}

#[tokio::test]
async fn bad_input_is_4xx_and_writes_nothing() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx4@example.com").await;
    let far_future = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let ancient = "2001-01-01T00:00:00Z";
    for bad in [
        json!({}),
        json!({"amount": 10}),
        json!({"category": "food"}),
        json!({"amount": null, "category": "food"}),
        json!({"amount": "ten", "category": "food"}),
        json!({"amount": 1e308, "category": "food"}),
        json!({"amount": 0, "category": "food"}),
        json!({"amount": -5, "category": "food"}),
        json!({"amount": 100000.01, "category": "food"}),
        json!({"amount": 1.234, "category": "food"}),
        json!({"amount": 10, "category": "snacks"}),
        json!({"amount": 10, "category": 5}),
        json!({"amount": 10, "category": "food", "spent_at": far_future}),
        json!({"amount": 10, "category": "food", "spent_at": ancient}),
        json!({"amount": 10, "category": "food", "spent_at": "yesterday"}),
        json!({"amount": 10, "category": "food", "tags": ["a","b","c","d","e","f","g","h","i","j","k"]}),
        json!({"amount": 10, "category": "food", "description": "x".repeat(1_000_000)}),
        json!({"amount": 10, "category": "food", "goal_id": "nope"}),
        json!({"amount": 10, "category": "food", "goal_id": "00000000-0000-0000-0000-000000000000"}),
        json!({"amount": 10, "category": "food", "confidence_score": 7}),
        json!([1, 2]),
    ] {
        let resp = create(&app, &token, bad.clone()).await;
        assert!(
            resp.status().is_client_error(),
            "{}: {}",
            bad.to_string().chars().take(80).collect::<String>(),
            resp.status()
        );
    }
    assert_eq!(count_rows(&app).await, 0);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx5@example.com").await;
    let send = |body: Value| {
        app.authed(Method::POST, "/api/transactions", &token)
            .header("Idempotency-Key", "k-1")
            .json(&body)
            .send()
    };
    let first = send(json!({"amount": 12.34, "category": "food"}))
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first_body = first.text().await.unwrap();
    let again = send(json!({"amount": 12.34, "category": "food"}))
        .await
        .unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.text().await.unwrap(), first_body, "identical body");
    assert_eq!(count_rows(&app).await, 1);
    let other = send(json!({"amount": 99, "category": "food"}))
        .await
        .unwrap();
    error_body(other, 422, "VALIDATION_2001").await;
    assert_eq!(count_rows(&app).await, 1);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("mita_idempotency_replays_total{outcome=\"replayed\"} 1"));
    assert!(text.contains("mita_idempotency_replays_total{outcome=\"mismatch\"} 1"));
}

#[tokio::test]
async fn ten_concurrent_requests_with_one_key_make_exactly_one_row() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx6@example.com").await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let req = app
            .authed(Method::POST, "/api/transactions", &token)
            .header("Idempotency-Key", "same")
            .json(&json!({"amount": 5, "category": "gas"}));
        tasks.push(tokio::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status == 201 || status == 409, "{status}");
    }
    assert_eq!(count_rows(&app).await, 1);
}

#[tokio::test]
async fn concurrent_creates_by_one_user_all_succeed() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx7@example.com").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let req = app
            .authed(Method::POST, "/api/transactions", &token)
            .json(&json!({"amount": 1 + i, "category": "food"}));
        tasks.push(tokio::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    assert_eq!(count_rows(&app).await, 20);
    let status: Value = app
        .get_as("/api/transactions/budget-status", &token)
        .await
        .json()
        .await
        .unwrap();
    let food = status["data"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "food")
        .unwrap();
    assert_eq!(
        food["spent"].to_string(),
        "210.00",
        "1+2+...+20, accrued exactly once each"
    );
}

#[tokio::test]
async fn every_created_answer_is_readable_at_once_from_other_connections() {
    // Concurrent writes share commits on SQLite (group commit): a 201 must still mean the row
    // is committed, so the single read and the list (other connections) see it immediately.
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx8@example.com").await;
    // Hold the writer so that the creates queue up and commit in batches.
    let holder = app.db.begin().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (client, base, token) = (app.client.clone(), app.base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let resp = client
                .post(format!("{base}/api/transactions"))
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("seen-{i}"))
                .json(&json!({"amount": 3 + i, "category": "food"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 201);
            let body: Value = resp.json().await.unwrap();
            let id = body["data"]["id"].as_str().unwrap().to_string();
            let get = |path: String| {
                client
                    .get(format!("{base}{path}"))
                    .bearer_auth(&token)
                    .send()
            };
            let single = get(format!("/api/transactions/{id}")).await.unwrap();
            assert_eq!(single.status(), 200, "{id} not readable after its 201");
            let listed: Value = get("/api/transactions?limit=1000".into())
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                listed["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["id"] == id.as_str()),
                "{id} missing from the list after its 201"
            );
        }));
    }
    for _ in 0..2000 {
        if count_waiting_writers(&app) >= 8 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    holder.commit().await.unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(count_rows(&app).await, 16);
}

#[tokio::test]
async fn a_spend_after_midnight_in_the_users_timezone_lands_on_the_users_day() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tz@example.com").await;
    app.authed(Method::PATCH, "/api/users/me", &token)
        .json(&json!({"timezone": "Asia/Tokyo"}))
        .send()
        .await
        .unwrap();
    // 20:30 UTC yesterday is 05:30 today in Tokyo.
    let utc_yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let at = format!("{utc_yesterday}T20:30:00Z");
    let tokyo_day = (utc_yesterday + chrono::Duration::days(1)).to_string();
    assert_eq!(
        create(
            &app,
            &token,
            json!({"amount": 10, "category": "food", "spent_at": at})
        )
        .await
        .status(),
        201
    );
    let (local_date,): (chrono::NaiveDate,) =
        mita::on_db!(&app.db, pool => sqlx::query_as("SELECT local_date FROM transactions").fetch_one(pool).await).unwrap();
    assert_eq!(local_date.to_string(), tokyo_day);
    let on_day: Value = app
        .get_as(
            &format!("/api/transactions/by-date?date={tokyo_day}"),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on_day.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn merchant_suggestions_and_affordability_answer_from_the_users_data() {
    let app = spawn_app().await;
    let (token, _, _) = app.user("tx8@example.com").await;
    for m in ["Cafe Nero", "Cafe Nero", "Corner Cafe", "Books 100%"] {
        create(
            &app,
            &token,
            json!({"amount": 3, "category": "food", "merchant": m}),
        )
        .await;
    }
    let s: Value = app
        .get_as("/api/transactions/merchants/suggestions?q=cafe", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["data"], json!(["Cafe Nero", "Corner Cafe"]));
    let pct: Value = app
        .get_as(
            "/api/transactions/merchants/suggestions?query=100%25",
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pct["data"], json!(["Books 100%"]));
    let a = app
        .authed(
            Method::POST,
            "/api/transactions/check-affordability",
            &token,
        )
        .json(&json!({"category": "food", "amount": 5}))
        .send()
        .await
        .unwrap();
    let a: Value = a.json().await.unwrap();
    assert_eq!(
        a["data"]["affordable"], false,
        "no plan: nothing left today"
    );
    assert!(a["data"]["suggestion"].is_string());
    let bad = app
        .authed(
            Method::POST,
            "/api/transactions/check-affordability",
            &token,
        )
        .json(&json!({"category": "x", "amount": 5}))
        .send()
        .await
        .unwrap();
    error_body(bad, 422, "VALIDATION_2009").await;
}

#[tokio::test]
async fn the_list_built_by_the_database_equals_the_typed_transactions() {
    let app = spawn_app().await;
    let (token, _, user_id) = app.user("json-list@example.com").await;
    let now = chrono::Utc::now();
    let bodies = [
        json!({"amount": "42.5", "category": "dining", "description": "Lunch \"with\" team\n", "merchant": "Café ☕",
               "location": "Berlin", "tags": ["work", "team"], "is_recurring": true, "confidence_score": 0.85,
               "receipt_url": "https://x.io/r.png", "notes": "n", "spent_at": (now - chrono::Duration::days(2)).to_rfc3339()}),
        json!({"amount": 0.07, "category": "gas"}),
        json!({"amount": 99999.99, "category": "rent", "currency": "eur",
               "spent_at": (now - chrono::Duration::milliseconds(1_234_567)).to_rfc3339()}),
        json!({"amount": 1500, "category": "food", "spent_at": "2026-01-01T00:00:00.001Z".replace("2026-01-01", &now.format("%Y-%m-01").to_string())}),
    ];
    for b in &bodies {
        assert_eq!(create(&app, &token, b.clone()).await.status(), 201, "{b}");
    }
    let user: mita::id::Id = user_id.parse().unwrap();
    for query in [
        "",
        "?limit=2",
        "?skip=1&limit=2",
        "?category=gas",
        &format!(
            "?start_date={}",
            (now - chrono::Duration::days(1)).format("%Y-%m-%d")
        ),
    ] {
        let list: Value = app
            .get_as(&format!("/api/transactions{query}"), &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["success"], true);
        assert!(
            list["request_id"].is_string() && list["timestamp"].as_str().unwrap().ends_with('Z')
        );
        let items = list["data"].as_array().unwrap();
        for item in items {
            let one: Value = app
                .get_as(
                    &format!("/api/transactions/{}", item["id"].as_str().unwrap()),
                    &token,
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(
                item, &one["data"],
                "the list item and the single read agree"
            );
        }
        // Same rows, same order as the typed list.
        let f = mita::transactions::ListFilter {
            skip: if query.contains("skip=1") { 1 } else { 0 },
            limit: if query.contains("limit=2") { 2 } else { 50 },
            start: query
                .strip_prefix("?start_date=")
                .map(|d| d.parse().unwrap()),
            end: None,
            category: query.strip_prefix("?category=").map(|c| c.parse().unwrap()),
        };
        let typed = mita::transactions::list(&app.db, user, &f).await.unwrap();
        let ids: Vec<String> = items
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            ids,
            typed.iter().map(|t| t.id.to_string()).collect::<Vec<_>>(),
            "{query}"
        );
    }
    let empty: Value = app
        .get_as("/api/transactions?category=travel", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["data"], json!([]));
}
