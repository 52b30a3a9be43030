//! `spawn_app()`: a real server on 127.0.0.1:<random port> over a fresh database.

use std::time::Duration;

use axum::Router;
use mita::clock::Clock;
use mita::config::{Secret, Settings};
use mita::db::Db;
use mita::testing::TestDatabase;
use mita_server::{AppState, Application, Background, ServeOptions};
use reqwest::Response;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "Sturdy-Passw0rd";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub state: AppState,
    /// Owns the temporary database and data directory (removed on drop).
    pub test_db: TestDatabase,
    /// Dropping it shuts the server down.
    _shutdown: oneshot::Sender<()>,
    /// The running application: drains, stops its workers and closes the pool once shut down.
    running: tokio::task::JoinHandle<std::io::Result<()>>,
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

/// Test settings: a fixed JWT secret, cheap argon2 parameters (the defaults are exercised by the
/// core's own tests and by the benchmark), files in the test's directory.
pub fn test_settings(test_db: &TestDatabase) -> Settings {
    let mut settings = Settings::default();
    settings.database = test_db.settings();
    settings.data_dir = test_db.path();
    settings.auth.jwt_secret = Some(Secret::new("test-secret-0123456789abcdef0123456789"));
    settings.auth.totp_key = Some(Secret::new("0f".repeat(32)));
    settings.auth.argon2_memory_kib = 256;
    settings.auth.argon2_iterations = 1;
    // Many tests log in from 127.0.0.1; the limits have tests of their own.
    settings.rate_limit.enabled = false;
    settings
}

pub async fn spawn_on(
    test_db: TestDatabase,
    db: Db,
    configure: impl FnOnce(&mut Settings),
    extra: Router<AppState>,
) -> TestApp {
    spawn_full(test_db, db, configure, extra, Clock::system()).await
}

pub async fn spawn_full(
    test_db: TestDatabase,
    db: Db,
    configure: impl FnOnce(&mut Settings),
    extra: Router<AppState>,
    clock: Clock,
) -> TestApp {
    spawn_built(test_db, db, configure, extra, clock, Background::default()).await
}

/// [`spawn_with`] without some of the background work `mita serve` runs (see [`Background`]:
/// only for a test that must see the database as its requests left it).
pub async fn spawn_without(
    background: Background,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let (clock, extra) = (Clock::system(), Router::new());
    spawn_built(test_db, db, configure, extra, clock, background).await
}

/// No OCR workers: uploaded jobs stay queued (for tests that look at a queued job).
pub const NO_OCR_WORKERS: Background = Background {
    ocr_workers: false,
    housekeeping: true,
};

/// The production wiring ([`Application::build`], workers and shutdown order included) on a
/// random port; dropping the `TestApp` shuts it down.
pub async fn spawn_built(
    test_db: TestDatabase,
    db: Db,
    configure: impl FnOnce(&mut Settings),
    extra: Router<AppState>,
    clock: Clock,
    background: Background,
) -> TestApp {
    let mut settings = test_settings(&test_db);
    configure(&mut settings);
    let app = Application::build(db.clone(), settings, clock)
        .unwrap()
        .background(background);
    let state = app.state().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let options = ServeOptions {
        metrics_listener: None,
        shutdown_timeout: Duration::from_secs(5),
        extra_routes: Some(extra),
        after_build: None,
    };
    let running = tokio::spawn(app.run(listener, options, async {
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
        state,
        test_db,
        _shutdown: tx,
        running,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
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

    /// A request with `Authorization: Bearer <token>`.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.authed(reqwest::Method::GET, path, token)
            .send()
            .await
            .unwrap()
    }

    /// Registers `email` with [`PASSWORD`]; returns the `data` of the answer.
    pub async fn register(&self, email: &str) -> Value {
        let resp = self
            .post_json(
                "/api/auth/register",
                &json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(resp.status(), 201, "register {email}");
        resp.json::<Value>().await.unwrap()["data"].clone()
    }

    /// Registers and returns (access token, refresh token, user id).
    pub async fn user(&self, email: &str) -> (String, String, String) {
        let data = self.register(email).await;
        (
            data["access_token"].as_str().unwrap().to_string(),
            data["refresh_token"].as_str().unwrap().to_string(),
            data["user"]["id"].as_str().unwrap().to_string(),
        )
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Makes `email` an admin through the service the CLI uses; returns a fresh admin token.
    pub async fn admin(&self, email: &str) -> String {
        let (_, _, id) = self.user(email).await;
        let meta = mita::auth::RequestMeta {
            actor: "test".into(),
            ..Default::default()
        };
        self.state
            .auth
            .set_role(id.parse().unwrap(), "admin", &meta)
            .await
            .unwrap();
        let resp = self.login(email, PASSWORD).await;
        resp.json::<Value>().await.unwrap()["data"]["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Audit events of one type, after flushing the writer.
    pub async fn audit_events(&self, event_type: &str) -> Vec<Value> {
        self.state.audit.flush().await;
        let filter = mita::audit::AuditFilter {
            event_type: Some(event_type.into()),
            user_id: None,
            since_ms: None,
            limit: 1000,
        };
        mita::audit::list(&self.db, &filter)
            .await
            .unwrap()
            .into_iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect()
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
pub async fn error_body(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status, "status of {}", resp.url());
    assert_standard_headers(&resp);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    if status == 401 {
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    }
    let body: Value = resp.json().await.unwrap();
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

impl TestApp {
    /// Stops this server and starts a new one on the same database (same settings, a new
    /// port): what survives is what the database kept.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            test_db,
            _shutdown,
            running,
            ..
        } = self;
        drop(_shutdown);
        running.await.unwrap().unwrap();
        let db = test_db.migrated().await.unwrap();
        spawn_on(test_db, db, |_| {}, Router::new()).await
    }
}
