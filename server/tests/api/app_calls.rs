//! The mobile app's own requests (issue 17: the `MISMATCH` rows of the contract's
//! `app-calls-detail.tsv`): each test sends the body the client builds, as it builds it, and
//! asserts the fields the client reads.

mod affordability;
mod budget;
mod calendar;
mod errors;
mod goals;
mod insights;
mod installments;
mod onboarding;
mod receipt;
mod transactions;
mod users;

use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

/// `data` of a 200 answer to a GET.
pub async fn data(app: &TestApp, path: &str, token: &str) -> Value {
    let resp = app.get_as(path, token).await;
    assert_eq!(resp.status(), 200, "{path}");
    resp.json::<Value>().await.unwrap()["data"].clone()
}

/// Sends `body` with `method`; returns the answer.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> reqwest::Response {
    app.authed(method, path, token)
        .json(body)
        .send()
        .await
        .unwrap()
}
