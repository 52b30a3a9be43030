//! Error tracking (issue 12 §2) against a fake Sentry ingest server on loopback that receives the
//! real envelopes: panics and 5xx answers are reported with the request id and route template,
//! and nothing personal leaves the process. Its own test binary: the Sentry client is global.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(
    dead_code,
    reason = "shared with the API tests; only part of it is used here"
)]
#[path = "api/support.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use mita_server::error::ApiError;
use mita_server::state::AppState;
use serde_json::Value;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

use support::spawn_with;

const CARD: &str = "4111 1111 1111 1111";
const EMAIL: &str = "ann.private@example.com";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig";

type Received = Arc<Mutex<Vec<String>>>;

/// The fake ingest: keeps every envelope posted to `/api/{project}/envelope/`.
async fn ingest() -> (String, Received) {
    let received: Received = Arc::default();
    async fn take(State(store): State<Received>, body: Bytes) -> &'static str {
        store
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&body).into_owned());
        "{}"
    }
    let app = Router::new()
        .route("/api/{project}/envelope/", post(take))
        .with_state(received.clone());
    let base = mita::testing::fakes::serve(app).await;
    let dsn = base.replacen("http://", "http://public@", 1);
    (format!("{dsn}/42"), received)
}

/// The event payloads of the envelopes (an envelope: a header line, then item header and
/// payload lines).
fn events(received: &Received) -> Vec<Value> {
    let mut out = Vec::new();
    for envelope in received.lock().unwrap().iter() {
        let lines: Vec<&str> = envelope.lines().collect();
        for pair in lines[1..].chunks(2) {
            let [header, payload] = pair else { continue };
            let header: Value = serde_json::from_str(header).unwrap_or(Value::Null);
            if header["type"] == "event" {
                out.push(serde_json::from_str(payload).unwrap());
            }
        }
    }
    out
}

fn tag<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event["tags"][name].as_str()
}

async fn boom() -> Result<(), ApiError> {
    Err(mita::Error::Internal(format!("charging card {CARD} of {EMAIL}")).into())
}

async fn panics() -> &'static str {
    panic!("card {CARD} of {EMAIL}");
}

// Two workers: the fake ingest must answer while the test thread waits in the (blocking) flush.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_and_5xx_reach_sentry_with_request_id_and_route_and_nothing_personal() {
    let (dsn, received) = ingest().await;
    let guard = mita_server::error_tracking::start(mita_server::error_tracking::options(
        dsn.parse().unwrap(),
        "test".into(),
    ));
    assert!(mita_server::error_tracking::enabled());
    // Log lines become breadcrumbs, as `mita serve` sets it up.
    let subscriber = tracing_subscriber::registry().with(
        sentry::integrations::tracing::BreadcrumbLayer::new()
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO),
    );
    // Global: the handlers run on the runtime's worker threads (this binary holds one test).
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let extra: Router<AppState> = Router::new()
        .route("/boom/{id}", get(boom))
        .route("/panics", get(panics));
    let app = spawn_with(|_| {}, extra).await;

    let send = |path: &str| {
        app.client
            .get(app.url(path))
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("cookie", format!("session={EMAIL}"))
            .body(format!(
                "{{\"password\": \"hunter2\", \"email\": \"{EMAIL}\"}}"
            ))
            .send()
    };
    let failed = send("/boom/7").await.unwrap();
    assert_eq!(failed.status(), 500);
    let failed_id = failed.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let panicked = send("/panics").await.unwrap();
    assert_eq!(panicked.status(), 500);
    let panicked_id = panicked.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    // A 4xx is not an error of the service: not reported.
    assert_eq!(send("/api/users/me").await.unwrap().status(), 401);

    assert!(tokio::task::block_in_place(
        || guard.flush(Some(Duration::from_secs(10)))
    ));
    let events = events(&received);
    assert_eq!(events.len(), 2, "one event per failed request: {events:#?}");

    let failure = events
        .iter()
        .find(|e| tag(e, "route") == Some("/boom/{id}"))
        .expect("the 5xx is reported under its route template");
    assert_eq!(tag(failure, "request_id"), Some(failed_id.as_str()));
    assert_eq!(tag(failure, "status"), Some("500"));
    assert_eq!(tag(failure, "error_code"), Some("SYSTEM_8001"));
    assert_eq!(tag(failure, "method"), Some("GET"));
    let crumbs = failure["breadcrumbs"]["values"].to_string();
    assert!(
        crumbs.contains("internal error"),
        "the request's log lines come along: {crumbs}"
    );

    let panic = events
        .iter()
        .find(|e| tag(e, "route") == Some("/panics"))
        .expect("the panic is reported with the request's tags");
    assert_eq!(tag(panic, "request_id"), Some(panicked_id.as_str()));
    assert!(
        panic["exception"]["values"][0]["value"]
            .as_str()
            .unwrap()
            .contains("card"),
        "{panic}"
    );

    let everything = received.lock().unwrap().concat();
    for secret in [CARD, EMAIL, TOKEN, "hunter2", "session="] {
        assert!(
            !everything.contains(secret),
            "`{secret}` reached Sentry: {everything}"
        );
    }
    assert!(
        everything.contains("1111"),
        "card numbers keep their last four digits"
    );
}
