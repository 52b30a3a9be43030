//! Categorisation rules (docs/rules.md): CRUD under /api/rules (another user's rule is 404 and
//! unchanged), one test per condition and per action on a spend created without a category,
//! rule order, bounded regular expressions.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, error_body, spawn_app};

async fn rule(app: &TestApp, token: &str, body: Value) -> Value {
    let resp = app
        .authed(Method::POST, "/api/rules", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json::<Value>().await.unwrap()["data"].clone()
}

/// Creates a spend without a category; returns (status, data).
async fn spend(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let resp = app
        .authed(Method::POST, "/api/transactions", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    (status, body["data"].clone())
}

#[tokio::test]
async fn crud_and_another_users_rule_is_404_and_unchanged() {
    let app = spawn_app().await;
    let (ana, _, _) = app.user("ana-rules@example.com").await;
    let (bob, _, _) = app.user("bob-rules@example.com").await;
    let made = rule(
        &app,
        &ana,
        json!({"name": "coffee", "payee_contains": "starbucks", "min_amount": 1.5, "max_amount": 20,
               "set_category": "food", "add_tag": "coffee"}),
    )
    .await;
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["position"], 1);
    assert_eq!(made["min_amount"], 1.5);
    assert_eq!(made["max_amount"], 20.0);
    assert_eq!(made["set_category"], "food");
    let second = rule(
        &app,
        &ana,
        json!({"name": "b", "account": "x", "add_tag": "t"}),
    )
    .await;
    assert_eq!(second["position"], 2);

    let listed: Value = app.get_as("/api/rules", &ana).await.json().await.unwrap();
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![id.as_str(), second["id"].as_str().unwrap()]);
    let one: Value = app
        .get_as(&format!("/api/rules/{id}"), &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"]["name"], "coffee");

    // Bob: empty list, 404 on every {id} route, Ana's rule unchanged.
    let bobs: Value = app.get_as("/api/rules", &bob).await.json().await.unwrap();
    assert_eq!(bobs["data"], json!([]));
    error_body(
        app.get_as(&format!("/api/rules/{id}"), &bob).await,
        404,
        "RESOURCE_3001",
    )
    .await;
    let resp = app
        .authed(Method::PUT, &format!("/api/rules/{id}"), &bob)
        .json(&json!({"name": "stolen", "payee_contains": "x", "set_category": "other"}))
        .send()
        .await
        .unwrap();
    error_body(resp, 404, "RESOURCE_3001").await;
    let resp = app
        .authed(Method::DELETE, &format!("/api/rules/{id}"), &bob)
        .send()
        .await
        .unwrap();
    error_body(resp, 404, "RESOURCE_3001").await;
    let still: Value = app
        .get_as(&format!("/api/rules/{id}"), &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["data"], one["data"]);

    // Replace keeps the position.
    let resp = app
        .authed(Method::PUT, &format!("/api/rules/{id}"), &ana)
        .json(
            &json!({"name": "cafe", "payee_matches": "^caf(e|é)", "set_category": "entertainment"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let replaced = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(replaced["name"], "cafe");
    assert_eq!(replaced["position"], 1);
    assert!(replaced["payee_contains"].is_null());
    assert!(replaced["min_amount"].is_null());

    let resp = app
        .authed(Method::DELETE, &format!("/api/rules/{id}"), &ana)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["data"],
        json!({"deleted": true, "rule_id": id})
    );
    error_body(
        app.get_as(&format!("/api/rules/{id}"), &ana).await,
        404,
        "RESOURCE_3001",
    )
    .await;
    error_body(
        app.get_as("/api/rules/nope", &ana).await,
        422,
        "VALIDATION_2011",
    )
    .await;
}

#[tokio::test]
async fn bad_rules_are_422_naming_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let (t, _, _) = app.user("bad-rules@example.com").await;
    for (body, field) in [
        (
            json!({"name": "", "payee_contains": "x", "set_category": "food"}),
            "body.name",
        ),
        (
            json!({"name": "r", "payee_matches": "(", "set_category": "food"}),
            "body.payee_matches",
        ),
        (
            json!({"name": "r", "payee_matches": "a{1000}{1000}", "set_category": "food"}),
            "body.payee_matches",
        ),
        (
            json!({"name": "r", "payee_matches": "x".repeat(201), "set_category": "food"}),
            "body.payee_matches",
        ),
        (
            json!({"name": "r", "payee_contains": "x", "set_category": "caviar"}),
            "body.set_category",
        ),
        (
            json!({"name": "r", "min_amount": 5, "max_amount": 1, "set_category": "food"}),
            "body.max_amount",
        ),
        (json!({"name": "r", "set_category": "food"}), "body"),
        (json!({"name": "r", "payee_contains": "x"}), "body"),
    ] {
        let resp = app
            .authed(Method::POST, "/api/rules", &t)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert_eq!(
            err["error"]["details"]["validation_errors"][0]["field"], field,
            "{err}"
        );
    }
    let listed: Value = app.get_as("/api/rules", &t).await.json().await.unwrap();
    assert_eq!(listed["data"], json!([]));
}

#[tokio::test]
async fn each_condition_and_action_on_a_spend_without_category() {
    let app = spawn_app().await;
    let (t, _, _) = app.user("cond@example.com").await;

    // Without rules a missing category stays a 422.
    let (status, _) = spend(&app, &t, json!({"amount": 3, "merchant": "Starbucks"})).await;
    assert_eq!(status, 422);

    // payee contains (any case), on the merchant.
    rule(&app, &t, json!({"name": "c", "payee_contains": "STARBUCKS", "set_category": "food", "add_tag": "coffee"})).await;
    let (status, tx) = spend(&app, &t, json!({"amount": 3, "merchant": "Starbucks #12"})).await;
    assert_eq!(status, 201, "{tx}");
    assert_eq!(tx["category"], "food");
    assert_eq!(tx["tags"], json!(["coffee"]));

    // payee matches a regular expression, on the description when no merchant.
    rule(
        &app,
        &t,
        json!({"name": "m", "payee_matches": "^uber\\s+trip", "set_category": "transportation",
                          "set_description": "Taxi"}),
    )
    .await;
    let (status, tx) = spend(
        &app,
        &t,
        json!({"amount": 12, "description": "UBER   trip 88"}),
    )
    .await;
    assert_eq!(status, 201, "{tx}");
    assert_eq!(tx["category"], "transportation");
    assert_eq!(tx["description"], "Taxi");
    let (status, _) = spend(
        &app,
        &t,
        json!({"amount": 12, "description": "my uber trip"}),
    )
    .await;
    assert_eq!(status, 422, "the pattern is anchored");

    // amount range, inclusive at both ends.
    rule(
        &app,
        &t,
        json!({"name": "a", "min_amount": 1000, "max_amount": 2000, "set_category": "shopping"}),
    )
    .await;
    for (amount, category) in [
        (999.99, None),
        (1000.0, Some("shopping")),
        (2000.0, Some("shopping")),
        (2000.01, None),
    ] {
        let (status, tx) = spend(&app, &t, json!({"amount": amount, "description": "store"})).await;
        match category {
            Some(c) => {
                assert_eq!(status, 201, "{amount}");
                assert_eq!(tx["category"], c);
            }
            None => assert_eq!(status, 422, "{amount}"),
        }
    }

    // account: only rows of an import of that account; never a typed spend.
    rule(
        &app,
        &t,
        json!({"name": "acc", "account": "checking", "set_category": "utilities"}),
    )
    .await;
    let (status, _) = spend(&app, &t, json!({"amount": 5, "description": "power"})).await;
    assert_eq!(status, 422);

    // A category given by the caller is kept: rules only run when it is missing.
    let (status, tx) = spend(
        &app,
        &t,
        json!({"amount": 3, "merchant": "Starbucks", "category": "entertainment"}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(tx["category"], "entertainment");
    assert_eq!(tx["tags"], json!([]));
}

#[tokio::test]
async fn rules_run_in_order_the_first_category_wins_and_tags_add_up() {
    let app = spawn_app().await;
    let (t, _, _) = app.user("order@example.com").await;
    rule(&app, &t, json!({"name": "1", "payee_contains": "market", "set_category": "food", "add_tag": "groceries"})).await;
    rule(&app, &t, json!({"name": "2", "payee_contains": "market", "set_category": "shopping", "add_tag": "weekly",
                          "set_description": "Weekly shop"})).await;
    let (status, tx) = spend(
        &app,
        &t,
        json!({"amount": 40, "merchant": "Fresh Market", "tags": ["mine"]}),
    )
    .await;
    assert_eq!(status, 201, "{tx}");
    assert_eq!(tx["category"], "food");
    assert_eq!(tx["description"], "Weekly shop");
    assert_eq!(tx["tags"], json!(["mine", "groceries", "weekly"]));

    // The plan reacts exactly as to a typed spend: the same create path.
    let listed: Value = app
        .get_as("/api/transactions?category=food", &t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
}

/// (date, category, planned, spent) of the user's own plan rows.
async fn plan(app: &TestApp, user: &str) -> Vec<(String, String, i64, i64)> {
    let rows: Vec<(chrono::NaiveDate, String, i64, i64)> =
        mita::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT date, category, planned_cents, spent_cents FROM daily_plan \
         WHERE user_id = $1 AND goal_id IS NULL ORDER BY date, category")
        .bind(user.parse::<mita::id::Id>().unwrap()).fetch_all(pool).await)
        .unwrap();
    rows.into_iter()
        .map(|(d, c, p, s)| (d.to_string(), c, p, s))
        .collect()
}

#[tokio::test]
async fn apply_previews_then_rewrites_past_spends_and_the_plan_as_if_typed() {
    use crate::ghn_support::{at, spawn_at};
    use crate::onboarding::onboard;
    let (app, _) = spawn_at(at(2026, 11, 20, 12)).await;
    let (ana, _, ana_id) = app.user("apply-ana@example.com").await;
    let (twin, _, twin_id) = app.user("apply-twin@example.com").await;
    let (bob, _, _) = app.user("apply-bob@example.com").await;
    onboard(&app, &ana).await;
    onboard(&app, &twin).await;
    for (merchant, amount) in [("Netflix", 15.99), ("Cinema", 12.0), ("NETFLIX.COM", 15.99)] {
        let (s, _) = spend(
            &app,
            &ana,
            json!({"amount": amount, "merchant": merchant, "category": "entertainment"}),
        )
        .await;
        assert_eq!(s, 201);
    }
    // The twin typed the same spends with the categories the rule will give.
    for (merchant, amount, category) in [
        ("Netflix", 15.99, "utilities"),
        ("Cinema", 12.0, "entertainment"),
        ("NETFLIX.COM", 15.99, "utilities"),
    ] {
        let (s, _) = spend(
            &app,
            &twin,
            json!({"amount": amount, "merchant": merchant, "category": category}),
        )
        .await;
        assert_eq!(s, 201);
    }
    let r = rule(
        &app,
        &ana,
        json!({"name": "streaming", "payee_contains": "netflix", "set_category": "utilities",
                                     "add_tag": "subscription"}),
    )
    .await;
    let id = r["id"].as_str().unwrap();
    let before = plan(&app, &ana_id).await;

    // Preview: the two Netflix spends, nothing written.
    let resp = app
        .authed(Method::POST, &format!("/api/rules/{id}/apply"), &ana)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let preview = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(preview["applied"], false);
    assert_eq!(preview["scanned"], 3);
    assert_eq!(preview["matched"], 2);
    let changes = preview["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    for c in changes {
        assert_eq!(c["category"], "entertainment");
        assert_eq!(c["new_category"], "utilities");
        assert_eq!(c["new_tags"], json!(["subscription"]));
        assert_eq!(c["amount"], 15.99);
    }
    assert_eq!(plan(&app, &ana_id).await, before);
    let food: Value = app
        .get_as("/api/transactions?category=utilities", &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(food["data"].as_array().map(Vec::len), Some(0));

    // Bob: 404, nothing changed.
    let resp = app
        .authed(Method::POST, &format!("/api/rules/{id}/apply"), &bob)
        .json(&json!({"confirm": true}))
        .send()
        .await
        .unwrap();
    error_body(resp, 404, "RESOURCE_3001").await;
    assert_eq!(plan(&app, &ana_id).await, before);

    // Confirm: written, and the plan is the twin's, who typed the final categories.
    let resp = app
        .authed(Method::POST, &format!("/api/rules/{id}/apply"), &ana)
        .json(&json!({"confirm": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let done = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(done["applied"], true);
    assert_eq!(done["changes"].as_array().unwrap().len(), 2);
    let utilities: Value = app
        .get_as("/api/transactions?category=utilities", &ana)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        utilities["data"].as_array().map(Vec::len),
        Some(2),
        "{utilities}"
    );
    // Spent per (day, category) is the twin's; the utilities overspend the move made was covered
    // from later days as the twin's typed spend was (the planned amounts differ only by which
    // earlier covers each took: covers depend on the order of events).
    let spent = |rows: Vec<(String, String, i64, i64)>| {
        rows.into_iter()
            .filter(|r| r.3 != 0)
            .map(|(d, c, _, s)| (d, c, s))
            .collect::<Vec<_>>()
    };
    let after = plan(&app, &ana_id).await;
    assert_eq!(spent(after.clone()), spent(plan(&app, &twin_id).await));
    let utilities_day = after
        .iter()
        .find(|r| r.0 == "2026-11-20" && r.1 == "utilities")
        .unwrap();
    assert_eq!(
        (utilities_day.2, utilities_day.3),
        (3198, 3198),
        "{after:?}"
    );
    let total = |rows: &[(String, String, i64, i64)]| rows.iter().map(|r| r.2).sum::<i64>();
    assert_eq!(
        total(&after),
        total(&before),
        "covers move money, never make it"
    );

    // Again: nothing left to change.
    let resp = app
        .authed(Method::POST, &format!("/api/rules/{id}/apply"), &ana)
        .json(&json!({"confirm": true}))
        .send()
        .await
        .unwrap();
    let again = resp.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(again["matched"], 2);
    assert_eq!(again["changes"], json!([]));
}
