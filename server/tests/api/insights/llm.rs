//! The LLM enrichment against a fake OpenAI-compatible chat API on loopback: slow → timeout →
//! rule answer; down → the breaker opens and the fake is no longer called; up → enriched answer.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mita::config::Secret;
use reqwest::Method;
use serde_json::{Value, json};

use super::{data, seeded_user};
use crate::support::{TestApp, spawn_with};

const UP: u8 = 0;
const SLOW: u8 = 1;
const DOWN: u8 = 2;
const FAKE_TEXT: &str = "Enriched by the fake LLM.";

/// (Authorization header, request body) of one call.
type Seen = (Option<String>, Value);

#[derive(Clone, Default)]
struct Fake {
    mode: Arc<AtomicU8>,
    calls: Arc<AtomicUsize>,
    /// Every call.
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn completions(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    fake.calls.fetch_add(1, Ordering::SeqCst);
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string());
    fake.seen.lock().unwrap().push((auth, body.clone()));
    match fake.mode.load(Ordering::SeqCst) {
        DOWN => return (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded").into_response(),
        SLOW => tokio::time::sleep(Duration::from_secs(5)).await,
        _ => {}
    }
    let system = body["messages"][0]["content"].as_str().unwrap_or_default();
    let text = if system.contains("categorise") {
        "Groceries."
    } else {
        FAKE_TEXT
    };
    Json(json!({"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}))
    .into_response()
}

/// Starts the fake in `mode` and a server configured to use it (timeout 300 ms, breaker
/// threshold 2).
async fn app_with_fake(mode: u8) -> (TestApp, Fake) {
    let fake = Fake::default();
    fake.mode.store(mode, Ordering::SeqCst);
    let router = axum::Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(fake.clone());
    let base = format!("{}/v1", mita::testing::fakes::serve(router).await);
    let app = spawn_with(
        move |s| {
            s.llm.base_url = Some(base);
            s.llm.api_key = Some(Secret::new("test-key"));
            s.llm.model = "fake-model".into();
            s.llm.timeout_ms = 300;
            s.llm.breaker_threshold = 2;
            s.llm.breaker_open_secs = 600;
        },
        axum::Router::new(),
    )
    .await;
    (app, fake)
}

/// The value of `mita_external_api_requests_total{service="llm",status=...}` (0 when absent).
async fn llm_requests(app: &TestApp, status: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let status = format!("status=\"{status}\"");
    text.lines()
        .find(|l| {
            l.starts_with("mita_external_api_requests_total{")
                && l.contains("service=\"llm\"")
                && l.contains(&status)
        })
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0, |v| v.parse().unwrap())
}

#[tokio::test]
async fn a_slow_llm_times_out_and_the_rule_answer_is_returned() {
    let (app, fake) = app_with_fake(SLOW).await;
    let token = seeded_user(&app, "slow-llm@example.com").await;
    let health = data(
        &app,
        Method::GET,
        "/api/ai/financial-health-score",
        &token,
        None,
    )
    .await["data"]
        .clone();
    assert_eq!(health["source"], "rules");
    assert!(health.get("model").is_none());
    assert!(
        health["summary"]
            .as_str()
            .unwrap()
            .starts_with("Your financial health score is")
    );
    assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
    assert_eq!(llm_requests(&app, "timeout").await, 1);
    assert_eq!(llm_requests(&app, "ok").await, 0);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("mita_external_api_duration_seconds_count{service=\"llm\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_failing_llm_opens_the_breaker_and_is_no_longer_called() {
    let (app, fake) = app_with_fake(DOWN).await;
    let token = seeded_user(&app, "down-llm@example.com").await;
    for _ in 0..2 {
        let week = data(&app, Method::GET, "/api/ai/weekly-insights", &token, None).await;
        assert_eq!(week["data"]["source"], "rules");
    }
    assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(
        health["llm"],
        json!({"configured": true, "circuit": "open"})
    );

    let answer = data(
        &app,
        Method::POST,
        "/api/ai/assistant",
        &token,
        Some(json!({"question": "How much did I spend this month?"})),
    )
    .await;
    assert_eq!(answer["data"]["source"], "rules");
    assert_eq!(answer["data"]["intent"], "spending");
    let picks = data(
        &app,
        Method::POST,
        "/api/ai/category-suggestions",
        &token,
        Some(json!({"description": "Corner Market"})),
    )
    .await;
    assert_eq!(picks["meta"]["source"], "rules");
    assert_eq!(picks["data"][0]["category"], "groceries");
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        2,
        "an open breaker does not call the LLM"
    );
    assert_eq!(llm_requests(&app, "error").await, 2);
    assert_eq!(llm_requests(&app, "circuit_open").await, 2);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("mita_circuit_breaker_state{service=\"llm\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_working_llm_enriches_the_answer_and_says_so() {
    let (app, fake) = app_with_fake(UP).await;
    let token = seeded_user(&app, "up-llm@example.com").await;
    let health = data(
        &app,
        Method::GET,
        "/api/ai/financial-health-score",
        &token,
        None,
    )
    .await["data"]
        .clone();
    assert_eq!(health["source"], "llm");
    assert_eq!(health["model"], "fake-model");
    assert_eq!(health["summary"], FAKE_TEXT);
    assert!(health["score"].is_i64(), "the figures stay the rules'");

    let answer = data(
        &app,
        Method::POST,
        "/api/ai/assistant",
        &token,
        Some(json!({"question": "Am I doing well?", "context": {"screen": "home"}})),
    )
    .await["data"]
        .clone();
    assert_eq!(
        (answer["answer"].as_str(), answer["source"].as_str()),
        (Some(FAKE_TEXT), Some("llm"))
    );
    let day = data(
        &app,
        Method::GET,
        "/api/ai/day-status-explanation",
        &token,
        None,
    )
    .await["data"]
        .clone();
    assert_eq!(day["explanation"], FAKE_TEXT);
    let picks = data(
        &app,
        Method::POST,
        "/api/ai/category-suggestions",
        &token,
        Some(json!({"description": "Something odd"})),
    )
    .await;
    assert_eq!(
        picks["meta"],
        json!({"source": "llm", "model": "fake-model"})
    );
    assert_eq!(picks["data"][0]["category"], "groceries");
    assert_eq!(picks["data"][0]["reason"], "llm");

    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4);
    let (auth, body) = &seen[1];
    assert_eq!(auth.as_deref(), Some("Bearer test-key"));
    assert_eq!(body["model"], "fake-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Am I doing well?")
    );
    assert_eq!(llm_requests(&app, "ok").await, 4);
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(
        health["llm"],
        json!({"configured": true, "circuit": "closed"})
    );
    let stored = data(
        &app,
        Method::GET,
        "/api/insights/history?kind=financial_health_score",
        &token,
        None,
    )
    .await["data"]
        .clone();
    assert_eq!(
        (stored[0]["source"].as_str(), stored[0]["model"].as_str()),
        (Some("llm"), Some("fake-model"))
    );

    // The weekly text the app shows (`insights`) is the LLM's too; the rule sentences stay listed.
    let week =
        data(&app, Method::GET, "/api/ai/weekly-insights", &token, None).await["data"].clone();
    assert_eq!(
        (week["insights"].as_str(), week["summary"].as_str()),
        (Some(FAKE_TEXT), Some(FAKE_TEXT))
    );
    assert!(!week["insight_list"].as_array().unwrap().is_empty());
}

/// Issue 18 §7: one user's LLM calls are capped per hour; beyond the cap the rule answer comes
/// back (never an error) and the LLM is not called, while another user still gets it.
#[tokio::test]
async fn one_user_cannot_spend_the_llm_beyond_their_hourly_quota() {
    let fake = Fake::default();
    let router = axum::Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(fake.clone());
    let base = format!("{}/v1", mita::testing::fakes::serve(router).await);
    let app = spawn_with(
        move |s| {
            s.llm.base_url = Some(base);
            s.llm.model = "fake-model".into();
            s.llm.calls_per_user_per_hour = 2;
        },
        axum::Router::new(),
    )
    .await;
    let greedy = seeded_user(&app, "greedy-llm@example.com").await;
    let mut sources = Vec::new();
    for _ in 0..3 {
        let week = data(&app, Method::GET, "/api/ai/weekly-insights", &greedy, None).await;
        sources.push(week["data"]["source"].as_str().unwrap().to_string());
    }
    assert_eq!(sources, ["llm", "llm", "rules"]);
    assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    let other = seeded_user(&app, "other-llm@example.com").await;
    let week = data(&app, Method::GET, "/api/ai/weekly-insights", &other, None).await;
    assert_eq!(week["data"]["source"], "llm");
}
