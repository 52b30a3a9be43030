//! `GET /api/referral/code`: the caller's invite code (docs/referral.md).

use serde_json::Value;

use crate::support::{error_body, spawn_app};

async fn code(app: &crate::support::TestApp, token: &str) -> String {
    let resp = app.get_as("/api/referral/code", token).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    // The app reads `data.code` as a string (api_service.dart:2090, user_provider.dart:263).
    body["data"]["code"]
        .as_str()
        .expect("data.code")
        .to_string()
}

async fn stored(app: &crate::support::TestApp, user: &str) -> Option<String> {
    let id: mita::id::Id = user.parse().unwrap();
    mita::on_db!(&app.db, pool => sqlx::query_scalar("SELECT referral_code FROM users WHERE id = $1")
        .bind(id).fetch_one(pool).await)
    .unwrap()
}

#[tokio::test]
async fn the_app_reads_its_invite_code_from_data_code_and_it_never_changes() {
    let app = spawn_app().await;
    let (token, _, user) = app.user("invite@example.com").await;
    assert_eq!(stored(&app, &user).await, None, "made on first request");
    let first = code(&app, &token).await;
    assert!(mita::referral::is_code(&first), "{first}");
    assert_eq!(stored(&app, &user).await.as_deref(), Some(first.as_str()));
    assert_eq!(code(&app, &token).await, first);
    // A new session of the same user: the same code.
    let login = app
        .login("invite@example.com", crate::support::PASSWORD)
        .await;
    let body: Value = login.json().await.unwrap();
    let again = body["data"]["access_token"].as_str().unwrap();
    assert_eq!(code(&app, again).await, first);
}

#[tokio::test]
async fn each_user_has_a_code_of_their_own_and_a_clash_draws_again() {
    let app = spawn_app().await;
    let (a_token, _, _) = app.user("first@example.com").await;
    let (b_token, _, b) = app.user("second@example.com").await;
    let (_, _, c) = app.user("third@example.com").await;
    let a_code = code(&app, &a_token).await;
    let b_code = code(&app, &b_token).await;
    assert_ne!(a_code, b_code);

    // The first draws are codes other users hold: each is refused by the unique index and the
    // next draw is taken; the holders keep theirs.
    let mut draws = vec![a_code.clone(), b_code.clone(), "7K3M9XQ2".to_string()].into_iter();
    let c_id = c.parse().unwrap();
    let got = mita::referral::code_with(&app.db, c_id, || draws.next().unwrap())
        .await
        .unwrap();
    assert_eq!(got, "7K3M9XQ2");
    assert_eq!(stored(&app, &c).await.as_deref(), Some("7K3M9XQ2"));
    assert_eq!(stored(&app, &b).await.as_deref(), Some(b_code.as_str()));
    assert_eq!(code(&app, &a_token).await, a_code);

    // Nothing but clashes: a clear 503 to retry, and nothing stored.
    let (_, _, d) = app.user("fourth@example.com").await;
    let err = mita::referral::code_with(&app.db, d.parse().unwrap(), || a_code.clone())
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(stored(&app, &d).await, None);
}

#[tokio::test]
async fn first_requests_at_once_agree_on_one_code() {
    let app = spawn_app().await;
    let (token, _, user) = app.user("race@example.com").await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let req = app.authed(reqwest::Method::GET, "/api/referral/code", &token);
            tokio::spawn(async move {
                let body: Value = req.send().await.unwrap().json().await.unwrap();
                body["data"]["code"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let kept = stored(&app, &user).await.expect("a code");
    assert!(answers.iter().all(|c| *c == kept), "{answers:?} vs {kept}");
}

#[tokio::test]
async fn without_a_token_it_is_401() {
    let app = spawn_app().await;
    let resp = app.get("/api/referral/code").await;
    error_body(resp, 401, "AUTH_1004").await;
}
