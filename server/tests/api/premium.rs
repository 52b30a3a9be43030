//! Premium status and in-app purchases (docs/premium.md), against a fake store on loopback that
//! speaks Apple's `verifyReceipt` and Google's `purchases.subscriptionsv2.get` shapes.

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use mita::config::{Secret, Settings};
use mita::metrics::{ExternalService, ExternalStatus};
use reqwest::Method;
use serde_json::{Value, json};

use crate::ghn_support::{at, body, count, data, send};
use crate::support::{TestApp, spawn_full};

/// 2027-01-05T10:00:00Z, when the fake store's purchases expire.
pub const EXPIRES_MS: i64 = 1_799_143_200_000;
pub const PRODUCT: &str = "mita_premium_monthly";

/// Apple's verifyReceipt: `good-apple` is a purchase of our product (with the shared secret),
/// `foreign-app` one of another app's; anything else is not authentic (status 21003).
async fn apple(Json(req): Json<Value>) -> Json<Value> {
    let ok_secret = req["password"] == "apple-secret";
    Json(match req["receipt-data"].as_str() {
        Some(r) if r.starts_with("good-apple") && ok_secret => json!({
            "status": 0,
            "environment": "Production",
            "receipt": {"bundle_id": "com.mita.app"},
            "latest_receipt_info": [{
                "product_id": PRODUCT, "transaction_id": "2000000002", "original_transaction_id": r,
                "purchase_date_ms": (EXPIRES_MS - 2_592_000_000).to_string(),
                "expires_date_ms": EXPIRES_MS.to_string(), "is_trial_period": "false"
            }],
            "pending_renewal_info": [{"auto_renew_status": "1", "original_transaction_id": r,
                "product_id": PRODUCT}]
        }),
        Some("foreign-app") => json!({
            "status": 0,
            "latest_receipt_info": [{"product_id": "other_app_premium", "original_transaction_id": "9",
                "expires_date_ms": EXPIRES_MS.to_string()}]
        }),
        _ => json!({"status": 21003}),
    })
}

/// Google's subscriptionsv2.get: only `good-google` of our package, with the access token.
async fn google(
    headers: HeaderMap,
    Path((package, token)): Path<(String, String)>,
) -> (StatusCode, Json<Value>) {
    let authed = headers
        .get("authorization")
        .is_some_and(|v| v == "Bearer google-token");
    if !authed {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"code": 401}})),
        );
    }
    if package != "com.mita.app" || token != "good-google" {
        return (StatusCode::NOT_FOUND, Json(json!({"error": {"code": 404}})));
    }
    (
        StatusCode::OK,
        Json(json!({
            "kind": "androidpublisher#subscriptionPurchaseV2",
            "subscriptionState": "SUBSCRIPTION_STATE_ACTIVE",
            "latestOrderId": "GPA.3333-4444-5555-66666..0",
            "startTime": "2026-12-05T10:00:00Z",
            "lineItems": [{"productId": PRODUCT, "expiryTime": "2027-01-05T10:00:00Z",
                "autoRenewingPlan": {"autoRenewEnabled": false}}]
        })),
    )
}

/// Starts the fake store; returns its base URL.
pub async fn fake_store() -> String {
    let app = axum::Router::new()
        .route("/verifyReceipt", post(apple))
        .route(
            "/androidpublisher/v3/applications/{package}/purchases/subscriptionsv2/tokens/{token}",
            get(google),
        );
    mita::testing::fakes::serve(app).await
}

/// Points `s` at the store at `base`.
pub fn configure(s: &mut Settings, base: &str) {
    s.iap.apple_verify_url = Some(format!("{base}/verifyReceipt"));
    s.iap.apple_shared_secret = Some(Secret::new("apple-secret"));
    s.iap.google_api_url = Some(base.to_string());
    s.iap.google_package = Some("com.mita.app".into());
    s.iap.google_access_token = Some(Secret::new("google-token"));
    s.iap.allowed_products = vec![PRODUCT.to_string()];
    s.iap.breaker_threshold = 2;
}

/// A server (real clock) with the fake store configured (the privacy tests).
pub async fn spawn_with_store() -> TestApp {
    let base = fake_store().await;
    crate::support::spawn_with(|s| configure(s, &base), axum::Router::new()).await
}

/// A server at 2026-12-05 10:00 UTC whose settings `configure` changes.
pub async fn spawn_at_with(configure: impl FnOnce(&mut Settings)) -> (TestApp, mita::clock::Clock) {
    let clock = mita::clock::Clock::manual(at(2026, 12, 5, 10));
    let test_db = mita::testing::TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let app = spawn_full(test_db, db, configure, axum::Router::new(), clock.clone()).await;
    (app, clock)
}

async fn validate(
    app: &TestApp,
    token: &str,
    id: &str,
    receipt: &str,
    platform: &str,
) -> reqwest::Response {
    let b = json!({"user_id": id, "receipt": receipt, "platform": platform});
    send(app, Method::POST, "/api/iap/validate", token, Some(&b)).await
}

async fn rows(app: &TestApp) -> (i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM subscriptions").await,
        count(app, "SELECT COUNT(*) FROM subscription_events").await,
    )
}

#[tokio::test]
async fn without_a_store_url_validation_is_503_and_changes_nothing() {
    let (app, _clock) = spawn_at_with(|_| {}).await;
    let (token, _, id) = app.user("iap-unconfigured@example.com").await;
    let b = body(validate(&app, &token, &id, "good-apple", "ios").await, 503).await;
    assert!(b["error"]["message"].is_string());
    body(
        validate(&app, &token, &id, "good-google", "android").await,
        503,
    )
    .await;
    assert_eq!(rows(&app).await, (0, 0));
    let d = data(
        &app,
        Method::GET,
        &format!("/api/users/{id}/premium-status"),
        &token,
        None,
    )
    .await;
    assert_eq!(d["is_premium"], false);
}

#[tokio::test]
async fn only_a_receipt_the_store_confirms_grants_premium_and_only_to_its_owner() {
    let base = fake_store().await;
    let (app, clock) = spawn_at_with(|s| configure(s, &base)).await;
    let (alice, _, alice_id) = app.user("iap-alice@example.com").await;
    let (bob, _, bob_id) = app.user("iap-bob@example.com").await;
    let status = |id: &str| format!("/api/users/{id}/premium-status");

    let d = data(&app, Method::GET, &status(&alice_id), &alice, None).await;
    assert_eq!(
        (d["is_premium"].clone(), d["subscription"].clone()),
        (json!(false), Value::Null)
    );
    let d = data(
        &app,
        Method::GET,
        &format!("/api/users/{alice_id}/premium-features"),
        &alice,
        None,
    )
    .await;
    assert_eq!(d["features"], json!([]));

    // A forged receipt and another app's purchase are refused; nothing is stored.
    let b = body(
        validate(&app, &alice, &alice_id, "forged-receipt", "ios").await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "body.receipt"
    );
    body(
        validate(&app, &alice, &alice_id, "foreign-app", "ios").await,
        422,
    )
    .await;
    body(
        validate(&app, &alice, &alice_id, "forged-token", "android").await,
        422,
    )
    .await;
    body(validate(&app, &alice, &alice_id, "x", "windows").await, 422).await;
    assert_eq!(rows(&app).await, (0, 0));
    // Naming another user is 404.
    body(
        validate(&app, &alice, &bob_id, "good-apple", "ios").await,
        404,
    )
    .await;
    assert_eq!(rows(&app).await, (0, 0));

    // The real purchase: premium until 2027-01-05, the subscription also at the body's top.
    let b = body(
        validate(&app, &alice, &alice_id, "good-apple", "ios").await,
        200,
    )
    .await;
    assert_eq!(b["data"]["is_premium"], true);
    assert_eq!(b["data"]["premium_source"], "subscription");
    assert_eq!(b["subscription"], b["data"]["subscription"]);
    let sub = &b["subscription"];
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["product_id"], PRODUCT);
    assert_eq!(sub["platform"], "ios");
    assert_eq!(sub["auto_renew"], true);
    assert_eq!(sub["trial_period"], false);
    assert_eq!(sub["expires_at"], "2027-01-05T10:00:00.000Z");
    let apple_sub = sub["subscription_id"].as_str().unwrap().to_string();
    let d = data(
        &app,
        Method::GET,
        &format!("/api/users/{alice_id}/premium-features"),
        &alice,
        None,
    )
    .await;
    assert_eq!(d["features"].as_array().unwrap().len(), 8);
    assert!(
        d["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "advanced_ocr")
    );
    // Validating again updates the same purchase.
    body(
        validate(&app, &alice, &alice_id, "good-apple", "ios").await,
        200,
    )
    .await;
    assert_eq!(rows(&app).await, (1, 2));

    // Bob cannot take Alice's purchase, nor read or change her premium objects.
    body(
        validate(&app, &bob, &bob_id, "good-apple", "ios").await,
        409,
    )
    .await;
    assert_eq!(rows(&app).await, (1, 2));
    for path in [
        status(&alice_id),
        format!("/api/users/{alice_id}/premium-features"),
        format!("/api/users/{alice_id}/subscription-history"),
    ] {
        body(send(&app, Method::GET, &path, &bob, None).await, 404).await;
    }
    body(
        send(
            &app,
            Method::GET,
            "/api/users/nope/premium-status",
            &bob,
            None,
        )
        .await,
        422,
    )
    .await;
    let cancel = json!({"user_id": bob_id, "status": "cancelled", "expires_at": "2026-12-06T00:00:00", "updated_by": "mobile_app"});
    body(
        send(
            &app,
            Method::PUT,
            &format!("/api/subscriptions/{apple_sub}/status"),
            &bob,
            Some(&cancel),
        )
        .await,
        404,
    )
    .await;
    let d = data(&app, Method::GET, &status(&bob_id), &bob, None).await;
    assert_eq!(d["is_premium"], false);

    // Google: the order id without its renewal suffix identifies the purchase.
    let b = body(
        validate(&app, &alice, &alice_id, "good-google", "android").await,
        200,
    )
    .await;
    assert_eq!(b["data"]["is_premium"], true);
    assert_eq!(rows(&app).await, (2, 3));
    let stored: String = mita::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT store_id FROM subscriptions WHERE platform = 'android'").fetch_one(pool).await)
    .unwrap();
    assert_eq!(stored, "GPA.3333-4444-5555-66666");

    // The app may end a subscription, never start one.
    let path = format!("/api/subscriptions/{apple_sub}/status");
    let activate =
        json!({"user_id": alice_id, "status": "active", "expires_at": "2030-01-01T00:00:00"});
    let b = body(
        send(&app, Method::PUT, &path, &alice, Some(&activate)).await,
        422,
    )
    .await;
    assert_eq!(
        b["error"]["details"]["validation_errors"][0]["field"],
        "body.status"
    );
    let cancel = json!({"user_id": alice_id, "status": "cancelled", "expires_at": "2030-01-01T00:00:00", "metadata": {}, "updated_by": "mobile_app"});
    let d = data(&app, Method::PUT, &path, &alice, Some(&cancel)).await;
    assert_eq!(d["subscription"]["status"], "cancelled");
    assert_eq!(d["subscription"]["auto_renew"], false);
    assert_eq!(d["subscription"]["expires_at"], "2027-01-05T10:00:00.000Z");

    let h = data(
        &app,
        Method::GET,
        &format!("/api/users/{alice_id}/subscription-history"),
        &alice,
        None,
    )
    .await;
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 4);
    assert_eq!(
        (h[0]["event"].as_str(), h[0]["source"].as_str()),
        (Some("status_changed"), Some("app"))
    );
    assert_eq!(h[0]["status"], "cancelled");
    assert_eq!(h[3]["event"], "validated");
    assert_eq!(h[3]["source"], "store");

    // After the expiry nothing is premium any more.
    clock.set_ms(EXPIRES_MS + 1);
    let login = app
        .login("iap-alice@example.com", crate::support::PASSWORD)
        .await;
    let alice = login.json::<Value>().await.unwrap()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let d = data(&app, Method::GET, &status(&alice_id), &alice, None).await;
    assert_eq!(d["is_premium"], false);
    assert_eq!(d["features"], json!([]));
}

#[tokio::test]
async fn a_store_that_does_not_answer_is_503_then_the_breaker_opens_and_nothing_changes() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (app, _clock) = spawn_at_with(|s| configure(s, &base)).await;
    let (token, _, id) = app.user("iap-down@example.com").await;
    for _ in 0..2 {
        body(validate(&app, &token, &id, "good-apple", "ios").await, 503).await;
    }
    // Threshold 2: the third call is refused without trying.
    body(validate(&app, &token, &id, "good-apple", "ios").await, 503).await;
    let open = app
        .state
        .metrics
        .external_api_requests_total
        .get((ExternalService::Iap, ExternalStatus::CircuitOpen));
    assert_eq!(open, 1);
    assert_eq!(rows(&app).await, (0, 0));
}
