//! `/ready` follows PostgreSQL going away and coming back, without a restart. The database is
//! reached through a loopback TCP proxy the test can cut, so the shared test server keeps running.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mita::db::Db;
use mita::testing::{TestDatabase, replace_db_name};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use crate::support::spawn_on;

/// Forwards connections to `target` while up; while down, refuses them and cuts the live ones.
struct Proxy {
    addr: std::net::SocketAddr,
    up: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let live: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (up2, live2) = (up.clone(), live.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                live2.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy { addr, up, live }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.live.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Polls `/ready` until it answers `status` (bounded: 20 s).
async fn wait_for_ready_status(app: &crate::support::TestApp, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = app.get("/ready").await.status().as_u16();
        if got == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/ready stayed {got}, expected {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn ready_is_503_while_postgres_is_unreachable_and_200_once_it_is_back() {
    let test_db = TestDatabase::create().await.unwrap();
    if !test_db.postgres_or_skip("ready while PostgreSQL is unreachable") {
        return;
    }
    test_db.migrated().await.unwrap().close().await;

    // Same database, reached through the proxy.
    let url = url::Url::parse(&test_db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(target).await;
    let mut via_proxy = url.clone();
    via_proxy.set_host(Some("127.0.0.1")).unwrap();
    via_proxy.set_port(Some(proxy.addr.port())).unwrap();
    let db_name = url.path().trim_start_matches('/').to_string();
    let proxied_url = replace_db_name(via_proxy.as_str(), &db_name);
    let mut settings = test_db.settings();
    settings.url = proxied_url.into();
    settings.acquire_timeout_ms = 500;
    let db = Db::connect(&settings).await.unwrap();
    let app = spawn_on(
        test_db,
        db,
        move |s| s.database = settings,
        axum::Router::new(),
    )
    .await;

    wait_for_ready_status(&app, 200).await;
    let (token, _, _) = app.user("down@example.com").await;

    proxy.down();
    wait_for_ready_status(&app, 503).await;
    // A request that needs the database is a 503, counted as a database error (issue 18 §12).
    let resp = app.get_as("/api/transactions", &token).await;
    assert_eq!(resp.status(), 503);
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.lines().any(|l| l
            .starts_with("mita_database_errors_total{error_type=\"unavailable\"}")
            && !l.ends_with(" 0")),
        "{text}"
    );
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200, "/health keeps answering");
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["database"], "disconnected");
    let ready: serde_json::Value = app.get("/ready").await.json().await.unwrap();
    assert_eq!(ready["reason"], "database unreachable");

    proxy.up();
    wait_for_ready_status(&app, 200).await;
}
