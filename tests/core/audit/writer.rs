//! The writer: fallback file when the database is down or the queue is full, shutdown, and
//! concurrent recording.

use std::collections::HashSet;
use std::time::Duration;

use mita::audit::{AuditEvent, AuditOptions, AuditStats, EventType, Outcome, REDACTED};
use mita::id::Id;
use mita::on_write;
use serde_json::{Value, json};

use super::{T0, fallback_lines, fallback_path, fixture, fixture_with, stored_count};

#[tokio::test]
async fn batches_the_database_cannot_take_go_to_the_fallback_file_without_loss() {
    let f = fixture().await;
    let path = fallback_path(&f.test_db);
    let user = Id::new();
    f.db.close().await;

    // More than one batch (200 by default).
    for i in 0..450 {
        f.log.record(
            AuditEvent::new(EventType::Refresh, Outcome::Success)
                .user(user)
                .request_id(format!("req-{i}"))
                .user_agent("agent\r\nforged")
                .detail("n", i)
                .detail("access_token", "tok-should-not-appear"),
        );
    }
    f.log.flush().await;

    let raw = std::fs::read_to_string(&path).unwrap();
    assert!(!raw.contains("tok-should-not-appear"));
    let lines = fallback_lines(&path);
    assert_eq!(lines.len(), 450);
    let numbers: HashSet<i64> = lines
        .iter()
        .map(|l| l["details"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, (0..450).collect());
    let ids: HashSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 450, "every event keeps its own id");
    let first = &lines[0];
    assert_eq!(first["time"], "2026-03-01T12:00:00.000Z");
    assert_eq!(first["created_at"], T0);
    assert_eq!(first["event_type"], "refresh");
    assert_eq!(first["outcome"], "success");
    assert_eq!(first["user_id"], json!(user.to_string()));
    assert_eq!(first["actor"], "api");
    assert_eq!(first["user_agent"], "agent\u{fffd}\u{fffd}forged");
    assert_eq!(first["client_ip"], Value::Null);
    assert_eq!(first["details"]["access_token"], REDACTED);
    assert_eq!(
        f.log.stats(),
        AuditStats {
            stored: 0,
            fallback: 450,
            lost: 0
        }
    );
}

#[tokio::test]
async fn a_full_queue_sends_the_overflow_to_the_fallback_file_instead_of_dropping_it() {
    let f = fixture_with(AuditOptions {
        capacity: 2,
        ..AuditOptions::default()
    })
    .await;
    let path = fallback_path(&f.test_db);

    // On this single-threaded test runtime the writer cannot run before the first `.await`.
    for i in 0..5 {
        f.log
            .record(AuditEvent::new(EventType::Logout, Outcome::Success).detail("n", i));
    }
    f.log.flush().await;

    assert_eq!(stored_count(&f.db).await, 2);
    let overflow: Vec<i64> = fallback_lines(&path)
        .iter()
        .map(|l| l["details"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(overflow, vec![2, 3, 4]);
    assert_eq!(
        f.log.stats(),
        AuditStats {
            stored: 2,
            fallback: 3,
            lost: 0
        }
    );
}

#[tokio::test]
async fn shutdown_stores_pending_events_and_later_ones_go_to_the_fallback_file() {
    let f = fixture().await;
    let path = fallback_path(&f.test_db);
    for _ in 0..300 {
        f.log.record(
            AuditEvent::new(EventType::AdminAction, Outcome::Success).detail("action", "x"),
        );
    }

    f.log.shutdown().await;
    assert_eq!(stored_count(&f.db).await, 300, "shutdown flushes the queue");
    assert!(fallback_lines(&path).is_empty());

    f.log
        .record(AuditEvent::new(EventType::Unlock, Outcome::Success).detail("source", "cli"));
    f.log.flush().await;
    f.log.shutdown().await;
    let late = fallback_lines(&path);
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["event_type"], "unlock");
    assert_eq!(stored_count(&f.db).await, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_recorded_concurrently_from_many_tasks_are_all_stored() {
    let f = fixture().await;
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let log = f.log.clone();
            tokio::spawn(async move {
                for i in 0..100 {
                    log.record(
                        AuditEvent::new(EventType::LoginSuccess, Outcome::Success)
                            .detail("task", t)
                            .detail("n", i),
                    );
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    f.log.shutdown().await;
    assert_eq!(stored_count(&f.db).await, 800);
    assert_eq!(f.log.stats().stored, 800);
}

#[tokio::test]
async fn the_writer_returns_to_the_database_once_it_works_again() {
    let f = fixture_with(AuditOptions {
        retry_after: Duration::ZERO,
        ..AuditOptions::default()
    })
    .await;
    let path = fallback_path(&f.test_db);
    let rename = |from: &'static str, to: &'static str| {
        let db = f.db.clone();
        async move {
            let sql = format!("ALTER TABLE {from} RENAME TO {to}");
            on_write!(&db, pool => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await.map(|_| ()))
                .unwrap();
        }
    };

    rename("audit_events", "audit_events_away").await;
    f.log
        .record(AuditEvent::new(EventType::Lockout, Outcome::Success).detail("n", 1));
    f.log.flush().await;
    rename("audit_events_away", "audit_events").await;
    f.log
        .record(AuditEvent::new(EventType::Unlock, Outcome::Success).detail("n", 2));
    f.log.flush().await;

    let in_file = fallback_lines(&path);
    assert_eq!(in_file.len(), 1);
    assert_eq!(in_file[0]["event_type"], "lockout");
    assert_eq!(stored_count(&f.db).await, 1);
    assert_eq!(
        f.log.stats(),
        AuditStats {
            stored: 1,
            fallback: 1,
            lost: 0
        }
    );
}
