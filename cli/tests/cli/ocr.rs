//! `mita ocr` end to end. The breaker test runs the server in this process (its clock injected,
//! so the breaker's open time passes on demand) with a fake Google Vision on loopback, and the
//! real `mita ocr replay` binary against the same database while it serves. The SIGTERM test runs
//! the real `mita serve`.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use mita::clock::Clock;
use mita::config::{OcrEngineKind, Secret, Settings};
use mita::metrics::{ExternalService, JobStatus};
use mita::testing::TestDatabase;
use mita::testing::fakes::{self, Mode, VISION_KEY};
use mita::testing::multipart::one_file;
use mita::testing::receipt_image::{RECEIPT, receipt_png};
use mita_server::{Application, ServeOptions};
use serde_json::{Value, json};

use crate::support::{mita, register, stderr, stdout};

const OPEN_MS: i64 = 60_000;

/// Runs the real binary without a terminal (off the async workers, which serve meanwhile).
async fn run_mita(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || mita().args(&args).stdin(Stdio::null()).output().unwrap())
        .await
        .unwrap()
}

fn args(list: &[&str], db_url: &str) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    out.extend(["--database-url".to_string(), db_url.to_string()]);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_fail_fast_while_vision_is_down_and_a_replay_by_the_cli_completes_every_one() {
    let (vision_url, fake) = fakes::vision(RECEIPT).await;
    fake.set(Mode::Failing);
    let test_db = TestDatabase::create().await.unwrap();
    let db = test_db.migrated().await.unwrap();
    let clock = Clock::manual(chrono::Utc::now());
    let mut settings = Settings {
        database: test_db.settings(),
        data_dir: test_db.path(),
        ..Settings::default()
    };
    settings.auth.jwt_secret = Some(Secret::new("test-secret-0123456789abcdef0123456789"));
    settings.auth.argon2_memory_kib = 256;
    settings.auth.argon2_iterations = 1;
    settings.rate_limit.enabled = false;
    settings.ocr.engine = OcrEngineKind::GoogleVision;
    settings.ocr.google_vision.base_url = vision_url;
    settings.ocr.google_vision.api_key = Some(Secret::new(VISION_KEY));
    settings.ocr.breaker_failure_threshold = 2;
    settings.ocr.breaker_open_ms = OPEN_MS;
    settings.ocr.poll_ms = 100;
    // The production wiring (`mita serve`'s), OCR workers and all.
    let app = Application::build(db, settings, clock.clone()).unwrap();
    let (services, metrics) = (app.state().services.clone(), app.state().metrics.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run(listener, ServeOptions::default(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let token = register(
        &client,
        &format!("{base}/api/auth/register"),
        "vision@example.com",
        "Sturdy-Passw0rd",
    )
    .await;

    // Vision is down: two calls fail, the breaker opens, the rest fail fast without a call.
    let (ct, body) = one_file("receipt", "r.png", "image/png", &receipt_png(&["ANY"]));
    let mut jobs = Vec::new();
    for _ in 0..5 {
        let resp = client
            .post(format!("{base}/api/ocr/process?wait=true"))
            .bearer_auth(&token)
            .header("content-type", &ct)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let job: Value = resp.json().await.unwrap();
        assert_eq!(job["data"]["status"], "failed", "{job}");
        jobs.push((
            job["data"]["job_id"].as_str().unwrap().to_string(),
            job["data"]["error_reason"].as_str().unwrap().to_string(),
        ));
    }
    let reasons: Vec<&str> = jobs.iter().map(|j| j.1.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "engine_error",
            "engine_error",
            "circuit_open",
            "circuit_open",
            "circuit_open"
        ]
    );
    assert_eq!(fake.calls(), 2);
    let open = metrics
        .circuit_breaker_state
        .get(ExternalService::OcrGoogleVision);
    assert_eq!(open, 1, "the breaker is open");

    // Vision recovers and the open time passes. Without --yes and a terminal: refused.
    fake.set(Mode::Healthy);
    clock.advance_ms(OPEN_MS + 1);
    let refused = run_mita(args(&["ocr", "replay", "--all-failed"], &test_db.url)).await;
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--yes"));
    let dry = run_mita(args(
        &["ocr", "replay", "--all-failed", "--dry-run", "--json"],
        &test_db.url,
    ))
    .await;
    let dry: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(
        (dry["dry_run"].clone(), dry["replayed"].clone()),
        (json!(true), json!(5))
    );

    // The real binary replays while this server runs; its workers pick the jobs up.
    let replay = run_mita(args(
        &[
            "ocr",
            "replay",
            "--all-failed",
            "--yes",
            "--json",
            "--wait",
            "--timeout",
            "60",
            "--reason",
            "vision is back",
        ],
        &test_db.url,
    ))
    .await;
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&replay),
        stderr(&replay)
    );
    let report: Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert_eq!(report["replayed"], 5, "{report}");
    assert_eq!(
        (report["failed_again"].clone(), report["unfinished"].clone()),
        (json!(0), json!(0))
    );
    for (id, _) in &jobs {
        let job: Value = client
            .get(format!("{base}/api/ocr/status/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(job["data"]["status"], "completed", "{job}");
        assert_eq!(
            job["data"]["attempts"], 2,
            "one failed attempt, one replayed: {job}"
        );
        assert_eq!(job["data"]["result"]["amount"], json!(10.15));
    }

    // Nothing lost, nothing left; the replay is audited and counted.
    let listed = run_mita(args(&["ocr", "list", "--json"], &test_db.url)).await;
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 5);
    assert!(
        listed
            .iter()
            .all(|j| j["status"] == "completed" && j["replay_count"] == 1)
    );
    let again = run_mita(args(
        &["ocr", "replay", "--all-failed", "--yes"],
        &test_db.url,
    ))
    .await;
    assert_eq!(
        again.status.code(),
        Some(4),
        "nothing to do: {}",
        stderr(&again)
    );
    let audit = run_mita(args(
        &["admin", "audit", "--event", "admin_action", "--json"],
        &test_db.url,
    ))
    .await;
    let audit: Value = serde_json::from_slice(&audit.stdout).unwrap();
    let event = &audit.as_array().unwrap()[0];
    assert_eq!(event["details"]["action"], "ocr_replay");
    assert_eq!(event["details"]["replayed"], 5);
    assert_eq!(event["details"]["reason"], "vision is back");
    assert!(event["actor"].as_str().unwrap().starts_with("cli:"));
    services.ocr.refresh_gauges().await;
    assert_eq!(metrics.ocr_replays_total.get(), 5);
    assert_eq!(metrics.ocr_jobs.get(JobStatus::Failed), 0);

    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}

#[tokio::test]
async fn sigterm_during_processing_leaves_no_job_stuck_and_a_restart_finishes_it() {
    if !mita::testing::tesseract_or_skip("SIGTERM during OCR, then a restart") {
        return;
    }
    let db = TestDatabase::create().await.unwrap();
    let dir = db.path();
    let slow = dir.join("slow-tesseract.sh");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let data_dir = dir.display().to_string();
    let slow = slow.display().to_string();
    let env = |tesseract: &'static str| {
        let mut env = vec![
            ("MITA_DATA_DIR", data_dir.clone()),
            ("MITA_RATE_LIMIT__ENABLED", "false".to_string()),
            ("MITA_OCR__POLL_MS", "100".to_string()),
            ("MITA_OCR__SHUTDOWN_GRACE_MS", "300".to_string()),
            (
                "JWT_SECRET",
                "test-secret-0123456789abcdef0123456789".to_string(),
            ),
        ];
        if tesseract == "slow" {
            env.push(("MITA_OCR__TESSERACT_PATH", slow.clone()));
        }
        env
    };
    let start = |tesseract: &'static str| {
        let env = env(tesseract);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::support::Server::start(&db.url, &["--migrate"], &env)
    };

    let mut server = start("slow");
    let client = reqwest::Client::new();
    let token = register(
        &client,
        &format!("{}/api/auth/register", server.base),
        "term@example.com",
        "Sturdy-Passw0rd",
    )
    .await;
    let (ct, body) = one_file("receipt", "r.png", "image/png", &receipt_png(RECEIPT));
    let job: Value = client
        .post(server.url("/api/ocr/process"))
        .bearer_auth(&token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status_url = format!(
        "/api/ocr/status/{}",
        job["data"]["job_id"].as_str().unwrap()
    );
    let status = |base: String| {
        let client = client.clone();
        let token = token.clone();
        let path = status_url.clone();
        async move {
            let v: Value = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["data"].clone()
        }
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while status(server.base.clone()).await["status"] != "processing" {
        assert!(Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    server.signal("TERM");
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(0));
    let processing = run_mita(args(
        &["ocr", "list", "--status", "processing", "--json"],
        &db.url,
    ))
    .await;
    assert_eq!(
        serde_json::from_slice::<Value>(&processing.stdout).unwrap(),
        json!([])
    );
    let pending = run_mita(args(
        &["ocr", "list", "--status", "pending", "--json"],
        &db.url,
    ))
    .await;
    let pending: Value = serde_json::from_slice(&pending.stdout).unwrap();
    assert_eq!(
        pending.as_array().unwrap().len(),
        1,
        "the job went back to the queue"
    );
    assert_eq!(
        pending[0]["attempts"], 0,
        "the interrupted attempt does not count"
    );

    let server = start("real");
    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        let job = status(server.base.clone()).await;
        if job["status"] == "completed" || job["status"] == "failed" {
            break job;
        }
        assert!(
            Instant::now() < deadline,
            "the restarted server did not finish the job"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["result"]["amount"], json!(10.15));
}
