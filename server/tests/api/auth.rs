//! Auth happy paths and input rules: register, login, refresh, logout, revoke, validate,
//! change-password, delete-account.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, error_body, spawn_app};

#[tokio::test]
async fn register_answers_201_with_tokens_and_the_user() {
    let app = spawn_app().await;
    let resp = app
        .post_json("/api/auth/register", &json!({"email": "Ann@Example.com", "password": PASSWORD, "country": "de", "timezone": "Europe/Berlin", "annual_income": "60000.50"}))
        .await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    let data = &body["data"];
    assert_eq!(data["token_type"], "Bearer");
    assert!(data["access_token"].as_str().unwrap().len() > 20);
    assert!(data["refresh_token"].as_str().unwrap().len() > 20);
    assert_eq!(data["user"]["email"], "ann@example.com");
    assert_eq!(data["user"]["country"], "DE");
    assert_eq!(data["user"]["is_premium"], false);
    assert!(data["user"]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(app.audit_events("register").await.len(), 1);
}

#[tokio::test]
async fn a_taken_email_is_409_and_a_weak_password_422() {
    let app = spawn_app().await;
    app.register("bob@example.com").await;
    let dup = app
        .post_json(
            "/api/auth/register",
            &json!({"email": "BOB@example.com", "password": PASSWORD}),
        )
        .await;
    error_body(dup, 409, "RESOURCE_3002").await;
    for weak in ["short1A", "alllowercase1", "NoDigitsAtAll", "Password1"] {
        let resp = app
            .post_json(
                "/api/auth/register",
                &json!({"email": "c@example.com", "password": weak}),
            )
            .await;
        let body = error_body(resp, 422, "VALIDATION_2005").await;
        assert!(
            !body.to_string().contains(weak),
            "the password is never echoed"
        );
    }
    let bad_email = app
        .post_json(
            "/api/auth/register",
            &json!({"email": "not-an-email", "password": PASSWORD}),
        )
        .await;
    error_body(bad_email, 422, "VALIDATION_2004").await;
}

#[tokio::test]
async fn bad_registration_input_is_4xx_and_creates_nothing() {
    let app = spawn_app().await;
    for bad in [
        json!({}),
        json!({"email": null, "password": PASSWORD}),
        json!({"email": "x@example.com", "password": 12345678}),
        json!({"email": "x@example.com", "password": PASSWORD, "timezone": "Mars/Base"}),
        json!({"email": "x@example.com", "password": PASSWORD, "annual_income": 1e308}),
        json!({"email": "x@example.com", "password": PASSWORD, "annual_income": "12.345"}),
        json!({"email": "x@example.com", "password": PASSWORD, "country": "USA"}),
        json!({"email": "x@example.com", "password": PASSWORD, "name": "x".repeat(1_000_000)}),
    ] {
        let resp = app.post_json("/api/auth/register", &bad).await;
        assert!(resp.status().is_client_error(), "{bad}: {}", resp.status());
    }
    let users: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await).unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn login_returns_tokens_and_last_login() {
    let app = spawn_app().await;
    app.register("dee@example.com").await;
    let resp = app.login("DEE@example.com ", PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body["data"]["access_token"].is_string());
    assert!(
        body["data"]["user"]["last_login"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(app.audit_events("login_success").await.len(), 1);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_identical_answers() {
    let app = spawn_app().await;
    app.register("eve@example.com").await;
    let strip = |mut v: Value| {
        v["error"].as_object_mut().unwrap().remove("error_id");
        v["error"].as_object_mut().unwrap().remove("timestamp");
        v
    };
    let wrong = app.login("eve@example.com", "Wrong-Passw0rd").await;
    let unknown = app.login("nobody@example.com", "Wrong-Passw0rd").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (w, u) = (
        error_body(wrong, 401, "AUTH_1001").await,
        error_body(unknown, 401, "AUTH_1001").await,
    );
    assert_eq!(strip(w), strip(u));
}

#[tokio::test]
async fn refresh_rotates_and_validate_reports_the_token() {
    let app = spawn_app().await;
    let (access, refresh, id) = app.user("fay@example.com").await;
    let v: Value = app
        .get_as("/api/auth/token/validate", &access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"]["valid"], true);
    assert_eq!(v["data"]["user_id"], id);
    assert!(v["data"]["scope"].as_str().unwrap().contains("read"));

    let resp = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let pair: Value = resp.json().await.unwrap();
    let new_access = pair["data"]["access_token"].as_str().unwrap();
    let new_refresh = pair["data"]["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, refresh);
    assert_eq!(app.get_as("/api/users/me", new_access).await.status(), 200);

    // The refresh token may also come as the Bearer header.
    let resp = app
        .authed(Method::POST, "/api/auth/refresh-token", new_refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn logout_revokes_the_access_token_and_its_refresh_token() {
    let app = spawn_app().await;
    let (access, refresh, _) = app.user("gus@example.com").await;
    let resp = app
        .authed(Method::POST, "/api/auth/logout", &access)
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body["data"]["logout_time"].as_str().unwrap().ends_with('Z'));
    error_body(app.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;
    let again = app
        .post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await;
    error_body(again, 401, "AUTH_1006").await;
    assert_eq!(app.audit_events("logout").await.len(), 1);
}

#[tokio::test]
async fn revoke_ends_only_the_presented_token() {
    let app = spawn_app().await;
    let (access, _, _) = app.user("hal@example.com").await;
    let second: Value = app
        .login("hal@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let other = second["data"]["access_token"].as_str().unwrap();
    let resp = app
        .authed(Method::POST, "/api/auth/revoke", &access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    error_body(app.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;
    assert_eq!(app.get_as("/api/users/me", other).await.status(), 200);
}

#[tokio::test]
async fn change_password_ends_every_session_and_the_new_password_works() {
    let app = spawn_app().await;
    let (access, refresh, _) = app.user("ida@example.com").await;
    let resp = app
        .authed(Method::POST, "/api/auth/change-password", &access)
        .json(&json!({"current_password": PASSWORD, "new_password": "Another-Passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The access token was issued seconds ago: it still dies (the old server let it live).
    error_body(app.get_as("/api/users/me", &access).await, 401, "AUTH_1005").await;
    error_body(
        app.post_json(
            "/api/auth/refresh-token",
            &json!({"refresh_token": refresh}),
        )
        .await,
        401,
        "AUTH_1006",
    )
    .await;
    error_body(
        app.login("ida@example.com", PASSWORD).await,
        401,
        "AUTH_1001",
    )
    .await;
    assert_eq!(
        app.login("ida@example.com", "Another-Passw0rd")
            .await
            .status(),
        200
    );
    assert_eq!(app.audit_events("password_change").await.len(), 1);
}

#[tokio::test]
async fn change_password_also_takes_query_parameters_and_checks_the_current_one() {
    let app = spawn_app().await;
    let (access, _, _) = app.user("jo@example.com").await;
    let wrong = app
        .authed(Method::POST, "/api/auth/change-password?current_password=Nope-Passw0rd&new_password=Another-Passw0rd", &access)
        .send()
        .await
        .unwrap();
    error_body(wrong, 401, "AUTH_1001").await;
    let ok = app
        .authed(Method::POST, &format!("/api/auth/change-password?current_password={PASSWORD}&new_password=Another-Passw0rd"), &access)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn delete_account_needs_confirmation_and_removes_the_user() {
    let app = spawn_app().await;
    let (access, _, _) = app.user("kim@example.com").await;
    let no = app
        .authed(Method::DELETE, "/api/auth/delete-account", &access)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    error_body(no, 422, "VALIDATION_2001").await;
    let yes = app
        .authed(Method::DELETE, "/api/auth/delete-account", &access)
        .json(&json!({"confirmation": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(yes.status(), 200);
    error_body(
        app.login("kim@example.com", PASSWORD).await,
        401,
        "AUTH_1001",
    )
    .await;
    assert_eq!(app.audit_events("account_deletion").await.len(), 1);

    let (other, _, _) = app.user("lee@example.com").await;
    let by_query = app
        .authed(
            Method::DELETE,
            "/api/auth/delete-account?confirmation=true",
            &other,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.status(), 200);
}

#[tokio::test]
async fn profile_reads_and_updates_only_the_allowed_fields() {
    let app = spawn_app().await;
    let (access, _, id) = app.user("max@example.com").await;
    let me: Value = app
        .get_as("/api/users/me", &access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["id"], id);
    assert_eq!(me["data"]["email"], "max@example.com");
    assert_eq!(me["data"]["has_onboarded"], false);

    let resp = app
        .authed(Method::PATCH, "/api/users/me", &access)
        .json(&json!({"name": "Max", "timezone": "America/New_York", "income": 5000.5, "role": "admin", "is_premium": true, "id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["name"], "Max");
    assert_eq!(body["data"]["timezone"], "America/New_York");
    assert_eq!(body["data"]["income"].to_string(), "5000.50");
    assert_eq!(
        body["data"]["role"], "basic_user",
        "unknown fields are ignored"
    );
    assert_eq!(body["data"]["is_premium"], false);

    let bad = app
        .authed(Method::PATCH, "/api/users/me", &access)
        .json(&json!({"timezone": "Nowhere/City"}))
        .send()
        .await
        .unwrap();
    error_body(bad, 422, "VALIDATION_2001").await;
    let (_, _, _) = app.user("taken@example.com").await;
    let taken = app
        .authed(Method::PATCH, "/api/users/me", &access)
        .json(&json!({"email": "taken@example.com"}))
        .send()
        .await
        .unwrap();
    // The address never changes here (issue 15): a different one is 422, taken or not.
    error_body(taken, 422, "VALIDATION_2004").await;
}

#[tokio::test]
async fn protected_routes_need_a_token() {
    let app = spawn_app().await;
    error_body(app.get("/api/users/me").await, 401, "AUTH_1004").await;
    error_body(
        app.get_as("/api/users/me", "garbage").await,
        401,
        "AUTH_1003",
    )
    .await;
}

/// Issue 18 §12: registration writes the account and its first session in one commit: when the
/// session cannot be stored, no account is left behind (a retry is not a 409).
#[tokio::test]
async fn a_registration_whose_session_fails_leaves_no_account() {
    let app = spawn_app().await;
    // Refuse every new login family, on either database.
    let statements: &[&str] = match &app.db {
        mita::db::Db::Sqlite(_) => &[
            "CREATE TRIGGER refuse_families BEFORE INSERT ON refresh_token_families \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        mita::db::Db::Postgres(_) => &[
            "CREATE FUNCTION refuse_families() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_families BEFORE INSERT ON refresh_token_families FOR EACH ROW EXECUTE FUNCTION refuse_families()",
        ],
    };
    for sql in statements {
        mita::on_write!(&app.db, pool => sqlx::query(*sql).execute(pool).await.map(|_| ()))
            .unwrap();
    }
    let resp = app
        .post_json(
            "/api/auth/register",
            &json!({"email": "atomic@example.com", "password": crate::support::PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), 500);
    let users: i64 = mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await).unwrap();
    assert_eq!(
        users, 0,
        "the account was not committed without its session"
    );
}
