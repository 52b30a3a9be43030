//! `mita serve` end to end: graceful shutdown on SIGTERM with requests in flight.

use std::time::{Duration, Instant};

use mita::testing::TestDatabase;

use crate::support::Server;

/// Reads `mita_http_requests_in_progress` for the slow route.
async fn slow_in_flight(server: &Server) -> f64 {
    let text = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("mita_http_requests_in_progress{") && l.contains("/__test/slow"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests_refuses_new_connections_and_exits_0() {
    let db = TestDatabase::create().await.unwrap();
    let mut server = Server::start(&db.url, &["--migrate", "--shutdown-timeout", "20"], &[]);

    // Three slow requests, each on its own connection.
    let mut in_flight = Vec::new();
    for _ in 0..3 {
        let url = server.url("/__test/slow?ms=3000");
        in_flight.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            client.get(url).send().await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while slow_in_flight(&server).await < 3.0 {
        assert!(Instant::now() < deadline, "the slow requests never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    server.signal("TERM");
    let addr = server.base.trim_start_matches("http://").to_string();
    let refused_by = Instant::now() + Duration::from_secs(2);
    loop {
        match tokio::net::TcpStream::connect(&addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            _ => {
                assert!(
                    Instant::now() < refused_by,
                    "new connections still accepted after SIGTERM"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    assert!(
        in_flight.iter().all(|t| !t.is_finished()),
        "the listener closed while requests were still running"
    );

    for task in in_flight {
        let resp = task
            .await
            .unwrap()
            .expect("an in-flight request is answered, not cut");
        assert_eq!(resp.status(), 200);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["slept_ms"], 3000);
    }
    assert_eq!(server.wait_exit(Duration::from_secs(20)), Some(0));
}

#[tokio::test]
async fn the_shutdown_deadline_bounds_a_request_that_takes_too_long() {
    let db = TestDatabase::create().await.unwrap();
    let mut server = Server::start(&db.url, &["--migrate", "--shutdown-timeout", "1"], &[]);
    let url = server.url("/__test/slow?ms=30000");
    let request = tokio::spawn(async move { reqwest::get(url).await });
    let deadline = Instant::now() + Duration::from_secs(10);
    while slow_in_flight(&server).await < 1.0 {
        assert!(Instant::now() < deadline, "the slow request never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let signalled = Instant::now();
    server.signal("INT");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    assert!(signalled.elapsed() < Duration::from_secs(10));
    request.abort();
}

#[tokio::test]
async fn metrics_bind_serves_metrics_on_a_private_listener_only() {
    use std::io::{BufRead, BufReader};
    let db = TestDatabase::create().await.unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut child = crate::support::mita()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--metrics-bind",
            "127.0.0.1:0",
            "--migrate",
            "--database-url",
            &db.url,
        ])
        .env("MITA_DATA_DIR", data_dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let public = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let private = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("metrics on ")
        .unwrap()
        .to_string();
    let on_public = reqwest::get(format!("{public}/metrics")).await.unwrap();
    assert_eq!(on_public.status(), 404, "not on the public listener");
    let on_private = reqwest::get(&private).await.unwrap();
    assert_eq!(on_private.status(), 200);
    assert!(on_private.text().await.unwrap().contains("mita_build_info"));
    assert_eq!(
        reqwest::get(format!("{public}/health"))
            .await
            .unwrap()
            .status(),
        200
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Issue 12 §6: logs written to something other than a terminal (a pipe, a file, journald)
/// carry no ANSI colour codes.
#[tokio::test]
async fn logs_to_a_pipe_have_no_colour_codes() {
    let db = TestDatabase::create().await.unwrap();
    let mut server = Server::start(&db.url, &["--migrate"], &[]);
    server.signal("TERM");
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(server.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("shutdown complete"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// The soft and hard "Max open files" of a running process.
#[cfg(target_os = "linux")]
fn open_files_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    let mut fields = line["Max open files".len()..].split_whitespace();
    (
        fields.next().unwrap().to_string(),
        fields.next().unwrap().to_string(),
    )
}

/// Started with a soft limit of 256 open files (as a service manager may), the server raises it
/// to the hard limit before it listens: a thousand connections need a thousand descriptors.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn serve_raises_a_low_open_files_limit_to_the_hard_limit() {
    use std::io::{BufRead, BufReader};
    let db = TestDatabase::create().await.unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut child = crate::support::clean_command("prlimit")
        .args(["--nofile=256:", "--", env!("CARGO_BIN_EXE_mita")])
        .args(["serve", "--bind", "127.0.0.1:0", "--migrate"])
        .args(["--database-url", &db.url])
        .env("MITA_DATA_DIR", data_dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("prlimit (util-linux) runs");
    let first = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    assert!(first.starts_with("listening on "), "{first}");
    let (soft, hard) = open_files_limits(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert_ne!(
        hard, "256",
        "the hard limit must be above 256 for this test"
    );
    assert_eq!(soft, hard, "the soft limit is raised to the hard one");
}
