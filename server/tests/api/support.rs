//! `spawn_app()`: a real server on 127.0.0.1:<random port> over a fresh database.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use mita::clock::Clock;
use mita::config::Settings;
use mita::db::Db;
use mita::metrics::Metrics;
use mita::testing::TestDatabase;
use mita_server::{AppState, ServeOptions};
use reqwest::Response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// Owns the temporary database (removed on drop).
    _test_db: TestDatabase,
    /// Dropping it shuts the server down.
    _shutdown: oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}, Router::new()).await
}

/// Starts a server whose settings `configure` may change, with `extra` routes behind the layers.
pub async fn spawn_with(configure: impl FnOnce(&mut Settings), extra: Router<AppState>) -> TestApp {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    spawn_on(test_db, db, configure, extra).await
}

pub async fn spawn_on(
    test_db: TestDatabase,
    db: Db,
    configure: impl FnOnce(&mut Settings),
    extra: Router<AppState>,
) -> TestApp {
    let mut settings = Settings::default();
    settings.database = test_db.settings();
    configure(&mut settings);
    let state = AppState::new(
        db.clone(),
        settings,
        Arc::new(Metrics::new().unwrap()),
        Clock::system(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let options = ServeOptions {
        metrics_listener: None,
        shutdown_timeout: Duration::from_secs(5),
        extra_routes: Some(extra),
    };
    tokio::spawn(mita_server::serve(state, listener, options, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    TestApp {
        base,
        client,
        db,
        _test_db: test_db,
        _shutdown: tx,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut req = self.client.post(self.url(path)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        req.send().await.unwrap()
    }
}

/// The headers API.md §1 puts on every response.
pub fn assert_standard_headers(resp: &Response) {
    let h = resp.headers();
    for name in [
        "x-request-id",
        "x-response-time-ms",
        "strict-transport-security",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "content-security-policy",
    ] {
        assert!(
            h.contains_key(name),
            "missing header {name} on {}",
            resp.url()
        );
    }
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(
        h["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    assert_eq!(h["referrer-policy"], "same-origin");
    let ms: f64 = h["x-response-time-ms"].to_str().unwrap().parse().unwrap();
    assert!(ms >= 0.0);
}

/// Reads an error envelope and checks its shape; returns it.
pub async fn error_body(resp: Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status, "status of {}", resp.url());
    assert_standard_headers(&resp);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["error_id"]
            .as_str()
            .unwrap()
            .starts_with("mita_")
    );
    let ts = body["error"]["timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && !ts.contains("+00:00"), "{ts}");
    body
}
