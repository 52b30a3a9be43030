//! `/`, `/health`, `/ready`, `/openapi.json`, `/docs`.

use crate::support::{assert_standard_headers, spawn_app};

#[tokio::test]
async fn root_names_the_service() {
    let app = spawn_app().await;
    let body: serde_json::Value = app.get("/").await.json().await.unwrap();
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["service"], "mita-finance-api");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn health_reports_the_database_and_migrations() {
    let app = spawn_app().await;
    let resp = app.get("/health").await;
    assert_eq!(resp.status(), 200);
    assert_standard_headers(&resp);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["database"], "connected");
    assert_eq!(body["migrations"], "current");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(body["commit"].is_string());
}

#[tokio::test]
async fn ready_is_200_when_the_database_answers_and_migrations_are_current() {
    let app = spawn_app().await;
    let resp = app.get("/ready").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn ready_is_503_while_migrations_are_pending_and_health_stays_200() {
    let test_db = mita::testing::TestDatabase::create().await.unwrap();
    let db = mita::db::Db::connect(&test_db.settings()).await.unwrap();
    let app = crate::support::spawn_on(test_db, db.clone(), |_| {}, axum::Router::new()).await;

    let resp = app.get("/ready").await;
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["reason"], "migrations pending");

    let health: serde_json::Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["migrations"], "pending");

    db.migrate().await.unwrap();
    assert_eq!(
        app.get("/ready").await.status(),
        200,
        "ready without a restart once migrated"
    );
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    let app = spawn_app().await;
    let resp = app.get("/openapi.json").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let doc: serde_json::Value = resp.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/", "/health", "/ready", "/api/errors/report"] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn docs_page_is_served_from_the_binary() {
    let app = spawn_app().await;
    let resp = app.get("/docs/").await;
    assert_eq!(resp.status(), 200);
    assert_standard_headers(&resp);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "the Swagger UI page");
    assert!(!html.contains("https://"), "no assets from a CDN");
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/openapi.json"));
}

/// Issue 19: the request bodies in `/openapi.json` are the types the handlers deserialize
/// (derived in the core), not hand-kept copies; and no two schemas share a name (a shared name
/// silently replaced one schema by the other).
#[test]
fn openapi_request_bodies_are_the_types_the_handlers_read() {
    let doc = serde_json::to_value(mita_server::app::openapi()).unwrap();
    let body = |method: &str, path: &str| {
        let schema =
            &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        schema["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or_else(|| panic!("{method} {path}: no request body schema"))
            .to_string()
    };
    for (method, path, ty) in [
        ("post", "/api/transactions", "TransactionInput"),
        ("post", "/api/goals", "GoalInput"),
        ("post", "/api/goals/{id}/add_savings", "AmountInput"),
        ("post", "/api/installments", "InstallmentInput"),
        ("post", "/api/installments/calculator", "CalculatorInput"),
        ("post", "/api/installments/profile", "ProfileInput"),
        ("post", "/api/onboarding/submit", "Submission"),
        ("patch", "/api/users/me", "ProfileUpdate"),
        ("post", "/api/recurring", "RecurringInput"),
        ("post", "/api/rules", "NewRule"),
        ("post", "/api/habits", "HabitInput"),
        ("post", "/api/mood", "MoodInput"),
        ("post", "/api/auth/register", "Registration"),
        (
            "post",
            "/api/notifications/register-device",
            "DeviceRegistration",
        ),
        ("post", "/api/calendar/shell", "ShellRequest"),
        ("post", "/api/errors/report", "ClientErrorReport"),
        ("patch", "/api/budget/mode", "ModeBody"),
    ] {
        assert_eq!(body(method, path), ty, "{method} {path}");
    }
    let props = |name: &str| {
        let p = &doc["components"]["schemas"][name]["properties"];
        assert!(p.is_object(), "schema {name} missing");
        p.as_object().unwrap().keys().cloned().collect::<Vec<_>>()
    };
    // The fields and aliases the app may send, with the core's field docs.
    let tx = props("TransactionInput");
    for f in [
        "amount",
        "category",
        "spent_at",
        "goal_id",
        "confidence_score",
    ] {
        assert!(tx.contains(&f.to_string()), "TransactionInput.{f}");
    }
    let amount = &doc["components"]["schemas"]["TransactionInput"]["properties"]["amount"];
    assert!(amount.to_string().contains("/Money"), "{amount}");
    assert!(props("GoalInput").contains(&"deadline".to_string()));
    // Same-named types answer their own schema.
    for (name, field) in [
        ("Registration", "password"),
        ("DeviceRegistration", "push_token"),
        ("TransactionDeleted", "transaction_id"),
        ("HabitDeleted", "habit_id"),
        ("NotificationDeleted", "notification_id"),
        ("GoalDeleted", "status"),
        ("InstallmentDeleted", "status"),
        ("ProfileDoc", "email"),
        ("FinancialProfileDoc", "total_monthly_obligations"),
        ("PreferencesDoc", "push_enabled"),
        ("BehaviorPreferencesDoc", "auto_insights"),
    ] {
        assert!(props(name).contains(&field.to_string()), "{name}.{field}");
    }
}
